// SPDX-License-Identifier: MIT
/*
 * test/unit/test_pvclock.c - host tests of xen/time.c: the pvclock
 * formula (signed shift, 96-bit products, TSC wraparound) checked against
 * a 128-bit reference, the seqlock retry on an odd or changing version,
 * wallclock assembly with wc_sec_hi, and the VIRQ_TIMER / set_timer_op
 * plumbing against the fake hypervisor.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_hypercall.h"
#include "fake_shared_info.h"
#include "xen/evtchn.h"
#include "xen/time.h"

static struct vcpu_time_info ti(uint64_t ts, uint64_t sys, uint32_t mul,
                                int8_t shift)
{
    struct vcpu_time_info t;

    memset(&t, 0, sizeof(t));
    t.tsc_timestamp = ts;
    t.system_time = sys;
    t.tsc_to_system_mul = mul;
    t.tsc_shift = shift;
    return t;
}

/* Independent reference with the host's 128-bit arithmetic. */
static uint64_t reference(const struct vcpu_time_info *t, uint64_t tsc)
{
    uint64_t d = tsc - t->tsc_timestamp;

    d = t->tsc_shift < 0 ? d >> -t->tsc_shift : d << t->tsc_shift;
    return t->system_time +
           (uint64_t)(((unsigned __int128)d * t->tsc_to_system_mul) >> 32);
}

static void formula_basic(void **state)
{
    struct vcpu_time_info t = ti(1000, 5000000000ull, 1u << 31, 0);

    (void)state;
    assert_int_equal(pvclock_ns(&t, 3000), 5000000000ull + 1000);
    assert_int_equal(pvclock_ns(&t, 1000), 5000000000ull);
}

static void positive_and_negative_shift(void **state)
{
    struct vcpu_time_info t = ti(0, 0, 1u << 31, 1);

    (void)state;
    assert_int_equal(pvclock_ns(&t, 2000), 2000);
    t.tsc_shift = -2; /* signed: shift RIGHT by 2 */
    assert_int_equal(pvclock_ns(&t, 4000), 500);
    t.tsc_to_system_mul = 0xffffffffu;
    assert_int_equal(pvclock_ns(&t, 4000), 999); /* floor(1000*(1-2^-32)) */
}

static void large_delta_does_not_overflow(void **state)
{
    /* delta << 2 = 2^42 ticks times 0.75: the product needs 74 bits. */
    struct vcpu_time_info t = ti(0, 7, 3u << 30, 2);

    (void)state;
    assert_int_equal(pvclock_ns(&t, 1ull << 40), 7 + (3ull << 40));
    t = ti(0, 0, 0xffffffffu, 0);
    assert_int_equal(pvclock_ns(&t, UINT64_MAX), reference(&t, UINT64_MAX));
}

static void tsc_wraparound(void **state)
{
    struct vcpu_time_info t = ti(UINT64_MAX - 99, 1000, 1u << 31, 0);

    (void)state;
    /* The counter wrapped: delta is 200 ticks, not ~2^64. */
    assert_int_equal(pvclock_ns(&t, 100), 1000 + 100);
}

static void realistic_3ghz(void **state)
{
    /* mul = (10^9 << 32) / 3e9 as Xen computes it for a 3 GHz TSC. */
    struct vcpu_time_info t = ti(123, 0, 1431655765u, 0);
    uint64_t ns = pvclock_ns(&t, 123 + 3000000000ull);

    (void)state;
    assert_true(ns >= 999999999ull && ns <= 1000000000ull);
}

static void matches_reference_on_random_inputs(void **state)
{
    unsigned int i;

    (void)state;
    srand(42);
    for (i = 0; i < 100000; i++) {
        uint64_t r1 = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 11) ^
                      (uint64_t)rand();
        uint64_t r2 = ((uint64_t)rand() << 35) ^ (uint64_t)rand();
        struct vcpu_time_info t = ti(r1, r2 >> 8, (uint32_t)rand() * 2u + 1u,
                                     (int8_t)(rand() % 9 - 5));

        assert_int_equal(pvclock_ns(&t, r2), reference(&t, r2));
    }
}

/* ---- seqlock ---- */

static struct vcpu_time_info live;
static unsigned int tsc_calls;

/* Xen finishes an update (odd -> even) while we are in the section. */
static uint64_t tsc_completes_update(void)
{
    /*
     * The first read sees a stable odd version (Xen is still writing), so
     * only the odd test can reject it; the update completes later.
     */
    if (tsc_calls++ == 1) {
        live.system_time = 1000;
        live.tsc_to_system_mul = 1u << 31;
        live.tsc_shift = 0;
        live.version = 2;
    }
    return live.tsc_timestamp + 200;
}

static void odd_version_is_retried(void **state)
{
    (void)state;
    live = ti(0, 0xdead0000, 0xffffffffu, 3); /* garbage, mid-update */
    live.version = 1;
    tsc_calls = 0;
    assert_int_equal(pvclock_read_ns(&live, tsc_completes_update), 1100);
    assert_true(tsc_calls >= 3);
}

/* Xen starts and finishes a whole update during our read. */
static uint64_t tsc_races_update(void)
{
    if (tsc_calls++ == 0) {
        live.system_time = 5000;
        live.version += 2;
    }
    return live.tsc_timestamp;
}

static void changed_version_is_retried(void **state)
{
    (void)state;
    live = ti(10, 1, 1u << 31, 0);
    live.version = 4;
    tsc_calls = 0;
    assert_int_equal(pvclock_read_ns(&live, tsc_races_update), 5000);
    assert_int_equal(tsc_calls, 2);
}

/* ---- wallclock ---- */

static void wallclock_uses_sec_hi(void **state)
{
    shared_info_t *s = fake_shared_info_alloc();
    uint64_t sec;
    uint32_t nsec;

    (void)state;
    s->wc_version = 6;
    s->wc_sec = 0x50000000u;
    s->wc_sec_hi = 1;
    s->wc_nsec = 999999999u;
    pvclock_wallclock_base(s, &sec, &nsec);
    assert_int_equal(sec, 0x150000000ull);
    assert_int_equal(nsec, 999999999u);
    pvclock_wall_add(sec, nsec, 1, &sec, &nsec);
    assert_int_equal(sec, 0x150000001ull);
    assert_int_equal(nsec, 0);
    pvclock_wall_add(10, 600000000u, 2900000000ull, &sec, &nsec);
    assert_int_equal(sec, 13);
    assert_int_equal(nsec, 500000000u);
    fake_shared_info_free(s);
}

/* ---- the running vCPU ---- */

static void time_init_binds_timer_virq_and_reads_clock(void **state)
{
    shared_info_t *s = fake_shared_info_alloc();
    struct vcpu_info *v = &s->vcpu_info[0];
    evtchn_port_t port;
    uint64_t sec;
    uint32_t nsec;

    (void)state;
    fake_hypercall_reset();
    fake_hc.next_port = 70; /* second selector word */
    assert_int_equal(evtchn_init(s, v), 0);
    assert_int_equal(time_init(s, v), 0);
    assert_int_equal(fake_hc.last_virq, VIRQ_TIMER);
    port = time_timer_port();
    assert_int_equal(port, 70);
    assert_int_equal(s->evtchn_mask[1] & (1ul << 6), 0); /* unmasked */

    fake_xen_set_time(s, 12345);
    assert_int_equal(time_monotonic_ns(), 12345);
    fake_xen_set_time(s, 12000); /* Xen's estimate stepped back */
    assert_int_equal(time_monotonic_ns(), 12345);
    fake_xen_set_time(s, 2000000000ull);
    s->wc_sec = 100;
    s->wc_nsec = 0;
    time_wall(&sec, &nsec);
    assert_int_equal(sec, 102);

    assert_int_equal(time_set_timer(777), 0);
    assert_int_equal(fake_hc.timer_deadline, 777);
    assert_int_equal(fake_hc.timer_calls, 1);
    fake_shared_info_free(s);
}

/* After a restore the raw clock is another host's (here: far behind);
 * kernel time goes on from where it stopped, timers are converted. */
static void resume_continues_kernel_time(void **state)
{
    shared_info_t *s = fake_shared_info_alloc();
    struct vcpu_info *v = &s->vcpu_info[0];
    uint64_t sec;
    uint32_t nsec;

    (void)state;
    fake_hypercall_reset();
    fake_hc.next_port = 5;
    fake_xen_set_time(s, 3000000000ull);
    assert_int_equal(evtchn_init(s, v), 0);
    assert_int_equal(time_init(s, v), 0);
    fake_xen_set_time(s, 9000000000ull);
    assert_int_equal(time_monotonic_ns(), 9000000000ull);
    time_suspend();
    /* Saved for an hour, restored on a host that booted 2 s ago. */
    fake_xen_set_time(s, 2000000000ull);
    evtchn_resume();
    fake_hc.next_port = 9;
    assert_int_equal(time_resume(false), 0);
    assert_int_equal(time_timer_port(), 9); /* the VIRQ bound again */
    assert_int_equal(time_monotonic_ns(), 9000000000ull); /* no step */
    assert_int_equal(time_uptime_ns(), 6000000000ull);
    fake_xen_set_time(s, 2500000000ull);
    assert_int_equal(time_monotonic_ns(), 9500000000ull); /* runs on */
    /* A kernel deadline 1 s ahead is 1 s ahead on the raw clock. */
    assert_int_equal(time_set_timer(10500000000ull), 0);
    assert_int_equal(fake_hc.timer_deadline, 3500000000ull);
    /* The wall clock is Xen's base plus raw system time. */
    s->wc_sec = 100;
    s->wc_nsec = 0;
    time_wall(&sec, &nsec);
    assert_int_equal(sec, 102);
    /* A cancelled suspend: same clock, nothing rebound. */
    time_suspend();
    fake_xen_set_time(s, 4500000000ull); /* paused 2 s meanwhile */
    fake_hc.next_port = 99;
    assert_int_equal(time_resume(true), 0);
    assert_int_equal(time_timer_port(), 9);
    assert_int_equal(time_monotonic_ns(), 9500000000ull);
    fake_shared_info_free(s);
}

static void time_init_propagates_bind_failure(void **state)
{
    shared_info_t *s = fake_shared_info_alloc();

    (void)state;
    fake_hypercall_reset();
    fake_hc.evtchn_rc = -ENOSPC;
    assert_int_equal(evtchn_init(s, &s->vcpu_info[0]), 0);
    assert_int_equal(time_init(s, &s->vcpu_info[0]), -ENOSPC);
    assert_int_equal(time_init(NULL, NULL), -EINVAL);
    fake_shared_info_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formula_basic),
        cmocka_unit_test(positive_and_negative_shift),
        cmocka_unit_test(large_delta_does_not_overflow),
        cmocka_unit_test(tsc_wraparound),
        cmocka_unit_test(realistic_3ghz),
        cmocka_unit_test(matches_reference_on_random_inputs),
        cmocka_unit_test(odd_version_is_retried),
        cmocka_unit_test(changed_version_is_retried),
        cmocka_unit_test(wallclock_uses_sec_hi),
        cmocka_unit_test(time_init_binds_timer_virq_and_reads_clock),
        cmocka_unit_test(time_init_propagates_bind_failure),
        cmocka_unit_test(resume_continues_kernel_time),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
