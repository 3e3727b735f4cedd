// SPDX-License-Identifier: MIT
/*
 * kernel/sched_api.c - the public xn_* API of include/xenith.h (threads,
 * time, events, memory statistics) on top of the kernel modules.
 *
 * Design choice: a thin, allocation-free translation layer: handles are
 * the kernel objects themselves behind an opaque type, and internal
 * 0/-errno results are mapped to the small xn_result enum in one place
 * (xn_from_errno) so apps never see errno values of the kernel.
 * The shutdown/args part of xenith.h is implemented by engineer A.
 */
#include "xenith.h"

#include <errno.h>

#include "kernel/mm.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/time.h"

static xn_result xn_from_errno(int rc)
{
    switch (rc) {
    case 0:
        return XN_OK;
    case -ENOMEM:
    case -ENOSPC:
        return XN_ERR_NOMEM;
    case -ETIMEDOUT:
        return XN_ERR_TIMEOUT;
    case -EBUSY:
        return XN_ERR_BUSY;
    case -EINVAL:
        return XN_ERR_INVAL;
    default:
        return XN_ERR_IO;
    }
}

static struct sched_thread *to_sched(struct xn_thread *t)
{
    return (struct sched_thread *)(void *)t;
}

static struct xn_thread *to_xn(struct sched_thread *t)
{
    return (struct xn_thread *)(void *)t;
}

xn_result xn_thread_create(struct xn_thread **out, const char *name,
                           xn_thread_fn fn, void *arg, size_t stack_size)
{
    struct sched_thread *t;

    if (!out || !fn)
        return XN_ERR_INVAL;
    t = sched_thread_create(name, fn, arg, stack_size);
    if (!t)
        return XN_ERR_NOMEM;
    *out = to_xn(t);
    return XN_OK;
}

xn_result xn_thread_join(struct xn_thread *t)
{
    return xn_from_errno(sched_thread_join(to_sched(t)));
}

void xn_yield(void)
{
    sched_yield();
}

struct xn_thread *xn_thread_self(void)
{
    return to_xn(sched_self());
}

uint64_t xn_time_monotonic_ns(void)
{
    /* Since this domain started, not since the host did (Xen's system
     * time, the kernel's own scale, would show the host's uptime). */
    return time_uptime_ns();
}

void xn_time_wall(int64_t *sec, uint32_t *nsec)
{
    uint64_t s;
    uint32_t ns;

    time_wall(&s, &ns);
    if (sec)
        *sec = (int64_t)s;
    if (nsec)
        *nsec = ns;
}

void xn_sleep_ns(uint64_t ns)
{
    sched_sleep_ns(ns);
}

xn_result xn_event_bind(unsigned int port, xn_event_fn fn, void *arg)
{
    if (port >= EVTCHN_NR_PORTS)
        return XN_ERR_INVAL;
    if (!fn) {
        evtchn_unbind(port);
        return XN_OK;
    }
    /* xn_event_fn and evtchn_handler_t are the same type (uint32_t port). */
    return xn_from_errno(evtchn_bind(port, fn, arg));
}

xn_result xn_event_notify(unsigned int port)
{
    return xn_from_errno(evtchn_send(port));
}

void xn_mem_stats(struct xn_mem_stats *st)
{
    struct mm_stats m;

    if (!st)
        return;
    mm_stats(&m);
    st->page_size = MM_PAGE_SIZE;
    st->total_pages = m.total_pages;
    st->free_pages = m.free_pages;
    st->heap_bytes = m.heap_bytes;
    st->heap_max_bytes = m.heap_max_bytes;
    st->heap_peak_bytes = m.heap_peak_bytes;
    st->free_pages_min = m.free_pages_min;
}
