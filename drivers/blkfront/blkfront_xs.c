// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkfront_xs.c - blkfront's xenbus handshake: transport
 * negotiation, publishing rings and event channels, reading the disk's
 * geometry and features, and the frontend state machine.
 *
 * Design choice: two reading phases that follow what blkback publishes
 * when. At InitWait the backend has written its transport limits
 * (max-ring-page-order, multi-queue-max-queues), which size our rings;
 * only at Connected are the disk properties and most features there
 * (sectors, sector-size, physical-sector-size, info, feature-flush-cache,
 * feature-barrier, feature-discard, feature-persistent,
 * feature-max-indirect-segments), and they size requests. Each phase
 * reads inside one transaction so it sees one consistent snapshot, and
 * our own keys are written in one transaction, re-run on EAGAIN, after
 * removing whatever a previous connection left. Values are parsed
 * strictly: a missing or absurd `sectors`, `sector-size` or `info` makes
 * the disk unusable (-EIO, broken), since guessing them could corrupt
 * data; an absurd optional value reads as absent or is clamped, always
 * with a log line naming the key. The lifecycle itself (state steps,
 * connect loop, close, reprobe, suspend) is xen/xenbus_front.c's, shared
 * with every device class; this file holds blkif's keys and hooks.
 * Reference: xen/include/public/io/blkif.h (keys, state diagrams),
 * io/protocols.h, io/xenbus.h.
 */
#include <errno.h>
#include <stdio.h>

#include <xen/io/protocols.h>

#include "drivers/blkfront/blkfront.h"

/* Larger than any disk: sectors * 512 must fit 64 bits. */
#define SECTORS_MAX (UINT64_MAX / XN_BLK_SECTOR)

static bool is_pow2(unsigned long v)
{
    return v && !(v & (v - 1));
}

static int back_uint(struct blkfront *bf, xs_tx_t tx, const char *key,
                     unsigned long *out)
{
    return xenbus_front_back_uint(&bf->fe, tx, key, out);
}

static int back_flag(struct blkfront *bf, xs_tx_t tx, const char *key)
{
    return xenbus_front_back_flag(&bf->fe, tx, key);
}

int blkfront_xs_probe(struct blkfront *bf, struct xs_conn *xs,
                      unsigned int devid)
{
    snprintf(bf->dev.name, sizeof(bf->dev.name), "vbd%u", devid);
    return xenbus_front_probe(&bf->fe, xs, devid);
}

/* ---- phase 1: transport ---- */

struct transport {
    unsigned int order, queues;
};

static int transport_body(struct xs_conn *c, xs_tx_t tx, void *arg)
{
    struct blkfront *bf = ((void **)arg)[0];
    struct transport *t = ((void **)arg)[1];
    unsigned long v;
    int rc;

    (void)c;
    t->order = 0;
    t->queues = 1;
    rc = back_uint(bf, tx, "max-ring-page-order", &v);
    if (rc == 0) {
        /* The older scheme (io/blkif.h note 2): a page count. */
        rc = back_uint(bf, tx, "max-ring-pages", &v);
        if (rc == 1 && is_pow2(v) && v <= (1ul << 20))
            t->order = (unsigned int)__builtin_ctzl(v);
        else if (rc == 1)
            blkfront_log(bf, "blkfront: %s: ignoring max-ring-pages %lu",
                         bf->fe.xb.backend, v);
    } else if (rc == 1) {
        if (v <= 20)
            t->order = (unsigned int)v;
        else
            blkfront_log(bf, "blkfront: %s: ignoring max-ring-page-order %lu",
                         bf->fe.xb.backend, v);
    }
    if (rc < 0 && rc != -EINVAL)
        return rc;
    if (t->order > bf->cfg.max_ring_order)
        t->order = bf->cfg.max_ring_order;

    rc = back_uint(bf, tx, "multi-queue-max-queues", &v);
    if (rc < 0 && rc != -EINVAL)
        return rc;
    if (rc == 1 && v == 0)
        blkfront_log(bf, "blkfront: %s: ignoring multi-queue-max-queues 0",
                     bf->fe.xb.backend);
    else if (rc == 1)
        t->queues =
            v < bf->cfg.max_queues ? (unsigned int)v : bf->cfg.max_queues;
    return 0;
}

int blkfront_xs_read_transport(struct blkfront *bf)
{
    struct transport t;
    void *arg[2] = {bf, &t};
    int rc = xs_transaction_run(bf->fe.xs, transport_body, arg);

    if (rc < 0)
        return rc;
    bf->ring_order = t.order;
    bf->nr_queues = t.queues;
    return 0;
}

/* ---- phase 2: the disk ---- */

struct disk {
    uint64_t sectors;
    uint32_t ssize, pssize, info, dgran, dalign;
    bool flush, barrier, discard, dsecure, persistent;
    unsigned int indirect;
};

/* Disk size and sector sizes; -EIO when they cannot be trusted. */
static int read_geometry(struct blkfront *bf, xs_tx_t tx, struct disk *d)
{
    unsigned long v;
    int rc;

    rc = back_uint(bf, tx, "sectors", &v);
    if (rc <= 0 || v > SECTORS_MAX) {
        if (rc == -EINVAL || rc >= 0)
            blkfront_log(bf, "blkfront: %s: sectors %s", bf->fe.xb.backend,
                         rc == 0 ? "missing" : "invalid");
        return rc < 0 && rc != -EINVAL ? rc : -EIO;
    }
    d->sectors = v;

    rc = back_uint(bf, tx, "sector-size", &v);
    if (rc < 0 && rc != -EINVAL)
        return rc;
    if (rc == 0) {
        blkfront_log(bf, "blkfront: %s: no sector-size, assuming 512",
                     bf->fe.xb.backend);
        v = XN_BLK_SECTOR;
    } else if (rc < 0 || !is_pow2(v) || v < XN_BLK_SECTOR ||
               v > BLKFRONT_MAX_SECTOR_SIZE) {
        blkfront_log(bf, "blkfront: %s: invalid sector-size",
                     bf->fe.xb.backend);
        return -EIO;
    }
    d->ssize = (uint32_t)v;

    /* A hint about the medium: bad values fall back to sector-size. */
    rc = back_uint(bf, tx, "physical-sector-size", &v);
    if (rc < 0 && rc != -EINVAL)
        return rc;
    d->pssize = d->ssize;
    if (rc == 1 && is_pow2(v) && v >= d->ssize && v <= BLKFRONT_MAX_SECTOR_SIZE)
        d->pssize = (uint32_t)v;
    else if (rc != 0)
        blkfront_log(bf, "blkfront: %s: ignoring physical-sector-size",
                     bf->fe.xb.backend);
    if ((d->sectors * XN_BLK_SECTOR) % d->pssize)
        blkfront_log(bf,
                     "blkfront: %s: sectors not a multiple of the "
                     "physical sector: tail unusable",
                     bf->fe.xb.backend);

    /* info carries VDISK_READONLY: guessing it could write a RO disk. */
    rc = back_uint(bf, tx, "info", &v);
    if (rc < 0 && rc != -EINVAL)
        return rc;
    if (rc == -EINVAL || (rc == 1 && v > UINT32_MAX)) {
        blkfront_log(bf, "blkfront: %s: invalid info", bf->fe.xb.backend);
        return -EIO;
    }
    d->info = rc == 1 ? (uint32_t)v : 0;
    return 0;
}

/* discard-granularity and discard-alignment (io/blkif.h note 4). */
static void read_discard(struct blkfront *bf, xs_tx_t tx, struct disk *d)
{
    unsigned long v;
    int rc;

    d->dgran = d->ssize;
    d->dalign = 0;
    rc = back_uint(bf, tx, "discard-granularity", &v);
    if (rc == 1 && v >= XN_BLK_SECTOR && v % XN_BLK_SECTOR == 0 &&
        v <= (1ul << 30))
        d->dgran = (uint32_t)v;
    else if (rc != 0)
        blkfront_log(bf, "blkfront: %s: ignoring discard-granularity",
                     bf->fe.xb.backend);
    rc = back_uint(bf, tx, "discard-alignment", &v);
    if (rc == 1 && v < d->dgran && v % XN_BLK_SECTOR == 0)
        d->dalign = (uint32_t)v;
    else if (rc != 0)
        blkfront_log(bf, "blkfront: %s: ignoring discard-alignment",
                     bf->fe.xb.backend);
    d->dsecure = back_flag(bf, tx, "discard-secure") == 1;
}

static int disk_body(struct xs_conn *c, xs_tx_t tx, void *arg)
{
    struct blkfront *bf = ((void **)arg)[0];
    struct disk *d = ((void **)arg)[1];
    unsigned long v;
    int rc;

    (void)c;
    memset(d, 0, sizeof(*d));
    rc = read_geometry(bf, tx, d);
    if (rc < 0)
        return rc;
    rc = back_flag(bf, tx, "feature-flush-cache");
    if (rc < 0)
        return rc;
    d->flush = rc;
    rc = back_flag(bf, tx, "feature-barrier");
    if (rc < 0)
        return rc;
    d->barrier = rc;
    rc = back_flag(bf, tx, "feature-discard");
    if (rc < 0)
        return rc;
    d->discard = rc;
    if (d->discard)
        read_discard(bf, tx, d);
    rc = back_flag(bf, tx, "feature-persistent");
    if (rc < 0)
        return rc;
    d->persistent = rc && !bf->cfg.no_persistent;

    rc = back_uint(bf, tx, "feature-max-indirect-segments", &v);
    if (rc < 0 && rc != -EINVAL)
        return rc;
    if (rc == 1 && v > BLKIF_MAX_SEGMENTS_PER_REQUEST && !bf->cfg.no_indirect)
        d->indirect = v < bf->cfg.max_segs ? (unsigned int)v : bf->cfg.max_segs;
    else if (rc == 1 && v <= BLKIF_MAX_SEGMENTS_PER_REQUEST && v != 0)
        blkfront_log(bf,
                     "blkfront: %s: feature-max-indirect-segments %lu "
                     "below 11, not using it",
                     bf->fe.xb.backend, v);
    return 0;
}

int blkfront_xs_read_disk(struct blkfront *bf)
{
    struct disk d;
    void *arg[2] = {bf, &d};
    int rc = xs_transaction_run(bf->fe.xs, disk_body, arg);

    if (rc < 0)
        return rc;
    bf->sectors = d.sectors;
    bf->sector_size = d.ssize;
    bf->phys_sector_size = d.pssize;
    bf->vdisk_info = d.info;
    bf->feat_flush = d.flush;
    bf->feat_barrier = d.barrier;
    bf->feat_discard = d.discard;
    bf->feat_discard_secure = d.discard && d.dsecure;
    bf->discard_granularity = d.discard ? d.dgran : 0;
    bf->discard_alignment = d.discard ? d.dalign : 0;
    bf->feat_persistent = d.persistent;
    bf->max_indirect_segs = d.indirect;
    bf->max_segs = d.indirect ? d.indirect : BLKIF_MAX_SEGMENTS_PER_REQUEST;
    /* One request must carry at least one physical sector, or every I/O
     * would fail later: refuse the disk now, naming the keys. */
    if ((uint64_t)bf->max_segs * BLKFRONT_PAGE_SIZE < bf->phys_sector_size) {
        blkfront_log(bf,
                     "blkfront: %s: physical-sector-size %u does not fit "
                     "one request of %u segments (feature-max-indirect-"
                     "segments %u): disk refused",
                     bf->fe.xb.backend, bf->phys_sector_size, bf->max_segs,
                     bf->max_indirect_segs);
        return -EIO;
    }
    return 0;
}

/* ---- publishing our keys ---- */

static int write_queue_keys(struct blkfront *bf, xs_tx_t tx,
                            const struct blkfront_queue *q, const char *dir)
{
    unsigned int npages = 1u << bf->ring_order;
    char key[24];
    int rc = 0;

    /* One page: ring-ref; more: ring-ref0..N-1 only (note 6). */
    if (bf->ring_order == 0) {
        rc = xenbus_write_uint(bf->fe.xs, tx, dir, "ring-ref", q->ring_ref[0]);
    } else {
        for (unsigned int i = 0; i < npages && !rc; i++) {
            snprintf(key, sizeof(key), "ring-ref%u", i);
            rc = xenbus_write_uint(bf->fe.xs, tx, dir, key, q->ring_ref[i]);
        }
    }
    if (!rc)
        rc = xenbus_write_uint(bf->fe.xs, tx, dir, "event-channel", q->evtchn);
    return rc;
}

static int publish_body(struct xs_conn *c, xs_tx_t tx, void *arg)
{
    /* protocol and feature-persistent are always rewritten. */
    static const char *const stale[] = {
        "ring-ref",       "event-channel",          "ring-page-order",
        "num-ring-pages", "multi-queue-num-queues",
    };
    struct blkfront *bf = arg;
    const char *dir = bf->fe.xb.nodename;
    char sub[XENBUS_PATH_MAX + 24];
    int rc = 0;

    /* A previous connection may have used another layout. */
    for (unsigned int i = 0; i < sizeof(stale) / sizeof(stale[0]) && !rc; i++)
        rc = xenbus_rm_opt(c, tx, dir, stale[i]);
    for (unsigned int i = 0; i < BLKFRONT_MAX_RING_PAGES && !rc; i++) {
        snprintf(sub, sizeof(sub), "ring-ref%u", i);
        rc = xenbus_rm_opt(c, tx, dir, sub);
    }
    for (unsigned int i = 0; i < BLKFRONT_MAX_QUEUES && !rc; i++) {
        snprintf(sub, sizeof(sub), "queue-%u", i);
        rc = xenbus_rm_opt(c, tx, dir, sub);
    }
    if (rc)
        return rc;

    if (bf->ring_order > 0) {
        /* Both schemes, for either kind of backend (note 3). */
        rc = xenbus_write_uint(c, tx, dir, "ring-page-order", bf->ring_order);
        if (!rc)
            rc = xenbus_write_uint(c, tx, dir, "num-ring-pages",
                                   1ul << bf->ring_order);
    }
    if (!rc && bf->nr_queues == 1) {
        rc = write_queue_keys(bf, tx, &bf->q[0], dir);
    } else if (!rc) {
        rc = xenbus_write_uint(c, tx, dir, "multi-queue-num-queues",
                               bf->nr_queues);
        for (unsigned int i = 0; i < bf->nr_queues && !rc; i++) {
            snprintf(sub, sizeof(sub), "%s/queue-%u", dir, i);
            rc = write_queue_keys(bf, tx, &bf->q[i], sub);
        }
    }
    if (!rc) {
        char path[XENBUS_PATH_MAX + 16];

        rc = xenbus_path(path, sizeof(path), dir, "protocol");
        if (!rc)
            rc = xs_write(c, tx, path, XEN_IO_PROTO_ABI_NATIVE);
    }
    if (!rc)
        rc = xenbus_write_uint(c, tx, dir, "feature-persistent",
                               bf->cfg.no_persistent ? 0 : 1);
    return rc;
}

int blkfront_xs_publish(struct blkfront *bf)
{
    return xenbus_front_publish(&bf->fe, publish_body, bf);
}

/* ---- the class hooks ---- */

/* CONNECT (backend InitWait): transport, rings, keys; the lifecycle
 * announces Initialised. */
static int bf_connect(struct xenbus_front *f)
{
    struct blkfront *bf = blkfront_of(f);
    int rc = blkfront_xs_read_transport(bf);

    if (!rc)
        rc = blkfront_rings_setup(bf, f->xb.backend_id);
    if (!rc)
        rc = blkfront_xs_publish(bf);
    return rc;
}

/* Backend Connected: only now are the disk's properties there. */
static int bf_backend_connected(struct xenbus_front *f)
{
    return blkfront_xs_read_disk(blkfront_of(f));
}

static void bf_set_active(struct xenbus_front *f, bool on)
{
    struct blkfront *bf = blkfront_of(f);

    blkfront_set_ready(bf, on);
    if (on) {
        blkfront_replay(bf); /* what was in flight at a save */
        return;
    }
    /* The backend is going away (or broke): whatever is in flight will
     * not be answered. Ids and pages stay until it has let go. */
    blkfront_fail_pending(bf, -EIO);
}

/* Suspend: stop taking requests, keep those in flight (they complete
 * after a cancelled suspend, or are replayed after a restore). */
static void bf_suspend(struct xenbus_front *f)
{
    blkfront_set_ready(blkfront_of(f), false);
}

/* Restored: the old ring is gone; park what it carried, then release. */
static void bf_resume(struct xenbus_front *f)
{
    struct blkfront *bf = blkfront_of(f);

    blkfront_park_inflight(bf);
    if (bf->nr_parked)
        blkfront_log(bf,
                     "blkfront: %s: %u requests in flight at the save, "
                     "replayed once reconnected",
                     f->xb.nodename, bf->nr_parked);
    blkfront_rings_teardown(bf);
}

static void bf_release(struct xenbus_front *f)
{
    blkfront_rings_teardown(blkfront_of(f));
}

/* Reprobe: a fresh driver with the same environment, config, callbacks. */
static int bf_reset(struct xenbus_front *f)
{
    struct blkfront *bf = blkfront_of(f);
    const struct xenbus_front_env env = bf->env;
    const struct blkfront_config cfg = bf->cfg;
    const struct xn_blkdev_callbacks cb = bf->dev.cb;
    int rc = blkfront_init(bf, &env, &cfg); /* the probe that follows sets xs */

    bf->dev.cb = cb;
    return rc;
}

const struct xenbus_front_class blkfront_class = {
    .type = "vbd",
    .driver = "blkfront",
    .publish_state = XenbusStateInitialised,
    .connect = bf_connect,
    .backend_connected = bf_backend_connected,
    .set_active = bf_set_active,
    .release = bf_release,
    .reset = bf_reset,
    .suspend = bf_suspend,
    .resume = bf_resume,
};
