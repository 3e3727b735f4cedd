// SPDX-License-Identifier: MIT
/*
 * include/pthread.h - POSIX threads for xenith apps (compatibility
 * header, replaces newlib's <pthread.h>).
 *
 * newlib declares pthreads only for systems that implement them (RTEMS)
 * and describes its objects as 32-bit ids; xenith implements them in
 * lib/pthread.c and lib/pthread_sync.c on the kernel's cooperative
 * scheduler, with the object types of <sys/_pthreadtypes.h> (also
 * xenith's). This header declares what is implemented, with POSIX.1-2017
 * names and signatures, so that unmodified programs compile; what is
 * declared but refused (cancellation, process-shared objects, explicit
 * stacks) returns the error named here and in docs/porting.md, never a
 * silent success. The feature macros (_POSIX_THREADS ...) come from the
 * guest compile flags (CMakeLists.txt), so <unistd.h> announces them too.
 *
 * Scheduling is cooperative (docs/porting.md, "Threads"): a thread runs
 * until it blocks, sleeps or yields; every pthread_* call below that
 * takes or waits for a lock, and sched_yield(), is also a preemption
 * point where a thread that ran 10 ms or more while others were runnable
 * gives way. A loop that calls none of them keeps the vCPU.
 * Reference: POSIX.1-2017 <pthread.h>.
 */
#ifndef INCLUDE_PTHREAD_H
#define INCLUDE_PTHREAD_H

#if !defined(XENITH_GUEST) && !defined(XENITH_PTHREAD_HOST_TEST)
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <pthread.h>
#else

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include "sys/_pthreadtypes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits (<limits.h> names). The host's may differ: ours win here. */
#undef PTHREAD_KEYS_MAX
#undef PTHREAD_DESTRUCTOR_ITERATIONS
#undef PTHREAD_STACK_MIN
#undef PTHREAD_THREADS_MAX
#define PTHREAD_KEYS_MAX              128
#define PTHREAD_DESTRUCTOR_ITERATIONS 4
#define PTHREAD_STACK_MIN             16384

/* Attribute values. */
#define PTHREAD_CREATE_JOINABLE       0
#define PTHREAD_CREATE_DETACHED       1
#define PTHREAD_INHERIT_SCHED         0
#define PTHREAD_EXPLICIT_SCHED        1
#define PTHREAD_SCOPE_SYSTEM          0
#define PTHREAD_SCOPE_PROCESS         1
#define PTHREAD_PROCESS_PRIVATE       0
#define PTHREAD_PROCESS_SHARED        1
#define PTHREAD_PRIO_NONE             0
#define PTHREAD_PRIO_INHERIT          1
#define PTHREAD_PRIO_PROTECT          2

#define PTHREAD_MUTEX_NORMAL        0
#define PTHREAD_MUTEX_RECURSIVE     1
#define PTHREAD_MUTEX_ERRORCHECK    2
#define PTHREAD_MUTEX_DEFAULT       PTHREAD_MUTEX_NORMAL
/* glibc's names, which ported code often uses. */
#define PTHREAD_MUTEX_RECURSIVE_NP  PTHREAD_MUTEX_RECURSIVE
#define PTHREAD_MUTEX_ERRORCHECK_NP PTHREAD_MUTEX_ERRORCHECK
#define PTHREAD_MUTEX_STALLED       0
#define PTHREAD_MUTEX_ROBUST        1

#define PTHREAD_CANCEL_ENABLE       0
#define PTHREAD_CANCEL_DISABLE      1
#define PTHREAD_CANCEL_DEFERRED     0
#define PTHREAD_CANCEL_ASYNCHRONOUS 1
#define PTHREAD_CANCELED            ((void *)-1)

#define PTHREAD_BARRIER_SERIAL_THREAD (-1)

/* Static initialisers: every object is valid all-zero. */
#define PTHREAD_MUTEX_INITIALIZER                                              \
    {                                                                          \
        0, 0, 0, {0, 0}, 0, 0                                                  \
    }
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP                                 \
    {                                                                          \
        0, 0, 0, {0, 0}, PTHREAD_MUTEX_RECURSIVE, 0                            \
    }
#define PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP                                \
    {                                                                          \
        0, 0, 0, {0, 0}, PTHREAD_MUTEX_ERRORCHECK, 0                           \
    }
#define PTHREAD_COND_INITIALIZER                                               \
    {                                                                          \
        {0, 0}, 0, 0                                                           \
    }
#define PTHREAD_RWLOCK_INITIALIZER                                             \
    {                                                                          \
        0, 0, 0, {0, 0},                                                       \
        {                                                                      \
            0, 0                                                               \
        }                                                                      \
    }
#define PTHREAD_ONCE_INIT 0

/* ---- threads ---- */

/*
 * Start a thread running start(arg). Its stack is attr's stack size
 * (default 240 KiB: with the guard page and thread state it is one
 * 256 KiB block) above an unmapped guard page. EAGAIN when memory runs
 * out, EINVAL for a bad attribute.
 */
int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                   void *(*start)(void *), void *arg);
/* EDEADLK (self), EINVAL (detached / already joined), ESRCH. */
int pthread_join(pthread_t thread, void **retval);
/* Resources of a detached thread are freed as soon as it ends. */
int pthread_detach(pthread_t thread);
/*
 * End the calling thread: cleanup handlers, then key destructors, then
 * retval to the joiner. From main(), the domain goes on until every
 * other pthread has ended and then exits with status 0.
 */
void pthread_exit(void *retval) __attribute__((noreturn));
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);
/* Not supported (no cancellation points): ENOSYS. */
int pthread_cancel(pthread_t thread);
/* Accepted; nothing is ever cancelled. */
int pthread_setcancelstate(int state, int *oldstate);
int pthread_setcanceltype(int type, int *oldtype);
void pthread_testcancel(void);
/* Fork never happens: handlers are accepted and never called. */
int pthread_atfork(void (*prepare)(void), void (*parent)(void),
                   void (*child)(void));
/* Thread names (up to 15 characters; they appear in crash reports). */
int pthread_setname_np(pthread_t thread, const char *name);
int pthread_getname_np(pthread_t thread, char *name, size_t len);
/* Scheduling parameters are accepted and have no effect. */
int pthread_getschedparam(pthread_t thread, int *policy,
                          struct sched_param *param);
int pthread_setschedparam(pthread_t thread, int policy,
                          const struct sched_param *param);
/* The CPU-time clock of a thread (for clock_gettime). */
int pthread_getcpuclockid(pthread_t thread, clockid_t *clock);
int pthread_getconcurrency(void);
int pthread_setconcurrency(int level);

/* Cleanup handlers, run by pthread_exit() or by pop(1). */
struct __xn_pthread_cleanup {
    void (*__routine)(void *);
    void *__arg;
    struct __xn_pthread_cleanup *__prev;
};
void __xn_pthread_cleanup_push(struct __xn_pthread_cleanup *c,
                               void (*routine)(void *), void *arg);
void __xn_pthread_cleanup_pop(struct __xn_pthread_cleanup *c, int execute);
#define pthread_cleanup_push(routine, arg)                                     \
    do {                                                                       \
        struct __xn_pthread_cleanup __xn_cleanup;                              \
        __xn_pthread_cleanup_push(&__xn_cleanup, (routine), (arg));
#define pthread_cleanup_pop(execute)                                           \
    __xn_pthread_cleanup_pop(&__xn_cleanup, (execute));                        \
    }                                                                          \
    while (0)

/* ---- thread attributes ---- */

int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
/* EINVAL below PTHREAD_STACK_MIN or above 512 MiB. */
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state);
/* Recorded; the guard is always one unmapped page. */
int pthread_attr_setguardsize(pthread_attr_t *attr, size_t size);
int pthread_attr_getguardsize(const pthread_attr_t *attr, size_t *size);
/* Caller-provided stacks are not supported: ENOTSUP. */
int pthread_attr_setstack(pthread_attr_t *attr, void *addr, size_t size);
int pthread_attr_getstack(const pthread_attr_t *attr, void **addr,
                          size_t *size);
int pthread_attr_setstackaddr(pthread_attr_t *attr, void *addr);
int pthread_attr_getstackaddr(const pthread_attr_t *attr, void **addr);
/* Accepted and recorded; one cooperative policy for every thread. */
int pthread_attr_setscope(pthread_attr_t *attr, int scope);
int pthread_attr_getscope(const pthread_attr_t *attr, int *scope);
int pthread_attr_setinheritsched(pthread_attr_t *attr, int inherit);
int pthread_attr_getinheritsched(const pthread_attr_t *attr, int *inherit);
int pthread_attr_setschedpolicy(pthread_attr_t *attr, int policy);
int pthread_attr_getschedpolicy(const pthread_attr_t *attr, int *policy);
int pthread_attr_setschedparam(pthread_attr_t *attr,
                               const struct sched_param *param);
int pthread_attr_getschedparam(const pthread_attr_t *attr,
                               struct sched_param *param);

/* ---- mutexes ---- */

int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type);
/* PTHREAD_PROCESS_SHARED: ENOTSUP (there is one process). */
int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int pshared);
int pthread_mutexattr_getpshared(const pthread_mutexattr_t *attr, int *pshared);
/* PTHREAD_PRIO_NONE only (ENOTSUP otherwise); robust: ENOTSUP. */
int pthread_mutexattr_setprotocol(pthread_mutexattr_t *attr, int protocol);
int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *attr,
                                  int *protocol);
int pthread_mutexattr_setrobust(pthread_mutexattr_t *attr, int robust);
int pthread_mutexattr_getrobust(const pthread_mutexattr_t *attr, int *robust);

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
/* EBUSY while locked. */
int pthread_mutex_destroy(pthread_mutex_t *m);
/*
 * NORMAL: relocking by the owner deadlocks (POSIX); RECURSIVE: counts;
 * ERRORCHECK: EDEADLK. Unlocking a mutex the caller does not hold: EPERM
 * for every type. Ownership passes to the first waiter (FIFO, no
 * barging).
 */
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
/* CLOCK_REALTIME absolute time; ETIMEDOUT, EINVAL (bad tv_nsec). */
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime);
int pthread_mutex_unlock(pthread_mutex_t *m);

/* ---- condition variables ---- */

int pthread_condattr_init(pthread_condattr_t *attr);
int pthread_condattr_destroy(pthread_condattr_t *attr);
/* CLOCK_REALTIME (default) or CLOCK_MONOTONIC; EINVAL otherwise. */
int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock);
int pthread_condattr_getclock(const pthread_condattr_t *attr, clockid_t *clock);
int pthread_condattr_setpshared(pthread_condattr_t *attr, int pshared);
int pthread_condattr_getpshared(const pthread_condattr_t *attr, int *pshared);

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
/* EBUSY while threads wait on it. */
int pthread_cond_destroy(pthread_cond_t *c);
/* EPERM if the caller does not hold m. */
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
/*
 * abstime on the condition's clock. A CLOCK_REALTIME time is turned into
 * a monotonic deadline when the wait starts (a later change of the wall
 * clock does not move it). ETIMEDOUT, with m held again.
 */
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                           const struct timespec *abstime);
int pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c);

/* ---- reader-writer locks ---- */

/*
 * Readers are admitted whenever no writer holds the lock (readers first,
 * as glibc's default), so a thread may take a read lock it already
 * holds. EDEADLK when the writer asks again; EPERM unlocking a lock not
 * held.
 */
int pthread_rwlockattr_init(pthread_rwlockattr_t *attr);
int pthread_rwlockattr_destroy(pthread_rwlockattr_t *attr);
int pthread_rwlockattr_setpshared(pthread_rwlockattr_t *attr, int pshared);
int pthread_rwlockattr_getpshared(const pthread_rwlockattr_t *attr,
                                  int *pshared);
int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr);
int pthread_rwlock_destroy(pthread_rwlock_t *rw);
int pthread_rwlock_rdlock(pthread_rwlock_t *rw);
int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw);
int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw,
                               const struct timespec *abstime);
int pthread_rwlock_wrlock(pthread_rwlock_t *rw);
int pthread_rwlock_trywrlock(pthread_rwlock_t *rw);
int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw,
                               const struct timespec *abstime);
int pthread_rwlock_unlock(pthread_rwlock_t *rw);

/* ---- once, keys ---- */

/* Other callers wait until the first caller's init has returned. */
int pthread_once(pthread_once_t *once, void (*init)(void));

/*
 * PTHREAD_KEYS_MAX keys (EAGAIN beyond). At thread end, each key's
 * destructor runs on a non-NULL value (in key order, the value reset to
 * NULL first), repeated up to PTHREAD_DESTRUCTOR_ITERATIONS rounds while
 * destructors store new values. Also for threads not made by
 * pthread_create (xn_thread_create) that use keys; main()'s values are
 * not destroyed by exit(), as POSIX says.
 */
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_key_delete(pthread_key_t key);
void *pthread_getspecific(pthread_key_t key);
int pthread_setspecific(pthread_key_t key, const void *value);

/* ---- spin locks and barriers ---- */

/* A spin lock that is held yields until it is free (one vCPU). */
int pthread_spin_init(pthread_spinlock_t *lock, int pshared);
int pthread_spin_destroy(pthread_spinlock_t *lock);
int pthread_spin_lock(pthread_spinlock_t *lock);
int pthread_spin_trylock(pthread_spinlock_t *lock);
int pthread_spin_unlock(pthread_spinlock_t *lock);

int pthread_barrierattr_init(pthread_barrierattr_t *attr);
int pthread_barrierattr_destroy(pthread_barrierattr_t *attr);
int pthread_barrierattr_setpshared(pthread_barrierattr_t *attr, int pshared);
int pthread_barrierattr_getpshared(const pthread_barrierattr_t *attr,
                                   int *pshared);
int pthread_barrier_init(pthread_barrier_t *b,
                         const pthread_barrierattr_t *attr, unsigned int count);
int pthread_barrier_destroy(pthread_barrier_t *b);
int pthread_barrier_wait(pthread_barrier_t *b);

/* ---- signals (see docs/porting.md: nothing is delivered asynchronously) */

/* The process-wide mask of sigprocmask() (there is one mask). */
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
/* sig 0: ESRCH check; else the signal is raised in the calling thread. */
int pthread_kill(pthread_t thread, int sig);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST || XENITH_PTHREAD_HOST_TEST */
#endif /* INCLUDE_PTHREAD_H */
