// SPDX-License-Identifier: MIT
/*
 * lib/net/xnif.c - lwIP netif driver over an xenith/netdev.h device.
 *
 * Receive: the device's kick callback (event context) only bumps a
 * counter and wakes this interface's "netrx" thread, which calls
 * xn_netdev_poll() WITHOUT the lwIP core lock (the device serialises
 * itself), copies each frame into a PBUF_POOL chain in the rx callback,
 * then takes the core lock once and feeds the whole batch to
 * ethernet_input. Batching keeps the stack out of the device's poll loop
 * (no reentrancy into lwIP from inside netfront) and amortises the lock.
 * Transmit: linkoutput runs under the core lock; the pbuf chain becomes
 * the device's scatter list (copy semantics: the device is done with it
 * on return); a full ring is reaped with poll(dev, 0), which never
 * delivers frames, and never waited on under the core lock: the frame
 * goes to the interface's bounded backlog (xnif_txq.h), sent first when
 * the ring has room (by the next transmit, or by the interface's thread
 * on the backend's completion event), refused and counted when even the
 * backlog is full. Checksums are
 * computed by lwIP in software; no offload flags are sent. Frames that
 * arrive CHECKSUM_PARTIAL (from a neighbour domain) are completed here,
 * since lwIP would reject them. Link changes come from the device's
 * thread and are applied on the tcpip thread (never under our locks).
 * Reference: xenith/netdev.h, lwIP src/include/lwip/netif.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/net/xnif.h"
#include "lib/net/xnif_gso.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/pbuf.h"
#include "lwip/snmp.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"
#include "xen/evtchn.h"
#include "xen/time.h"

/* Upper bound on one netrx sleep, in case a kick is ever lost. */
#define RX_IDLE_NS (1000ull * 1000 * 1000)

static void xnif_log(struct xnif *xi, const char *what, int rc)
{
    printf("[xenith] net: eth%u %s (%d)\n", xi->idx, what, rc);
}

/* ---- device callbacks ---- */

/* EVENT CONTEXT: count and wake, nothing else. */
static void xnif_kick(struct xn_netdev *dev, void *arg)
{
    struct xnif *xi = arg;

    (void)dev;
    xi->kicks++;
    sched_wake_all(&xi->wq);
}

/* Complete a CHECKSUM_PARTIAL frame held in pbuf chain p. */
static int xnif_fix_csum(struct pbuf *p)
{
    struct xnif_csum_loc loc;
    uint32_t sum = 0;
    size_t skip, left, done = 0;
    uint8_t *field;
    uint16_t c;

    if (xnif_csum_locate(p->payload, p->len, p->tot_len, &loc))
        return -EINVAL;
    skip = loc.l4_off;
    left = loc.l4_len;
    for (struct pbuf *q = p; q && left; q = q->next) {
        size_t n;

        if (skip >= q->len) {
            skip -= q->len;
            continue;
        }
        n = q->len - skip;
        if (n > left)
            n = left;
        sum =
            xnif_csum_add(sum, (const uint8_t *)q->payload + skip, n, done & 1);
        done += n;
        left -= n;
        skip = 0;
    }
    if (left)
        return -EINVAL;
    c = xnif_csum_finish(sum);
    if (loc.udp && c == 0)
        c = 0xffff;
    field = (uint8_t *)p->payload + loc.field;
    field[0] = (uint8_t)(c >> 8);
    field[1] = (uint8_t)c;
    return 0;
}

/* Thread context, inside xn_netdev_poll(): copy the frame out. */
static void xnif_rx(struct xn_netdev *dev, const struct xn_rx_pkt *pkt,
                    void *arg)
{
    struct xnif *xi = arg;
    struct pbuf *p;
    size_t off = 0;

    (void)dev;
    if (xi->batch_n >= XNIF_RX_BUDGET || pkt->len == 0 ||
        pkt->len > XN_NETDEV_MAX_PKT) {
        xi->rx_drops++;
        return;
    }
    p = pbuf_alloc(PBUF_RAW, (u16_t)pkt->len, PBUF_POOL);
    if (!p) {
        xi->rx_drops++; /* pool empty: TCP will retransmit */
        return;
    }
    for (unsigned int i = 0; i < pkt->nr_frags && i < XN_PKT_MAX_FRAGS; i++) {
        if (off + pkt->frags[i].len > pkt->len ||
            pbuf_take_at(p, pkt->frags[i].data, (u16_t)pkt->frags[i].len,
                         (u16_t)off) != ERR_OK) {
            pbuf_free(p);
            xi->rx_drops++;
            return;
        }
        off += pkt->frags[i].len;
    }
    if (off != pkt->len) {
        pbuf_free(p);
        xi->rx_drops++;
        return;
    }
    if (xnif_csum_rx_needs_fix(pkt->flags)) {
        if (xnif_fix_csum(p)) {
            pbuf_free(p);
            xi->rx_drops++;
            return;
        }
        xi->rx_csum_fixed++;
    }
    xi->batch[xi->batch_n++] = p;
}

/* On the tcpip thread (core lock held): mirror the device's link. */
static void xnif_link_apply(void *arg)
{
    struct xnif *xi = arg;
    struct xn_netdev *dev = xi->dev;

    if (dev->link_up) {
        /* A re-attached vif may come back with a new MAC or MTU. */
        memcpy(xi->netif.hwaddr, dev->mac, XN_ETH_ALEN);
        xi->netif.mtu = dev->mtu;
        netif_set_link_up(&xi->netif);
    } else {
        netif_set_link_down(&xi->netif);
    }
    xi->kicks++; /* poll once: frames may predate the callbacks */
    sched_wake_all(&xi->wq);
}

/* Device thread, no lock of ours held: defer to the tcpip thread. */
static void xnif_link(struct xn_netdev *dev, bool up, void *arg)
{
    struct xnif *xi = arg;

    (void)dev;
    (void)up; /* re-read in xnif_link_apply: the latest state wins */
    if (tcpip_try_callback(xnif_link_apply, xi) != ERR_OK)
        xnif_log(xi, "link change lost (tcpip queue full)", -ENOMEM);
}

static bool xnif_backlog_drain(struct xnif *xi);

/* ---- receive thread ---- */

static void xnif_rx_thread(void *arg)
{
    struct xnif *xi = arg;
    uint64_t seen = 0;

    for (;;) {
        int n;

        /* Sleep until a kick newer than the last one handled. */
        sched_wait_event_timeout(&xi->wq, xi->kicks != seen, RX_IDLE_NS);
        seen = xi->kicks;

        do {
            xi->batch_n = 0;
            n = xn_netdev_poll(xi->dev, XNIF_RX_BUDGET);
            if (xi->batch_n) {
                LOCK_TCPIP_CORE();
                for (unsigned int i = 0; i < xi->batch_n; i++) {
                    if (xi->netif.input(xi->batch[i], &xi->netif) != ERR_OK)
                        pbuf_free(xi->batch[i]);
                }
                UNLOCK_TCPIP_CORE();
                xi->batch_n = 0;
            }
            if (!xnif_txq_empty(&xi->txq)) {
                /* The backend made room: what waits goes first. */
                LOCK_TCPIP_CORE();
                (void)xnif_backlog_drain(xi);
                UNLOCK_TCPIP_CORE();
            }
            if (n == -EIO && !xi->broken_logged) {
                xnif_log(xi, "device broken, receive stopped", n);
                xi->broken_logged = true;
            }
            /* A full budget means more may be waiting: let others run
             * (apps consume what we queued), then poll again. */
            if (n >= XNIF_RX_BUDGET)
                sched_yield();
        } while (n >= XNIF_RX_BUDGET);
    }
}

/* ---- transmit (core lock held) ---- */

/* Every interface, for xnif_tx_flush_all() (the core-unlock hook). */
static struct xnif *xnif_all[XNIF_MAX];
static unsigned int xnif_nall;

/* p as the device's scatter list (copy semantics: valid during tx). */
static int xnif_pkt_of(struct pbuf *p, struct xn_pkt *pkt)
{
    static uint8_t flat[65535]; /* long chains only (tot_len is u16) */

    pkt->nr_frags = 0;
    for (struct pbuf *q = p; q; q = q->next) {
        if (q->len == 0)
            continue;
        if (pkt->nr_frags == XN_PKT_MAX_FRAGS) {
            /* Too many pieces for one device packet: flatten. Under the
             * core lock, so the static buffer has one user at a time. */
            if (pbuf_copy_partial(p, flat, p->tot_len, 0) != p->tot_len)
                return -EINVAL;
            pkt->nr_frags = 1;
            pkt->frags[0].data = flat;
            pkt->frags[0].len = p->tot_len;
            break;
        }
        pkt->frags[pkt->nr_frags].data = q->payload;
        pkt->frags[pkt->nr_frags].len = q->len;
        pkt->nr_frags++;
    }
    return 0;
}

/* Hand pkt to the device; a full ring is reaped once. Never waits:
 * -EAGAIN when there is still no room. */
static int xnif_tx(struct xnif *xi, const struct xn_pkt *pkt)
{
    int rc = xn_netdev_tx(xi->dev, pkt);

    if (rc != -EAGAIN)
        return rc;
    /* Reap completions (budget 0 delivers no frames) and retry. */
    (void)xn_netdev_poll(xi->dev, 0);
    return xn_netdev_tx(xi->dev, pkt);
}

/* One lwIP frame to the device as it is. */
static int xnif_send_pbuf(struct xnif *xi, struct pbuf *p)
{
    struct xn_pkt pkt = {0};

    if (xnif_pkt_of(p, &pkt) < 0)
        return -EINVAL;
    /* lwIP computed every checksum: the backend's stack need not verify
     * them again (Linux netback: CHECKSUM_UNNECESSARY). */
    pkt.flags = XN_PKT_CSUM_VALID;
    return xnif_tx(xi, &pkt);
}

/* Send what waits in the backlog, oldest first; true when it is empty. */
static bool xnif_backlog_drain(struct xnif *xi)
{
    struct pbuf *p;

    while ((p = xnif_txq_peek(&xi->txq)) != NULL) {
        int rc = xnif_send_pbuf(xi, p);

        if (rc == -EAGAIN)
            return false;
        if (rc != 0)
            xi->tx_drops++;
        xnif_txq_pop(&xi->txq);
        pbuf_free(p);
    }
    return true;
}

/* Keep p (taking a reference) behind what waits already. */
static void xnif_backlog_add(struct xnif *xi, struct pbuf *p)
{
    pbuf_ref(p);
    if (!xnif_txq_push(&xi->txq, p)) {
        pbuf_free(p);
        xi->tx_drops++; /* the backend stopped consuming: TCP resends */
    }
}

/*
 * Send one lwIP frame, after anything older, or queue it. 0 when sent or
 * queued, -errno when the device refused it.
 */
static int xnif_tx_pbuf(struct xnif *xi, struct pbuf *p)
{
    int rc;

    if (!xnif_backlog_drain(xi)) {
        xnif_backlog_add(xi, p);
        return 0;
    }
    rc = xnif_send_pbuf(xi, p);
    if (rc == -EAGAIN) {
        xnif_backlog_add(xi, p);
        return 0;
    }
    if (rc != 0)
        xi->tx_drops++;
    return rc;
}

/* The pieces of p after its first skip bytes, appended to pkt's frags;
 * -ENOSPC (pkt unchanged) when they do not all fit. */
static int xnif_gso_pieces(struct xn_pkt *pkt, struct pbuf *p, size_t skip)
{
    unsigned int n = pkt->nr_frags;

    for (struct pbuf *q = p; q; q = q->next) {
        if (skip >= q->len) {
            skip -= q->len;
            continue;
        }
        if (n == XN_PKT_MAX_FRAGS)
            return -ENOSPC;
        pkt->frags[n].data = (const uint8_t *)q->payload + skip;
        pkt->frags[n].len = q->len - skip;
        n++;
        skip = 0;
    }
    pkt->nr_frags = n;
    return 0;
}

/*
 * Send what the merge holds: one segment as it is, several as one GSO
 * packet. A device that refuses the GSO packet (offload withdrawn by a
 * re-attached backend, size) gets the segments one by one instead.
 */
static void xnif_gso_flush(struct xnif *xi)
{
    struct xnif_gso *g = &xi->gso;
    bool one_by_one = true;

    if (g->nsegs == 0)
        return;
    /* Older frames still wait: the merge goes behind them, segment by
     * segment (below). */
    if (g->nsegs > 1 && (xi->dev->features & XN_NETDEV_F_TSO4) &&
        xnif_backlog_drain(xi)) {
        int rc;

        xnif_gso_finish(g->hdr, g->hdr_len, g->payload, g->psh);
        g->pkt.flags = XN_PKT_GSO_TCPV4 | XN_PKT_CSUM_PARTIAL;
        g->pkt.gso_size = g->mss;
        rc = xnif_tx(xi, &g->pkt);
        if (rc == 0) {
            xi->tx_gso_pkts++;
            xi->tx_gso_segs += g->nsegs;
        } else if (rc != -EAGAIN && rc != -EINVAL && rc != -EMSGSIZE &&
                   rc != -EOPNOTSUPP) {
            xi->tx_drops++;
        }
        /* Refused as GSO (offload withdrawn, size) or no room: the
         * segments go one by one, queued when the ring is full. The
         * header was rewritten in g->hdr only, not in the segments. */
        one_by_one = rc == -EAGAIN || rc == -EINVAL || rc == -EMSGSIZE ||
                     rc == -EOPNOTSUPP;
    }
    if (one_by_one)
        for (unsigned int i = 0; i < g->nsegs; i++)
            (void)xnif_tx_pbuf(xi, g->segs[i]);
    for (unsigned int i = 0; i < g->nsegs; i++)
        pbuf_free(g->segs[i]);
    g->nsegs = 0;
    g->pkt.nr_frags = 0;
}

/*
 * Try to add segment p (parsed as s) to the merge; false when it does
 * not continue it (the caller flushes and tries once more).
 */
static bool xnif_gso_add(struct xnif *xi, struct pbuf *p,
                         const struct xnif_gso_seg *s)
{
    struct xnif_gso *g = &xi->gso;
    struct xn_pkt tmp;

    if (g->nsegs == 0) {
        memcpy(g->hdr, p->payload, s->hdr_len);
        g->hdr_len = s->hdr_len;
        g->mss = (uint16_t)s->payload;
        g->payload = 0;
        g->psh = false;
        g->pkt = (struct xn_pkt){0};
        g->pkt.frags[0].data = g->hdr;
        g->pkt.frags[0].len = s->hdr_len;
        g->pkt.nr_frags = 1;
    } else if (g->closed || s->hdr_len != g->hdr_len || s->payload > g->mss ||
               g->hdr_len + g->payload + s->payload > XNIF_GSO_MAX_BYTES ||
               !xnif_gso_continues(g->hdr, p->payload, s->hdr_len,
                                   g->next_seq)) {
        return false;
    }
    tmp = g->pkt;
    if (xnif_gso_pieces(&tmp, p, s->hdr_len) < 0)
        return false; /* out of fragments */
    g->pkt = tmp;
    pbuf_ref(p); /* lwIP keeps it on its unacked queue meanwhile */
    g->segs[g->nsegs++] = p;
    g->payload += s->payload;
    g->next_seq = s->seq + (uint32_t)s->payload;
    g->psh |= s->psh;
    /* Only the last piece may be short: a short one ends the merge. */
    g->closed = s->payload < g->mss;
    return true;
}

void xnif_tx_flush_all(void)
{
    for (unsigned int i = 0; i < xnif_nall; i++)
        xnif_gso_flush(xnif_all[i]);
}

static err_t xnif_err(int rc)
{
    switch (rc) {
    case 0:
        return ERR_OK;
    case -EAGAIN:
        return ERR_MEM;
    case -ENETDOWN:
    case -EIO:
        return ERR_IF;
    default:
        return ERR_BUF;
    }
}

/*
 * lwIP's output. TCP/IPv4 segments are held back while they continue one
 * another (TSO, see xnif_gso.h) and leave when one does not, when the
 * merge is full, or when the core lock is released (xnif_tx_flush_all
 * from UNLOCK_TCPIP_CORE, lwipopts.h): the end of every burst lwIP
 * sends in one go, so nothing waits for a later event.
 */
static err_t xnif_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct xnif *xi = (struct xnif *)netif;
    struct xnif_gso *g = &xi->gso;
    struct xnif_gso_seg s;

    if ((xi->dev->features & XN_NETDEV_F_TSO4) &&
        xnif_gso_parse(p->payload, p->len, p->tot_len, &s) == 0) {
        if (!xnif_gso_add(xi, p, &s)) {
            xnif_gso_flush(xi);
            if (!xnif_gso_add(xi, p, &s))
                return xnif_err(xnif_tx_pbuf(xi, p));
        }
        if (g->nsegs == XNIF_GSO_MAX_SEGS || g->closed ||
            g->pkt.nr_frags == XN_PKT_MAX_FRAGS ||
            g->hdr_len + g->payload + g->mss > XNIF_GSO_MAX_BYTES)
            xnif_gso_flush(xi);
        return ERR_OK;
    }
    /* Anything else keeps its place in the order of the wire. */
    xnif_gso_flush(xi);
    return xnif_err(xnif_tx_pbuf(xi, p));
}

/* ---- setup ---- */

static err_t xnif_netif_init(struct netif *netif)
{
    struct xnif *xi = (struct xnif *)netif;

    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, xi->dev->mac, ETH_HWADDR_LEN);
    netif->mtu = xi->dev->mtu ? xi->dev->mtu : 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                   NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = xnif_linkoutput;
    return ERR_OK;
}

int xnif_attach(struct xnif *xi, struct xn_netdev *dev, unsigned int idx)
{
    struct xn_netdev_callbacks cb = {
        .rx = xnif_rx,
        .link = xnif_link,
        .kick = xnif_kick,
        .arg = xi,
    };
    char name[SCHED_NAME_LEN];

    memset(xi, 0, sizeof(*xi));
    /* Before the netif exists: nothing is held, flushing is a no-op. */
    if (xnif_nall >= XNIF_MAX)
        return -ENOSPC;
    xnif_all[xnif_nall++] = xi;
    xi->dev = dev;
    xi->idx = idx;
    sched_waitq_init(&xi->wq);

    LOCK_TCPIP_CORE();
    if (!netif_add(&xi->netif, NULL, NULL, NULL, xi, xnif_netif_init,
                   ethernet_input)) {
        UNLOCK_TCPIP_CORE();
        return -ENOMEM;
    }
    netif_create_ip6_linklocal_address(&xi->netif, 1);
    netif_set_ip6_autoconfig_enabled(&xi->netif, 1);
    netif_set_up(&xi->netif);
    UNLOCK_TCPIP_CORE();

    snprintf(name, sizeof(name), "netrx%u", idx);
    xi->rx_thread = sched_thread_create(name, xnif_rx_thread, xi, 0);
    if (!xi->rx_thread)
        return -ENOMEM;
    /* Callbacks last: from here on link changes reach the tcpip thread;
     * the state before them is applied once, the same way. */
    xn_netdev_set_callbacks(dev, &cb);
    tcpip_callback(xnif_link_apply, xi);
    return 0;
}
