// SPDX-License-Identifier: MIT
/*
 * lib/net/sys_arch.c - lwIP's operating-system layer on xenith threads.
 *
 * lwIP with NO_SYS=0 needs counting semaphores, mutexes, bounded
 * mailboxes with timeouts, threads, a millisecond clock and a short
 * critical section. Design choice: semaphores and mailboxes are built
 * directly on the scheduler's wait queues, with their state changed
 * under evtchn_irq_save() (the kernel's cli), which is how the scheduler
 * itself closes the check-then-sleep race; mutexes are the scheduler's
 * (ownership hand-off, no barging); threads are scheduler threads that
 * are never joined (lwIP's tcpip thread lives as long as the domain).
 * SYS_ARCH_PROTECT also masks events: on one cooperative vCPU that is
 * enough to make lwIP's short sections (pool alloc/free) atomic.
 * Reference: lwIP src/include/lwip/sys.h, doc/sys_arch.txt.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/x86_64/arch.h"
#include "include/xenith.h"
#include "kernel/sched.h"
#include "lwip/err.h"
#include "lwip/sys.h"
#include "xen/console.h"
#include "xen/evtchn.h"
#include "xen/time.h"

struct sys_sem {
    unsigned int count;
    struct sched_waitq wq;
};

struct sys_mutex {
    struct sched_mutex m;
};

struct sys_mbox {
    unsigned int size, head, count;
    struct sched_waitq not_empty, not_full;
    void *msgs[];
};

#define NS_PER_MS 1000000ull

void sys_init(void)
{
}

u32_t sys_now(void)
{
    return (u32_t)(time_monotonic_ns() / NS_PER_MS);
}

/* lwIP timeouts are in ms; 0 means wait forever. */
static uint64_t deadline_ms(u32_t timeout)
{
    return timeout ? sched_deadline_after((uint64_t)timeout * NS_PER_MS)
                   : SCHED_NO_DEADLINE;
}

static u32_t elapsed_ms(uint64_t start)
{
    return (u32_t)((time_monotonic_ns() - start) / NS_PER_MS);
}

sys_prot_t sys_arch_protect(void)
{
    return evtchn_irq_save();
}

void sys_arch_unprotect(sys_prot_t pval)
{
    evtchn_irq_restore(pval);
}

/* ---- semaphores ---- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    struct sys_sem *s = malloc(sizeof(*s));

    if (!s) {
        *sem = NULL;
        return ERR_MEM;
    }
    s->count = count;
    sched_waitq_init(&s->wq);
    *sem = s;
    return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
    free(*sem);
    *sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
    struct sys_sem *s = *sem;
    unsigned long flags = evtchn_irq_save();

    s->count++;
    sched_wake_one(&s->wq);
    evtchn_irq_restore(flags);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
    struct sys_sem *s = *sem;
    uint64_t start = time_monotonic_ns();
    uint64_t deadline = deadline_ms(timeout);
    unsigned long flags = evtchn_irq_save();
    u32_t ret;

    while (s->count == 0) {
        if (sched_wait_locked(&s->wq, deadline) == -ETIMEDOUT &&
            s->count == 0) {
            evtchn_irq_restore(flags);
            return SYS_ARCH_TIMEOUT;
        }
    }
    s->count--;
    evtchn_irq_restore(flags);
    ret = elapsed_ms(start);
    /* SYS_ARCH_TIMEOUT is reserved for the timeout itself. */
    return ret == SYS_ARCH_TIMEOUT ? ret - 1 : ret;
}

/* ---- mutexes ---- */

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    struct sys_mutex *m = malloc(sizeof(*m));

    if (!m) {
        *mutex = NULL;
        return ERR_MEM;
    }
    sched_mutex_init(&m->m, false);
    *mutex = m;
    return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *mutex)
{
    free(*mutex);
    *mutex = NULL;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
    sched_mutex_lock(&(*mutex)->m);
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
    sched_mutex_unlock(&(*mutex)->m);
}

/* ---- mailboxes ---- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    struct sys_mbox *mb;

    if (size <= 0)
        size = 64;
    mb = malloc(sizeof(*mb) + (size_t)size * sizeof(void *));
    if (!mb) {
        *mbox = NULL;
        return ERR_MEM;
    }
    mb->size = (unsigned int)size;
    mb->head = mb->count = 0;
    sched_waitq_init(&mb->not_empty);
    sched_waitq_init(&mb->not_full);
    *mbox = mb;
    return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
    free(*mbox);
    *mbox = NULL;
}

/* With events masked: the box has room. */
static void mbox_put_locked(struct sys_mbox *mb, void *msg)
{
    mb->msgs[(mb->head + mb->count) % mb->size] = msg;
    mb->count++;
    sched_wake_one(&mb->not_empty);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    struct sys_mbox *mb = *mbox;
    unsigned long flags = evtchn_irq_save();

    while (mb->count == mb->size)
        sched_wait_locked(&mb->not_full, SCHED_NO_DEADLINE);
    mbox_put_locked(mb, msg);
    evtchn_irq_restore(flags);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    struct sys_mbox *mb = *mbox;
    unsigned long flags = evtchn_irq_save();
    err_t err = ERR_MEM;

    if (mb->count < mb->size) {
        mbox_put_locked(mb, msg);
        err = ERR_OK;
    }
    evtchn_irq_restore(flags);
    return err;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    return sys_mbox_trypost(mbox, msg);
}

/* With events masked: the box is not empty. */
static void *mbox_get_locked(struct sys_mbox *mb)
{
    void *msg = mb->msgs[mb->head];

    mb->head = (mb->head + 1) % mb->size;
    mb->count--;
    sched_wake_one(&mb->not_full);
    return msg;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
    struct sys_mbox *mb = *mbox;
    uint64_t start = time_monotonic_ns();
    uint64_t deadline = deadline_ms(timeout);
    unsigned long flags = evtchn_irq_save();
    void *m;
    u32_t ret;

    while (mb->count == 0) {
        if (sched_wait_locked(&mb->not_empty, deadline) == -ETIMEDOUT &&
            mb->count == 0) {
            evtchn_irq_restore(flags);
            if (msg)
                *msg = NULL;
            return SYS_ARCH_TIMEOUT;
        }
    }
    m = mbox_get_locked(mb);
    evtchn_irq_restore(flags);
    if (msg)
        *msg = m;
    ret = elapsed_ms(start);
    return ret == SYS_ARCH_TIMEOUT ? ret - 1 : ret;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    struct sys_mbox *mb = *mbox;
    unsigned long flags = evtchn_irq_save();
    void *m;

    if (mb->count == 0) {
        evtchn_irq_restore(flags);
        return SYS_MBOX_EMPTY;
    }
    m = mbox_get_locked(mb);
    evtchn_irq_restore(flags);
    if (msg)
        *msg = m;
    return 0;
}

/* ---- threads ---- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg,
                            int stacksize, int prio)
{
    struct sched_thread *t;

    (void)prio; /* cooperative scheduler: no priorities */
    t = sched_thread_create(name, thread, arg,
                            stacksize > 0 ? (size_t)stacksize : 0);
    if (!t)
        xn_net_assert_fail("cannot create an lwIP thread", __LINE__, __FILE__);
    return t;
}

/* ---- randomness and assertions ---- */

uint32_t xn_net_rand(void)
{
    static uint64_t state;
    uint64_t v;

    if (arch_rdrand64(&v))
        return (uint32_t)v;
    /* No RDRAND: xorshift seeded from the TSC. Good enough for port
     * numbers and ids; not a cryptographic source. */
    if (state == 0)
        state = time_read_tsc() | 1;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state >> 16);
}

void xn_net_assert_fail(const char *msg, int line, const char *file)
{
    char buf[256];
    int n = snprintf(buf, sizeof(buf),
                     "[xenith] lwIP assertion \"%s\" "
                     "failed at %s:%d\n",
                     msg, file, line);

    console_write(buf, n > 0 ? (size_t)n : 0);
    xn_shutdown(XN_SHUTDOWN_CRASH);
}
