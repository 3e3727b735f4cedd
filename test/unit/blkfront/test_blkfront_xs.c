// SPDX-License-Identifier: MIT
/*
 * test/unit/blkfront/test_blkfront_xs.c - host tests of blkfront's
 * xenbus handshake over the fake xenstored.
 *
 * The toolstack's and backend's nodes live in test/fakes/fake_xs_daemon.c's
 * tree; a small backend model in its on_write hook answers the frontend's
 * state changes as blkback does (Connected after our Initialised, Closed
 * after our Closing, InitWait again after our Initialising), and maps the
 * rings the frontend published so real I/O can follow. Checked: the keys
 * we publish (single page and queue, multi-page ring, several queues),
 * every optional backend key absent / valid / absurd (one at a time and
 * all together), the required disk keys, EAGAIN on the transaction,
 * timeouts naming the path, a backend that closes with I/O in flight and
 * a re-attach with I/O after it, and a broken device that only closes.
 * Reference: io/blkif.h, io/xenbus.h.
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
#include "fake_xs_daemon.h"
#include "xen/gnttab.h"

#define FE     "device/vbd/768"
#define BE     "/local/domain/0/backend/vbd/5/768"
#define SECOND (1000ULL * 1000 * 1000)
#define DISK   (1u << 20)

struct fx {
    struct fake_xs d;
    struct xs_conn c;
    struct fake_blkback fb;
    struct blkfront bf;
    unsigned int gnt_free0;
    bool model; /* the backend follows the frontend */
};

static unsigned long node_uint(struct fx *f, const char *path)
{
    const char *v = fake_xs_get(&f->d, path);

    if (!v)
        fail_msg("missing %s", path);
    return strtoul(v, NULL, 10);
}

/* The backend maps every queue's ring from the refs we published. */
static void attach_from_xenstore(struct fx *f)
{
    unsigned int nq = 1, npages = 1;
    const char *v = fake_xs_get(&f->d, FE "/multi-queue-num-queues");
    char path[160];

    if (v)
        nq = (unsigned int)strtoul(v, NULL, 10);
    v = fake_xs_get(&f->d, FE "/ring-page-order");
    if (v)
        npages = 1u << strtoul(v, NULL, 10);
    for (unsigned int q = 0; q < nq; q++) {
        grant_ref_t refs[BLKFRONT_MAX_RING_PAGES];
        char dir[64];

        if (nq == 1)
            snprintf(dir, sizeof(dir), FE);
        else
            snprintf(dir, sizeof(dir), FE "/queue-%u", q);
        for (unsigned int i = 0; i < npages; i++) {
            if (npages == 1)
                snprintf(path, sizeof(path), "%s/ring-ref", dir);
            else
                snprintf(path, sizeof(path), "%s/ring-ref%u", dir, i);
            refs[i] = (grant_ref_t)node_uint(f, path);
        }
        assert_int_equal(fbb_attach(&f->fb, q, refs, npages), 0);
    }
}

/* blkback's reactions to our state node. */
static void backend_model(struct fake_xs *d, const char *path,
                          const char *value)
{
    struct fx *f = d->hook_arg;

    if (!f->model || strcmp(path, FE "/state") != 0)
        return;
    if (strcmp(value, "3") == 0) { /* Initialised: map rings, connect */
        attach_from_xenstore(f);
        fake_xs_set_fire(d, BE "/state", "4");
    } else if (strcmp(value, "5") == 0) { /* Closing: let go, close */
        for (unsigned int q = 0; q < BLKFRONT_MAX_QUEUES; q++)
            fbb_detach(&f->fb, q);
        fake_xs_set_fire(d, BE "/state", "6");
    } else if (strcmp(value, "1") == 0 &&
               strcmp(fake_xs_get(d, BE "/state"), "6") == 0) {
        fake_xs_set_fire(d, BE "/state", "2"); /* hotplug again */
    }
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xs_transport t;
    struct xenbus_front_env ops;

    if (!f)
        return -1;
    fake_xs_init(&f->d, 0);
    f->d.hook_arg = f;
    f->d.on_write = backend_model;
    t = fake_xs_transport(&f->d);
    if (xs_conn_init(&f->c, &f->d.intf, &t))
        return -1;
    fake_xs_set(&f->d, FE "/backend", BE);
    fake_xs_set(&f->d, FE "/backend-id", "0");
    fake_xs_set(&f->d, FE "/state", "1");
    fake_xs_set(&f->d, BE "/state", "2");
    fake_xs_set(&f->d, BE "/sectors", "2048"); /* 1 MiB */
    fake_xs_set(&f->d, BE "/sector-size", "512");
    fake_xs_set(&f->d, BE "/info", "0");
    fbb_init(&f->fb, DISK);
    f->fb.serve_on_wait = true;
    f->gnt_free0 = gnttab_nr_free();
    ops = fbb_ops(&f->fb);
    if (blkfront_init(&f->bf, &ops, NULL))
        return -1;
    f->bf.cfg.timeout_ns = SECOND;
    f->model = true;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    blkfront_rings_teardown(&f->bf);
    xenbus_front_fini(&f->bf.fe);
    fbb_fini(&f->fb);
    fake_xs_fini(&f->d);
    free(f);
    return 0;
}

static void connect(struct fx *f)
{
    assert_int_equal(blkfront_xs_probe(&f->bf, &f->c, 768), 0);
    assert_int_equal(blkfront_xs_connect(&f->bf), 0);
    assert_true(f->bf.dev.ready);
}

static void io_works(struct fx *f)
{
    static uint8_t out[8192], in[8192];

    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 16, out, sizeof(out)), 0);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 16, in, sizeof(in)), 0);
    assert_memory_equal(in, out, sizeof(in));
    assert_memory_equal(f->fb.disk + 16 * 512, out, sizeof(out));
}

static void probe_without_backend(void **state)
{
    struct fx *f = *state;

    assert_int_equal(blkfront_xs_probe(&f->bf, &f->c, 769), -ENOENT);
}

static void connect_single_page_single_queue(void **state)
{
    struct fx *f = *state;

    connect(f);
    assert_string_equal(f->bf.dev.name, "vbd768");
    assert_non_null(fake_xs_get(&f->d, FE "/ring-ref"));
    assert_non_null(fake_xs_get(&f->d, FE "/event-channel"));
    assert_string_equal(fake_xs_get(&f->d, FE "/protocol"), "x86_64-abi");
    assert_string_equal(fake_xs_get(&f->d, FE "/feature-persistent"), "1");
    assert_null(fake_xs_get(&f->d, FE "/ring-page-order"));
    assert_null(fake_xs_get(&f->d, FE "/ring-ref0"));
    assert_null(fake_xs_get(&f->d, FE "/multi-queue-num-queues"));
    assert_string_equal(fake_xs_get(&f->d, FE "/state"), "4");
    assert_int_equal(f->bf.dev.info.sectors, 2048);
    assert_int_equal(f->bf.dev.info.sector_size, 512);
    assert_int_equal(f->bf.dev.info.max_request, 11 * 4096);
    assert_int_equal(f->bf.dev.info.flags, 0);
    assert_int_equal(f->bf.ring_size, 32);
    io_works(f);
}

static void multi_page_ring_and_queues(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/max-ring-page-order", "4");
    fake_xs_set(&f->d, BE "/multi-queue-max-queues", "8");
    f->bf.cfg.max_queues = 2;
    connect(f);
    assert_int_equal(f->bf.ring_order, 2); /* ours is the limit */
    assert_int_equal(f->bf.ring_size, 128);
    assert_int_equal(node_uint(f, FE "/ring-page-order"), 2);
    assert_int_equal(node_uint(f, FE "/num-ring-pages"), 4);
    assert_int_equal(node_uint(f, FE "/multi-queue-num-queues"), 2);
    assert_non_null(fake_xs_get(&f->d, FE "/queue-1/ring-ref3"));
    assert_non_null(fake_xs_get(&f->d, FE "/queue-1/event-channel"));
    /* Several queues: nothing queue-related at the top level. */
    assert_null(fake_xs_get(&f->d, FE "/ring-ref"));
    assert_null(fake_xs_get(&f->d, FE "/ring-ref0"));
    assert_null(fake_xs_get(&f->d, FE "/event-channel"));
    assert_null(fake_xs_get(&f->d, FE "/queue-0/ring-ref"));
    io_works(f);
    io_works(f); /* round robin: the second pass uses queue 1 */
    assert_true(f->fb.ring[1].req_cons > 0);
}

/* One optional key in one state, and what it must lead to. */
struct opt_case {
    const char *key, *value;
    unsigned int order, queues, max_segs;
    bool flush, barrier, discard, persistent;
    uint32_t pss, dgran, dalign;
    bool logs; /* an absurd value is logged with its key */
};

static void check_case(struct fx *f, const struct opt_case *c)
{
    char msg[200];

    unsigned int queues = c->queues ? c->queues : 1;
    unsigned int segs = c->max_segs ? c->max_segs : 11;
    uint32_t pss = c->pss ? c->pss : 512;

    snprintf(msg, sizeof(msg), "%s=%s", c->key, c->value ? c->value : "-");
    if (f->bf.ring_order != c->order || f->bf.nr_queues != queues ||
        f->bf.max_segs != segs || f->bf.feat_flush != c->flush ||
        f->bf.feat_barrier != c->barrier || f->bf.feat_discard != c->discard ||
        f->bf.feat_persistent != c->persistent ||
        f->bf.phys_sector_size != pss ||
        (c->discard && (f->bf.discard_granularity != c->dgran ||
                        f->bf.discard_alignment != c->dalign)))
        fail_msg("%s: order %u queues %u segs %u flush %d barrier %d "
                 "discard %d pers %d pss %u gran %u align %u",
                 msg, f->bf.ring_order, f->bf.nr_queues, f->bf.max_segs,
                 f->bf.feat_flush, f->bf.feat_barrier, f->bf.feat_discard,
                 f->bf.feat_persistent, f->bf.phys_sector_size,
                 f->bf.discard_granularity, f->bf.discard_alignment);
    if (c->logs && !strstr(f->fb.env.last_log, c->key) &&
        !strstr(f->c.last_error, c->key))
        fail_msg("%s: no log naming the key (last: %s)", msg,
                 f->fb.env.last_log);
}

/* Fields left 0 expect the defaults: 1 queue, 11 segments, pss 512. */
static const struct opt_case opt_cases[] = {
    {"max-ring-page-order", "1", .order = 1},
    {"max-ring-page-order", "99", .logs = true},
    {"max-ring-page-order", "x1", .logs = true},
    {"max-ring-pages", "4", .order = 2},
    {"max-ring-pages", "3", .logs = true},
    {"multi-queue-max-queues", "3", .queues = 3},
    {"multi-queue-max-queues", "0", .logs = true},
    {"multi-queue-max-queues", "-1", .logs = true},
    {"multi-queue-max-queues", "4000000000", .queues = 4},
    {"feature-max-indirect-segments", "32", .max_segs = 32},
    {"feature-max-indirect-segments", "4096", .max_segs = 64},
    {"feature-max-indirect-segments", "5", .logs = true},
    {"feature-max-indirect-segments", "lots", .logs = true},
    {"feature-flush-cache", "1", .flush = true},
    {"feature-flush-cache", "yes", .logs = true},
    {"feature-barrier", "1", .barrier = true},
    {"feature-persistent", "1", .persistent = true},
    {"feature-persistent", "2x", .logs = true},
    {"feature-discard", "1", .discard = true, .dgran = 512},
    {"discard-granularity", "4096", .discard = true, .dgran = 4096},
    {"discard-granularity", "100", .discard = true, .dgran = 512, .logs = true},
    {"discard-alignment", "512", .discard = true, .dgran = 4096, .dalign = 512},
    {"discard-alignment", "8192", .discard = true, .dgran = 4096, .logs = true},
    {"physical-sector-size", "4096", .pss = 4096},
    {"physical-sector-size", "3000", .logs = true},
    {"physical-sector-size", "256", .logs = true},
    {"physical-sector-size", "1048576", .logs = true},
};

/* Each optional key absent (the base case), valid and absurd. */
static void optional_keys_one_at_a_time(void **state)
{
    struct fx *f0 = *state;

    (void)f0;
    for (size_t i = 0; i < sizeof(opt_cases) / sizeof(opt_cases[0]); i++) {
        const struct opt_case *c = &opt_cases[i];
        void *st;
        struct fx *f;

        assert_int_equal(setup(&st), 0);
        f = st;
        f->bf.cfg.max_queues = 4;
        if (strncmp(c->key, "discard-", 8) == 0) {
            fake_xs_set(&f->d, BE "/feature-discard", "1");
            if (strcmp(c->key, "discard-alignment") == 0)
                fake_xs_set(&f->d, BE "/discard-granularity", "4096");
        }
        fake_xs_set(&f->d, BE "/info", "0");
        {
            char path[128];

            snprintf(path, sizeof(path), BE "/%s", c->key);
            fake_xs_set(&f->d, path, c->value);
        }
        connect(f);
        check_case(f, c);
        io_works(f);
        teardown(&st);
    }
}

static void all_absent_all_absurd(void **state)
{
    struct fx *f = *state;
    static const char *const keys[] = {"max-ring-page-order",
                                       "multi-queue-max-queues",
                                       "feature-max-indirect-segments",
                                       "feature-flush-cache",
                                       "feature-barrier",
                                       "feature-persistent",
                                       "feature-discard",
                                       "physical-sector-size"};

    f->bf.cfg.max_queues = 4;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char path[128];

        snprintf(path, sizeof(path), BE "/%s", keys[i]);
        fake_xs_set(&f->d, path, "\x7f-nonsense");
    }
    connect(f);
    check_case(f, &(struct opt_case){.key = "", .value = ""});
    io_works(f);
}

static void cfg_limits_win(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/max-ring-page-order", "2");
    fake_xs_set(&f->d, BE "/feature-max-indirect-segments", "256");
    fake_xs_set(&f->d, BE "/feature-persistent", "1");
    f->bf.cfg.max_ring_order = 1;
    f->bf.cfg.no_indirect = true;
    f->bf.cfg.no_persistent = true;
    connect(f);
    assert_int_equal(f->bf.ring_order, 1);
    assert_int_equal(f->bf.max_segs, 11);
    assert_false(f->bf.feat_persistent);
    assert_string_equal(fake_xs_get(&f->d, FE "/feature-persistent"), "0");
}

/* A required disk key missing or absurd: the device refuses to run. */
static void bad_disk_keys_break_the_device(void **state)
{
    static const struct {
        const char *key, *value;
    } bad[] = {
        {"sectors", NULL},
        {"sectors", "12ab"},
        {"sectors", "36028797018963968"}, /* 2^55: * 512 overflows */
        {"sector-size", "1000"},
        {"sector-size", "256"},
        {"sector-size", "1048576"},
        {"info", "ro"},
        {"info", "99999999999"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        void *st;
        struct fx *f;
        char path[128];

        assert_int_equal(setup(&st), 0);
        f = st;
        snprintf(path, sizeof(path), BE "/%s", bad[i].key);
        if (bad[i].value)
            fake_xs_set(&f->d, path, bad[i].value);
        else
            assert_int_equal(xs_rm(&f->c, XS_TX_NONE, path), 0);
        assert_int_equal(blkfront_xs_probe(&f->bf, &f->c, 768), 0);
        if (blkfront_xs_connect(&f->bf) != -EIO || !f->bf.fe.broken)
            fail_msg("%s=%s accepted", bad[i].key,
                     bad[i].value ? bad[i].value : "(missing)");
        assert_non_null(strstr(f->fb.env.last_log, "blkfront"));
        assert_false(f->bf.dev.ready);
        /* Broken: the frontend tells the backend it is closing. */
        assert_int_equal(blkfront_xs_step(&f->bf, NULL), 0);
        assert_true(f->bf.fe.state == XenbusStateClosing ||
                    f->bf.fe.state == XenbusStateClosed);
        teardown(&st);
    }
}

static void defaults_and_4k_disk(void **state)
{
    struct fx *f = *state;

    assert_int_equal(xs_rm(&f->c, XS_TX_NONE, BE "/sector-size"), 0);
    assert_int_equal(xs_rm(&f->c, XS_TX_NONE, BE "/info"), 0);
    connect(f);
    assert_int_equal(f->bf.sector_size, 512);
    assert_non_null(strstr(f->fb.env.last_log, "sector-size"));
    teardown(state);
    setup(state);
    f = *state;
    fake_xs_set(&f->d, BE "/sector-size", "4096");
    fake_xs_set(&f->d, BE "/info", "6"); /* read-only, removable */
    connect(f);
    assert_int_equal(f->bf.dev.info.align, 4096);
    assert_int_equal(f->bf.dev.info.sectors, 2048);
    assert_true(f->bf.dev.info.flags & XN_BLKDEV_F_READONLY);
    assert_true(f->bf.dev.info.flags & XN_BLKDEV_F_REMOVABLE);
    static uint8_t buf[4096];
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 8, buf, 4096), -EROFS);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 8, buf, 4096), 0);
}

/* 64 KiB sectors need 16 segments per request: refused without indirect
 * descriptors (naming the keys), usable with them. */
static void huge_sectors_need_indirect(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[65536];

    fake_xs_set(&f->d, BE "/sector-size", "65536");
    fake_xs_set(&f->d, BE "/sectors", "4096");
    assert_int_equal(blkfront_xs_probe(&f->bf, &f->c, 768), 0);
    assert_int_equal(blkfront_xs_connect(&f->bf), -EIO);
    assert_true(f->bf.fe.broken);
    assert_false(f->bf.dev.ready);
    assert_non_null(strstr(f->bf.fe.last_error, "unusable"));
    assert_non_null(strstr(f->fb.env.all_logs, "physical-sector-size 65536"));
    assert_non_null(
        strstr(f->fb.env.all_logs, "feature-max-indirect-segments"));
    teardown(state);
    setup(state);
    f = *state;
    fake_xs_set(&f->d, BE "/sector-size", "65536");
    fake_xs_set(&f->d, BE "/sectors", "4096");
    fake_xs_set(&f->d, BE "/feature-max-indirect-segments", "32");
    connect(f);
    assert_int_equal(f->bf.dev.info.align, 65536);
    assert_true(f->bf.dev.info.max_request >= 65536);
    memset(buf, 0x3c, sizeof(buf));
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 0, buf, sizeof(buf)), 0);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 0, buf, sizeof(buf)), 0);
}

static void publish_retries_on_eagain(void **state)
{
    struct fx *f = *state;

    f->d.fail_commits = 3;
    connect(f);
    assert_true(f->d.commits >= 4);
    io_works(f);
}

static void connect_times_out_naming_the_path(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/state", "1"); /* never reaches InitWait */
    assert_int_equal(blkfront_xs_probe(&f->bf, &f->c, 768), 0);
    assert_int_equal(blkfront_xs_connect(&f->bf), -ETIMEDOUT);
    assert_non_null(strstr(f->fb.env.last_log, BE "/state"));
    assert_false(f->bf.dev.ready);
}

static void done_count(struct xn_blkreq *req, void *arg)
{
    (void)req;
    ++*(unsigned int *)arg;
}

static void backend_closes_with_io_in_flight_then_reattach(void **state)
{
    struct fx *f = *state;
    static uint8_t buf[3][4096];
    struct xn_blkreq r[3];
    unsigned int done = 0;
    enum xenbus_action a;

    fake_xs_set(&f->d, BE "/feature-persistent", "1");
    connect(f);
    for (unsigned int i = 0; i < 3; i++) {
        r[i] = (struct xn_blkreq){.op = XN_BLK_READ,
                                  .sector = 8 * i,
                                  .buf = buf[i],
                                  .len = 4096,
                                  .done = done_count,
                                  .arg = &done};
        assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[i]), 0);
    }
    /* The backend goes away without answering. */
    fake_xs_set_fire(&f->d, BE "/state", "5");
    assert_int_equal(blkfront_xs_step(&f->bf, &a), 0);
    assert_int_equal(a, XENBUS_ACT_CLOSE);
    assert_int_equal(done, 3);
    for (unsigned int i = 0; i < 3; i++)
        assert_int_equal(r[i].status, -EIO);
    assert_false(f->bf.dev.ready);
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &r[0]), -ENODEV);
    /* Model: our Closing made it Closed; then Closed -> reset. */
    assert_int_equal(blkfront_xs_step(&f->bf, &a), 0);
    assert_int_equal(a, XENBUS_ACT_GO_CLOSED);
    assert_int_equal(f->fb.env.live_pages, 0);
    assert_int_equal(gnttab_nr_free(), f->gnt_free0);
    assert_int_equal(blkfront_xs_connect(&f->bf), 0);
    assert_true(f->bf.dev.ready);
    assert_true(f->bf.feat_persistent);
    io_works(f);
}

static void disconnect_and_connect_again_changes_layout(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/multi-queue-max-queues", "2");
    fake_xs_set(&f->d, BE "/max-ring-page-order", "1");
    f->bf.cfg.max_queues = 2;
    connect(f);
    io_works(f);
    assert_int_equal(blkfront_xs_disconnect(&f->bf), 0);
    assert_int_equal(f->fb.env.live_pages, 0);
    assert_int_equal(gnttab_nr_free(), f->gnt_free0);
    /* The backend now offers one page, one queue. */
    assert_int_equal(xs_rm(&f->c, XS_TX_NONE, BE "/multi-queue-max-queues"), 0);
    assert_int_equal(xs_rm(&f->c, XS_TX_NONE, BE "/max-ring-page-order"), 0);
    assert_int_equal(blkfront_xs_connect(&f->bf), 0);
    assert_non_null(fake_xs_get(&f->d, FE "/ring-ref"));
    assert_null(fake_xs_get(&f->d, FE "/queue-0/ring-ref0"));
    assert_null(fake_xs_get(&f->d, FE "/queue-0"));
    assert_null(fake_xs_get(&f->d, FE "/ring-page-order"));
    assert_null(fake_xs_get(&f->d, FE "/multi-queue-num-queues"));
    io_works(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(probe_without_backend),
        T(connect_single_page_single_queue),
        T(multi_page_ring_and_queues),
        T(optional_keys_one_at_a_time),
        T(all_absent_all_absurd),
        T(cfg_limits_win),
        T(bad_disk_keys_break_the_device),
        T(defaults_and_4k_disk),
        T(huge_sectors_need_indirect),
        T(publish_retries_on_eagain),
        T(connect_times_out_naming_the_path),
        T(backend_closes_with_io_in_flight_then_reattach),
        T(disconnect_and_connect_again_changes_layout),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
