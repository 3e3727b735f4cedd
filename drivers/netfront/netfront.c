// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netfront.c - Xen PV network frontend: shared rings,
 * buffers and the data path.
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

#define RX_MASK ((RING_IDX)NETFRONT_RX_RING_SIZE - 1)
#define PAGE    NETFRONT_PAGE_SIZE
/* One VLAN tag on top of the Ethernet header. */
#define VLAN_HLEN 4

/* ---- diagnostics ---- */

static void vlog(struct netfront *nf, const char *fmt, va_list ap)
{
    vsnprintf(nf->last_error, sizeof(nf->last_error), fmt, ap);
    if (nf->ops.log)
        nf->ops.log(nf->ops.arg, nf->last_error);
}

void netfront_log(struct netfront *nf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(nf, fmt, ap);
    va_end(ap);
}

int netfront_fail(struct netfront *nf, const char *fmt, ...)
{
    va_list ap;

    if (nf->broken)
        return -EIO; /* logged once: a flood of errors helps nobody */
    nf->broken = true;
    va_start(ap, fmt);
    vlog(nf, fmt, ap);
    va_end(ap);
    netfront_set_link(nf, false);
    return -EIO;
}

void netfront_set_link(struct netfront *nf, bool up)
{
    bool was = nf->dev.link_up;

    nf->connected = up;
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

static const struct xn_netdev_ops netfront_netdev_ops = {
    .tx = nd_tx,
    .poll = nd_poll,
};

int netfront_init(struct netfront *nf, const struct netfront_ops *ops,
                  const struct netfront_config *cfg)
{
    if (!nf || !ops || !ops->alloc_page || !ops->free_page ||
        !ops->virt_to_frame || !ops->evtchn_open || !ops->evtchn_close ||
        !ops->notify)
        return -EINVAL;
    memset(nf, 0, sizeof(*nf));
    nf->ops = *ops;
    if (cfg)
        nf->cfg = *cfg;
    if (nf->cfg.max_queues == 0)
        nf->cfg.max_queues = 1;
    if (nf->cfg.max_queues > NETFRONT_MAX_QUEUES)
        nf->cfg.max_queues = NETFRONT_MAX_QUEUES;
    if (nf->cfg.timeout_ns == 0)
        nf->cfg.timeout_ns = NETFRONT_DEFAULT_TIMEOUT_NS;
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

    *page = nf->ops.alloc_page(nf->ops.arg);
    if (!*page)
        return -ENOMEM;
    rc = gnttab_grant_access(backend, nf->ops.virt_to_frame(nf->ops.arg, *page),
                             readonly);
    if (rc < 0) {
        nf->ops.free_page(nf->ops.arg, *page);
        *page = NULL;
        return rc;
    }
    *ref = (grant_ref_t)rc;
    return 0;
}

/*
 * Revoke and free. While the backend still has the page mapped the
 * revoke fails: then the page must never be reused (the backend could
 * still write it), so it is leaked, and so is the ref.
 */
static void ungrant_page(struct netfront *nf, void **page, grant_ref_t *ref)
{
    if (*ref) {
        if (gnttab_end_access(*ref) == -EBUSY) {
            if (!nf->leaked)
                netfront_log(nf,
                             "netfront: %s: backend still maps a page,"
                             " leaking it",
                             nf->xb.nodename);
            nf->leaked = true;
            *page = NULL;
            *ref = 0;
            return;
        }
        gnttab_free(*ref);
        *ref = 0;
    }
    if (*page) {
        nf->ops.free_page(nf->ops.arg, *page);
        *page = NULL;
    }
}

static void queue_teardown(struct netfront *nf, struct netfront_queue *q)
{
    if (q->evtchn_tx_open)
        nf->ops.evtchn_close(nf->ops.arg, q->evtchn_tx);
    if (q->evtchn_rx_open && q->evtchn_rx != q->evtchn_tx)
        nf->ops.evtchn_close(nf->ops.arg, q->evtchn_rx);
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

    for (unsigned int i = 0; i < NETFRONT_TX_RING_SIZE; i++) {
        rc = grant_page(nf, backend, &q->tx_buf[i], &q->tx_gref[i], true);
        if (rc < 0)
            return rc;
        /* Popped from the top: hand out low ids first (easier to read). */
        q->tx_free[i] = (uint16_t)(NETFRONT_TX_RING_SIZE - 1 - i);
    }
    q->tx_nr_free = NETFRONT_TX_RING_SIZE;
    for (unsigned int i = 0; i < NETFRONT_RX_RING_SIZE; i++) {
        rc = grant_page(nf, backend, &q->rx_buf[i], &q->rx_gref[i], false);
        if (rc < 0)
            return rc;
    }

    rc = nf->ops.evtchn_open(nf->ops.arg, backend, q, &q->evtchn_tx);
    if (rc < 0)
        return rc;
    q->evtchn_tx_open = true;
    if (nf->feat_split_evtchn) {
        rc = nf->ops.evtchn_open(nf->ops.arg, backend, q, &q->evtchn_rx);
        if (rc < 0)
            return rc;
        q->evtchn_rx_open = true;
    } else {
        q->evtchn_rx = q->evtchn_tx;
    }

    /* Fill the RX ring: slot i carries buffer i, forever. */
    for (unsigned int i = 0; i < NETFRONT_RX_RING_SIZE; i++) {
        netif_rx_request_t *req = RING_GET_REQUEST(&q->rx, i);

        req->id = (uint16_t)i;
        req->gref = q->rx_gref[i];
        q->rx_inflight[i] = true;
    }
    q->rx.req_prod_pvt = NETFRONT_RX_RING_SIZE;
    /* The backend reads them when it connects: no notify yet. */
    RING_PUSH_REQUESTS(&q->rx);
    return 0;
}

int netfront_rings_setup(struct netfront *nf, domid_t backend)
{
    int rc = 0;

    if (nf->rings_ready)
        return -EBUSY;
    if (nf->nr_queues == 0 || nf->nr_queues > NETFRONT_MAX_QUEUES)
        return -EINVAL;
    for (unsigned int i = 0; i < nf->nr_queues; i++) {
        rc = queue_setup(nf, &nf->q[i], i, backend);
        if (rc < 0) {
            netfront_log(nf, "netfront: %s: queue %u setup failed (%d)",
                         nf->xb.nodename, i, rc);
            for (unsigned int j = 0; j <= i; j++)
                queue_teardown(nf, &nf->q[j]);
            return rc;
        }
    }
    nf->rings_ready = true;
    return 0;
}

void netfront_rings_teardown(struct netfront *nf)
{
    netfront_set_link(nf, false);
    for (unsigned int i = 0; i < NETFRONT_MAX_QUEUES; i++)
        queue_teardown(nf, &nf->q[i]);
    nf->rings_ready = false;
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

    if (nf->broken)
        return -EIO;
    if (!nf->connected)
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
        nf->ops.notify(nf->ops.arg, q->evtchn_tx);
        nf->stats.tx_notifies++;
    }
    nf->stats.tx_packets++;
    nf->stats.tx_bytes += total;
    return 0;
}

/*
 * The backend may only answer requests we made: rsp_prod must not run
 * past req_prod_pvt (the stricter form of RING_RESPONSE_PROD_OVERFLOW).
 */
#define RSP_PROD_BAD(r, prod)                                                  \
    (RING_RESPONSE_PROD_OVERFLOW(r, prod) ||                                   \
     (RING_IDX)((prod) - (r)->rsp_cons) >                                      \
         (RING_IDX)((r)->req_prod_pvt - (r)->rsp_cons))

int netfront_tx_reclaim(struct netfront_queue *q)
{
    struct netfront *nf = q->nf;
    int more;

    if (!nf || nf->broken)
        return -EIO;
    if (!nf->rings_ready)
        return 0;
    do {
        /* One load: the backend may move it while we look. */
        RING_IDX prod =
            __atomic_load_n(&q->tx.sring->rsp_prod, __ATOMIC_RELAXED);
        RING_IDX cons;

        xen_rmb(); /* read responses only after seeing rsp_prod */
        if (RSP_PROD_BAD(&q->tx, prod))
            return netfront_fail(nf,
                                 "netfront: %s: tx rsp_prod %u beyond "
                                 "requests (cons %u, req %u)",
                                 nf->xb.nodename, prod, q->tx.rsp_cons,
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
                                         nf->xb.nodename);
                q->tx_extra_inflight--;
                continue;
            }
            if (rsp.status != NETIF_RSP_OKAY && rsp.status != NETIF_RSP_ERROR &&
                rsp.status != NETIF_RSP_DROPPED)
                return netfront_fail(nf, "netfront: %s: tx status %d",
                                     nf->xb.nodename, rsp.status);
            if (rsp.id >= NETFRONT_TX_RING_SIZE || !q->tx_inflight[rsp.id])
                return netfront_fail(nf,
                                     "netfront: %s: tx response id %u "
                                     "not in flight",
                                     nf->xb.nodename, rsp.id);
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

/* ---- receive ---- */

/* Copy the data response at idx once and check it answers our slot. */
static int rx_take(struct netfront_queue *q, RING_IDX idx,
                   netif_rx_response_t *rsp)
{
    struct netfront *nf = q->nf;

    RING_COPY_RESPONSE(&q->rx, idx, rsp);
    /* Responses come back in their request's slot, which carries id
     * (idx & RX_MASK): anything else is a forged or duplicated id. */
    if (rsp->id != (idx & RX_MASK) || !q->rx_inflight[rsp->id])
        return netfront_fail(nf,
                             "netfront: %s: rx response id %u in slot "
                             "%u not in flight",
                             nf->xb.nodename, rsp->id, idx & RX_MASK);
    return 0;
}

struct rx_state {
    struct xn_rx_pkt pkt;
    uint16_t first_flags;
    bool drop;
};

/*
 * Extra-info slots from *idx on (advanced past them). 1 when the chain
 * is complete, 0 when not all of it is published yet, or -EIO.
 */
static int rx_extras(struct netfront_queue *q, RING_IDX *pidx, RING_IDX prod,
                     struct rx_state *st)
{
    struct netfront *nf = q->nf;
    netif_extra_info_t ex;
    RING_IDX idx = *pidx;
    unsigned int n = 0;

    do {
        if (idx == prod)
            return 0; /* not all published yet */
        /* The extra overlays the response; its slot's buffer was used. */
        memcpy(&ex, RING_GET_RESPONSE(&q->rx, idx), sizeof(ex));
        if (!q->rx_inflight[idx & RX_MASK] || ++n > NETFRONT_MAX_EXTRAS)
            return netfront_fail(nf, "netfront: %s: bad rx extra-info chain",
                                 nf->xb.nodename);
        idx++;
        switch (ex.type) {
        case XEN_NETIF_EXTRA_TYPE_GSO:
            if (ex.u.gso.size == 0 ||
                (ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
                 ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))
                return netfront_fail(nf,
                                     "netfront: %s: bad rx gso type %u "
                                     "size %u",
                                     nf->xb.nodename, ex.u.gso.type,
                                     ex.u.gso.size);
            st->pkt.flags |= ex.u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4
                                 ? XN_PKT_GSO_TCPV4
                                 : XN_PKT_GSO_TCPV6;
            st->pkt.gso_size = ex.u.gso.size;
            break;
        case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
        case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
        case XEN_NETIF_EXTRA_TYPE_HASH:
            break; /* valid, not used by us */
        default:
            return netfront_fail(nf, "netfront: %s: rx extra type %u",
                                 nf->xb.nodename, ex.type);
        }
    } while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
    *pidx = idx;
    return 1;
}

/*
 * One packet starting at rsp_cons. Returns the slots it used (> 0),
 * 0 when it is not completely published yet, or -EIO.
 */
static int rx_one(struct netfront_queue *q, RING_IDX prod, struct rx_state *st)
{
    struct netfront *nf = q->nf;
    RING_IDX cons = q->rx.rsp_cons, idx = cons;
    netif_rx_response_t r;
    unsigned int nslots = 0;
    uint32_t total = 0;
    int rc;

    memset(st, 0, sizeof(*st));
    rc = rx_take(q, idx++, &r);
    if (rc < 0)
        return rc;
    st->first_flags = r.flags;
    if (r.flags & NETRXF_gso_prefix) /* never requested */
        return netfront_fail(nf, "netfront: %s: rx gso prefix",
                             nf->xb.nodename);
    if (r.flags & NETRXF_extra_info) {
        rc = rx_extras(q, &idx, prod, st);
        if (rc <= 0)
            return rc;
    }
    for (;;) {
        if (++nslots > NETFRONT_MAX_SLOTS)
            return netfront_fail(nf, "netfront: %s: rx packet over %u slots",
                                 nf->xb.nodename, NETFRONT_MAX_SLOTS);
        if (r.status < 0) {
            if (r.status != NETIF_RSP_ERROR && r.status != NETIF_RSP_DROPPED)
                return netfront_fail(nf, "netfront: %s: rx status %d",
                                     nf->xb.nodename, r.status);
            st->drop = true; /* keep walking: the chain is still ours */
        } else {
            if (r.offset >= PAGE || r.offset + (uint32_t)r.status > PAGE)
                return netfront_fail(nf,
                                     "netfront: %s: rx offset %u size "
                                     "%d outside the page",
                                     nf->xb.nodename, r.offset, r.status);
            total += (uint32_t)r.status;
            if (total > XN_NETDEV_MAX_PKT)
                return netfront_fail(nf,
                                     "netfront: %s: rx packet over "
                                     "64 KiB",
                                     nf->xb.nodename);
            st->pkt.frags[st->pkt.nr_frags].data =
                (const uint8_t *)q->rx_buf[r.id] + r.offset;
            st->pkt.frags[st->pkt.nr_frags].len = (size_t)r.status;
            st->pkt.nr_frags++;
        }
        if (!(r.flags & NETRXF_more_data))
            break;
        if (idx == prod)
            return 0;
        rc = rx_take(q, idx++, &r);
        if (rc < 0)
            return rc;
    }
    st->pkt.len = total;
    return (int)(idx - cons);
}

/* Put the n consumed slots back: same page, same position (see top). */
static void rx_repost(struct netfront_queue *q, unsigned int n)
{
    struct netfront *nf = q->nf;
    int notify;

    if (n == 0)
        return;
    for (unsigned int k = 0; k < n; k++) {
        RING_IDX i = q->rx.req_prod_pvt++;
        netif_rx_request_t *req = RING_GET_REQUEST(&q->rx, i);
        uint16_t id = (uint16_t)(i & RX_MASK);

        req->id = id;
        req->gref = q->rx_gref[id];
        q->rx_inflight[id] = true;
    }
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
    if (notify) {
        nf->ops.notify(nf->ops.arg, q->evtchn_rx);
        nf->stats.rx_notifies++;
    }
}

static bool rx_deliver(struct netfront *nf, struct rx_state *st)
{
    if (st->drop || st->pkt.len == 0) {
        nf->stats.rx_errors++;
        return false;
    }
    /* NETRXF_* -> XN_PKT_*: bit 0 is data_validated here, not blank. */
    if (st->first_flags & NETRXF_csum_blank)
        st->pkt.flags |= XN_PKT_CSUM_PARTIAL;
    if (st->first_flags & NETRXF_data_validated)
        st->pkt.flags |= XN_PKT_CSUM_VALID;
    nf->stats.rx_packets++;
    nf->stats.rx_bytes += st->pkt.len;
    if (nf->dev.cb.rx)
        nf->dev.cb.rx(&nf->dev, &st->pkt, nf->dev.cb.arg);
    return true;
}

int netfront_rx_poll(struct netfront_queue *q, unsigned int budget)
{
    struct netfront *nf = q->nf;
    struct rx_state st;
    unsigned int consumed = 0, processed = 0;
    int delivered = 0;

    if (!nf || nf->broken)
        return -EIO;
    if (!nf->rings_ready || !nf->connected)
        return 0;
    /* Dropped packets count against the budget too: it bounds work. */
    while (processed < budget) {
        RING_IDX prod =
            __atomic_load_n(&q->rx.sring->rsp_prod, __ATOMIC_RELAXED);
        int rc;

        xen_rmb(); /* read responses only after seeing rsp_prod */
        if (RSP_PROD_BAD(&q->rx, prod))
            return netfront_fail(nf,
                                 "netfront: %s: rx rsp_prod %u beyond "
                                 "requests (cons %u, req %u)",
                                 nf->xb.nodename, prod, q->rx.rsp_cons,
                                 q->rx.req_prod_pvt);
        if (q->rx.rsp_cons == prod) {
            int more;

            RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, more);
            if (!more)
                break;
            continue;
        }
        rc = rx_one(q, prod, &st);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            /* Half a packet: ask for an event when more arrives. */
            q->rx.sring->rsp_event = prod + 1;
            xen_mb();
            if (__atomic_load_n(&q->rx.sring->rsp_prod, __ATOMIC_RELAXED) ==
                prod)
                break;
            continue;
        }
        for (RING_IDX k = q->rx.rsp_cons; k != q->rx.rsp_cons + (RING_IDX)rc;
             k++)
            q->rx_inflight[k & RX_MASK] = false;
        q->rx.rsp_cons += (RING_IDX)rc;
        consumed += (unsigned int)rc;
        processed++;
        if (rx_deliver(nf, &st))
            delivered++;
        /* The rx callback may have found us broken or torn us down. */
        if (nf->broken)
            return -EIO;
        if (!nf->rings_ready)
            return delivered;
    }
    rx_repost(q, consumed);
    return delivered;
}

int netfront_poll(struct netfront *nf, unsigned int budget)
{
    int total = 0;

    if (nf->broken)
        return -EIO;
    for (unsigned int i = 0; i < nf->nr_queues && nf->rings_ready; i++) {
        struct netfront_queue *q = &nf->q[i];
        int rc;

        q->pending = false;
        rc = netfront_tx_reclaim(q);
        if (rc < 0)
            return rc;
        rc = netfront_rx_poll(q, budget - (unsigned int)total);
        if (rc < 0)
            return rc;
        total += rc;
        if ((unsigned int)total >= budget)
            break;
    }
    return total;
}

void netfront_queue_event(struct netfront_queue *q)
{
    struct netfront *nf = q->nf;

    q->pending = true;
    if (nf && nf->dev.cb.kick)
        nf->dev.cb.kick(&nf->dev, nf->dev.cb.arg);
}
