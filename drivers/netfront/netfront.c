// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netfront.c - Xen PV network frontend: shared rings,
 * buffers, transmit (receive is netfront_rx.c).
 *
 * Each queue has a TX and an RX one-page ring (256 slots each). Design
 * choice: persistent, pre-granted buffers. TX request id N always uses
 * TX page N (granted read-only); a packet is copied into as many free
 * pages as it needs, so no request ever crosses a page boundary and a
 * 64 KiB packet needs 16 data slots (the limit is XEN_NETIF_NR_SLOTS_MIN,
 * 18). RX ring slot N always carries RX page N (granted writable, filled
 * by the backend's grant copy), so re-posting a consumed slot is putting
 * the same page back at the same position: the ring always holds exactly
 * 256 outstanding RX requests. Everything read from the rings is copied
 * once (RING_COPY_RESPONSE) and validated before use: the producer index
 * against the ring size and the requests we made, every id against the
 * range and our in-flight table, every offset/size against the page and
 * the 64 KiB packet limit, every status and extra-info type. A violation
 * marks the device broken (logged once, -EIO from then on); it never
 * crashes the domain. Flag mapping is explicit both ways, because
 * NETRXF_* bits are not NETTXF_* bits.
 * Reference: xen/include/public/io/netif.h, io/ring.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "drivers/netfront/netfront.h"
#include "xen/gnttab.h"

#define PAGE NETFRONT_PAGE_SIZE
/* One VLAN tag on top of the Ethernet header. */
#define VLAN_HLEN 4

/* ---- diagnostics ---- */

void netfront_log(struct netfront *nf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xenbus_front_vlog(&nf->fe, fmt, ap);
    va_end(ap);
}

int netfront_fail(struct netfront *nf, const char *fmt, ...)
{
    va_list ap;
    int rc;

    /* Logged once; the class's set_active(false) takes the link down. */
    va_start(ap, fmt);
    rc = xenbus_front_vfail(&nf->fe, fmt, ap);
    va_end(ap);
    return rc;
}

void netfront_set_link(struct netfront *nf, bool up)
{
    bool was = nf->dev.link_up;

    nf->fe.active = up;
    nf->dev.link_up = up;
    if (was != up && nf->dev.cb.link)
        nf->dev.cb.link(&nf->dev, up, nf->dev.cb.arg);
}

/* ---- netdev glue ---- */

/*
 * Pick a queue per IPv4 flow (addresses), so one TCP connection stays on
 * one queue and in order; everything else goes to queue 0.
 */
static unsigned int pick_queue(struct netfront *nf, const struct xn_pkt *pkt)
{
    const uint8_t *p = pkt->frags[0].data;
    uint32_t h = 0;

    if (nf->nr_queues <= 1 || pkt->frags[0].len < XN_ETH_HLEN + 20)
        return 0;
    if (p[12] != 0x08 || p[13] != 0x00)
        return 0;
    for (unsigned int i = XN_ETH_HLEN + 12; i < XN_ETH_HLEN + 20; i++)
        h = h * 31 + p[i];
    return h % nf->nr_queues;
}

static int nd_tx(struct xn_netdev *dev, const struct xn_pkt *pkt)
{
    struct netfront *nf = (struct netfront *)dev;

    if (!pkt || pkt->nr_frags == 0 || pkt->nr_frags > XN_PKT_MAX_FRAGS ||
        !pkt->frags[0].data)
        return -EINVAL;
    return netfront_tx(nf, pick_queue(nf, pkt), pkt);
}

static int nd_poll(struct xn_netdev *dev, unsigned int budget)
{
    return netfront_poll((struct netfront *)dev, budget);
}

const struct xn_netdev_ops netfront_netdev_ops = {
    .tx = nd_tx,
    .poll = nd_poll,
};

/* 0 -> ring; else the power of two at or below n within MIN..ring. */
static unsigned int bufs_clamp(unsigned int n, unsigned int ring)
{
    unsigned int p = NETFRONT_MIN_BUFS;

    if (n == 0 || n >= ring)
        return ring;
    while (p * 2 <= n)
        p *= 2;
    return p;
}

void netfront_size_bufs(struct netfront *nf)
{
    nf->cfg.rx_bufs = bufs_clamp(nf->cfg.rx_bufs, NETFRONT_RX_RING_SIZE);
    nf->cfg.tx_bufs = bufs_clamp(nf->cfg.tx_bufs, NETFRONT_TX_RING_SIZE);
}

int netfront_init(struct netfront *nf, const struct xenbus_front_env *env,
                  const struct netfront_config *cfg)
{
    if (!nf || !xenbus_front_env_valid(env))
        return -EINVAL;
    memset(nf, 0, sizeof(*nf));
    nf->env = *env;
    nf->fe.cls = &netfront_class;
    nf->fe.env = &nf->env;
    if (cfg)
        nf->cfg = *cfg;
    if (nf->cfg.max_queues == 0)
        nf->cfg.max_queues = 1;
    if (nf->cfg.max_queues > NETFRONT_MAX_QUEUES)
        nf->cfg.max_queues = NETFRONT_MAX_QUEUES;
    if (nf->cfg.timeout_ns == 0)
        nf->cfg.timeout_ns = NETFRONT_DEFAULT_TIMEOUT_NS;
    nf->fe.timeout_ns = nf->cfg.timeout_ns;
    nf->nr_queues = 1;
    nf->dev.ops = &netfront_netdev_ops;
    nf->dev.mtu = 1500;
    snprintf(nf->dev.name, sizeof(nf->dev.name), "vif");
    return 0;
}

/* ---- rings and buffers ---- */

/* A page granted to backend; 0 (a reserved ref) means "not granted". */
static int grant_page(struct netfront *nf, domid_t backend, void **page,
                      grant_ref_t *ref, bool readonly)
{
    int rc;

    *page = nf->env.alloc_pages(nf->env.arg, 0);
    if (!*page)
        return -ENOMEM;
    rc = xenbus_front_grant(
        &nf->fe, backend, nf->env.virt_to_frame(nf->env.arg, *page), readonly);
    if (rc < 0) {
        nf->env.free_pages(nf->env.arg, *page, 0);
        *page = NULL;
        return rc;
    }
    *ref = (grant_ref_t)rc;
    return 0;
}

/*
 * Revoke and free. While the backend still has the page mapped the
 * revoke fails: then the page must not be reused (the backend could
 * still write it) until it lets go, so it goes to the lifecycle's
 * deferred list, retried on a timer (xenbus_front_reap()).
 */
static void ungrant_page(struct netfront *nf, void **page, grant_ref_t *ref)
{
    if (*ref) {
        if (xenbus_front_end_grant(&nf->fe, *ref) == -EBUSY) {
            if (!nf->leaked)
                netfront_log(nf,
                             "netfront: %s: backend still maps a page, "
                             "releasing it later",
                             nf->fe.xb.nodename);
            nf->leaked = true;
            xenbus_front_defer(&nf->fe, *page, 0, ref, 1);
            *page = NULL;
            *ref = 0;
            return;
        }
        *ref = 0;
    }
    if (*page) {
        nf->env.free_pages(nf->env.arg, *page, 0);
        *page = NULL;
    }
}

static void queue_teardown(struct netfront *nf, struct netfront_queue *q)
{
    if (q->evtchn_tx_open)
        xenbus_front_port_release(&nf->fe, q->evtchn_tx);
    if (q->evtchn_rx_open && q->evtchn_rx != q->evtchn_tx)
        xenbus_front_port_release(&nf->fe, q->evtchn_rx);
    q->evtchn_tx_open = q->evtchn_rx_open = false;
    for (unsigned int i = 0; i < NETFRONT_TX_RING_SIZE; i++)
        ungrant_page(nf, &q->tx_buf[i], &q->tx_gref[i]);
    for (unsigned int i = 0; i < NETFRONT_RX_RING_SIZE; i++)
        ungrant_page(nf, &q->rx_buf[i], &q->rx_gref[i]);
    ungrant_page(nf, &q->tx_sring, &q->tx_ring_ref);
    ungrant_page(nf, &q->rx_sring, &q->rx_ring_ref);
    memset(q, 0, sizeof(*q));
}

static int queue_setup(struct netfront *nf, struct netfront_queue *q,
                       unsigned int index, domid_t backend)
{
    int rc;

    memset(q, 0, sizeof(*q));
    q->nf = nf;
    q->index = index;
    rc = grant_page(nf, backend, &q->tx_sring, &q->tx_ring_ref, false);
    if (rc < 0)
        return rc;
    rc = grant_page(nf, backend, &q->rx_sring, &q->rx_ring_ref, false);
    if (rc < 0)
        return rc;
    SHARED_RING_INIT((netif_tx_sring_t *)q->tx_sring);
    FRONT_RING_INIT(&q->tx, (netif_tx_sring_t *)q->tx_sring, PAGE);
    SHARED_RING_INIT((netif_rx_sring_t *)q->rx_sring);
    FRONT_RING_INIT(&q->rx, (netif_rx_sring_t *)q->rx_sring, PAGE);

    q->tx_n = nf->cfg.tx_bufs;
    q->rx_n = nf->cfg.rx_bufs;
    q->rx_mask = q->rx_n - 1;
    for (unsigned int i = 0; i < q->tx_n; i++) {
        rc = grant_page(nf, backend, &q->tx_buf[i], &q->tx_gref[i], true);
        if (rc < 0)
            return rc;
        /* Popped from the top: hand out low ids first (easier to read). */
        q->tx_free[i] = (uint16_t)(q->tx_n - 1 - i);
    }
    q->tx_nr_free = q->tx_n;
    for (unsigned int i = 0; i < q->rx_n; i++) {
        rc = grant_page(nf, backend, &q->rx_buf[i], &q->rx_gref[i], false);
        if (rc < 0)
            return rc;
    }

    rc = nf->env.evtchn_open(nf->env.arg, backend, netfront_queue_event, q,
                             &q->evtchn_tx);
    if (rc < 0)
        return rc;
    q->evtchn_tx_open = true;
    if (nf->feat_split_evtchn) {
        rc = nf->env.evtchn_open(nf->env.arg, backend, netfront_queue_event, q,
                                 &q->evtchn_rx);
        if (rc < 0)
            return rc;
        q->evtchn_rx_open = true;
    } else {
        q->evtchn_rx = q->evtchn_tx;
    }

    /* Post every RX buffer: ring index i carries buffer i & rx_mask. */
    for (unsigned int i = 0; i < q->rx_n; i++) {
        netif_rx_request_t *req = RING_GET_REQUEST(&q->rx, i);

        req->id = (uint16_t)i;
        req->gref = q->rx_gref[i];
        q->rx_inflight[i] = true;
    }
    q->rx.req_prod_pvt = q->rx_n;
    /* The backend reads them when it connects: no notify yet. */
    RING_PUSH_REQUESTS(&q->rx);
    return 0;
}

int netfront_rings_setup(struct netfront *nf, domid_t backend)
{
    int rc = 0;

    if (nf->fe.rings)
        return -EBUSY;
    netfront_size_bufs(nf);
    if (nf->nr_queues == 0 || nf->nr_queues > NETFRONT_MAX_QUEUES)
        return -EINVAL;
    for (unsigned int i = 0; i < nf->nr_queues; i++) {
        rc = queue_setup(nf, &nf->q[i], i, backend);
        if (rc < 0) {
            netfront_log(nf, "netfront: %s: queue %u setup failed (%d)",
                         nf->fe.xb.nodename, i, rc);
            for (unsigned int j = 0; j <= i; j++)
                queue_teardown(nf, &nf->q[j]);
            return rc;
        }
    }
    nf->fe.rings = true;
    return 0;
}

void netfront_rings_teardown(struct netfront *nf)
{
    netfront_set_link(nf, false);
    for (unsigned int i = 0; i < NETFRONT_MAX_QUEUES; i++)
        queue_teardown(nf, &nf->q[i]);
    nf->fe.rings = false;
}

/* ---- transmit ---- */

static uint16_t tx_flags_of(uint32_t xn_flags)
{
    /* A blank checksum also means "payload verified": some peers want
     * data_validated on everything they must not re-check. */
    if (xn_flags & XN_PKT_CSUM_PARTIAL)
        return NETTXF_csum_blank | NETTXF_data_validated;
    if (xn_flags & XN_PKT_CSUM_VALID)
        return NETTXF_data_validated;
    return 0;
}

/* Offload checks; 0 or the -errno xn_netdev_ops.tx documents. */
static int tx_check_offload(struct netfront *nf, const struct xn_pkt *pkt,
                            size_t total)
{
    const uint32_t known = XN_PKT_CSUM_PARTIAL | XN_PKT_CSUM_VALID |
                           XN_PKT_GSO_TCPV4 | XN_PKT_GSO_TCPV6;
    uint32_t gso = pkt->flags & (XN_PKT_GSO_TCPV4 | XN_PKT_GSO_TCPV6);

    if (pkt->flags & ~known)
        return -EINVAL;
    if ((pkt->flags & XN_PKT_CSUM_PARTIAL) &&
        !(nf->dev.features & (XN_NETDEV_F_TX_CSUM4 | XN_NETDEV_F_TX_CSUM6)))
        return -EOPNOTSUPP;
    if (gso) {
        if (gso == (XN_PKT_GSO_TCPV4 | XN_PKT_GSO_TCPV6) ||
            pkt->gso_size == 0 || !(pkt->flags & XN_PKT_CSUM_PARTIAL))
            return -EINVAL;
        if ((gso == XN_PKT_GSO_TCPV4 &&
             !(nf->dev.features & XN_NETDEV_F_TSO4)) ||
            (gso == XN_PKT_GSO_TCPV6 && !(nf->dev.features & XN_NETDEV_F_TSO6)))
            return -EOPNOTSUPP;
    } else if (total > (size_t)nf->dev.mtu + XN_ETH_HLEN + VLAN_HLEN) {
        return -EMSGSIZE;
    }
    return 0;
}

/* Copy pkt into nslots free TX pages; ids[] and sizes[] describe them. */
static void tx_copy(struct netfront_queue *q, const struct xn_pkt *pkt,
                    unsigned int nslots, uint16_t *ids, uint16_t *sizes)
{
    unsigned int fi = 0;
    size_t foff = 0;

    for (unsigned int s = 0; s < nslots; s++) {
        uint16_t id = q->tx_free[--q->tx_nr_free];
        uint8_t *dst = q->tx_buf[id];
        size_t used = 0;

        /* Fill the page to its end, splitting a fragment that spans it:
         * that split is what keeps every request inside one page. */
        while (used < PAGE && fi < pkt->nr_frags) {
            const struct xn_frag *f = &pkt->frags[fi];
            size_t n = f->len - foff;

            if (n > PAGE - used)
                n = PAGE - used;
            if (n)
                memcpy(dst + used, (const uint8_t *)f->data + foff, n);
            used += n;
            foff += n;
            if (foff == f->len) {
                fi++;
                foff = 0;
            }
        }
        ids[s] = id;
        sizes[s] = (uint16_t)used;
        q->tx_inflight[id] = true;
    }
}

int netfront_tx(struct netfront *nf, unsigned int qi, const struct xn_pkt *pkt)
{
    struct netfront_queue *q;
    uint16_t ids[NETFRONT_MAX_SLOTS], sizes[NETFRONT_MAX_SLOTS];
    unsigned int nslots, nextra;
    size_t total = 0;
    RING_IDX i;
    int rc, notify;

    if (nf->fe.broken)
        return -EIO;
    if (!nf->fe.active)
        return -ENETDOWN;
    if (qi >= nf->nr_queues || !pkt || pkt->nr_frags == 0 ||
        pkt->nr_frags > XN_PKT_MAX_FRAGS)
        return -EINVAL;
    for (unsigned int f = 0; f < pkt->nr_frags; f++) {
        if (pkt->frags[f].len && !pkt->frags[f].data)
            return -EINVAL;
        if (pkt->frags[f].len > XN_NETDEV_MAX_PKT)
            return -EMSGSIZE;
        total += pkt->frags[f].len; /* <= 18 * 64 KiB: no overflow */
    }
    if (total < XN_ETH_HLEN)
        return -EINVAL;
    /* The first request's size field (uint16_t) holds the total. */
    if (total > XEN_NETIF_MAX_TX_SIZE)
        return -EMSGSIZE;
    rc = tx_check_offload(nf, pkt, total);
    if (rc < 0)
        return rc;

    nslots = (unsigned int)((total + PAGE - 1) / PAGE);
    nextra = (pkt->flags & (XN_PKT_GSO_TCPV4 | XN_PKT_GSO_TCPV6)) ? 1 : 0;
    if (nslots > 1 && !nf->feat_sg)
        return -EMSGSIZE;
    if (nslots > NETFRONT_MAX_SLOTS)
        return -EMSGSIZE;

    q = &nf->q[qi];
    if (RING_FREE_REQUESTS(&q->tx) < nslots + nextra ||
        q->tx_nr_free < nslots) {
        rc = netfront_tx_reclaim(q);
        if (rc < 0)
            return rc;
        if (RING_FREE_REQUESTS(&q->tx) < nslots + nextra ||
            q->tx_nr_free < nslots) {
            nf->stats.tx_busy++;
            return -EAGAIN;
        }
    }

    tx_copy(q, pkt, nslots, ids, sizes);

    i = q->tx.req_prod_pvt;
    *RING_GET_REQUEST(&q->tx, i++) = (netif_tx_request_t){
        .gref = q->tx_gref[ids[0]],
        .offset = 0,
        .flags = (uint16_t)(tx_flags_of(pkt->flags) |
                            (nslots > 1 ? NETTXF_more_data : 0) |
                            (nextra ? NETTXF_extra_info : 0)),
        .id = ids[0],
        .size = (uint16_t)total, /* first slot: the whole packet */
    };
    if (nextra) {
        netif_extra_info_t *ex =
            (netif_extra_info_t *)RING_GET_REQUEST(&q->tx, i++);

        memset(ex, 0, sizeof(netif_tx_request_t));
        ex->type = XEN_NETIF_EXTRA_TYPE_GSO;
        ex->flags = 0;
        ex->u.gso.size = pkt->gso_size;
        ex->u.gso.type = (pkt->flags & XN_PKT_GSO_TCPV6)
                             ? XEN_NETIF_GSO_TYPE_TCPV6
                             : XEN_NETIF_GSO_TYPE_TCPV4;
        ex->u.gso.features = 0;
        /* The backend answers this slot with a NETIF_RSP_NULL. */
        q->tx_extra_inflight++;
    }
    for (unsigned int s = 1; s < nslots; s++)
        *RING_GET_REQUEST(&q->tx, i++) = (netif_tx_request_t){
            .gref = q->tx_gref[ids[s]],
            .offset = 0,
            .flags = s + 1 < nslots ? NETTXF_more_data : 0,
            .id = ids[s],
            .size = sizes[s],
        };
    q->tx.req_prod_pvt = i;

    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
    if (notify) {
        nf->env.notify(nf->env.arg, q->evtchn_tx);
        nf->stats.tx_notifies++;
    }
    nf->stats.tx_packets++;
    nf->stats.tx_bytes += total;
    return 0;
}

int netfront_tx_reclaim(struct netfront_queue *q)
{
    struct netfront *nf = q->nf;
    int more;

    if (!nf || nf->fe.broken)
        return -EIO;
    if (!nf->fe.rings)
        return 0;
    do {
        /* One load: the backend may move it while we look. */
        RING_IDX prod =
            __atomic_load_n(&q->tx.sring->rsp_prod, __ATOMIC_RELAXED);
        RING_IDX cons;

        xen_rmb(); /* read responses only after seeing rsp_prod */
        if (XENBUS_FRONT_RSP_PROD_BAD(&q->tx, prod))
            return xenbus_front_bad_prod(&nf->fe, "tx", prod, q->tx.rsp_cons,
                                         q->tx.req_prod_pvt);
        for (cons = q->tx.rsp_cons; cons != prod; cons++) {
            netif_tx_response_t rsp;

            RING_COPY_RESPONSE(&q->tx, cons, &rsp);
            if (rsp.status == NETIF_RSP_NULL) {
                /* The answer to an extra-info slot: it has no id. */
                if (q->tx_extra_inflight == 0)
                    return netfront_fail(nf,
                                         "netfront: %s: unexpected "
                                         "NULL tx response",
                                         nf->fe.xb.nodename);
                q->tx_extra_inflight--;
                continue;
            }
            if (rsp.status != NETIF_RSP_OKAY && rsp.status != NETIF_RSP_ERROR &&
                rsp.status != NETIF_RSP_DROPPED)
                return netfront_fail(nf, "netfront: %s: tx status %d",
                                     nf->fe.xb.nodename, rsp.status);
            if (rsp.id >= NETFRONT_TX_RING_SIZE || !q->tx_inflight[rsp.id])
                return netfront_fail(nf,
                                     "netfront: %s: tx response id %u "
                                     "not in flight",
                                     nf->fe.xb.nodename, rsp.id);
            q->tx_inflight[rsp.id] = false;
            q->tx_free[q->tx_nr_free++] = rsp.id;
            if (rsp.status != NETIF_RSP_OKAY)
                nf->stats.tx_errors++;
        }
        q->tx.rsp_cons = prod;
        /* Sets rsp_event so the backend notifies the next completion. */
        RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, more);
    } while (more);
    return 0;
}

int netfront_poll(struct netfront *nf, unsigned int budget)
{
    int total = 0;

    if (nf->fe.broken)
        return -EIO;
    for (unsigned int i = 0; i < nf->nr_queues && nf->fe.rings; i++) {
        struct netfront_queue *q = &nf->q[i];
        int rc;

        /* TX completions free ring space on every queue, whatever the
         * RX budget (poll(nf, 0) = "reap TX only"). */
        rc = netfront_tx_reclaim(q);
        if (rc < 0)
            return rc;
        if ((unsigned int)total >= budget)
            continue; /* RX left pending for the next poll */
        q->pending = false;
        rc = netfront_rx_poll(q, budget - (unsigned int)total);
        if (rc < 0)
            return rc;
        total += rc;
    }
    return total;
}

void netfront_queue_event(void *ctx)
{
    struct netfront_queue *q = ctx;
    struct netfront *nf = q->nf;

    q->pending = true;
    if (nf && nf->dev.cb.kick)
        nf->dev.cb.kick(&nf->dev, nf->dev.cb.arg);
}
