// SPDX-License-Identifier: MIT
/*
 * xen/xenbus.c - xenbus device layer: the frontend state table, device
 * enumeration, state nodes, waiting on the backend, orderly close.
 *
 * The state table is data (one row per frontend state) so that it reads
 * like the table in xenbus.h and can be checked against it; everything
 * else is a short sequence of xenstore operations. Values written by the
 * backend or toolstack (backend path, backend-id, state) are parsed
 * strictly and rejected with -EIO, never trusted.
 * Reference: xen/include/public/io/xenbus.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xen/xenbus.h"

#define NR_STATES 9 /* Unknown .. Reconfigured */

#define N  XENBUS_ACT_NONE
#define CN XENBUS_ACT_CONNECT
#define GC XENBUS_ACT_GO_CONNECTED
#define CL XENBUS_ACT_CLOSE
#define GD XENBUS_ACT_GO_CLOSED
#define R  XENBUS_ACT_RESET
#define B  XENBUS_ACT_BROKEN

/* [front][back]; columns U I IW ID C CG CD RG RD, as in xenbus.h. */
static const uint8_t front_table[NR_STATES][NR_STATES] = {
    [XenbusStateUnknown] = {R, R, R, R, R, R, R, R, R},
    [XenbusStateInitialising] = {N, N, CN, N, CN, CL, N, N, N},
    [XenbusStateInitWait] = {N, N, CN, N, CN, CL, N, N, N},
    [XenbusStateInitialised] = {N, N, N, N, GC, CL, GD, N, N},
    [XenbusStateConnected] = {B, CL, CL, N, N, CL, GD, N, N},
    [XenbusStateClosing] = {GD, GD, GD, GD, N, GD, GD, N, N},
    [XenbusStateClosed] = {N, R, R, N, N, N, R, N, N},
    [XenbusStateReconfiguring] = {B, B, B, B, B, B, B, B, B},
    [XenbusStateReconfigured] = {B, B, B, B, B, B, B, B, B},
};

#undef N
#undef CN
#undef GC
#undef CL
#undef GD
#undef R
#undef B

enum xenbus_action xenbus_front_action(uint32_t front, uint32_t back)
{
    if (front >= NR_STATES || back >= NR_STATES)
        return XENBUS_ACT_BROKEN;
    return (enum xenbus_action)front_table[front][back];
}

const char *xenbus_state_name(uint32_t state)
{
    static const char *const names[NR_STATES] = {
        "Unknown", "Initialising", "InitWait",      "Initialised",  "Connected",
        "Closing", "Closed",       "Reconfiguring", "Reconfigured",
    };

    return state < NR_STATES ? names[state] : "invalid";
}

int xenbus_path(char *buf, size_t size, const char *dir, const char *key)
{
    int n = snprintf(buf, size, "%s/%s", dir, key);

    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    return 0;
}

/* Strict unsigned decimal: digits only, no sign, no overflow past max. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;

    if (*s == '\0')
        return -EINVAL;
    for (; *s; s++) {
        unsigned long d;

        if (*s < '0' || *s > '9')
            return -EINVAL;
        d = (unsigned long)(*s - '0');
        /* v * 10 + d <= max, without overflowing on the way */
        if (d > max || v > (max - d) / 10)
            return -EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int xenbus_enumerate(struct xs_conn *c, const char *type, unsigned int *ids,
                     unsigned int max)
{
    char dir[32];
    char list[1024];
    const char *name;
    int n, found = 0;

    if (xenbus_path(dir, sizeof(dir), "device", type) < 0)
        return -EINVAL;
    n = xs_directory(c, XS_TX_NONE, dir, list, sizeof(list));
    if (n == -ENOENT)
        return 0;
    if (n < 0)
        return n;
    name = list;
    for (int i = 0; i < n; i++, name += strlen(name) + 1) {
        unsigned long id;

        if (parse_uint(name, 0x7fffffff, &id) < 0)
            continue; /* not a device id: ignore rather than fail */
        if ((unsigned int)found < max)
            ids[found] = (unsigned int)id;
        found++;
    }
    return found;
}

int xenbus_dev_init(struct xs_conn *c, struct xenbus_dev *dev, const char *type,
                    unsigned int id)
{
    char path[XENBUS_PATH_MAX + 16];
    char val[16];
    unsigned long domid;
    int rc;

    memset(dev, 0, sizeof(*dev));
    if (strlen(type) >= sizeof(dev->type))
        return -EINVAL;
    strcpy(dev->type, type);
    dev->id = id;
    if (snprintf(dev->nodename, sizeof(dev->nodename), "device/%s/%u", type,
                 id) >= (int)sizeof(dev->nodename))
        return -ENAMETOOLONG;

    rc = xenbus_path(path, sizeof(path), dev->nodename, "backend");
    if (rc < 0)
        return rc;
    rc = xs_read(c, XS_TX_NONE, path, dev->backend, sizeof(dev->backend));
    if (rc == -ERANGE)
        return -EIO; /* a backend path longer than any sane one */
    if (rc < 0)
        return rc;
    /* An absolute path, with no embedded NUL cutting it short. */
    if (dev->backend[0] != '/' || strlen(dev->backend) != (size_t)rc)
        return -EIO;

    rc = xenbus_path(path, sizeof(path), dev->nodename, "backend-id");
    if (rc < 0)
        return rc;
    rc = xs_read(c, XS_TX_NONE, path, val, sizeof(val));
    if (rc == -ERANGE)
        return -EIO;
    if (rc < 0)
        return rc;
    if (parse_uint(val, DOMID_FIRST_RESERVED - 1, &domid) < 0)
        return -EIO;
    dev->backend_id = (domid_t)domid;
    return 0;
}

int xenbus_read_state(struct xs_conn *c, xs_tx_t tx, const char *dir,
                      XenbusState *out)
{
    char path[XENBUS_PATH_MAX + 16];
    char val[8];
    unsigned long st;
    int rc = xenbus_path(path, sizeof(path), dir, "state");

    if (rc < 0)
        return rc;
    rc = xs_read(c, tx, path, val, sizeof(val));
    if (rc == -ENOENT) {
        *out = XenbusStateUnknown; /* not created yet, or gone */
        return 0;
    }
    if (rc == -ERANGE)
        return -EIO;
    if (rc < 0)
        return rc;
    if (parse_uint(val, NR_STATES - 1, &st) < 0)
        return -EIO;
    *out = (XenbusState)st;
    return 0;
}

int xenbus_switch_state(struct xs_conn *c, const struct xenbus_dev *dev,
                        XenbusState state)
{
    char path[XENBUS_PATH_MAX + 16];
    char val[4];
    int rc = xenbus_path(path, sizeof(path), dev->nodename, "state");

    if (rc < 0)
        return rc;
    if ((unsigned int)state >= NR_STATES)
        return -EINVAL;
    snprintf(val, sizeof(val), "%u", (unsigned int)state);
    return xs_write(c, XS_TX_NONE, path, val);
}

int xenbus_write_uint(struct xs_conn *c, xs_tx_t tx, const char *dir,
                      const char *key, unsigned long v)
{
    char path[XENBUS_PATH_MAX + 48];
    char val[24];
    int rc = xenbus_path(path, sizeof(path), dir, key);

    if (rc < 0)
        return rc;
    snprintf(val, sizeof(val), "%lu", v);
    return xs_write(c, tx, path, val);
}

int xenbus_rm_opt(struct xs_conn *c, xs_tx_t tx, const char *dir,
                  const char *key)
{
    char path[XENBUS_PATH_MAX + 48];
    int rc = xenbus_path(path, sizeof(path), dir, key);

    if (rc < 0)
        return rc;
    rc = xs_rm(c, tx, path);
    return rc == -ENOENT ? 0 : rc;
}

int xenbus_read_uint(struct xs_conn *c, xs_tx_t tx, const char *dir,
                     const char *key, unsigned long *out)
{
    char path[XENBUS_PATH_MAX + 48];
    int rc = xenbus_path(path, sizeof(path), dir, key);

    if (rc < 0)
        return rc;
    rc = xs_read_uint(c, tx, path, out);
    if (rc == -ENOENT)
        return 0;
    if (rc == -EINVAL || rc == -ERANGE)
        return -EINVAL;
    return rc < 0 ? rc : 1;
}

int xenbus_wait_backend_state(struct xs_conn *c, const struct xenbus_dev *dev,
                              unsigned int mask, uint64_t timeout_ns,
                              XenbusState *out)
{
    struct xs_watch w;
    char path[XENBUS_PATH_MAX + 16];
    XenbusState st = XenbusStateUnknown;
    uint64_t deadline = c->t.now(c->t.arg) + timeout_ns;
    int rc, rc2;

    rc = xenbus_path(path, sizeof(path), dev->backend, "state");
    if (rc < 0)
        return rc;
    rc = xs_watch_add(c, &w, path);
    if (rc < 0)
        return rc;
    for (;;) {
        uint64_t now;

        /* Re-read on every event: events only say "look again". */
        while (xs_watch_next(&w, NULL, 0))
            ;
        rc = xenbus_read_state(c, XS_TX_NONE, dev->backend, &st);
        if (rc < 0)
            break;
        if (mask & XENBUS_MASK(st))
            break;
        now = c->t.now(c->t.arg);
        rc = -ETIMEDOUT;
        if (now >= deadline)
            break;
        rc = xs_watch_wait(c, &w, NULL, 0, deadline - now);
        if (rc < 0 && rc != -ETIMEDOUT)
            break;
    }
    rc2 = xs_watch_remove(c, &w);
    (void)rc2; /* the watch is unlinked locally whatever xenstored says */
    if (rc == -ETIMEDOUT)
        xs_log(c, "xenbus: timeout waiting for %s (state %s, mask 0x%x)", path,
               xenbus_state_name(st), mask);
    if (rc >= 0 && out)
        *out = st;
    return rc < 0 ? rc : 0;
}

int xenbus_close(struct xs_conn *c, const struct xenbus_dev *dev,
                 uint64_t timeout_ns)
{
    /* Step 1: the backend has stopped using our rings. */
    const unsigned int left_connected =
        XENBUS_MASK(XenbusStateUnknown) | XENBUS_MASK(XenbusStateInitialising) |
        XENBUS_MASK(XenbusStateInitWait) | XENBUS_MASK(XenbusStateClosing) |
        XENBUS_MASK(XenbusStateClosed);
    /* Step 2: the backend is closed, gone, or already re-initialising. */
    const unsigned int closed =
        XENBUS_MASK(XenbusStateUnknown) | XENBUS_MASK(XenbusStateInitialising) |
        XENBUS_MASK(XenbusStateInitWait) | XENBUS_MASK(XenbusStateClosed);
    int rc, rc_wait;

    rc = xenbus_switch_state(c, dev, XenbusStateClosing);
    if (rc < 0)
        return rc;
    rc_wait =
        xenbus_wait_backend_state(c, dev, left_connected, timeout_ns, NULL);
    if (rc_wait == -EIO)
        return rc_wait;
    rc = xenbus_switch_state(c, dev, XenbusStateClosed);
    if (rc < 0)
        return rc;
    if (rc_wait < 0)
        return rc_wait;
    rc = xenbus_wait_backend_state(c, dev, closed, timeout_ns, NULL);
    if (rc < 0)
        return rc;
    return xenbus_switch_state(c, dev, XenbusStateInitialising);
}
