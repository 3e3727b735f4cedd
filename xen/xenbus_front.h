// SPDX-License-Identifier: MIT
/*
 * xen/xenbus_front.h - the one xenbus frontend lifecycle every PV device
 * class shares: probe, the connect loop, the state switch with logging,
 * the backend-feature and key helpers, orderly close, the reprobe after
 * the toolstack re-created a device, suspend and resume.
 *
 * Design choice: a device class (netfront, blkfront, a future console or
 * 9pfs front) is a table of hooks (struct xenbus_front_class) over a
 * struct xenbus_front embedded in the driver's own state. The hooks do
 * only what is the class's own: read its keys, build and publish its
 * rings, start and stop its data path. Everything about xenbus itself -
 * which action follows from (our state, the backend's state), when rings
 * may be freed, what a broken device may still do, how long to wait and
 * which path to name when a wait times out - is here, once, on top of
 * xenbus_front_action()'s pure table (xen/xenbus.h). Two class facts are
 * parameters rather than code: the state we announce after publishing
 * (netback maps the rings on our Connected and ignores Initialised,
 * blkback on Initialised), and that rings are released only once the
 * backend let go of them (blkback unmaps on our Closed, netback on our
 * Closing: waiting for the backend's Closed, gone or re-initialising
 * serves both). The environment a driver needs from the kernel (pages,
 * frames, event channels, a wait, a log) is one ops table too, so the
 * guest implements it once (drivers/devbus/devbus_env.c) and host tests
 * once (test/fakes/fake_front_env.c).
 * Not reentrant: one thread (or a caller-held lock) calls into a device.
 * Reference: xen/include/public/io/xenbus.h, docs/misc/xenstore-paths.
 */
#ifndef XEN_XENBUS_FRONT_H
#define XEN_XENBUS_FRONT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/xenbus.h>

#include "xen/xenbus.h"
#include "xen/xenstore.h"

/* ---- the environment a frontend runs in (guest kernel or host test) ---- */

struct xenbus_front_env {
    /* 2^order zeroed, contiguous, page-aligned pages, or NULL. */
    void *(*alloc_pages)(void *arg, unsigned int order);
    void (*free_pages)(void *arg, void *pages, unsigned int order);
    /* The frame number (MFN on PV) to put into a grant for va's page. */
    unsigned long (*virt_to_frame)(void *arg, const void *va);
    /*
     * Open an unbound port for domain remote whose events run
     * handler(ctx) in event context (it may only mark and kick).
     * 0 or -errno.
     */
    int (*evtchn_open)(void *arg, domid_t remote, void (*handler)(void *ctx),
                       void *ctx, evtchn_port_t *port);
    void (*evtchn_close)(void *arg, evtchn_port_t port);
    /* Optional: drop our binding of a port the domain no longer owns
     * (after a restore: Xen closed it), with no hypercall. */
    void (*evtchn_forget)(void *arg, evtchn_port_t port);
    /* Kick the backend on port. */
    void (*notify)(void *arg, evtchn_port_t port);
    /* Optional: block until an event on any of this device's ports or
     * timeout_ns: 0 or -ETIMEDOUT. */
    int (*wait)(void *arg, uint64_t timeout_ns);
    /* Optional: one diagnostic line (no newline). */
    void (*log)(void *arg, const char *msg);
    /* Monotonic nanoseconds (the clock wait() and deadlines count on). */
    uint64_t (*now)(void *arg);
    void *arg;
};

/* The env has every mandatory op. */
bool xenbus_front_env_valid(const struct xenbus_front_env *env);

/* ---- a device class ---- */

struct xenbus_front;

struct xenbus_front_class {
    const char *type;   /* device/<type>: "vif", "vbd" */
    const char *driver; /* log prefix: "netfront" */
    /* What we announce once our keys are published (see above). */
    XenbusState publish_state;
    /* Optional: read the class's own keys at probe (MAC, MTU). */
    int (*probe)(struct xenbus_front *f);
    /*
     * CONNECT (backend InitWait): read the transport features, set up
     * rings and event channels (f->rings = true), publish our keys. On
     * failure the lifecycle calls release(). 0 or -errno.
     */
    int (*connect)(struct xenbus_front *f);
    /* Optional: the backend is Connected; read what it publishes only
     * then. -EIO: the device cannot be used safely (broken). */
    int (*backend_connected)(struct xenbus_front *f);
    /* Start (true) or stop the data path; stopping fails or parks what
     * is in flight (the class says which, see suspend). */
    void (*set_active)(struct xenbus_front *f, bool on);
    /* Revoke and free rings, grants and ports (f->rings = false). */
    void (*release)(struct xenbus_front *f);
    /* Reprobe: back to the state right after the driver's init, keeping
     * its environment, config and callbacks. */
    int (*reset)(struct xenbus_front *f);
    /*
     * Optional, suspend/resume: park the data path keeping what is in
     * flight (suspend; default set_active(false)), and after the domain
     * was restored keep what must be replayed, then release (resume;
     * default release). During resume f->forgetting is set, so the
     * release goes through xenbus_front_end_grant() and
     * xenbus_front_port_release(), which then drop grants and ports the
     * domain no longer owns without revoking or closing them.
     */
    void (*suspend)(struct xenbus_front *f);
    void (*resume)(struct xenbus_front *f);
};

/* Most refs one deferred block carries (a multi-page ring). */
#define XENBUS_FRONT_DEFER_REFS 4
/* Reconnect cycles (a live connection lost, then connected again) we
 * follow, with back-off, before giving up on a restless backend. */
#define XENBUS_FRONT_MAX_CYCLES     16
#define XENBUS_FRONT_BACKOFF_MAX_NS (60ULL * 1000 * 1000 * 1000)
/* How often deferred pages are tried again. */
#define XENBUS_FRONT_REAP_NS (1ULL * 1000 * 1000 * 1000)

/* Pages the backend still mapped when we released them. */
struct xenbus_front_deferred {
    void *page; /* NULL: refs only */
    unsigned int order;
    unsigned int nr_refs;
    grant_ref_t refs[XENBUS_FRONT_DEFER_REFS];
};

struct xenbus_front {
    const struct xenbus_front_class *cls;
    struct xs_conn *xs;
    struct xenbus_dev xb;
    XenbusState state;      /* ours, as last written */
    XenbusState back_state; /* the backend's, as last read */
    bool rings;             /* rings set up (owned by the class) */
    bool active;            /* data path on */
    bool broken;            /* the backend violated the protocol */
    bool suspended;         /* between suspend and resume */
    bool forgetting;        /* resume: grants and ports are gone already */
    /* Grants: how many this device holds (deferred ones included), and
     * its quota, so one hostile backend cannot take every ref. */
    unsigned int grants_used, grant_quota;
    bool quota_logged; /* said once until use falls to 3/4 of it */
    struct xenbus_front_deferred *deferred;
    unsigned int nr_deferred, cap_deferred;
    uint64_t next_reap; /* when deferred pages are tried again */
    /* Reconnects: cycles so far, and the earliest next CONNECT. */
    bool was_active;
    unsigned int cycles;
    uint64_t retry_at;
    uint64_t timeout_ns; /* for one whole connect */
    const struct xenbus_front_env *env;
    char last_error[160];
};

/*
 * The backend may only answer requests we made: rsp_prod must not run
 * past req_prod_pvt (the stricter form of io/ring.h's
 * RING_RESPONSE_PROD_OVERFLOW). r is a front ring, prod the value of
 * rsp_prod loaded once.
 */
#define XENBUS_FRONT_RSP_PROD_BAD(r, prod)                                     \
    (RING_RESPONSE_PROD_OVERFLOW(r, prod) ||                                   \
     (RING_IDX)((prod) - (r)->rsp_cons) >                                      \
         (RING_IDX)((r)->req_prod_pvt - (r)->rsp_cons))

/* Steps of one connect before the backend is called unstable. */
#define XENBUS_FRONT_CONNECT_MAX_STEPS 32

/*
 * Bind f to device/<cls->type>/<devid>: validated backend and
 * backend-id, the class's probe hook, our current state. -ENOENT
 * without a backend. f->cls, f->env and f->timeout_ns are set by the
 * driver's init before.
 */
int xenbus_front_probe(struct xenbus_front *f, struct xs_conn *xs,
                       unsigned int devid);

/*
 * One step: read the backend's state and carry out the action the
 * table and the lifecycle rules give. *act (may be NULL) receives it.
 * 0 or -errno (-EIO: broken).
 */
int xenbus_front_step(struct xenbus_front *f, enum xenbus_action *act);

/*
 * Connect: switch to Initialising and step until active, waiting on
 * <backend>/state, within f->timeout_ns for the whole connect (logged
 * with the path) and at most XENBUS_FRONT_CONNECT_MAX_STEPS steps. 0,
 * -ETIMEDOUT, -EIO.
 */
int xenbus_front_connect(struct xenbus_front *f);

/* Orderly close (xenbus_close) and release of the rings. */
int xenbus_front_disconnect(struct xenbus_front *f);

/*
 * The toolstack removed and re-created device/<type>/<id>: release the
 * rings (pages the old backend still maps are leaked, never reused),
 * reset the driver (broken cleared: a new backend gets a new chance)
 * and probe again. 0 or -errno from the probe.
 */
int xenbus_front_reprobe(struct xenbus_front *f);

/* The toolstack removed our directory: data path off, rings released,
 * state Unknown. */
void xenbus_front_gone(struct xenbus_front *f);

/*
 * Suspend: park the data path (cls->suspend, else set_active(false)),
 * keeping state and in-flight work. Resume after a real restore
 * (cancelled == false): forget rings without revoking (cls->resume),
 * then the caller connects again; after a cancelled suspend the old
 * connection is still valid: the data path restarts in place.
 */
void xenbus_front_suspend(struct xenbus_front *f);
int xenbus_front_resume(struct xenbus_front *f, bool cancelled);

/*
 * Grant frame to the backend domain, within the device's quota: the ref,
 * -ENOSPC (quota or table full, logged once per connect) or -errno.
 */
int xenbus_front_grant(struct xenbus_front *f, domid_t domid,
                       unsigned long frame, bool readonly);

/*
 * Revoke and free grant ref for a class's release: 0 (also when the
 * domain was restored and the ref means nothing any more), or -EBUSY
 * while the backend still maps it: the page must then never be reused;
 * hand it to xenbus_front_defer().
 */
int xenbus_front_end_grant(struct xenbus_front *f, grant_ref_t ref);

/*
 * The backend still maps page (2^order pages, NULL for refs only)
 * through refs[0..n): keep them, retry the revoke later
 * (xenbus_front_reap()), free the page once every ref is revoked. The
 * refs stay counted against the quota until then. If no memory is left
 * to remember them they are leaked (logged): never reused.
 */
void xenbus_front_defer(struct xenbus_front *f, void *page, unsigned int order,
                        const grant_ref_t *refs, unsigned int n);

/* Retry every deferred revoke; returns how many blocks remain. */
unsigned int xenbus_front_reap(struct xenbus_front *f);

/*
 * When the device wants to be stepped again without an event (a
 * reconnect back-off ending, deferred pages to retry), on env->now's
 * scale; 0 when never.
 */
uint64_t xenbus_front_next_deadline(const struct xenbus_front *f);

/* Close an event channel of ours for a class's release (after a restore:
 * drop the binding only, Xen closed it). */
void xenbus_front_port_release(struct xenbus_front *f, evtchn_port_t port);

/* Forget the deferred list (host tests' teardown: the fake frees every
 * page itself). Guest devices are never freed. */
void xenbus_front_fini(struct xenbus_front *f);

/* Write our state node and remember it; logged with the path on error. */
int xenbus_front_set_state(struct xenbus_front *f, XenbusState s);

/* One log line through env->log (kept in f->last_error). */
void xenbus_front_log(struct xenbus_front *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xenbus_front_vlog(struct xenbus_front *f, const char *fmt, va_list ap);

/*
 * Mark broken: log once, stop the data path, -EIO forever after.
 * Returns -EIO for `return xenbus_front_fail(...)`.
 */
int xenbus_front_fail(struct xenbus_front *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int xenbus_front_vfail(struct xenbus_front *f, const char *fmt, va_list ap);

/* The failure for XENBUS_FRONT_RSP_PROD_BAD on ring `ring` ("tx"):
 * logged with the values, broken. -EIO. */
int xenbus_front_bad_prod(struct xenbus_front *f, const char *ring,
                          unsigned int prod, unsigned int cons,
                          unsigned int req);

/*
 * <backend>/<key> as a number inside tx: 1 present and valid, 0
 * missing, -EINVAL malformed (logged with the path), other -errno.
 */
int xenbus_front_back_uint(struct xenbus_front *f, xs_tx_t tx, const char *key,
                           unsigned long *out);

/* An optional backend flag: 1 or 0; garbage reads as 0 (logged). */
int xenbus_front_back_flag(struct xenbus_front *f, xs_tx_t tx, const char *key);

/*
 * Run body(f, tx) in one transaction, re-run on EAGAIN; a failure is
 * logged naming our directory. For publishing keys.
 */
int xenbus_front_publish(struct xenbus_front *f,
                         int (*body)(struct xs_conn *c, xs_tx_t tx, void *arg),
                         void *arg);

#endif /* XEN_XENBUS_FRONT_H */
