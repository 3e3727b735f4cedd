// SPDX-License-Identifier: MIT
/*
 * lib/net/xnif.h - the lwIP network interface over an xn_netdev.
 *
 * One struct xnif per device: the lwIP netif, the device, the receive
 * thread and the kick counter it sleeps on. net.c creates them; nothing
 * else in xenith sees lwIP's netif. Reference: xenith/netdev.h.
 */
#ifndef NET_XNIF_H
#define NET_XNIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/sched.h"
#include "lib/net/xnif_csum.h"
#include "lib/net/xnif_gso.h"
#include "lib/net/xnif_txq.h"
#include "lwip/netif.h"
#include "xenith/netdev.h"

/* Packets taken from the device per poll (also the RX batch size). */
#define XNIF_RX_BUDGET 64
/* Interfaces (devices) one domain may attach. */
#define XNIF_MAX 8
/* One merged TCP packet: the headers take one scatter piece, each
 * segment at least one; the frame must fit the device's 64 KiB. */
#define XNIF_GSO_MAX_SEGS  (XN_PKT_MAX_FRAGS - 1)
#define XNIF_GSO_MAX_BYTES 65535

/* TCP segments held back to leave as one GSO packet (xnif_gso.h). */
struct xnif_gso {
    struct pbuf *segs[XNIF_GSO_MAX_SEGS]; /* each with a ref of ours */
    unsigned int nsegs;
    struct xn_pkt pkt; /* frags[0] = hdr, then the segments' payloads */
    uint8_t hdr[XNIF_GSO_HDR_MAX]; /* the first segment's, rewritten */
    size_t hdr_len, payload;
    uint32_t next_seq;
    uint16_t mss; /* the first segment's payload: the gso_size */
    bool psh, closed;
};

struct xnif {
    struct netif netif; /* first: lwIP hands us &netif */
    struct xn_netdev *dev;
    unsigned int idx;

    /* Bumped by the kick callback (event context); waiters compare. */
    volatile uint64_t kicks;
    struct sched_waitq wq;
    struct sched_thread *rx_thread;

    /* Frames copied out during one poll, fed to lwIP after it. */
    struct pbuf *batch[XNIF_RX_BUDGET];
    unsigned int batch_n;

    struct xnif_gso gso; /* transmit merge, under the core lock */
    struct xnif_txq txq; /* frames waiting for ring space (core lock) */

    uint64_t rx_drops, tx_drops, rx_csum_fixed;
    uint64_t tx_gso_pkts, tx_gso_segs; /* merged packets, their segments */
    bool broken_logged;
};

/*
 * Add dev as lwIP netif "en<idx>" (tcpip must be running; the caller
 * must NOT hold the core lock), install the device callbacks, start the
 * receive thread and mirror the device's link state. The interface is
 * administratively up, without an IPv4 address; IPv6 link-local and
 * autoconfiguration are on. 0 or -errno.
 */
int xnif_attach(struct xnif *xi, struct xn_netdev *dev, unsigned int idx);

/*
 * Send every transmit merge now. Core lock held: UNLOCK_TCPIP_CORE()
 * calls it (lwipopts.h), so what lwIP sent under the lock is on the
 * ring before anyone else runs.
 */
void xnif_tx_flush_all(void);

#endif /* NET_XNIF_H */
