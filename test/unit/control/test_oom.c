// SPDX-License-Identifier: MIT
/*
 * test/unit/control/test_oom.c - host tests of kernel/oom.c (the heap's
 * OOM policy: xenith.oom parsing, episodes and their rate limit, the
 * statistics line) and of kernel/mm.c's high- and low-water marks that
 * the line and data/xenith/mem report.
 * Reference: POSIX malloc() (ENOMEM).
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

#include "kernel/mm.h"
#include "kernel/oom.h"

#define SEC (1000ULL * 1000 * 1000)

static void policy_parse(void **state)
{
    enum oom_policy p = OOM_POLICY_CRASH;

    (void)state;
    assert_int_equal(oom_policy_parse(NULL, &p), 0);
    assert_int_equal(p, OOM_POLICY_LOG);
    assert_int_equal(oom_policy_parse("log", &p), 0);
    assert_int_equal(p, OOM_POLICY_LOG);
    assert_int_equal(oom_policy_parse("crash", &p), 0);
    assert_int_equal(p, OOM_POLICY_CRASH);
    const char *bad[] = {"", "Crash", "crash ", "panic", "l", "crashx"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = OOM_POLICY_CRASH;
        assert_int_equal(oom_policy_parse(bad[i], &p), -EINVAL);
        assert_int_equal(p, OOM_POLICY_LOG); /* the safe default */
    }
}

static void one_report_per_episode(void **state)
{
    struct oom_state s = {0};

    (void)state;
    /* malloc's retries inside one episode: one report */
    assert_true(oom_state_failed(&s, 100 * SEC));
    assert_false(oom_state_failed(&s, 100 * SEC + 1));
    assert_false(oom_state_failed(&s, 200 * SEC)); /* still the same one */
    assert_int_equal(s.episodes, 1);
    assert_int_equal(s.failures, 3);
    /* the heap grew: the next failure is a new episode, reported */
    oom_state_grew(&s);
    assert_true(oom_state_failed(&s, 300 * SEC));
    assert_int_equal(s.episodes, 2);
    assert_int_equal(s.skipped, 0);
}

static void flapping_episodes_are_rate_limited(void **state)
{
    struct oom_state s = {0};

    (void)state;
    assert_true(oom_state_failed(&s, 10 * SEC));
    for (int i = 1; i <= 4; i++) {
        oom_state_grew(&s);
        assert_false(oom_state_failed(&s, 10 * SEC + (uint64_t)i * SEC));
    }
    assert_int_equal(s.unreported, 4);
    oom_state_grew(&s);
    /* 5 s after the last report: reported again, naming the 4 skipped */
    assert_true(oom_state_failed(&s, 10 * SEC + OOM_REPORT_INTERVAL_NS));
    assert_int_equal(s.skipped, 4);
    assert_int_equal(s.unreported, 0);
    assert_int_equal(s.episodes, 6);
}

static void stats_line(void **state)
{
    struct mm_stats m = {.total_pages = 8000,
                         .free_pages = 12,
                         .heap_bytes = 30 << 20,
                         .heap_max_bytes = 31 << 20,
                         .heap_peak_bytes = 30 << 20,
                         .free_pages_min = 3};
    char line[160];
    int n;

    (void)state;
    n = oom_format_stats(line, sizeof(line), &m);
    assert_true(n > 0 && (size_t)n < sizeof(line));
    assert_string_equal(line, "[xenith] mem: pages total 8000 free 12 (min "
                              "3); heap 30720 KiB (peak 30720 KiB, limit "
                              "31744 KiB)\n");
    /* a short buffer truncates, never overflows (ASan) */
    n = oom_format_stats(line, 10, &m);
    assert_true(n > 10);
    assert_int_equal(strlen(line), 9);
}

/* The marks the OOM line and data/xenith/mem/ report. */
static void mm_water_marks(void **state)
{
    enum { PAGES = 64 };
    void *region = aligned_alloc(MM_PAGE_SIZE, PAGES * MM_PAGE_SIZE);
    struct mm_zone z;
    struct mm_stats st;
    void *p;

    (void)state;
    assert_non_null(region);
    assert_int_equal(mm_zone_init(&z, region, PAGES), 0);
    mm_zone_stats(&z, &st);
    assert_int_equal(st.free_pages_min, st.free_pages);
    assert_int_equal(st.heap_peak_bytes, 0);
    assert_true(mm_zone_sbrk(&z, 5 * MM_PAGE_SIZE) != (void *)-1);
    p = mm_zone_alloc(&z, 3);
    assert_non_null(p);
    mm_zone_stats(&z, &st);
    assert_int_equal(st.free_pages_min, st.free_pages);
    assert_int_equal(st.heap_peak_bytes, 5 * MM_PAGE_SIZE);
    /* shrinking and freeing leave the marks where they were */
    assert_true(mm_zone_sbrk(&z, -4 * (intptr_t)MM_PAGE_SIZE) != (void *)-1);
    assert_int_equal(mm_zone_free(&z, p, 3), 0);
    mm_zone_stats(&z, &st);
    assert_int_equal(st.heap_bytes, MM_PAGE_SIZE);
    assert_int_equal(st.heap_peak_bytes, 5 * MM_PAGE_SIZE);
    assert_int_equal(st.free_pages_min, st.free_pages - 4 - 8);
    /* a failed growth changes neither */
    assert_true(mm_zone_sbrk(&z, 1000 * MM_PAGE_SIZE) == (void *)-1);
    mm_zone_stats(&z, &st);
    assert_int_equal(st.heap_peak_bytes, 5 * MM_PAGE_SIZE);
    free(region);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_parse),
        cmocka_unit_test(one_report_per_episode),
        cmocka_unit_test(flapping_episodes_are_rate_limited),
        cmocka_unit_test(stats_line),
        cmocka_unit_test(mm_water_marks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
