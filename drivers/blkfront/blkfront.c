// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkfront.c - Xen PV block frontend: rings, the page
 * pool and submitting requests (completions: blkfront_rsp.c).
 *
 * Each queue owns a ring of 2^ring_order contiguous pages (32 requests
 * per page) and a shadow table indexed by the request id echoed in every
 * response. Design choice: data is copied through pool pages (see
 * blkfront.h), so one READ/WRITE request is ceil(len / 4 KiB) segments
 * laid out from offset 0: up to 11 in the request itself, more through
 * BLKIF_OP_INDIRECT descriptor pages when the backend announced
 * feature-max-indirect-segments. Sector numbers on the ring are 512-byte
 * units whatever the disk's sector size; requests must be aligned to the
 * physical sector size (rejected with -EINVAL otherwise). Everything read
 * from the ring is copied once (RING_COPY_RESPONSE) and validated: the
 * producer against the requests we made, the id against the ring size
 * and the shadow's in-flight flag, the operation against what we sent,
 * the status against the three defined values. A violation marks the
 * device broken (logged once, every pending request completes with -EIO,
 * -EIO from then on). BLKIF_RSP_EOPNOTSUPP on a flush or discard turns
 * that feature off, as io/blkif.h allows. Without feature-persistent a
 * page is revoked before its READ data is copied out, so the backend
 * cannot change it under the copy; one it still maps is leaked, never
 * reused, and breaks the device.
 * Reference: xen/include/public/io/blkif.h, io/ring.h, grant_table.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "drivers/blkfront/blkfront.h"
#include "xen/gnttab.h"

#define PAGE BLKFRONT_PAGE_SIZE

/* ---- diagnostics ---- */

void blkfront_log(struct blkfront *bf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xenbus_front_vlog(&bf->fe, fmt, ap);
    va_end(ap);
}

int blkfront_fail(struct blkfront *bf, const char *fmt, ...)
{
    va_list ap;
    int rc;

    /* Logged once; the class's set_active(false) fails what is pending. */
    va_start(ap, fmt);
    rc = xenbus_front_vfail(&bf->fe, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- blkdev glue ---- */

static int bd_submit(struct xn_blkdev *dev, struct xn_blkreq *req)
{
    return blkfront_submit((struct blkfront *)dev, req);
}

static int bd_poll(struct xn_blkdev *dev)
{
    return blkfront_poll((struct blkfront *)dev);
}

static int bd_wait(struct xn_blkdev *dev, uint64_t timeout_ns)
{
    struct blkfront *bf = (struct blkfront *)dev;

    for (unsigned int i = 0; i < bf->nr_queues; i++)
        if (bf->q[i].pending)
            return 0; /* an event is already waiting to be polled */
    return bf->env.wait(bf->env.arg, timeout_ns);
}

static uint64_t bd_now(struct xn_blkdev *dev)
{
    struct blkfront *bf = (struct blkfront *)dev;

    return bf->env.now(bf->env.arg);
}

static void bd_abort(struct xn_blkdev *dev, const char *why)
{
    struct blkfront *bf = (struct blkfront *)dev;

    blkfront_fail(bf, "blkfront: %s: %s", bf->fe.xb.nodename, why);
}

static const struct xn_blkdev_ops blkfront_blkdev_ops = {
    .submit = bd_submit,
    .poll = bd_poll,
    .wait = bd_wait,
    .now = bd_now,
    .abort = bd_abort,
};

int blkfront_init(struct blkfront *bf, const struct xenbus_front_env *env,
                  const struct blkfront_config *cfg)
{
    if (!bf || !xenbus_front_env_valid(env) || !env->wait)
        return -EINVAL;
    memset(bf, 0, sizeof(*bf));
    bf->env = *env;
    bf->fe.cls = &blkfront_class;
    bf->fe.env = &bf->env;
    if (cfg)
        bf->cfg = *cfg;
    if (bf->cfg.max_queues == 0 || bf->cfg.max_queues > BLKFRONT_MAX_QUEUES)
        bf->cfg.max_queues = bf->cfg.max_queues ? BLKFRONT_MAX_QUEUES : 1;
    if (bf->cfg.max_ring_order == 0 ||
        bf->cfg.max_ring_order > BLKFRONT_MAX_RING_ORDER)
        bf->cfg.max_ring_order = BLKFRONT_MAX_RING_ORDER;
    if (bf->cfg.max_segs == 0 || bf->cfg.max_segs > BLKFRONT_MAX_SEGS)
        bf->cfg.max_segs = BLKFRONT_MAX_SEGS;
    if (bf->cfg.timeout_ns == 0)
        bf->cfg.timeout_ns = BLKFRONT_DEFAULT_TIMEOUT_NS;
    bf->fe.timeout_ns = bf->cfg.timeout_ns;
    bf->fe.grant_quota = BLKFRONT_GRANT_QUOTA;
    bf->nr_queues = 1;
    bf->dev.ops = &blkfront_blkdev_ops;
    snprintf(bf->dev.name, sizeof(bf->dev.name), "vbd");
    return 0;
}

void blkfront_set_ready(struct blkfront *bf, bool ready)
{
    struct xn_blkdev_info *in = &bf->dev.info;
    uint32_t align = bf->phys_sector_size;

    bf->fe.active = ready;
    bf->dev.ready = ready;
    if (!ready)
        return;
    memset(in, 0, sizeof(*in));
    in->sectors = bf->sectors;
    in->sector_size = bf->sector_size;
    in->physical_sector_size = bf->phys_sector_size;
    in->align = align;
    /* Whole physical sectors only (align <= 32 KiB < 11 pages). */
    in->max_request = (uint32_t)(bf->max_segs * PAGE) / align * align;
    in->discard_granularity = bf->discard_granularity;
    in->discard_alignment = bf->discard_alignment;
    in->flags =
        ((bf->vdisk_info & VDISK_READONLY) ? XN_BLKDEV_F_READONLY : 0) |
        ((bf->vdisk_info & VDISK_REMOVABLE) ? XN_BLKDEV_F_REMOVABLE : 0) |
        ((bf->vdisk_info & VDISK_CDROM) ? XN_BLKDEV_F_CDROM : 0) |
        (bf->feat_flush || bf->feat_barrier ? XN_BLKDEV_F_FLUSH : 0) |
        (bf->feat_discard ? XN_BLKDEV_F_DISCARD : 0) |
        (bf->feat_discard && bf->feat_discard_secure
             ? XN_BLKDEV_F_DISCARD_SECURE
             : 0);
}

/* ---- page pool ---- */

/* Keep g in the pool if it may (BLKFRONT_POOL_MAX); false if not. */
static bool pool_push(struct blkfront *bf, const struct blkfront_gpage *g)
{
    unsigned int limit = BLKFRONT_POOL_MAX;

    if (bf->feat_persistent && bf->fe.grant_quota > limit)
        limit = bf->fe.grant_quota;
    if (bf->pool_n >= limit)
        return false;
    if (bf->pool_n == bf->pool_cap) {
        unsigned int cap = bf->pool_cap ? bf->pool_cap * 2 : 64;
        struct blkfront_gpage *p;

        if (cap > limit)
            cap = limit;
        p = realloc(bf->pool, cap * sizeof(*p));
        if (!p)
            return false;
        bf->pool = p;
        bf->pool_cap = cap;
    }
    bf->pool[bf->pool_n++] = *g;
    return true;
}

/*
 * A page for one request, granted to the backend. With persistent grants
 * every page is granted writable once and keeps its grant in the pool
 * (io/blkif.h note 8: the backend may map it writable for later
 * requests); otherwise readonly is honoured and the grant is per use.
 */
static int page_get(struct blkfront *bf, bool readonly,
                    struct blkfront_gpage *out)
{
    struct blkfront_gpage g = {0};
    int rc;

    if (bf->pool_n)
        g = bf->pool[--bf->pool_n];
    if (!g.va) {
        g.va = bf->env.alloc_pages(bf->env.arg, 0);
        if (!g.va)
            return -ENOMEM;
        bf->pages_live++;
    }
    if (!g.gref) {
        rc = xenbus_front_grant(&bf->fe, bf->fe.xb.backend_id,
                                bf->env.virt_to_frame(bf->env.arg, g.va),
                                bf->feat_persistent ? false : readonly);
        if (rc < 0) {
            /* Back where it came from (there is room: it came from
             * there), or a fresh page the pool cannot keep. */
            if (!pool_push(bf, &g)) {
                bf->env.free_pages(bf->env.arg, g.va, 0);
                bf->pages_live--;
            }
            return rc;
        }
        g.gref = (grant_ref_t)rc;
    }
    *out = g;
    return 0;
}

/*
 * Revoke a page's grant unless it is persistent. 0, or -EBUSY when the
 * backend still maps it: the page is then leaked (g->va = NULL).
 */
static int page_unshare(struct blkfront *bf, struct blkfront_gpage *g,
                        bool keep_persistent)
{
    if (!g->gref || (keep_persistent && bf->feat_persistent))
        return 0;
    if (xenbus_front_end_grant(&bf->fe, g->gref) == -EBUSY) {
        if (!bf->leaked)
            blkfront_log(bf,
                         "blkfront: %s: backend still maps a page, "
                         "releasing it later",
                         bf->fe.xb.nodename);
        bf->leaked = true;
        /* The lifecycle frees it once the backend lets go; it is no
         * longer ours to reuse. */
        xenbus_front_defer(&bf->fe, g->va, 0, &g->gref, 1);
        bf->pages_live--;
        g->va = NULL;
        g->gref = 0;
        return -EBUSY;
    }
    g->gref = 0;
    return 0;
}

/* Back to the pool (LIFO), or freed when the pool is full. */
static void page_put(struct blkfront *bf, struct blkfront_gpage *g)
{
    if (!g->va)
        return;
    if (pool_push(bf, g)) {
        /* kept */
    } else if (page_unshare(bf, g, false) == 0) {
        bf->env.free_pages(bf->env.arg, g->va, 0);
        bf->pages_live--;
    }
    g->va = NULL;
    g->gref = 0;
}

static void pool_drain(struct blkfront *bf)
{
    while (bf->pool_n) {
        struct blkfront_gpage g = bf->pool[--bf->pool_n];

        if (page_unshare(bf, &g, false) == 0) {
            bf->env.free_pages(bf->env.arg, g.va, 0);
            bf->pages_live--;
        }
    }
    free(bf->pool);
    bf->pool = NULL;
    bf->pool_cap = 0;
}

/* Unshare and pool every page of a shadow. -EBUSY if one stayed mapped. */
int blkfront_shadow_release(struct blkfront *bf, struct blkfront_shadow *sh,
                            bool keep_persistent)
{
    int rc = 0;

    for (unsigned int i = 0; i < sh->nr_pages; i++)
        if (page_unshare(bf, &sh->page[i], keep_persistent) < 0)
            rc = -EBUSY;
    for (unsigned int i = 0; i < sh->nr_ind; i++)
        if (page_unshare(bf, &sh->ind[i], keep_persistent) < 0)
            rc = -EBUSY;
    return rc;
}

void blkfront_shadow_pool(struct blkfront *bf, struct blkfront_shadow *sh)
{
    for (unsigned int i = 0; i < sh->nr_pages; i++)
        page_put(bf, &sh->page[i]);
    for (unsigned int i = 0; i < sh->nr_ind; i++)
        page_put(bf, &sh->ind[i]);
    sh->nr_pages = sh->nr_ind = 0;
}

/* ---- rings ---- */

static void queue_teardown(struct blkfront *bf, struct blkfront_queue *q)
{
    unsigned int npages = 1u << bf->ring_order, nbusy = 0;
    grant_ref_t busy[BLKFRONT_MAX_RING_PAGES];

    if (q->evtchn_open)
        xenbus_front_port_release(&bf->fe, q->evtchn);
    if (q->shadow) {
        for (unsigned int i = 0; i < bf->ring_size; i++) {
            struct blkfront_shadow *sh = &q->shadow[i];

            if (!sh->inflight)
                continue;
            blkfront_shadow_release(bf, sh, true);
            blkfront_shadow_pool(bf, sh);
        }
    }
    free(q->shadow);
    free(q->free_ids);
    for (unsigned int i = 0; i < npages; i++) {
        if (!q->ring_ref[i])
            continue;
        if (xenbus_front_end_grant(&bf->fe, q->ring_ref[i]) == -EBUSY)
            busy[nbusy++] = q->ring_ref[i];
    }
    if (nbusy) {
        /* Freed by the lifecycle once every ref is revoked. */
        blkfront_log(bf,
                     "blkfront: %s: backend still maps the ring, "
                     "releasing it later",
                     bf->fe.xb.nodename);
        bf->leaked = true;
        xenbus_front_defer(&bf->fe, q->sring, bf->ring_order, busy, nbusy);
    } else if (q->sring) {
        bf->env.free_pages(bf->env.arg, q->sring, bf->ring_order);
    }
    memset(q, 0, sizeof(*q));
}

static int queue_setup(struct blkfront *bf, struct blkfront_queue *q,
                       unsigned int index, domid_t backend)
{
    unsigned int npages = 1u << bf->ring_order;
    int rc;

    memset(q, 0, sizeof(*q));
    q->bf = bf;
    q->index = index;
    q->shadow = calloc(bf->ring_size, sizeof(*q->shadow));
    q->free_ids = calloc(bf->ring_size, sizeof(*q->free_ids));
    q->sring = bf->env.alloc_pages(bf->env.arg, bf->ring_order);
    if (!q->shadow || !q->free_ids || !q->sring)
        return -ENOMEM;
    for (unsigned int i = 0; i < npages; i++) {
        rc = xenbus_front_grant(
            &bf->fe, backend,
            bf->env.virt_to_frame(bf->env.arg, (char *)q->sring + i * PAGE),
            false);
        if (rc < 0)
            return rc;
        q->ring_ref[i] = (grant_ref_t)rc;
    }
    SHARED_RING_INIT((blkif_sring_t *)q->sring);
    FRONT_RING_INIT(&q->ring, (blkif_sring_t *)q->sring, PAGE * npages);
    for (unsigned int i = 0; i < bf->ring_size; i++)
        q->free_ids[i] = (uint16_t)(bf->ring_size - 1 - i); /* low first */
    q->nr_free = bf->ring_size;
    rc = bf->env.evtchn_open(bf->env.arg, backend, blkfront_queue_event, q,
                             &q->evtchn);
    if (rc < 0)
        return rc;
    q->evtchn_open = true;
    return 0;
}

int blkfront_rings_setup(struct blkfront *bf, domid_t backend)
{
    int rc;

    if (bf->fe.rings)
        return -EBUSY;
    if (bf->nr_queues == 0 || bf->nr_queues > BLKFRONT_MAX_QUEUES ||
        bf->ring_order > BLKFRONT_MAX_RING_ORDER)
        return -EINVAL;
    bf->ring_size = __CONST_RING_SIZE(blkif, PAGE << bf->ring_order);
    for (unsigned int i = 0; i < bf->nr_queues; i++) {
        rc = queue_setup(bf, &bf->q[i], i, backend);
        if (rc < 0) {
            blkfront_log(bf, "blkfront: %s: queue %u setup failed (%d)",
                         bf->fe.xb.nodename, i, rc);
            for (unsigned int j = 0; j <= i; j++)
                queue_teardown(bf, &bf->q[j]);
            return rc;
        }
    }
    bf->fe.rings = true;
    return 0;
}

void blkfront_fail_pending(struct blkfront *bf, int status)
{
    /* Parked requests outlive the release of a resume (forgetting):
     * they are what the reconnect replays. */
    while (bf->nr_parked && !bf->fe.forgetting) {
        struct xn_blkreq *req = bf->parked[--bf->nr_parked];

        bf->stats.errors++;
        req->status = status;
        if (req->done)
            req->done(req, req->arg);
    }
    for (unsigned int qi = 0; qi < BLKFRONT_MAX_QUEUES; qi++) {
        struct blkfront_queue *q = &bf->q[qi];

        for (unsigned int i = 0; q->shadow && i < bf->ring_size; i++) {
            struct blkfront_shadow *sh = &q->shadow[i];
            struct xn_blkreq *req = sh->req;

            if (!sh->inflight || !req)
                continue;
            /* Orphaned: id and pages stay reserved until the backend
             * has let go of them (teardown). */
            sh->req = NULL;
            bf->stats.errors++;
            req->status = status;
            if (req->done)
                req->done(req, req->arg);
        }
    }
}

void blkfront_park_inflight(struct blkfront *bf)
{
    /* Two passes: data, then flushes and barriers, so a replayed flush
     * still comes after the writes it was meant to cover. */
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned int qi = 0; qi < BLKFRONT_MAX_QUEUES; qi++) {
            struct blkfront_queue *q = &bf->q[qi];

            for (unsigned int i = 0; q->shadow && i < bf->ring_size; i++) {
                struct blkfront_shadow *sh = &q->shadow[i];
                bool flush = sh->op == BLKIF_OP_FLUSH_DISKCACHE ||
                             sh->op == BLKIF_OP_WRITE_BARRIER;

                if (!sh->inflight || !sh->req || flush != (pass == 1))
                    continue;
                if (bf->nr_parked == sizeof(bf->parked) / sizeof(bf->parked[0]))
                    return; /* cannot happen: at most one per ring slot */
                bf->parked[bf->nr_parked++] = sh->req;
                sh->req = NULL;
            }
        }
    }
}

void blkfront_replay(struct blkfront *bf)
{
    unsigned int done = 0;

    while (done < bf->nr_parked) {
        struct xn_blkreq *req = bf->parked[done];
        int rc = blkfront_submit(bf, req);

        if (rc == -EAGAIN)
            break; /* the ring is full: the rest go at the next poll */
        done++;
        if (rc < 0) {
            bf->stats.errors++;
            req->status = rc;
            if (req->done)
                req->done(req, req->arg);
        }
    }
    bf->nr_parked -= done;
    memmove(bf->parked, bf->parked + done,
            bf->nr_parked * sizeof(bf->parked[0]));
}

void blkfront_rings_teardown(struct blkfront *bf)
{
    blkfront_set_ready(bf, false);
    blkfront_fail_pending(bf, -EIO);
    for (unsigned int i = 0; i < BLKFRONT_MAX_QUEUES; i++)
        if (bf->q[i].bf)
            queue_teardown(bf, &bf->q[i]);
    pool_drain(bf);
    bf->fe.rings = false;
}

void blkfront_queue_event(void *ctx)
{
    struct blkfront_queue *q = ctx;
    struct blkfront *bf = q->bf;

    q->pending = true;
    if (bf && bf->dev.cb.kick)
        bf->dev.cb.kick(&bf->dev, bf->dev.cb.arg);
}

/* ---- submitting ---- */

/* Checks of a READ/WRITE/DISCARD range; 0 or -EINVAL. */
static int check_range(struct blkfront *bf, const struct xn_blkreq *req)
{
    uint64_t align_sect = bf->phys_sector_size / XN_BLK_SECTOR;
    uint64_t nsect;

    if (req->len == 0 || req->len % bf->phys_sector_size)
        return -EINVAL;
    if (req->sector % align_sect)
        return -EINVAL;
    nsect = req->len / XN_BLK_SECTOR;
    /* Written so that no sum can wrap. */
    if (req->sector > bf->sectors || nsect > bf->sectors - req->sector)
        return -EINVAL;
    return 0;
}

/* A queue with a free slot, round robin; NULL when all are busy. */
static struct blkfront_queue *pick_queue(struct blkfront *bf)
{
    for (unsigned int k = 0; k < bf->nr_queues; k++) {
        struct blkfront_queue *q = &bf->q[(bf->next_q + k) % bf->nr_queues];

        if (q->nr_free > 0 && !RING_FULL(&q->ring)) {
            bf->next_q = (q->index + 1) % bf->nr_queues;
            return q;
        }
    }
    return NULL;
}

/* Complete req at once (no ring involved). */
static int complete_now(struct xn_blkreq *req, int status)
{
    req->status = status;
    if (req->done)
        req->done(req, req->arg);
    return 0;
}

/*
 * Fill sh's data pages (and indirect pages) for a READ/WRITE and the
 * segment list. Returns 0 or -errno with every page back in the pool.
 */
static int build_rw(struct blkfront *bf, struct blkfront_shadow *sh,
                    const struct xn_blkreq *req, blkif_request_t *ring_req)
{
    bool write = req->op == XN_BLK_WRITE;
    unsigned int npages = (unsigned int)((req->len + PAGE - 1) / PAGE);
    bool indirect = npages > BLKIF_MAX_SEGMENTS_PER_REQUEST;
    struct blkif_request_segment *segs = ring_req->seg;
    int rc;

    sh->nr_pages = sh->nr_ind = 0;
    if (indirect) {
        blkif_request_indirect_t *ind = (blkif_request_indirect_t *)ring_req;

        sh->nr_ind = (npages + BLKFRONT_SEGS_PER_INDIRECT - 1) /
                     BLKFRONT_SEGS_PER_INDIRECT;
        for (unsigned int i = 0; i < sh->nr_ind; i++) {
            /* Descriptors are only read by the backend. */
            rc = page_get(bf, true, &sh->ind[i]);
            if (rc < 0) {
                sh->nr_ind = i;
                goto undo;
            }
            ind->indirect_grefs[i] = sh->ind[i].gref;
        }
    }
    for (unsigned int i = 0; i < npages; i++) {
        size_t off = (size_t)i * PAGE;
        size_t n = req->len - off < PAGE ? req->len - off : PAGE;
        struct blkif_request_segment seg;

        rc = page_get(bf, write, &sh->page[i]);
        if (rc < 0) {
            sh->nr_pages = i;
            goto undo;
        }
        if (write)
            memcpy(sh->page[i].va, (const char *)req->buf + off, n);
        seg = (struct blkif_request_segment){
            .gref = sh->page[i].gref,
            .first_sect = 0,
            .last_sect = (uint8_t)(n / XN_BLK_SECTOR - 1),
        };
        if (indirect)
            ((struct blkif_request_segment *)sh
                 ->ind[i / BLKFRONT_SEGS_PER_INDIRECT]
                 .va)[i % BLKFRONT_SEGS_PER_INDIRECT] = seg;
        else
            segs[i] = seg;
    }
    sh->nr_pages = npages;
    return 0;

undo:
    blkfront_shadow_release(bf, sh, true);
    blkfront_shadow_pool(bf, sh);
    return rc;
}

/* Validate req against the disk; 0, 1 (complete at once) or -errno. */
static int submit_check(struct blkfront *bf, const struct xn_blkreq *req)
{
    bool ro = bf->vdisk_info & VDISK_READONLY;

    if (req->flags & ~XN_BLKREQ_SECURE)
        return -EINVAL;
    switch (req->op) {
    case XN_BLK_READ:
    case XN_BLK_WRITE:
        if (req->flags || !req->buf)
            return -EINVAL;
        /* A read-only disk never sees a write on its ring. */
        if (req->op == XN_BLK_WRITE && ro)
            return -EROFS;
        if (req->len > bf->dev.info.max_request)
            return -EINVAL;
        return check_range(bf, req);
    case XN_BLK_FLUSH:
        if (req->flags || req->len)
            return -EINVAL;
        /* No cache to flush: writes are stable once completed. */
        return bf->feat_flush || bf->feat_barrier ? 0 : 1;
    case XN_BLK_DISCARD:
        if (ro)
            return -EROFS;
        if (!bf->feat_discard ||
            ((req->flags & XN_BLKREQ_SECURE) && !bf->feat_discard_secure))
            return -EOPNOTSUPP;
        return check_range(bf, req);
    default:
        return -EINVAL;
    }
}

/* Requests queued to the backend and not completed, on any queue. */
static unsigned int inflight(const struct blkfront *bf)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < bf->nr_queues; i++)
        if (bf->q[i].shadow)
            n += bf->ring_size - bf->q[i].nr_free;
    return n;
}

int blkfront_submit(struct blkfront *bf, struct xn_blkreq *req)
{
    struct blkfront_queue *q;
    struct blkfront_shadow *sh;
    blkif_request_t *rr;
    uint16_t id;
    int rc, notify;

    if (bf->fe.broken)
        return -EIO;
    if (!bf->fe.active)
        return -ENODEV;
    if (!req)
        return -EINVAL;
    rc = submit_check(bf, req);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return complete_now(req, 0);
    q = pick_queue(bf);
    if (!q) {
        bf->stats.busy++;
        return -EAGAIN;
    }
    id = q->free_ids[q->nr_free - 1];
    sh = &q->shadow[id];
    rr = RING_GET_REQUEST(&q->ring, q->ring.req_prod_pvt);
    memset(rr, 0, sizeof(*rr));

    switch (req->op) {
    case XN_BLK_READ:
    case XN_BLK_WRITE: {
        uint8_t op = req->op == XN_BLK_READ ? BLKIF_OP_READ : BLKIF_OP_WRITE;

        rc = build_rw(bf, sh, req, rr);
        if ((rc == -ENOSPC || rc == -ENOMEM) && inflight(bf)) {
            /* Out of grants (the quota) or pages while requests are
             * out: their completions give some back, so this is the
             * ring-full case for the caller, not a failure. */
            bf->stats.busy++;
            return -EAGAIN;
        }
        if (rc < 0)
            return rc;
        sh->data_op = op;
        if (sh->nr_ind) {
            blkif_request_indirect_t *ind = (blkif_request_indirect_t *)rr;

            ind->operation = BLKIF_OP_INDIRECT;
            ind->indirect_op = op;
            ind->nr_segments = (uint16_t)sh->nr_pages;
            ind->id = id;
            ind->sector_number = req->sector;
            ind->handle = (blkif_vdev_t)bf->fe.xb.id;
            sh->op = BLKIF_OP_INDIRECT;
            bf->stats.indirect++;
        } else {
            rr->operation = op;
            rr->nr_segments = (uint8_t)sh->nr_pages;
            rr->handle = (blkif_vdev_t)bf->fe.xb.id;
            rr->id = id;
            rr->sector_number = req->sector;
            sh->op = op;
        }
        break;
    }
    case XN_BLK_FLUSH:
        /* An empty barrier orders and flushes like a flush does. */
        sh->op =
            bf->feat_flush ? BLKIF_OP_FLUSH_DISKCACHE : BLKIF_OP_WRITE_BARRIER;
        sh->data_op = sh->op;
        sh->nr_pages = sh->nr_ind = 0;
        rr->operation = sh->op;
        rr->nr_segments = 0;
        rr->handle = (blkif_vdev_t)bf->fe.xb.id;
        rr->id = id;
        break;
    case XN_BLK_DISCARD: {
        blkif_request_discard_t *d = (blkif_request_discard_t *)rr;

        sh->op = sh->data_op = BLKIF_OP_DISCARD;
        sh->nr_pages = sh->nr_ind = 0;
        d->operation = BLKIF_OP_DISCARD;
        d->flag = (req->flags & XN_BLKREQ_SECURE) ? BLKIF_DISCARD_SECURE : 0;
        d->handle = (blkif_vdev_t)bf->fe.xb.id;
        d->id = id;
        d->sector_number = req->sector;
        d->nr_sectors = req->len / XN_BLK_SECTOR;
        break;
    }
    }

    q->nr_free--;
    sh->req = req;
    sh->inflight = true;
    req->priv_queue = q->index;
    req->priv_id = id;
    q->ring.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->ring, notify);
    if (notify) {
        bf->env.notify(bf->env.arg, q->evtchn);
        bf->stats.notifies++;
    }
    return 0;
}
