// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netfront_rx.c - netfront's receive path: consuming RX
 * responses, assembling multi-slot packets with their extra-info slots,
 * delivering them to the stack and re-posting the slots consumed.
 *
 * Design choice: RX ring index N always carries RX page N & rx_mask
 * (granted writable for the life of the connection; rx_n pages, a power
 * of two that divides the ring, fewer than 256 in a small memory
 * profile), so re-posting a consumed slot puts the same page back at the
 * same position and the ring always holds rx_n outstanding requests.
 * Copies of responses are kept per ring slot (idx & RX_MASK), buffers
 * per id (idx & rx_mask). Every response is copied once
 * (RING_COPY_RESPONSE) and checked before use: its id must be its own
 * slot's and in flight, offsets and sizes must stay in the page and the
 * 64 KiB packet limit, the slot count within XEN_NETIF_NR_SLOTS_MIN, and
 * extra-info types must be known; any violation marks the device broken
 * (netfront_fail), never the domain. RX flag bits (NETRXF_*) are mapped
 * explicitly: they are not the TX bits.
 * Reference: xen/include/public/io/netif.h, io/ring.h.
 */
#include <errno.h>
#include <stdio.h>

#include "drivers/netfront/netfront.h"

#define RX_MASK ((RING_IDX)NETFRONT_RX_RING_SIZE - 1)
#define PAGE    NETFRONT_PAGE_SIZE

/* ---- receive ---- */

/* Copy the data response at idx once and check it answers our slot. */
/*
 * The slot at idx as copied from the ring, exactly once: a packet whose
 * later slots are not published yet is looked at again at the next poll,
 * from these copies, never from the ring (io/netif.h responses and
 * extra-info slots have the same size, so one copy serves both).
 */
static const union netfront_rx_slot *rx_slot(struct netfront_queue *q,
                                             RING_IDX idx)
{
    unsigned int s = idx & RX_MASK;

    if (!q->rx_staged[s]) {
        RING_COPY_RESPONSE(&q->rx, idx, &q->rx_copy[s].rsp);
        q->rx_staged[s] = true;
    }
    return &q->rx_copy[s];
}

static int rx_take(struct netfront_queue *q, RING_IDX idx,
                   netif_rx_response_t *rsp)
{
    struct netfront *nf = q->nf;

    *rsp = rx_slot(q, idx)->rsp;
    /* Responses come back in their request's slot, which carries id
     * (idx & rx_mask): anything else is a forged or duplicated id. */
    if (rsp->id != (idx & q->rx_mask) || !q->rx_inflight[rsp->id])
        return netfront_fail(nf,
                             "netfront: %s: rx response id %u in slot "
                             "%u not in flight",
                             nf->fe.xb.nodename, rsp->id, idx & RX_MASK);
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
        ex = rx_slot(q, idx)->ex;
        if (!q->rx_inflight[idx & q->rx_mask] || ++n > NETFRONT_MAX_EXTRAS)
            return netfront_fail(nf, "netfront: %s: bad rx extra-info chain",
                                 nf->fe.xb.nodename);
        idx++;
        switch (ex.type) {
        case XEN_NETIF_EXTRA_TYPE_GSO:
            if (ex.u.gso.size == 0 ||
                (ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
                 ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))
                return netfront_fail(nf,
                                     "netfront: %s: bad rx gso type %u "
                                     "size %u",
                                     nf->fe.xb.nodename, ex.u.gso.type,
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
                                 nf->fe.xb.nodename, ex.type);
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
                             nf->fe.xb.nodename);
    if (r.flags & NETRXF_extra_info) {
        rc = rx_extras(q, &idx, prod, st);
        if (rc <= 0)
            return rc;
    }
    for (;;) {
        if (++nslots > NETFRONT_MAX_SLOTS)
            return netfront_fail(nf, "netfront: %s: rx packet over %u slots",
                                 nf->fe.xb.nodename, NETFRONT_MAX_SLOTS);
        if (r.status < 0) {
            if (r.status != NETIF_RSP_ERROR && r.status != NETIF_RSP_DROPPED)
                return netfront_fail(nf, "netfront: %s: rx status %d",
                                     nf->fe.xb.nodename, r.status);
            st->drop = true; /* keep walking: the chain is still ours */
        } else {
            if (r.offset >= PAGE || r.offset + (uint32_t)r.status > PAGE)
                return netfront_fail(nf,
                                     "netfront: %s: rx offset %u size "
                                     "%d outside the page",
                                     nf->fe.xb.nodename, r.offset, r.status);
            total += (uint32_t)r.status;
            if (total > XN_NETDEV_MAX_PKT)
                return netfront_fail(nf,
                                     "netfront: %s: rx packet over "
                                     "64 KiB",
                                     nf->fe.xb.nodename);
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
        uint16_t id = (uint16_t)(i & q->rx_mask);

        req->id = id;
        req->gref = q->rx_gref[id];
        q->rx_inflight[id] = true;
    }
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
    if (notify) {
        nf->env.notify(nf->env.arg, q->evtchn_rx);
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

    if (!nf || nf->fe.broken)
        return -EIO;
    if (!nf->fe.rings || !nf->fe.active)
        return 0;
    /* Dropped packets count against the budget too: it bounds work. */
    while (processed < budget) {
        RING_IDX prod =
            __atomic_load_n(&q->rx.sring->rsp_prod, __ATOMIC_RELAXED);
        int rc;

        xen_rmb(); /* read responses only after seeing rsp_prod */
        if (XENBUS_FRONT_RSP_PROD_BAD(&q->rx, prod))
            return xenbus_front_bad_prod(&nf->fe, "rx", prod, q->rx.rsp_cons,
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
             k++) {
            q->rx_inflight[k & q->rx_mask] = false;
            q->rx_staged[k & RX_MASK] = false; /* the slot is ours again */
        }
        q->rx.rsp_cons += (RING_IDX)rc;
        consumed += (unsigned int)rc;
        processed++;
        if (rx_deliver(nf, &st))
            delivered++;
        /* The rx callback may have found us broken or torn us down. */
        if (nf->fe.broken)
            return -EIO;
        if (!nf->fe.rings)
            return delivered;
    }
    rx_repost(q, consumed);
    return delivered;
}
