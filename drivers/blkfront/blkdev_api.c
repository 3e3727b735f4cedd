// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkdev_api.c - the public block device API (xn_blk_* in
 * include/xenith.h) over the registry of drivers/blkfront/blkdev.c.
 *
 * Design choice: an application's request carries the driver's request
 * (struct xn_blkreq) in its private words. The driver completes it in
 * whatever thread entered the driver (the app polling, or the xenbus
 * thread failing everything when the backend goes away); that inner
 * completion only records the result, queues the request on its
 * handle's done list and wakes the device's waiters. The application's
 * own done callback runs later, from xn_blk_poll()/xn_blk_wait() (or a
 * synchronous call) in the application's thread, outside every lock, so
 * it may submit again without reentering the driver. Synchronous calls
 * are built on the same path: split at max_request, up to
 * XN_BLK_SYNC_DEPTH requests in flight, and a device silent for
 * XN_BLK_SYNC_TIMEOUT_NS is aborted (requests on our stack cannot be
 * left in flight). Offsets are bytes; sectors on the ring are 512-byte
 * units whatever the disk's sector size (io/blkif.h).
 * Reference: xen/include/public/io/blkif.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "include/xenith.h"
#include "drivers/blkfront/blkdev.h"
#include "kernel/sched.h"
#include "xen/evtchn.h"
#include "xen/time.h"

#define XN_BLK_SYNC_DEPTH      8
#define XN_BLK_SYNC_TIMEOUT_NS (30ULL * 1000 * 1000 * 1000)
/* A full ring that none of our requests occupies: look again after. */
#define XN_BLK_BUSY_WAIT_NS (1ULL * 1000 * 1000)

struct xn_blk {
    struct blkdev_slot *s;
    struct xn_blk_req *done_head, *done_tail; /* completed, not told */
    unsigned int inflight;                    /* submitted, not told */
};

/* What xn_blk_req.xn_priv holds while the request is in flight. */
struct blk_priv {
    struct xn_blkreq inner;
    struct xn_blk *b;
    struct xn_blk_req *next;
};

_Static_assert(sizeof(struct blk_priv) <=
                   sizeof(((struct xn_blk_req *)0)->xn_priv),
               "xn_blk_req.xn_priv holds the driver request");

static struct blk_priv *priv_of(struct xn_blk_req *req)
{
    return (struct blk_priv *)(void *)req->xn_priv;
}

static xn_result map_err(int rc)
{
    switch (rc) {
    case 0:
        return XN_OK;
    case -EINVAL:
    case -ERANGE:
        return XN_ERR_INVAL;
    case -ENOMEM:
        return XN_ERR_NOMEM;
    case -ETIMEDOUT:
        return XN_ERR_TIMEOUT;
    case -EAGAIN:
    case -EBUSY:
        return XN_ERR_BUSY;
    case -EROFS:
        return XN_ERR_ROFS;
    case -ENODEV:
    case -ENOENT:
        return XN_ERR_NODEV;
    case -EOPNOTSUPP:
        return XN_ERR_NOTSUP;
    default:
        return XN_ERR_IO;
    }
}

/* ---- devices and handles ---- */

unsigned int xn_blk_count(void)
{
    return blkdev_count();
}

const char *xn_blk_name(unsigned int idx)
{
    struct blkdev_slot *s = blkdev_slot(idx);

    return s ? s->name : NULL;
}

xn_result xn_blk_open(const char *name, struct xn_blk **out)
{
    struct blkdev_slot *s = blkdev_find(name);
    struct xn_blk *b;

    if (!out)
        return XN_ERR_INVAL;
    if (!s)
        return XN_ERR_NODEV;
    b = calloc(1, sizeof(*b));
    if (!b)
        return XN_ERR_NOMEM;
    b->s = s;
    *out = b;
    return XN_OK;
}

xn_result xn_blk_close(struct xn_blk *b)
{
    if (!b)
        return XN_ERR_INVAL;
    if (b->inflight)
        return XN_ERR_BUSY;
    free(b);
    return XN_OK;
}

xn_result xn_blk_get_info(struct xn_blk *b, struct xn_blk_info *info)
{
    struct blkfront *bf;
    const struct xn_blkdev_info *in;

    if (!b || !info)
        return XN_ERR_INVAL;
    bf = b->s->bf;
    in = &bf->dev.info;
    memset(info, 0, sizeof(*info));
    memcpy(info->name, b->s->name, sizeof(info->name) - 1);
    info->connected = bf->dev.ready;
    if (!bf->dev.ready)
        return XN_OK; /* geometry unknown until the backend is back */
    info->size = in->sectors * XN_BLK_SECTOR;
    info->sector_size = in->sector_size;
    info->physical_sector_size = in->physical_sector_size;
    info->align = in->align;
    info->max_request = in->max_request;
    info->queue_depth = bf->ring_size * bf->nr_queues;
    info->read_only = !!(in->flags & XN_BLKDEV_F_READONLY);
    info->can_flush = !!(in->flags & XN_BLKDEV_F_FLUSH);
    info->can_discard = !!(in->flags & XN_BLKDEV_F_DISCARD);
    return XN_OK;
}

/* ---- asynchronous requests ---- */

/* Driver completion (thread context, any thread, device lock held). */
static void inner_done(struct xn_blkreq *r, void *arg)
{
    struct xn_blk_req *req = arg;
    struct blk_priv *p = priv_of(req);
    struct xn_blk *b = p->b;

    req->result = map_err(r->status);
    p->next = NULL;
    if (b->done_tail)
        priv_of(b->done_tail)->next = req;
    else
        b->done_head = req;
    b->done_tail = req;
    blkdev_wake(b->s);
}

xn_result xn_blk_submit(struct xn_blk *b, struct xn_blk_req *req)
{
    static const enum xn_blk_op ops[] = {
        [XN_BLK_REQ_READ] = XN_BLK_READ,
        [XN_BLK_REQ_WRITE] = XN_BLK_WRITE,
        [XN_BLK_REQ_FLUSH] = XN_BLK_FLUSH,
        [XN_BLK_REQ_DISCARD] = XN_BLK_DISCARD,
    };
    struct blk_priv *p;
    int rc;

    if (!b || !req || (unsigned int)req->op > XN_BLK_REQ_DISCARD)
        return XN_ERR_INVAL;
    if (req->offset % XN_BLK_SECTOR)
        return XN_ERR_INVAL; /* the driver checks the physical alignment */
    p = priv_of(req);
    memset(p, 0, sizeof(*p));
    p->inner = (struct xn_blkreq){
        .op = ops[req->op],
        .sector = req->offset / XN_BLK_SECTOR,
        .buf = req->buf,
        .len = req->op == XN_BLK_REQ_FLUSH ? 0 : req->len,
        .done = inner_done,
        .arg = req,
    };
    p->b = b;
    /* Counted first: a FLUSH without a cache completes inside submit. */
    b->inflight++;
    blkdev_lock(b->s);
    rc = xn_blkdev_submit(&b->s->bf->dev, &p->inner);
    blkdev_unlock(b->s);
    if (rc < 0) {
        b->inflight--;
        return map_err(rc);
    }
    return XN_OK;
}

int xn_blk_poll(struct xn_blk *b)
{
    struct xn_blk_req *list;
    int n = 0;

    if (!b)
        return XN_ERR_INVAL;
    blkdev_lock(b->s);
    /* A broken device has completed everything itself (-EIO). */
    (void)xn_blkdev_poll(&b->s->bf->dev);
    blkdev_unlock(b->s);
    /* Detached first: a done that resubmits is seen by the next poll. */
    list = b->done_head;
    b->done_head = b->done_tail = NULL;
    while (list) {
        struct xn_blk_req *req = list;

        list = priv_of(req)->next;
        b->inflight--;
        n++;
        if (req->done)
            req->done(req, req->arg);
    }
    return n;
}

/* Sleep until the device's event count moves from seen, or timeout. */
static int wait_events(struct blkdev_slot *s, uint64_t seen,
                       uint64_t timeout_ns)
{
    return sched_wait_event_timeout(&s->wq, s->events != seen, timeout_ns);
}

int xn_blk_wait(struct xn_blk *b, uint64_t timeout_ns)
{
    uint64_t deadline;

    if (!b)
        return XN_ERR_INVAL;
    deadline = sched_deadline_after(timeout_ns);
    for (;;) {
        /* Read before polling: an event after the poll moves it. */
        uint64_t seen = b->s->events, now;
        int n = xn_blk_poll(b);

        if (n != 0 || b->inflight == 0)
            return n;
        /* The kernel's scale, as the deadline is (not the app's uptime). */
        now = time_monotonic_ns();
        if (now >= deadline ||
            wait_events(b->s, seen, deadline - now) == -ETIMEDOUT) {
            n = xn_blk_poll(b);
            return n ? n : XN_ERR_TIMEOUT;
        }
    }
}

unsigned int xn_blk_inflight(struct xn_blk *b)
{
    return b ? b->inflight : 0;
}

/* ---- synchronous calls ---- */

struct sync_req {
    struct xn_blk_req req;
    bool busy;
};

static void sync_done(struct xn_blk_req *req, void *arg)
{
    (void)req;
    ((struct sync_req *)arg)->busy = false;
}

/*
 * op over [offset, offset + len), split at max_request with up to
 * XN_BLK_SYNC_DEPTH requests in flight; the first error wins, and
 * nothing new is issued after it.
 */
static xn_result sync_io(struct xn_blk *b, enum xn_blk_req_op op,
                         uint64_t offset, void *buf, uint64_t len)
{
    struct sync_req r[XN_BLK_SYNC_DEPTH];
    const struct xn_blkdev *dev;
    uint64_t off = 0, chunk;
    xn_result err = XN_OK;
    bool issued = false;
    /* One deadline, moved only when one of OUR requests completes: other
     * handles' traffic and spurious events do not keep a dead device
     * alive. */
    uint64_t stall = time_monotonic_ns() + XN_BLK_SYNC_TIMEOUT_NS, now;

    if (!b || (len && !buf && op <= XN_BLK_REQ_WRITE))
        return XN_ERR_INVAL;
    dev = &b->s->bf->dev;
    if (!dev->ready)
        return XN_ERR_NODEV;
    chunk = op <= XN_BLK_REQ_WRITE ? dev->info.max_request : len;
    if (op <= XN_BLK_REQ_WRITE && len == 0)
        return XN_OK;
    memset(r, 0, sizeof(r));
    for (;;) {
        unsigned int busy = 0;
        bool full = false;

        for (unsigned int i = 0; i < XN_BLK_SYNC_DEPTH; i++) {
            if (r[i].busy) {
                busy++;
            } else if (r[i].req.done) {
                stall = time_monotonic_ns() + XN_BLK_SYNC_TIMEOUT_NS;
                if (r[i].req.result != XN_OK && err == XN_OK)
                    err = r[i].req.result;
                r[i].req.done = NULL; /* harvested */
            }
        }
        if (busy == 0 && (err != XN_OK || (issued && off >= len)))
            return err;
        for (unsigned int i = 0; i < XN_BLK_SYNC_DEPTH; i++) {
            uint64_t n = len - off < chunk ? len - off : chunk;
            xn_result rc;

            if (err != XN_OK || (issued && off >= len))
                break;
            if (r[i].busy || r[i].req.done)
                continue;
            r[i].req = (struct xn_blk_req){
                .op = op,
                .offset = offset + off,
                .buf = buf ? (char *)buf + off : NULL,
                .len = (size_t)n,
                .done = sync_done,
                .arg = &r[i],
            };
            r[i].busy = true;
            rc = xn_blk_submit(b, &r[i].req);
            if (rc != XN_OK) {
                r[i].busy = false;
                r[i].req.done = NULL;
                if (rc == XN_ERR_BUSY)
                    full = true;
                else
                    err = rc;
                break;
            }
            busy++;
            issued = true;
            off += n;
        }
        if (busy == 0 && !full)
            continue; /* an error, or everything done: harvest */
        now = time_monotonic_ns();
        if (b->inflight == 0 && now < stall) {
            /* The ring is full of other handles' requests. */
            uint64_t seen = b->s->events, left = stall - now;

            if (xn_blk_poll(b) == 0)
                wait_events(b->s, seen,
                            left < XN_BLK_BUSY_WAIT_NS ? left
                                                       : XN_BLK_BUSY_WAIT_NS);
            continue;
        }
        if (now >= stall || xn_blk_wait(b, stall - now) == XN_ERR_TIMEOUT) {
            blkdev_lock(b->s);
            b->s->bf->dev.ops->abort(&b->s->bf->dev,
                                     "synchronous request timed out");
            blkdev_unlock(b->s);
            xn_blk_poll(b);
            if (err == XN_OK)
                err = XN_ERR_TIMEOUT;
        }
    }
}

xn_result xn_blk_read(struct xn_blk *b, uint64_t offset, void *buf, size_t len)
{
    return sync_io(b, XN_BLK_REQ_READ, offset, buf, len);
}

xn_result xn_blk_write(struct xn_blk *b, uint64_t offset, const void *buf,
                       size_t len)
{
    /* WRITE only reads buf (copied at submit). */
    return sync_io(b, XN_BLK_REQ_WRITE, offset, (void *)buf, len);
}

xn_result xn_blk_flush(struct xn_blk *b)
{
    return sync_io(b, XN_BLK_REQ_FLUSH, 0, NULL, 0);
}

xn_result xn_blk_discard(struct xn_blk *b, uint64_t offset, uint64_t len)
{
    return sync_io(b, XN_BLK_REQ_DISCARD, offset, NULL, len);
}
