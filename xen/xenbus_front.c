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
#include <stdlib.h>
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

int xenbus_front_grant(struct xenbus_front *f, domid_t domid,
                       unsigned long frame, bool readonly)
{
    int rc;

    if (f->grant_quota && f->grants_used >= f->grant_quota) {
        /* Under load this is back-pressure (blkfront waits for its
         * completions), so say it once per episode, not per request. */
        if (!f->quota_logged)
            xenbus_front_log(f, "%s: %s: grant quota (%u refs) reached",
                             f->cls->driver, f->xb.nodename,
                             f->grant_quota);
        f->quota_logged = true;
        return -ENOSPC;
    }
    rc = gnttab_grant_access(domid, frame, readonly);
    if (rc >= 0)
        f->grants_used++;
    return rc;
}

static void grant_done(struct xenbus_front *f)
{
    if (f->grants_used)
        f->grants_used--;
    if (f->grants_used < f->grant_quota / 4 * 3)
        f->quota_logged = false;
}

int xenbus_front_end_grant(struct xenbus_front *f, grant_ref_t ref)
{
    if (f->forgetting) {
        grant_done(f);
        return 0; /* a new grant table: the ref is nobody's any more */
    }
    if (gnttab_end_access(ref) == -EBUSY)
        return -EBUSY;
    gnttab_free(ref);
    grant_done(f);
    return 0;
}

void xenbus_front_defer(struct xenbus_front *f, void *page, unsigned int order,
                        const grant_ref_t *refs, unsigned int n)
{
    struct xenbus_front_deferred *d;

    if (n > XENBUS_FRONT_DEFER_REFS)
        n = XENBUS_FRONT_DEFER_REFS; /* callers pass at most a ring */
    if (f->nr_deferred == f->cap_deferred) {
        unsigned int cap = f->cap_deferred ? 2 * f->cap_deferred : 64;
        void *p = realloc(f->deferred, cap * sizeof(*f->deferred));

        if (!p) {
            xenbus_front_log(f,
                             "%s: %s: no memory to defer a page the "
                             "backend still maps: leaked",
                             f->cls->driver, f->xb.nodename);
            return;
        }
        f->deferred = p;
        f->cap_deferred = cap;
    }
    d = &f->deferred[f->nr_deferred++];
    d->page = page;
    d->order = order;
    d->nr_refs = n;
    memcpy(d->refs, refs, n * sizeof(*refs));
    if (!f->next_reap)
        f->next_reap = f->env->now(f->env->arg) + XENBUS_FRONT_REAP_NS;
}

unsigned int xenbus_front_reap(struct xenbus_front *f)
{
    unsigned int out = 0;

    for (unsigned int i = 0; i < f->nr_deferred; i++) {
        struct xenbus_front_deferred d = f->deferred[i];
        unsigned int left = 0;

        for (unsigned int r = 0; r < d.nr_refs; r++)
            if (xenbus_front_end_grant(f, d.refs[r]) == -EBUSY)
                d.refs[left++] = d.refs[r];
        d.nr_refs = left;
        if (left) {
            f->deferred[out++] = d;
            continue;
        }
        if (d.page)
            f->env->free_pages(f->env->arg, d.page, d.order);
    }
    f->nr_deferred = out;
    if (!out) {
        free(f->deferred);
        f->deferred = NULL;
        f->cap_deferred = 0;
    }
    f->next_reap = out ? f->env->now(f->env->arg) + XENBUS_FRONT_REAP_NS : 0;
    return out;
}

uint64_t xenbus_front_next_deadline(const struct xenbus_front *f)
{
    uint64_t next = f->next_reap;

    if (f->retry_at && (!next || f->retry_at < next))
        next = f->retry_at;
    return next;
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
    if (on)
        f->was_active = true;
    f->active = on;
    f->cls->set_active(f, on);
}

/*
 * A live connection was lost and the backend offers a new one: follow it
 * with exponential back-off (1 s, 2 s, ... 60 s), and after
 * XENBUS_FRONT_MAX_CYCLES give up: a backend that restarts forever only
 * burns our grants and time. 0 to connect now, 1 to wait, -EIO gave up.
 */
static int reconnect_gate(struct xenbus_front *f)
{
    uint64_t now = f->env->now(f->env->arg), delay;

    if (!f->was_active)
        return 0;
    if (f->retry_at == 0) {
        f->cycles++;
        if (f->cycles > XENBUS_FRONT_MAX_CYCLES)
            return xenbus_front_fail(
                f,
                "%s: %s: backend %s restarted the connection %u times: "
                "giving up on the device",
                f->cls->driver, f->xb.nodename, f->xb.backend,
                XENBUS_FRONT_MAX_CYCLES);
        delay = 1000000000ULL << (f->cycles - 1 < 6 ? f->cycles - 1 : 6);
        if (delay > XENBUS_FRONT_BACKOFF_MAX_NS)
            delay = XENBUS_FRONT_BACKOFF_MAX_NS;
        f->retry_at = now + delay;
    }
    if (now < f->retry_at)
        return 1;
    f->retry_at = 0;
    f->was_active = false;
    return 0;
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
    /* A back-off only holds a pending CONNECT: anything else ends it (or
     * its deadline, passed, would keep the caller waking up). */
    if (a != XENBUS_ACT_CONNECT)
        f->retry_at = 0;
    if (act)
        *act = a;
    switch (a) {
    case XENBUS_ACT_NONE:
        return 0;
    case XENBUS_ACT_CONNECT:
        rc = reconnect_gate(f);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            if (act)
                *act = XENBUS_ACT_NONE; /* until retry_at */
            return 0;
        }
        rc = do_connect(f);
        /* A failed attempt is retried with the same back-off. */
        if (rc < 0)
            f->was_active = true;
        return rc;
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
    /* Asked for by our side: no reconnect back-off applies. */
    f->was_active = false;
    f->retry_at = 0;
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
    f->was_active = false; /* we closed it: not the backend's restart */
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
    struct xenbus_front keep;
    int rc;

    if (f->rings)
        release(f);
    /* What the old backend still maps outlives the driver's reset. */
    keep = *f;
    rc = f->cls->reset(f);
    f->deferred = keep.deferred;
    f->nr_deferred = keep.nr_deferred;
    f->cap_deferred = keep.cap_deferred;
    f->next_reap = keep.next_reap;
    f->grants_used = keep.grants_used;
    if (rc < 0)
        return rc;
    return xenbus_front_probe(f, xs, devid);
}

void xenbus_front_gone(struct xenbus_front *f)
{
    set_active(f, false);
    release(f);
    f->retry_at = 0;
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
    xenbus_front_reap(f); /* the old backend is gone: pages are ours */
    f->grants_used = 0;
    f->was_active = false;
    f->cycles = 0;
    f->retry_at = 0;
    f->forgetting = false;
    f->rings = false;
    f->active = false;
    f->broken = false;
    return xenbus_front_probe(f, f->xs, f->xb.id);
}

void xenbus_front_fini(struct xenbus_front *f)
{
    /* Pages still mapped stay with the backend (never ours again). */
    free(f->deferred);
    f->deferred = NULL;
    f->nr_deferred = f->cap_deferred = 0;
}
