// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_blkfront.c - libFuzzer target of blkfront's response
 * consumer (drivers/blkfront/blkfront_rsp.c) and the request path that
 * feeds it: the fuzzer is blkback, over test/fakes/fake_blkback.c.
 *
 * Design choice: each input builds a fresh connected device whose shape
 * (ring order, indirect segments, persistent grants, flush/barrier/
 * discard) comes from the first bytes, then runs a script: submit a
 * request (any op, sector, length), let the fake serve the ring honestly,
 * pop a request and answer it with any (id, op, status), write a raw
 * response, push, corrupt rsp_prod, poll. Checked: every request the
 * driver puts on the ring is valid for the backend (fbb_serve/fbb_pop
 * never report a frontend error); poll returns completions or -EIO, and
 * -EIO only when broken, then forever; every request submitted is
 * completed exactly once (done never runs twice, and failing the device
 * at the end completes whatever was still pending) with 0, -EIO or
 * -EOPNOTSUPP.
 * Reference: xen/include/public/io/blkif.h, io/ring.h.
 */
#include <errno.h>

#include "fake_blkback.h"
#include "fuzz_common.h"
#include "xen/gnttab.h"

#define DISK_BYTES (64u * 1024u)
#define NREQ       24
#define BUF_MAX    (64u * 1024u)

static struct fake_blkback fb;
static struct blkfront bf;
static struct xn_blkreq req[NREQ];
static unsigned int done_count[NREQ];
static bool submitted[NREQ];
static uint8_t bufs[NREQ][BUF_MAX];
static uint8_t disk_pattern[DISK_BYTES];
/* Until the backend forges a response or rsp_prod, the driver's
 * requests must be valid for it; after a lie the driver may reuse an id
 * the liar still holds, and only the completion invariants remain. */
static bool honest;

static void on_done(struct xn_blkreq *r, void *arg)
{
    unsigned int i = (unsigned int)(uintptr_t)arg;

    (void)r;
    FUZZ_CHECK(++done_count[i] == 1, "request %u completed twice", i);
    FUZZ_CHECK(r->status == 0 || r->status == -EIO || r->status == -EOPNOTSUPP,
               "status %d", r->status);
}

static void connect(struct fuzz_in *in)
{
    struct xenbus_front_env ops;
    uint8_t shape = fuzz_u8(in);

    fbb_init(&fb, DISK_BYTES);
    if (!disk_pattern[1])
        for (unsigned int i = 0; i < DISK_BYTES; i++)
            disk_pattern[i] = (uint8_t)(i * 7 + (i >> 9));
    memcpy(fb.disk, disk_pattern, DISK_BYTES);
    ops = fbb_ops(&fb);
    FUZZ_CHECK(blkfront_init(&bf, &ops, NULL) == 0, "init");
    strcpy(bf.fe.xb.nodename, "device/vbd/768");
    bf.fe.xb.id = 768;
    bf.fe.xb.backend_id = FBB_DOMID;
    bf.ring_order = shape % 3;
    bf.nr_queues = 1;
    FUZZ_CHECK(blkfront_rings_setup(&bf, FBB_DOMID) == 0, "rings");
    FUZZ_CHECK(fbb_attach(&fb, 0, bf.q[0].ring_ref, 1u << bf.ring_order) == 0,
               "attach");
    bf.sector_size = bf.phys_sector_size = shape & 4 ? 4096 : 512;
    bf.sectors = DISK_BYTES / XN_BLK_SECTOR;
    bf.feat_persistent = shape & 8;
    bf.feat_flush = shape & 16;
    bf.feat_barrier = shape & 32;
    bf.feat_discard = shape & 64;
    bf.discard_granularity = bf.sector_size;
    bf.max_indirect_segs = shape & 128 ? BLKFRONT_MAX_SEGS : 0;
    bf.max_segs = bf.max_indirect_segs ? bf.max_indirect_segs
                                       : BLKIF_MAX_SEGMENTS_PER_REQUEST;
    blkfront_set_ready(&bf, true);
}

static int submit(struct fuzz_in *in)
{
    unsigned int i = fuzz_u8(in) % NREQ;
    struct xn_blkreq *r = &req[i];
    int rc;

    if (submitted[i] && done_count[i] == 0)
        return 0; /* still in flight: the caller must not touch it */
    *r = (struct xn_blkreq){.op = (enum xn_blk_op)(fuzz_u8(in) % 5),
                            .sector = fuzz_u16(in) % (DISK_BYTES / 512 + 8),
                            .buf = bufs[i] + (fuzz_u8(in) & 1),
                            .len = (size_t)fuzz_u8(in) * 512 % BUF_MAX,
                            .done = on_done,
                            .arg = (void *)(uintptr_t)i};
    memset(bufs[i], 0xee, BUF_MAX);
    done_count[i] = 0;
    rc = xn_blkdev_submit(&bf.dev, r);
    FUZZ_CHECK(rc == 0 || rc == -EAGAIN || rc == -EINVAL || rc == -EROFS ||
                   rc == -EOPNOTSUPP || rc == -ENOMEM || rc == -EIO ||
                   rc == -ENODEV,
               "submit rc %d", rc);
    submitted[i] = rc == 0;
    if (rc == 0)
        FUZZ_CHECK(!bf.fe.broken, "accepted by a broken device");
    return rc;
}

static void check(int rc, bool was_broken)
{
    FUZZ_CHECK(rc >= 0 || rc == -EIO, "poll rc %d", rc);
    FUZZ_CHECK((rc == -EIO) == bf.fe.broken, "rc %d broken %d", rc,
               bf.fe.broken);
    if (was_broken)
        FUZZ_CHECK(rc == -EIO, "broken device polled %d", rc);
    if (bf.fe.broken)
        FUZZ_CHECK(!bf.dev.ready, "broken but ready");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    blkif_request_t rq;

    honest = true;
    memset(submitted, 0, sizeof(submitted));
    memset(done_count, 0, sizeof(done_count));
    connect(&in);
    for (unsigned int step = 0; step < 128 && fuzz_left(&in); step++) {
        uint8_t op = fuzz_u8(&in);
        bool was_broken = bf.fe.broken;

        switch (op % 7) {
        case 0:
            (void)submit(&in);
            break;
        case 1:
            if (honest)
                FUZZ_CHECK(fbb_serve(&fb, 0) >= 0, "blkfront broke protocol");
            break;
        case 2:
            if (honest)
                FUZZ_CHECK(fbb_pop(&fb, 0, &rq) >= 0,
                           "blkfront broke protocol");
            break;
        case 3: /* answer any id with any op and status */
            /* ... but only for a slot the backend consumed: answering
             * more would overwrite requests it has not read (the
             * driver's side of that is the rsp_prod check, case 5). */
            if (fb.ring[0].req_cons == fb.ring[0].rsp_prod_pvt)
                break;
            honest = false;
            fbb_respond(
                &fb, 0, op & 8 ? fuzz_u64(&in) : fuzz_u8(&in) % 128,
                fuzz_u8(&in),
                (int16_t)(op & 16 ? fuzz_u16(&in) : fuzz_u8(&in) % 3 - 2));
            break;
        case 4:
            fbb_push(&fb, 0);
            break;
        case 5:
            honest = false;
            bf.q[0].ring.sring->rsp_prod =
                op & 8 ? fuzz_u32(&in)
                       : fb.ring[0].rsp_prod_pvt + (int8_t)fuzz_u8(&in);
            break;
        default:
            check(xn_blkdev_poll(&bf.dev), was_broken);
            break;
        }
    }
    /* Whatever is still pending completes exactly once when it fails. */
    if (!bf.fe.broken)
        FUZZ_CHECK(blkfront_fail(&bf, "fuzz: end of input") == -EIO, "fail");
    for (unsigned int i = 0; i < NREQ; i++)
        if (submitted[i])
            FUZZ_CHECK(done_count[i] == 1, "request %u completed %u times", i,
                       done_count[i]);
    blkfront_rings_teardown(&bf);
    fbb_fini(&fb);
    return 0;
}
