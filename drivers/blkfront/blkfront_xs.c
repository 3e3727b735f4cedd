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
 * with a log line naming the key. The decisions are xenbus_front_action()'s
 * shared state table; this file implements its actions, one per
 * blkfront_xs_step(), so a test can walk a whole detach/re-attach cycle.
 * Reference: xen/include/public/io/blkif.h (keys, state diagrams),
 * io/protocols.h, io/xenbus.h.
 */
#include <errno.h>
#include <stdio.h>

#include <xen/io/protocols.h>

#include "drivers/blkfront/blkfront.h"

#define CONNECT_MAX_STEPS 32
/* Larger than any disk: sectors * 512 must fit 64 bits. */
#define SECTORS_MAX (UINT64_MAX / XN_BLK_SECTOR)

static bool is_pow2(unsigned long v)
{
    return v && !(v & (v - 1));
}

/*
 * Read <backend>/<key> as an unsigned number inside tx. 1 when present
 * and valid, 0 when missing, -EINVAL when malformed (logged), other
 * -errno on transport errors.
 */
static int back_uint(struct blkfront *bf, xs_tx_t tx, const char *key,
                     unsigned long *out)
{
    char path[XENBUS_PATH_MAX + 48];
    int rc = xenbus_path(path, sizeof(path), bf->xb.backend, key);

    if (rc < 0)
        return rc;
    rc = xs_read_uint(bf->xs, tx, path, out);
    if (rc == -ENOENT)
        return 0;
    if (rc == -EINVAL || rc == -ERANGE) {
        blkfront_log(bf, "blkfront: malformed %s", path);
        return -EINVAL;
    }
    return rc < 0 ? rc : 1;
}

/* An optional flag: 1/0; garbage reads as 0 (logged by back_uint). */
static int back_flag(struct blkfront *bf, xs_tx_t tx, const char *key)
{
    unsigned long v = 0;
    int rc = back_uint(bf, tx, key, &v);

    if (rc == -EINVAL)
        return 0;
    if (rc < 0)
        return rc;
    return rc == 1 && v != 0;
}

int blkfront_xs_probe(struct blkfront *bf, struct xs_conn *xs,
                      unsigned int devid)
{
    int rc;

    bf->xs = xs;
    rc = xenbus_dev_init(xs, &bf->xb, "vbd", devid);
    if (rc < 0)
        return rc;
    snprintf(bf->dev.name, sizeof(bf->dev.name), "vbd%u", devid);
    rc = xenbus_read_state(xs, XS_TX_NONE, bf->xb.nodename, &bf->state);
    return rc < 0 ? rc : 0;
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
                         bf->xb.backend, v);
    } else if (rc == 1) {
        if (v <= 20)
            t->order = (unsigned int)v;
        else
            blkfront_log(bf, "blkfront: %s: ignoring max-ring-page-order %lu",
                         bf->xb.backend, v);
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
                     bf->xb.backend);
    else if (rc == 1)
        t->queues =
            v < bf->cfg.max_queues ? (unsigned int)v : bf->cfg.max_queues;
    return 0;
}

int blkfront_xs_read_transport(struct blkfront *bf)
{
    struct transport t;
    void *arg[2] = {bf, &t};
    int rc = xs_transaction_run(bf->xs, transport_body, arg);

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
            blkfront_log(bf, "blkfront: %s: sectors %s", bf->xb.backend,
                         rc == 0 ? "missing" : "invalid");
        return rc < 0 && rc != -EINVAL ? rc : -EIO;
    }
    d->sectors = v;

    rc = back_uint(bf, tx, "sector-size", &v);
    if (rc < 0 && rc != -EINVAL)
        return rc;
    if (rc == 0) {
        blkfront_log(bf, "blkfront: %s: no sector-size, assuming 512",
                     bf->xb.backend);
        v = XN_BLK_SECTOR;
    } else if (rc < 0 || !is_pow2(v) || v < XN_BLK_SECTOR ||
               v > BLKFRONT_MAX_SECTOR_SIZE) {
        blkfront_log(bf, "blkfront: %s: invalid sector-size", bf->xb.backend);
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
                     bf->xb.backend);
    if ((d->sectors * XN_BLK_SECTOR) % d->pssize)
        blkfront_log(bf,
                     "blkfront: %s: sectors not a multiple of the "
                     "physical sector: tail unusable",
                     bf->xb.backend);

    /* info carries VDISK_READONLY: guessing it could write a RO disk. */
    rc = back_uint(bf, tx, "info", &v);
    if (rc < 0 && rc != -EINVAL)
        return rc;
    if (rc == -EINVAL || (rc == 1 && v > UINT32_MAX)) {
        blkfront_log(bf, "blkfront: %s: invalid info", bf->xb.backend);
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
                     bf->xb.backend);
    rc = back_uint(bf, tx, "discard-alignment", &v);
    if (rc == 1 && v < d->dgran && v % XN_BLK_SECTOR == 0)
        d->dalign = (uint32_t)v;
    else if (rc != 0)
        blkfront_log(bf, "blkfront: %s: ignoring discard-alignment",
                     bf->xb.backend);
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
                     bf->xb.backend, v);
    return 0;
}

int blkfront_xs_read_disk(struct blkfront *bf)
{
    struct disk d;
    void *arg[2] = {bf, &d};
    int rc = xs_transaction_run(bf->xs, disk_body, arg);

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
    return 0;
}

/* ---- publishing our keys ---- */

static int write_uint(struct xs_conn *c, xs_tx_t tx, const char *dir,
                      const char *key, unsigned long v)
{
    char path[XENBUS_PATH_MAX + 48];
    char val[24];
    int rc = xenbus_path(path, sizeof(path), dir, key);

    if (rc < 0)
        return rc;
    snprintf(val, sizeof(val), "%lu", v);
    return xs_write(c, tx, path, val);
}

static int rm_opt(struct xs_conn *c, xs_tx_t tx, const char *dir,
                  const char *key)
{
    char path[XENBUS_PATH_MAX + 48];
    int rc = xenbus_path(path, sizeof(path), dir, key);

    if (rc < 0)
        return rc;
    rc = xs_rm(c, tx, path);
    return rc == -ENOENT ? 0 : rc;
}

static int write_queue_keys(struct blkfront *bf, xs_tx_t tx,
                            const struct blkfront_queue *q, const char *dir)
{
    unsigned int npages = 1u << bf->ring_order;
    char key[24];
    int rc = 0;

    /* One page: ring-ref; more: ring-ref0..N-1 only (note 6). */
    if (bf->ring_order == 0) {
        rc = write_uint(bf->xs, tx, dir, "ring-ref", q->ring_ref[0]);
    } else {
        for (unsigned int i = 0; i < npages && !rc; i++) {
            snprintf(key, sizeof(key), "ring-ref%u", i);
            rc = write_uint(bf->xs, tx, dir, key, q->ring_ref[i]);
        }
    }
    if (!rc)
        rc = write_uint(bf->xs, tx, dir, "event-channel", q->evtchn);
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
    const char *dir = bf->xb.nodename;
    char sub[XENBUS_PATH_MAX + 24];
    int rc = 0;

    /* A previous connection may have used another layout. */
    for (unsigned int i = 0; i < sizeof(stale) / sizeof(stale[0]) && !rc; i++)
        rc = rm_opt(c, tx, dir, stale[i]);
    for (unsigned int i = 0; i < BLKFRONT_MAX_RING_PAGES && !rc; i++) {
        snprintf(sub, sizeof(sub), "ring-ref%u", i);
        rc = rm_opt(c, tx, dir, sub);
    }
    for (unsigned int i = 0; i < BLKFRONT_MAX_QUEUES && !rc; i++) {
        snprintf(sub, sizeof(sub), "queue-%u", i);
        rc = rm_opt(c, tx, dir, sub);
    }
    if (rc)
        return rc;

    if (bf->ring_order > 0) {
        /* Both schemes, for either kind of backend (note 3). */
        rc = write_uint(c, tx, dir, "ring-page-order", bf->ring_order);
        if (!rc)
            rc =
                write_uint(c, tx, dir, "num-ring-pages", 1ul << bf->ring_order);
    }
    if (!rc && bf->nr_queues == 1) {
        rc = write_queue_keys(bf, tx, &bf->q[0], dir);
    } else if (!rc) {
        rc = write_uint(c, tx, dir, "multi-queue-num-queues", bf->nr_queues);
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
        rc = write_uint(c, tx, dir, "feature-persistent",
                        bf->cfg.no_persistent ? 0 : 1);
    return rc;
}

int blkfront_xs_publish(struct blkfront *bf)
{
    int rc = xs_transaction_run(bf->xs, publish_body, bf);

    if (rc < 0)
        blkfront_log(bf, "blkfront: publishing keys in %s failed (%d)",
                     bf->xb.nodename, rc);
    return rc;
}

/* ---- the state machine ---- */

static int set_state(struct blkfront *bf, XenbusState s)
{
    int rc = xenbus_switch_state(bf->xs, &bf->xb, s);

    if (rc < 0) {
        blkfront_log(bf, "blkfront: writing %s/state = %u failed (%d)",
                     bf->xb.nodename, (unsigned int)s, rc);
        return rc;
    }
    bf->state = s;
    return 0;
}

static int do_connect(struct blkfront *bf)
{
    int rc;

    if (bf->rings_ready)
        blkfront_rings_teardown(bf); /* leftovers of an aborted attempt */
    rc = blkfront_xs_read_transport(bf);
    if (!rc)
        rc = blkfront_rings_setup(bf, bf->xb.backend_id);
    if (!rc)
        rc = blkfront_xs_publish(bf);
    if (!rc)
        rc = set_state(bf, XenbusStateInitialised);
    if (rc)
        blkfront_rings_teardown(bf);
    return rc;
}

static int go_connected(struct blkfront *bf)
{
    int rc;

    if (!bf->rings_ready)
        return -EIO; /* Initialised without rings cannot happen */
    rc = blkfront_xs_read_disk(bf);
    if (rc == -EIO)
        return blkfront_fail(bf, "blkfront: %s: unusable disk properties",
                             bf->xb.backend);
    if (rc < 0)
        return rc;
    rc = set_state(bf, XenbusStateConnected);
    if (rc < 0)
        return rc;
    blkfront_set_ready(bf, true);
    return 0;
}

int blkfront_xs_step(struct blkfront *bf, enum xenbus_action *act)
{
    enum xenbus_action a;
    XenbusState back;
    int rc;

    if (act)
        *act = XENBUS_ACT_NONE;
    rc = xenbus_read_state(bf->xs, XS_TX_NONE, bf->xb.backend, &back);
    if (rc == -EIO)
        return blkfront_fail(bf, "blkfront: invalid %s/state", bf->xb.backend);
    if (rc < 0)
        return rc;
    bf->back_state = back;
    /* Closed, rings kept for the backend (GO_CLOSED below): it has let
     * go once it is Closed, gone, or starting over. */
    if (bf->state == XenbusStateClosed && bf->rings_ready &&
        back != XenbusStateClosing && back != XenbusStateConnected)
        blkfront_rings_teardown(bf);
    a = xenbus_front_action(bf->state, back);
    /* A broken device only ever closes, never reconnects. */
    if (bf->broken && a != XENBUS_ACT_BROKEN) {
        bool closing =
            bf->state == XenbusStateClosing || bf->state == XenbusStateClosed;

        if (!closing && a != XENBUS_ACT_GO_CLOSED)
            a = XENBUS_ACT_CLOSE;
        else if (closing && a != XENBUS_ACT_GO_CLOSED)
            a = XENBUS_ACT_NONE;
    }
    if (act)
        *act = a;
    switch (a) {
    case XENBUS_ACT_NONE:
        return 0;
    case XENBUS_ACT_CONNECT:
        return do_connect(bf);
    case XENBUS_ACT_GO_CONNECTED:
        return go_connected(bf);
    case XENBUS_ACT_CLOSE:
        /* The backend is going away: whatever is in flight will not be
         * answered. The rings stay until it has let go (Closed). */
        blkfront_set_ready(bf, false);
        blkfront_fail_pending(bf, -EIO);
        return set_state(bf, XenbusStateClosing);
    case XENBUS_ACT_GO_CLOSED:
        /*
         * Linux blkback unmaps the rings and the persistent grants only
         * when it sees us Closed (frontend_changed: xen_blkif_disconnect,
         * then its own Closed). Freeing them first would leak every page
         * it still maps, so say Closed and free them once the backend is
         * Closed or gone (the check at the top of this function).
         */
        rc = set_state(bf, XenbusStateClosed);
        if (back == XenbusStateClosed || back == XenbusStateUnknown)
            blkfront_rings_teardown(bf);
        return rc;
    case XENBUS_ACT_RESET:
        blkfront_rings_teardown(bf);
        return set_state(bf, XenbusStateInitialising);
    case XENBUS_ACT_BROKEN:
    default:
        return blkfront_fail(bf,
                             "blkfront: %s: impossible states front %s "
                             "back %s",
                             bf->xb.nodename, xenbus_state_name(bf->state),
                             xenbus_state_name(back));
    }
}

int blkfront_xs_connect(struct blkfront *bf)
{
    const unsigned int all = (1u << (XenbusStateReconfigured + 1)) - 1;
    int rc;

    if (bf->broken)
        return -EIO;
    if (bf->state != XenbusStateInitialising) {
        blkfront_rings_teardown(bf);
        rc = set_state(bf, XenbusStateInitialising);
        if (rc < 0)
            return rc;
    }
    for (unsigned int step = 0; step < CONNECT_MAX_STEPS; step++) {
        enum xenbus_action a;

        rc = blkfront_xs_step(bf, &a);
        if (rc < 0)
            return rc;
        if (bf->state == XenbusStateConnected)
            return 0;
        if (a != XENBUS_ACT_NONE)
            continue;
        rc = xenbus_wait_backend_state(bf->xs, &bf->xb,
                                       all & ~XENBUS_MASK(bf->back_state),
                                       bf->cfg.timeout_ns, NULL);
        if (rc == -ETIMEDOUT) {
            blkfront_log(bf,
                         "blkfront: timeout connecting %s: %s/state "
                         "stayed %s",
                         bf->xb.nodename, bf->xb.backend,
                         xenbus_state_name(bf->back_state));
            return rc;
        }
        if (rc == -EIO)
            return blkfront_fail(bf, "blkfront: invalid %s/state",
                                 bf->xb.backend);
        if (rc < 0)
            return rc;
    }
    blkfront_log(bf, "blkfront: %s/state keeps changing, giving up",
                 bf->xb.backend);
    return -ETIMEDOUT;
}

int blkfront_xs_disconnect(struct blkfront *bf)
{
    int rc;

    blkfront_set_ready(bf, false);
    blkfront_fail_pending(bf, -EIO);
    rc = xenbus_close(bf->xs, &bf->xb, bf->cfg.timeout_ns);
    if (rc < 0)
        blkfront_log(bf, "blkfront: closing %s: %s did not follow (%d)",
                     bf->xb.nodename, bf->xb.backend, rc);
    blkfront_rings_teardown(bf);
    if (xenbus_read_state(bf->xs, XS_TX_NONE, bf->xb.nodename, &bf->state) < 0)
        bf->state = XenbusStateClosed;
    return rc;
}
