// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkfront.h - private interface of the Xen PV block
 * frontend (blkfront.c: rings, requests, completions; blkfront_xs.c:
 * xenbus handshake).
 *
 * Design choice: as in netfront, everything the driver needs from the
 * kernel (pages, page-to-frame translation, event channels, a blocking
 * wait) comes through the frontend environment (struct xenbus_front_env)
 * given to blkfront_init(), and the xenbus lifecycle is the shared one
 * (xen/xenbus_front.h: blkfront is a class of hooks), so the whole
 * driver runs on the host with the test playing blkback over plain
 * memory. Data always travels through driver-owned 4 KiB pages (copy
 * semantics, see xenith/blkdev.h): a request's data starts at offset 0
 * of its first page, so every segment is first_sect = 0 and last_sect =
 * (bytes in page)/512 - 1, and callers' buffers need no alignment. The
 * pages come from a LIFO pool; with feature-persistent negotiated a
 * pooled page keeps its (writable) grant for the whole connection, else
 * each request grants its pages (read-only for WRITE data and indirect
 * descriptors) and revokes them on completion. The handshake runs in two
 * phases, as blkback publishes: transport limits (ring order, queues)
 * when the backend is in InitWait, disk properties and features when it
 * is Connected. Not reentrant: one thread calls the ops and the xenbus
 * functions; the event handler only kicks.
 * Reference: xen/include/public/io/blkif.h, io/ring.h, io/xenbus.h.
 */
#ifndef BLKFRONT_BLKFRONT_H
#define BLKFRONT_BLKFRONT_H

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
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>

#include "xen/xenbus.h"
#include "xen/xenbus_front.h"
#include "xen/xenstore.h"
#include "xenith/blkdev.h"

#define BLKFRONT_PAGE_SIZE      4096u
#define BLKFRONT_SECTORS_PER_PG (BLKFRONT_PAGE_SIZE / XN_BLK_SECTOR)
/* Largest ring we use: 2^2 pages, 128 requests. */
#define BLKFRONT_MAX_RING_ORDER 2u
#define BLKFRONT_MAX_RING_PAGES (1u << BLKFRONT_MAX_RING_ORDER)
#define BLKFRONT_MAX_RING_SIZE                                                 \
    __CONST_RING_SIZE(blkif, BLKFRONT_PAGE_SIZE << BLKFRONT_MAX_RING_ORDER)
#define BLKFRONT_MAX_QUEUES 4u
/* Segments of one indirect request we use at most (256 KiB requests). */
#define BLKFRONT_MAX_SEGS 64u
#define BLKFRONT_SEGS_PER_INDIRECT                                             \
    (BLKFRONT_PAGE_SIZE / sizeof(struct blkif_request_segment))
#define BLKFRONT_MAX_INDIRECT_PAGES                                            \
    ((BLKFRONT_MAX_SEGS + BLKFRONT_SEGS_PER_INDIRECT - 1) /                    \
     BLKFRONT_SEGS_PER_INDIRECT)
/* Grant refs one disk may hold (xenbus_front_grant): rings, the pool's
 * persistent grants and per-request grants; half of a 16-frame table. */
#define BLKFRONT_GRANT_QUOTA 4096u
/* Pages the pool keeps for reuse without persistent grants; beyond
 * that they are freed. With persistent grants it keeps every page it
 * gets back, up to the grant quota: the backend may keep any of them
 * mapped (blkback: up to 1056 per ring, for a minute after last use),
 * so freeing one would mean a revoke that fails and a page and a grant
 * held until the backend lets go, which under sustained large I/O ran
 * the disk out of grants. */
#define BLKFRONT_POOL_MAX           1024u
#define BLKFRONT_DEFAULT_TIMEOUT_NS (10ULL * 1000 * 1000 * 1000)
/* Largest sector/physical-sector size we accept (bytes). */
#define BLKFRONT_MAX_SECTOR_SIZE 65536u

_Static_assert(__CONST_RING_SIZE(blkif, BLKFRONT_PAGE_SIZE) == 32,
               "one-page blkif ring holds 32 requests");
_Static_assert(BLKFRONT_MAX_INDIRECT_PAGES <=
                   BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST,
               "indirect pages fit one request");

struct blkfront_queue;

/* What the frontend asks for; fields at 0 take the defaults. */
struct blkfront_config {
    unsigned int max_queues;     /* default 1, at most BLKFRONT_MAX_QUEUES */
    unsigned int max_ring_order; /* default BLKFRONT_MAX_RING_ORDER */
    unsigned int max_segs;       /* default BLKFRONT_MAX_SEGS */
    bool no_persistent;          /* never use feature-persistent */
    bool no_indirect;            /* never use BLKIF_OP_INDIRECT */
    uint64_t timeout_ns;         /* per handshake wait; default 10 s */
};

/* A pool page and its grant (0 = not granted). */
struct blkfront_gpage {
    void *va;
    grant_ref_t gref;
};

/* One request in flight: ring id = index in blkfront_queue.shadow. */
struct blkfront_shadow {
    struct xn_blkreq *req; /* NULL once failed early (orphaned) */
    uint8_t op;            /* BLKIF_OP_* on the ring */
    uint8_t data_op;       /* READ/WRITE inside an INDIRECT request */
    bool inflight;
    unsigned int nr_pages; /* data pages in page[] */
    unsigned int nr_ind;   /* indirect pages in ind[] */
    struct blkfront_gpage page[BLKFRONT_MAX_SEGS];
    struct blkfront_gpage ind[BLKFRONT_MAX_INDIRECT_PAGES];
};

struct blkfront_stats {
    uint64_t reads, writes, flushes, discards, errors;
    uint64_t rd_bytes, wr_bytes, indirect, notifies, busy;
};

struct blkfront_queue {
    struct blkfront *bf;
    unsigned int index;
    blkif_front_ring_t ring;
    void *sring; /* 2^ring_order contiguous pages */
    grant_ref_t ring_ref[BLKFRONT_MAX_RING_PAGES];
    evtchn_port_t evtchn;
    bool evtchn_open;
    struct blkfront_shadow *shadow; /* ring_size entries (calloc) */
    uint16_t *free_ids;
    unsigned int nr_free;
    bool pending; /* an event arrived since the last poll */
};

struct blkfront {
    struct xn_blkdev dev;   /* first: the blkdev ops cast back to us */
    struct xenbus_front fe; /* xenbus lifecycle (state, broken, rings) */
    struct xenbus_front_env env;
    struct blkfront_config cfg;

    /* transport, negotiated at CONNECT (backend InitWait) */
    unsigned int ring_order, ring_size, nr_queues;
    struct blkfront_queue q[BLKFRONT_MAX_QUEUES];
    unsigned int next_q;

    /* disk and features, read at GO_CONNECTED (backend Connected) */
    uint64_t sectors;
    uint32_t sector_size, phys_sector_size, vdisk_info;
    bool feat_flush, feat_barrier, feat_discard, feat_discard_secure;
    bool feat_persistent;
    uint32_t discard_granularity, discard_alignment;
    unsigned int max_indirect_segs; /* 0: no indirect requests */
    unsigned int max_segs;          /* per request (11 or indirect) */

    /* page pool (LIFO) */
    struct blkfront_gpage *pool; /* grown on demand (pool_push) */
    unsigned int pool_n, pool_cap;
    unsigned long pages_live; /* pages allocated and not freed */

    bool leaked; /* pages kept because the backend still maps them */
    struct blkfront_stats stats;

    /* In flight when the domain was saved: replayed after reconnect,
     * data first, then flushes (blkfront_replay). */
    struct xn_blkreq *parked[BLKFRONT_MAX_QUEUES * BLKFRONT_MAX_RING_SIZE];
    unsigned int nr_parked;
};

/* The device class blkfront implements (xen/xenbus_front.h). */
extern const struct xenbus_front_class blkfront_class;

static inline struct blkfront *blkfront_of(struct xenbus_front *f)
{
    return (struct blkfront *)((char *)f - offsetof(struct blkfront, fe));
}

/* ---- blkfront.c: lifecycle, rings and requests ---- */

/* Initialise bf (no I/O): copy ops and cfg (NULL = defaults). -EINVAL
 * when an op is missing. */
int blkfront_init(struct blkfront *bf, const struct xenbus_front_env *env,
                  const struct blkfront_config *cfg);

/*
 * Allocate and grant bf->nr_queues rings of 2^bf->ring_order pages to
 * backend, open their event channels. 0 or -errno (undone on failure).
 */
int blkfront_rings_setup(struct blkfront *bf, domid_t backend);

/*
 * Fail pending requests (-EIO), revoke and free rings and pages. A page
 * the backend still maps is leaked on purpose (bf->leaked).
 */
void blkfront_rings_teardown(struct blkfront *bf);

/* Complete every in-flight request with status (-EIO); their pages stay
 * with the shadow until the backend answers or the rings go away. */
void blkfront_fail_pending(struct blkfront *bf, int status);

/* Unshare and pool every page of a shadow (blkfront.c's page pool):
 * -EBUSY if one stayed mapped. Then put its pages back in the pool. */
int blkfront_shadow_release(struct blkfront *bf, struct blkfront_shadow *sh,
                            bool keep_persistent);
void blkfront_shadow_pool(struct blkfront *bf, struct blkfront_shadow *sh);

/* After a restore: take every request in flight off its (dead) ring and
 * park it for blkfront_replay(). */
void blkfront_park_inflight(struct blkfront *bf);

/* Submit parked requests again, in order, while the ring has room (the
 * rest stay parked and go at the next poll); one the device now refuses
 * completes with that error. */
void blkfront_replay(struct blkfront *bf);

/* Fill bf->dev.info from the negotiated values; set dev.ready. */
void blkfront_set_ready(struct blkfront *bf, bool ready);

/* The device's blkdev ops (also callable directly). */
int blkfront_submit(struct blkfront *bf, struct xn_blkreq *req);
/* Consume responses of queue q: completed count or -EIO (broken). */
int blkfront_queue_poll(struct blkfront_queue *q);
/* Every queue. */
int blkfront_poll(struct blkfront *bf);

/* Event handler body (event context, ctx = the queue): mark pending,
 * kick. */
void blkfront_queue_event(void *ctx);

/* Broken: log once, fail every pending request, -EIO forever. */
int blkfront_fail(struct blkfront *bf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void blkfront_log(struct blkfront *bf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- blkfront_xs.c: xenbus handshake ---- */

/* Bind bf to device/vbd/<devid> on xs. -ENOENT without a backend. */
int blkfront_xs_probe(struct blkfront *bf, struct xs_conn *xs,
                      unsigned int devid);

/*
 * Transport limits (backend InitWait): max-ring-page-order (and the
 * deprecated max-ring-pages) and multi-queue-max-queues, clamped to our
 * config; absurd values read as absent, logged with the key.
 */
int blkfront_xs_read_transport(struct blkfront *bf);

/*
 * Disk properties and features (backend Connected), read in one
 * transaction: sectors (required), sector-size, physical-sector-size,
 * info, feature-flush-cache / feature-barrier, feature-discard and its
 * parameters, feature-persistent, feature-max-indirect-segments.
 * -EIO when the disk cannot be used safely (logged with the key).
 */
int blkfront_xs_read_disk(struct blkfront *bf);

/* Publish rings, event channels, protocol and feature-persistent in one
 * transaction (EAGAIN retried), after removing stale keys. */
int blkfront_xs_publish(struct blkfront *bf);

/* The shared lifecycle on bf (xen/xenbus_front.h). */
static inline int blkfront_xs_step(struct blkfront *bf, enum xenbus_action *a)
{
    return xenbus_front_step(&bf->fe, a);
}

static inline int blkfront_xs_connect(struct blkfront *bf)
{
    return xenbus_front_connect(&bf->fe);
}

static inline int blkfront_xs_disconnect(struct blkfront *bf)
{
    return xenbus_front_disconnect(&bf->fe);
}

#endif /* BLKFRONT_BLKFRONT_H */
