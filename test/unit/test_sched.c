// SPDX-License-Identifier: MIT
/*
 * test/unit/test_sched.c - the real scheduler (kernel/sched.c) and the
 * real context switch (arch/x86_64/switch.S) run on the host: threads on
 * stacks from kernel/mm, time from a fake pvclock that only moves when
 * the idle thread "blocks in Xen" (the fake SCHEDOP_block jumps to the
 * programmed timer and raises VIRQ_TIMER, or raises an event the test
 * scheduled). Covers FIFO order, join and resource release, sleep order
 * and the timer programmed into Xen, wait timeouts and event wake-ups,
 * mutex hand-off and timed locking, condition variables, per-thread FPU
 * state (fxsave), the FS base switch, 16-byte stack alignment at thread
 * entry, CPU-time accounting and the 10 ms preemption point.
 */
#include <errno.h>
#include <fenv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_arch.h"
#include "fake_hypercall.h"
#include "fake_sched_libc.h"
#include "fake_shared_info.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/time.h"

#define REGION_PAGES 1024

/*
 * LeakSanitizer stops the world and walks every thread's stack at exit;
 * our threads' stacks live inside a heap block and the idle thread never
 * returns, which made it hang. Leaks are not what this test checks
 * (join's release of memory is asserted through mm_stats instead).
 * ASan also warns once that it cannot see the switched stack's bounds
 * (google/sanitizers#189); that warning is expected.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}

static shared_info_t *s;
static void *region;
static uint64_t now_ns;
static evtchn_port_t event_port; /* raised by the fake block when armed */
static bool raise_event_on_block;

static void set_now(uint64_t ns)
{
    now_ns = ns;
    fake_xen_set_time(s, ns);
}

/* Xen while the guest is blocked: deliver the next thing that happens. */
static void on_block(void *arg)
{
    (void)arg;
    assert_int_equal(s->vcpu_info[0].evtchn_upcall_mask, 1);
    if (raise_event_on_block) {
        raise_event_on_block = false;
        fake_xen_raise(s, event_port);
    } else {
        /* Blocking with no timer in the future would hang forever. */
        assert_true(fake_hc.timer_deadline > now_ns);
        set_now(fake_hc.timer_deadline);
        fake_xen_raise(s, time_timer_port());
    }
    /* SCHEDOP_block re-enables event delivery. */
    s->vcpu_info[0].evtchn_upcall_mask = 0;
}

static int setup(void **state)
{
    (void)state;
    s = fake_shared_info_alloc();
    fake_hypercall_reset();
    fake_hc.on_block = on_block;
    raise_event_on_block = false;
    assert_int_equal(evtchn_init(s, &s->vcpu_info[0]), 0);
    set_now(1000);
    assert_int_equal(time_init(s, &s->vcpu_info[0]), 0);
    assert_int_equal(posix_memalign(&region, MM_PAGE_SIZE,
                                    REGION_PAGES * MM_PAGE_SIZE), 0);
    assert_int_equal(mm_init(region, REGION_PAGES), 0);
    fake_arch_guarded = 0;
    fake_libc_live = 0;
    assert_int_equal(sched_init(), 0);
    evtchn_irq_enable();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(region);
    fake_shared_info_free(s);
    return 0;
}

/* ---- order and join ---- */

static char trace[64];
static unsigned int ntrace;

static void note(char c)
{
    if (ntrace < sizeof(trace) - 1)
        trace[ntrace++] = c;
}

static void yielder(void *arg)
{
    char c = (char)(intptr_t)arg;

    note(c);
    sched_yield();
    note(c);
}

static void threads_run_fifo_and_join_frees(void **state)
{
    struct sched_thread *a, *b;
    struct mm_stats before, after;

    (void)state;
    ntrace = 0;
    mm_stats(&before);
    a = sched_thread_create("a", yielder, (void *)'a', 0);
    b = sched_thread_create("b", yielder, (void *)'b', 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a->name, "a");
    assert_int_equal(fake_arch_guarded, 3); /* idle + a + b */
    assert_int_equal(sched_thread_join(a), 0);
    assert_int_equal(sched_thread_join(b), 0);
    assert_memory_equal(trace, "abab", 4);
    assert_int_equal(ntrace, 4);
    mm_stats(&after);
    assert_int_equal(after.free_pages, before.free_pages);
    assert_int_equal(fake_arch_guarded, 1); /* only idle's remains */
    assert_int_equal(fake_libc_live, 2);    /* boot + idle */
}

static void join_errors(void **state)
{
    struct sched_thread *a = sched_thread_create("a", yielder, (void *)'x', 0);

    (void)state;
    assert_int_equal(sched_thread_join(sched_self()), -EINVAL);
    assert_int_equal(sched_thread_join(NULL), -EINVAL);
    assert_int_equal(sched_thread_join(a), 0);
    assert_null(sched_thread_create("n", NULL, NULL, 0));
    assert_null(sched_thread_create("big", yielder, NULL, SIZE_MAX / 2));
}

/* ---- sleep ---- */

static uint64_t woke_at[3];

static void sleeper(void *arg)
{
    unsigned int i = (unsigned int)(intptr_t)arg;
    static const uint64_t dur[3] = { 300, 100, 200 };

    sched_sleep_ns(dur[i]);
    woke_at[i] = time_monotonic_ns();
    note((char)('0' + i));
}

static void sleepers_wake_in_deadline_order(void **state)
{
    struct sched_thread *t[3];
    unsigned int i;

    (void)state;
    ntrace = 0;
    for (i = 0; i < 3; i++)
        t[i] = sched_thread_create("z", sleeper, (void *)(intptr_t)i, 0);
    for (i = 0; i < 3; i++)
        assert_int_equal(sched_thread_join(t[i]), 0);
    assert_memory_equal(trace, "120", 3);
    /* All started at t=1000; each woke at (not before) its deadline. */
    assert_int_equal(woke_at[0], 1300);
    assert_int_equal(woke_at[1], 1100);
    assert_int_equal(woke_at[2], 1200);
    assert_int_equal(fake_hc.timer_deadline, 1300);
    assert_true(fake_hc.block_calls >= 3);
}

/* ---- wait queues and events ---- */

static struct sched_waitq wq;
static volatile bool flag;

static void on_event(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    flag = true;
    sched_wake_all(&wq);
}

static void wait_times_out(void **state)
{
    int rc;

    (void)state;
    sched_waitq_init(&wq);
    flag = false;
    rc = sched_wait_event_timeout(&wq, flag, 5000);
    assert_int_equal(rc, -ETIMEDOUT);
    assert_int_equal(time_monotonic_ns(), 6000);
    assert_false(evtchn_irqs_disabled());
}

static void event_wakes_waiter_before_deadline(void **state)
{
    int rc;

    (void)state;
    sched_waitq_init(&wq);
    flag = false;
    event_port = 77;
    assert_int_equal(evtchn_bind(event_port, on_event, NULL), 0);
    raise_event_on_block = true;
    rc = sched_wait_event_timeout(&wq, flag, 1000000);
    assert_int_equal(rc, 0);
    assert_true(flag);
    assert_int_equal(time_monotonic_ns(), 1000); /* no time passed */
}

/* ---- mutex and condition variable ---- */

static struct sched_mutex mtx;
static int shared_counter;

static void incrementer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        sched_mutex_lock(&mtx);
        int v = shared_counter;
        sched_yield(); /* the other thread runs while we hold the lock */
        shared_counter = v + 1;
        assert_int_equal(sched_mutex_unlock(&mtx), 0);
    }
}

static void mutex_excludes_across_yields(void **state)
{
    struct sched_thread *a, *b;

    (void)state;
    sched_mutex_init(&mtx, false);
    shared_counter = 0;
    a = sched_thread_create("a", incrementer, NULL, 0);
    b = sched_thread_create("b", incrementer, NULL, 0);
    assert_int_equal(sched_thread_join(a), 0);
    assert_int_equal(sched_thread_join(b), 0);
    assert_int_equal(shared_counter, 100);
    assert_int_equal(sched_mutex_unlock(&mtx), -EPERM);
    sched_mutex_init(&mtx, true);
    sched_mutex_lock(&mtx);
    sched_mutex_lock(&mtx); /* recursive */
    assert_int_equal(sched_mutex_trylock(&mtx), 0);
    assert_int_equal(mtx.depth, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sched_mutex_unlock(&mtx), 0);
    assert_null(mtx.owner);
}

static void lock_unlock(void *arg)
{
    (void)arg;
    sched_mutex_lock(&mtx);
    sched_mutex_unlock(&mtx);
}

static void mutex_hands_off_to_first_waiter(void **state)
{
    struct sched_thread *b;

    (void)state;
    sched_mutex_init(&mtx, false);
    sched_mutex_lock(&mtx);
    b = sched_thread_create("b", lock_unlock, NULL, 0);
    sched_yield(); /* b blocks on the mutex */
    assert_int_equal(sched_mutex_unlock(&mtx), 0);
    /* No barging: the waiter already owns it, though it has not run. */
    assert_ptr_equal(mtx.owner, b);
    assert_int_equal(sched_mutex_trylock(&mtx), -EBUSY);
    assert_int_equal(sched_thread_join(b), 0);
    assert_null(mtx.owner);
}

static struct sched_cond cv;
static int queue_items;

static void consumer(void *arg)
{
    int *got = arg;

    sched_mutex_lock(&mtx);
    while (queue_items == 0)
        assert_int_equal(sched_cond_wait_until(&cv, &mtx, SCHED_NO_DEADLINE),
                         0);
    queue_items--;
    (*got)++;
    sched_mutex_unlock(&mtx);
}

static void cond_signal_and_timeout(void **state)
{
    struct sched_thread *c;
    int got = 0;

    (void)state;
    sched_mutex_init(&mtx, false);
    sched_cond_init(&cv);
    queue_items = 0;
    c = sched_thread_create("c", consumer, &got, 0);
    sched_yield(); /* consumer now waits on cv */
    assert_int_equal(got, 0);
    sched_mutex_lock(&mtx);
    queue_items = 1;
    sched_cond_signal(&cv);
    sched_mutex_unlock(&mtx);
    assert_int_equal(sched_thread_join(c), 0);
    assert_int_equal(got, 1);

    sched_mutex_lock(&mtx);
    assert_int_equal(sched_cond_wait_until(&cv, &mtx, 1500), -ETIMEDOUT);
    assert_ptr_equal(mtx.owner, sched_self()); /* re-acquired */
    sched_mutex_unlock(&mtx);
}

/* ---- CPU state ---- */

static int rounding_seen[2];

static void fpu_thread(void *arg)
{
    int me = (int)(intptr_t)arg;

    /* Thread 0 changes MXCSR/x87 rounding; thread 1 must not see it. */
    if (me == 0)
        fesetround(FE_DOWNWARD);
    sched_yield();
    rounding_seen[me] = fegetround();
}

static void fpu_state_is_per_thread(void **state)
{
    struct sched_thread *a, *b;

    (void)state;
    a = sched_thread_create("f0", fpu_thread, (void *)0, 0);
    b = sched_thread_create("f1", fpu_thread, (void *)1, 0);
    sched_thread_join(a);
    sched_thread_join(b);
    assert_int_equal(rounding_seen[0], FE_DOWNWARD);
    assert_int_equal(rounding_seen[1], FE_TONEAREST);
    assert_int_equal(fegetround(), FE_TONEAREST);
}

static uintptr_t entry_frame;
static uint64_t fs_seen;

static __attribute__((noinline)) void probe(void)
{
    /* With frame pointers rbp = entry rsp - 8: aligned iff ABI-correct. */
    entry_frame = (uintptr_t)__builtin_frame_address(0);
}

static void align_thread(void *arg)
{
    (void)arg;
    probe();
    fs_seen = fake_hc.segbase_value;
}

static void entry_alignment_and_fs_base(void **state)
{
    struct sched_thread *t;

    (void)state;
    t = sched_thread_create("al", align_thread, NULL, 0);
    assert_int_equal(fake_hc.segbase_which, SEGBASE_FS);
    sched_thread_join(t);
    assert_int_equal(entry_frame % 16, 0);
    /* The switch installed this thread's own TLS pointer... */
    assert_int_equal(fs_seen, t->ctx.fs_base);
    /* ...and the boot thread's again on the way back. */
    assert_int_equal(fake_hc.segbase_value, sched_self()->ctx.fs_base);
}

/* ---- CPU time and the preemption point ---- */

static uint64_t cpu_seen;

static void computes_5us(void *arg)
{
    (void)arg;
    set_now(now_ns + 5000); /* "runs" 5 us of the fake clock */
    cpu_seen = sched_thread_cpu_ns(sched_self());
    sched_sleep_ns(100000); /* asleep: not CPU time */
}

static void cpu_time_counts_running_not_sleeping(void **state)
{
    struct sched_thread *t;
    uint64_t proc0 = sched_process_cpu_ns();

    (void)state;
    t = sched_thread_create("cpu", computes_5us, NULL, 0);
    assert_int_equal(sched_thread_join(t), 0);
    assert_int_equal(cpu_seen, 5000);
    /* 5 us of computing, 100 us asleep (idle's): the process only
     * counts the former. */
    assert_int_equal(sched_process_cpu_ns() - proc0, 5000);
}

static int preempt_runs;

static void count_run(void *arg)
{
    (void)arg;
    preempt_runs++;
}

static void preempt_point_yields_after_a_slice(void **state)
{
    struct sched_thread *t;

    (void)state;
    preempt_runs = 0;
    assert_false(sched_preempt_point()); /* nothing else runnable */
    t = sched_thread_create("p", count_run, NULL, 0);
    assert_false(sched_preempt_point()); /* runnable, but slice not used */
    assert_int_equal(preempt_runs, 0);
    set_now(now_ns + SCHED_SLICE_NS);
    assert_true(sched_preempt_point());
    assert_int_equal(preempt_runs, 1);
    assert_int_equal(sched_thread_join(t), 0);
}

static void hold_for_a_while(void *arg)
{
    (void)arg;
    sched_mutex_lock(&mtx);
    sched_sleep_ns(3000);
    sched_mutex_unlock(&mtx);
}

static void mutex_lock_until_times_out(void **state)
{
    struct sched_thread *t;

    (void)state;
    sched_mutex_init(&mtx, false);
    t = sched_thread_create("h", hold_for_a_while, NULL, 0);
    sched_yield(); /* t holds it until t=4000 */
    assert_int_equal(sched_mutex_lock_until(&mtx, 2000), -ETIMEDOUT);
    assert_int_equal(time_monotonic_ns(), 2000);
    assert_ptr_equal(mtx.owner, t);
    assert_int_equal(sched_mutex_lock_until(&mtx, 10000), 0);
    assert_int_equal(time_monotonic_ns(), 4000); /* handed over */
    assert_ptr_equal(mtx.owner, sched_self());
    sched_mutex_unlock(&mtx);
    assert_int_equal(sched_thread_join(t), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(threads_run_fifo_and_join_frees),
        T(join_errors),
        T(sleepers_wake_in_deadline_order),
        T(wait_times_out),
        T(event_wakes_waiter_before_deadline),
        T(mutex_excludes_across_yields),
        T(mutex_hands_off_to_first_waiter),
        T(cond_signal_and_timeout),
        T(fpu_state_is_per_thread),
        T(entry_alignment_and_fs_base),
        T(cpu_time_counts_running_not_sleeping),
        T(preempt_point_yields_after_a_slice),
        T(mutex_lock_until_times_out),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
