// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netfront_guest.c - the guest's implementation of
 * netfront's kernel seam (struct netfront_ops) and device creation.
 *
 * Pages come from kernel/mm, event channels from xen/evtchn (an unbound
 * port per ring, whose handler runs in event context and only marks the
 * queue and kicks the stack), logs go to the PV console. Design choice:
 * the page-to-frame translation is a parameter, because it is PV
 * machinery (the p2m in arch/) that drivers must not include; whoever
 * creates the device passes it in (NULL picks xen/p2m's, the PV
 * translation). A device the toolstack removed and re-created (xl
 * network-detach/attach) is started over in place by
 * netfront_guest_reprobe(), so the stack keeps its struct xn_netdev
 * pointer across the cycle. Guest only: host tests use
 * test/fakes/fake_netback.c for the same seam.
 * Reference: xen/include/public/event_channel.h (EVTCHNOP_alloc_unbound).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "drivers/netfront/netfront.h"
#include "drivers/netfront/netfront_guest.h"
#include "kernel/mm.h"
#include "xen/console.h"
#include "xen/evtchn.h"
#include "xen/p2m.h"

/* PV page-to-MFN translation, one per domain: set by the first create. */
static unsigned long (*g_v2f)(const void *va);

static void *g_alloc_page(void *arg)
{
    void *p = mm_alloc_page();

    (void)arg;
    if (p)
        memset(p, 0, MM_PAGE_SIZE); /* never leak old data to a backend */
    return p;
}

static void g_free_page(void *arg, void *page)
{
    (void)arg;
    mm_free_page(page);
}

static unsigned long g_virt_to_frame(void *arg, const void *va)
{
    (void)arg;
    return g_v2f(va);
}

static void g_event(evtchn_port_t port, void *arg)
{
    (void)port;
    netfront_queue_event(arg);
}

static int g_evtchn_open(void *arg, domid_t remote, struct netfront_queue *q,
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

static void g_log(void *arg, const char *msg)
{
    (void)arg;
    console_write(msg, strlen(msg));
    console_write("\n", 1);
}

int netfront_guest_create(struct xs_conn *xs, unsigned int devid,
                          unsigned long (*virt_to_frame)(const void *),
                          const struct netfront_config *cfg,
                          struct netfront **out)
{
    const struct netfront_ops ops = {
        .alloc_page = g_alloc_page,
        .free_page = g_free_page,
        .virt_to_frame = g_virt_to_frame,
        .evtchn_open = g_evtchn_open,
        .evtchn_close = g_evtchn_close,
        .notify = g_notify,
        .log = g_log,
        .arg = NULL,
    };
    struct netfront *nf;
    int rc;

    if (!xs || !out)
        return -EINVAL;
    g_v2f = virt_to_frame ? virt_to_frame : p2m_virt_to_frame;
    nf = calloc(1, sizeof(*nf));
    if (!nf)
        return -ENOMEM;
    rc = netfront_init(nf, &ops, cfg);
    if (!rc)
        rc = netfront_xs_probe(nf, xs, devid);
    if (rc < 0) {
        free(nf);
        return rc;
    }
    *out = nf;
    return 0;
}

int netfront_guest_reprobe(struct netfront *nf, unsigned int devid)
{
    const struct netfront_ops ops = nf->ops;
    const struct netfront_config cfg = nf->cfg;
    const struct xn_netdev_callbacks cb = nf->dev.cb;
    struct xs_conn *xs = nf->xs;
    int rc;

    /* Whatever the old backend still maps is leaked here, never reused. */
    if (nf->rings_ready)
        netfront_rings_teardown(nf);
    /* A fresh start: a new backend instance deserves a new chance even
     * if the old one broke the protocol. */
    rc = netfront_init(nf, &ops, &cfg);
    if (rc < 0)
        return rc;
    nf->dev.cb = cb;
    return netfront_xs_probe(nf, xs, devid);
}
