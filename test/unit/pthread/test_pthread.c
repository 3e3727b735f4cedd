// SPDX-License-Identifier: MIT
/*
 * test/unit/pthread/test_pthread.c - POSIX threads (lib/pthread.c) on the
 * real cooperative scheduler: join and return values, detach (stack,
 * thread and libc state freed, counted), pthread_exit from a non-main
 * thread (no cancellation: cleanup handlers, then destructors, then the
 * joiner gets the value), key destructors (order, NULL values skipped,
 * the PTHREAD_DESTRUCTOR_ITERATIONS bound, delete, threads the POSIX
 * layer did not create), once under contention, attributes, names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "fake_sched_libc.h"
#include "kernel/sched.h"
#include "pt_fixture.h"

static char trace[128];
static unsigned int ntrace;

static void note(char c)
{
    if (ntrace < sizeof(trace) - 1)
        trace[ntrace++] = c;
    trace[ntrace] = '\0';
}

static void trace_reset(void)
{
    ntrace = 0;
    trace[0] = '\0';
}

/* ---- create / join ---- */

static void *times_ten(void *arg)
{
    intptr_t v = (intptr_t)arg;

    sched_yield(); /* the others run in between */
    return (void *)(v * 10);
}

static void join_returns_each_threads_value_and_frees(void **state)
{
    pthread_t t[4];
    void *ret;
    unsigned long pages;
    unsigned int live;

    (void)state;
    /* The first pthread brings the reaper: measure after it exists. */
    assert_int_equal(pthread_create(&t[0], NULL, times_ten, (void *)1), 0);
    assert_int_equal(pthread_join(t[0], &ret), 0);
    pages = pt_free_pages();
    live = fake_libc_live;
    for (intptr_t i = 0; i < 4; i++)
        assert_int_equal(
            pthread_create(&t[i], NULL, times_ten, (void *)(i + 1)), 0);
    assert_int_equal(fake_libc_live, live + 4);
    for (intptr_t i = 3; i >= 0; i--) {
        assert_int_equal(pthread_join(t[i], &ret), 0);
        assert_int_equal((intptr_t)ret, (i + 1) * 10);
    }
    assert_int_equal(fake_libc_live, live);
    assert_int_equal(pt_free_pages(), pages);
}

static void join_errors(void **state)
{
    pthread_t t;
    pthread_attr_t a;

    (void)state;
    assert_int_equal(pthread_join(pthread_self(), NULL), EDEADLK);
    assert_int_equal(pthread_join((pthread_t)0x1234, NULL), ESRCH);
    assert_int_equal(pthread_create(&t, NULL, times_ten, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), ESRCH); /* already joined */
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    assert_int_equal(pthread_create(&t, &a, times_ten, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), EINVAL);
    assert_int_equal(pthread_detach(t), EINVAL);
    pt_settle();
    assert_int_equal(pthread_create(NULL, NULL, times_ten, NULL), EINVAL);
    assert_int_equal(pthread_create(&t, NULL, NULL, NULL), EINVAL);
}

/* ---- detach ---- */

static int detached_ran;

static void *count_and_leave(void *arg)
{
    (void)arg;
    sched_yield();
    detached_ran++;
    return NULL;
}

static void detached_threads_free_their_resources(void **state)
{
    pthread_t t1, t2, t3;
    pthread_attr_t a;
    unsigned long pages;
    unsigned int live;

    (void)state;
    pt_settle();
    pages = pt_free_pages();
    live = fake_libc_live;
    detached_ran = 0;

    /* Detached from the start. */
    pthread_attr_init(&a);
    assert_int_equal(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED),
                     0);
    assert_int_equal(pthread_create(&t1, &a, count_and_leave, NULL), 0);
    /* Detached while it runs. */
    assert_int_equal(pthread_create(&t2, NULL, count_and_leave, NULL), 0);
    assert_int_equal(pthread_detach(t2), 0);
    /* Detached after it ended (nobody joined): freed by detach. */
    assert_int_equal(pthread_create(&t3, NULL, count_and_leave, NULL), 0);
    assert_int_equal(fake_libc_live, live + 3);
    pt_settle();
    assert_int_equal(detached_ran, 3);
    /* t1 and t2 were reaped; t3 ended and waits for a join or detach. */
    assert_int_equal(fake_libc_live, live + 1);
    assert_int_equal(pthread_detach(t3), 0);
    assert_int_equal(fake_libc_live, live);
    assert_int_equal(pt_free_pages(), pages);
    assert_int_equal(pthread_detach(t3), ESRCH);
}

/* ---- pthread_exit from a non-main thread ---- */

static pthread_key_t exit_key;

static void cleanup_note(void *arg)
{
    note(*(const char *)arg);
}

static void exit_key_dtor(void *v)
{
    note(*(const char *)v);
}

static __attribute__((noinline)) void deep_exit(void)
{
    pthread_exit((void *)42);
}

static void *exits_early(void *arg)
{
    static const char a = 'a', b = 'b', d = 'd', k = 'k';

    (void)arg;
    pthread_setspecific(exit_key, &k);
    pthread_cleanup_push(cleanup_note, (void *)&a);
    pthread_cleanup_push(cleanup_note, (void *)&b);
    pthread_cleanup_push(cleanup_note, (void *)&d);
    pthread_cleanup_pop(1); /* runs d now */
    deep_exit();
    note('X'); /* never */
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return (void *)1;
}

static void exit_from_thread_runs_cleanup_then_destructors(void **state)
{
    pthread_t t;
    void *ret = NULL;

    (void)state;
    trace_reset();
    assert_int_equal(pthread_key_create(&exit_key, exit_key_dtor), 0);
    assert_int_equal(pthread_create(&t, NULL, exits_early, NULL), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_ptr_equal(ret, (void *)42);
    /* d popped by hand, then b and a (LIFO) by pthread_exit, then the
     * key destructor. */
    assert_string_equal(trace, "dbak");
    assert_int_equal(pthread_key_delete(exit_key), 0);
    /* Not cancellable, honestly reported. */
    assert_int_equal(pthread_cancel(pthread_self()), ENOSYS);
}

/* ---- key destructors ---- */

static pthread_key_t k1, k2, k3, k_again, k_nodtor;
static int again_calls;

static void dtor1(void *v)
{
    (void)v;
    note('1');
}

static void dtor2(void *v)
{
    (void)v;
    note('2'); /* its value is NULL: must never run */
}

static void dtor3(void *v)
{
    static int again = 1;

    note(v == (void *)3 ? '3' : 'r');
    /* Store a new value once: it is destroyed in the next round. */
    if (again--)
        pthread_setspecific(k3, (void *)33);
}

static void dtor_again(void *v)
{
    again_calls++;
    pthread_setspecific(k_again, v); /* forever */
}

static void *sets_keys(void *arg)
{
    (void)arg;
    assert_int_equal(pthread_setspecific(k1, (void *)1), 0);
    assert_int_equal(pthread_setspecific(k2, NULL), 0);
    assert_int_equal(pthread_setspecific(k3, (void *)3), 0);
    assert_int_equal(pthread_setspecific(k_again, (void *)7), 0);
    assert_int_equal(pthread_setspecific(k_nodtor, (void *)9), 0);
    assert_ptr_equal(pthread_getspecific(k3), (void *)3);
    return NULL;
}

static void key_destructors_order_iterations_and_nulls(void **state)
{
    pthread_t t;

    (void)state;
    trace_reset();
    again_calls = 0;
    assert_int_equal(pthread_key_create(&k1, dtor1), 0);
    assert_int_equal(pthread_key_create(&k2, dtor2), 0);
    assert_int_equal(pthread_key_create(&k3, dtor3), 0);
    assert_int_equal(pthread_key_create(&k_again, dtor_again), 0);
    assert_int_equal(pthread_key_create(&k_nodtor, NULL), 0);
    assert_true(k1 < k2 && k2 < k3);
    assert_int_equal(pthread_create(&t, NULL, sets_keys, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    /* Round 1 in key order (2 skipped: NULL), round 2 only k3's new
     * value; the insistent key is cut off after the iteration bound. */
    assert_string_equal(trace, "13r");
    assert_int_equal(again_calls, PTHREAD_DESTRUCTOR_ITERATIONS);
    /* main's own values are separate. */
    assert_null(pthread_getspecific(k1));
    assert_int_equal(pthread_setspecific(k1, (void *)5), 0);
    assert_ptr_equal(pthread_getspecific(k1), (void *)5);
    /* delete: no destructor call, and a reused key starts out NULL. */
    trace_reset();
    assert_int_equal(pthread_key_delete(k1), 0);
    assert_int_equal(pthread_key_delete(k1), EINVAL);
    assert_string_equal(trace, "");
    assert_int_equal(pthread_key_create(&k1, dtor1), 0);
    assert_null(pthread_getspecific(k1));
    assert_int_equal(pthread_setspecific(9999, NULL), EINVAL);
    assert_null(pthread_getspecific(9999));
    pthread_key_delete(k1);
    pthread_key_delete(k2);
    pthread_key_delete(k3);
    pthread_key_delete(k_again);
    pthread_key_delete(k_nodtor);
}

static void kernel_thread_sets_key(void *arg)
{
    (void)arg;
    assert_int_equal(pthread_setspecific(k1, (void *)1), 0);
}

static void destructors_run_for_threads_not_made_by_pthread(void **state)
{
    struct sched_thread *kt;

    (void)state;
    trace_reset();
    assert_int_equal(pthread_key_create(&k1, dtor1), 0);
    kt = sched_thread_create("xn", kernel_thread_sets_key, NULL, 0);
    assert_non_null(kt);
    assert_int_equal(sched_thread_join(kt), 0);
    assert_string_equal(trace, "1");
    pthread_key_delete(k1);
}

static void keys_run_out_with_eagain(void **state)
{
    pthread_key_t keys[PTHREAD_KEYS_MAX + 1];
    unsigned int n = 0;

    (void)state;
    while (n <= PTHREAD_KEYS_MAX && pthread_key_create(&keys[n], NULL) == 0)
        n++;
    assert_int_equal(n, PTHREAD_KEYS_MAX);
    assert_int_equal(pthread_key_create(&keys[n], NULL), EAGAIN);
    while (n)
        assert_int_equal(pthread_key_delete(keys[--n]), 0);
}

/* ---- once ---- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_runs, init_done, saw_done;

static void slow_init(void)
{
    init_runs++;
    /* Block in the middle: the other callers must wait, not run it. */
    sched_sleep_ns(5000000);
    init_done = 1;
}

static void *call_once(void *arg)
{
    (void)arg;
    assert_int_equal(pthread_once(&once, slow_init), 0);
    if (init_done)
        saw_done++;
    return NULL;
}

static void once_runs_init_once_under_contention(void **state)
{
    pthread_t t[5];

    (void)state;
    for (int i = 0; i < 5; i++)
        assert_int_equal(pthread_create(&t[i], NULL, call_once, NULL), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(init_runs, 1);
    assert_int_equal(saw_done, 5);
    assert_int_equal(pthread_once(&once, slow_init), 0);
    assert_int_equal(init_runs, 1);
}

/* ---- attributes, identity, names ---- */

static void *report_self(void *arg)
{
    *(pthread_t *)arg = pthread_self();
    return NULL;
}

static void attributes_and_identity(void **state)
{
    pthread_attr_t a;
    pthread_t t, seen = 0;
    size_t sz;
    int st;
    char name[16];
    unsigned long pages;

    (void)state;
    assert_int_equal(pthread_attr_init(&a), 0);
    assert_int_equal(pthread_attr_getstacksize(&a, &sz), 0);
    assert_true(sz >= 64 * 1024);
    assert_int_equal(pthread_attr_setstacksize(&a, 1000), EINVAL);
    assert_int_equal(pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN), 0);
    assert_int_equal(pthread_attr_getstacksize(&a, &sz), 0);
    assert_int_equal(sz, PTHREAD_STACK_MIN);
    assert_int_equal(pthread_attr_getdetachstate(&a, &st), 0);
    assert_int_equal(st, PTHREAD_CREATE_JOINABLE);
    assert_int_equal(pthread_attr_setdetachstate(&a, 7), EINVAL);
    assert_int_equal(pthread_attr_setstack(&a, name, 65536), ENOTSUP);
    /* A small stack takes a smaller block than the default. */
    pages = pt_free_pages();
    assert_int_equal(pthread_create(&t, &a, report_self, &seen), 0);
    assert_true(pages - pt_free_pages() < 64);
    assert_int_equal(pthread_setname_np(t, "worker"), 0);
    assert_int_equal(pthread_setname_np(t, "a-name-too-long-for-it"), ERANGE);
    assert_int_equal(pthread_getname_np(t, name, sizeof(name)), 0);
    assert_string_equal(name, "worker");
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(pthread_equal(seen, t));
    assert_false(pthread_equal(seen, pthread_self()));
    assert_true(pthread_equal(pthread_self(), pthread_self()));
    /* The default-stack thread's block is 256 KiB. */
    pages = pt_free_pages();
    assert_int_equal(pthread_create(&t, NULL, report_self, &seen), 0);
    assert_int_equal(pages - pt_free_pages(), 64);
    assert_int_equal(pthread_join(t, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(join_returns_each_threads_value_and_frees,
                               pt_test_setup),
        cmocka_unit_test_setup(join_errors, pt_test_setup),
        cmocka_unit_test_setup(detached_threads_free_their_resources,
                               pt_test_setup),
        cmocka_unit_test_setup(exit_from_thread_runs_cleanup_then_destructors,
                               pt_test_setup),
        cmocka_unit_test_setup(key_destructors_order_iterations_and_nulls,
                               pt_test_setup),
        cmocka_unit_test_setup(destructors_run_for_threads_not_made_by_pthread,
                               pt_test_setup),
        cmocka_unit_test_setup(keys_run_out_with_eagain, pt_test_setup),
        cmocka_unit_test_setup(once_runs_init_once_under_contention,
                               pt_test_setup),
        cmocka_unit_test_setup(attributes_and_identity, pt_test_setup),
    };

    return cmocka_run_group_tests(tests, pt_group_setup, pt_group_teardown);
}
