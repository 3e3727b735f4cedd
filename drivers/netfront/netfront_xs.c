// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netfront_xs.c - netfront's xenbus handshake: probe
 * (MAC, MTU), backend features, publishing rings and event channels, and
 * the frontend state machine including reconnection.
 *
 * Design choice: the decisions are xenbus_front_action()'s shared, pure
 * state table; this file only implements its actions, one per call of
 * netfront_xs_step(), so a host test can walk every (front, back) pair
 * and a whole disconnect/reconnect cycle over the fake xenstored. One
 * netif-specific deviation from the generic table, found on real Xen:
 * netback maps the rings only when the FRONTEND says Connected (Linux
 * netback ignores Initialised; Linux and Mini-OS netfronts go straight
 * from Initialising to Connected), so CONNECT publishes and switches to
 * Connected, and the link comes up when the backend follows.
 * Everything the backend or toolstack wrote is parsed strictly: a bad
 * MAC fails the probe, a missing feature-rx-copy fails the connection,
 * and an absurd optional feature reads as "not offered" (logged). Our
 * keys are written in one transaction, re-run on EAGAIN, after removing
 * whatever a previous connection left, so a backend never sees a mix of
 * single- and multi-queue keys. Every wait is bounded and names the
 * xenstore path it waited on.
 * Reference: xen/include/public/io/netif.h (feature and queue keys),
 * io/xenbus.h (states).
 */
#include <errno.h>
#include <stdio.h>

#include "drivers/netfront/netfront.h"

/* Steps of one netfront_xs_connect() before we call the backend unstable. */
#define CONNECT_MAX_STEPS 32
#define MTU_MIN           68
#define MTU_MAX           (XN_NETDEV_MAX_PKT - XN_ETH_HLEN)

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int netfront_parse_mac(const char *s, uint8_t mac[XN_ETH_ALEN])
{
    uint8_t m[XN_ETH_ALEN];
    unsigned int any = 0;

    if (strlen(s) != 3 * XN_ETH_ALEN - 1)
        return -EINVAL;
    for (unsigned int i = 0; i < XN_ETH_ALEN; i++) {
        int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

        if (hi < 0 || lo < 0)
            return -EINVAL;
        if (i + 1 < XN_ETH_ALEN && s[3 * i + 2] != ':')
            return -EINVAL;
        m[i] = (uint8_t)(hi << 4 | lo);
        any |= m[i];
    }
    /* A station address is unicast and not all-zero. */
    if ((m[0] & 1) || any == 0)
        return -EINVAL;
    memcpy(mac, m, XN_ETH_ALEN);
    return 0;
}

static int path_of(char *buf, size_t size, const char *dir, const char *key)
{
    return xenbus_path(buf, size, dir, key);
}

int netfront_xs_probe(struct netfront *nf, struct xs_conn *xs,
                      unsigned int devid)
{
    char path[XENBUS_PATH_MAX + 32];
    char val[32];
    unsigned long mtu;
    int rc;

    nf->xs = xs;
    rc = xenbus_dev_init(xs, &nf->xb, "vif", devid);
    if (rc < 0)
        return rc;
    snprintf(nf->dev.name, sizeof(nf->dev.name), "vif%u", devid);

    /* The toolstack writes mac in our directory; older ones only in the
     * backend's. */
    path_of(path, sizeof(path), nf->xb.nodename, "mac");
    rc = xs_read(xs, XS_TX_NONE, path, val, sizeof(val));
    if (rc == -ENOENT) {
        path_of(path, sizeof(path), nf->xb.backend, "mac");
        rc = xs_read(xs, XS_TX_NONE, path, val, sizeof(val));
    }
    if (rc >= 0 && (size_t)rc != strlen(val))
        rc = -EINVAL; /* an embedded NUL */
    if (rc == -ERANGE || rc == -EINVAL ||
        (rc >= 0 && netfront_parse_mac(val, nf->dev.mac) < 0)) {
        netfront_log(nf, "netfront: invalid MAC in %s", path);
        return -EIO;
    }
    if (rc < 0) {
        netfront_log(nf, "netfront: no MAC for %s (%s): %d", nf->xb.nodename,
                     path, rc);
        return rc;
    }

    /* xl writes mtu in our directory (seen with Xen 4.17); the backend's
     * copy is the older place. */
    nf->dev.mtu = 1500;
    path_of(path, sizeof(path), nf->xb.nodename, "mtu");
    rc = xs_read_uint(xs, XS_TX_NONE, path, &mtu);
    if (rc == -ENOENT) {
        path_of(path, sizeof(path), nf->xb.backend, "mtu");
        rc = xs_read_uint(xs, XS_TX_NONE, path, &mtu);
    }
    if (rc == 0 && mtu >= MTU_MIN && mtu <= MTU_MAX)
        nf->dev.mtu = (uint16_t)mtu;
    else if (rc != -ENOENT)
        netfront_log(nf, "netfront: ignoring %s (%d), MTU 1500", path, rc);

    rc = xenbus_read_state(xs, XS_TX_NONE, nf->xb.nodename, &nf->state);
    return rc < 0 ? rc : 0;
}

/*
 * An optional backend flag: 1 or 0; garbage reads as 0 (logged) so that
 * a sloppy backend still gets a plain connection.
 */
static int opt_feature(struct netfront *nf, const char *key)
{
    int rc = xenbus_backend_feature(nf->xs, &nf->xb, key);

    if (rc == -EINVAL || rc == -ERANGE) {
        netfront_log(nf, "netfront: ignoring malformed %s/%s", nf->xb.backend,
                     key);
        return 0;
    }
    return rc;
}

static unsigned int read_max_queues(struct netfront *nf)
{
    char path[XENBUS_PATH_MAX + 32];
    unsigned long v;
    int rc;

    path_of(path, sizeof(path), nf->xb.backend, "multi-queue-max-queues");
    rc = xs_read_uint(nf->xs, XS_TX_NONE, path, &v);
    if (rc == -ENOENT)
        return 1;
    if (rc < 0 || v == 0) {
        netfront_log(nf, "netfront: ignoring %s (%d)", path, rc);
        return 1;
    }
    return v > NETFRONT_MAX_QUEUES ? NETFRONT_MAX_QUEUES : (unsigned int)v;
}

int netfront_xs_read_features(struct netfront *nf)
{
    int v[7];
    static const char *const keys[7] = {
        "feature-rx-copy",
        "feature-sg",
        "feature-gso-tcpv4",
        "feature-gso-tcpv6",
        "feature-split-event-channels",
        "feature-no-csum-offload",
        "feature-ipv6-csum-offload",
    };
    unsigned int maxq;

    for (unsigned int i = 0; i < 7; i++) {
        v[i] = opt_feature(nf, keys[i]);
        if (v[i] < 0)
            return v[i];
    }
    /* Page flipping is long gone; without rx-copy we cannot receive. */
    if (!v[0]) {
        netfront_log(nf, "netfront: %s lacks feature-rx-copy", nf->xb.backend);
        return -EIO;
    }
    nf->feat_sg = v[1];
    /* GSO packets span slots: only with scatter-gather. */
    nf->feat_gso4 = v[2] && v[1] && !nf->cfg.no_gso;
    nf->feat_gso6 = v[3] && v[1] && !nf->cfg.no_gso;
    nf->feat_split_evtchn = v[4] && !nf->cfg.no_split_evtchn;
    /* Missing feature-no-csum-offload means IPv4 offload is ON;
     * feature-ipv6-csum-offload is off unless present. */
    nf->feat_tx_csum4 = !v[5];
    nf->feat_tx_csum6 = v[6];
    maxq = read_max_queues(nf);
    nf->nr_queues = maxq < nf->cfg.max_queues ? maxq : nf->cfg.max_queues;

    nf->dev.features = (nf->feat_sg ? XN_NETDEV_F_SG : 0) |
                       (nf->feat_tx_csum4 ? XN_NETDEV_F_TX_CSUM4 : 0) |
                       (nf->feat_tx_csum6 ? XN_NETDEV_F_TX_CSUM6 : 0) |
                       (nf->cfg.no_rx_csum ? 0 : XN_NETDEV_F_RX_CSUM);
    /* TSO needs the backend to complete checksums too. */
    if (nf->feat_gso4 && nf->feat_tx_csum4)
        nf->dev.features |= XN_NETDEV_F_TSO4;
    if (nf->feat_gso6 && nf->feat_tx_csum6)
        nf->dev.features |= XN_NETDEV_F_TSO6;
    return 0;
}

/* ---- publishing our keys ---- */

static int write_uint(struct xs_conn *c, xs_tx_t tx, const char *dir,
                      const char *key, unsigned long v)
{
    char path[XENBUS_PATH_MAX + 48];
    char val[24];
    int rc = path_of(path, sizeof(path), dir, key);

    if (rc < 0)
        return rc;
    snprintf(val, sizeof(val), "%lu", v);
    return xs_write(c, tx, path, val);
}

/* Remove dir/key; a missing node is fine. */
static int rm_opt(struct xs_conn *c, xs_tx_t tx, const char *dir,
                  const char *key)
{
    char path[XENBUS_PATH_MAX + 48];
    int rc = path_of(path, sizeof(path), dir, key);

    if (rc < 0)
        return rc;
    rc = xs_rm(c, tx, path);
    return rc == -ENOENT ? 0 : rc;
}

static int write_queue_keys(struct netfront *nf, xs_tx_t tx,
                            const struct netfront_queue *q, const char *dir)
{
    struct xs_conn *c = nf->xs;
    int rc;

    rc = write_uint(c, tx, dir, "tx-ring-ref", q->tx_ring_ref);
    if (!rc)
        rc = write_uint(c, tx, dir, "rx-ring-ref", q->rx_ring_ref);
    if (rc)
        return rc;
    if (!nf->feat_split_evtchn)
        return write_uint(c, tx, dir, "event-channel", q->evtchn_tx);
    rc = write_uint(c, tx, dir, "event-channel-tx", q->evtchn_tx);
    if (!rc)
        rc = write_uint(c, tx, dir, "event-channel-rx", q->evtchn_rx);
    return rc;
}

static int publish_body(struct xs_conn *c, xs_tx_t tx, void *arg)
{
    static const char *const stale[] = {
        "tx-ring-ref",      "rx-ring-ref",      "event-channel",
        "event-channel-tx", "event-channel-rx", "multi-queue-num-queues",
    };
    struct netfront *nf = arg;
    const char *dir = nf->xb.nodename;
    char qdir[XENBUS_PATH_MAX + 24];
    int rc = 0;

    /* A previous connection may have used the other layout. */
    for (unsigned int i = 0; i < sizeof(stale) / sizeof(stale[0]) && !rc; i++)
        rc = rm_opt(c, tx, dir, stale[i]);
    for (unsigned int i = 0; i < NETFRONT_MAX_QUEUES && !rc; i++) {
        snprintf(qdir, sizeof(qdir), "queue-%u", i);
        rc = rm_opt(c, tx, dir, qdir);
    }
    if (rc)
        return rc;

    if (nf->nr_queues == 1) {
        /* One queue: the classic top-level keys, as every backend
         * expects (io/netif.h, "Multiple transmit and receive queues"). */
        rc = write_queue_keys(nf, tx, &nf->q[0], dir);
    } else {
        rc = write_uint(c, tx, dir, "multi-queue-num-queues", nf->nr_queues);
        for (unsigned int i = 0; i < nf->nr_queues && !rc; i++) {
            snprintf(qdir, sizeof(qdir), "%s/queue-%u", dir, i);
            rc = write_queue_keys(nf, tx, &nf->q[i], qdir);
        }
    }
    if (!rc)
        rc = write_uint(c, tx, dir, "request-rx-copy", 1);
    /* We always kick the backend after posting RX buffers. */
    if (!rc)
        rc = write_uint(c, tx, dir, "feature-rx-notify", 1);
    if (!rc)
        rc = write_uint(c, tx, dir, "feature-sg", 1);
    if (!rc)
        rc =
            write_uint(c, tx, dir, "feature-gso-tcpv4", nf->cfg.no_gso ? 0 : 1);
    /* 1 = send us finished checksums only (no NETRXF_csum_blank). */
    if (!rc)
        rc = write_uint(c, tx, dir, "feature-no-csum-offload",
                        nf->cfg.no_rx_csum ? 1 : 0);
    if (!rc)
        rc = write_uint(c, tx, dir, "feature-ipv6-csum-offload",
                        nf->cfg.no_rx_csum ? 0 : 1);
    return rc;
}

int netfront_xs_publish(struct netfront *nf)
{
    int rc = xs_transaction_run(nf->xs, publish_body, nf);

    if (rc < 0)
        netfront_log(nf, "netfront: publishing keys in %s failed (%d)",
                     nf->xb.nodename, rc);
    return rc;
}

/* ---- the state machine ---- */

static int set_state(struct netfront *nf, XenbusState s)
{
    int rc = xenbus_switch_state(nf->xs, &nf->xb, s);

    if (rc < 0) {
        netfront_log(nf, "netfront: writing %s/state = %u failed (%d)",
                     nf->xb.nodename, (unsigned int)s, rc);
        return rc;
    }
    nf->state = s;
    return 0;
}

static int do_connect(struct netfront *nf)
{
    int rc;

    if (nf->rings_ready)
        netfront_rings_teardown(nf); /* leftovers of an aborted attempt */
    rc = netfront_xs_read_features(nf);
    if (!rc)
        rc = netfront_rings_setup(nf, nf->xb.backend_id);
    if (!rc)
        rc = netfront_xs_publish(nf);
    /* Netback connects on our Connected, not on Initialised. */
    if (!rc)
        rc = set_state(nf, XenbusStateConnected);
    if (rc)
        netfront_rings_teardown(nf);
    return rc;
}

/* The backend follows our Connected: start I/O. */
static int go_connected(struct netfront *nf)
{
    int rc;

    if (!nf->rings_ready)
        return -EIO; /* Connected without rings cannot happen */
    if (nf->state != XenbusStateConnected) {
        rc = set_state(nf, XenbusStateConnected);
        if (rc < 0)
            return rc;
    }
    /* Kick every channel once: the backend may have missed the RX
     * requests posted before it bound the channels. */
    for (unsigned int i = 0; i < nf->nr_queues; i++) {
        nf->ops.notify(nf->ops.arg, nf->q[i].evtchn_tx);
        if (nf->q[i].evtchn_rx != nf->q[i].evtchn_tx)
            nf->ops.notify(nf->ops.arg, nf->q[i].evtchn_rx);
    }
    netfront_set_link(nf, true);
    return 0;
}

int netfront_xs_step(struct netfront *nf, enum xenbus_action *act)
{
    enum xenbus_action a;
    XenbusState back;
    int rc;

    if (act)
        *act = XENBUS_ACT_NONE;
    rc = xenbus_read_state(nf->xs, XS_TX_NONE, nf->xb.backend, &back);
    if (rc == -EIO)
        return netfront_fail(nf, "netfront: invalid %s/state", nf->xb.backend);
    if (rc < 0)
        return rc;
    nf->back_state = back;
    a = xenbus_front_action(nf->state, back);
    /* We said Connected and wait for the backend (link still down):
     * InitWait/Initialised mean "not there yet", not a reset. */
    if (nf->state == XenbusStateConnected && !nf->connected &&
        nf->rings_ready && !nf->broken) {
        if (back == XenbusStateInitWait || back == XenbusStateInitialised)
            a = XENBUS_ACT_NONE;
        else if (back == XenbusStateConnected)
            a = XENBUS_ACT_GO_CONNECTED;
    }
    /* A broken device only ever closes (telling the backend it should
     * stop), and never connects again to a backend that misbehaved. */
    if (nf->broken && a != XENBUS_ACT_BROKEN) {
        bool closing =
            nf->state == XenbusStateClosing || nf->state == XenbusStateClosed;

        if (!closing && a != XENBUS_ACT_GO_CLOSED)
            a = XENBUS_ACT_CLOSE;
        else if (closing && a != XENBUS_ACT_GO_CLOSED)
            a = XENBUS_ACT_NONE;
    }
    if (act)
        *act = a;
    switch (a) {
    case XENBUS_ACT_NONE:
        return 0;
    case XENBUS_ACT_CONNECT:
        return do_connect(nf);
    case XENBUS_ACT_GO_CONNECTED:
        return go_connected(nf);
    case XENBUS_ACT_CLOSE:
        /* Stop I/O first; the rings stay until the backend let go. */
        netfront_set_link(nf, false);
        return set_state(nf, XenbusStateClosing);
    case XENBUS_ACT_GO_CLOSED:
        netfront_rings_teardown(nf);
        return set_state(nf, XenbusStateClosed);
    case XENBUS_ACT_RESET:
        netfront_rings_teardown(nf);
        return set_state(nf, XenbusStateInitialising);
    case XENBUS_ACT_BROKEN:
    default:
        return netfront_fail(nf,
                             "netfront: %s: impossible states front %s "
                             "back %s",
                             nf->xb.nodename, xenbus_state_name(nf->state),
                             xenbus_state_name(back));
    }
}

int netfront_xs_connect(struct netfront *nf)
{
    const unsigned int all = (1u << (XenbusStateReconfigured + 1)) - 1;
    int rc;

    if (nf->broken)
        return -EIO;
    if (nf->state != XenbusStateInitialising) {
        netfront_rings_teardown(nf);
        rc = set_state(nf, XenbusStateInitialising);
        if (rc < 0)
            return rc;
    }
    for (unsigned int step = 0; step < CONNECT_MAX_STEPS; step++) {
        enum xenbus_action a;

        rc = netfront_xs_step(nf, &a);
        if (rc < 0)
            return rc;
        if (nf->connected)
            return 0;
        if (a != XENBUS_ACT_NONE)
            continue;
        /* Wait for the backend to move from what we just saw. */
        rc = xenbus_wait_backend_state(nf->xs, &nf->xb,
                                       all & ~XENBUS_MASK(nf->back_state),
                                       nf->cfg.timeout_ns, NULL);
        if (rc == -ETIMEDOUT) {
            netfront_log(nf,
                         "netfront: timeout connecting %s: %s/state "
                         "stayed %s",
                         nf->xb.nodename, nf->xb.backend,
                         xenbus_state_name(nf->back_state));
            return rc;
        }
        if (rc == -EIO)
            return netfront_fail(nf, "netfront: invalid %s/state",
                                 nf->xb.backend);
        if (rc < 0)
            return rc;
    }
    netfront_log(nf, "netfront: %s/state keeps changing, giving up",
                 nf->xb.backend);
    return -ETIMEDOUT;
}

int netfront_xs_disconnect(struct netfront *nf)
{
    int rc;

    netfront_set_link(nf, false);
    rc = xenbus_close(nf->xs, &nf->xb, nf->cfg.timeout_ns);
    if (rc < 0)
        netfront_log(nf, "netfront: closing %s: %s did not follow (%d)",
                     nf->xb.nodename, nf->xb.backend, rc);
    /* After Closed the backend has unmapped the rings; a page it still
     * holds is leaked by teardown, never reused. */
    netfront_rings_teardown(nf);
    if (xenbus_read_state(nf->xs, XS_TX_NONE, nf->xb.nodename, &nf->state) < 0)
        nf->state = XenbusStateClosed;
    return rc;
}
