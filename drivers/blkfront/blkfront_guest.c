// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkfront_guest.c - the guest's implementation of
 * blkfront's kernel seam (struct blkfront_ops) and device creation.
 *
 * Pages come from kernel/mm (ring blocks of 2^order contiguous pages),
 * event channels from xen/evtchn (one unbound port per queue, whose
 * handler runs in event context, marks the queue, sets a flag and wakes
 * the device's wait queue), logs go to the PV console. Design choice:
 * the page-to-frame translation is a parameter, because it is PV
 * machinery (the p2m in arch/) that drivers must not include; whoever
 * creates the device passes it in. Synchronous I/O (xn_blkdev_read ...)
 * blocks in sched_wait_event_timeout() on that flag. Guest only: host
 * tests use test/fakes/fake_blkback.c for the same seam.
 * Reference: xen/include/public/event_channel.h (EVTCHNOP_alloc_unbound).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "drivers/blkfront/blkfront.h"
#include "drivers/blkfront/blkfront_guest.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "xen/console.h"
#include "xen/evtchn.h"

/* The device and what its event handler needs to wake a waiter. */
struct blkfront_guest {
    struct blkfront bf; /* first: handlers get back here from q->bf */
    struct sched_waitq wq;
    volatile bool event;
};

/* PV page-to-MFN translation, one per domain: set by the first create. */
static unsigned long (*g_v2f)(const void *va);

static void *g_alloc_pages(void *arg, unsigned int order)
{
    void *p = mm_alloc_pages(order);

    (void)arg;
    if (p)
        memset(p, 0, MM_PAGE_SIZE << order); /* never leak old data */
    return p;
}

static void g_free_pages(void *arg, void *pages, unsigned int order)
{
    (void)arg;
    mm_free_pages(pages, order);
}

static unsigned long g_virt_to_frame(void *arg, const void *va)
{
    (void)arg;
    return g_v2f(va);
}

static void g_event(evtchn_port_t port, void *arg)
{
    struct blkfront_queue *q = arg;
    struct blkfront_guest *g = (struct blkfront_guest *)q->bf;

    (void)port;
    blkfront_queue_event(q);
    g->event = true;
    sched_wake_all(&g->wq);
}

static int g_evtchn_open(void *arg, domid_t remote, struct blkfront_queue *q,
                         evtchn_port_t *port)
{
    (void)arg;
    return evtchn_open_unbound(remote, g_event, q, port);
}

static void g_evtchn_close(void *arg, evtchn_port_t port)
{
    (void)arg;
    evtchn_close(port); /* unbinds the handler too */
}

static void g_notify(void *arg, evtchn_port_t port)
{
    (void)arg;
    evtchn_send(port);
}

static int g_wait(void *arg, uint64_t timeout_ns)
{
    struct blkfront_guest *g = arg;
    int rc = sched_wait_event_timeout(&g->wq, g->event, timeout_ns);

    g->event = false;
    return rc;
}

static void g_log(void *arg, const char *msg)
{
    (void)arg;
    console_write(msg, strlen(msg));
    console_write("\n", 1);
}

int blkfront_guest_create(struct xs_conn *xs, unsigned int devid,
                          unsigned long (*virt_to_frame)(const void *),
                          const struct blkfront_config *cfg,
                          struct blkfront **out)
{
    struct blkfront_guest *g;
    struct blkfront_ops ops = {
        .alloc_pages = g_alloc_pages,
        .free_pages = g_free_pages,
        .virt_to_frame = g_virt_to_frame,
        .evtchn_open = g_evtchn_open,
        .evtchn_close = g_evtchn_close,
        .notify = g_notify,
        .wait = g_wait,
        .log = g_log,
    };
    int rc;

    if (!xs || !virt_to_frame || !out)
        return -EINVAL;
    g_v2f = virt_to_frame;
    g = calloc(1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    sched_waitq_init(&g->wq);
    ops.arg = g;
    rc = blkfront_init(&g->bf, &ops, cfg);
    if (!rc)
        rc = blkfront_xs_probe(&g->bf, xs, devid);
    if (rc < 0) {
        free(g);
        return rc;
    }
    *out = &g->bf;
    return 0;
}

int blkfront_guest_reprobe(struct blkfront *bf, unsigned int devid)
{
    const struct blkfront_ops ops = bf->ops;
    const struct blkfront_config cfg = bf->cfg;
    const struct xn_blkdev_callbacks cb = bf->dev.cb;
    struct xs_conn *xs = bf->xs;
    int rc;

    /* Whatever the old backend still maps is leaked here, never reused. */
    if (bf->rings_ready)
        blkfront_rings_teardown(bf);
    /* A fresh start: a new backend instance deserves a new chance even
     * if the old one broke the protocol. */
    rc = blkfront_init(bf, &ops, &cfg);
    if (rc < 0)
        return rc;
    bf->dev.cb = cb;
    return blkfront_xs_probe(bf, xs, devid);
}
