// SPDX-License-Identifier: MIT
/*
 * kernel/blkdev.c - block device registry: boot-time probe of every
 * device/vbd/N and the "blkbus" thread that keeps each blkfront in step
 * with its backend and the toolstack.
 *
 * Design choice: the same shape as kernel/netdev.c (one long-lived
 * thread, one "service a device" path run on any change under our
 * device/vbd, a recursive watch, or on a backend's state node, and every
 * few seconds as a safety net), so both device classes behave alike
 * under xl *-detach / *-attach. Servicing reads our own state node
 * first: missing means the toolstack removed the device (xl
 * block-detach: pending requests fail with -EIO, rings released);
 * different from what we last wrote means it re-created it (xl
 * block-attach: start over). Then blkfront_xs_step() runs until it has
 * nothing to do. Two blkback facts shape the close: it unmaps our rings
 * only when it sees us Closed (blkfront_xs.c keeps them until then),
 * and a toolstack that detaches sets the backend's `online` to 0, after
 * which we stay Closed (as Linux's blkfront does) instead of writing
 * Initialising into a directory being removed. Every entry into the
 * driver holds the slot's mutex; completions only queue requests on
 * their handle (kernel/blkdev_api.c). A slot keeps its index and name
 * for the domain's life.
 * Reference: xen/include/public/io/xenbus.h, io/blkif.h,
 * docs/misc/xenstore-paths (device/vbd/N, backend/vbd/DOMID/N).
 */
#include <errno.h>
#include <string.h>

#include "drivers/blkfront/blkfront.h"
#include "drivers/blkfront/blkfront_guest.h"
#include "kernel/devinit.h"
#include "kernel/kfmt.h"
#include "kernel/blkdev.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/p2m.h"
#include "xen/time.h"
#include "xen/xenbus.h"
#include "xen/xenstore.h"

/* Service pass without any event: catches anything a watch missed. */
#define BLKDEV_RECHECK_NS (5ULL * 1000 * 1000 * 1000)
/* State-machine steps per service pass (a full connect needs 3). */
#define BLKDEV_MAX_STEPS 8
/* After CLOSE: how long the backend gets to answer before we go on. */
#define BLKDEV_CLOSE_WAIT_NS (3ULL * 1000 * 1000 * 1000)

static struct blkdev_slot slots[BLKDEV_MAX];
/* Written only after a slot is complete; slots are never removed. */
static volatile unsigned int nr_slots;
static struct xs_watch vbd_watch; /* device/vbd, recursive */
static struct blkfront_config bf_cfg;

/* ---- registry ---- */

unsigned int blkdev_count(void)
{
    return nr_slots;
}

struct blkdev_slot *blkdev_slot(unsigned int idx)
{
    return idx < nr_slots ? &slots[idx] : NULL;
}

struct blkdev_slot *blkdev_find(const char *name)
{
    if (!name)
        return NULL;
    if (strncmp(name, "/dev/", 5) == 0)
        name += 5;
    for (unsigned int i = 0; i < nr_slots; i++)
        if (strcmp(slots[i].name, name) == 0)
            return &slots[i];
    return NULL;
}

void blkdev_lock(struct blkdev_slot *s)
{
    sched_mutex_lock(&s->lock);
}

void blkdev_unlock(struct blkdev_slot *s)
{
    sched_mutex_unlock(&s->lock);
}

void blkdev_wake(struct blkdev_slot *s)
{
    unsigned long flags = evtchn_irq_save();

    s->events++;
    sched_wake_all(&s->wq);
    evtchn_irq_restore(flags);
}

/* Event context: the ring has responses. */
static void slot_kick(struct xn_blkdev *dev, void *arg)
{
    (void)dev;
    blkdev_wake(arg);
}

/* ---- probing and servicing ---- */

static void log_connected(struct blkdev_slot *s)
{
    struct blkfront *bf = s->bf;
    const struct xn_blkdev_info *in = &bf->dev.info;

    kfmt_printf("[xenith] %s: %llu MiB, sector %u/%u%s; ring %u page%s x %u "
                "queue%s, %u segs/req%s%s%s%s\n",
                s->name,
                (unsigned long long)(in->sectors * XN_BLK_SECTOR >> 20),
                in->sector_size, in->physical_sector_size,
                (in->flags & XN_BLKDEV_F_READONLY) ? ", read-only" : "",
                1u << bf->ring_order, bf->ring_order ? "s" : "", bf->nr_queues,
                bf->nr_queues > 1 ? "s" : "", bf->max_segs,
                bf->max_indirect_segs ? " (indirect)" : "",
                bf->feat_persistent ? ", persistent grants" : "",
                bf->feat_flush     ? ", flush"
                : bf->feat_barrier ? ", barrier"
                                   : "",
                bf->feat_discard ? ", discard" : "");
}

/* (Re-)register the watch on <backend>/state when the path changed. */
static void watch_backend(struct blkdev_slot *s)
{
    char path[XENBUS_PATH_MAX + 8];
    int rc;

    if (xenbus_path(path, sizeof(path), s->bf->xb.backend, "state") < 0)
        return;
    if (s->watching && strcmp(path, s->back_watch.path) == 0)
        return;
    if (s->watching)
        xs_watch_remove(s->bf->xs, &s->back_watch);
    s->watching = false;
    rc = xs_watch_add(s->bf->xs, &s->back_watch, path);
    if (rc < 0)
        kfmt_printf(
            "[xenith] %s: cannot watch %s (%d); polling it every %llu s\n",
            s->name, path, rc,
            (unsigned long long)(BLKDEV_RECHECK_NS / 1000000000));
    else
        s->watching = true;
}

static struct blkdev_slot *slot_by_devid(unsigned int devid)
{
    for (unsigned int i = 0; i < nr_slots; i++)
        if (slots[i].devid == devid)
            return &slots[i];
    return NULL;
}

static void set_identity(struct blkdev_slot *s)
{
    struct blkfront *bf = s->bf;

    kfmt_snprintf(bf->dev.name, sizeof(bf->dev.name), "%s", s->name);
    bf->dev.cb.kick = slot_kick;
    bf->dev.cb.arg = s;
}

/* Create device/vbd/<devid>'s blkfront in the next free slot. */
static struct blkdev_slot *slot_add(struct xs_conn *xs, unsigned int devid)
{
    struct blkdev_slot *s;
    int rc;

    if (nr_slots == BLKDEV_MAX)
        return NULL;
    s = &slots[nr_slots];
    memset(s, 0, sizeof(*s));
    rc = blkfront_guest_create(xs, devid, p2m_virt_to_frame, &bf_cfg, &s->bf);
    if (rc < 0) {
        kfmt_printf("[xenith] vbd%u: probing device/vbd/%u failed (%d); "
                    "retried on its next change\n",
                    devid, devid, rc);
        return NULL;
    }
    s->devid = devid;
    blkdev_name(devid, s->name, sizeof(s->name));
    for (unsigned int i = 0; i < nr_slots; i++)
        if (strcmp(slots[i].name, s->name) == 0) /* two encodings, one name */
            kfmt_snprintf(s->name, sizeof(s->name), "vbd%u", devid);
    sched_mutex_init(&s->lock, true);
    sched_waitq_init(&s->wq);
    set_identity(s);
    watch_backend(s);
    nr_slots++; /* the slot is complete: publish it */
    return s;
}

/*
 * Closed, and the toolstack is detaching the disk (<backend>/online is
 * 0): it is about to remove our directory, so do not start over.
 */
static bool being_removed(struct blkdev_slot *s)
{
    char path[XENBUS_PATH_MAX + 8];
    unsigned long online;

    if (s->bf->state != XenbusStateClosed ||
        xenbus_path(path, sizeof(path), s->bf->xb.backend, "online") < 0)
        return false;
    return xs_read_uint(s->bf->xs, XS_TX_NONE, path, &online) == 0 &&
           online == 0;
}

/* The toolstack removed device/vbd/N: fail what is pending, let go. */
static void slot_gone(struct blkdev_slot *s)
{
    struct blkfront *bf = s->bf;

    kfmt_printf("[xenith] %s: %s removed by the toolstack\n", s->name,
                bf->xb.nodename);
    /* Whatever the backend still maps is leaked by teardown, not reused. */
    blkfront_rings_teardown(bf);
    bf->state = XenbusStateUnknown;
    s->gone = true;
    s->close_deadline = 0;
}

/* One pass over s (lock held): follow the toolstack, then the backend. */
static void slot_service(struct blkdev_slot *s)
{
    struct blkfront *bf = s->bf;
    bool was_ready = bf->dev.ready;
    XenbusState mine;
    int rc;

    rc = xenbus_read_state(bf->xs, XS_TX_NONE, bf->xb.nodename, &mine);
    if (rc < 0)
        return; /* xenstore trouble or garbage: look again next time */
    if (mine == XenbusStateUnknown) {
        if (!s->gone)
            slot_gone(s);
        return;
    }
    if (s->gone || mine != bf->state) {
        /* Someone else wrote our state: the toolstack (re-)created the
         * device, possibly with another backend. */
        rc = blkfront_guest_reprobe(bf, s->devid);
        set_identity(s);
        if (rc < 0) {
            kfmt_printf("[xenith] %s: probing %s again failed (%d)\n", s->name,
                        bf->xb.nodename, rc);
            s->gone = true;
            return;
        }
        s->gone = false;
        s->close_deadline = 0;
        watch_backend(s);
    }
    /* We said Closing: wait for the backend's answer (or the deadline);
     * our own state writes also wake us, through the device/vbd watch. */
    if (s->close_deadline) {
        if (!s->back_changed && time_monotonic_ns() < s->close_deadline)
            return;
        s->close_deadline = 0;
    }
    s->back_changed = false;
    for (unsigned int i = 0; i < BLKDEV_MAX_STEPS; i++) {
        enum xenbus_action act;

        if (being_removed(s))
            break;
        rc = blkfront_xs_step(bf, &act);
        if (rc < 0) {
            kfmt_printf("[xenith] %s: %s step failed (%d), backend %s is %s\n",
                        s->name, bf->xb.nodename, rc, bf->xb.backend,
                        xenbus_state_name(bf->back_state));
            break;
        }
        if (act == XENBUS_ACT_CLOSE) {
            kfmt_printf("[xenith] %s: backend %s is %s: closing, pending "
                        "requests failed\n",
                        s->name, bf->xb.backend,
                        xenbus_state_name(bf->back_state));
            s->close_deadline = time_monotonic_ns() + BLKDEV_CLOSE_WAIT_NS;
            break;
        }
        if (act == XENBUS_ACT_NONE)
            break;
    }
    if (bf->dev.ready && !was_ready)
        log_connected(s);
}

/* Register every device/vbd/N we do not know yet. */
static void scan(struct xs_conn *xs)
{
    unsigned int ids[BLKDEV_MAX];
    int n = xenbus_enumerate(xs, "vbd", ids, BLKDEV_MAX);

    if (n > BLKDEV_MAX)
        n = BLKDEV_MAX; /* the rest were counted, not stored */
    for (int i = 0; i < n; i++)
        if (!slot_by_devid(ids[i]))
            slot_add(xs, ids[i]);
}

static void service_all(void)
{
    for (unsigned int i = 0; i < nr_slots; i++) {
        blkdev_lock(&slots[i]);
        slot_service(&slots[i]);
        blkdev_unlock(&slots[i]);
        /* Failed requests and a new state: let waiters look. */
        blkdev_wake(&slots[i]);
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

static void blkbus_thread(void *arg)
{
    struct xs_conn *xs = arg;
    uint64_t next_pass;
    bool vbd_watching;

    /* The first event of each watch arrives at once: an initial pass. */
    vbd_watching = xs_watch_add(xs, &vbd_watch, "device/vbd") == 0;
    if (!vbd_watching)
        kfmt_printf("[xenith] blkbus: cannot watch device/vbd; scanning it "
                    "every %llu s\n",
                    (unsigned long long)(BLKDEV_RECHECK_NS / 1000000000));
    next_pass = time_monotonic_ns() + BLKDEV_RECHECK_NS;
    for (;;) {
        bool changed, rescan;

        if (xs_poll(xs) < 0) {
            kfmt_printf("[xenith] blkbus: xenstore connection broken, disks "
                        "no longer follow their backends\n");
            return;
        }
        rescan = vbd_watching && drain(&vbd_watch);
        changed = rescan;
        for (unsigned int i = 0; i < nr_slots; i++)
            if (slots[i].watching && drain(&slots[i].back_watch))
                changed = slots[i].back_changed = true;
        if (!changed && time_monotonic_ns() < next_pass) {
            /* Woken by any xenstore traffic (or the deadline). */
            xs->t.wait(xs->t.arg, next_pass);
            continue;
        }
        if (rescan || !changed)
            scan(xs);
        service_all();
        next_pass = time_monotonic_ns() + BLKDEV_RECHECK_NS;
        /* A backend that never answers our Closing is stepped anyway. */
        for (unsigned int i = 0; i < nr_slots; i++)
            if (slots[i].close_deadline && slots[i].close_deadline < next_pass)
                next_pass = slots[i].close_deadline;
    }
}

int blkdev_probe(uint64_t timeout_ns)
{
    struct xs_conn *xs = xenstore_conn();
    unsigned int ids[BLKDEV_MAX];
    int n, rc, up = 0;

    if (!xs)
        return -ENODEV;
    rc = blkdev_fd_register();
    if (rc < 0)
        kfmt_printf("[xenith] /dev/xvd* unavailable: lib/fdtab refused (%d)\n",
                    rc);
    bf_cfg.timeout_ns = timeout_ns;
    bf_cfg.max_queues = 1; /* one vCPU: more queues buy nothing */

    n = xenbus_enumerate(xs, "vbd", ids, BLKDEV_MAX);
    if (n < 0)
        kfmt_printf("[xenith] listing device/vbd failed (%d)\n", n);
    if (n > BLKDEV_MAX) {
        kfmt_printf("[xenith] %d vbds, using the first %d\n", n, BLKDEV_MAX);
        n = BLKDEV_MAX;
    }
    for (int i = 0; i < n; i++) {
        struct blkdev_slot *s = slot_add(xs, ids[i]);

        if (!s)
            continue;
        blkdev_lock(s);
        rc = blkfront_xs_connect(s->bf);
        if (rc < 0) {
            kfmt_printf("[xenith] %s: connecting %s failed (%d), backend %s is "
                        "%s; continuing without it\n",
                        s->name, s->bf->xb.nodename, rc, s->bf->xb.backend,
                        xenbus_state_name(s->bf->back_state));
        } else {
            log_connected(s);
            up++;
        }
        blkdev_unlock(s);
    }
    if (!sched_thread_create("blkbus", blkbus_thread, xs, 0))
        return -ENOMEM;
    return up;
}

/* Boot stage "devices" (kernel/devinit.h): linked with this registry,
 * i.e. by any xn_blk_* call or by -Wl,--undefined=xn_devinit_blk. */
static int blkdev_devinit(const start_info_t *si, uint64_t timeout_ns)
{
    (void)si;
    if (!devinit_bus_ready())
        return 0; /* the bus said why: no PV devices at all */
    return blkdev_probe(timeout_ns);
}

XN_DEVICE_INIT(blk, 20, blkdev_devinit);
