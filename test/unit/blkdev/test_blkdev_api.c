// SPDX-License-Identifier: MIT
/*
 * test/unit/blkdev/test_blkdev_api.c - host tests of the public block
 * API's synchronous calls (drivers/blkfront/blkdev_api.c sync_io) over
 * the real blkfront and the fake blkback: every wait on the backend has
 * one deadline that unrelated events do not restart (issue 11, finding 4).
 *
 * The test plays the registry (one slot, xvda), the clock and the
 * scheduler: sched_wait_locked() is a tick of 1 ms of fake time in which
 * "the world" runs: the backend may answer one request every N ticks,
 * and other traffic may bump the device's event count every tick
 * without completing anything of ours (what restarted the old timeout
 * forever). A wait that is still going after 600 s of fake time fails
 * the test instead of hanging it. Checked that it can fail: restarting
 * the deadline in xn_blk_wait()'s loop (the old behaviour) fails the
 * first and last tests, restarting sync_io()'s stall deadline on every
 * pass fails the second.
 * Reference: include/xenith.h (xn_blk_*), drivers/blkfront/blkdev.h.
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

#include "drivers/blkfront/blkdev.h"
#include "fake_blkback.h"
#include "include/xenith.h"

#define DISK_BYTES (4u << 20)
#define MS         1000000ULL
#define SEC        (1000 * MS)

/* ---- the world: clock, scheduler, registry ---- */

static uint64_t now_ns;
static struct fake_blkback fb;
static struct blkfront bf;
static struct blkdev_slot slot;
static int locks;
static unsigned int ticks;
static bool storm;             /* bump events every tick */
static unsigned int serve_every; /* answer one request per N ticks; 0: never */
static bool serve_all;           /* serve (with data) all pending per tick */

uint64_t time_monotonic_ns(void)
{
    return now_ns;
}

uint64_t sched_deadline_after(uint64_t ns)
{
    return ns > UINT64_MAX - now_ns ? UINT64_MAX : now_ns + ns;
}

unsigned long evtchn_irq_save(void)
{
    return 0;
}

void evtchn_irq_restore(unsigned long flags)
{
    (void)flags;
}

void blkdev_lock(struct blkdev_slot *s)
{
    assert_ptr_equal(s, &slot);
    locks++;
}

void blkdev_unlock(struct blkdev_slot *s)
{
    assert_ptr_equal(s, &slot);
    assert_true(locks > 0);
    locks--;
}

void blkdev_wake(struct blkdev_slot *s)
{
    s->events++;
}

unsigned int blkdev_count(void)
{
    return 1;
}

struct blkdev_slot *blkdev_slot(unsigned int idx)
{
    return idx == 0 ? &slot : NULL;
}

struct blkdev_slot *blkdev_find(const char *name)
{
    return strcmp(name, "xvda") == 0 ? &slot : NULL;
}

/* One request answered (OK) and its event delivered, as blkback would. */
static void answer_one(void)
{
    blkif_request_t req;

    if (fbb_pop(&fb, 0, &req) != 1)
        return;
    if (req.operation == BLKIF_OP_READ || req.operation == BLKIF_OP_WRITE ||
        req.operation == BLKIF_OP_FLUSH_DISKCACHE)
        fbb_respond(&fb, 0, req.id, req.operation, BLKIF_RSP_OKAY);
    fbb_push(&fb, 0);
    fbb_fire(&fb, bf.q[0].evtchn);
}

int sched_wait_locked(struct sched_waitq *wq, uint64_t deadline_ns)
{
    (void)wq;
    if (now_ns > 600 * SEC)
        fail_msg("a synchronous call still waits after %llu s of fake time",
                 (unsigned long long)(now_ns / SEC));
    now_ns += MS;
    ticks++;
    if (storm)
        blkdev_wake(&slot); /* someone else's traffic on this device */
    if (serve_every && ticks % serve_every == 0)
        answer_one();
    if (serve_all && fbb_serve(&fb, 0) > 0)
        fbb_fire(&fb, bf.q[0].evtchn);
    return now_ns >= deadline_ns ? -ETIMEDOUT : 0;
}

static void cb_kick(struct xn_blkdev *dev, void *arg)
{
    (void)dev;
    (void)arg;
    blkdev_wake(&slot);
}

/* ---- fixture ---- */

static int setup(void **state)
{
    struct xenbus_front_env ops;

    (void)state;
    now_ns = 1 * SEC;
    ticks = 0;
    storm = false;
    serve_every = 0;
    serve_all = false;
    locks = 0;
    memset(&slot, 0, sizeof(slot));
    memset(&bf, 0, sizeof(bf));
    fbb_init(&fb, DISK_BYTES);
    ops = fbb_ops(&fb);
    if (blkfront_init(&bf, &ops, NULL))
        return -1;
    snprintf(bf.fe.xb.nodename, sizeof(bf.fe.xb.nodename), "device/vbd/51712");
    bf.fe.xb.id = 51712;
    bf.fe.xb.backend_id = FBB_DOMID;
    bf.ring_order = 0;
    bf.nr_queues = 1;
    if (blkfront_rings_setup(&bf, FBB_DOMID) ||
        fbb_attach(&fb, 0, bf.q[0].ring_ref, 1))
        return -1;
    bf.sector_size = bf.phys_sector_size = 512;
    bf.sectors = DISK_BYTES / XN_BLK_SECTOR;
    bf.max_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
    bf.feat_flush = true;
    bf.dev.cb.kick = cb_kick;
    blkfront_set_ready(&bf, true);
    slot.bf = &bf;
    snprintf(slot.name, sizeof(slot.name), "xvda");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(locks, 0);
    blkfront_rings_teardown(&bf);
    xenbus_front_fini(&bf.fe);
    fbb_fini(&fb);
    return 0;
}

static struct xn_blk *open_xvda(void)
{
    struct xn_blk *b = NULL;

    assert_int_equal(xn_blk_open("xvda", &b), XN_OK);
    return b;
}

/* ---- tests ---- */

/* A backend that answers nothing while other traffic keeps raising
 * events: the call ends at its one deadline (not restarted by the
 * events), the device is aborted and nothing of ours stays in flight. */
static void silent_backend_with_event_storm_times_out(void **state)
{
    static uint8_t buf[4096];
    struct xn_blk *b = open_xvda();
    uint64_t t0 = now_ns;

    (void)state;
    storm = true;
    assert_int_equal(xn_blk_read(b, 0, buf, sizeof(buf)), XN_ERR_TIMEOUT);
    assert_true(now_ns - t0 >= 30 * SEC);
    assert_true(now_ns - t0 < 31 * SEC);
    assert_int_equal(xn_blk_inflight(b), 0);
    assert_false(bf.dev.ready);
    assert_int_equal(xn_blk_close(b), XN_OK);
}

/* Another handle filled the ring and the backend stopped answering: a
 * synchronous call of this handle, with nothing of its own in flight,
 * still ends at its deadline; the other handle's requests then complete
 * with an error (the abort), none is lost. */
static void ring_full_of_other_handle_times_out(void **state)
{
    static uint8_t buf[4096], other_buf[64][512];
    static struct xn_blk_req other[64];
    struct xn_blk *a = open_xvda(), *b = open_xvda();
    unsigned int queued = 0, seen = 0;
    uint64_t t0;

    (void)state;
    for (; queued < 64; queued++) {
        other[queued] = (struct xn_blk_req){
            .op = XN_BLK_REQ_READ,
            .offset = queued * 512ULL,
            .buf = other_buf[queued],
            .len = 512,
        };
        if (xn_blk_submit(a, &other[queued]) != XN_OK)
            break;
    }
    assert_true(queued > 0 && queued < 64); /* the ring is full */
    storm = true;
    t0 = now_ns;
    assert_int_equal(xn_blk_read(b, 0, buf, sizeof(buf)), XN_ERR_TIMEOUT);
    assert_true(now_ns - t0 >= 30 * SEC);
    assert_true(now_ns - t0 < 31 * SEC);
    assert_int_equal(xn_blk_inflight(b), 0);
    seen = (unsigned int)xn_blk_poll(a);
    assert_int_equal(seen, queued);
    for (unsigned int i = 0; i < queued; i++)
        assert_int_not_equal(other[i].result, XN_OK);
    assert_int_equal(xn_blk_inflight(a), 0);
    assert_int_equal(xn_blk_close(a), XN_OK);
    assert_int_equal(xn_blk_close(b), XN_OK);
}

/* A slow but live backend (one answer every 5 s) finishes a call that
 * takes far longer than 30 s in all: the deadline moves with each of
 * our completions. */
static void slow_backend_completes(void **state)
{
    static uint8_t out[512 * 1024], in[512 * 1024];
    struct xn_blk *b = open_xvda();
    struct xn_blk_info info;
    uint64_t t0;

    (void)state;
    assert_int_equal(xn_blk_get_info(b, &info), XN_OK);
    assert_true(info.max_request * 8 < sizeof(out)); /* > 8 chunks */
    serve_every = 5000;
    t0 = now_ns;
    assert_int_equal(xn_blk_write(b, 4096, out, sizeof(out)), XN_OK);
    assert_true(now_ns - t0 > 30 * SEC); /* longer than one deadline */
    assert_true(bf.dev.ready);
    /* And a read over the real data path returns the disk's bytes. */
    for (size_t i = 0; i < sizeof(in); i++)
        fb.disk[4096 + i] = (uint8_t)(i * 13 + 5);
    serve_every = 0;
    serve_all = true;
    assert_int_equal(xn_blk_read(b, 4096, in, sizeof(in)), XN_OK);
    assert_memory_equal(in, fb.disk + 4096, sizeof(in));
    assert_int_equal(xn_blk_close(b), XN_OK);
}

/* Events that complete nothing do not let a wait outlive its timeout. */
static void async_wait_has_one_deadline(void **state)
{
    static uint8_t buf[512];
    struct xn_blk_req r = {
        .op = XN_BLK_REQ_READ, .offset = 0, .buf = buf, .len = 512};
    struct xn_blk *b = open_xvda();
    uint64_t t0;

    (void)state;
    assert_int_equal(xn_blk_submit(b, &r), XN_OK);
    storm = true;
    t0 = now_ns;
    assert_int_equal(xn_blk_wait(b, 2 * SEC), XN_ERR_TIMEOUT);
    assert_true(now_ns - t0 >= 2 * SEC && now_ns - t0 < 2 * SEC + 10 * MS);
    storm = false;
    serve_all = true;
    assert_int_equal(xn_blk_wait(b, 2 * SEC), 1);
    assert_int_equal(r.result, XN_OK);
    assert_int_equal(xn_blk_close(b), XN_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            silent_backend_with_event_storm_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(ring_full_of_other_handle_times_out,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(slow_backend_completes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(async_wait_has_one_deadline, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
