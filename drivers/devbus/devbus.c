// SPDX-License-Identifier: MIT
/*
 * drivers/devbus/devbus.c - the device-watch service (see devbus.h).
 *
 * Design choice: one thread, woken only by xenstore (a recursive watch on
 * our device/ directory, one watch per device on <backend>/state) and by
 * the deadline of a device waiting for its backend to answer a Closing,
 * ending a reconnect back-off, or retrying pages the backend still maps
 * (xenbus_front_next_deadline());
 * no periodic re-check, so an idle guest does no xenstore work at all.
 * Only when a watch cannot be registered (logged) does that part fall
 * back to a poll, because without it nothing would ever look again. The
 * bus mutex orders enumeration against a class attaching at boot, so a
 * device is never created twice; each device's own mutex orders the
 * service pass against its users. Reference: io/xenbus.h.
 */
#include <errno.h>
#include <string.h>

#include "drivers/devbus/devbus.h"
#include "kernel/kfmt.h"
#include "kernel/suspend.h"
#include "xen/time.h"
#include "xen/xenbus.h"

/* Only when a watch could not be registered: how often to look anyway. */
#define DEVBUS_POLL_NS (5ULL * 1000 * 1000 * 1000)
/* Lifecycle steps per service pass (a full connect needs 3). */
#define DEVBUS_MAX_STEPS 8
/* After CLOSE: how long the backend gets to answer before we go on. */
#define DEVBUS_CLOSE_WAIT_NS (3ULL * 1000 * 1000 * 1000)
#define DEVBUS_MAX_CLASSES   4

static struct devbus_dev devs[DEVBUS_MAX];
/* Written only after a device is complete; devices are never removed. */
static volatile unsigned int nr_devs;
static const struct devbus_class *classes[DEVBUS_MAX_CLASSES];
static unsigned int nr_classes;
static struct sched_mutex bus_lock; /* enumeration vs attach */
static struct xs_conn *bus_xs;
static struct xs_watch dev_watch; /* device/, recursive */
static bool dev_watching, thread_started;
static uint64_t step_timeout_ns;

void devbus_lock(struct devbus_dev *d)
{
    sched_mutex_lock(&d->lock);
}

void devbus_unlock(struct devbus_dev *d)
{
    sched_mutex_unlock(&d->lock);
}

static const char *dev_name(const struct devbus_dev *d)
{
    return d->fe->xb.nodename;
}

/* (Re-)register the watch on <backend>/state when the path changed. */
static void watch_backend(struct devbus_dev *d)
{
    char path[XENBUS_PATH_MAX + 8];
    int rc;

    if (xenbus_path(path, sizeof(path), d->fe->xb.backend, "state") < 0)
        return;
    if (d->watching && strcmp(path, d->back_watch.path) == 0)
        return;
    if (d->watching)
        xs_watch_remove(bus_xs, &d->back_watch);
    d->watching = false;
    rc = xs_watch_add(bus_xs, &d->back_watch, path);
    if (rc < 0)
        kfmt_printf("[xenith] %s: cannot watch %s (%d); polling it every "
                    "%llu s\n",
                    dev_name(d), path, rc,
                    (unsigned long long)(DEVBUS_POLL_NS / 1000000000));
    else
        d->watching = true;
}

static struct devbus_dev *dev_find(const struct devbus_class *cls,
                                   unsigned int devid)
{
    for (unsigned int i = 0; i < nr_devs; i++)
        if (devs[i].cls == cls && devs[i].devid == devid)
            return &devs[i];
    return NULL;
}

static unsigned int class_count(const struct devbus_class *cls)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < nr_devs; i++)
        n += devs[i].cls == cls;
    return n;
}

/* Create device/<type>/<devid> in the next free slot (bus lock held). */
static struct devbus_dev *dev_add(const struct devbus_class *cls,
                                  unsigned int devid, bool booting)
{
    struct devbus_dev *d;
    int rc;

    if (nr_devs == DEVBUS_MAX || class_count(cls) >= cls->max)
        return NULL;
    d = &devs[nr_devs];
    memset(d, 0, sizeof(*d));
    d->cls = cls;
    d->devid = devid;
    d->booting = booting;
    sched_mutex_init(&d->lock, true);
    rc = cls->create(d, bus_xs);
    if (rc < 0) {
        kfmt_printf("[xenith] %s%u: probing device/%s/%u failed (%d); "
                    "retried on its next change\n",
                    cls->type, devid, cls->type, devid, rc);
        return NULL;
    }
    d->fe->timeout_ns = step_timeout_ns;
    watch_backend(d);
    nr_devs++; /* the device is complete: publish it */
    return d;
}

/* Create every device/<type>/N of cls we do not know yet (bus lock held). */
static void scan_class(const struct devbus_class *cls, bool booting)
{
    unsigned int ids[DEVBUS_MAX];
    int n = xenbus_enumerate(bus_xs, cls->type, ids, DEVBUS_MAX);

    if (n < 0) {
        kfmt_printf("[xenith] listing device/%s failed (%d)\n", cls->type, n);
        return;
    }
    if (n > DEVBUS_MAX)
        n = DEVBUS_MAX; /* the rest were counted, not stored */
    for (int i = 0; i < n; i++)
        if (!dev_find(cls, ids[i]))
            dev_add(cls, ids[i], booting);
}

/*
 * Closed, and the toolstack is detaching the device (<backend>/online is
 * 0): it is about to remove our directory, so do not start over (as
 * Linux's frontends do) by writing Initialising into it.
 */
static bool being_removed(struct devbus_dev *d)
{
    unsigned long online;

    return d->fe->state == XenbusStateClosed &&
           xenbus_read_uint(bus_xs, XS_TX_NONE, d->fe->xb.backend, "online",
                            &online) == 1 &&
           online == 0;
}

/* The toolstack (re-)created or removed our directory; true to go on. */
static bool follow_toolstack(struct devbus_dev *d)
{
    struct xenbus_front *fe = d->fe;
    XenbusState mine;
    int rc = xenbus_read_state(bus_xs, XS_TX_NONE, fe->xb.nodename, &mine);

    if (rc < 0)
        return false; /* xenstore trouble or garbage: look again later */
    if (mine == XenbusStateUnknown) {
        if (!d->gone) {
            /* Whatever the backend still maps is leaked, not reused. */
            kfmt_printf("[xenith] %s: removed by the toolstack\n", dev_name(d));
            xenbus_front_gone(fe);
            d->gone = true;
            d->close_deadline = 0;
        }
        return false;
    }
    if (!d->gone && mine == fe->state)
        return true;
    /* Someone else wrote our state: the toolstack re-created the device,
     * possibly with another backend. */
    rc = xenbus_front_reprobe(fe);
    fe->timeout_ns = step_timeout_ns;
    if (d->cls->reprobed)
        d->cls->reprobed(d);
    if (rc < 0) {
        kfmt_printf("[xenith] %s: probing again failed (%d)\n", dev_name(d),
                    rc);
        d->gone = true;
        return false;
    }
    d->gone = false;
    d->close_deadline = 0;
    watch_backend(d);
    return true;
}

/* One service pass over d (its lock held). */
static void dev_service(struct devbus_dev *d)
{
    struct xenbus_front *fe = d->fe;
    bool was_active = fe->active;

    if (d->booting || fe->suspended)
        return;
    /* Pages a backend still mapped: retried here, whatever else this
     * device is waiting for (gone, closing), or their deadline would
     * keep waking the thread. */
    if (fe->nr_deferred)
        xenbus_front_reap(fe);
    if (!follow_toolstack(d))
        return;
    /* We said Closing: the backend answers (after unmapping our rings)
     * by writing its state. Our own state writes also wake us, through
     * the device/ watch, and stepping then would free the rings under a
     * backend that still maps them. */
    if (d->close_deadline) {
        if (!d->back_changed && time_monotonic_ns() < d->close_deadline)
            return;
        d->close_deadline = 0;
    }
    d->back_changed = false;
    for (unsigned int i = 0; i < DEVBUS_MAX_STEPS; i++) {
        enum xenbus_action act;
        int rc;

        if (being_removed(d))
            break;
        rc = xenbus_front_step(fe, &act);
        if (rc < 0) {
            /* Once until a step works again: a backend flapping its
             * state must not flood the console. */
            if (rc != d->last_rc) {
                kfmt_printf("[xenith] xenbus: %s: step failed (%d), "
                            "%s/state is %s%s\n",
                            dev_name(d), rc, fe->xb.backend,
                            xenbus_state_name(fe->back_state),
                            fe->broken ? " (device broken: it only closes)"
                                       : "");
                d->last_rc = rc;
            }
            break;
        }
        d->last_rc = 0;
        if (act == XENBUS_ACT_CLOSE) {
            kfmt_printf("[xenith] %s: backend %s is %s: closing\n", dev_name(d),
                        fe->xb.backend, xenbus_state_name(fe->back_state));
            d->close_deadline = time_monotonic_ns() + DEVBUS_CLOSE_WAIT_NS;
            break;
        }
        if (act == XENBUS_ACT_NONE)
            break;
    }
    if (fe->active && !was_active && d->cls->connected)
        d->cls->connected(d);
}

static void service_all(void)
{
    for (unsigned int i = 0; i < nr_devs; i++) {
        struct devbus_dev *d = &devs[i];

        devbus_lock(d);
        dev_service(d);
        devbus_unlock(d);
        if (d->cls->after_service)
            d->cls->after_service(d);
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

/* When the thread must look again without an event. */
static uint64_t next_deadline(void)
{
    uint64_t next = SCHED_NO_DEADLINE;
    bool poll = !dev_watching;

    for (unsigned int i = 0; i < nr_devs; i++) {
        /* A reconnect back-off ending, deferred pages to retry. */
        uint64_t fe_next = xenbus_front_next_deadline(devs[i].fe);

        if (devs[i].close_deadline && devs[i].close_deadline < next)
            next = devs[i].close_deadline;
        if (fe_next && fe_next < next)
            next = fe_next;
        poll |= !devs[i].watching;
    }
    if (poll && time_monotonic_ns() + DEVBUS_POLL_NS < next)
        next = time_monotonic_ns() + DEVBUS_POLL_NS;
    return next;
}

static void devbus_thread(void *arg)
{
    uint64_t deadline;

    (void)arg;
    /* The first event of each watch arrives at once: an initial pass. */
    dev_watching = xs_watch_add(bus_xs, &dev_watch, "device") == 0;
    if (!dev_watching)
        kfmt_printf("[xenith] xenbus: cannot watch device/; scanning it "
                    "every %llu s\n",
                    (unsigned long long)(DEVBUS_POLL_NS / 1000000000));
    deadline = next_deadline();
    for (;;) {
        bool changed, rescan;

        if (xs_poll(bus_xs) < 0) {
            kfmt_printf("[xenith] xenbus: xenstore connection broken, "
                        "devices no longer follow their backends\n");
            return;
        }
        rescan = dev_watching && drain(&dev_watch);
        changed = rescan;
        for (unsigned int i = 0; i < nr_devs; i++)
            if (devs[i].watching && drain(&devs[i].back_watch))
                changed = devs[i].back_changed = true;
        if (!changed && time_monotonic_ns() < deadline) {
            /* Woken by any xenstore traffic (or the deadline). */
            bus_xs->t.wait(bus_xs->t.arg, deadline);
            continue;
        }
        if (rescan || !dev_watching) {
            sched_mutex_lock(&bus_lock);
            for (unsigned int c = 0; c < nr_classes; c++)
                scan_class(classes[c], false);
            sched_mutex_unlock(&bus_lock);
        }
        service_all();
        deadline = next_deadline();
    }
}

/* ---- suspend and resume (kernel/suspend.h) ---- */

/*
 * Park every device, keeping its state and what it has in flight, and
 * hold every lock until resume: nothing enters a driver, and the watch
 * thread services nothing, while the domain is being saved.
 */
static int bus_suspend(void)
{
    sched_mutex_lock(&bus_lock);
    for (unsigned int i = 0; i < nr_devs; i++) {
        devbus_lock(&devs[i]);
        xenbus_front_suspend(devs[i].fe);
    }
    return 0;
}

/*
 * Cancelled: every data path restarts on its old rings. Restored: every
 * device forgets its old connection and probes its (possibly moved)
 * backend; the watch thread then reconnects each through the lifecycle,
 * woken by the watches xenstore registered again.
 */
static void bus_resume(bool cancelled)
{
    for (unsigned int i = 0; i < nr_devs; i++) {
        struct devbus_dev *d = &devs[i];
        int rc = xenbus_front_resume(d->fe, cancelled);

        d->fe->timeout_ns = step_timeout_ns;
        if (rc < 0)
            kfmt_printf("[xenith] %s: resume failed (%d)\n", dev_name(d), rc);
        if (!cancelled) {
            d->close_deadline = 0;
            d->back_changed = true;
            watch_backend(d);
        }
    }
    for (unsigned int i = nr_devs; i-- > 0;) {
        devbus_unlock(&devs[i]);
        if (devs[i].cls->after_service)
            devs[i].cls->after_service(&devs[i]);
    }
    sched_mutex_unlock(&bus_lock);
    if (bus_xs->t.wake)
        bus_xs->t.wake(bus_xs->t.arg); /* the thread looks at once */
}

static struct suspend_hook bus_hook = {
    .name = "devices",
    .suspend = bus_suspend,
    .resume = bus_resume,
};

int devbus_attach(const struct devbus_class *cls, uint64_t timeout_ns)
{
    unsigned int first, up = 0;

    if (!bus_xs) {
        bus_xs = xenstore_conn();
        if (!bus_xs)
            return -ENODEV;
        sched_mutex_init(&bus_lock, false);
        step_timeout_ns = timeout_ns;
        suspend_register(&bus_hook);
    }
    if (nr_classes == DEVBUS_MAX_CLASSES)
        return -ENOSPC;

    sched_mutex_lock(&bus_lock);
    classes[nr_classes++] = cls;
    first = nr_devs;
    scan_class(cls, true);
    sched_mutex_unlock(&bus_lock);

    for (unsigned int i = first; i < nr_devs; i++) {
        struct devbus_dev *d = &devs[i];
        int rc;

        if (!d->booting)
            continue; /* another class's, added by the thread meanwhile */
        devbus_lock(d);
        rc = xenbus_front_connect(d->fe);
        if (rc < 0)
            kfmt_printf("[xenith] %s: connecting failed (%d), backend %s is "
                        "%s; continuing without it\n",
                        dev_name(d), rc, d->fe->xb.backend,
                        xenbus_state_name(d->fe->back_state));
        else
            up++;
        if (d->fe->active && cls->connected)
            cls->connected(d);
        d->booting = false; /* the thread follows it from here on */
        devbus_unlock(d);
        if (cls->after_service)
            cls->after_service(d);
    }
    if (!thread_started) {
        if (!sched_thread_create("xenbus", devbus_thread, NULL, 0))
            return -ENOMEM;
        thread_started = true;
    }
    return (int)up;
}
