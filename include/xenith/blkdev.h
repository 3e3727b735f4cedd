// SPDX-License-Identifier: MIT
/*
 * include/xenith/blkdev.h - the device-neutral block device interface.
 *
 * This is what a filesystem or a benchmark sees of a disk: its geometry
 * (capacity in 512-byte sectors, logical and physical sector size, the
 * largest single request), its properties (read-only, removable, cdrom,
 * flush, discard) and an asynchronous request queue with several
 * requests in flight, plus synchronous helpers built on it. It knows
 * nothing of Xen rings, grants or xenstore; drivers (drivers/blkfront)
 * fill in the ops. Design choice: sector numbers are ALWAYS 512-byte
 * units (as in io/blkif.h, even on 4 KiB disks) and every READ/WRITE/
 * DISCARD must start and end on a multiple of `align` bytes (the
 * physical sector size), so no driver ever does read-modify-write behind
 * the caller's back. Buffers have copy semantics: WRITE data is copied
 * when xn_blkdev_submit() returns 0 (the buffer is free again); READ
 * data is copied into req->buf just before req->done runs, so the
 * buffer (any alignment) must stay valid until then. Threading: the ops
 * and the done callbacks run in thread context, not reentrantly (one
 * I/O thread, or the caller serialises); only `kick` runs in event
 * context. Errors are 0 / -errno.
 */
#ifndef INCLUDE_XENITH_BLKDEV_H
#define INCLUDE_XENITH_BLKDEV_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XN_BLK_SECTOR 512u

/* Device properties (struct xn_blkdev_info.flags). */
#define XN_BLKDEV_F_READONLY       (1u << 0) /* writes fail with -EROFS */
#define XN_BLKDEV_F_REMOVABLE      (1u << 1)
#define XN_BLKDEV_F_CDROM          (1u << 2)
#define XN_BLKDEV_F_FLUSH          (1u << 3) /* flush reaches the device */
#define XN_BLKDEV_F_DISCARD        (1u << 4)
#define XN_BLKDEV_F_DISCARD_SECURE (1u << 5)

struct xn_blkdev_info {
    uint64_t sectors;              /* capacity, 512-byte units */
    uint32_t sector_size;          /* logical, bytes (power of 2) */
    uint32_t physical_sector_size; /* bytes, multiple of sector_size */
    uint32_t align;                /* offset/length unit of every request */
    uint32_t max_request;          /* bytes of one READ/WRITE request */
    uint32_t discard_granularity;  /* bytes, when XN_BLKDEV_F_DISCARD */
    uint32_t discard_alignment;    /* bytes */
    uint32_t flags;                /* XN_BLKDEV_F_* */
};

enum xn_blk_op {
    XN_BLK_READ,
    XN_BLK_WRITE,
    XN_BLK_FLUSH,   /* every write completed before it is durable */
    XN_BLK_DISCARD, /* sector/len: contents may be dropped */
};

/* Request flags (struct xn_blkreq.flags). */
#define XN_BLKREQ_SECURE (1u << 0) /* DISCARD: erase for good */

struct xn_blkreq {
    enum xn_blk_op op;
    uint32_t flags;  /* XN_BLKREQ_* */
    uint64_t sector; /* first sector, 512-byte units */
    void *buf;       /* READ/WRITE data */
    size_t len;      /* bytes; multiple of info.align (0 for FLUSH) */
    /* Called once, thread context, from xn_blkdev_poll() (or when the
     * device fails); status is set first. May submit new requests. */
    void (*done)(struct xn_blkreq *req, void *arg);
    void *arg;
    int status; /* 0, -EIO, -EOPNOTSUPP (flush/discard refused) */
    /* Driver-private, untouched by the caller while in flight. */
    unsigned int priv_queue, priv_id;
};

struct xn_blkdev;

/* Filled in by the driver. */
struct xn_blkdev_ops {
    /*
     * Queue req. 0 once queued (done will run exactly once), -EAGAIN when
     * every slot is busy (poll and retry), -EINVAL for a misaligned,
     * oversized or out-of-range request, -EROFS for a WRITE/DISCARD on a
     * read-only disk, -EOPNOTSUPP for DISCARD (or XN_BLKREQ_SECURE) the
     * disk did not announce, -ENOMEM, -ENODEV while not connected, -EIO
     * once broken. A FLUSH on a disk without a cache to flush completes
     * at once with status 0.
     */
    int (*submit)(struct xn_blkdev *dev, struct xn_blkreq *req);
    /* Complete finished requests. Returns how many, or -EIO (broken). */
    int (*poll)(struct xn_blkdev *dev);
    /*
     * Block until the device may have completions, or timeout_ns passed:
     * 0 or -ETIMEDOUT. Spurious returns are allowed.
     */
    int (*wait)(struct xn_blkdev *dev, uint64_t timeout_ns);
    /* Monotonic nanoseconds, the clock wait() counts on. */
    uint64_t (*now)(struct xn_blkdev *dev);
    /* Give up on the device: every pending request completes with -EIO
     * and the device is broken (used after a synchronous timeout). */
    void (*abort)(struct xn_blkdev *dev, const char *why);
};

struct xn_blkdev_callbacks {
    /* EVENT CONTEXT: completions pending; wake the polling thread. */
    void (*kick)(struct xn_blkdev *dev, void *arg);
    void *arg;
};

struct xn_blkdev {
    char name[16]; /* "xvda", "vbd51712" */
    struct xn_blkdev_info info;
    bool ready; /* connected: info is valid and requests are accepted */
    const struct xn_blkdev_ops *ops;
    struct xn_blkdev_callbacks cb;
};

static inline int xn_blkdev_submit(struct xn_blkdev *dev, struct xn_blkreq *req)
{
    return dev->ops->submit(dev, req);
}

static inline int xn_blkdev_poll(struct xn_blkdev *dev)
{
    return dev->ops->poll(dev);
}

/* ---- synchronous helpers ---- */

/* Requests the synchronous helpers keep in flight. */
#define XN_BLKDEV_SYNC_DEPTH 8
/*
 * Silence from the device for this long makes a synchronous call give up.
 * The device is then aborted, because requests living on the caller's
 * stack cannot be left in flight.
 */
#define XN_BLKDEV_SYNC_TIMEOUT_NS (30ULL * 1000 * 1000 * 1000)
/* xn_blkreq.status while a synchronous request is in flight. */
#define XN_BLKREQ_PENDING 1

static inline void xn_blkdev_sync_done_(struct xn_blkreq *req, void *arg)
{
    (void)req; /* the driver set req->status, which is all we look at */
    (void)arg;
}

/*
 * Perform op over [sector, sector + len/512) split into requests of at
 * most info.max_request bytes, up to XN_BLKDEV_SYNC_DEPTH in flight.
 * Returns 0 or the first error (-ETIMEDOUT after aborting a device that
 * completed none of our requests for XN_BLKDEV_SYNC_TIMEOUT_NS: one
 * deadline, moved only by our own completions, never by other events).
 */
static inline int xn_blkdev_sync(struct xn_blkdev *dev, enum xn_blk_op op,
                                 uint64_t sector, void *buf, size_t len,
                                 uint32_t flags)
{
    struct xn_blkreq r[XN_BLKDEV_SYNC_DEPTH];
    bool inuse[XN_BLKDEV_SYNC_DEPTH] = {false};
    size_t off = 0, chunk = dev->info.max_request;
    uint64_t stall = dev->ops->now(dev) + XN_BLKDEV_SYNC_TIMEOUT_NS, now;
    bool issued = false;
    int err = 0;

    if (op != XN_BLK_READ && op != XN_BLK_WRITE)
        chunk = len; /* one FLUSH; one DISCARD covers any range */
    if (chunk == 0 && len != 0)
        return -ENODEV; /* no geometry: not connected */
    for (;;) {
        unsigned int busy = 0;
        bool full = false;

        for (unsigned int i = 0; i < XN_BLKDEV_SYNC_DEPTH; i++) {
            if (!inuse[i])
                continue;
            if (r[i].status == XN_BLKREQ_PENDING) {
                busy++;
                continue;
            }
            inuse[i] = false;
            /* Progress: the device answered one of ours. */
            stall = dev->ops->now(dev) + XN_BLKDEV_SYNC_TIMEOUT_NS;
            if (r[i].status < 0 && !err)
                err = r[i].status;
        }
        if (busy == 0 && (err || (issued && off >= len)))
            return err;
        for (unsigned int i = 0; i < XN_BLKDEV_SYNC_DEPTH; i++) {
            size_t n = len - off < chunk ? len - off : chunk;
            int rc;

            if (err || (issued && off >= len))
                break;
            if (inuse[i])
                continue;
            r[i] = (struct xn_blkreq){
                .op = op,
                .flags = flags,
                .sector = sector + off / XN_BLK_SECTOR,
                .buf = buf ? (char *)buf + off : NULL,
                .len = n,
                .done = xn_blkdev_sync_done_,
                .status = XN_BLKREQ_PENDING,
            };
            rc = xn_blkdev_submit(dev, &r[i]);
            if (rc == -EAGAIN) {
                full = true;
                break;
            }
            if (rc < 0) {
                err = rc;
                break;
            }
            /* It may have completed already (a no-op FLUSH). */
            inuse[i] = true;
            if (r[i].status == XN_BLKREQ_PENDING)
                busy++;
            issued = true;
            off += n;
        }
        if (busy == 0 && !full)
            continue; /* harvest what completed inside submit */
        int rc = xn_blkdev_poll(dev);
        if (rc < 0) {
            /* Broken: the driver completed every pending request. */
            if (!err)
                err = rc;
            continue;
        }
        if (rc > 0)
            continue; /* harvest */
        now = dev->ops->now(dev);
        if (now < stall) {
            (void)dev->ops->wait(dev, stall - now);
            continue;
        }
        dev->ops->abort(dev, "synchronous request timed out");
        if (!err)
            err = -ETIMEDOUT;
    }
}

static inline int xn_blkdev_read(struct xn_blkdev *dev, uint64_t sector,
                                 void *buf, size_t len)
{
    return xn_blkdev_sync(dev, XN_BLK_READ, sector, buf, len, 0);
}

static inline int xn_blkdev_write(struct xn_blkdev *dev, uint64_t sector,
                                  const void *buf, size_t len)
{
    /* WRITE only reads buf (copied at submit). */
    return xn_blkdev_sync(dev, XN_BLK_WRITE, sector, (void *)buf, len, 0);
}

static inline int xn_blkdev_flush(struct xn_blkdev *dev)
{
    return xn_blkdev_sync(dev, XN_BLK_FLUSH, 0, NULL, 0, 0);
}

static inline int xn_blkdev_discard(struct xn_blkdev *dev, uint64_t sector,
                                    size_t len, uint32_t flags)
{
    return xn_blkdev_sync(dev, XN_BLK_DISCARD, sector, NULL, len, flags);
}

#ifdef __cplusplus
}
#endif

#endif /* INCLUDE_XENITH_BLKDEV_H */
