// SPDX-License-Identifier: MIT
/*
 * drivers/devbus/devbus.h - the device-watch service: enumeration and
 * hot-plug of every PV device class, one thread, xenstore watches only.
 *
 * A device class registry (drivers/netfront/netdev.c,
 * drivers/blkfront/blkdev.c) attaches a struct devbus_class at its boot
 * stage; devbus then owns the class's devices for the domain's life:
 * it creates one per device/<type>/N (at boot and whenever the toolstack
 * adds one), connects those present at boot with bounded waits, and
 * services each on every change - our device/ directory (a recursive
 * watch: the toolstack adds, removes or re-creates a device, we or it
 * write a state) or the device's <backend>/state. Servicing reads our
 * own state node first: missing means the toolstack removed the device
 * (xl *-detach: data path off, rings released); different from what we
 * last wrote means it re-created it (xl *-attach of the same id: start
 * over with the new backend); then the shared lifecycle steps
 * (xenbus_front_step) until there is nothing to do. After a CLOSE the
 * device waits for the backend's next state write (or a deadline), so
 * rings are released only once the backend has let go of them; Closed
 * with the backend's `online` at 0 means the toolstack is removing the
 * device, so it stays Closed instead of starting over. Every entry into
 * a driver holds its device's recursive mutex (devbus_lock); the class's
 * after_service hook runs with it released, so registries can tell
 * their users about changes (link up, failed requests) without holding
 * it. Devices keep their slot and address for the domain's life.
 * Guest only. Reference: io/xenbus.h, docs/misc/xenstore-paths.
 */
#ifndef DEVBUS_DEVBUS_H
#define DEVBUS_DEVBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/sched.h"
#include "xen/xenbus_front.h"
#include "xen/xenstore.h"

/* Most devices of all classes one domain registers. */
#define DEVBUS_MAX 16

struct devbus_dev;

struct devbus_class {
    const char *type; /* device/<type>: "vif", "vbd" */
    unsigned int max; /* most devices of this class */
    /*
     * Create and probe the driver of device/<type>/<d->devid>: set d->fe
     * (and d->priv for the registry). Thread context; 0 or -errno.
     */
    int (*create)(struct devbus_dev *d, struct xs_conn *xs);
    /* Optional, lock held: the driver was reset and probed again. */
    void (*reprobed)(struct devbus_dev *d);
    /* Optional, lock held: the data path just came up. */
    void (*connected)(struct devbus_dev *d);
    /* Optional, lock released: after every service pass. */
    void (*after_service)(struct devbus_dev *d);
};

struct devbus_dev {
    const struct devbus_class *cls;
    struct xenbus_front *fe;
    void *priv;
    unsigned int devid;
    struct sched_mutex lock; /* recursive: every entry into the driver */
    bool booting;            /* being connected by devbus_attach() */
    bool gone;               /* our device/<type>/N was removed */
    bool watching;           /* back_watch registered */
    bool back_changed;       /* a <backend>/state event since last pass */
    uint64_t close_deadline; /* after CLOSE: wait for the backend until */
    int last_rc;             /* the step failure last logged (0: none) */
    struct xs_watch back_watch;
};

/*
 * Attach class cls: create every device/<type>/N present now and
 * connect each (timeout_ns per handshake wait; a device that fails is
 * logged with its paths and left to the watch thread), start the watch
 * thread if it is not running. Thread context, after xenstore and grant
 * tables are up. Returns the number of devices connected, or -errno
 * (no xenstore, no memory for the thread).
 */
int devbus_attach(const struct devbus_class *cls, uint64_t timeout_ns);

void devbus_lock(struct devbus_dev *d);
void devbus_unlock(struct devbus_dev *d);

#endif /* DEVBUS_DEVBUS_H */
