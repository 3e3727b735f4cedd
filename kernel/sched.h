// SPDX-License-Identifier: MIT
/*
 * kernel/sched.h - cooperative threads, wait queues, sleep, mutexes and
 * condition variables.
 *
 * One vCPU, cooperative scheduling: a thread runs until it blocks,
 * sleeps, yields or exits; event handlers (upcall context) may only wake
 * threads. Design choice: all scheduler state changes happen with events
 * masked, and the mask is part of what a thread keeps across a switch
 * (schedule() is entered masked and each thread restores its own flags
 * when it resumes). Every blocking wait takes an absolute deadline on the
 * time_monotonic_ns() scale (SCHED_NO_DEADLINE only for purely local
 * waits such as a mutex), because waits on another domain must time out.
 * The idle thread programs Xen's one-shot timer for the earliest deadline
 * and blocks in SCHEDOP_block, which re-enables events atomically.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/ctx.h"
#include "kernel/sched_queue.h"
#include "kernel/timer.h"
#include "xen/evtchn.h"

#define SCHED_NO_DEADLINE UINT64_MAX
/* 56 KiB leaves room for the guard page, thread and libc state in 64 KiB. */
#define SCHED_DEFAULT_STACK (56 * 1024)
#define SCHED_NAME_LEN 16

enum sched_state {
    SCHED_RUNNABLE, /* running, or on the run queue */
    SCHED_BLOCKED,  /* on a wait queue and/or the timer list */
    SCHED_EXITED,   /* returned; waiting to be joined */
};

struct sched_waitq {
    struct sched_queue q;
};

struct sched_thread {
    struct arch_ctx ctx; /* first: 16-byte aligned */
    struct sched_queue_node node; /* run queue or a wait queue */
    struct timer timer;           /* sleep / wait deadline */
    enum sched_state state;
    int wake_reason;              /* 0 or -ETIMEDOUT for the last wait */
    char name[SCHED_NAME_LEN];
    void (*fn)(void *);
    void *arg;
    void *reent;          /* struct _reent *, see sched_newlib.c */
    void *alloc;          /* mm block holding guard, stack, this, libc */
    unsigned int alloc_order;
    bool joined;          /* someone already joined (or is joining) */
    struct sched_waitq exit_wq; /* joiners */
    uint64_t cpu_ns;      /* time it ran, up to its last switch-out */
    void *posix;          /* the POSIX layer's descriptor (lib/pthread.c) */
};

/*
 * Turn the caller (start_kernel on the boot stack) into the first thread,
 * "boot", and create the idle thread. Needs mm, evtchn and time. 0 or
 * -ENOMEM.
 */
int sched_init(void);

/*
 * A new runnable thread calling fn(arg); stack_size 0 = default. NULL on
 * ENOMEM or bad arguments.
 */
struct sched_thread *sched_thread_create(const char *name, void (*fn)(void *),
                                         void *arg, size_t stack_size);

/*
 * Wait for t to exit and free it. -EINVAL for self, a thread already
 * joined, or the boot thread.
 */
int sched_thread_join(struct sched_thread *t);

/* End the calling thread (also what returning from fn does). */
void sched_thread_exit(void) __attribute__((noreturn));

/*
 * Let every other runnable thread run once before the caller continues.
 * Always 0: the kernel function is also POSIX's sched_yield(), so it has
 * its signature.
 */
int sched_yield(void);
struct sched_thread *sched_self(void);
/*
 * The thread that runs the app's main() (kernel/main.c creates it and
 * records it here); NULL before. The POSIX layer needs it for
 * pthread_exit() from main(), which must not end the thread.
 */
void sched_set_app_thread(struct sched_thread *t);
struct sched_thread *sched_app_thread(void);

/*
 * The cooperative-scheduling guarantee for POSIX code (docs/porting.md):
 * a thread that has run SCHED_SLICE_NS or more since it was last switched
 * in, while another thread is runnable, yields here. The POSIX layer
 * calls it at its safe points (every pthread_* lock, condition, once and
 * yield call); kernel code never does, so the kernel's "no switch unless
 * it blocks" rule is unchanged. Returns true when it yielded.
 */
#define SCHED_SLICE_NS (10 * 1000 * 1000ull)
bool sched_preempt_point(void);

/*
 * CPU time on the time_monotonic_ns() scale: of thread t (including the
 * current run when t is running), and of every thread but idle since
 * sched_init() (the process CPU time).
 */
uint64_t sched_thread_cpu_ns(const struct sched_thread *t);
uint64_t sched_process_cpu_ns(void);

/*
 * hook(self) runs in every thread that ends through sched_thread_exit()
 * (or by returning from its function), before it is marked exited: the
 * POSIX layer runs thread-specific-data destructors there. One hook.
 */
void sched_set_exit_hook(void (*hook)(struct sched_thread *self));

/* Copy name (truncated to SCHED_NAME_LEN - 1) as t's name. */
void sched_thread_set_name(struct sched_thread *t, const char *name);

/* Sleep until the absolute deadline / for ns nanoseconds. */
void sched_sleep_until(uint64_t deadline_ns);
void sched_sleep_ns(uint64_t ns);

/* ---- wait queues ---- */

void sched_waitq_init(struct sched_waitq *wq);

/*
 * Block on wq until woken or deadline passes. MUST be called with events
 * masked (evtchn_irq_save), after checking the condition under the same
 * mask, so a wake-up from a handler cannot slip in between. Returns 0
 * when woken, -ETIMEDOUT at the deadline. Events are masked on return.
 */
int sched_wait_locked(struct sched_waitq *wq, uint64_t deadline_ns);

/* Wake the first / every waiter; safe from event handlers. */
void sched_wake_one(struct sched_waitq *wq);
void sched_wake_all(struct sched_waitq *wq);

/*
 * Wait until cond is true or timeout_ns elapse; evaluates to 0 (cond
 * true) or -ETIMEDOUT (cond still false at the deadline). cond is
 * evaluated with events masked.
 */
#define sched_wait_event_timeout(wq, cond, timeout_ns)                        \
    ({                                                                        \
        uint64_t _swe_dl = sched_deadline_after(timeout_ns);                  \
        unsigned long _swe_flags = evtchn_irq_save();                         \
        int _swe_rc = 0;                                                      \
        while (!(cond) && _swe_rc == 0)                                       \
            _swe_rc = sched_wait_locked((wq), _swe_dl);                       \
        if ((cond))                                                           \
            _swe_rc = 0;                                                      \
        evtchn_irq_restore(_swe_flags);                                       \
        _swe_rc;                                                              \
    })

/* now + ns, saturating (so a huge timeout means "no deadline"). */
uint64_t sched_deadline_after(uint64_t ns);

/* ---- mutexes and condition variables (thread context only) ---- */

struct sched_mutex {
    struct sched_thread *owner;
    unsigned int depth; /* recursion depth when recursive */
    bool recursive;
    struct sched_waitq waiters;
};

void sched_mutex_init(struct sched_mutex *m, bool recursive);
void sched_mutex_lock(struct sched_mutex *m);
/*
 * Like sched_mutex_lock, giving up at the absolute deadline: 0 (owned)
 * or -ETIMEDOUT (not owned; a hand-off never races with the timeout:
 * a timed-out waiter is off the queue before unlock could pick it).
 */
int sched_mutex_lock_until(struct sched_mutex *m, uint64_t deadline_ns);
/* 0, or -EBUSY if another thread holds it. */
int sched_mutex_trylock(struct sched_mutex *m);
/* 0, or -EPERM if the caller does not hold it. */
int sched_mutex_unlock(struct sched_mutex *m);

struct sched_cond {
    struct sched_waitq wq;
};

void sched_cond_init(struct sched_cond *c);
/*
 * Release m, wait for a signal or the deadline, re-acquire m. 0 or
 * -ETIMEDOUT. Like POSIX, callers re-check their predicate.
 */
int sched_cond_wait_until(struct sched_cond *c, struct sched_mutex *m,
                          uint64_t deadline_ns);
void sched_cond_signal(struct sched_cond *c);
void sched_cond_broadcast(struct sched_cond *c);

/* ---- per-thread C library state (sched_newlib.c, or a test fake) ---- */

/* Bytes of libc state (struct _reent + TLS block) placed with a thread. */
size_t sched_libc_area_size(void);
/*
 * Initialise the area for a new thread: returns the reent pointer and
 * stores the thread pointer (FS base) into *fs_base.
 */
void *sched_libc_area_init(void *area, uint64_t *fs_base);
/* Release what the libc state holds (open streams' buffers...). */
void sched_libc_area_fini(void *reent);

#endif /* KERNEL_SCHED_H */
