// SPDX-License-Identifier: MIT
/*
 * kernel/sched.c - cooperative threads on one vCPU.
 *
 * Design: a FIFO run queue, an idle thread that is never queued, and one
 * timer list shared by sleeps and wait timeouts. A thread's guard page,
 * stack, struct sched_thread and libc state (struct _reent + TLS) come
 * from one mm block: [guard][stack ...][thread][libc], so creating a
 * thread is one allocation and the joiner frees it in one call (a thread
 * cannot free the stack it runs on). Scheduler state is touched only with
 * events masked; handlers use sched_wake_*. The idle thread sleeps in
 * SCHEDOP_block, entered with events masked so that "nothing runnable"
 * and "block" are atomic against a handler's wake-up (xen.h: SCHEDOP_block
 * re-enables delivery and checks pending events before blocking).
 */
#include "kernel/sched.h"

#include <errno.h>
#include <string.h>

#include "arch/x86_64/arch.h"
#include "kernel/mm.h"
#include "xen/evtchn.h"
#include "xen/hypercall.h"
#include "xen/time.h"

static struct {
    struct sched_thread *current;
    struct sched_thread *idle;
    struct sched_queue runq;
    struct timer_list timers;
    struct sched_thread boot;
    uint64_t switches;
    uint64_t switched_at; /* when current was switched in */
    uint64_t started_at;  /* sched_init() */
    void (*exit_hook)(struct sched_thread *self);
    struct sched_thread *app; /* runs main() */
} sc;

static void switch_to(struct sched_thread *next)
{
    struct sched_thread *prev = sc.current;
    uint64_t now;

    if (next == prev)
        return;
    /* CPU accounting: idle's share is the time nothing ran. */
    now = time_monotonic_ns();
    prev->cpu_ns += now - sc.switched_at;
    sc.switched_at = now;
    sc.current = next;
    sc.switches++;
    arch_ctx_switch(&prev->ctx, &next->ctx);
}

/* Make t runnable (events masked). Idempotent. */
static void make_runnable(struct sched_thread *t)
{
    if (t->state != SCHED_BLOCKED)
        return;
    timer_del(&t->timer);
    sched_queue_remove(&t->node); /* off its wait queue, if any */
    t->state = SCHED_RUNNABLE;
    if (t != sc.idle)
        sched_queue_push(&sc.runq, &t->node);
}

/*
 * Pick the next thread and switch to it. Events masked on entry and on
 * return. If the caller is still runnable it goes to the back of the
 * queue first (yield).
 */
static void schedule_locked(void)
{
    struct sched_thread *prev = sc.current, *next;
    struct sched_queue_node *n;

    /* A thread ran: event storms were held back long enough. */
    evtchn_storm_tick();
    timer_list_run(&sc.timers, time_monotonic_ns());
    if (prev->state == SCHED_RUNNABLE && prev != sc.idle &&
        !sched_queue_node_queued(&prev->node))
        sched_queue_push(&sc.runq, &prev->node);
    n = sched_queue_pop(&sc.runq);
    next = n ? sched_queue_entry(n, struct sched_thread, node) : sc.idle;
    switch_to(next);
}

static void timeout_fired(struct timer *tm, void *arg)
{
    struct sched_thread *t = arg;

    (void)tm;
    if (t->state == SCHED_BLOCKED) {
        t->wake_reason = -ETIMEDOUT;
        make_runnable(t);
    }
}

uint64_t sched_deadline_after(uint64_t ns)
{
    uint64_t now = time_monotonic_ns();

    return ns > SCHED_NO_DEADLINE - now ? SCHED_NO_DEADLINE : now + ns;
}

/* ---- idle ---- */

static void idle_main(void *arg)
{
    (void)arg;
    /* thread_start() enabled events; the loop below wants them masked. */
    evtchn_irq_disable();
    for (;;) {
        uint64_t deadline;

        timer_list_run(&sc.timers, time_monotonic_ns());
        if (!sched_queue_empty(&sc.runq)) {
            schedule_locked();
            continue;
        }
        if (timer_list_next(&sc.timers, &deadline) &&
            deadline != SCHED_NO_DEADLINE)
            time_set_timer(deadline);
        /*
         * Events are masked here, so a wake-up cannot sneak in between the
         * empty check and the block: SCHEDOP_block unmasks atomically and
         * returns at once if something is pending. Pending upcalls are
         * delivered as the hypercall returns; mask again for the checks.
         */
        hypercall_sched_op_block();
        evtchn_irq_restore(0);
        evtchn_irq_disable();
    }
}

/* ---- threads ---- */

static void thread_start(void *arg)
{
    struct sched_thread *t = arg;

    /* First run: schedule_locked() left events masked for us. */
    evtchn_irq_enable();
    t->fn(t->arg);
    sched_thread_exit();
}

static void thread_common_init(struct sched_thread *t, const char *name)
{
    size_t len = name ? strlen(name) : 0;

    sched_queue_node_init(&t->node);
    timer_init(&t->timer, timeout_fired, t);
    sched_waitq_init(&t->exit_wq);
    t->state = SCHED_RUNNABLE;
    t->wake_reason = 0;
    t->joined = false;
    if (len >= SCHED_NAME_LEN)
        len = SCHED_NAME_LEN - 1;
    memcpy(t->name, name ? name : "", len);
    t->name[len] = '\0';
}

static unsigned int order_for(size_t bytes)
{
    unsigned int order = 0;

    while ((MM_PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

struct sched_thread *sched_thread_create(const char *name, void (*fn)(void *),
                                         void *arg, size_t stack_size)
{
    size_t libc = (sched_libc_area_size() + 63) & ~(size_t)63;
    size_t tsz = (sizeof(struct sched_thread) + 63) & ~(size_t)63;
    unsigned int order;
    uintptr_t base, top;
    struct sched_thread *t;
    unsigned long flags;
    uint64_t fs_base = 0;

    if (!fn || !sc.current)
        return NULL;
    if (!stack_size)
        stack_size = SCHED_DEFAULT_STACK;
    if (stack_size > ((size_t)MM_PAGE_SIZE << (MM_MAX_ORDER - 1)))
        return NULL;
    order = order_for(MM_PAGE_SIZE + stack_size + tsz + libc);
    if (order >= MM_MAX_ORDER)
        return NULL;
    base = (uintptr_t)mm_alloc_pages(order);
    if (!base)
        return NULL;
    top = base + (MM_PAGE_SIZE << order);
    t = (struct sched_thread *)(top - libc - tsz);
    memset(t, 0, sizeof(*t));
    thread_common_init(t, name);
    t->alloc = (void *)base;
    t->alloc_order = order;
    t->fn = fn;
    t->arg = arg;
    t->reent = sched_libc_area_init((void *)(top - libc), &fs_base);
    /* Stack overflow must fault, not overwrite a neighbour's memory. */
    (void)arch_guard_page((void *)base);
    arch_ctx_init(&t->ctx, t, thread_start, t);
    t->ctx.fs_base = fs_base;

    flags = evtchn_irq_save();
    sched_queue_push(&sc.runq, &t->node);
    evtchn_irq_restore(flags);
    return t;
}

void sched_thread_exit(void)
{
    struct sched_thread *self = sc.current;

    /* Thread context still: the hook may run destructors that block. */
    if (sc.exit_hook)
        sc.exit_hook(self);
    evtchn_irq_disable();
    self->state = SCHED_EXITED;
    sched_wake_all(&self->exit_wq);
    schedule_locked();
    /* Nobody switches back to an exited thread. */
    for (;;)
        hypercall_sched_op_block();
}

int sched_thread_join(struct sched_thread *t)
{
    unsigned long flags;

    if (!t || t == sc.current || t == &sc.boot || t == sc.idle || t->joined)
        return -EINVAL;
    t->joined = true;
    flags = evtchn_irq_save();
    while (t->state != SCHED_EXITED)
        sched_wait_locked(&t->exit_wq, SCHED_NO_DEADLINE);
    evtchn_irq_restore(flags);

    sched_libc_area_fini(t->reent);
    (void)arch_unguard_page(t->alloc);
    mm_free_pages(t->alloc, t->alloc_order);
    return 0;
}

int sched_yield(void)
{
    unsigned long flags = evtchn_irq_save();

    schedule_locked();
    evtchn_irq_restore(flags);
    return 0;
}

struct sched_thread *sched_self(void)
{
    return sc.current;
}

void sched_set_app_thread(struct sched_thread *t)
{
    sc.app = t;
}

struct sched_thread *sched_app_thread(void)
{
    return sc.app;
}

bool sched_preempt_point(void)
{
    unsigned long flags;
    bool yield;

    /* Cheap test first: nothing else to run means nothing to give up. */
    if (sched_queue_empty(&sc.runq))
        return false;
    flags = evtchn_irq_save();
    yield = !sched_queue_empty(&sc.runq) && sc.current != sc.idle &&
            time_monotonic_ns() - sc.switched_at >= SCHED_SLICE_NS;
    if (yield)
        schedule_locked();
    evtchn_irq_restore(flags);
    return yield;
}

uint64_t sched_thread_cpu_ns(const struct sched_thread *t)
{
    unsigned long flags = evtchn_irq_save();
    uint64_t ns = t->cpu_ns;

    if (t == sc.current)
        ns += time_monotonic_ns() - sc.switched_at;
    evtchn_irq_restore(flags);
    return ns;
}

uint64_t sched_process_cpu_ns(void)
{
    unsigned long flags = evtchn_irq_save();
    uint64_t now = time_monotonic_ns();
    uint64_t idle = sc.idle ? sc.idle->cpu_ns : 0;
    uint64_t all = now - sc.started_at;

    if (sc.current == sc.idle)
        idle += now - sc.switched_at;
    evtchn_irq_restore(flags);
    return all > idle ? all - idle : 0;
}

void sched_set_exit_hook(void (*hook)(struct sched_thread *self))
{
    sc.exit_hook = hook;
}

void sched_thread_set_name(struct sched_thread *t, const char *name)
{
    size_t len = name ? strlen(name) : 0;

    if (len >= SCHED_NAME_LEN)
        len = SCHED_NAME_LEN - 1;
    memcpy(t->name, name ? name : "", len);
    t->name[len] = '\0';
}

void sched_sleep_until(uint64_t deadline_ns)
{
    unsigned long flags = evtchn_irq_save();
    struct sched_thread *self = sc.current;

    while (time_monotonic_ns() < deadline_ns) {
        self->state = SCHED_BLOCKED;
        timer_add(&sc.timers, &self->timer, deadline_ns);
        schedule_locked();
    }
    evtchn_irq_restore(flags);
}

void sched_sleep_ns(uint64_t ns)
{
    sched_sleep_until(sched_deadline_after(ns));
}

/* ---- wait queues ---- */

void sched_waitq_init(struct sched_waitq *wq)
{
    sched_queue_init(&wq->q);
}

int sched_wait_locked(struct sched_waitq *wq, uint64_t deadline_ns)
{
    struct sched_thread *self = sc.current;

    if (deadline_ns != SCHED_NO_DEADLINE &&
        time_monotonic_ns() >= deadline_ns)
        return -ETIMEDOUT;
    self->state = SCHED_BLOCKED;
    self->wake_reason = 0;
    sched_queue_push(&wq->q, &self->node);
    if (deadline_ns != SCHED_NO_DEADLINE)
        timer_add(&sc.timers, &self->timer, deadline_ns);
    schedule_locked();
    return self->wake_reason;
}

static void wake_first(struct sched_waitq *wq)
{
    struct sched_queue_node *n = sched_queue_pop(&wq->q);

    if (n) {
        struct sched_thread *t =
            sched_queue_entry(n, struct sched_thread, node);
        t->wake_reason = 0;
        make_runnable(t);
    }
}

void sched_wake_one(struct sched_waitq *wq)
{
    unsigned long flags = evtchn_irq_save();

    wake_first(wq);
    evtchn_irq_restore(flags);
}

void sched_wake_all(struct sched_waitq *wq)
{
    unsigned long flags = evtchn_irq_save();

    while (!sched_queue_empty(&wq->q))
        wake_first(wq);
    evtchn_irq_restore(flags);
}

/* ---- mutexes and condition variables ---- */

void sched_mutex_init(struct sched_mutex *m, bool recursive)
{
    m->owner = NULL;
    m->depth = 0;
    m->recursive = recursive;
    sched_waitq_init(&m->waiters);
}

void sched_mutex_lock(struct sched_mutex *m)
{
    (void)sched_mutex_lock_until(m, SCHED_NO_DEADLINE);
}

int sched_mutex_lock_until(struct sched_mutex *m, uint64_t deadline_ns)
{
    unsigned long flags = evtchn_irq_save();
    struct sched_thread *self = sc.current;
    int rc = 0;

    if (m->owner == self && m->recursive) {
        m->depth++;
    } else {
        /*
         * unlock hands ownership over, so one wake-up is enough. A
         * timeout takes us off the waiters first (make_runnable), so
         * once it fired unlock can no longer hand the mutex to us.
         */
        while (m->owner && m->owner != self && rc == 0)
            rc = sched_wait_locked(&m->waiters, deadline_ns);
        if (m->owner == self || !m->owner) {
            m->owner = self;
            m->depth = 1;
            rc = 0;
        }
    }
    evtchn_irq_restore(flags);
    return rc;
}

int sched_mutex_trylock(struct sched_mutex *m)
{
    unsigned long flags = evtchn_irq_save();
    struct sched_thread *self = sc.current;
    int rc = 0;

    if (!m->owner) {
        m->owner = self;
        m->depth = 1;
    } else if (m->owner == self && m->recursive) {
        m->depth++;
    } else {
        rc = -EBUSY;
    }
    evtchn_irq_restore(flags);
    return rc;
}

int sched_mutex_unlock(struct sched_mutex *m)
{
    unsigned long flags = evtchn_irq_save();
    struct sched_queue_node *n;

    if (m->owner != sc.current) {
        evtchn_irq_restore(flags);
        return -EPERM;
    }
    if (--m->depth == 0) {
        /* Hand-off: the first waiter owns it when it runs (no barging). */
        n = sched_queue_pop(&m->waiters.q);
        m->owner = NULL;
        if (n) {
            struct sched_thread *t =
                sched_queue_entry(n, struct sched_thread, node);
            m->owner = t;
            t->wake_reason = 0;
            make_runnable(t);
        }
    }
    evtchn_irq_restore(flags);
    return 0;
}

void sched_cond_init(struct sched_cond *c)
{
    sched_waitq_init(&c->wq);
}

int sched_cond_wait_until(struct sched_cond *c, struct sched_mutex *m,
                          uint64_t deadline_ns)
{
    unsigned long flags = evtchn_irq_save();
    unsigned int depth = m->depth;
    int rc;

    /* Queue on c before releasing m so a signal after unlock is caught. */
    m->depth = 1;
    sched_mutex_unlock(m);
    rc = sched_wait_locked(&c->wq, deadline_ns);
    evtchn_irq_restore(flags);
    sched_mutex_lock(m);
    m->depth = depth;
    return rc;
}

void sched_cond_signal(struct sched_cond *c)
{
    sched_wake_one(&c->wq);
}

void sched_cond_broadcast(struct sched_cond *c)
{
    sched_wake_all(&c->wq);
}

/* ---- bring-up ---- */

int sched_init(void)
{
    void *area;
    uint64_t fs_base = 0;
    size_t libc = sched_libc_area_size();

    memset(&sc, 0, sizeof(sc));
    sched_queue_init(&sc.runq);
    timer_list_init(&sc.timers);

    /* The boot stack keeps running as thread "boot". */
    thread_common_init(&sc.boot, "boot");
    area = libc ? mm_alloc_pages(order_for(libc)) : NULL;
    if (libc && !area)
        return -ENOMEM;
    sc.boot.reent = area ? sched_libc_area_init(area, &fs_base) : NULL;
    sc.boot.ctx.fs_base = fs_base;
    if (fs_base)
        arch_set_fs_base(fs_base);
    sc.current = &sc.boot;
    sc.started_at = sc.switched_at = time_monotonic_ns();

    sc.idle = sched_thread_create("idle", idle_main, NULL, 16 * 1024);
    if (!sc.idle)
        return -ENOMEM;
    /* Idle is chosen only when the run queue is empty, never queued. */
    sched_queue_remove(&sc.idle->node);
    return 0;
}
