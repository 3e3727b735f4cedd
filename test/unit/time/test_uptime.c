// SPDX-License-Identifier: MIT
/*
 * test/unit/time/test_uptime.c - host tests of the two time scales.
 *
 * Xen's pvclock counts from the host's boot; a domain created 40 minutes
 * later must still see an uptime near 0 at boot (xn_time_monotonic_ns,
 * and through it CLOCK_MONOTONIC), while the kernel keeps Xen's scale
 * for its timers (set_timer_op takes absolute system time) and the
 * wallclock stays base + system time. The test plays Xen with a frozen
 * pvclock (fake_xen_set_time) and checks both scales, including a Xen
 * update that steps back below the boot sample.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fake_hypercall.h"
#include "fake_shared_info.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/time.h"
#include "xenith.h"

#define SEC    1000000000ull
#define MIN_40 (40ull * 60 * SEC)

/* kernel/sched_api.c's other calls: never reached by the time API. */
struct sched_thread *sched_thread_create(const char *name, void (*fn)(void *),
                                         void *arg, size_t stack_size)
{
    (void)name, (void)fn, (void)arg, (void)stack_size;
    fail_msg("time API created a thread");
    return NULL;
}

int sched_thread_join(struct sched_thread *t)
{
    (void)t;
    fail_msg("time API joined a thread");
    return -1;
}

/* Also the C library's name: LeakSanitizer calls it at exit (the real
 * scheduler's version linked here made this test hang there). */
int sched_yield(void)
{
    return 0;
}

struct sched_thread *sched_self(void)
{
    return NULL;
}

void sched_sleep_ns(uint64_t ns)
{
    (void)ns;
    fail_msg("time API slept");
}

void mm_stats(struct mm_stats *st)
{
    (void)st;
    fail_msg("time API read memory statistics");
}

static void zero_before_time_init(void **state)
{
    (void)state;
    /* A fresh process: time_init() has not run. */
    assert_int_equal(time_uptime_ns(), 0);
    assert_int_equal(xn_time_monotonic_ns(), 0);
}

static void uptime_counts_from_time_init_not_from_host_boot(void **state)
{
    shared_info_t *s = fake_shared_info_alloc();
    struct vcpu_info *v = &s->vcpu_info[0];
    int64_t sec;
    uint32_t nsec;

    (void)state;
    fake_hypercall_reset();
    assert_int_equal(evtchn_init(s, v), 0);
    fake_xen_set_time(s, MIN_40); /* the host has been up 40 minutes */
    assert_int_equal(time_init(s, v), 0);
    assert_int_equal(time_boot_ns(), MIN_40);
    assert_int_equal(time_uptime_ns(), 0);
    assert_int_equal(xn_time_monotonic_ns(), 0);

    fake_xen_set_time(s, MIN_40 + 1500000000ull);
    assert_int_equal(time_uptime_ns(), 1500000000ull);
    assert_int_equal(xn_time_monotonic_ns(), 1500000000ull);
    /* The kernel's scale is unchanged: absolute Xen system time. */
    assert_int_equal(time_monotonic_ns(), MIN_40 + 1500000000ull);

    /* Wallclock = Xen's base + system time, not + uptime. */
    s->wc_sec = 1700000000u;
    s->wc_nsec = 0;
    xn_time_wall(&sec, &nsec);
    assert_int_equal(sec, 1700000000ll + 40 * 60 + 1);
    assert_int_equal(nsec, 500000000u);
    fake_shared_info_free(s);
}

static void uptime_never_goes_backwards_nor_wraps(void **state)
{
    shared_info_t *s = fake_shared_info_alloc();
    struct vcpu_info *v = &s->vcpu_info[0];

    (void)state;
    fake_hypercall_reset();
    assert_int_equal(evtchn_init(s, v), 0);
    fake_xen_set_time(s, 5 * SEC);
    assert_int_equal(time_init(s, v), 0);
    fake_xen_set_time(s, 5 * SEC + 1000);
    assert_int_equal(time_uptime_ns(), 1000);
    /* A Xen update that lands below the previous reading, even below
     * the boot sample: uptime holds, it does not wrap around to 2^64. */
    fake_xen_set_time(s, 5 * SEC - 700);
    assert_int_equal(time_uptime_ns(), 1000);
    assert_int_equal(xn_time_monotonic_ns(), 1000);
    fake_xen_set_time(s, 7 * SEC);
    assert_int_equal(time_uptime_ns(), 2 * SEC);
    fake_shared_info_free(s);
}

static void time_init_again_restarts_the_epoch(void **state)
{
    shared_info_t *s = fake_shared_info_alloc();
    struct vcpu_info *v = &s->vcpu_info[0];

    (void)state;
    fake_hypercall_reset();
    assert_int_equal(evtchn_init(s, v), 0);
    fake_xen_set_time(s, 9 * SEC);
    assert_int_equal(time_init(s, v), 0);
    fake_xen_set_time(s, 10 * SEC);
    assert_int_equal(time_uptime_ns(), SEC);
    assert_int_equal(time_init(s, v), 0); /* as at a resume */
    assert_int_equal(time_uptime_ns(), 0);
    assert_int_equal(time_boot_ns(), 10 * SEC);
    fake_shared_info_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First: it needs the state of a process that never ran
         * time_init(). */
        cmocka_unit_test(zero_before_time_init),
        cmocka_unit_test(uptime_counts_from_time_init_not_from_host_boot),
        cmocka_unit_test(uptime_never_goes_backwards_nor_wraps),
        cmocka_unit_test(time_init_again_restarts_the_epoch),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
