// SPDX-License-Identifier: MIT
/*
 * test/unit/pthread/test_pthread_sync.c - POSIX mutexes, conditions,
 * rwlocks, spin locks and barriers (lib/pthread_sync.c) on the real
 * scheduler with a fake clock: mutex types (recursive count, errorcheck
 * EDEADLK/EPERM, timedlock), condition timeouts on both clocks (ETIMEDOUT
 * at, not before, the deadline; a signal before it wins; the mutex is
 * held again either way), reader/writer exclusion, and the preemption
 * guarantee (a thread that keeps calling pthread functions gives way
 * after SCHED_SLICE_NS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "kernel/sched.h"
#include "pt_fixture.h"
#include "xen/time.h"

#define MS 1000000ull

/* The app's CLOCK_MONOTONIC: the domain's uptime. */
static struct timespec mono_in(uint64_t ns)
{
    uint64_t t = time_uptime_ns() + ns;
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};

    return ts;
}

static struct timespec real_in(uint64_t ns)
{
    uint64_t sec;
    uint32_t nsec;
    uint64_t t;

    time_wall(&sec, &nsec);
    t = sec * 1000000000u + nsec + ns;
    return (struct timespec){(time_t)(t / 1000000000u),
                             (long)(t % 1000000000u)};
}

/* ---- mutex types ---- */

static pthread_mutex_t shared_m;

static void *try_shared(void *arg)
{
    *(int *)arg = pthread_mutex_trylock(&shared_m);
    if (*(int *)arg == 0)
        pthread_mutex_unlock(&shared_m);
    return NULL;
}

static void *unlock_shared(void *arg)
{
    *(int *)arg = pthread_mutex_unlock(&shared_m);
    return NULL;
}

static int other_thread(void *(*fn)(void *))
{
    pthread_t t;
    int rc = -1;

    assert_int_equal(pthread_create(&t, NULL, fn, &rc), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    return rc;
}

static void mutex_recursive_counts(void **state)
{
    pthread_mutexattr_t a;
    pthread_mutex_t stat = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
    int type;

    (void)state;
    pthread_mutexattr_init(&a);
    assert_int_equal(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE), 0);
    assert_int_equal(pthread_mutexattr_gettype(&a, &type), 0);
    assert_int_equal(type, PTHREAD_MUTEX_RECURSIVE);
    assert_int_equal(pthread_mutex_init(&shared_m, &a), 0);
    assert_int_equal(pthread_mutex_lock(&shared_m), 0);
    assert_int_equal(pthread_mutex_trylock(&shared_m), 0);
    assert_int_equal(pthread_mutex_lock(&shared_m), 0);
    for (int held = 3; held > 0; held--) {
        /* Another thread cannot take it until the count is zero. */
        assert_int_equal(other_thread(try_shared), EBUSY);
        assert_int_equal(pthread_mutex_destroy(&shared_m), EBUSY);
        assert_int_equal(pthread_mutex_unlock(&shared_m), 0);
    }
    assert_int_equal(other_thread(try_shared), 0);
    assert_int_equal(pthread_mutex_unlock(&shared_m), EPERM);
    assert_int_equal(pthread_mutex_destroy(&shared_m), 0);
    /* The static initialiser gives a recursive mutex too. */
    assert_int_equal(pthread_mutex_lock(&stat), 0);
    assert_int_equal(pthread_mutex_lock(&stat), 0);
    assert_int_equal(pthread_mutex_unlock(&stat), 0);
    assert_int_equal(pthread_mutex_unlock(&stat), 0);
    assert_int_equal(pthread_mutex_unlock(&stat), EPERM);
    assert_int_equal(pthread_mutexattr_settype(&a, 42), EINVAL);
}

static void mutex_errorcheck_and_normal(void **state)
{
    pthread_mutexattr_t a;
    pthread_mutex_t normal = PTHREAD_MUTEX_INITIALIZER;

    (void)state;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    assert_int_equal(pthread_mutex_init(&shared_m, &a), 0);
    assert_int_equal(pthread_mutex_unlock(&shared_m), EPERM); /* unlocked */
    assert_int_equal(pthread_mutex_lock(&shared_m), 0);
    assert_int_equal(pthread_mutex_lock(&shared_m), EDEADLK);
    assert_int_equal(pthread_mutex_trylock(&shared_m), EBUSY);
    assert_int_equal(other_thread(unlock_shared), EPERM); /* not owner */
    assert_int_equal(pthread_mutex_unlock(&shared_m), 0);
    /* Normal (static): relock is reported, not a silent hang. */
    assert_int_equal(pthread_mutex_lock(&normal), 0);
    assert_int_equal(pthread_mutex_lock(&normal), EDEADLK);
    assert_int_equal(pthread_mutex_trylock(&normal), EBUSY);
    assert_int_equal(pthread_mutex_unlock(&normal), 0);
    assert_int_equal(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED),
                     ENOTSUP);
    assert_int_equal(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT),
                     ENOTSUP);
}

static void *hold_mutex_20ms(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&shared_m);
    sched_sleep_ns(20 * MS);
    pthread_mutex_unlock(&shared_m);
    return NULL;
}

static void mutex_timedlock_times_out_then_succeeds(void **state)
{
    pthread_t t;
    struct timespec bad = {0, 1000000000L};
    uint64_t t0;

    (void)state;
    pthread_mutex_init(&shared_m, NULL);
    assert_int_equal(pthread_create(&t, NULL, hold_mutex_20ms, NULL), 0);
    sched_yield(); /* t holds it now, for 20 ms */
    assert_int_equal(pthread_mutex_timedlock(&shared_m, &bad), EINVAL);
    t0 = pt_now();
    struct timespec in5 = real_in(5 * MS);
    assert_int_equal(pthread_mutex_timedlock(&shared_m, &in5), ETIMEDOUT);
    assert_true(pt_now() - t0 >= 5 * MS);
    assert_true(pt_now() - t0 < 20 * MS);
    struct timespec in100 = real_in(100 * MS);
    assert_int_equal(pthread_mutex_timedlock(&shared_m, &in100), 0);
    /* Handed over when t let go, at 20 ms, long before the deadline. */
    assert_int_equal(pt_now() - t0, 20 * MS);
    assert_int_equal(pthread_mutex_unlock(&shared_m), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
}

/* ---- condition variables ---- */

static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

static void cond_timedwait_times_out_at_deadline(void **state)
{
    pthread_condattr_t ca;
    pthread_cond_t mono;
    clockid_t clk;
    uint64_t t0;
    struct timespec past = {0, 0};

    (void)state;
    /* CLOCK_MONOTONIC, chosen with condattr_setclock. */
    pthread_condattr_init(&ca);
    assert_int_equal(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
    assert_int_equal(pthread_condattr_getclock(&ca, &clk), 0);
    assert_int_equal(clk, CLOCK_MONOTONIC);
    assert_int_equal(pthread_condattr_setclock(&ca, CLOCK_PROCESS_CPUTIME_ID),
                     EINVAL);
    assert_int_equal(pthread_cond_init(&mono, &ca), 0);
    pthread_mutex_lock(&cm);
    t0 = pt_now();
    struct timespec m7 = mono_in(7 * MS);
    assert_int_equal(pthread_cond_timedwait(&mono, &cm, &m7), ETIMEDOUT);
    /* Exactly at the deadline on the fake clock: never before it. */
    assert_int_equal(pt_now() - t0, 7 * MS);
    assert_int_equal(pthread_mutex_trylock(&cm), EBUSY); /* held again */

    /* CLOCK_REALTIME, the default. */
    t0 = pt_now();
    struct timespec r3 = real_in(3 * MS);
    assert_int_equal(pthread_cond_timedwait(&cv, &cm, &r3), ETIMEDOUT);
    assert_int_equal(pt_now() - t0, 3 * MS);

    /* A time already past: at once; a bad one: EINVAL. */
    t0 = pt_now();
    assert_int_equal(pthread_cond_timedwait(&cv, &cm, &past), ETIMEDOUT);
    assert_int_equal(pt_now(), t0);
    struct timespec bad = {1, -1};
    assert_int_equal(pthread_cond_timedwait(&cv, &cm, &bad), EINVAL);
    pthread_mutex_unlock(&cm);
    assert_int_equal(pthread_cond_wait(&cv, &cm), EPERM); /* not held */
    assert_int_equal(pthread_cond_destroy(&mono), 0);
}

static void *signal_after_2ms(void *arg)
{
    (void)arg;
    sched_sleep_ns(2 * MS);
    pthread_mutex_lock(&cm);
    ready = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&cm);
    return NULL;
}

static void cond_signal_before_deadline_wins(void **state)
{
    pthread_t t;
    uint64_t t0;
    int rc = 0;

    (void)state;
    ready = 0;
    assert_int_equal(pthread_create(&t, NULL, signal_after_2ms, NULL), 0);
    pthread_mutex_lock(&cm);
    t0 = pt_now();
    struct timespec r1s = real_in(1000 * MS);
    while (!ready && rc == 0)
        rc = pthread_cond_timedwait(&cv, &cm, &r1s);
    assert_int_equal(rc, 0);
    assert_int_equal(ready, 1);
    assert_int_equal(pt_now() - t0, 2 * MS);
    assert_int_equal(pthread_mutex_unlock(&cm), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
}

/* Producer/consumer through a bounded queue: broadcast and ordering. */
#define QCAP 4
static int q[QCAP], qhead, qlen, consumed_sum;
static pthread_cond_t notempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg)
{
    for (int i = 1; i <= 100; i++) {
        pthread_mutex_lock(&cm);
        while (qlen == QCAP)
            pthread_cond_wait(&notfull, &cm);
        q[(qhead + qlen++) % QCAP] = i;
        pthread_cond_broadcast(&notempty);
        pthread_mutex_unlock(&cm);
    }
    (void)arg;
    return NULL;
}

static void *consumer(void *arg)
{
    int n = *(int *)arg;

    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&cm);
        while (qlen == 0)
            pthread_cond_wait(&notempty, &cm);
        consumed_sum += q[qhead];
        qhead = (qhead + 1) % QCAP;
        qlen--;
        pthread_cond_signal(&notfull);
        pthread_mutex_unlock(&cm);
    }
    return NULL;
}

static void cond_producer_consumer(void **state)
{
    pthread_t p, c1, c2;
    int n1 = 60, n2 = 40;

    (void)state;
    consumed_sum = 0;
    assert_int_equal(pthread_create(&c1, NULL, consumer, &n1), 0);
    assert_int_equal(pthread_create(&c2, NULL, consumer, &n2), 0);
    assert_int_equal(pthread_create(&p, NULL, producer, NULL), 0);
    pthread_join(p, NULL);
    pthread_join(c1, NULL);
    pthread_join(c2, NULL);
    assert_int_equal(consumed_sum, 5050);
    assert_int_equal(qlen, 0);
}

/* ---- reader-writer locks ---- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int readers_in, writers_in, max_readers_in, writes_done;

static void *reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(pthread_rwlock_rdlock(&rw), 0);
        assert_int_equal(writers_in, 0);
        readers_in++;
        if (readers_in > max_readers_in)
            max_readers_in = readers_in;
        sched_yield(); /* others run while we hold it */
        assert_int_equal(writers_in, 0);
        readers_in--;
        assert_int_equal(pthread_rwlock_unlock(&rw), 0);
        sched_yield();
    }
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(pthread_rwlock_wrlock(&rw), 0);
        assert_int_equal(readers_in, 0);
        assert_int_equal(writers_in, 0);
        writers_in++;
        sched_yield();
        assert_int_equal(readers_in, 0);
        writers_in--;
        writes_done++;
        assert_int_equal(pthread_rwlock_unlock(&rw), 0);
        sched_yield();
    }
    return NULL;
}

static void rwlock_readers_share_writers_exclude(void **state)
{
    pthread_t r[3], w[2];

    (void)state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&r[i], NULL, reader, NULL), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&w[i], NULL, writer, NULL), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(r[i], NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(w[i], NULL);
    assert_true(max_readers_in >= 2); /* readers did overlap */
    assert_int_equal(writes_done, 20);
    assert_int_equal(pthread_rwlock_destroy(&rw), 0);
}

static int try_rc;

static void *try_write(void *arg)
{
    (void)arg;
    try_rc = pthread_rwlock_trywrlock(&rw);
    return NULL;
}

static void rwlock_errors_and_nesting(void **state)
{
    pthread_t t;

    (void)state;
    assert_int_equal(pthread_rwlock_unlock(&rw), EPERM);
    assert_int_equal(pthread_rwlock_rdlock(&rw), 0);
    assert_int_equal(pthread_rwlock_rdlock(&rw), 0); /* nests */
    assert_int_equal(pthread_create(&t, NULL, try_write, NULL), 0);
    pthread_join(t, NULL);
    assert_int_equal(try_rc, EBUSY);
    struct timespec w5 = real_in(5 * MS);
    uint64_t t0 = pt_now();
    assert_int_equal(pthread_rwlock_timedwrlock(&rw, &w5), ETIMEDOUT);
    assert_int_equal(pt_now() - t0, 5 * MS);
    assert_int_equal(pthread_rwlock_destroy(&rw), EBUSY);
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_unlock(&rw);
    assert_int_equal(pthread_rwlock_wrlock(&rw), 0);
    assert_int_equal(pthread_rwlock_wrlock(&rw), EDEADLK);
    assert_int_equal(pthread_rwlock_rdlock(&rw), EDEADLK);
    assert_int_equal(pthread_rwlock_tryrdlock(&rw), EBUSY);
    assert_int_equal(pthread_rwlock_unlock(&rw), 0);
}

/* ---- preemption at safe points ---- */

static pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;
static int spin_iters, iters_when_other_ran, other_ran;

static void *busy_with_locks(void *arg)
{
    (void)arg;
    for (spin_iters = 0; spin_iters < 100; spin_iters++) {
        pt_advance(MS); /* "computes" 1 ms per iteration */
        pthread_mutex_lock(&pm);
        pthread_mutex_unlock(&pm);
    }
    return NULL;
}

static void *other(void *arg)
{
    (void)arg;
    other_ran = 1;
    iters_when_other_ran = spin_iters;
    return NULL;
}

static void lock_calls_are_preemption_points(void **state)
{
    pthread_t a, b;

    (void)state;
    other_ran = 0;
    assert_int_equal(pthread_create(&a, NULL, busy_with_locks, NULL), 0);
    assert_int_equal(pthread_create(&b, NULL, other, NULL), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert_true(other_ran);
    /* a ran one slice (10 ms of its 100) before b got the vCPU. */
    assert_in_range(iters_when_other_ran, SCHED_SLICE_NS / MS - 1,
                    SCHED_SLICE_NS / MS + 1);
}

/* ---- spin locks and barriers ---- */

static pthread_spinlock_t sl;
static pthread_barrier_t bar;
static int before_bar, after_bar_ok, serial;

static void *bar_thread(void *arg)
{
    (void)arg;
    pthread_spin_lock(&sl);
    before_bar++;
    sched_yield(); /* the others yield on the held spin lock */
    pthread_spin_unlock(&sl);
    int rc = pthread_barrier_wait(&bar);
    if (rc == PTHREAD_BARRIER_SERIAL_THREAD)
        serial++;
    if (before_bar == 3)
        after_bar_ok++;
    return NULL;
}

static void spin_and_barrier(void **state)
{
    pthread_t t[3];

    (void)state;
    assert_int_equal(pthread_spin_init(&sl, PTHREAD_PROCESS_PRIVATE), 0);
    assert_int_equal(pthread_barrier_init(&bar, NULL, 3), 0);
    assert_int_equal(pthread_barrier_init(&bar, NULL, 0), EINVAL);
    assert_int_equal(pthread_barrier_init(&bar, NULL, 3), 0);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, bar_thread, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(after_bar_ok, 3);
    assert_int_equal(serial, 1);
    assert_int_equal(pthread_spin_trylock(&sl), 0);
    assert_int_equal(pthread_spin_trylock(&sl), EBUSY);
    assert_int_equal(pthread_spin_unlock(&sl), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(mutex_recursive_counts, pt_test_setup),
        cmocka_unit_test_setup(mutex_errorcheck_and_normal, pt_test_setup),
        cmocka_unit_test_setup(mutex_timedlock_times_out_then_succeeds,
                               pt_test_setup),
        cmocka_unit_test_setup(cond_timedwait_times_out_at_deadline,
                               pt_test_setup),
        cmocka_unit_test_setup(cond_signal_before_deadline_wins, pt_test_setup),
        cmocka_unit_test_setup(cond_producer_consumer, pt_test_setup),
        cmocka_unit_test_setup(rwlock_readers_share_writers_exclude,
                               pt_test_setup),
        cmocka_unit_test_setup(rwlock_errors_and_nesting, pt_test_setup),
        cmocka_unit_test_setup(lock_calls_are_preemption_points, pt_test_setup),
        cmocka_unit_test_setup(spin_and_barrier, pt_test_setup),
    };

    return cmocka_run_group_tests(tests, pt_group_setup, pt_group_teardown);
}
