// SPDX-License-Identifier: MIT
/*
 * test/unit/kfmt/test_kfmt.c - host tests of kernel/kfmt.c, the kernel's
 * printf-style formatter, and kernel/kfmt_console.c.
 *
 * The reference is the host C library: every combination of flags,
 * width, precision, length and conversion the formatter claims to
 * support is formatted by both and must match byte for byte, with the
 * same return value; then the edges the C library leaves to the
 * implementation (NULL strings, unsupported conversions, a trailing
 * '%'), truncation at every buffer size, and the console sink, whose
 * console_write() this test plays, for messages longer than its buffer.
 */
#include <inttypes.h>
#include <limits.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "kernel/kfmt.h"

/* Format with both and compare text and return value. */
#define SAME(fmt, ...)                                                         \
    do {                                                                       \
        char want_[512], got_[512];                                            \
        int wn_ = snprintf(want_, sizeof(want_), fmt, __VA_ARGS__);            \
        int gn_ = kfmt_snprintf(got_, sizeof(got_), fmt, __VA_ARGS__);         \
        if (strcmp(want_, got_) != 0 || wn_ != gn_)                            \
            fail_msg("format \"%s\": want \"%s\" (%d), got \"%s\" (%d)",       \
                     (const char *)(fmt), want_, wn_, got_, gn_);              \
    } while (0)

static const char *const int_flags[] = {"",   "-",  "0",  "+",  " ",
                                        "+0", "-+", " 0", "- ", "0-"};
static const char *const hex_flags[] = {"", "-", "0", "#", "#0", "-#"};
static const char *const widths[] = {"", "1", "5", "12", "25"};
static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".12"};

static const long long svals[] = {0,         1,         -1,        7,
                                  -42,       123456789, INT_MIN,   INT_MAX,
                                  LLONG_MIN, LLONG_MAX, -100000LL, 65535};
static const unsigned long long uvals[] = {
    0, 1, 7, 8, 15, 16, 255, 0xdeadbeef, UINT_MAX, ULLONG_MAX, 01234567};

static void signed_conversions_match_libc(void **state)
{
    (void)state;
    for (size_t f = 0; f < sizeof(int_flags) / sizeof(*int_flags); f++)
        for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++)
            for (size_t p = 0; p < sizeof(precs) / sizeof(*precs); p++)
                for (size_t v = 0; v < sizeof(svals) / sizeof(*svals); v++) {
                    char fmt[32];
                    long long x = svals[v];

                    snprintf(fmt, sizeof(fmt), "[%%%s%s%sd]", int_flags[f],
                             widths[w], precs[p]);
                    SAME(fmt, (int)x);
                    snprintf(fmt, sizeof(fmt), "[%%%s%s%slld]", int_flags[f],
                             widths[w], precs[p]);
                    SAME(fmt, x);
                    snprintf(fmt, sizeof(fmt), "<%%%s%s%shhi>", int_flags[f],
                             widths[w], precs[p]);
                    SAME(fmt, (int)x);
                    snprintf(fmt, sizeof(fmt), "<%%%s%s%shi>", int_flags[f],
                             widths[w], precs[p]);
                    SAME(fmt, (int)x);
                    snprintf(fmt, sizeof(fmt), "<%%%s%s%sld>", int_flags[f],
                             widths[w], precs[p]);
                    SAME(fmt, (long)x);
                }
}

static void unsigned_conversions_match_libc(void **state)
{
    static const char convs[] = "uxXo";

    (void)state;
    for (size_t c = 0; convs[c]; c++)
        for (size_t f = 0; f < sizeof(hex_flags) / sizeof(*hex_flags); f++)
            for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++)
                for (size_t p = 0; p < sizeof(precs) / sizeof(*precs); p++)
                    for (size_t v = 0; v < sizeof(uvals) / sizeof(*uvals);
                         v++) {
                        unsigned long long x = uvals[v];
                        char fmt[32];

                        /* '#' is undefined for %u in C. */
                        if (convs[c] == 'u' && strchr(hex_flags[f], '#'))
                            continue;
                        snprintf(fmt, sizeof(fmt), "%%%s%s%s%c", hex_flags[f],
                                 widths[w], precs[p], convs[c]);
                        SAME(fmt, (unsigned int)x);
                        snprintf(fmt, sizeof(fmt), "%%%s%s%sll%c", hex_flags[f],
                                 widths[w], precs[p], convs[c]);
                        SAME(fmt, x);
                        snprintf(fmt, sizeof(fmt), "%%%s%s%shh%c", hex_flags[f],
                                 widths[w], precs[p], convs[c]);
                        SAME(fmt, (unsigned int)x);
                        snprintf(fmt, sizeof(fmt), "%%%s%s%sh%c", hex_flags[f],
                                 widths[w], precs[p], convs[c]);
                        SAME(fmt, (unsigned int)x);
                    }
}

static void size_and_pointer_lengths_match_libc(void **state)
{
    int local;

    (void)state;
    SAME("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)4096, (ssize_t)-5);
    SAME("%jd %ju", (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX);
    SAME("%td %tx", (ptrdiff_t)-77, (ptrdiff_t)0x1234);
    SAME("%p", (void *)&local);
    SAME("%20p|%-20p|", (void *)&local, (void *)0x1000);
    SAME("%" PRIu64 " %" PRIx64 " %" PRId32, (uint64_t)UINT64_MAX,
         (uint64_t)0xabcdef0123ULL, (int32_t)-3);
}

static void strings_and_chars_match_libc(void **state)
{
    (void)state;
    SAME("%s|%10s|%-10s|%.2s|%10.3s|%-8.1s|", "abc", "abc", "abc", "abc",
         "abcdef", "xyz");
    SAME("%s", "");
    SAME("%.0s|%5.0s|", "abc", "abc");
    SAME("%.*s|%*s|%-*s|", 3, "truncate", 6, "ab", 6, "cd");
    SAME("%*s|", -6, "neg"); /* a negative width left-justifies */
    SAME("%.*d|", -3, 7);    /* a negative precision is omitted */
    SAME("%*.*d|", 8, 4, -12);
    SAME("%c%c%c|%3c|%-3c|", 'a', 'b', 'c', 'x', 'y');
    SAME("100%% %d%%", 5);
    SAME("[xenith]   %-12s %8llu\n", "devices", 10155ULL);
    SAME("  thread: %.*s\n", 4, "mainthread");
}

/* Formats the compiler would reject, passed as data. */
static int unchecked(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kfmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void edges_the_c_library_leaves_open(void **state)
{
    const char *volatile null_str = NULL;
    char buf[64];

    (void)state;
    assert_int_equal(kfmt_snprintf(buf, sizeof(buf), "%s", null_str), 6);
    assert_string_equal(buf, "(null)");
    assert_int_equal(kfmt_snprintf(buf, sizeof(buf), "%p", (void *)0), 3);
    assert_string_equal(buf, "0x0");
    /* Unsupported conversions are shown as written and consume nothing:
     * the 7 that follows still lands in %d. */
    assert_int_equal(unchecked(buf, sizeof(buf), "a%5.2fb%d", 7), 8);
    assert_string_equal(buf, "a%5.2fb7");
    assert_int_equal(unchecked(buf, sizeof(buf), "%n|%d", 3), 4);
    assert_string_equal(buf, "%n|3");
    /* A '%' (with or without flags) ending the format is printed. */
    assert_int_equal(unchecked(buf, sizeof(buf), "50%"), 3);
    assert_string_equal(buf, "50%");
    assert_int_equal(unchecked(buf, sizeof(buf), "x%-4"), 4);
    assert_string_equal(buf, "x%-4");
    assert_int_equal(kfmt_snprintf(buf, sizeof(buf), "%s", ""), 0);
    assert_string_equal(buf, "");
}

static void truncation_at_every_size(void **state)
{
    const char *want = "port 42 is -7, name \"vif0\"";
    int len = (int)strlen(want);

    (void)state;
    /* Size 0: nothing is written, not even the NUL (buf may be NULL). */
    assert_int_equal(
        kfmt_snprintf(NULL, 0, "port %u is %d, name \"%s\"", 42u, -7, "vif0"),
        len);
    for (int size = 1; size <= len + 3; size++) {
        char buf[64];

        memset(buf, '#', sizeof(buf));
        assert_int_equal(kfmt_snprintf(buf, (size_t)size,
                                       "port %u is %d, name \"%s\"", 42u, -7,
                                       "vif0"),
                         len);
        int kept = size - 1 < len ? size - 1 : len;
        assert_memory_equal(buf, want, (size_t)kept);
        assert_int_equal(buf[kept], '\0');
        assert_int_equal(buf[kept + 1], '#'); /* nothing past the NUL */
    }
}

/* ---- the console sink, console_write() played here ---- */

static char console[4096];
static size_t console_len;
static unsigned int console_calls;

long console_write(const char *buf, size_t len);
long console_write(const char *buf, size_t len)
{
    assert_true(console_len + len <= sizeof(console));
    memcpy(console + console_len, buf, len);
    console_len += len;
    console_calls++;
    return (long)len;
}

static int console_reset(void **state)
{
    (void)state;
    console_len = 0;
    console_calls = 0;
    return 0;
}

static void printf_short_line_is_one_console_write(void **state)
{
    static const char want[] = "[xenith] net device probe failed (-19)\n";

    (void)state;
    assert_int_equal(
        kfmt_printf("[xenith] %s device probe failed (%d)\n", "net", -19),
        sizeof(want) - 1);
    assert_int_equal(console_calls, 1);
    assert_int_equal(console_len, sizeof(want) - 1);
    assert_memory_equal(console, want, sizeof(want) - 1);
}

static void printf_longer_than_its_buffer_arrives_whole(void **state)
{
    char want[1500];
    char big[1000];
    int n;

    (void)state;
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = (char)('a' + i % 26);
    big[sizeof(big) - 1] = '\0';
    n = snprintf(want, sizeof(want), "<%s|%300d>", big, 5);
    assert_int_equal(kfmt_printf("<%s|%300d>", big, 5), n);
    assert_int_equal(console_len, (size_t)n);
    assert_memory_equal(console, want, (size_t)n);
    assert_true(console_calls > 1);
    /* Nothing at all for an empty result. */
    console_reset(NULL);
    assert_int_equal(kfmt_printf("%s", ""), 0);
    assert_int_equal(console_calls, 0);
}

static void parse_ulong_is_strict(void **state)
{
    unsigned long v = 7;

    (void)state;
    assert_int_equal(kfmt_parse_ulong("0", 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(kfmt_parse_ulong("5000", 5000, &v), 0);
    assert_int_equal(v, 5000);
    assert_int_equal(kfmt_parse_ulong("5001", 5000, &v), -EINVAL);
    assert_int_equal(kfmt_parse_ulong("", 10, &v), -EINVAL);
    assert_int_equal(kfmt_parse_ulong(NULL, 10, &v), -EINVAL);
    assert_int_equal(kfmt_parse_ulong("-1", 10, &v), -EINVAL);
    assert_int_equal(kfmt_parse_ulong("1 ", 10, &v), -EINVAL);
    assert_int_equal(kfmt_parse_ulong("99999999999999999999999", ~0UL, &v),
                     -EINVAL);
    assert_int_equal(kfmt_parse_ulong("18446744073709551615", ~0UL, &v), 0);
    assert_int_equal(v, ~0UL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_ulong_is_strict),
        cmocka_unit_test(signed_conversions_match_libc),
        cmocka_unit_test(unsigned_conversions_match_libc),
        cmocka_unit_test(size_and_pointer_lengths_match_libc),
        cmocka_unit_test(strings_and_chars_match_libc),
        cmocka_unit_test(edges_the_c_library_leaves_open),
        cmocka_unit_test(truncation_at_every_size),
        cmocka_unit_test_setup(printf_short_line_is_one_console_write,
                               console_reset),
        cmocka_unit_test_setup(printf_longer_than_its_buffer_arrives_whole,
                               console_reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
