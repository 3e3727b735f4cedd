// SPDX-License-Identifier: MIT
/*
 * test_iperf_json.c - host tests of the iperf app's JSON writer/reader.
 *
 * The writer's output is compared byte for byte; the reader is fed valid
 * and invalid documents (RFC 8259 edge cases, every truncation of a valid
 * document, nesting past the limit, random bytes) and must reject what is
 * malformed without reading out of bounds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iperf_json.h"

static void writer_output(void **state)
{
    char buf[256];
    struct json_writer w;

    (void)state;
    json_writer_init(&w, buf, sizeof(buf));
    json_begin_object(&w, NULL);
    json_int(&w, "a", -5);
    json_bool(&w, "t", 1);
    json_fixed6(&w, "f", 1500001);
    json_fixed6(&w, "neg", -250000);
    json_string(&w, "s", "q\"b\\\n");
    json_begin_array(&w, "arr");
    json_int(&w, NULL, 1);
    json_begin_object(&w, NULL);
    json_end_object(&w);
    json_begin_array(&w, NULL);
    json_end_array(&w);
    json_end_array(&w);
    json_end_object(&w);
    assert_int_equal(json_writer_finish(&w), (int)strlen(buf));
    assert_string_equal(buf, "{\"a\":-5,\"t\":true,\"f\":1.500001,"
                             "\"neg\":-0.250000,\"s\":\"q\\\"b\\\\\\u000a\","
                             "\"arr\":[1,{},[]]}");
    assert_int_equal(json_validate(buf, strlen(buf)), 0);
}

static void writer_errors(void **state)
{
    char buf[8];
    struct json_writer w;

    (void)state;
    json_writer_init(&w, buf, sizeof(buf));
    json_begin_object(&w, NULL);
    json_string(&w, "long", "value");
    json_end_object(&w);
    assert_int_equal(json_writer_finish(&w), -ENOSPC);
    assert_true(strlen(buf) < sizeof(buf)); /* still terminated */

    json_writer_init(&w, buf, sizeof(buf));
    json_begin_object(&w, NULL);
    assert_int_equal(json_writer_finish(&w), -EINVAL); /* left open */

    json_writer_init(&w, buf, sizeof(buf));
    json_end_array(&w);
    assert_int_equal(json_writer_finish(&w), -EINVAL);
}

static void validate_table(void **state)
{
    static const char *const good[] = {
        "{}",
        "[]",
        " {\"a\" : [1, -2.5e+3, true, false, null]} ",
        "0",
        "-0",
        "\"\\u00e9\\n\\/\"",
        "{\"a\":{\"b\":{\"c\":[]}}}",
        "1E5",
        "[\"\"]",
    };
    static const char *const bad[] = {
        "",           " ",
        "{",          "}",
        "[1,]",       "{\"a\":}",
        "{\"a\" 1}",  "{a:1}",
        "{\"a\":1,}", "01",
        "1.",         ".5",
        "-",          "1e",
        "+1",         "tru",
        "nul",        "\"abc",
        "\"\\x\"",    "\"\\u12G4\"",
        "[1] [2]",    "{\"a\":1}}",
        "\"a\nb\"",   "NaN",
        "[1 2]",      "{\"a\":1 \"b\":2}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(json_validate(good[i], strlen(good[i])), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(json_validate(bad[i], strlen(bad[i])), -EINVAL);
    /* A NUL inside the buffer is not whitespace. */
    assert_int_equal(json_validate("{}\0", 3), -EINVAL);
}

static void nesting_limit(void **state)
{
    char deep[2 * (JSON_MAX_DEPTH + 2) + 1];
    size_t n = 0;

    (void)state;
    for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
        deep[n++] = '[';
    for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
        deep[n++] = ']';
    assert_int_equal(json_validate(deep, n), -EINVAL);
    /* JSON_MAX_DEPTH levels are fine. */
    assert_int_equal(json_validate(deep + 2, n - 4), 0);
}

static void object_get(void **state)
{
    const char *doc = "{\"tcp\":true,\"time\":5,\"len\":131072,"
                      "\"title\":\"a\\\"b\",\"x\":{\"time\":9},"
                      "\"f\":1.5,\"big\":123456789012345678901234,"
                      "\"neg\":-7,\"dup\":1,\"dup\":2}";
    struct json_value v;
    size_t len = strlen(doc);

    (void)state;
    assert_int_equal(json_object_get(doc, len, "tcp", &v), 0);
    assert_int_equal(v.type, JSON_BOOL);
    assert_true(v.boolean);
    assert_int_equal(json_object_get(doc, len, "time", &v), 0);
    assert_true(v.is_integer);
    assert_int_equal(v.integer, 5); /* top level, not x.time */
    assert_int_equal(json_object_get(doc, len, "title", &v), 0);
    assert_int_equal(v.type, JSON_STRING);
    assert_int_equal(v.len, 6);
    assert_int_equal(json_object_get(doc, len, "f", &v), 0);
    assert_int_equal(v.type, JSON_NUMBER);
    assert_false(v.is_integer);
    assert_int_equal(json_object_get(doc, len, "big", &v), 0);
    assert_false(v.is_integer); /* does not fit: not an integer */
    assert_int_equal(json_object_get(doc, len, "neg", &v), 0);
    assert_int_equal(v.integer, -7);
    assert_int_equal(json_object_get(doc, len, "dup", &v), 0);
    assert_int_equal(v.integer, 2);
    assert_int_equal(json_object_get(doc, len, "missing", &v), -ENOENT);
    assert_int_equal(json_object_get(doc, len, "ti", &v), -ENOENT);
    assert_int_equal(json_object_get("[1]", 3, "a", &v), -EINVAL);
    assert_int_equal(json_object_get("{\"a\":1", 6, "a", &v), -EINVAL);
}

static void array_iteration(void **state)
{
    const char *doc = "{\"s\":[ {\"id\":1} , 2 ,[3]]}";
    struct json_value arr, e;
    size_t pos = 0;

    (void)state;
    assert_int_equal(json_object_get(doc, strlen(doc), "s", &arr), 0);
    assert_int_equal(json_array_next(&arr, &pos, &e), 0);
    assert_int_equal(e.type, JSON_OBJECT);
    assert_int_equal(json_array_next(&arr, &pos, &e), 0);
    assert_int_equal(e.integer, 2);
    assert_int_equal(json_array_next(&arr, &pos, &e), 0);
    assert_int_equal(e.type, JSON_ARRAY);
    assert_int_equal(json_array_next(&arr, &pos, &e), -ENOENT);

    arr.text = "[]";
    arr.len = 2;
    pos = 0;
    assert_int_equal(json_array_next(&arr, &pos, &e), -ENOENT);
    arr.type = JSON_OBJECT;
    assert_int_equal(json_array_next(&arr, &pos, &e), -EINVAL);
}

static void truncations_and_noise(void **state)
{
    const char *doc = "{\"cpu_util_total\":0.0,\"streams\":[{\"id\":1,"
                      "\"bytes\":1234,\"s\":\"x\\u0041\"}]}";
    size_t len = strlen(doc);
    char buf[300];

    (void)state;
    assert_int_equal(json_validate(doc, len), 0);
    for (size_t n = 0; n < len; n++) {
        /* Copy so ASan catches any read past the prefix. */
        char *p = malloc(n ? n : 1);

        memcpy(p, doc, n);
        assert_int_equal(json_validate(p, n), -EINVAL);
        free(p);
    }
    srand(3);
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)rand() % sizeof(buf);
        struct json_value v;

        memcpy(buf, doc, len);
        for (int k = 0; k < 3; k++)
            buf[(size_t)rand() % len] = "{}[]\",:0-e.\\ a"[rand() % 15];
        if (n > len)
            n = len;
        (void)json_validate(buf, n);
        (void)json_object_get(buf, n, "streams", &v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_output),
        cmocka_unit_test(writer_errors),
        cmocka_unit_test(validate_table),
        cmocka_unit_test(nesting_limit),
        cmocka_unit_test(object_get),
        cmocka_unit_test(array_iteration),
        cmocka_unit_test(truncations_and_noise),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
