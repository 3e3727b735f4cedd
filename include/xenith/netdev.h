// SPDX-License-Identifier: MIT
/*
 * include/xenith/netdev.h - the device-neutral network device interface.
 *
 * This is what a network stack port (lib/ lwIP glue) sees of a network
 * device: a MAC address, an MTU, offload features, a transmit call that
 * takes a scatter list plus offload metadata, and callbacks for received
 * packets, link changes and "work pending". It knows nothing of Xen
 * rings, grants or xenstore; drivers (drivers/netfront) fill in the ops.
 * Design choice: COPY semantics at the boundary in both directions.
 * xn_netdev_tx() has finished with the caller's buffers when it returns,
 * and a received packet's buffers are valid only for the duration of the
 * rx callback. That keeps buffer ownership trivial for the stack port
 * (no completion callbacks, no pinned pbufs) at the cost of one memcpy
 * per packet; the driver keeps its own long-lived, pre-shared buffers.
 * Threading: the ops and the rx/link callbacks run in thread context;
 * in the guest the kernel serialises tx/poll with its own xenbus thread
 * (a per-device lock, recursive so rx may call tx), and several stack
 * threads may call them; only `kick` is called from event context and
 * must just wake a thread that then calls xn_netdev_poll(). Errors are
 * 0 / -errno.
 * Checksum semantics follow Linux's CHECKSUM_PARTIAL/UNNECESSARY, which
 * is what io/netif.h's csum_blank / data_validated flags describe.
 */
#ifndef INCLUDE_XENITH_NETDEV_H
#define INCLUDE_XENITH_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XN_ETH_ALEN 6
#define XN_ETH_HLEN 14
/* Largest packet (Ethernet header included) any device accepts. */
#define XN_NETDEV_MAX_PKT 65535u
/* Scatter-list entries per packet, both directions. */
#define XN_PKT_MAX_FRAGS 18

/* Device features (struct xn_netdev.features). */
#define XN_NETDEV_F_SG       (1u << 0) /* multi-buffer packets both ways */
#define XN_NETDEV_F_TX_CSUM4 (1u << 1) /* XN_PKT_CSUM_PARTIAL on IPv4 */
#define XN_NETDEV_F_TX_CSUM6 (1u << 2) /* XN_PKT_CSUM_PARTIAL on IPv6 */
#define XN_NETDEV_F_TSO4     (1u << 3) /* XN_PKT_GSO_TCPV4 accepted */
#define XN_NETDEV_F_TSO6     (1u << 4) /* XN_PKT_GSO_TCPV6 accepted */
#define XN_NETDEV_F_RX_CSUM  (1u << 5) /* rx may carry CSUM_PARTIAL */

/*
 * Packet flags (struct xn_pkt.flags, struct xn_rx_pkt.flags). These are
 * this interface's own bits: drivers map them to and from their wire
 * flags (netfront: NETTXF_* on transmit, NETRXF_* on receive).
 *
 * XN_PKT_CSUM_PARTIAL: the L4 checksum field holds only the pseudo-header
 *   sum; the payload is known good. On TX: the device completes it. On
 *   RX: the packet came from a peer on the same host that never computed
 *   it; the stack must not reject it for a bad checksum (and must
 *   complete it before forwarding the packet anywhere).
 * XN_PKT_CSUM_VALID: the checksum need not be verified (RX: a backend
 *   already did; TX: tells peers the data is validated).
 * XN_PKT_GSO_TCPV4/6: a TCP segment larger than the MTU to be cut into
 *   gso_size-byte segments by the device or a peer (TX) / that was merged
 *   or never cut (RX). Implies XN_PKT_CSUM_PARTIAL.
 */
#define XN_PKT_CSUM_PARTIAL (1u << 0)
#define XN_PKT_CSUM_VALID   (1u << 1)
#define XN_PKT_GSO_TCPV4    (1u << 2)
#define XN_PKT_GSO_TCPV6    (1u << 3)

struct xn_frag {
    const void *data;
    size_t len;
};

/* A packet to send: the frames concatenated, Ethernet header first. */
struct xn_pkt {
    unsigned int nr_frags;
    struct xn_frag frags[XN_PKT_MAX_FRAGS];
    uint32_t flags;    /* XN_PKT_* */
    uint16_t gso_size; /* MSS when a GSO flag is set, else 0 */
};

/* A received packet; valid only during the rx callback. */
struct xn_rx_pkt {
    unsigned int nr_frags;
    struct xn_frag frags[XN_PKT_MAX_FRAGS];
    size_t len;        /* sum of the fragment lengths */
    uint32_t flags;    /* XN_PKT_* */
    uint16_t gso_size; /* when a GSO flag is set */
};

struct xn_netdev;

/* Filled in by the driver. */
struct xn_netdev_ops {
    /*
     * Queue pkt for transmission. 0 once queued (the buffers are no longer
     * referenced), -EAGAIN when the device is out of transmit space (poll
     * and retry), -EMSGSIZE for a packet too large for the device or MTU,
     * -EOPNOTSUPP for an offload flag the device did not announce,
     * -EINVAL for a malformed packet, -ENETDOWN while the link is down,
     * -EIO once the device is broken.
     */
    int (*tx)(struct xn_netdev *dev, const struct xn_pkt *pkt);
    /*
     * Reap transmit completions and deliver up to budget received packets
     * through the rx callback. Returns the number delivered, or -EIO once
     * the device is broken.
     */
    int (*poll)(struct xn_netdev *dev, unsigned int budget);
};

/* Filled in by the stack port before the device is brought up. */
struct xn_netdev_callbacks {
    /* A received packet (thread context, from xn_netdev_poll()). */
    void (*rx)(struct xn_netdev *dev, const struct xn_rx_pkt *pkt, void *arg);
    /* The link came up (connected) or went down (backend gone, broken). */
    void (*link)(struct xn_netdev *dev, bool up, void *arg);
    /*
     * EVENT CONTEXT: the device has work (packets or completions). Do not
     * block or call the ops: wake the thread that calls xn_netdev_poll().
     */
    void (*kick)(struct xn_netdev *dev, void *arg);
    void *arg;
};

struct xn_netdev {
    char name[16]; /* "vif0" */
    uint8_t mac[XN_ETH_ALEN];
    uint16_t mtu;      /* L3 MTU, 1500 unless the backend says */
    uint32_t features; /* XN_NETDEV_F_*, valid while link_up */
    bool link_up;
    const struct xn_netdev_ops *ops;
    struct xn_netdev_callbacks cb;
};

static inline int xn_netdev_tx(struct xn_netdev *dev, const struct xn_pkt *pkt)
{
    return dev->ops->tx(dev, pkt);
}

static inline int xn_netdev_poll(struct xn_netdev *dev, unsigned int budget)
{
    return dev->ops->poll(dev, budget);
}

/* ---- the kernel's device registry (kernel/netdev.c, guest only) ---- */

/*
 * Devices are found at boot (every device/vif/N, connected before main()
 * runs, each wait bounded) and later when the toolstack attaches one
 * (`xl network-attach`). Index i is the i-th device found (normally vif<i>);
 * a device keeps its index and its struct xn_netdev address for the
 * domain's life, also across a detach and re-attach of the same vif id.
 */

/* Number of devices registered so far (0 without any vif). */
unsigned int xn_netdev_count(void);

/* Device idx, or NULL when there is no such device (yet). */
struct xn_netdev *xn_netdev_get(unsigned int idx);

/*
 * Wait until device idx exists and its link is up, at most timeout_ns.
 * 0, or -ETIMEDOUT. Thread context.
 */
int xn_netdev_wait_up(unsigned int idx, uint64_t timeout_ns);

/*
 * Install the stack's callbacks (copied; cb NULL removes them). Use this
 * rather than writing dev->cb: the copy is made with events masked (kick
 * runs in event context) and under the device lock (the xenbus thread
 * must not see half of it). The link callback then reports CHANGES only,
 * so read dev->link_up right after this call; likewise poll once, as
 * packets may have arrived before the kick callback existed. On link up
 * re-read dev->mac and dev->mtu: a re-attached vif may have a new MAC.
 * The link callback runs in thread context (the kernel's "xenbus" thread,
 * or the caller of tx/poll) with no kernel lock held; it may call tx.
 */
void xn_netdev_set_callbacks(struct xn_netdev *dev,
                             const struct xn_netdev_callbacks *cb);

#ifdef __cplusplus
}
#endif

#endif /* INCLUDE_XENITH_NETDEV_H */
