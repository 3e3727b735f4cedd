// SPDX-License-Identifier: MIT
/*
 * test_iperf_proto.c - host tests of the iperf3 protocol helpers.
 *
 * Parameter objects shaped like those iperf3 3.12 sends (forward, -R,
 * -P, -n, UDP, bidirectional) decode to what the server runs or refuses;
 * results carry every member iperf3's get_results() requires, with the
 * stream ids it expects.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iperf_json.h"
#include "iperf_proto.h"

static int parse(const char *json, struct iperf_params *p)
{
    return iperf_params_parse(json, strlen(json), p);
}

static void client_params(void **state)
{
    struct iperf_params p;

    (void)state;
    assert_int_equal(parse("{\"tcp\":true,\"omit\":0,\"time\":5,\"num\":0,"
                           "\"blockcount\":0,\"parallel\":1,\"len\":131072,"
                           "\"pacing_timer\":1000,\"client_version\":"
                           "\"3.12\"}",
                           &p),
                     0);
    assert_int_equal(p.time, 5);
    assert_int_equal(p.parallel, 1);
    assert_int_equal(p.blksize, 131072);
    assert_false(p.reverse);

    assert_int_equal(parse("{\"tcp\":true,\"time\":10,\"parallel\":4,"
                           "\"reverse\":true,\"len\":8192,\"omit\":2}",
                           &p),
                     0);
    assert_true(p.reverse);
    assert_int_equal(p.parallel, 4);
    assert_int_equal(p.blksize, 8192);
    assert_int_equal(p.omit, 2);

    /* Defaults for what is absent; len 0 means the default. */
    assert_int_equal(parse("{\"num\":10485760,\"time\":0,\"len\":0}", &p), 0);
    assert_int_equal(p.bytes, 10485760);
    assert_int_equal(p.time, 0);
    assert_int_equal(p.parallel, 1);
    assert_int_equal(p.blksize, IPERF_DEFAULT_BLKSIZE);
}

static void refused_params(void **state)
{
    struct iperf_params p;

    (void)state;
    assert_int_equal(parse("{\"udp\":true,\"time\":5}", &p), -EOPNOTSUPP);
    assert_int_equal(parse("{\"sctp\":true}", &p), -EOPNOTSUPP);
    assert_int_equal(parse("{\"bidirectional\":true}", &p), -EOPNOTSUPP);
    assert_int_equal(parse("{\"parallel\":9}", &p), -EOPNOTSUPP);
    assert_int_equal(parse("{\"len\":1048577}", &p), -EOPNOTSUPP);
    assert_int_equal(parse("{\"udp\":false,\"parallel\":8}", &p), 0);

    assert_int_equal(parse("{\"time\":-1}", &p), -EINVAL);
    assert_int_equal(parse("{\"time\":\"5\"}", &p), -EINVAL);
    assert_int_equal(parse("{\"time\":5.5}", &p), -EINVAL);
    assert_int_equal(parse("{\"parallel\":0}", &p), -EINVAL);
    assert_int_equal(parse("{\"reverse\":\"yes\"}", &p), -EINVAL);
    assert_int_equal(parse("{\"len\":-5}", &p), -EINVAL);
    assert_int_equal(parse("{\"tcp\":true", &p), -EINVAL);
    assert_int_equal(parse("[]", &p), -EINVAL);
    assert_int_equal(iperf_params_parse("{}", 0, &p), -EINVAL);
}

static void stream_ids(void **state)
{
    (void)state;
    assert_int_equal(iperf_stream_id(0), 1);
    assert_int_equal(iperf_stream_id(1), 3);
    assert_int_equal(iperf_stream_id(2), 4);
    assert_int_equal(iperf_stream_id(7), 9);
}

static void results_have_what_the_client_requires(void **state)
{
    static const char *const top[] = {"cpu_util_total", "cpu_util_user",
                                      "cpu_util_system",
                                      "sender_has_retransmits"};
    static const char *const per[] = {"id",         "bytes",   "retransmits",
                                      "jitter",     "errors",  "packets",
                                      "start_time", "end_time"};
    struct iperf_stream_result s[2] = {{1, 1000000000000ull}, {3, 5}};
    char buf[1024];
    struct json_value v, arr, e, f;
    size_t pos = 0;
    uint64_t total;
    int n = iperf_results_write(buf, sizeof(buf), s, 2, 5000123456ull, 1);

    (void)state;
    assert_true(n > 0);
    assert_int_equal(json_validate(buf, (size_t)n), 0);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(json_object_get(buf, (size_t)n, top[i], &v), 0);
    assert_int_equal(json_object_get(buf, (size_t)n, "streams", &arr), 0);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(json_array_next(&arr, &pos, &e), 0);
        for (size_t i = 0; i < sizeof(per) / sizeof(per[0]); i++)
            assert_int_equal(json_object_get(e.text, e.len, per[i], &f), 0);
        json_object_get(e.text, e.len, "id", &f);
        assert_int_equal(f.integer, s[k].id);
        json_object_get(e.text, e.len, "end_time", &f);
        assert_memory_equal(f.text, "5.000123", 8);
    }
    assert_int_equal(json_array_next(&arr, &pos, &e), -ENOENT);
    assert_int_equal(iperf_results_total(buf, (size_t)n, &total), 0);
    assert_int_equal(total, 1000000000005ull);
    /* Too small a buffer is an error, not a cut document. */
    assert_int_equal(iperf_results_write(buf, 100, s, 2, 1, 0), -ENOSPC);
}

static void client_results_total(void **state)
{
    const char *r = "{\"cpu_util_total\":1.2,\"cpu_util_user\":0.1,"
                    "\"cpu_util_system\":1.1,\"sender_has_retransmits\":1,"
                    "\"congestion_used\":\"cubic\",\"streams\":[{\"id\":1,"
                    "\"bytes\":2000,\"retransmits\":0,\"jitter\":0,"
                    "\"errors\":0,\"packets\":0,\"start_time\":0,"
                    "\"end_time\":5.0001}]}";
    uint64_t total;

    (void)state;
    assert_int_equal(iperf_results_total(r, strlen(r), &total), 0);
    assert_int_equal(total, 2000);
    assert_int_equal(iperf_results_total("{\"streams\":[1]}", 15, &total),
                     -EINVAL);
    assert_int_equal(iperf_results_total("{\"streams\":{}}", 14, &total),
                     -EINVAL);
    assert_int_equal(iperf_results_total("{}", 2, &total), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_params),
        cmocka_unit_test(refused_params),
        cmocka_unit_test(stream_ids),
        cmocka_unit_test(results_have_what_the_client_requires),
        cmocka_unit_test(client_results_total),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
