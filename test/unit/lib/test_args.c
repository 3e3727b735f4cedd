// SPDX-License-Identifier: MIT
/*
 * test_args.c - kernel/args.c: how `extra=` in the xl config becomes
 * argc/argv, the environment and kernel options.
 *
 * The command line is written by the toolstack (and so by whoever wrote
 * the xl config): besides the documented rules, these tests feed it
 * unterminated quotes, more words than fit, overlong input, and bytes
 * past the stated length, and check that nothing is read or written out
 * of bounds (ASan) and that truncation is reported.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/args.h"

static struct args a;

static int parse(const char *s)
{
    memset(&a, 0x5a, sizeof(a));
    return args_parse(&a, "app", s, strlen(s));
}

static void empty_line_gives_argv0_only(void **state)
{
    (void)state;
    assert_int_equal(parse(""), 0);
    assert_int_equal(a.argc, 1);
    assert_string_equal(a.argv[0], "app");
    assert_null(a.argv[1]);
    assert_null(a.envp[0]);
    assert_null(a.kopts[0]);
}

static void words_split_on_blanks(void **state)
{
    (void)state;
    assert_int_equal(parse("  a \t b   exit=3  "), 0);
    assert_int_equal(a.argc, 4);
    assert_string_equal(a.argv[1], "a");
    assert_string_equal(a.argv[2], "b");
    /* without "--", KEY=VALUE words stay arguments */
    assert_string_equal(a.argv[3], "exit=3");
    assert_null(a.argv[4]);
    assert_null(a.envp[0]);
}

static void quotes_group_words(void **state)
{
    (void)state;
    assert_int_equal(parse("say \"hello world\" x"), 0);
    assert_int_equal(a.argc, 4);
    assert_string_equal(a.argv[2], "hello world");
    assert_string_equal(a.argv[3], "x");
}

static void unterminated_quote_is_contained(void **state)
{
    (void)state;
    parse("a \"never closed");
    assert_true(a.argc >= 2);
    assert_string_equal(a.argv[1], "a");
    assert_null(a.argv[a.argc]);
}

static void kernel_options_are_not_arguments(void **state)
{
    (void)state;
    assert_int_equal(parse("xenith.boottrace a ip=10.0.0.2/24"), 0);
    assert_int_equal(a.argc, 3);
    assert_string_equal(a.argv[1], "a");
    assert_true(args_has_kopt(&a, "xenith.boottrace"));
    assert_false(args_has_kopt(&a, "xenith.boot"));
    assert_false(args_has_kopt(&a, "a"));
}

static void kernel_option_values(void **state)
{
    (void)state;
    assert_int_equal(parse("xenith.oom=crash xenith.oomx=log xenith.flag "
                           "xenith.shutdown_grace= xenith.oom=log a"),
                     0);
    /* the last occurrence wins; prefixes and flags are not values */
    assert_string_equal(args_kopt_value(&a, "xenith.oom"), "log");
    assert_string_equal(args_kopt_value(&a, "xenith.oomx"), "log");
    assert_null(args_kopt_value(&a, "xenith.oo"));
    assert_null(args_kopt_value(&a, "xenith.flag"));
    assert_string_equal(args_kopt_value(&a, "xenith.shutdown_grace"), "");
    assert_null(args_kopt_value(&a, "xenith.absent"));
    assert_int_equal(a.argc, 2);
}

static void environment_before_double_dash(void **state)
{
    (void)state;
    assert_int_equal(parse("HOME=/ LANG=C -- x Y=1"), 0);
    assert_string_equal(a.envp[0], "HOME=/");
    assert_string_equal(a.envp[1], "LANG=C");
    assert_null(a.envp[2]);
    assert_int_equal(a.argc, 3);
    assert_string_equal(a.argv[1], "x");
    assert_string_equal(a.argv[2], "Y=1"); /* after "--": an argument */
}

static void too_many_words_are_reported(void **state)
{
    char line[1024];
    size_t n = 0;

    (void)state;
    for (int i = 0; i < ARGS_MAX_ARGV + 20 && n + 3 < sizeof(line); i++) {
        line[n++] = 'w';
        line[n++] = ' ';
    }
    line[n] = '\0';
    assert_int_equal(parse(line), -E2BIG);
    assert_true(a.truncated > 0);
    assert_true(a.argc <= ARGS_MAX_ARGV);
    assert_null(a.argv[a.argc]);
}

static void length_bounds_the_read(void **state)
{
    /* bytes after len must never be looked at: put them on the heap so
     * ASan reports any read past the stated length */
    char *p = malloc(3);

    (void)state;
    memcpy(p, "a b", 3); /* no NUL terminator */
    assert_int_equal(args_parse(&a, "app", p, 3), 0);
    assert_int_equal(a.argc, 3);
    assert_string_equal(a.argv[2], "b");
    free(p);
}

static void overlong_line_does_not_overflow(void **state)
{
    size_t n = 4 * ARGS_BUF;
    char *p = malloc(n + 1);

    (void)state;
    memset(p, 'x', n);
    p[n] = '\0';
    args_parse(&a, "app", p, n); /* one giant word: cut, never overflow */
    assert_true(a.argc >= 1);
    assert_null(a.argv[a.argc]);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_line_gives_argv0_only),
        cmocka_unit_test(words_split_on_blanks),
        cmocka_unit_test(quotes_group_words),
        cmocka_unit_test(unterminated_quote_is_contained),
        cmocka_unit_test(kernel_options_are_not_arguments),
        cmocka_unit_test(kernel_option_values),
        cmocka_unit_test(environment_before_double_dash),
        cmocka_unit_test(too_many_words_are_reported),
        cmocka_unit_test(length_bounds_the_read),
        cmocka_unit_test(overlong_line_does_not_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
