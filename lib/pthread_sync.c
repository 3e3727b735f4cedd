// SPDX-License-Identifier: MIT
/*
 * lib/pthread_sync.c - POSIX mutexes, condition variables, reader-writer
 * locks, spin locks and barriers on the kernel's wait queues.
 *
 * Design: a pthread_mutex_t IS a kernel struct sched_mutex (FIFO hand-off
 * to the first waiter, recursion count) followed by its POSIX type, and a
 * pthread_cond_t a struct sched_cond plus its clock; the layouts are
 * checked below. Every object is valid all-zero (the static
 * initialisers): its wait queue is set up on first use, which needs no
 * lock because only threads touch these objects and a thread is not
 * switched out unless it blocks. The POSIX type rules live here: relock
 * of an ERRORCHECK mutex (and, instead of a silent hang, of a NORMAL
 * one) is EDEADLK, unlock by a non-owner EPERM. rwlocks admit readers
 * whenever no writer holds the lock (so read locks nest). Each lock,
 * wait, signal and once operation is a preemption point
 * (sched_preempt_point: 10 ms slices, docs/porting.md). Reference:
 * POSIX.1-2017 pthread_mutex_lock, pthread_cond_timedwait,
 * pthread_rwlock_rdlock, pthread_spin_lock, pthread_barrier_wait.
 */
#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "lib/pthread_impl.h"
#include "xen/evtchn.h"

/* ---- mutexes ---- */

struct pt_mutex {
    struct sched_mutex m;
    int kind;
    int pad;
};

_Static_assert(sizeof(struct pt_mutex) == sizeof(pthread_mutex_t),
               "pthread_mutex_t must hold a sched_mutex and its type");
_Static_assert(offsetof(struct pt_mutex, kind) ==
                   offsetof(pthread_mutex_t, __kind),
               "the type must be where the static initialisers put it");
_Static_assert(alignof(struct pt_mutex) <= alignof(pthread_mutex_t),
               "pthread_mutex_t alignment");

static struct pt_mutex *mx(pthread_mutex_t *mu)
{
    struct pt_mutex *p = (struct pt_mutex *)(void *)mu;

    if (!p->m.waiters.q.head.next) /* statically initialised */
        sched_mutex_init(&p->m, p->kind == PTHREAD_MUTEX_RECURSIVE);
    return p;
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
    if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
        type != PTHREAD_MUTEX_ERRORCHECK)
        return EINVAL;
    attr->__kind = type;
    return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type)
{
    *type = attr->__kind;
    return 0;
}

/* One process: only private objects exist. */
static int pshared_set(int *field, int pshared)
{
    if (pshared == PTHREAD_PROCESS_PRIVATE) {
        *field = pshared;
        return 0;
    }
    return pshared == PTHREAD_PROCESS_SHARED ? ENOTSUP : EINVAL;
}

int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int pshared)
{
    return pshared_set(&attr->__pshared, pshared);
}

int pthread_mutexattr_getpshared(const pthread_mutexattr_t *attr, int *pshared)
{
    *pshared = attr->__pshared;
    return 0;
}

int pthread_mutexattr_setprotocol(pthread_mutexattr_t *attr, int protocol)
{
    (void)attr;
    if (protocol == PTHREAD_PRIO_NONE)
        return 0;
    return protocol == PTHREAD_PRIO_INHERIT || protocol == PTHREAD_PRIO_PROTECT
               ? ENOTSUP
               : EINVAL;
}

int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *attr,
                                  int *protocol)
{
    (void)attr;
    *protocol = PTHREAD_PRIO_NONE;
    return 0;
}

int pthread_mutexattr_setrobust(pthread_mutexattr_t *attr, int robust)
{
    (void)attr;
    if (robust == PTHREAD_MUTEX_STALLED)
        return 0;
    return robust == PTHREAD_MUTEX_ROBUST ? ENOTSUP : EINVAL;
}

int pthread_mutexattr_getrobust(const pthread_mutexattr_t *attr, int *robust)
{
    (void)attr;
    *robust = PTHREAD_MUTEX_STALLED;
    return 0;
}

int pthread_mutex_init(pthread_mutex_t *mu, const pthread_mutexattr_t *attr)
{
    struct pt_mutex *p = (struct pt_mutex *)(void *)mu;

    memset(p, 0, sizeof(*p));
    p->kind = attr ? attr->__kind : PTHREAD_MUTEX_DEFAULT;
    sched_mutex_init(&p->m, p->kind == PTHREAD_MUTEX_RECURSIVE);
    return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *mu)
{
    return mx(mu)->m.owner ? EBUSY : 0;
}

/* Lock with an absolute kernel deadline (SCHED_NO_DEADLINE: forever). */
static int mutex_lock_until(struct pt_mutex *p, uint64_t deadline)
{
    if (p->m.owner == sched_self()) {
        if (p->kind != PTHREAD_MUTEX_RECURSIVE)
            return EDEADLK;
        if (p->m.depth == UINT_MAX)
            return EAGAIN;
    }
    return sched_mutex_lock_until(&p->m, deadline) ? ETIMEDOUT : 0;
}

int pthread_mutex_lock(pthread_mutex_t *mu)
{
    (void)sched_preempt_point();
    return mutex_lock_until(mx(mu), SCHED_NO_DEADLINE);
}

int pthread_mutex_trylock(pthread_mutex_t *mu)
{
    struct pt_mutex *p = mx(mu);

    (void)sched_preempt_point();
    if (p->m.owner == sched_self() && p->kind == PTHREAD_MUTEX_RECURSIVE &&
        p->m.depth == UINT_MAX)
        return EAGAIN;
    if (p->m.owner == sched_self() && p->kind != PTHREAD_MUTEX_RECURSIVE)
        return EBUSY;
    return sched_mutex_trylock(&p->m) ? EBUSY : 0;
}

int pthread_mutex_timedlock(pthread_mutex_t *mu, const struct timespec *abstime)
{
    struct pt_mutex *p = mx(mu);
    uint64_t deadline;
    int rc;

    (void)sched_preempt_point();
    if (p->m.owner == sched_self())
        return mutex_lock_until(p, SCHED_NO_DEADLINE); /* EDEADLK/count */
    /* POSIX: abstime is only checked when the call would block. */
    if (sched_mutex_trylock(&p->m) == 0)
        return 0;
    rc = pthread_deadline(CLOCK_REALTIME, abstime, &deadline);
    if (rc)
        return rc;
    return mutex_lock_until(p, deadline);
}

int pthread_mutex_unlock(pthread_mutex_t *mu)
{
    if (sched_mutex_unlock(&mx(mu)->m))
        return EPERM;
    (void)sched_preempt_point();
    return 0;
}

/* ---- condition variables ---- */

enum { COND_REALTIME = 0, COND_MONOTONIC = 1 };

struct pt_cond {
    struct sched_cond c;
    int clock; /* COND_* */
    int pad;
};

_Static_assert(sizeof(struct pt_cond) == sizeof(pthread_cond_t),
               "pthread_cond_t must hold a sched_cond and its clock");
_Static_assert(offsetof(struct pt_cond, clock) ==
                   offsetof(pthread_cond_t, __clock),
               "the clock must be where the static initialiser puts it");

static struct pt_cond *cvx(pthread_cond_t *c)
{
    struct pt_cond *p = (struct pt_cond *)(void *)c;

    pthread_waitq_lazy(&p->c.wq);
    return p;
}

int pthread_condattr_init(pthread_condattr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock)
{
    if (clock == CLOCK_REALTIME)
        attr->__clock = COND_REALTIME;
    else if (clock == CLOCK_MONOTONIC)
        attr->__clock = COND_MONOTONIC;
    else
        return EINVAL;
    return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *attr, clockid_t *clock)
{
    *clock = attr->__clock == COND_MONOTONIC ? CLOCK_MONOTONIC : CLOCK_REALTIME;
    return 0;
}

int pthread_condattr_setpshared(pthread_condattr_t *attr, int pshared)
{
    return pshared_set(&attr->__pshared, pshared);
}

int pthread_condattr_getpshared(const pthread_condattr_t *attr, int *pshared)
{
    *pshared = attr->__pshared;
    return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    struct pt_cond *p = (struct pt_cond *)(void *)c;

    memset(p, 0, sizeof(*p));
    sched_cond_init(&p->c);
    p->clock = attr ? attr->__clock : COND_REALTIME;
    return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
    return sched_queue_empty(&cvx(c)->c.wq.q) ? 0 : EBUSY;
}

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *mu,
                     const struct timespec *abstime)
{
    struct pt_cond *cv = cvx(c);
    struct pt_mutex *p = mx(mu);
    uint64_t deadline = SCHED_NO_DEADLINE;
    int rc;

    if (p->m.owner != sched_self())
        return EPERM;
    if (abstime) {
        rc = pthread_deadline(cv->clock == COND_MONOTONIC ? CLOCK_MONOTONIC
                                                          : CLOCK_REALTIME,
                              abstime, &deadline);
        if (rc)
            return rc;
    }
    /* Queued on c before m is released: a signal after that is seen. */
    rc = sched_cond_wait_until(&cv->c, &p->m, deadline);
    return rc == -ETIMEDOUT ? ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *mu)
{
    return cond_wait(c, mu, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *mu,
                           const struct timespec *abstime)
{
    if (!abstime)
        return EINVAL;
    return cond_wait(c, mu, abstime);
}

int pthread_cond_signal(pthread_cond_t *c)
{
    sched_cond_signal(&cvx(c)->c);
    (void)sched_preempt_point();
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    sched_cond_broadcast(&cvx(c)->c);
    (void)sched_preempt_point();
    return 0;
}

/* ---- reader-writer locks ---- */

struct pt_rwlock {
    struct sched_thread *writer;
    unsigned int readers;
    unsigned int pad;
    struct sched_waitq rd; /* readers waiting for the writer to leave */
    struct sched_waitq wr; /* writers waiting for a free lock */
};

_Static_assert(sizeof(struct pt_rwlock) == sizeof(pthread_rwlock_t),
               "pthread_rwlock_t layout");

static struct pt_rwlock *rwx(pthread_rwlock_t *rw)
{
    struct pt_rwlock *r = (struct pt_rwlock *)(void *)rw;

    pthread_waitq_lazy(&r->rd);
    pthread_waitq_lazy(&r->wr);
    return r;
}

int pthread_rwlockattr_init(pthread_rwlockattr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_rwlockattr_setpshared(pthread_rwlockattr_t *attr, int pshared)
{
    return pshared_set(&attr->__pshared, pshared);
}

int pthread_rwlockattr_getpshared(const pthread_rwlockattr_t *attr,
                                  int *pshared)
{
    *pshared = attr->__pshared;
    return 0;
}

int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    (void)attr;
    memset(rw, 0, sizeof(*rw));
    (void)rwx(rw);
    return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    struct pt_rwlock *r = rwx(rw);

    return r->writer || r->readers ? EBUSY : 0;
}

/*
 * Take r for reading (write=false) or writing before the deadline: 0,
 * EBUSY (deadline 0: a try), ETIMEDOUT or EDEADLK.
 */
static int rw_lock(struct pt_rwlock *r, bool write, uint64_t deadline, bool try)
{
    struct sched_thread *self = sched_self();
    unsigned long flags;
    int rc = 0;

    (void)sched_preempt_point();
    if (r->writer == self)
        return try ? EBUSY : EDEADLK;
    flags = evtchn_irq_save();
    for (;;) {
        bool free = write ? !r->writer && !r->readers : !r->writer;

        if (free) {
            if (write)
                r->writer = self;
            else
                r->readers++;
            rc = 0;
            break;
        }
        if (try || rc) {
            rc = try ? EBUSY : ETIMEDOUT;
            break;
        }
        rc = sched_wait_locked(write ? &r->wr : &r->rd, deadline);
    }
    evtchn_irq_restore(flags);
    return rc;
}

/* The deadline of a timed rwlock call, checked only when it must wait. */
static int rw_timed(pthread_rwlock_t *rw, bool write,
                    const struct timespec *abstime)
{
    struct pt_rwlock *r = rwx(rw);
    uint64_t deadline;
    int rc = rw_lock(r, write, 0, true);

    if (rc != EBUSY || r->writer == sched_self())
        return rc == EBUSY ? EDEADLK : rc;
    rc = pthread_deadline(CLOCK_REALTIME, abstime, &deadline);
    return rc ? rc : rw_lock(r, write, deadline, false);
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    return rw_lock(rwx(rw), false, SCHED_NO_DEADLINE, false);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    return rw_lock(rwx(rw), false, 0, true);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw,
                               const struct timespec *abstime)
{
    return rw_timed(rw, false, abstime);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    return rw_lock(rwx(rw), true, SCHED_NO_DEADLINE, false);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    return rw_lock(rwx(rw), true, 0, true);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw,
                               const struct timespec *abstime)
{
    return rw_timed(rw, true, abstime);
}

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    struct pt_rwlock *r = rwx(rw);
    unsigned long flags = evtchn_irq_save();
    int rc = 0;

    if (r->writer == sched_self()) {
        r->writer = NULL;
        /* Readers first (they share), then one writer: whoever runs
         * first takes it, the others re-check and wait again. */
        sched_wake_all(&r->rd);
        sched_wake_one(&r->wr);
    } else if (r->readers && !r->writer) {
        if (--r->readers == 0)
            sched_wake_one(&r->wr);
    } else {
        rc = EPERM;
    }
    evtchn_irq_restore(flags);
    if (!rc)
        (void)sched_preempt_point();
    return rc;
}

/* ---- spin locks: a held lock yields (spinning on one vCPU would
 * never let the holder run) ---- */

int pthread_spin_init(pthread_spinlock_t *lock, int pshared)
{
    int field;
    int rc = pshared_set(&field, pshared);

    if (rc)
        return rc;
    *lock = 0;
    return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *lock)
{
    return *lock ? EBUSY : 0;
}

int pthread_spin_lock(pthread_spinlock_t *lock)
{
    (void)sched_preempt_point();
    while (*lock)
        sched_yield();
    *lock = 1;
    return 0;
}

int pthread_spin_trylock(pthread_spinlock_t *lock)
{
    if (*lock)
        return EBUSY;
    *lock = 1;
    return 0;
}

int pthread_spin_unlock(pthread_spinlock_t *lock)
{
    *lock = 0;
    (void)sched_preempt_point();
    return 0;
}

/* ---- barriers ---- */

struct pt_barrier {
    struct sched_waitq wq;
    unsigned int count;
    unsigned int arrived;
    unsigned int cycle;
    unsigned int pad;
};

_Static_assert(sizeof(struct pt_barrier) == sizeof(pthread_barrier_t),
               "pthread_barrier_t layout");

int pthread_barrierattr_init(pthread_barrierattr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    return 0;
}

int pthread_barrierattr_destroy(pthread_barrierattr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_barrierattr_setpshared(pthread_barrierattr_t *attr, int pshared)
{
    return pshared_set(&attr->__pshared, pshared);
}

int pthread_barrierattr_getpshared(const pthread_barrierattr_t *attr,
                                   int *pshared)
{
    *pshared = attr->__pshared;
    return 0;
}

int pthread_barrier_init(pthread_barrier_t *b,
                         const pthread_barrierattr_t *attr, unsigned int count)
{
    struct pt_barrier *p = (struct pt_barrier *)(void *)b;

    (void)attr;
    if (count == 0)
        return EINVAL;
    memset(p, 0, sizeof(*p));
    sched_waitq_init(&p->wq);
    p->count = count;
    return 0;
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
    struct pt_barrier *p = (struct pt_barrier *)(void *)b;

    return p->arrived ? EBUSY : 0;
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
    struct pt_barrier *p = (struct pt_barrier *)(void *)b;
    unsigned long flags;
    unsigned int cycle;

    (void)sched_preempt_point();
    flags = evtchn_irq_save();
    cycle = p->cycle;
    if (++p->arrived == p->count) {
        p->arrived = 0;
        p->cycle++;
        sched_wake_all(&p->wq);
        evtchn_irq_restore(flags);
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    while (cycle == p->cycle)
        sched_wait_locked(&p->wq, SCHED_NO_DEADLINE);
    evtchn_irq_restore(flags);
    return 0;
}
