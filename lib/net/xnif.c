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
 * delivers frames, and waited on for at most TX_WAIT_NS. Checksums are
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

/* How long transmit waits for ring space before dropping the frame. */
#define TX_WAIT_NS (200ull * 1000 * 1000)
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
    if ((pkt->flags &
         (XN_PKT_CSUM_PARTIAL | XN_PKT_GSO_TCPV4 | XN_PKT_GSO_TCPV6)) != 0) {
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

static err_t xnif_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct xnif *xi = (struct xnif *)netif;
    static uint8_t flat[65535]; /* long chains only (tot_len is u16) */
    struct xn_pkt pkt = {0};
    uint64_t deadline = 0, now;
    int rc;

    for (struct pbuf *q = p; q; q = q->next) {
        if (q->len == 0)
            continue;
        if (pkt.nr_frags == XN_PKT_MAX_FRAGS) {
            /* Too many pieces for one device packet: flatten. Under the
             * core lock, so the static buffer has one user at a time. */
            if (pbuf_copy_partial(p, flat, p->tot_len, 0) != p->tot_len)
                return ERR_BUF;
            pkt.nr_frags = 1;
            pkt.frags[0].data = flat;
            pkt.frags[0].len = p->tot_len;
            break;
        }
        pkt.frags[pkt.nr_frags].data = q->payload;
        pkt.frags[pkt.nr_frags].len = q->len;
        pkt.nr_frags++;
    }

    for (;;) {
        uint64_t seen = xi->kicks;

        rc = xn_netdev_tx(xi->dev, &pkt);
        if (rc != -EAGAIN)
            break;
        /* Ring full: reap completions (budget 0 delivers no frames),
         * retry, and only then wait for the backend's next kick. */
        (void)xn_netdev_poll(xi->dev, 0);
        rc = xn_netdev_tx(xi->dev, &pkt);
        if (rc != -EAGAIN)
            break;
        now = time_monotonic_ns();
        if (!deadline)
            deadline = now + TX_WAIT_NS;
        else if (now >= deadline)
            break;
        sched_wait_event_timeout(&xi->wq, xi->kicks != seen, deadline - now);
    }
    if (rc == 0)
        return ERR_OK;
    xi->tx_drops++;
    switch (rc) {
    case -EAGAIN:
        return ERR_MEM;
    case -ENETDOWN:
    case -EIO:
        return ERR_IF;
    default:
        return ERR_BUF;
    }
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
