// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netfront_xs.c - netfront as a xenbus frontend class:
 * probe (MAC, MTU), backend features, publishing rings and event
 * channels, and the hooks the shared lifecycle calls.
 *
 * Design choice: the lifecycle (state steps, connect loop, close,
 * reprobe, suspend) is xen/xenbus_front.c's, shared with every device
 * class; this file holds only what is netif's own. One netif fact is a
 * class parameter, found on real Xen: netback maps the rings only when
 * the FRONTEND says Connected (Linux netback ignores Initialised; Linux
 * and Mini-OS netfronts go straight from Initialising to Connected), so
 * netfront publishes and announces Connected, and the link comes up when
 * the backend follows.
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

#define MTU_MIN 68
#define MTU_MAX (XN_NETDEV_MAX_PKT - XN_ETH_HLEN)

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
    return xenbus_front_probe(&nf->fe, xs, devid);
}

/* Class hook: MAC and MTU, read at probe. */
static int nf_probe(struct xenbus_front *f)
{
    struct netfront *nf = netfront_of(f);
    struct xs_conn *xs = f->xs;
    char path[XENBUS_PATH_MAX + 32];
    char val[32];
    unsigned long mtu;
    int rc;

    snprintf(nf->dev.name, sizeof(nf->dev.name), "vif%u", f->xb.id);

    /* The toolstack writes mac in our directory; older ones only in the
     * backend's. */
    path_of(path, sizeof(path), nf->fe.xb.nodename, "mac");
    rc = xs_read(xs, XS_TX_NONE, path, val, sizeof(val));
    if (rc == -ENOENT) {
        path_of(path, sizeof(path), nf->fe.xb.backend, "mac");
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
        netfront_log(nf, "netfront: no MAC for %s (%s): %d", nf->fe.xb.nodename,
                     path, rc);
        return rc;
    }

    /* xl writes mtu in our directory (seen with Xen 4.17); the backend's
     * copy is the older place. */
    nf->dev.mtu = 1500;
    path_of(path, sizeof(path), nf->fe.xb.nodename, "mtu");
    rc = xs_read_uint(xs, XS_TX_NONE, path, &mtu);
    if (rc == -ENOENT) {
        path_of(path, sizeof(path), nf->fe.xb.backend, "mtu");
        rc = xs_read_uint(xs, XS_TX_NONE, path, &mtu);
    }
    if (rc == 0 && mtu >= MTU_MIN && mtu <= MTU_MAX)
        nf->dev.mtu = (uint16_t)mtu;
    else if (rc != -ENOENT)
        netfront_log(nf, "netfront: ignoring %s (%d), MTU 1500", path, rc);
    return 0;
}

static unsigned int read_max_queues(struct netfront *nf)
{
    char path[XENBUS_PATH_MAX + 32];
    unsigned long v;
    int rc;

    path_of(path, sizeof(path), nf->fe.xb.backend, "multi-queue-max-queues");
    rc = xs_read_uint(nf->fe.xs, XS_TX_NONE, path, &v);
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
        v[i] = xenbus_front_back_flag(&nf->fe, XS_TX_NONE, keys[i]);
        if (v[i] < 0)
            return v[i];
    }
    /* Page flipping is long gone; without rx-copy we cannot receive. */
    if (!v[0]) {
        netfront_log(nf, "netfront: %s lacks feature-rx-copy",
                     nf->fe.xb.backend);
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

static int write_queue_keys(struct netfront *nf, xs_tx_t tx,
                            const struct netfront_queue *q, const char *dir)
{
    struct xs_conn *c = nf->fe.xs;
    int rc;

    rc = xenbus_write_uint(c, tx, dir, "tx-ring-ref", q->tx_ring_ref);
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "rx-ring-ref", q->rx_ring_ref);
    if (rc)
        return rc;
    if (!nf->feat_split_evtchn)
        return xenbus_write_uint(c, tx, dir, "event-channel", q->evtchn_tx);
    rc = xenbus_write_uint(c, tx, dir, "event-channel-tx", q->evtchn_tx);
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "event-channel-rx", q->evtchn_rx);
    return rc;
}

static int publish_body(struct xs_conn *c, xs_tx_t tx, void *arg)
{
    static const char *const stale[] = {
        "tx-ring-ref",      "rx-ring-ref",      "event-channel",
        "event-channel-tx", "event-channel-rx", "multi-queue-num-queues",
    };
    struct netfront *nf = arg;
    const char *dir = nf->fe.xb.nodename;
    char qdir[XENBUS_PATH_MAX + 24];
    int rc = 0;

    /* A previous connection may have used the other layout. */
    for (unsigned int i = 0; i < sizeof(stale) / sizeof(stale[0]) && !rc; i++)
        rc = xenbus_rm_opt(c, tx, dir, stale[i]);
    for (unsigned int i = 0; i < NETFRONT_MAX_QUEUES && !rc; i++) {
        snprintf(qdir, sizeof(qdir), "queue-%u", i);
        rc = xenbus_rm_opt(c, tx, dir, qdir);
    }
    if (rc)
        return rc;

    if (nf->nr_queues == 1) {
        /* One queue: the classic top-level keys, as every backend
         * expects (io/netif.h, "Multiple transmit and receive queues"). */
        rc = write_queue_keys(nf, tx, &nf->q[0], dir);
    } else {
        rc = xenbus_write_uint(c, tx, dir, "multi-queue-num-queues",
                               nf->nr_queues);
        for (unsigned int i = 0; i < nf->nr_queues && !rc; i++) {
            snprintf(qdir, sizeof(qdir), "%s/queue-%u", dir, i);
            rc = write_queue_keys(nf, tx, &nf->q[i], qdir);
        }
    }
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "request-rx-copy", 1);
    /* We always kick the backend after posting RX buffers. */
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "feature-rx-notify", 1);
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "feature-sg", 1);
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "feature-gso-tcpv4",
                               nf->cfg.no_gso ? 0 : 1);
    /* 1 = send us finished checksums only (no NETRXF_csum_blank). */
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "feature-no-csum-offload",
                               nf->cfg.no_rx_csum ? 1 : 0);
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "feature-ipv6-csum-offload",
                               nf->cfg.no_rx_csum ? 0 : 1);
    return rc;
}

int netfront_xs_publish(struct netfront *nf)
{
    return xenbus_front_publish(&nf->fe, publish_body, nf);
}

/* ---- the class hooks ---- */

/* CONNECT: features, rings, keys (the lifecycle announces Connected). */
static int nf_connect(struct xenbus_front *f)
{
    struct netfront *nf = netfront_of(f);
    int rc = netfront_xs_read_features(nf);

    /* Two connections' worth of refs (rings + one page per buffer): one
     * live, and one still mapped by a backend slow to let go. */
    netfront_size_bufs(nf);
    f->grant_quota =
        2 * nf->nr_queues * (nf->cfg.tx_bufs + nf->cfg.rx_bufs + 2);
    if (!rc)
        rc = netfront_rings_setup(nf, f->xb.backend_id);
    if (!rc)
        rc = netfront_xs_publish(nf);
    return rc;
}

static void nf_set_active(struct xenbus_front *f, bool on)
{
    struct netfront *nf = netfront_of(f);

    if (on) {
        /* Kick every channel once: the backend may have missed the RX
         * requests posted before it bound the channels. */
        for (unsigned int i = 0; i < nf->nr_queues; i++) {
            nf->env.notify(nf->env.arg, nf->q[i].evtchn_tx);
            if (nf->q[i].evtchn_rx != nf->q[i].evtchn_tx)
                nf->env.notify(nf->env.arg, nf->q[i].evtchn_rx);
        }
    }
    netfront_set_link(nf, on);
}

static void nf_release(struct xenbus_front *f)
{
    netfront_rings_teardown(netfront_of(f));
}

/* Reprobe: a fresh driver with the same environment, config, callbacks. */
static int nf_reset(struct xenbus_front *f)
{
    struct netfront *nf = netfront_of(f);
    const struct xenbus_front_env env = nf->env;
    const struct netfront_config cfg = nf->cfg;
    const struct xn_netdev_callbacks cb = nf->dev.cb;
    /* A registry's locked wrapper stays installed: the stack may call in
     * while the probe that follows blocks in xenstore. */
    const struct xn_netdev_ops *ops = nf->dev.ops;
    int rc = netfront_init(nf, &env, &cfg); /* the probe that follows sets xs */

    nf->dev.cb = cb;
    nf->dev.ops = ops;
    return rc;
}

const struct xenbus_front_class netfront_class = {
    .type = "vif",
    .driver = "netfront",
    .publish_state = XenbusStateConnected,
    .probe = nf_probe,
    .connect = nf_connect,
    .set_active = nf_set_active,
    .release = nf_release,
    .reset = nf_reset,
};
