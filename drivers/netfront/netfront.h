// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netfront.h - private interface of the Xen PV network
 * frontend (netfront.c: rings and data path; netfront_xs.c: xenbus
 * handshake).
 *
 * Design choice: everything the driver needs from the rest of the kernel
 * (pages, page-to-frame translation, event channels) comes through the
 * frontend environment (struct xenbus_front_env) given to
 * netfront_init(), and its xenbus lifecycle is the shared one
 * (xen/xenbus_front.h: netfront is a class of hooks), so the whole
 * driver runs on the host with the test playing the backend over plain
 * memory; grants go through xen/gnttab (host-testable) and xenstore
 * through an xs_conn.
 * Buffers are persistent: each TX request id owns one page granted
 * read-only to the backend and each RX ring slot owns one page granted
 * writable, for the life of a connection, so the data path never grants
 * or revokes (and packets are copied in and out, see xenith/netdev.h).
 * The driver is not reentrant: one thread (or a caller-held lock) calls
 * netfront_tx/poll and the xenbus functions; the event handler only kicks.
 * Reference: xen/include/public/io/netif.h, io/ring.h, io/xenbus.h.
 */
#ifndef NETFRONT_NETFRONT_H
#define NETFRONT_NETFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* io/ring.h expects its includer to provide these barriers. */
#ifndef xen_mb
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "xen/xenbus.h"
#include "xen/xenbus_front.h"
#include "xen/xenstore.h"
#include "xenith/netdev.h"

#define NETFRONT_PAGE_SIZE    4096u
#define NETFRONT_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, NETFRONT_PAGE_SIZE)
#define NETFRONT_RX_RING_SIZE __CONST_RING_SIZE(netif_rx, NETFRONT_PAGE_SIZE)
#define NETFRONT_MAX_QUEUES   4
/* Data slots of one packet, both directions (what every backend takes). */
#define NETFRONT_MAX_SLOTS XEN_NETIF_NR_SLOTS_MIN
/* Extra-info slots we accept after one RX packet (one per known type). */
#define NETFRONT_MAX_EXTRAS         (XEN_NETIF_EXTRA_TYPE_MAX - 1)
#define NETFRONT_DEFAULT_TIMEOUT_NS (10ULL * 1000 * 1000 * 1000)

_Static_assert(NETFRONT_TX_RING_SIZE == 256, "one-page netif tx ring");
_Static_assert(NETFRONT_RX_RING_SIZE == 256, "one-page netif rx ring");
/* The fewest buffers a queue may own: a 64 KiB packet is 17 slots plus
 * its extra-info slot, and netback waits for that many RX requests. */
#define NETFRONT_MIN_BUFS 32u

struct netfront_queue;

/* One RX ring slot as copied once: a response or an extra-info slot. */
union netfront_rx_slot {
    netif_rx_response_t rsp;
    netif_extra_info_t ex;
};
_Static_assert(sizeof(netif_rx_response_t) == sizeof(netif_extra_info_t),
               "one RX slot copy serves a response and an extra");

/* What the frontend asks for; fields at 0 take the defaults. */
struct netfront_config {
    unsigned int max_queues; /* default 1, at most NETFRONT_MAX_QUEUES */
    bool no_split_evtchn;    /* never use feature-split-event-channels */
    bool no_gso;             /* do not offer/use GSO */
    bool no_rx_csum;         /* write feature-no-csum-offload=1 */
    uint64_t timeout_ns;     /* per handshake wait; default 10 s */
    /* Buffer pages per queue and direction (the memory profile,
     * kernel/memprof.h): 0 = NETFRONT_*_RING_SIZE; rounded down to a
     * power of two within NETFRONT_MIN_BUFS..the ring size. */
    unsigned int rx_bufs, tx_bufs;
};

struct netfront_stats {
    uint64_t tx_packets, tx_bytes, tx_errors, tx_busy;
    uint64_t rx_packets, rx_bytes, rx_errors;
    uint64_t tx_notifies, rx_notifies;
};

struct netfront_queue {
    struct netfront *nf;
    unsigned int index;
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    void *tx_sring, *rx_sring; /* the shared ring pages */
    grant_ref_t tx_ring_ref, rx_ring_ref;
    evtchn_port_t evtchn_tx, evtchn_rx; /* equal unless split */
    bool evtchn_tx_open, evtchn_rx_open;

    /* TX: request id = buffer index (< tx_n); free ids on a stack. */
    unsigned int tx_n;
    void *tx_buf[NETFRONT_TX_RING_SIZE];
    grant_ref_t tx_gref[NETFRONT_TX_RING_SIZE];
    bool tx_inflight[NETFRONT_TX_RING_SIZE];
    uint16_t tx_free[NETFRONT_TX_RING_SIZE];
    unsigned int tx_nr_free;
    unsigned int tx_extra_inflight; /* extra-info slots awaiting NULL rsp */

    /* RX: ring index i always carries buffer (i & rx_mask), its request
     * id; rx_n = rx_mask + 1 buffers divide the ring's slots evenly. */
    unsigned int rx_n, rx_mask;
    void *rx_buf[NETFRONT_RX_RING_SIZE];
    grant_ref_t rx_gref[NETFRONT_RX_RING_SIZE];
    bool rx_inflight[NETFRONT_RX_RING_SIZE];
    /* Slots copied but not consumed (a packet still incomplete). */
    union netfront_rx_slot rx_copy[NETFRONT_RX_RING_SIZE];
    bool rx_staged[NETFRONT_RX_RING_SIZE];

    bool pending; /* an event arrived since the last poll */
};

struct netfront {
    struct xn_netdev dev;   /* first: the netdev ops cast back to us */
    struct xenbus_front fe; /* xenbus lifecycle (state, broken, rings) */
    struct xenbus_front_env env;
    struct netfront_config cfg;

    /* negotiated at CONNECT (backend features) */
    bool feat_sg, feat_gso4, feat_gso6, feat_split_evtchn;
    bool feat_tx_csum4, feat_tx_csum6;
    unsigned int nr_queues;
    struct netfront_queue q[NETFRONT_MAX_QUEUES];

    bool leaked; /* pages kept because the backend still maps them */
    struct netfront_stats stats;
};

/* The driver's own netdev ops (what a registry's locked wrapper calls). */
extern const struct xn_netdev_ops netfront_netdev_ops;

/* The device class netfront implements (xen/xenbus_front.h). */
extern const struct xenbus_front_class netfront_class;

static inline struct netfront *netfront_of(struct xenbus_front *f)
{
    return (struct netfront *)((char *)f - offsetof(struct netfront, fe));
}

/* ---- netfront.c: lifecycle, rings and data path ---- */

/*
 * Initialise nf (no I/O): copy env and cfg (NULL = defaults), set up the
 * netdev ops and the xenbus lifecycle. -EINVAL when an op is missing.
 */
int netfront_init(struct netfront *nf, const struct xenbus_front_env *env,
                  const struct netfront_config *cfg);

/* Normalise cfg.rx_bufs/tx_bufs (0 -> ring size, else a power of two
 * within NETFRONT_MIN_BUFS..ring size). Idempotent. */
void netfront_size_bufs(struct netfront *nf);

/*
 * Allocate and grant rings and buffers of nf->nr_queues queues to
 * backend domid, open their event channels, post every RX buffer.
 * 0 or -errno (everything undone on failure).
 */
int netfront_rings_setup(struct netfront *nf, domid_t backend);

/*
 * Revoke and free everything rings_setup made. A page the backend still
 * maps is leaked on purpose (nf->leaked) rather than reused.
 */
void netfront_rings_teardown(struct netfront *nf);

/*
 * Send one packet on queue qi (see xn_netdev_ops.tx for the results).
 * Never produces a request crossing a page boundary, nor more than
 * NETFRONT_MAX_SLOTS data slots; maps XN_PKT_* to NETTXF_* and adds a
 * GSO extra-info slot for XN_PKT_GSO_*.
 */
int netfront_tx(struct netfront *nf, unsigned int qi, const struct xn_pkt *pkt);

/*
 * Consume TX responses of queue q: validate (status, id in range and in
 * flight, producer sane), free their ids. 0 or -EIO (device broken).
 */
int netfront_tx_reclaim(struct netfront_queue *q);

/*
 * Deliver up to budget complete RX packets of queue q through the rx
 * callback, then re-post exactly the slots consumed. Returns the number
 * of packets delivered, or -EIO (device broken).
 */
int netfront_rx_poll(struct netfront_queue *q, unsigned int budget);

/* Every queue: reclaim TX, then rx_poll. Delivered count or -EIO. */
int netfront_poll(struct netfront *nf, unsigned int budget);

/* Event handler body (event context, ctx = the queue): mark pending,
 * kick the stack. */
void netfront_queue_event(void *ctx);

/*
 * Mark the device broken: log once, link down, every later call -EIO.
 * Returns -EIO for `return netfront_fail(...)`.
 */
int netfront_fail(struct netfront *nf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Log one line through ops.log (and keep it in nf->last_error). */
void netfront_log(struct netfront *nf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Enable/disable the data path and tell the stack (link callback). */
void netfront_set_link(struct netfront *nf, bool up);

/* ---- netfront_xs.c: the class's keys (xenbus handshake) ---- */

/*
 * Bind nf to device/vif/<devid> on connection xs: read backend, MAC
 * (ours, else the backend's) and MTU. -ENOENT without a backend, -EIO
 * for a malformed MAC.
 */
int netfront_xs_probe(struct netfront *nf, struct xs_conn *xs,
                      unsigned int devid);

/*
 * Parse "aa:bb:cc:dd:ee:ff" (exactly) into mac. 0 or -EINVAL; rejects
 * multicast and all-zero addresses.
 */
int netfront_parse_mac(const char *s, uint8_t mac[XN_ETH_ALEN]);

/*
 * Read the backend's features into nf (feat_*, nr_queues). -EIO when a
 * required feature (feature-rx-copy) is missing. Absurd values of
 * optional features read as "not offered".
 */
int netfront_xs_read_features(struct netfront *nf);

/*
 * Publish rings, event channels and our features in one transaction
 * (retried on EAGAIN): top-level keys for one queue, else
 * multi-queue-num-queues and queue-N/ keys only. 0 or -errno.
 */
int netfront_xs_publish(struct netfront *nf);

/* The shared lifecycle on nf (xen/xenbus_front.h). */
static inline int netfront_xs_step(struct netfront *nf, enum xenbus_action *a)
{
    return xenbus_front_step(&nf->fe, a);
}

static inline int netfront_xs_connect(struct netfront *nf)
{
    return xenbus_front_connect(&nf->fe);
}

static inline int netfront_xs_disconnect(struct netfront *nf)
{
    return xenbus_front_disconnect(&nf->fe);
}

#endif /* NETFRONT_NETFRONT_H */
