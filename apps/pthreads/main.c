// SPDX-License-Identifier: MIT
/*
 * apps/pthreads/main.c - POSIX threads on real Xen, as a ported program
 * would use them (only <pthread.h>, <time.h>, <unistd.h>...; no xn_*).
 *
 * Checks, each printing one "pthreads: ..." line the sandbox test reads:
 * create/join with return values, detached threads, a producer/consumer
 * over a bounded queue with two condition variables, condition waits
 * that time out on CLOCK_MONOTONIC and CLOCK_REALTIME (the elapsed time
 * is measured and printed, not judged as a speed), key destructors,
 * mutex types, a rwlock, and the preemption guarantee (a busy thread
 * that keeps calling pthread functions lets another thread run within
 * a slice). sys.c adds uname/sysconf/clocks/ids/signals/fork. The last
 * line is "pthreads: all ok" (exit 0) or "pthreads: N checks failed"
 * (exit 1). With the argument "abort", it calls abort() after the
 * checks instead: the domain must end with status 134. With "mainexit",
 * main() ends with pthread_exit() while a thread still runs: the domain
 * must go on until that thread has printed its line, then exit 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pthreads.h"

static int failures;

int check(int cond, const char *what)
{
    if (!cond) {
        failures++;
        printf("pthreads: FAIL: %s\n", what);
    }
    return cond;
}

uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- create / join / detach ---- */

static void *times_ten(void *arg)
{
    sched_yield();
    return (void *)((intptr_t)arg * 10);
}

static int detached_done;
static pthread_mutex_t detach_m = PTHREAD_MUTEX_INITIALIZER;

static void *detached_fn(void *arg)
{
    (void)arg;
    usleep(1000);
    pthread_mutex_lock(&detach_m);
    detached_done++;
    pthread_mutex_unlock(&detach_m);
    return NULL;
}

static void join_and_detach(void)
{
    pthread_t t[4];
    pthread_attr_t a;
    intptr_t sum = 0;
    void *ret;
    int ok = 1;

    for (intptr_t i = 0; i < 4; i++)
        ok &= check(pthread_create(&t[i], NULL, times_ten, (void *)i) == 0,
                    "pthread_create");
    for (int i = 0; i < 4; i++) {
        ok &= check(pthread_join(t[i], &ret) == 0, "pthread_join");
        sum += (intptr_t)ret;
    }
    ok &= check(sum == 60, "join return values sum to 60");
    if (ok)
        printf("pthreads: join ok: 4 threads returned 0+10+20+30 = %ld\n",
               (long)sum);

    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 64 * 1024);
    for (int i = 0; i < 20; i++) {
        pthread_t d;

        if (!check(pthread_create(&d, &a, detached_fn, NULL) == 0,
                   "create detached"))
            return;
    }
    for (int i = 0; i < 100 && detached_done < 20; i++)
        usleep(10000);
    if (check(detached_done == 20, "20 detached threads ran"))
        printf("pthreads: detach ok: 20 detached threads ran\n");
}

/* ---- producer / consumer ---- */

#define QCAP  8
#define ITEMS 1000

static struct {
    pthread_mutex_t m;
    pthread_cond_t notempty, notfull;
    int buf[QCAP];
    int head, len, done;
    long sum;
    int count;
} q = {PTHREAD_MUTEX_INITIALIZER,
       PTHREAD_COND_INITIALIZER,
       PTHREAD_COND_INITIALIZER,
       {0},
       0,
       0,
       0,
       0,
       0};

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&q.m);
        while (q.len == QCAP)
            pthread_cond_wait(&q.notfull, &q.m);
        q.buf[(q.head + q.len++) % QCAP] = i;
        pthread_cond_signal(&q.notempty);
        pthread_mutex_unlock(&q.m);
    }
    pthread_mutex_lock(&q.m);
    q.done = 1;
    pthread_cond_broadcast(&q.notempty);
    pthread_mutex_unlock(&q.m);
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&q.m);
        while (q.len == 0 && !q.done)
            pthread_cond_wait(&q.notempty, &q.m);
        if (q.len == 0) {
            pthread_mutex_unlock(&q.m);
            return NULL;
        }
        q.sum += q.buf[q.head];
        q.head = (q.head + 1) % QCAP;
        q.len--;
        q.count++;
        pthread_cond_signal(&q.notfull);
        pthread_mutex_unlock(&q.m);
    }
}

static void producer_consumer(void)
{
    pthread_t p, c[3];

    pthread_create(&p, NULL, producer, NULL);
    for (int i = 0; i < 3; i++)
        pthread_create(&c[i], NULL, consumer, NULL);
    pthread_join(p, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(c[i], NULL);
    if (check(q.count == ITEMS && q.sum == (long)ITEMS * (ITEMS + 1) / 2,
              "producer/consumer delivered every item once"))
        printf("pthreads: producer/consumer ok: %d items, sum %ld, "
               "3 consumers\n",
               q.count, q.sum);
}

/* ---- timed waits ---- */

static void timedwaits(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t mono, real = PTHREAD_COND_INITIALIZER;
    pthread_condattr_t ca;
    struct timespec ts;
    uint64_t t0, dt;
    int rc;

    pthread_condattr_init(&ca);
    check(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0,
          "condattr_setclock(CLOCK_MONOTONIC)");
    pthread_cond_init(&mono, &ca);

    pthread_mutex_lock(&m);
    /* t0 before the deadline is computed: a thread switch between the
     * two would otherwise shorten the measured wait, not the real one. */
    t0 = mono_ns();
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 200 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    rc = pthread_cond_timedwait(&mono, &m, &ts);
    dt = mono_ns() - t0;
    if (check(rc == ETIMEDOUT, "monotonic timedwait returns ETIMEDOUT")) {
        (void)check(dt >= 199 * 1000000ull, "it does not return early");
        printf("pthreads: timedwait CLOCK_MONOTONIC ETIMEDOUT after "
               "%llu.%03llu ms (asked 200 ms)\n",
               (unsigned long long)(dt / 1000000),
               (unsigned long long)(dt / 1000 % 1000));
    }

    t0 = mono_ns();
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    rc = pthread_cond_timedwait(&real, &m, &ts);
    dt = mono_ns() - t0;
    if (check(rc == ETIMEDOUT, "realtime timedwait returns ETIMEDOUT")) {
        (void)check(dt >= 99 * 1000000ull, "it does not return early");
        printf("pthreads: timedwait CLOCK_REALTIME ETIMEDOUT after "
               "%llu.%03llu ms (asked 100 ms)\n",
               (unsigned long long)(dt / 1000000),
               (unsigned long long)(dt / 1000 % 1000));
    }
    check(pthread_mutex_unlock(&m) == 0, "mutex held again after timeout");
}

/* ---- keys ---- */

static pthread_key_t key_a, key_b;
static char dtor_log[32];

static void dtor_a(void *v)
{
    strcat(dtor_log, (const char *)v);
}

static void dtor_b(void *v)
{
    strcat(dtor_log, (const char *)v);
    /* A value stored again is destroyed in the next round. */
    if (strcmp(v, "b") == 0)
        pthread_setspecific(key_b, "B");
}

static void *key_user(void *arg)
{
    (void)arg;
    pthread_setspecific(key_a, "a");
    pthread_setspecific(key_b, "b");
    return NULL;
}

static void keys(void)
{
    pthread_t t;

    pthread_key_create(&key_a, dtor_a);
    pthread_key_create(&key_b, dtor_b);
    pthread_create(&t, NULL, key_user, NULL);
    pthread_join(t, NULL);
    if (check(strcmp(dtor_log, "abB") == 0, "key destructors: abB"))
        printf("pthreads: key destructors ran: %s\n", dtor_log);
}

/* ---- mutex types, rwlock ---- */

static void mutexes(void)
{
    pthread_mutex_t r = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP, e;
    pthread_mutexattr_t a;
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    int ok = 1;

    ok &= check(pthread_mutex_lock(&r) == 0 && pthread_mutex_lock(&r) == 0 &&
                    pthread_mutex_unlock(&r) == 0 &&
                    pthread_mutex_unlock(&r) == 0 &&
                    pthread_mutex_unlock(&r) == EPERM,
                "recursive mutex counts");
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&e, &a);
    ok &= check(
        pthread_mutex_lock(&e) == 0 && pthread_mutex_lock(&e) == EDEADLK &&
            pthread_mutex_unlock(&e) == 0 && pthread_mutex_unlock(&e) == EPERM,
        "errorcheck mutex: EDEADLK, EPERM");
    ok &= check(pthread_rwlock_rdlock(&rw) == 0 &&
                    pthread_rwlock_rdlock(&rw) == 0 &&
                    pthread_rwlock_trywrlock(&rw) == EBUSY &&
                    pthread_rwlock_unlock(&rw) == 0 &&
                    pthread_rwlock_unlock(&rw) == 0 &&
                    pthread_rwlock_wrlock(&rw) == 0 &&
                    pthread_rwlock_tryrdlock(&rw) == EBUSY &&
                    pthread_rwlock_unlock(&rw) == 0,
                "rwlock: readers share, writer excludes");
    if (ok)
        printf("pthreads: mutex types and rwlock ok\n");
}

/* ---- preemption at safe points ---- */

static volatile int busy_stop;
static uint64_t other_ran_at;

static void *busy(void *arg)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    uint64_t end = mono_ns() + 300 * 1000000ull;

    (void)arg;
    /* Computes for 300 ms without blocking, only taking a lock. */
    while (mono_ns() < end && !busy_stop) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

static void *other(void *arg)
{
    other_ran_at = mono_ns() - *(uint64_t *)arg;
    return NULL;
}

static void preemption(void)
{
    pthread_t b, o;
    uint64_t t0 = mono_ns();

    pthread_create(&b, NULL, busy, NULL);
    pthread_create(&o, NULL, other, &t0);
    pthread_join(o, NULL);
    busy_stop = 1;
    pthread_join(b, NULL);
    if (check(other_ran_at < 250 * 1000000ull,
              "a thread ran while another was busy with lock calls"))
        printf("pthreads: preemption: another thread ran %llu.%03llu ms "
               "into a 300 ms busy loop (slice 10 ms)\n",
               (unsigned long long)(other_ran_at / 1000000),
               (unsigned long long)(other_ran_at / 1000 % 1000));
}

static void *last_thread(void *arg)
{
    (void)arg;
    usleep(200 * 1000);
    printf("pthreads: last thread done\n");
    return NULL;
}

int main(int argc, char **argv)
{
    printf("pthreads: start\n");
    join_and_detach();
    producer_consumer();
    timedwaits();
    keys();
    mutexes();
    preemption();
    sys_checks();
    if (argc > 1 && strcmp(argv[1], "abort") == 0) {
        printf("pthreads: calling abort()\n");
        fflush(stdout);
        abort();
    }
    if (failures) {
        printf("pthreads: %d checks failed\n", failures);
        return 1;
    }
    if (argc > 1 && strcmp(argv[1], "mainexit") == 0) {
        pthread_t t;

        pthread_create(&t, NULL, last_thread, NULL);
        printf("pthreads: main calls pthread_exit\n");
        pthread_exit(NULL);
    }
    printf("pthreads: all ok\n");
    return 0;
}
