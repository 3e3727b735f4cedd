// SPDX-License-Identifier: MIT
/*
 * test/unit/blkfront/test_blkfront.c - host tests of blkfront's request
 * path and response handling against the fake blkback.
 *
 * The fixture connects rings by hand (no xenstore) with the transport and
 * disk properties each test wants, and the fake backend serves requests
 * through the grant entries into an in-memory disk. Checked: data round
 * trips through direct and indirect requests, segment layout (first/last
 * sector per page, 512-byte units on 4 KiB disks), alignment and range
 * checks, read-only disks, the persistent-grant pool against per-request
 * grants, several requests in flight over several queues, flush/barrier/
 * discard and their EOPNOTSUPP fallback, every malicious response (unknown
 * or duplicate id, producer overflow, wrong operation, bad status, a
 * grant kept mapped), and teardown with requests in flight.
 * Reference: io/blkif.h, io/ring.h.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_blkback.h"
#include "xen/gnttab.h"

#define DISK_BYTES (4u << 20)

struct fx {
    struct fake_blkback fb;
    struct blkfront bf;
    unsigned int gnt_free0;
    unsigned int kicks;
};

static void cb_kick(struct xn_blkdev *dev, void *arg)
{
    (void)dev;
    ((struct fx *)arg)->kicks++;
}

/* Disk and transport a test asks for; zero fields take defaults. */
struct shape {
    unsigned int order, queues, indirect;
    uint32_t ssize, pssize, info;
    bool persistent, flush, barrier, discard, secure;
};

static void connect_shape(struct fx *f, const struct shape *s)
{
    struct blkfront *bf = &f->bf;

    bf->ring_order = s->order;
    bf->nr_queues = s->queues ? s->queues : 1;
    assert_int_equal(blkfront_rings_setup(bf, FBB_DOMID), 0);
    for (unsigned int i = 0; i < bf->nr_queues; i++)
        assert_int_equal(
            fbb_attach(&f->fb, i, bf->q[i].ring_ref, 1u << s->order), 0);
    bf->sector_size = s->ssize ? s->ssize : 512;
    bf->phys_sector_size = s->pssize ? s->pssize : bf->sector_size;
    bf->sectors = DISK_BYTES / XN_BLK_SECTOR;
    bf->vdisk_info = s->info;
    bf->feat_persistent = s->persistent;
    bf->feat_flush = s->flush;
    bf->feat_barrier = s->barrier;
    bf->feat_discard = s->discard;
    bf->feat_discard_secure = s->secure;
    bf->discard_granularity = bf->sector_size;
    bf->max_indirect_segs = s->indirect;
    bf->max_segs = s->indirect ? s->indirect : BLKIF_MAX_SEGMENTS_PER_REQUEST;
    blkfront_set_ready(bf, true);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xenbus_front_env ops;

    if (!f)
        return -1;
    fbb_init(&f->fb, DISK_BYTES);
    f->fb.serve_on_wait = true;
    f->gnt_free0 = gnttab_nr_free();
    ops = fbb_ops(&f->fb);
    if (blkfront_init(&f->bf, &ops, NULL))
        return -1;
    snprintf(f->bf.fe.xb.nodename, sizeof(f->bf.fe.xb.nodename),
             "device/vbd/768");
    f->bf.fe.xb.id = 768;
    f->bf.fe.xb.backend_id = FBB_DOMID;
    f->bf.dev.cb.kick = cb_kick;
    f->bf.dev.cb.arg = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    blkfront_rings_teardown(&f->bf);
    xenbus_front_fini(&f->bf.fe);
    fbb_fini(&f->fb);
    free(f);
    return 0;
}

static void pattern(uint8_t *p, size_t n, unsigned int seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + seed + (i >> 9));
}

/* ---- data path ---- */

static void write_then_read_direct(void **state)
{
    struct fx *f = *state;
    static uint8_t out[8192], in[8192];

    connect_shape(f, &(struct shape){0});
    pattern(out, sizeof(out), 1);
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 8, out, sizeof(out)), 0);
    assert_memory_equal(f->fb.disk + 8 * 512, out, sizeof(out));
    assert_int_equal(f->fb.last.data_op, BLKIF_OP_WRITE);
    assert_int_equal(f->fb.last.nr_segments, 2);
    assert_int_equal(f->fb.last.sector, 8);
    assert_int_equal(f->fb.last.first[1], 0);
    assert_int_equal(f->fb.last.last[1], 7);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 8, in, sizeof(in)), 0);
    assert_memory_equal(in, out, sizeof(in));
    assert_int_equal(f->fb.last.data_op, BLKIF_OP_READ);
    assert_int_equal(f->bf.stats.reads, 1);
    assert_int_equal(f->bf.stats.writes, 1);
}

static void partial_page_and_unaligned_buffer(void **state)
{
    struct fx *f = *state;
    static uint8_t raw[3 * 512 + 3], in[3 * 512];
    uint8_t *out = raw + 3; /* callers' buffers need no alignment */

    connect_shape(f, &(struct shape){0});
    pattern(out, 3 * 512, 2);
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 1, out, 3 * 512), 0);
    assert_int_equal(f->fb.last.nr_segments, 1);
    assert_int_equal(f->fb.last.first[0], 0);
    assert_int_equal(f->fb.last.last[0], 2);
    assert_memory_equal(f->fb.disk + 512, out, 3 * 512);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 1, in, sizeof(in)), 0);
    assert_memory_equal(in, out, sizeof(in));
}

static void large_requests_go_indirect(void **state)
{
    struct fx *f = *state;
    size_t n = 64 * 4096;
    uint8_t *out = malloc(n), *in = malloc(n);

    connect_shape(f, &(struct shape){.indirect = 64});
    assert_int_equal(f->bf.dev.info.max_request, 64 * 4096);
    pattern(out, n, 3);
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 0, out, n), 0);
    assert_int_equal(f->fb.indirect, 1);
    assert_int_equal(f->fb.last.operation, BLKIF_OP_INDIRECT);
    assert_int_equal(f->fb.last.nr_segments, 64);
    assert_int_equal(f->fb.last.nr_indirect, 1);
    assert_memory_equal(f->fb.disk, out, n);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, in, n), 0);
    assert_memory_equal(in, out, n);
    assert_int_equal(f->fb.indirect, 2);
    free(out);
    free(in);
}

static void without_indirect_sync_splits_at_11_pages(void **state)
{
    struct fx *f = *state;
    size_t n = 64 * 1024;
    uint8_t *out = malloc(n);
    struct xn_blkreq big = {
        .op = XN_BLK_WRITE, .sector = 0, .buf = out, .len = n};

    connect_shape(f, &(struct shape){0});
    assert_int_equal(f->bf.dev.info.max_request, 11 * 4096);
    /* One async request above the limit is refused, not truncated. */
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &big), -EINVAL);
    pattern(out, n, 4);
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 0, out, n), 0);
    assert_int_equal(f->fb.served, 2);
    assert_int_equal(f->fb.max_nsegs, 11);
    assert_int_equal(f->fb.indirect, 0);
    assert_memory_equal(f->fb.disk, out, n);
    free(out);
}

static void sectors_are_512_units_on_4k_disks(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[8192];

    connect_shape(f, &(struct shape){.ssize = 4096});
    assert_int_equal(f->bf.dev.info.align, 4096);
    pattern(buf, sizeof(buf), 5);
    /* Byte 8192 = 512-byte sector 16 = the disk's third 4 KiB sector. */
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 16, buf, sizeof(buf)), 0);
    assert_int_equal(f->fb.last.sector, 16);
    assert_int_equal(f->fb.last.first[0], 0);
    assert_int_equal(f->fb.last.last[0], 7);
    assert_memory_equal(f->fb.disk + 8192, buf, sizeof(buf));
    /* Misaligned start or length never reach the ring. */
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 4, buf, 4096), -EINVAL);
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 8, buf, 512), -EINVAL);
    assert_int_equal(f->fb.served, 1);
}

static void physical_sector_size_sets_alignment(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[4096];

    connect_shape(f, &(struct shape){.ssize = 512, .pssize = 4096});
    assert_int_equal(f->bf.dev.info.sector_size, 512);
    assert_int_equal(f->bf.dev.info.align, 4096);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 1, buf, 4096), -EINVAL);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 8, buf, 4096), 0);
}

static void range_checks_cannot_wrap(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[4096];
    uint64_t last = DISK_BYTES / 512;

    connect_shape(f, &(struct shape){0});
    assert_int_equal(xn_blkdev_read(&f->bf.dev, last - 8, buf, 4096), 0);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, last - 7, buf, 4096), -EINVAL);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, UINT64_MAX - 3, buf, 4096),
                     -EINVAL);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, NULL, 4096), -EINVAL);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 0), -EINVAL);
}

static void read_only_disk_refuses_writes_before_the_ring(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[4096];

    connect_shape(f, &(struct shape){.info = VDISK_READONLY, .discard = 1});
    assert_true(f->bf.dev.info.flags & XN_BLKDEV_F_READONLY);
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 0, buf, 4096), -EROFS);
    assert_int_equal(xn_blkdev_discard(&f->bf.dev, 0, 4096, 0), -EROFS);
    assert_int_equal(f->bf.q[0].ring.req_prod_pvt, 0);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 4096), 0);
    assert_int_equal(f->fb.writes, 0);
}

/* ---- grants ---- */

static void per_request_grants_are_revoked_and_readonly_for_writes(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[4096];
    grant_ref_t ref;

    connect_shape(f, &(struct shape){0});
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 0, buf, 4096), 0);
    ref = f->fb.last.gref[0];
    /* Revoked after completion: the entry no longer permits access. */
    assert_int_equal(f->fb.env.gnt[ref].flags & GTF_permit_access, 0);
    assert_int_equal(gnttab_nr_free(), f->gnt_free0 - 1); /* ring only */
    /* A WRITE's data page was granted read-only: a fake backend asking
     * for write access during the request would have been refused. */
    f->fb.serve_on_wait = false;
    struct xn_blkreq w = {.op = XN_BLK_WRITE, .buf = buf, .len = 4096};
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &w), 0);
    blkif_request_t rq;
    assert_int_equal(fbb_pop(&f->fb, 0, &rq), 1);
    assert_non_null(fbb_page(&f->fb, rq.seg[0].gref, false));
    assert_null(fbb_page(&f->fb, rq.seg[0].gref, true));
    fbb_respond(&f->fb, 0, rq.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    fbb_push(&f->fb, 0);
    assert_int_equal(blkfront_poll(&f->bf), 1);
    assert_int_equal(w.status, 0);
}

static void persistent_pool_reuses_writable_grants(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[8192];
    grant_ref_t first[2];
    unsigned int free_after;

    connect_shape(f, &(struct shape){.persistent = true});
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 0, buf, 8192), 0);
    first[0] = f->fb.last.gref[0];
    first[1] = f->fb.last.gref[1];
    free_after = gnttab_nr_free();
    /* Kept granted, and writable even for WRITE data (blkif note 8). */
    assert_non_null(fbb_page(&f->fb, first[0], true));
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 8192), 0);
    assert_int_equal(gnttab_nr_free(), free_after);
    /* LIFO: the same grants, so a backend's persistent map stays hot. */
    assert_true(
        (f->fb.last.gref[0] == first[0] && f->fb.last.gref[1] == first[1]) ||
        (f->fb.last.gref[0] == first[1] && f->fb.last.gref[1] == first[0]));
    assert_int_equal(f->bf.pool_n, 2);
    blkfront_rings_teardown(&f->bf);
    assert_int_equal(gnttab_nr_free(), f->gnt_free0);
    assert_int_equal(f->fb.env.live_pages, 0);
}

static void done_count(struct xn_blkreq *req, void *arg);

/* More pages out at once than BLKFRONT_POOL_MAX: with persistent grants
 * every one comes back to the pool, none is revoked (a backend may keep
 * any of them mapped) and the next burst reuses the same grants. */
static void persistent_pool_keeps_more_than_pool_max(void **state)
{
    struct fx *f = *state;
    enum { N = 24, LEN = 64 * 4096 };
    uint8_t *buf = calloc(N, LEN);
    struct xn_blkreq r[N];
    unsigned int done = 0, used;

    assert_non_null(buf);
    connect_shape(f, &(struct shape){.persistent = true, .indirect = 64});
    for (unsigned int round = 0; round < 2; round++) {
        for (unsigned int i = 0; i < N; i++) {
            r[i] = (struct xn_blkreq){.op = XN_BLK_WRITE,
                                      .sector = (i % 16) * (LEN / 512),
                                      .buf = buf + (size_t)i * LEN,
                                      .len = LEN,
                                      .done = done_count,
                                      .arg = &done};
            assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[i]), 0);
        }
        while (fbb_serve(&f->fb, 0) > 0)
            ;
        fbb_push(&f->fb, 0);
        assert_int_equal(xn_blkdev_poll(&f->bf.dev), N);
        /* 24 x (64 data + 1 descriptor) pages, all pooled, none freed */
        assert_int_equal(f->bf.pool_n, N * 65);
        if (round == 0)
            used = f->bf.fe.grants_used;
        else /* the second burst took them from the pool: no new grant */
            assert_int_equal(f->bf.fe.grants_used, used);
    }
    assert_true(N * 65 > BLKFRONT_POOL_MAX);
    assert_int_equal(done, 2 * N);
    assert_false(f->bf.leaked);
    free(buf);
}

static void page_allocation_failure_leaves_nothing_behind(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[3 * 4096];
    struct xn_blkreq r = {.op = XN_BLK_WRITE, .buf = buf, .len = sizeof(buf)};
    unsigned int live, gfree;

    connect_shape(f, &(struct shape){0});
    live = f->fb.env.live_pages;
    gfree = gnttab_nr_free();
    f->fb.env.alloc_budget = 2; /* the third page fails */
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r), -ENOMEM);
    assert_int_equal(f->bf.q[0].nr_free, f->bf.ring_size);
    assert_int_equal(f->bf.q[0].ring.req_prod_pvt, 0);
    assert_int_equal(gnttab_nr_free(), gfree);
    assert_int_equal(f->bf.pool_n, 2); /* kept for the next request */
    assert_int_equal(f->fb.env.live_pages, live + 2);
    f->fb.env.alloc_budget = -1;
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 0, buf, sizeof(buf)), 0);
}

/* ---- several in flight ---- */

static void done_count(struct xn_blkreq *req, void *arg);

/* Out of grants (the quota) with requests out: busy, like a full ring,
 * until a completion gives grants back; with nothing out: a failure. */
static void out_of_grants_with_requests_out_is_busy(void **state)
{
    struct fx *f = *state;
    static uint8_t a[8192], b[8192];
    struct xn_blkreq ra = {.op = XN_BLK_WRITE, .buf = a, .len = sizeof(a)};
    struct xn_blkreq rb = {.op = XN_BLK_WRITE, .buf = b, .len = sizeof(b),
                           .sector = 16};
    unsigned int done = 0;
    blkif_request_t rq;

    connect_shape(f, &(struct shape){0});
    ra.done = rb.done = done_count;
    ra.arg = rb.arg = &done;
    f->bf.fe.grant_quota = f->bf.fe.grants_used + 3;
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &ra), 0);
    /* One grant left for two pages: wait, nothing queued, nothing lost. */
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &rb), -EAGAIN);
    assert_int_equal(f->bf.q[0].ring.req_prod_pvt, 1);
    assert_int_equal(f->bf.fe.grants_used + 1, f->bf.fe.grant_quota);
    assert_int_equal(fbb_pop(&f->fb, 0, &rq), 1);
    fbb_respond(&f->fb, 0, rq.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    fbb_push(&f->fb, 0);
    assert_int_equal(xn_blkdev_poll(&f->bf.dev), 1);
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &rb), 0);
    assert_int_equal(fbb_pop(&f->fb, 0, &rq), 1);
    fbb_respond(&f->fb, 0, rq.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    fbb_push(&f->fb, 0);
    assert_int_equal(xn_blkdev_poll(&f->bf.dev), 1);
    assert_int_equal(done, 2);
    assert_int_equal(ra.status, 0);
    assert_int_equal(rb.status, 0);
    /* Nothing in flight: no completion will come, so a failure. */
    f->bf.fe.grant_quota = f->bf.fe.grants_used + 1;
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &rb), -ENOSPC);
    assert_int_equal(f->bf.q[0].nr_free, f->bf.ring_size);
    assert_false(f->bf.fe.broken);
}

static void done_count(struct xn_blkreq *req, void *arg)
{
    (void)req;
    ++*(unsigned int *)arg;
}

static void ring_fills_then_completes_in_any_order(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[33][512];
    struct xn_blkreq r[33];
    unsigned int done = 0;
    blkif_request_t rq[32];

    connect_shape(f, &(struct shape){0});
    for (unsigned int i = 0; i < 33; i++) {
        memset(buf[i], (int)i, 512);
        r[i] = (struct xn_blkreq){.op = XN_BLK_WRITE,
                                  .sector = i,
                                  .buf = buf[i],
                                  .len = 512,
                                  .done = done_count,
                                  .arg = &done};
    }
    for (unsigned int i = 0; i < 32; i++)
        assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[i]), 0);
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[32]), -EAGAIN);
    for (unsigned int i = 0; i < 32; i++)
        assert_int_equal(fbb_pop(&f->fb, 0, &rq[i]), 1);
    /* Answer in reverse order. */
    for (unsigned int i = 32; i-- > 0;)
        fbb_respond(&f->fb, 0, rq[i].id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    fbb_push(&f->fb, 0);
    assert_int_equal(xn_blkdev_poll(&f->bf.dev), 32);
    assert_int_equal(done, 32);
    for (unsigned int i = 0; i < 32; i++)
        assert_int_equal(r[i].status, 0);
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[32]), 0);
}

static void queues_share_the_load(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[2][512];
    struct xn_blkreq r[2];
    blkif_request_t rq;

    connect_shape(f, &(struct shape){.queues = 2, .order = 1});
    assert_int_equal(f->bf.ring_size, 64);
    for (unsigned int i = 0; i < 2; i++) {
        r[i] = (struct xn_blkreq){
            .op = XN_BLK_READ, .sector = i, .buf = buf[i], .len = 512};
        assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[i]), 0);
    }
    assert_int_equal(fbb_pop(&f->fb, 0, &rq), 1);
    assert_int_equal(fbb_pop(&f->fb, 0, &rq), 0);
    assert_int_equal(fbb_pop(&f->fb, 1, &rq), 1);
    assert_int_equal(r[1].priv_queue, 1);
    /* r[] lives on this stack: fail it before returning. */
    blkfront_rings_teardown(&f->bf);
    assert_int_equal(r[0].status, -EIO);
}

/* ---- flush and discard ---- */

static void flush_uses_cache_flush_then_barrier_then_nothing(void **state)
{
    struct fx *f = *state;

    connect_shape(f, &(struct shape){.flush = true, .barrier = true});
    assert_int_equal(xn_blkdev_flush(&f->bf.dev), 0);
    assert_int_equal(f->fb.flushes, 1);
    f->bf.feat_flush = false;
    assert_int_equal(xn_blkdev_flush(&f->bf.dev), 0);
    assert_int_equal(f->fb.barriers, 1);
    f->bf.feat_barrier = false;
    assert_int_equal(xn_blkdev_flush(&f->bf.dev), 0);
    assert_int_equal(f->fb.served, 2); /* no cache: nothing on the ring */
}

static void refused_flush_disables_the_feature(void **state)
{
    struct fx *f = *state;

    connect_shape(f, &(struct shape){.flush = true});
    assert_true(f->bf.dev.info.flags & XN_BLKDEV_F_FLUSH);
    f->fb.refuse_flush = true;
    assert_int_equal(xn_blkdev_flush(&f->bf.dev), -EOPNOTSUPP);
    assert_false(f->bf.fe.broken);
    assert_false(f->bf.dev.info.flags & XN_BLKDEV_F_FLUSH);
    assert_int_equal(xn_blkdev_flush(&f->bf.dev), 0);
    assert_int_equal(f->fb.flushes, 1);
}

static void discard_needs_the_feature_and_zeroes(void **state)
{
    struct fx *f = *state;

    connect_shape(f, &(struct shape){0});
    assert_int_equal(xn_blkdev_discard(&f->bf.dev, 0, 4096, 0), -EOPNOTSUPP);
    blkfront_rings_teardown(&f->bf);
    fbb_detach(&f->fb, 0);
    connect_shape(f, &(struct shape){.discard = true});
    memset(f->fb.disk, 0xaa, 16384);
    assert_int_equal(xn_blkdev_discard(&f->bf.dev, 8, 8192, 0), 0);
    assert_int_equal(f->fb.last.sector, 8);
    assert_int_equal(f->fb.last.nr_sectors, 16);
    assert_int_equal(f->fb.last.flag, 0);
    assert_int_equal(f->fb.disk[4095], 0xaa);
    assert_int_equal(f->fb.disk[4096], 0);
    assert_int_equal(f->fb.disk[12287], 0);
    assert_int_equal(f->fb.disk[12288], 0xaa);
    assert_int_equal(xn_blkdev_discard(&f->bf.dev, 0, 512, XN_BLKREQ_SECURE),
                     -EOPNOTSUPP);
    f->bf.feat_discard_secure = true;
    assert_int_equal(xn_blkdev_discard(&f->bf.dev, 0, 512, XN_BLKREQ_SECURE),
                     0);
    assert_int_equal(f->fb.last.flag, BLKIF_DISCARD_SECURE);
}

/* ---- malicious backends ---- */

struct evil {
    const char *what;
    int kind;
};

enum { UNKNOWN_ID, DUP_ID, PROD_OVERFLOW, WRONG_OP, BAD_STATUS, HUGE_ID };

/* Three requests in flight; the backend answers one correctly, then the
 * case's violation: the device must break and fail the other two. */
static void run_evil(struct fx *f, int kind)
{
    static uint8_t buf[3][512];
    struct xn_blkreq r[3];
    unsigned int done = 0;
    blkif_request_t rq[3];
    blkif_back_ring_t *br = &f->fb.ring[0];

    connect_shape(f, &(struct shape){0});
    for (unsigned int i = 0; i < 3; i++) {
        r[i] = (struct xn_blkreq){.op = XN_BLK_READ,
                                  .sector = i,
                                  .buf = buf[i],
                                  .len = 512,
                                  .done = done_count,
                                  .arg = &done};
        assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[i]), 0);
        assert_int_equal(fbb_pop(&f->fb, 0, &rq[i]), 1);
    }
    fbb_respond(&f->fb, 0, rq[0].id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    switch (kind) {
    case UNKNOWN_ID:
        fbb_respond(&f->fb, 0, 17, BLKIF_OP_READ, BLKIF_RSP_OKAY);
        break;
    case HUGE_ID:
        fbb_respond(&f->fb, 0, 1ull << 40, BLKIF_OP_READ, BLKIF_RSP_OKAY);
        break;
    case DUP_ID:
        fbb_respond(&f->fb, 0, rq[0].id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
        break;
    case WRONG_OP:
        fbb_respond(&f->fb, 0, rq[1].id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
        break;
    case BAD_STATUS:
        fbb_respond(&f->fb, 0, rq[1].id, BLKIF_OP_READ, 7);
        break;
    case PROD_OVERFLOW:
        /* Claims 4 responses to 3 requests. */
        br->rsp_prod_pvt += 3;
        break;
    }
    fbb_push(&f->fb, 0);
    assert_int_equal(xn_blkdev_poll(&f->bf.dev), -EIO);
    assert_true(f->bf.fe.broken);
    assert_false(f->bf.dev.ready);
    assert_int_equal(done, 3);
    /* The good answer may or may not precede the check (overflow is
     * seen first); the others failed with -EIO. */
    assert_int_equal(r[1].status, -EIO);
    assert_int_equal(r[2].status, -EIO);
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[0]), -EIO);
    assert_non_null(strstr(f->bf.fe.last_error, "blkfront"));
}

static void evil_unknown_id(void **state)
{
    run_evil(*state, UNKNOWN_ID);
    assert_non_null(strstr(((struct fx *)*state)->bf.fe.last_error, "17"));
}
static void evil_huge_id(void **state)
{
    run_evil(*state, HUGE_ID);
}
static void evil_duplicate_id(void **state)
{
    run_evil(*state, DUP_ID);
}
static void evil_wrong_op(void **state)
{
    run_evil(*state, WRONG_OP);
}
static void evil_bad_status(void **state)
{
    run_evil(*state, BAD_STATUS);
}
static void evil_prod_overflow(void **state)
{
    struct fx *f = *state;

    run_evil(f, PROD_OVERFLOW);
    /* Nothing was consumed: the overflow is caught before any response. */
    assert_int_equal(f->bf.stats.reads, 0);
}

static void error_and_eopnotsupp_on_read_fail_only_the_request(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[512];

    connect_shape(f, &(struct shape){0});
    f->fb.force_status = BLKIF_RSP_ERROR;
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 512), -EIO);
    f->fb.force_status = BLKIF_RSP_EOPNOTSUPP;
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 512), -EIO);
    assert_false(f->bf.fe.broken);
    f->fb.force_status = 0;
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 512), 0);
}

static void grant_kept_after_completion_breaks_and_leaks(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[512];
    unsigned int live;

    connect_shape(f, &(struct shape){0});
    f->fb.keep_mapped = true;
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 512), -EIO);
    assert_true(f->bf.fe.broken);
    assert_true(f->bf.leaked);
    live = f->fb.env.live_pages;
    blkfront_rings_teardown(&f->bf);
    /* The mapped page was never freed (nor reused); the rest was. */
    assert_int_equal(f->fb.env.live_pages, 1);
    (void)live;
}

static void silent_backend_times_out_and_aborts(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[512];

    connect_shape(f, &(struct shape){0});
    f->fb.serve_on_wait = false;
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 512), -ETIMEDOUT);
    assert_true(f->bf.fe.broken);
    assert_non_null(strstr(f->bf.fe.last_error, "timed out"));
}

/* Events that answer nothing (a storm, another user's completions) do
 * not restart the timeout: it is one deadline. */
static void events_without_answers_still_time_out(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[512];
    uint64_t t0;

    connect_shape(f, &(struct shape){0});
    f->fb.event_storm = true;
    t0 = f->fb.env.now_ns;
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, 512), -ETIMEDOUT);
    assert_true(f->bf.fe.broken);
    assert_true(f->fb.env.now_ns - t0 <=
                XN_BLKDEV_SYNC_TIMEOUT_NS + 10ULL * 1000 * 1000);
    assert_true(f->fb.env.waits < 40000); /* ~1 ms per event: 30 s */
}

static void teardown_with_requests_in_flight(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[3][4096];
    struct xn_blkreq r[3];
    unsigned int done = 0;

    connect_shape(f, &(struct shape){.persistent = true});
    for (unsigned int i = 0; i < 3; i++) {
        r[i] = (struct xn_blkreq){.op = XN_BLK_WRITE,
                                  .sector = 8 * i,
                                  .buf = buf[i],
                                  .len = 4096,
                                  .done = done_count,
                                  .arg = &done};
        assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[i]), 0);
    }
    blkfront_rings_teardown(&f->bf);
    assert_int_equal(done, 3);
    for (unsigned int i = 0; i < 3; i++)
        assert_int_equal(r[i].status, -EIO);
    assert_int_equal(f->fb.env.live_pages, 0);
    assert_int_equal(gnttab_nr_free(), f->gnt_free0);
    assert_int_equal(f->fb.env.closed, f->fb.env.opened);
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[0]), -ENODEV);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(write_then_read_direct),
        T(partial_page_and_unaligned_buffer),
        T(large_requests_go_indirect),
        T(without_indirect_sync_splits_at_11_pages),
        T(sectors_are_512_units_on_4k_disks),
        T(physical_sector_size_sets_alignment),
        T(range_checks_cannot_wrap),
        T(read_only_disk_refuses_writes_before_the_ring),
        T(per_request_grants_are_revoked_and_readonly_for_writes),
        T(persistent_pool_reuses_writable_grants),
        T(persistent_pool_keeps_more_than_pool_max),
        T(page_allocation_failure_leaves_nothing_behind),
        T(ring_fills_then_completes_in_any_order),
        T(out_of_grants_with_requests_out_is_busy),
        T(queues_share_the_load),
        T(flush_uses_cache_flush_then_barrier_then_nothing),
        T(refused_flush_disables_the_feature),
        T(discard_needs_the_feature_and_zeroes),
        T(evil_unknown_id),
        T(evil_huge_id),
        T(evil_duplicate_id),
        T(evil_wrong_op),
        T(evil_bad_status),
        T(evil_prod_overflow),
        T(error_and_eopnotsupp_on_read_fail_only_the_request),
        T(grant_kept_after_completion_breaks_and_leaks),
        T(silent_backend_times_out_and_aborts),
        T(events_without_answers_still_time_out),
        T(teardown_with_requests_in_flight),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
