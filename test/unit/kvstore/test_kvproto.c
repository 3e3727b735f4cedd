// SPDX-License-Identifier: MIT
/*
 * test/unit/kvstore/test_kvproto.c - the kvstore line protocol: command
 * parsing (arguments, limits, case, blanks, control bytes) and framing
 * (lines split across receives, pipelining, "\r\n", overlong lines
 * answered once and skipped to their newline).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvproto.h"

static struct kvproto_cmd parse(const char *s)
{
    struct kvproto_cmd c;

    kvproto_parse(s, strlen(s), &c);
    return c;
}

static void parses_every_command(void **state)
{
    struct kvproto_cmd c;

    (void)state;
    c = parse("PUT k1 hello");
    assert_int_equal(c.op, KVPROTO_PUT);
    assert_int_equal(c.klen, 2);
    assert_memory_equal(c.key, "k1", 2);
    assert_int_equal(c.vlen, 5);
    assert_memory_equal(c.val, "hello", 5);
    c = parse("get k1\r");
    assert_int_equal(c.op, KVPROTO_GET);
    assert_int_equal(c.klen, 2);
    c = parse("  Del \t k1  ");
    assert_int_equal(c.op, KVPROTO_DEL);
    assert_int_equal(c.klen, 2);
    assert_memory_equal(c.key, "k1", 2);
    assert_int_equal(parse("COUNT").op, KVPROTO_COUNT);
    assert_int_equal(parse("stats").op, KVPROTO_STATS);
    assert_int_equal(parse("").op, KVPROTO_NONE);
    assert_int_equal(parse("   \r").op, KVPROTO_NONE);
}

static void rejects_malformed(void **state)
{
    const char *bad[] = {
        "PUT k",  "PUT",         "PUT a b c", "GET",      "GET a b",
        "DEL",    "COUNT x",     "STATS x",   "FOO a",    "PUTT a b",
        "PU a b", "a b c d e f", "GET a\x01", "GET \x7f", "PUT a b\rc",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kvproto_cmd c = parse(bad[i]);

        assert_int_equal(c.op, KVPROTO_ERR);
        assert_non_null(c.err);
    }
    /* A NUL byte inside the line is a control byte too. */
    struct kvproto_cmd c;
    kvproto_parse("GET a\0b", 7, &c);
    assert_int_equal(c.op, KVPROTO_ERR);
}

static void key_and_value_limits(void **state)
{
    static char line[KVPROTO_LINE_MAX + 16];
    struct kvproto_cmd c;
    size_t n;

    (void)state;
    memcpy(line, "PUT ", 4);
    memset(line + 4, 'k', KVLOG_KEY_MAX);
    n = 4 + KVLOG_KEY_MAX;
    line[n++] = ' ';
    memset(line + n, 'v', KVLOG_VALUE_MAX);
    n += KVLOG_VALUE_MAX;
    kvproto_parse(line, n, &c);
    assert_int_equal(c.op, KVPROTO_PUT);
    assert_int_equal(c.klen, KVLOG_KEY_MAX);
    assert_int_equal(c.vlen, KVLOG_VALUE_MAX);
    line[n] = 'v';
    kvproto_parse(line, n + 1, &c);
    assert_int_equal(c.op, KVPROTO_ERR);
    assert_string_equal(c.err, "value too long");

    memcpy(line, "GET ", 4);
    memset(line + 4, 'k', KVLOG_KEY_MAX + 1);
    kvproto_parse(line, 4 + KVLOG_KEY_MAX, &c);
    assert_int_equal(c.op, KVPROTO_GET);
    kvproto_parse(line, 4 + KVLOG_KEY_MAX + 1, &c);
    assert_int_equal(c.op, KVPROTO_ERR);
    assert_string_equal(c.err, "key too long");
}

static struct kvproto_in in;

static void feed(const char *s, size_t n)
{
    size_t room;
    char *p = kvproto_in_space(&in, &room);

    assert_true(room >= n);
    memcpy(p, s, n);
    kvproto_in_added(&in, n);
}

static void expect_line(const char *want)
{
    const char *l;
    size_t len;

    assert_true(kvproto_in_ready(&in));
    assert_int_equal(kvproto_in_peek(&in, &l, &len), 1);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(l, want, len);
    kvproto_in_consume(&in, len);
}

static void expect_none(void)
{
    const char *l;
    size_t len;

    assert_false(kvproto_in_ready(&in));
    assert_int_equal(kvproto_in_peek(&in, &l, &len), 0);
}

static void framing_splits_and_pipelines(void **state)
{
    const char *all = "PUT a 1\nGET a\r\n\nCOUNT\n";

    (void)state;
    kvproto_in_init(&in);
    /* Byte by byte. */
    for (size_t i = 0; i < strlen(all); i++) {
        feed(all + i, 1);
        /* Ready from the first newline on (nothing consumed yet). */
        assert_int_equal(kvproto_in_ready(&in), i >= 7);
    }
    expect_line("PUT a 1");
    expect_line("GET a\r");
    expect_line("");
    expect_line("COUNT");
    expect_none();
    /* Peek does not consume. */
    feed("STATS\nGET", 9);
    const char *l;
    size_t len;
    assert_int_equal(kvproto_in_peek(&in, &l, &len), 1);
    expect_line("STATS");
    expect_none();
    feed(" b\n", 3);
    expect_line("GET b");
    expect_none();
    assert_int_equal(kvproto_in_room(&in), KVPROTO_IN_SIZE);
}

static void overlong_line_answered_once_and_skipped(void **state)
{
    static char junk[KVPROTO_IN_SIZE];
    const char *l;
    size_t len, room;

    (void)state;
    kvproto_in_init(&in);
    memset(junk, 'x', sizeof(junk));
    feed("GET a\n", 6);
    feed(junk, sizeof(junk) - 6);
    expect_line("GET a");
    assert_false(kvproto_in_ready(&in));
    kvproto_in_space(&in, &room);
    assert_int_equal(room, 6);
    feed(junk, 6); /* now full, no newline */
    assert_true(kvproto_in_ready(&in));
    assert_int_equal(kvproto_in_peek(&in, &l, &len), -EMSGSIZE);
    /* More of the same line: dropped silently. */
    feed(junk, sizeof(junk));
    assert_int_equal(kvproto_in_peek(&in, &l, &len), 0);
    feed(junk, 100);
    expect_none();
    /* Its newline ends it; the next request is served. */
    feed("xx\nGET b\n", 9);
    expect_line("GET b");
    expect_none();
}

static void longest_valid_line_fits(void **state)
{
    static char line[KVPROTO_IN_SIZE];
    size_t n = 0;

    (void)state;
    kvproto_in_init(&in);
    memcpy(line, "PUT ", 4);
    n = 4;
    memset(line + n, 'k', KVLOG_KEY_MAX);
    n += KVLOG_KEY_MAX;
    line[n++] = ' ';
    memset(line + n, 'v', KVLOG_VALUE_MAX);
    n += KVLOG_VALUE_MAX;
    line[n++] = '\r';
    line[n++] = '\n';
    assert_int_equal(n, sizeof(line));
    feed(line, n);
    const char *l;
    size_t len;
    struct kvproto_cmd c;
    assert_int_equal(kvproto_in_peek(&in, &l, &len), 1);
    kvproto_parse(l, len, &c);
    assert_int_equal(c.op, KVPROTO_PUT);
    assert_int_equal(c.vlen, KVLOG_VALUE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_command),
        cmocka_unit_test(rejects_malformed),
        cmocka_unit_test(key_and_value_limits),
        cmocka_unit_test(framing_splits_and_pipelines),
        cmocka_unit_test(overlong_line_answered_once_and_skipped),
        cmocka_unit_test(longest_valid_line_fits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
