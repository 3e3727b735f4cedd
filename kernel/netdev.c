// SPDX-License-Identifier: MIT
/*
 * kernel/netdev.c - network device registry: boot-time probe of every
 * device/vif/N, the "xenbus" thread that keeps each netfront in step
 * with its backend and the toolstack, and include/xenith/netdev.h's
 * registry calls.
 *
 * Design choice: one long-lived thread and one code path, "service a
 * device", run whenever anything under our device/vif (a recursive
 * watch: the toolstack adds or removes a vif, we or it write a state)
 * or a backend's state node changes, and every few seconds as a safety
 * net. Servicing reads our own state node first: missing means the
 * toolstack removed the device (xl network-detach: tear down, link
 * down); different from what we last wrote means it re-created it (xl
 * network-attach of the same id: start over with the new MAC/backend);
 * then netfront_xs_step() runs until it has nothing to do. After a CLOSE
 * it stops and waits for the backend's next state write, so the rings
 * are released only once the backend has let go of them. The driver is
 * single-threaded; every entry into it (the stack's tx/poll, the xenbus
 * thread's steps) holds the device's recursive mutex, and link changes
 * are told to the stack only after that mutex is released, so the
 * stack's link callback may block or transmit freely. A device keeps its
 * slot (index and struct xn_netdev address) for the domain's life.
 * Reference: xen/include/public/io/xenbus.h, io/netif.h,
 * docs/misc/xenstore-paths (device/vif/N, backend/vif/DOMID/N).
 */
#include <errno.h>
#include <string.h>

#include "drivers/netfront/netfront.h"
#include "drivers/netfront/netfront_guest.h"
#include "kernel/devinit.h"
#include "kernel/kfmt.h"
#include "kernel/netdev.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/p2m.h"
#include "xen/time.h"
#include "xen/xenbus.h"
#include "xen/xenstore.h"
#include "xenith/netdev.h"

/* Service pass without any event: catches anything a watch missed. */
#define NETDEV_RECHECK_NS (5ULL * 1000 * 1000 * 1000)
/* State-machine steps per service pass (a full connect needs 3). */
#define NETDEV_MAX_STEPS 8
/* After CLOSE: how long the backend gets to unmap before we go Closed. */
#define NETDEV_CLOSE_WAIT_NS (3ULL * 1000 * 1000 * 1000)

struct netdev_slot {
    struct netfront *nf;
    unsigned int devid;
    const struct xn_netdev_ops *inner; /* the driver's own ops */
    struct sched_mutex lock;           /* recursive: rx may call tx */
    struct xn_netdev_callbacks user;   /* the stack's callbacks */
    bool reported_up;                  /* what the stack was last told */
    bool gone;                         /* our device/vif/N was removed */
    bool watching;                     /* back_watch registered */
    bool back_changed;          /* a <backend>/state event since last pass */
    uint64_t close_deadline;    /* after CLOSE: wait for the backend till */
    struct xs_watch back_watch; /* <backend>/state */
};

static struct netdev_slot slots[NETDEV_MAX];
/* Written only after a slot is complete; slots are never removed. */
static volatile unsigned int nr_slots;
static struct sched_waitq link_wq; /* xn_netdev_wait_up() */
static struct xs_watch vif_watch;  /* device/vif, recursive */
static struct netfront_config nf_cfg;
static bool probed;

static int locked_tx(struct xn_netdev *dev, const struct xn_pkt *pkt);
static int locked_poll(struct xn_netdev *dev, unsigned int budget);

static const struct xn_netdev_ops locked_ops = {
    .tx = locked_tx,
    .poll = locked_poll,
};

/* ---- locking and link reports ---- */

static struct netdev_slot *slot_of(const struct xn_netdev *dev)
{
    for (unsigned int i = 0; i < nr_slots; i++)
        if (&slots[i].nf->dev == dev)
            return &slots[i];
    return NULL;
}

static void format_mac(char *buf, size_t size, const uint8_t *m)
{
    kfmt_snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
                  m[3], m[4], m[5]);
}

/*
 * Tell the console, waiters and the stack about link changes since the
 * last report. Called with the device lock released; the loop covers a
 * change made by the callback itself (e.g. a tx that broke the device).
 */
static void report_link(struct netdev_slot *s)
{
    struct xn_netdev *dev = &s->nf->dev;

    while (dev->link_up != s->reported_up) {
        bool up = dev->link_up;
        char mac[18];

        /* Recorded first: a callback that blocks cannot cause a repeat. */
        s->reported_up = up;
        if (up) {
            format_mac(mac, sizeof(mac), dev->mac);
            kfmt_printf("[xenith] %s: link up (mac %s, mtu %u)\n", dev->name,
                        mac, dev->mtu);
            sched_wake_all(&link_wq);
        } else {
            kfmt_printf("[xenith] %s: link down%s%s\n", dev->name,
                        s->nf->broken ? ": " : "",
                        s->nf->broken ? s->nf->last_error : "");
        }
        if (s->user.link)
            s->user.link(dev, up, s->user.arg);
    }
}

static void slot_lock(struct netdev_slot *s)
{
    sched_mutex_lock(&s->lock);
}

static void slot_unlock(struct netdev_slot *s)
{
    bool outermost = s->lock.depth == 1;

    sched_mutex_unlock(&s->lock);
    if (outermost)
        report_link(s);
}

static int locked_tx(struct xn_netdev *dev, const struct xn_pkt *pkt)
{
    struct netdev_slot *s = slot_of(dev);
    int rc;

    if (!s)
        return -EINVAL;
    slot_lock(s);
    rc = s->inner->tx(dev, pkt);
    slot_unlock(s);
    return rc;
}

static int locked_poll(struct xn_netdev *dev, unsigned int budget)
{
    struct netdev_slot *s = slot_of(dev);
    int rc;

    if (!s)
        return -EINVAL;
    slot_lock(s);
    rc = s->inner->poll(dev, budget);
    slot_unlock(s);
    return rc;
}

/*
 * Point the driver at the stack's rx/kick (called directly, rx under the
 * lock, kick in event context) but never at its link callback, which
 * report_link() calls after unlocking. Events masked: kick reads cb.
 */
static void install_callbacks(struct netdev_slot *s)
{
    unsigned long flags = evtchn_irq_save();

    s->nf->dev.cb = s->user;
    s->nf->dev.cb.link = NULL;
    evtchn_irq_restore(flags);
}

/* After netfront_init() (create or reprobe): wrap the driver's ops. */
static void wrap_ops(struct netdev_slot *s)
{
    s->inner = s->nf->dev.ops;
    s->nf->dev.ops = &locked_ops;
    install_callbacks(s);
}

/* ---- the public registry ---- */

unsigned int xn_netdev_count(void)
{
    return nr_slots;
}

struct xn_netdev *xn_netdev_get(unsigned int idx)
{
    return idx < nr_slots ? &slots[idx].nf->dev : NULL;
}

int xn_netdev_wait_up(unsigned int idx, uint64_t timeout_ns)
{
    if (!probed)
        return -ETIMEDOUT; /* no xenstore: no device will ever come */
    return sched_wait_event_timeout(
        &link_wq, idx < nr_slots && slots[idx].nf->dev.link_up, timeout_ns);
}

void xn_netdev_set_callbacks(struct xn_netdev *dev,
                             const struct xn_netdev_callbacks *cb)
{
    struct netdev_slot *s = slot_of(dev);
    static const struct xn_netdev_callbacks none;

    if (!s) {
        /* Not ours (a test device): plain copy, still atomic vs kick. */
        unsigned long flags = evtchn_irq_save();

        dev->cb = cb ? *cb : none;
        evtchn_irq_restore(flags);
        return;
    }
    slot_lock(s);
    s->user = cb ? *cb : none;
    install_callbacks(s);
    /* Changes only from here on: the stack reads dev->link_up itself. */
    s->reported_up = dev->link_up;
    slot_unlock(s);
}

/* ---- probing and servicing ---- */

/* (Re-)register the watch on <backend>/state when the path changed. */
static void watch_backend(struct netdev_slot *s)
{
    char path[XENBUS_PATH_MAX + 8];
    int rc;

    if (xenbus_path(path, sizeof(path), s->nf->xb.backend, "state") < 0)
        return;
    if (s->watching && strcmp(path, s->back_watch.path) == 0)
        return;
    if (s->watching)
        xs_watch_remove(s->nf->xs, &s->back_watch);
    s->watching = false;
    rc = xs_watch_add(s->nf->xs, &s->back_watch, path);
    if (rc < 0)
        kfmt_printf(
            "[xenith] %s: cannot watch %s (%d); polling it every %llu s\n",
            s->nf->dev.name, path, rc,
            (unsigned long long)(NETDEV_RECHECK_NS / 1000000000));
    else
        s->watching = true;
}

static struct netdev_slot *slot_by_devid(unsigned int devid)
{
    for (unsigned int i = 0; i < nr_slots; i++)
        if (slots[i].devid == devid)
            return &slots[i];
    return NULL;
}

/* Create device/vif/<devid>'s netfront in the next free slot. */
static struct netdev_slot *slot_add(struct xs_conn *xs, unsigned int devid)
{
    struct netdev_slot *s;
    int rc;

    if (nr_slots == NETDEV_MAX)
        return NULL;
    s = &slots[nr_slots];
    memset(s, 0, sizeof(*s));
    rc = netfront_guest_create(xs, devid, p2m_virt_to_frame, &nf_cfg, &s->nf);
    if (rc < 0) {
        kfmt_printf("[xenith] vif%u: probing device/vif/%u failed (%d); "
                    "retried on its next change\n",
                    devid, devid, rc);
        return NULL;
    }
    s->devid = devid;
    sched_mutex_init(&s->lock, true);
    wrap_ops(s);
    watch_backend(s);
    nr_slots++; /* the slot is complete: publish it */
    return s;
}

/*
 * One service pass over s (device lock held): follow the toolstack
 * (device removed or re-created), then the backend (state steps).
 */
static void slot_service(struct netdev_slot *s)
{
    struct netfront *nf = s->nf;
    XenbusState mine;
    int rc;

    rc = xenbus_read_state(nf->xs, XS_TX_NONE, nf->xb.nodename, &mine);
    if (rc < 0)
        return; /* xenstore trouble or garbage: look again next time */
    if (mine == XenbusStateUnknown) {
        if (!s->gone) {
            /* xl network-detach removed our directory. Whatever the
             * backend still maps is leaked by teardown, not reused. */
            kfmt_printf("[xenith] %s: %s removed by the toolstack\n",
                        nf->dev.name, nf->xb.nodename);
            netfront_set_link(nf, false);
            netfront_rings_teardown(nf);
            nf->state = XenbusStateUnknown;
            s->gone = true;
            s->close_deadline = 0;
        }
        return;
    }
    if (s->gone || mine != nf->state) {
        /* Someone else wrote our state: the toolstack (re-)created the
         * device, possibly with a new MAC and backend. */
        rc = netfront_guest_reprobe(nf, s->devid);
        wrap_ops(s);
        if (rc < 0) {
            kfmt_printf("[xenith] %s: probing %s again failed (%d)\n",
                        nf->dev.name, nf->xb.nodename, rc);
            s->gone = true;
            return;
        }
        s->gone = false;
        s->close_deadline = 0;
        watch_backend(s);
    }
    /*
     * We said Closing: the backend answers (after unmapping our rings)
     * by writing its state. Our own state writes also wake us, through
     * the device/vif watch, and stepping then would free the rings under
     * a backend that still maps them.
     */
    if (s->close_deadline) {
        if (!s->back_changed && time_monotonic_ns() < s->close_deadline)
            return;
        s->close_deadline = 0;
    }
    s->back_changed = false;
    for (unsigned int i = 0; i < NETDEV_MAX_STEPS; i++) {
        enum xenbus_action act;

        rc = netfront_xs_step(nf, &act);
        if (rc < 0) {
            kfmt_printf("[xenith] %s: %s step failed (%d), backend %s is %s\n",
                        nf->dev.name, nf->xb.nodename, rc, nf->xb.backend,
                        xenbus_state_name(nf->back_state));
            return;
        }
        /* After CLOSE the backend must unmap the rings before we free
         * them: its own state write brings us back here. */
        if (act == XENBUS_ACT_CLOSE) {
            s->close_deadline = time_monotonic_ns() + NETDEV_CLOSE_WAIT_NS;
            return;
        }
        if (act == XENBUS_ACT_NONE)
            return;
    }
}

/* Register every device/vif/N we do not know yet. */
static void scan(struct xs_conn *xs)
{
    unsigned int ids[NETDEV_MAX];
    int n = xenbus_enumerate(xs, "vif", ids, NETDEV_MAX);

    if (n > NETDEV_MAX)
        n = NETDEV_MAX; /* the rest were counted, not stored */
    for (int i = 0; i < n; i++)
        if (!slot_by_devid(ids[i]))
            slot_add(xs, ids[i]);
}

static void service_all(void)
{
    for (unsigned int i = 0; i < nr_slots; i++) {
        slot_lock(&slots[i]);
        slot_service(&slots[i]);
        slot_unlock(&slots[i]);
    }
}

/* Pop every queued event of w; true if there was any. */
static bool drain(struct xs_watch *w)
{
    bool any = false;

    while (xs_watch_next(w, NULL, 0))
        any = true;
    return any;
}

static void xenbus_thread(void *arg)
{
    struct xs_conn *xs = arg;
    uint64_t next_pass;
    bool vif_watching;

    /* The first event of each watch arrives at once: an initial pass. */
    vif_watching = xs_watch_add(xs, &vif_watch, "device/vif") == 0;
    if (!vif_watching)
        kfmt_printf("[xenith] xenbus: cannot watch device/vif; scanning it "
                    "every %llu s\n",
                    (unsigned long long)(NETDEV_RECHECK_NS / 1000000000));
    next_pass = time_monotonic_ns() + NETDEV_RECHECK_NS;
    for (;;) {
        bool changed = false, rescan;
        uint64_t now;

        if (xs_poll(xs) < 0) {
            kfmt_printf("[xenith] xenbus: xenstore connection broken, devices "
                        "no longer follow their backends\n");
            return;
        }
        rescan = vif_watching && drain(&vif_watch);
        changed = rescan;
        for (unsigned int i = 0; i < nr_slots; i++)
            if (slots[i].watching && drain(&slots[i].back_watch))
                changed = slots[i].back_changed = true;
        now = time_monotonic_ns();
        if (!changed && now < next_pass) {
            /* Woken by any xenstore traffic (or the deadline). */
            xs->t.wait(xs->t.arg, next_pass);
            continue;
        }
        if (rescan || !changed)
            scan(xs);
        service_all();
        next_pass = time_monotonic_ns() + NETDEV_RECHECK_NS;
        /* A backend that never answers our Closing is stepped anyway. */
        for (unsigned int i = 0; i < nr_slots; i++)
            if (slots[i].close_deadline && slots[i].close_deadline < next_pass)
                next_pass = slots[i].close_deadline;
    }
}

int netdev_probe(uint64_t timeout_ns)
{
    struct xs_conn *xs = xenstore_conn();
    unsigned int ids[NETDEV_MAX];
    int n, up = 0;

    if (!xs)
        return -ENODEV;
    sched_waitq_init(&link_wq);
    nf_cfg.timeout_ns = timeout_ns;
    probed = true;

    n = xenbus_enumerate(xs, "vif", ids, NETDEV_MAX);
    if (n < 0)
        kfmt_printf("[xenith] listing device/vif failed (%d)\n", n);
    if (n > NETDEV_MAX) {
        kfmt_printf("[xenith] %d vifs, using the first %d\n", n, NETDEV_MAX);
        n = NETDEV_MAX;
    }
    for (int i = 0; i < n; i++) {
        struct netdev_slot *s = slot_add(xs, ids[i]);
        int rc;

        if (!s)
            continue;
        slot_lock(s);
        rc = netfront_xs_connect(s->nf);
        if (rc < 0)
            kfmt_printf("[xenith] %s: connecting %s failed (%d), backend %s is "
                        "%s; continuing without it\n",
                        s->nf->dev.name, s->nf->xb.nodename, rc,
                        s->nf->xb.backend,
                        xenbus_state_name(s->nf->back_state));
        else
            up++;
        slot_unlock(s);
    }
    if (!sched_thread_create("xenbus", xenbus_thread, xs, 0))
        return -ENOMEM;
    return up;
}

/* Boot stage "devices" (kernel/devinit.h): linked with this registry. */
static int netdev_devinit(const start_info_t *si, uint64_t timeout_ns)
{
    (void)si;
    if (!devinit_bus_ready())
        return 0; /* the bus said why: no PV devices at all */
    return netdev_probe(timeout_ns);
}

XN_DEVICE_INIT(net, 10, netdev_devinit);
