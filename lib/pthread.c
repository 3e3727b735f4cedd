// SPDX-License-Identifier: MIT
/*
 * lib/pthread.c - POSIX threads on the cooperative scheduler: creation,
 * join, detach, exit, thread attributes, thread-specific data (keys with
 * destructors), once and cleanup handlers.
 *
 * Design: a POSIX thread is a kernel thread (kernel/sched.h) plus a
 * malloc'd descriptor (lib/pthread_impl.h) hung on its `posix` slot;
 * pthread_t is the descriptor's address. The kernel frees a thread's
 * stack only when someone joins it (a thread cannot free the stack it
 * runs on), so detached threads are joined by a reaper thread,
 * "pthread-reaper", created with the first pthread. Key destructors run
 * on the dying thread's own stack, before it is marked ended, from the
 * thread's exit path (return from the start routine or pthread_exit) or,
 * for threads the POSIX layer did not create, from the kernel's exit
 * hook. Nothing here is ever touched from event context, so the only
 * exclusion needed is the cooperative rule (no switch unless we block);
 * the kernel's wait queues are still used under evtchn_irq_save() as
 * their contract wants. Reference: POSIX.1-2017 XSH 2.9 (Threads),
 * pthread_create, pthread_key_create, pthread_once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pthread_impl.h"
#include "xen/evtchn.h"
#include "xen/time.h"

_Static_assert(PTHREAD_DEFAULT_STACK + 16 * 1024 <= 256 * 1024,
               "default stack plus thread state must fit 256 KiB");

enum { ONCE_NEVER = 0, ONCE_RUNNING = 1, ONCE_DONE = 2 };

static struct {
    bool ready;
    struct pthread *all;     /* every descriptor, newest first */
    struct pthread *zombies; /* detached and ended, not yet joined */
    struct sched_waitq reaper_wq;
    struct sched_waitq end_wq;  /* a pthread ended (main's pthread_exit) */
    struct sched_waitq once_wq; /* a pthread_once init returned */
    struct sched_thread *reaper;
    unsigned int live;    /* pthread_create'd threads not yet ended */
    unsigned int created; /* for thread names */
    struct {
        bool used;
        void (*dtor)(void *);
    } keys[PTHREAD_KEYS_MAX];
} pt;

/* ---- descriptors ---- */

static void list_add(struct pthread *d)
{
    d->prev = NULL;
    d->next = pt.all;
    if (pt.all)
        pt.all->prev = d;
    pt.all = d;
}

static void list_del(struct pthread *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        pt.all = d->next;
    if (d->next)
        d->next->prev = d->prev;
    d->prev = d->next = NULL;
}

/* The descriptor behind a pthread_t, or NULL if it names no thread. */
static struct pthread *lookup(pthread_t t)
{
    struct pthread *d;

    for (d = pt.all; d; d = d->next)
        if ((pthread_t)d == t)
            return d->magic == PTHREAD_MAGIC ? d : NULL;
    return NULL;
}

static void free_desc(struct pthread *d)
{
    list_del(d);
    if (d->kt && d->kt->posix == d)
        d->kt->posix = NULL;
    d->magic = 0;
    free(d);
}

/*
 * Destructors of every key with a non-NULL value, value cleared first,
 * in key order, repeated while destructors store values again.
 */
static void run_destructors(struct pthread *d)
{
    for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
        bool ran = false;

        for (unsigned int k = 0; k < PTHREAD_KEYS_MAX; k++) {
            void *v = d->values[k];
            void (*dtor)(void *) = pt.keys[k].dtor;

            if (!v || !pt.keys[k].used || !dtor)
                continue;
            d->values[k] = NULL;
            dtor(v);
            ran = true;
        }
        if (!ran)
            break;
    }
}

/* Kernel exit hook: threads the POSIX layer adopted end here. */
static void on_kernel_thread_exit(struct sched_thread *self)
{
    struct pthread *d = self->posix;

    if (!d || !d->adopted)
        return;
    run_destructors(d);
    free_desc(d);
}

static void reaper_main(void *arg)
{
    (void)arg;
    for (;;) {
        unsigned long flags = evtchn_irq_save();
        struct pthread *z;

        while (!pt.zombies)
            sched_wait_locked(&pt.reaper_wq, SCHED_NO_DEADLINE);
        z = pt.zombies;
        pt.zombies = z->zombie_next;
        evtchn_irq_restore(flags);
        /* It ended just before exiting: this returns at once. */
        (void)sched_thread_join(z->kt);
        free_desc(z);
    }
}

/* Idempotent set-up of the queues and the kernel exit hook. */
static void pt_init(void)
{
    if (pt.ready)
        return;
    sched_waitq_init(&pt.reaper_wq);
    sched_waitq_init(&pt.end_wq);
    sched_waitq_init(&pt.once_wq);
    sched_set_exit_hook(on_kernel_thread_exit);
    pt.ready = true;
}

/* The reaper comes with the first pthread; false on ENOMEM. */
static bool reaper_start(void)
{
    pt_init();
    if (!pt.reaper)
        pt.reaper =
            sched_thread_create("pthread-reaper", reaper_main, NULL, 16 * 1024);
    return pt.reaper != NULL;
}

struct pthread *pthread_current(void)
{
    struct sched_thread *kt = sched_self();
    struct pthread *d = kt->posix;

    if (d)
        return d;
    pt_init();
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->magic = PTHREAD_MAGIC;
    d->kt = kt;
    d->adopted = true;
    list_add(d);
    kt->posix = d;
    return d;
}

/* For calls that cannot report ENOMEM (pthread_self, cleanup_push). */
static struct pthread *current_or_abort(void)
{
    struct pthread *d = pthread_current();

    if (!d)
        abort();
    return d;
}

int pthread_deadline(clockid_t clock, const struct timespec *abstime,
                     uint64_t *deadline)
{
    uint64_t abs_ns, now_ns, base;

    if (!abstime || abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000L)
        return EINVAL;
    if (abstime->tv_sec < 0) {
        *deadline = 0; /* long past */
        return 0;
    }
    if ((uint64_t)abstime->tv_sec > (UINT64_MAX / 1000000000u) - 1) {
        *deadline = SCHED_NO_DEADLINE;
        return 0;
    }
    abs_ns =
        (uint64_t)abstime->tv_sec * 1000000000u + (uint64_t)abstime->tv_nsec;
    if (clock == CLOCK_MONOTONIC) {
        /* The app's monotonic clock is the domain's uptime. */
        base = time_boot_ns();
        *deadline = abs_ns > SCHED_NO_DEADLINE - base ? SCHED_NO_DEADLINE
                                                      : abs_ns + base;
        return 0;
    }
    if (clock == CLOCK_REALTIME) {
        uint64_t sec;
        uint32_t nsec;

        time_wall(&sec, &nsec);
        now_ns = sec * 1000000000u + nsec;
        /* Fixed now against the monotonic clock: a wall-clock step later
         * does not move the deadline. */
        *deadline =
            abs_ns <= now_ns ? 0 : sched_deadline_after(abs_ns - now_ns);
        return 0;
    }
    return EINVAL;
}

/* ---- creation and end ---- */

/* Runs on the dying thread; never returns. */
static void thread_end(struct pthread *d, void *retval)
    __attribute__((noreturn));
static void thread_end(struct pthread *d, void *retval)
{
    unsigned long flags;

    run_destructors(d);
    d->retval = retval;
    flags = evtchn_irq_save();
    d->ended = true;
    pt.live--;
    if (d->detached) {
        d->zombie_next = pt.zombies;
        pt.zombies = d;
        sched_wake_one(&pt.reaper_wq);
    }
    sched_wake_all(&pt.end_wq);
    evtchn_irq_restore(flags);
    /* No switch since the zombie was queued: the reaper joins an
     * exited thread. */
    sched_thread_exit();
}

static void trampoline(void *arg)
{
    struct pthread *d = arg;

    thread_end(d, d->start(d->arg));
}

static void thread_name(char *buf, unsigned int n)
{
    char digits[12];
    int i = 0;

    memcpy(buf, "pthread-", 8);
    do {
        digits[i++] = (char)('0' + n % 10);
        n /= 10;
    } while (n && i < (int)sizeof(digits));
    for (int j = 0; j < i; j++)
        buf[8 + j] = digits[i - 1 - j];
    buf[8 + i] = '\0';
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                   void *(*start)(void *), void *arg)
{
    size_t stack = PTHREAD_DEFAULT_STACK;
    struct pthread *d;
    char name[24];

    if (!thread || !start)
        return EINVAL;
    if (attr) {
        if (attr->__stacksize)
            stack = attr->__stacksize;
        if (attr->__detachstate != PTHREAD_CREATE_JOINABLE &&
            attr->__detachstate != PTHREAD_CREATE_DETACHED)
            return EINVAL;
    }
    if (!reaper_start())
        return EAGAIN;
    d = calloc(1, sizeof(*d));
    if (!d)
        return EAGAIN;
    d->magic = PTHREAD_MAGIC;
    d->start = start;
    d->arg = arg;
    d->detached = attr && attr->__detachstate == PTHREAD_CREATE_DETACHED;
    thread_name(name, ++pt.created);
    /* The new thread first runs when we block or yield: d is complete
     * by then. */
    d->kt = sched_thread_create(name, trampoline, d, stack);
    if (!d->kt) {
        d->magic = 0;
        free(d);
        return EAGAIN;
    }
    d->kt->posix = d;
    list_add(d);
    pt.live++;
    *thread = (pthread_t)d;
    return 0;
}

int pthread_join(pthread_t thread, void **retval)
{
    struct pthread *d = lookup(thread);

    if (!d)
        return ESRCH;
    if (d->kt == sched_self())
        return EDEADLK;
    if (d->adopted || d->detached || d->joining)
        return EINVAL;
    d->joining = true;
    /* Waits for the end, then frees stack, thread and libc state. */
    (void)sched_thread_join(d->kt);
    if (retval)
        *retval = d->retval;
    free_desc(d);
    return 0;
}

int pthread_detach(pthread_t thread)
{
    struct pthread *d = lookup(thread);

    if (!d)
        return ESRCH;
    if (d->adopted || d->detached || d->joining)
        return EINVAL;
    if (d->ended) {
        /* Ended already, nobody will join: free it now. */
        d->joining = true;
        (void)sched_thread_join(d->kt);
        free_desc(d);
        return 0;
    }
    d->detached = true;
    return 0;
}

void pthread_exit(void *retval)
{
    struct pthread *d = current_or_abort();
    unsigned long flags;

    while (d->cleanup) {
        struct __xn_pthread_cleanup *c = d->cleanup;

        d->cleanup = c->__prev;
        c->__routine(c->__arg);
    }
    if (!d->adopted)
        thread_end(d, retval);
    if (d->kt != sched_app_thread())
        sched_thread_exit(); /* the exit hook runs the destructors */
    /* main(): the process lives on until the last pthread has ended. */
    run_destructors(d);
    flags = evtchn_irq_save();
    while (pt.live)
        sched_wait_locked(&pt.end_wq, SCHED_NO_DEADLINE);
    evtchn_irq_restore(flags);
    exit(0);
}

pthread_t pthread_self(void)
{
    return (pthread_t)current_or_abort();
}

int pthread_equal(pthread_t a, pthread_t b)
{
    return a == b;
}

int pthread_cancel(pthread_t thread)
{
    return lookup(thread) ? ENOSYS : ESRCH;
}

/* Signals are delivered in the caller (lib/signal.c): no other way. */
int pthread_kill(pthread_t thread, int sig)
{
    if (!lookup(thread))
        return ESRCH;
    if (sig == 0)
        return 0;
    return raise(sig) ? errno : 0;
}

int pthread_setcancelstate(int state, int *oldstate)
{
    if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
        return EINVAL;
    if (oldstate)
        *oldstate = PTHREAD_CANCEL_ENABLE;
    return 0;
}

int pthread_setcanceltype(int type, int *oldtype)
{
    if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
        return EINVAL;
    if (oldtype)
        *oldtype = PTHREAD_CANCEL_DEFERRED;
    return 0;
}

void pthread_testcancel(void)
{
}

int pthread_atfork(void (*prepare)(void), void (*parent)(void),
                   void (*child)(void))
{
    (void)prepare, (void)parent, (void)child;
    return 0;
}

int pthread_setname_np(pthread_t thread, const char *name)
{
    struct pthread *d = lookup(thread);

    if (!d)
        return ESRCH;
    if (!name || strlen(name) >= SCHED_NAME_LEN)
        return ERANGE;
    sched_thread_set_name(d->kt, name);
    return 0;
}

int pthread_getname_np(pthread_t thread, char *name, size_t len)
{
    struct pthread *d = lookup(thread);
    size_t n;

    if (!d)
        return ESRCH;
    n = strlen(d->kt->name);
    if (!name || len <= n)
        return ERANGE;
    memcpy(name, d->kt->name, n + 1);
    return 0;
}

int pthread_getschedparam(pthread_t thread, int *policy,
                          struct sched_param *param)
{
    if (!lookup(thread))
        return ESRCH;
    if (policy)
        *policy = SCHED_OTHER;
    if (param)
        memset(param, 0, sizeof(*param));
    return 0;
}

int pthread_setschedparam(pthread_t thread, int policy,
                          const struct sched_param *param)
{
    (void)policy, (void)param;
    return lookup(thread) ? 0 : ESRCH;
}

int pthread_getcpuclockid(pthread_t thread, clockid_t *clock)
{
    if (!lookup(thread))
        return ESRCH;
    /* One CPU-time clock id: the caller's own (CLOCK_THREAD_CPUTIME_ID). */
    if (thread != pthread_self())
        return ENOTSUP;
    *clock = CLOCK_THREAD_CPUTIME_ID;
    return 0;
}

int pthread_getconcurrency(void)
{
    return 0;
}

int pthread_setconcurrency(int level)
{
    return level < 0 ? EINVAL : 0;
}

/* ---- cleanup handlers ---- */

void __xn_pthread_cleanup_push(struct __xn_pthread_cleanup *c,
                               void (*routine)(void *), void *arg)
{
    struct pthread *d = current_or_abort();

    c->__routine = routine;
    c->__arg = arg;
    c->__prev = d->cleanup;
    d->cleanup = c;
}

void __xn_pthread_cleanup_pop(struct __xn_pthread_cleanup *c, int execute)
{
    struct pthread *d = current_or_abort();

    d->cleanup = c->__prev;
    if (execute)
        c->__routine(c->__arg);
}

/* ---- attributes ---- */

int pthread_attr_init(pthread_attr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    attr->__guardsize = 4096;
    attr->__schedpolicy = SCHED_OTHER;
    return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
    (void)attr;
    return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
    if (size < PTHREAD_STACK_MIN || size > PTHREAD_MAX_STACK)
        return EINVAL;
    attr->__stacksize = size;
    return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
    *size = attr->__stacksize ? attr->__stacksize : PTHREAD_DEFAULT_STACK;
    return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
    if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
        return EINVAL;
    attr->__detachstate = state;
    return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
    *state = attr->__detachstate;
    return 0;
}

int pthread_attr_setguardsize(pthread_attr_t *attr, size_t size)
{
    attr->__guardsize = size;
    return 0;
}

int pthread_attr_getguardsize(const pthread_attr_t *attr, size_t *size)
{
    *size = attr->__guardsize;
    return 0;
}

int pthread_attr_setstack(pthread_attr_t *attr, void *addr, size_t size)
{
    (void)attr, (void)addr, (void)size;
    return ENOTSUP;
}

int pthread_attr_getstack(const pthread_attr_t *attr, void **addr, size_t *size)
{
    *addr = NULL; /* chosen by the kernel at creation */
    return pthread_attr_getstacksize(attr, size);
}

int pthread_attr_setstackaddr(pthread_attr_t *attr, void *addr)
{
    (void)attr, (void)addr;
    return ENOTSUP;
}

int pthread_attr_getstackaddr(const pthread_attr_t *attr, void **addr)
{
    (void)attr;
    *addr = NULL;
    return 0;
}

int pthread_attr_setscope(pthread_attr_t *attr, int scope)
{
    if (scope != PTHREAD_SCOPE_SYSTEM && scope != PTHREAD_SCOPE_PROCESS)
        return EINVAL;
    attr->__scope = scope;
    return 0;
}

int pthread_attr_getscope(const pthread_attr_t *attr, int *scope)
{
    *scope = attr->__scope;
    return 0;
}

int pthread_attr_setinheritsched(pthread_attr_t *attr, int inherit)
{
    if (inherit != PTHREAD_INHERIT_SCHED && inherit != PTHREAD_EXPLICIT_SCHED)
        return EINVAL;
    attr->__inheritsched = inherit;
    return 0;
}

int pthread_attr_getinheritsched(const pthread_attr_t *attr, int *inherit)
{
    *inherit = attr->__inheritsched;
    return 0;
}

int pthread_attr_setschedpolicy(pthread_attr_t *attr, int policy)
{
    if (policy != SCHED_OTHER && policy != SCHED_FIFO && policy != SCHED_RR)
        return EINVAL;
    attr->__schedpolicy = policy;
    return 0;
}

int pthread_attr_getschedpolicy(const pthread_attr_t *attr, int *policy)
{
    *policy = attr->__schedpolicy;
    return 0;
}

int pthread_attr_setschedparam(pthread_attr_t *attr,
                               const struct sched_param *param)
{
    attr->__schedparam = *param;
    return 0;
}

int pthread_attr_getschedparam(const pthread_attr_t *attr,
                               struct sched_param *param)
{
    *param = attr->__schedparam;
    return 0;
}

/* ---- keys ---- */

/* A key (re)used or deleted: no thread may keep a value under it. */
static void clear_key_everywhere(unsigned int k)
{
    for (struct pthread *d = pt.all; d; d = d->next)
        d->values[k] = NULL;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
    pt_init();
    for (unsigned int k = 0; k < PTHREAD_KEYS_MAX; k++) {
        if (pt.keys[k].used)
            continue;
        pt.keys[k].used = true;
        pt.keys[k].dtor = destructor;
        clear_key_everywhere(k);
        *key = k;
        return 0;
    }
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
    if (key >= PTHREAD_KEYS_MAX || !pt.keys[key].used)
        return EINVAL;
    pt.keys[key].used = false;
    pt.keys[key].dtor = NULL;
    clear_key_everywhere(key); /* no destructor: POSIX */
    return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
    struct pthread *d = sched_self()->posix;

    if (key >= PTHREAD_KEYS_MAX || !pt.keys[key].used || !d)
        return NULL;
    return d->values[key];
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
    struct pthread *d;

    if (key >= PTHREAD_KEYS_MAX || !pt.keys[key].used)
        return EINVAL;
    d = pthread_current();
    if (!d)
        return ENOMEM;
    d->values[key] = (void *)(uintptr_t)value;
    return 0;
}

/* ---- once ---- */

int pthread_once(pthread_once_t *once, void (*init)(void))
{
    unsigned long flags;

    (void)sched_preempt_point();
    if (*once == ONCE_DONE)
        return 0;
    if (*once == ONCE_NEVER) {
        /* Cooperative: nobody runs between the test and the store. */
        *once = ONCE_RUNNING;
        init();
        *once = ONCE_DONE;
        pt_init();
        sched_wake_all(&pt.once_wq);
        return 0;
    }
    /* Another thread's init is running (it blocked or yielded). */
    pt_init();
    flags = evtchn_irq_save();
    while (*once == ONCE_RUNNING)
        sched_wait_locked(&pt.once_wq, SCHED_NO_DEADLINE);
    evtchn_irq_restore(flags);
    return 0;
}
