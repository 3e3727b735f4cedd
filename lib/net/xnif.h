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
#include "lwip/netif.h"
#include "xenith/netdev.h"

/* Packets taken from the device per poll (also the RX batch size). */
#define XNIF_RX_BUDGET 64

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

    uint64_t rx_drops, tx_drops, rx_csum_fixed;
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

#endif /* NET_XNIF_H */
