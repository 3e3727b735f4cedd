// SPDX-License-Identifier: MIT
/*
 * xen/xenstore_glue.c - the guest's xenstore connection: ring page, event
 * channel and wait queue behind the pure client in xen/xenstore.c.
 *
 * Guest only (host tests use test/fakes/fake_xs_daemon.c instead). Design
 * choice: the event handler never touches the ring; it only records that
 * something happened and wakes the wait queue, and the waiting thread
 * then runs xs_poll() itself. A `pending` flag checked under the event
 * mask closes the window between a thread's last poll and its sleep.
 * Reference: xen/include/public/io/xs_wire.h, xen.h (start_info
 * store_mfn / store_evtchn).
 */
#include <errno.h>
#include <stdio.h>

#include "arch/x86_64/arch.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/time.h"
#include "xen/xenstore.h"

static struct xs_conn xs_main;
static struct sched_waitq xs_wq;
static evtchn_port_t xs_port;
static volatile bool xs_pending;
static bool xs_ready;

static unsigned long xs_events; /* glue_event calls, for glue_log */

static void glue_event(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    xs_events++;
    xs_pending = true;
    sched_wake_all(&xs_wq);
}

static void glue_notify(void *arg)
{
    (void)arg;
    evtchn_send(xs_port);
}

static int glue_wait(void *arg, uint64_t deadline_ns)
{
    unsigned long flags = evtchn_irq_save();
    int rc = 0;

    (void)arg;
    /* Checked under the mask: an event after our last poll is not lost. */
    if (!xs_pending)
        rc = sched_wait_locked(&xs_wq, deadline_ns);
    xs_pending = false;
    evtchn_irq_restore(flags);
    return rc;
}

static void glue_wake(void *arg)
{
    glue_event(xs_port, arg);
}

static uint64_t glue_now(void *arg)
{
    (void)arg;
    return time_monotonic_ns();
}

/*
 * Every xenstore error comes with the state that tells a silent
 * xenstored (req_cons behind req_prod: it never read the request) from a
 * lost event (rsp_prod ahead of rsp_cons with the port pending).
 */
static void glue_log(void *arg, const char *msg)
{
    const struct xenstore_domain_interface *in = xs_main.intf;
    bool up, um;

    (void)arg;
    evtchn_upcall_state(&up, &um);
    printf("%s\n", msg);
    printf("xenstore:   ring req %u/%u rsp %u/%u; port %u pending %d "
           "masked %d; %lu events, waiter flag %d; upcall pending %d "
           "mask %d\n",
           (unsigned)in->req_cons, (unsigned)in->req_prod,
           (unsigned)in->rsp_cons, (unsigned)in->rsp_prod, (unsigned)xs_port,
           evtchn_is_pending(xs_port), evtchn_is_masked(xs_port), xs_events,
           xs_pending, up, um);
}

int xenstore_init(unsigned long store_mfn, evtchn_port_t port)
{
    static const struct xs_transport t = {
        .notify = glue_notify,
        .wait = glue_wait,
        .wake = glue_wake,
        .now = glue_now,
        .log = glue_log,
        .arg = NULL,
    };
    /* Domain memory is mapped at VA == pseudo-physical address. */
    struct xenstore_domain_interface *intf =
        (void *)(arch_mfn_to_pfn(store_mfn) << ARCH_PAGE_SHIFT);
    int rc;

    sched_waitq_init(&xs_wq);
    xs_port = port;
    rc = xs_conn_init(&xs_main, intf, &t);
    if (rc < 0)
        return rc;
    rc = evtchn_bind(port, glue_event, NULL);
    if (rc < 0)
        return rc;
    xs_ready = true;
    return 0;
}

int xenstore_suspend(void)
{
    return xs_ready ? xs_suspend(&xs_main) : 0;
}

int xenstore_resume(bool cancelled, unsigned long store_mfn, evtchn_port_t port)
{
    int rc;

    if (!xs_ready)
        return 0;
    if (!cancelled) {
        /* Same page (its pfn is ours), another frame and port. */
        xs_main.intf = (void *)(arch_mfn_to_pfn(store_mfn) << ARCH_PAGE_SHIFT);
        xs_port = port;
        rc = evtchn_bind(port, glue_event, NULL);
        if (rc < 0)
            return rc;
    }
    return xs_resume(&xs_main, cancelled);
}

struct xs_conn *xenstore_conn(void)
{
    return xs_ready ? &xs_main : NULL;
}
