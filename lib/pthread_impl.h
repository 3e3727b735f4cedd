// SPDX-License-Identifier: MIT
/*
 * lib/pthread_impl.h - private interface between lib/pthread.c (threads,
 * keys, once) and lib/pthread_sync.c (mutexes, conditions, rwlocks,
 * spin locks, barriers).
 *
 * A thread descriptor (struct pthread) is malloc'd per POSIX thread and
 * reached from the kernel thread's `posix` slot; threads the POSIX layer
 * did not create (main, xn_thread_create) get one the first time they
 * need it ("adopted"). Times given to the POSIX calls are absolute
 * timespecs on CLOCK_REALTIME or CLOCK_MONOTONIC (the domain's uptime);
 * pthread_deadline() turns them into the kernel's time_monotonic_ns()
 * deadlines, the only scale timers use (docs/internals.md).
 */
#ifndef LIB_PTHREAD_IMPL_H
#define LIB_PTHREAD_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "kernel/sched.h"

#define PTHREAD_MAGIC 0x70746872u /* "pthr" */
/* 256 KiB block = guard page + stack + thread + libc state. */
#define PTHREAD_DEFAULT_STACK (240u * 1024)
#define PTHREAD_MAX_STACK     (512u * 1024 * 1024)

struct pthread {
    unsigned int magic;
    struct sched_thread *kt;
    void *(*start)(void *);
    void *arg;
    void *retval;
    bool adopted; /* not created by pthread_create: never joined */
    bool detached;
    bool joining; /* a pthread_join is waiting or done */
    bool ended;   /* ran its exit path (destructors done) */
    struct __xn_pthread_cleanup *cleanup;
    struct pthread *prev, *next; /* every descriptor */
    struct pthread *zombie_next; /* detached and ended: for the reaper */
    void *values[PTHREAD_KEYS_MAX];
};

/* The caller's descriptor, adopting the thread if it has none; NULL on
 * ENOMEM. */
struct pthread *pthread_current(void);

/*
 * Kernel deadline of abstime on clock (CLOCK_REALTIME or
 * CLOCK_MONOTONIC): 0 with *deadline set, or EINVAL (bad tv_nsec or
 * clock). A time already past gives a deadline already past.
 */
int pthread_deadline(clockid_t clock, const struct timespec *abstime,
                     uint64_t *deadline);

/* A fresh, empty wait queue for an object that was zero-filled. */
static inline void pthread_waitq_lazy(struct sched_waitq *wq)
{
    if (!wq->q.head.next)
        sched_waitq_init(wq);
}

#endif /* LIB_PTHREAD_IMPL_H */
