// SPDX-License-Identifier: MIT
/*
 * test/unit/control/test_stats.c - host tests of kernel/stats.c: the
 * data/xenith/ counter registry and its publisher.
 *
 * Sources are registered with made-up counters; the publisher writes
 * into test/fakes/fake_xs_daemon.c, and the tests check the layout and
 * decimal formatting of the nodes, that nothing is written before the
 * interval has passed or when nothing changed, that only changed
 * counters are rewritten, that one refresh is one transaction, that a
 * failed refresh is repeated, and that bad registrations are refused.
 * Reference: docs/misc/xenstore-paths.pandoc (~/data).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_xs_daemon.h"
#include "kernel/stats.h"

#define SEC (1000ULL * 1000 * 1000)

struct fx {
    struct fake_xs d;
    struct xs_conn c;
    struct stats_pub pub;
    uint64_t v[3];
    unsigned samples;
    unsigned writes;
};

static const char *const names3[] = {"rx-packets", "tx-bytes", "drops"};

static void sample3(void *arg, uint64_t *out)
{
    struct fx *f = arg;

    f->samples++;
    memcpy(out, f->v, sizeof(f->v));
}

static struct stats_source src;

static void on_write(struct fake_xs *d, const char *path, const char *value)
{
    (void)path;
    (void)value;
    ((struct fx *)d->hook_arg)->writes++;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xs_transport t;

    if (!f)
        return -1;
    fake_xs_init(&f->d, 0);
    f->d.hook_arg = f;
    f->d.on_write = on_write;
    t = fake_xs_transport(&f->d);
    if (xs_conn_init(&f->c, &f->d.intf, &t))
        return -1;
    stats_pub_init(&f->pub, 2 * SEC);
    src = (struct stats_source){.dir = "net/vif0",
                                .names = names3,
                                .count = 3,
                                .sample = sample3,
                                .arg = f};
    if (stats_register(&src))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    stats_unregister(&src);
    fake_xs_fini(&f->d);
    free(f);
    return 0;
}

static void first_refresh_writes_every_counter(void **state)
{
    struct fx *f = *state;

    f->v[0] = 0;
    f->v[1] = 18446744073709551615ULL;
    f->v[2] = 42;
    assert_int_equal(stats_publish(&f->pub, &f->c, 10 * SEC), 3);
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/net/vif0/rx-packets"),
                        "0");
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/net/vif0/tx-bytes"),
                        "18446744073709551615");
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/net/vif0/drops"), "42");
    assert_int_equal(f->d.commits, 1); /* one transaction */
    assert_int_equal(f->pub.refreshes, 1);
    assert_int_equal(f->pub.writes, 3);
    assert_int_equal(stats_next_due(&f->pub), 12 * SEC);
}

static void rate_limited_and_only_changes(void **state)
{
    struct fx *f = *state;
    unsigned reqs;

    f->v[0] = 1;
    assert_int_equal(stats_publish(&f->pub, &f->c, 10 * SEC), 3);
    /* within the interval: not even sampled */
    f->v[0] = 2;
    assert_int_equal(stats_publish(&f->pub, &f->c, 11 * SEC), 0);
    assert_int_equal(f->samples, 1);
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/net/vif0/rx-packets"),
                        "1");
    /* due: only the changed counter is written */
    f->writes = 0;
    assert_int_equal(stats_publish(&f->pub, &f->c, 12 * SEC), 1);
    assert_int_equal(f->writes, 1);
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/net/vif0/rx-packets"),
                        "2");
    /* due, nothing changed: no xenstore traffic at all */
    reqs = f->d.requests;
    assert_int_equal(stats_publish(&f->pub, &f->c, 20 * SEC), 0);
    assert_int_equal(f->d.requests, reqs);
    assert_int_equal(f->samples, 3);
}

static void failed_refresh_is_repeated(void **state)
{
    struct fx *f = *state;

    f->v[2] = 7;
    f->c.timeout_ns = 10ULL * 1000 * 1000;
    f->d.stalled = true;
    assert_true(stats_publish(&f->pub, &f->c, 10 * SEC) < 0);
    assert_int_equal(f->pub.errors, 1);
    assert_int_equal(f->pub.last_error, -ETIMEDOUT);
    f->d.stalled = false;
    /* next due refresh writes everything again (nothing was recorded) */
    assert_int_equal(stats_publish(&f->pub, &f->c, 13 * SEC), 3);
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/net/vif0/drops"), "7");
    assert_int_equal(f->pub.last_error, 0);
}

static void eagain_commit_is_retried(void **state)
{
    struct fx *f = *state;

    f->d.fail_commits = 1;
    assert_int_equal(stats_publish(&f->pub, &f->c, 10 * SEC), 3);
    assert_int_equal(f->d.commits, 2);
    assert_int_equal(f->pub.writes, 3); /* counted once, not per attempt */
}

static void interval_zero_is_off(void **state)
{
    struct fx *f = *state;

    stats_pub_init(&f->pub, 0);
    assert_int_equal(stats_publish(&f->pub, &f->c, 100 * SEC), 0);
    assert_int_equal(f->samples, 0);
    assert_null(fake_xs_get(&f->d, "data/xenith/net/vif0/drops"));
}

static void two_sources(void **state)
{
    struct fx *f = *state;
    static const char *const one[] = {"pages-free"};
    struct stats_source mem = {
        .dir = "mem", .names = one, .count = 1, .sample = sample3, .arg = f};

    f->v[0] = 99;
    assert_int_equal(stats_register(&mem), 0);
    assert_int_equal(stats_publish(&f->pub, &f->c, 10 * SEC), 4);
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/mem/pages-free"), "99");
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/net/vif0/rx-packets"),
                        "99");
    stats_unregister(&mem);
    f->v[0] = 100;
    assert_int_equal(stats_publish(&f->pub, &f->c, 20 * SEC), 1);
    assert_string_equal(fake_xs_get(&f->d, "data/xenith/mem/pages-free"),
                        "99"); /* left as it was */
}

static void bad_registrations(void **state)
{
    struct fx *f = *state;
    static const char *const bad_name[] = {"Rx Packets"};
    static const char *const ok1[] = {"x"};
    struct stats_source s = {.dir = "blk/xvda",
                             .names = ok1,
                             .count = 1,
                             .sample = sample3,
                             .arg = f};

    assert_int_equal(stats_register(NULL), -EINVAL);
    assert_int_equal(stats_register(&src), -EEXIST);
    s.dir = "net/vif0"; /* same directory as src */
    assert_int_equal(stats_register(&s), -EEXIST);
    s.dir = "../mem";
    assert_int_equal(stats_register(&s), -EINVAL);
    s.dir = "/mem";
    assert_int_equal(stats_register(&s), -EINVAL);
    s.dir = "mem/";
    assert_int_equal(stats_register(&s), -EINVAL);
    s.dir = "a//b";
    assert_int_equal(stats_register(&s), -EINVAL);
    s.dir = "";
    assert_int_equal(stats_register(&s), -EINVAL);
    s.dir = "blk/xvda";
    s.count = 0;
    assert_int_equal(stats_register(&s), -EINVAL);
    s.count = STATS_MAX_COUNTERS + 1;
    assert_int_equal(stats_register(&s), -EINVAL);
    s.count = 1;
    s.names = bad_name;
    assert_int_equal(stats_register(&s), -EINVAL);
    s.names = ok1;
    s.sample = NULL;
    assert_int_equal(stats_register(&s), -EINVAL);
    s.sample = sample3;
    assert_int_equal(stats_register(&s), 0);
    stats_unregister(&s);
}

static void interval_parse(void **state)
{
    (void)state;
    assert_int_equal(stats_interval_parse(NULL), STATS_INTERVAL_DEFAULT_MS);
    assert_int_equal(stats_interval_parse("0"), 0);
    assert_int_equal(stats_interval_parse("5000"), 5000);
    assert_int_equal(stats_interval_parse("1"), STATS_INTERVAL_MIN_MS);
    assert_int_equal(stats_interval_parse(""), -EINVAL);
    assert_int_equal(stats_interval_parse("2s"), -EINVAL);
    assert_int_equal(stats_interval_parse("-1"), -EINVAL);
    assert_int_equal(stats_interval_parse("99999999999999999999"), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_refresh_writes_every_counter,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limited_and_only_changes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(failed_refresh_is_repeated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(eagain_commit_is_retried, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(interval_zero_is_off, setup, teardown),
        cmocka_unit_test_setup_teardown(two_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_registrations, setup, teardown),
        cmocka_unit_test(interval_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
