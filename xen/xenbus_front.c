// SPDX-License-Identifier: MIT
/*
 * xen/xenbus_front.c - the frontend lifecycle shared by every device
 * class (see xenbus_front.h for the hooks and the rules).
 *
 * One step = read <backend>/state, look up xenbus_front_action(ours,
 * its), adjust it by the three lifecycle rules below, carry it out
 * through the class's hooks, and write our new state. The rules:
 *  1. Published and announced Connected before the backend followed
 *     (netif): the backend's InitWait/Initialised mean "not there yet",
 *     its Connected means "go" - not the reset the bare table says.
 *  2. A broken device only ever closes (telling the backend to stop)
 *     and never connects again to the backend that misbehaved.
 *  3. After our Closed the rings stay until the backend is Closed, gone
 *     or starting over: it may still map them until then, and freeing a
 *     page it maps would hand it memory we reuse.
 * Every wait is bounded by f->timeout_ns and names the path it waited
 * on. Reference: xen/include/public/io/xenbus.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xen/gnttab.h"
#include "xen/xenbus_front.h"

bool xenbus_front_env_valid(const struct xenbus_front_env *env)
{
    return env && env->alloc_pages && env->free_pages && env->virt_to_frame &&
           env->evtchn_open && env->evtchn_close && env->notify && env->now;
}

/* ---- diagnostics ---- */

void xenbus_front_vlog(struct xenbus_front *f, const char *fmt, va_list ap)
{
    vsnprintf(f->last_error, sizeof(f->last_error), fmt, ap);
    if (f->env && f->env->log)
        f->env->log(f->env->arg, f->last_error);
}

void xenbus_front_log(struct xenbus_front *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xenbus_front_vlog(f, fmt, ap);
    va_end(ap);
}

int xenbus_front_vfail(struct xenbus_front *f, const char *fmt, va_list ap)
{
    if (f->broken)
        return -EIO; /* logged once: a flood of errors helps nobody */
    f->broken = true;
    xenbus_front_vlog(f, fmt, ap);
    f->active = false;
    f->cls->set_active(f, false);
    return -EIO;
}

int xenbus_front_fail(struct xenbus_front *f, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = xenbus_front_vfail(f, fmt, ap);
    va_end(ap);
    return rc;
}

int xenbus_front_bad_prod(struct xenbus_front *f, const char *ring,
                          unsigned int prod, unsigned int cons,
                          unsigned int req)
{
    return xenbus_front_fail(f,
                             "%s: %s: %s rsp_prod %u beyond requests "
                             "(cons %u, req %u)",
                             f->cls->driver, f->xb.nodename, ring, prod, cons,
                             req);
}

/* ---- what a class releases ---- */

int xenbus_front_end_grant(struct xenbus_front *f, grant_ref_t ref)
{
    if (f->forgetting)
        return 0; /* a new grant table: the ref is nobody's any more */
    if (gnttab_end_access(ref) == -EBUSY)
        return -EBUSY;
    gnttab_free(ref);
    return 0;
}

void xenbus_front_port_release(struct xenbus_front *f, evtchn_port_t port)
{
    if (!f->forgetting)
        f->env->evtchn_close(f->env->arg, port);
    else if (f->env->evtchn_forget)
        f->env->evtchn_forget(f->env->arg, port);
}

/* ---- keys ---- */

int xenbus_front_back_uint(struct xenbus_front *f, xs_tx_t tx, const char *key,
                           unsigned long *out)
{
    int rc = xenbus_read_uint(f->xs, tx, f->xb.backend, key, out);

    if (rc == -EINVAL)
        xenbus_front_log(f, "%s: malformed %s/%s", f->cls->driver,
                         f->xb.backend, key);
    return rc;
}

int xenbus_front_back_flag(struct xenbus_front *f, xs_tx_t tx, const char *key)
{
    unsigned long v = 0;
    int rc = xenbus_front_back_uint(f, tx, key, &v);

    if (rc == -EINVAL)
        return 0; /* a sloppy backend still gets a plain connection */
    if (rc < 0)
        return rc;
    return rc == 1 && v != 0;
}

int xenbus_front_publish(struct xenbus_front *f,
                         int (*body)(struct xs_conn *c, xs_tx_t tx, void *arg),
                         void *arg)
{
    int rc = xs_transaction_run(f->xs, body, arg);

    if (rc < 0)
        xenbus_front_log(f, "%s: publishing keys in %s failed (%d)",
                         f->cls->driver, f->xb.nodename, rc);
    return rc;
}

int xenbus_front_set_state(struct xenbus_front *f, XenbusState s)
{
    int rc = xenbus_switch_state(f->xs, &f->xb, s);

    if (rc < 0) {
        xenbus_front_log(f, "%s: writing %s/state = %u failed (%d)",
                         f->cls->driver, f->xb.nodename, (unsigned int)s, rc);
        return rc;
    }
    f->state = s;
    return 0;
}

/* ---- probe ---- */

int xenbus_front_probe(struct xenbus_front *f, struct xs_conn *xs,
                       unsigned int devid)
{
    int rc;

    f->xs = xs;
    rc = xenbus_dev_init(xs, &f->xb, f->cls->type, devid);
    if (rc < 0)
        return rc;
    if (f->cls->probe) {
        rc = f->cls->probe(f);
        if (rc < 0)
            return rc;
    }
    rc = xenbus_read_state(xs, XS_TX_NONE, f->xb.nodename, &f->state);
    return rc < 0 ? rc : 0;
}

/* ---- the state machine ---- */

static void release(struct xenbus_front *f)
{
    f->active = false;
    f->cls->release(f);
    f->rings = false;
}

static void set_active(struct xenbus_front *f, bool on)
{
    f->active = on;
    f->cls->set_active(f, on);
}

static int do_connect(struct xenbus_front *f)
{
    int rc;

    if (f->rings)
        release(f); /* leftovers of an aborted attempt */
    rc = f->cls->connect(f);
    if (!rc)
        rc = xenbus_front_set_state(f, f->cls->publish_state);
    if (rc)
        release(f);
    return rc;
}

static int go_connected(struct xenbus_front *f)
{
    int rc;

    if (!f->rings)
        return -EIO; /* announced without rings cannot happen */
    if (f->cls->backend_connected) {
        rc = f->cls->backend_connected(f);
        if (rc == -EIO)
            return xenbus_front_fail(f, "%s: %s: unusable device properties",
                                     f->cls->driver, f->xb.backend);
        if (rc < 0)
            return rc;
    }
    if (f->state != XenbusStateConnected) {
        rc = xenbus_front_set_state(f, XenbusStateConnected);
        if (rc < 0)
            return rc;
    }
    set_active(f, true);
    return 0;
}

/* The lifecycle rules (file comment) applied to the table's action. */
static enum xenbus_action adjust(const struct xenbus_front *f,
                                 enum xenbus_action a, XenbusState back)
{
    if (f->state == XenbusStateConnected && !f->active && f->rings &&
        !f->broken) {
        if (back == XenbusStateInitWait || back == XenbusStateInitialised)
            a = XENBUS_ACT_NONE;
        else if (back == XenbusStateConnected)
            a = XENBUS_ACT_GO_CONNECTED;
    }
    if (f->broken && a != XENBUS_ACT_BROKEN) {
        bool closing =
            f->state == XenbusStateClosing || f->state == XenbusStateClosed;

        if (!closing && a != XENBUS_ACT_GO_CLOSED)
            a = XENBUS_ACT_CLOSE;
        else if (closing && a != XENBUS_ACT_GO_CLOSED)
            a = XENBUS_ACT_NONE;
    }
    return a;
}

int xenbus_front_step(struct xenbus_front *f, enum xenbus_action *act)
{
    enum xenbus_action a;
    XenbusState back;
    int rc;

    if (act)
        *act = XENBUS_ACT_NONE;
    rc = xenbus_read_state(f->xs, XS_TX_NONE, f->xb.backend, &back);
    if (rc == -EIO)
        return xenbus_front_fail(f, "%s: invalid %s/state", f->cls->driver,
                                 f->xb.backend);
    if (rc < 0)
        return rc;
    f->back_state = back;
    /* Rule 3: Closed with rings kept for the backend. */
    if (f->state == XenbusStateClosed && f->rings &&
        back != XenbusStateClosing && back != XenbusStateConnected)
        release(f);
    a = adjust(f, xenbus_front_action(f->state, back), back);
    if (act)
        *act = a;
    switch (a) {
    case XENBUS_ACT_NONE:
        return 0;
    case XENBUS_ACT_CONNECT:
        return do_connect(f);
    case XENBUS_ACT_GO_CONNECTED:
        return go_connected(f);
    case XENBUS_ACT_CLOSE:
        /* Stop I/O first; the rings stay until the backend let go. */
        set_active(f, false);
        return xenbus_front_set_state(f, XenbusStateClosing);
    case XENBUS_ACT_GO_CLOSED:
        set_active(f, false);
        rc = xenbus_front_set_state(f, XenbusStateClosed);
        /* Rule 3: free now only if the backend has let go already. */
        if (back != XenbusStateClosing && back != XenbusStateConnected)
            release(f);
        return rc;
    case XENBUS_ACT_RESET:
        release(f);
        return xenbus_front_set_state(f, XenbusStateInitialising);
    case XENBUS_ACT_BROKEN:
    default:
        return xenbus_front_fail(
            f, "%s: %s: impossible states front %s back %s", f->cls->driver,
            f->xb.nodename, xenbus_state_name(f->state),
            xenbus_state_name(back));
    }
}

int xenbus_front_connect(struct xenbus_front *f)
{
    const unsigned int all = (1u << (XenbusStateReconfigured + 1)) - 1;
    /* One deadline for the whole connect: a backend that keeps moving
     * just before each wait would expire must not stretch it. */
    uint64_t deadline = f->xs->t.now(f->xs->t.arg) + f->timeout_ns;
    int rc;

    if (f->broken)
        return -EIO;
    if (f->state != XenbusStateInitialising) {
        release(f);
        rc = xenbus_front_set_state(f, XenbusStateInitialising);
        if (rc < 0)
            return rc;
    }
    for (unsigned int step = 0; step < XENBUS_FRONT_CONNECT_MAX_STEPS; step++) {
        enum xenbus_action a;
        uint64_t now;

        rc = xenbus_front_step(f, &a);
        if (rc < 0)
            return rc;
        if (f->active)
            return 0;
        if (a != XENBUS_ACT_NONE)
            continue;
        now = f->xs->t.now(f->xs->t.arg);
        rc = -ETIMEDOUT;
        /* Wait for the backend to move from what we just saw. */
        if (now < deadline)
            rc = xenbus_wait_backend_state(f->xs, &f->xb,
                                           all & ~XENBUS_MASK(f->back_state),
                                           deadline - now, NULL);
        if (rc == -ETIMEDOUT) {
            xenbus_front_log(f,
                             "%s: timeout connecting %s within %llu ms: "
                             "%s/state is %s",
                             f->cls->driver, f->xb.nodename,
                             (unsigned long long)(f->timeout_ns / 1000000),
                             f->xb.backend, xenbus_state_name(f->back_state));
            return rc;
        }
        if (rc == -EIO)
            return xenbus_front_fail(f, "%s: invalid %s/state", f->cls->driver,
                                     f->xb.backend);
        if (rc < 0)
            return rc;
    }
    xenbus_front_log(f, "%s: %s/state keeps changing, giving up",
                     f->cls->driver, f->xb.backend);
    return -ETIMEDOUT;
}

int xenbus_front_disconnect(struct xenbus_front *f)
{
    int rc;

    set_active(f, false);
    rc = xenbus_close(f->xs, &f->xb, f->timeout_ns);
    if (rc < 0)
        xenbus_front_log(f, "%s: closing %s: %s did not follow (%d)",
                         f->cls->driver, f->xb.nodename, f->xb.backend, rc);
    /* After Closed the backend has unmapped the rings; a page it still
     * holds is leaked by release, never reused. */
    release(f);
    if (xenbus_read_state(f->xs, XS_TX_NONE, f->xb.nodename, &f->state) < 0)
        f->state = XenbusStateClosed;
    return rc;
}

int xenbus_front_reprobe(struct xenbus_front *f)
{
    struct xs_conn *xs = f->xs;
    unsigned int devid = f->xb.id;
    int rc;

    if (f->rings)
        release(f);
    rc = f->cls->reset(f);
    if (rc < 0)
        return rc;
    return xenbus_front_probe(f, xs, devid);
}

void xenbus_front_gone(struct xenbus_front *f)
{
    set_active(f, false);
    release(f);
    f->state = XenbusStateUnknown;
}

void xenbus_front_suspend(struct xenbus_front *f)
{
    f->suspended = true;
    f->active = false;
    if (f->cls->suspend)
        f->cls->suspend(f);
    else
        f->cls->set_active(f, false);
}

int xenbus_front_resume(struct xenbus_front *f, bool cancelled)
{
    f->suspended = false;
    if (cancelled) {
        /* The domain never left: rings, grants and ports still hold. */
        if (f->rings && f->state == XenbusStateConnected && !f->broken)
            set_active(f, true);
        return 0;
    }
    /* New grant table, new ports, new backend instance: forget the old
     * connection without revoking anything, then probe the (possibly
     * moved) backend; the caller connects again. */
    f->forgetting = true;
    if (f->cls->resume)
        f->cls->resume(f);
    else
        f->cls->release(f);
    f->forgetting = false;
    f->rings = false;
    f->active = false;
    f->broken = false;
    return xenbus_front_probe(f, f->xs, f->xb.id);
}
