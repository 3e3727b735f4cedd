// SPDX-License-Identifier: MIT
/*
 * test/unit/front/test_front_lifecycle.c - the shared xenbus frontend
 * lifecycle (xen/xenbus_front.c), run from the same test code against
 * both device classes: netfront over the fake netback, blkfront over the
 * fake blkback, both with the fake xenstored playing the toolstack.
 *
 * A class adapter (struct kind) says what differs: the xenstore nodes a
 * toolstack writes, the state a backend maps the rings on (netback: our
 * Connected, blkback: our Initialised), how the backend maps them, and
 * one I/O that proves a connection works. Every scenario then runs once
 * per class: connect, every (front, back) state pair, a backend restart,
 * rings kept until the backend lets go, the toolstack removing and
 * re-creating the device, suspend with a cancelled and with a real
 * resume (the grant table and every port gone, as after xl restore,
 * and a block request in flight replayed), and a broken backend that is
 * never reconnected. Every scenario ends with no page and no grant
 * leaked. Reference: io/xenbus.h, io/netif.h, io/blkif.h.
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
#include "fake_netback.h"
#include "fake_xs_daemon.h"
#include "xen/gnttab.h"

#define SECOND (1000ULL * 1000 * 1000)

struct fx;

/* What differs between the classes. */
struct kind {
    const char *name, *fe, *be;
    unsigned int devid;
    const char *map_on; /* our state at which the backend maps the rings */
    void (*nodes)(struct fx *f);
    int (*init)(struct fx *f);
    struct xenbus_front *(*front)(struct fx *f);
    struct fake_env *(*env)(struct fx *f);
    void (*map)(struct fx *f);   /* the backend maps the rings */
    void (*unmap)(struct fx *f); /* and lets go of them */
    void (*io)(struct fx *f);    /* one I/O that must work */
};

struct fx {
    const struct kind *k;
    struct fake_xs d;
    struct xs_conn c;
    struct fake_netback nb;
    struct fake_blkback bb;
    struct netfront nf;
    struct blkfront bf;
    unsigned int gnt_free0;
    bool model; /* the backend follows the frontend */
};

static char path_buf[256];

static const char *P(const char *dir, const char *key)
{
    snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, key);
    return path_buf;
}

static unsigned long node_uint(struct fx *f, const char *path)
{
    const char *v = fake_xs_get(&f->d, path);

    if (!v)
        fail_msg("missing %s", path);
    return strtoul(v, NULL, 10);
}

/* ---- netfront ---- */

static void net_nodes(struct fx *f)
{
    fake_xs_set(&f->d, P(f->k->fe, "mac"), "00:16:3e:0a:0b:0c");
    fake_xs_set(&f->d, P(f->k->be, "feature-rx-copy"), "1");
    fake_xs_set(&f->d, P(f->k->be, "feature-sg"), "1");
}

static int net_init(struct fx *f)
{
    struct xenbus_front_env env;
    struct netfront_config cfg = {.timeout_ns = SECOND};

    fnb_init(&f->nb);
    env = fnb_ops(&f->nb);
    return netfront_init(&f->nf, &env, &cfg);
}

static struct xenbus_front *net_front(struct fx *f)
{
    return &f->nf.fe;
}

static struct fake_env *net_env(struct fx *f)
{
    return &f->nb.env;
}

static void net_map(struct fx *f)
{
    assert_int_equal(
        fnb_attach(&f->nb, 0,
                   (grant_ref_t)node_uint(f, P(f->k->fe, "tx-ring-ref")),
                   (grant_ref_t)node_uint(f, P(f->k->fe, "rx-ring-ref"))),
        0);
}

static void net_unmap(struct fx *f)
{
    (void)f; /* netback's view is replaced at the next map */
}

static void net_io(struct fx *f)
{
    static uint8_t buf[100];
    static struct fnb_tx_pkt tp;
    struct xn_pkt p = {.nr_frags = 1, .frags = {{buf, sizeof(buf)}}};

    memset(buf, 0x5a, sizeof(buf));
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(fnb_tx_pop(&f->nb, 0, &tp), 1);
    assert_memory_equal(tp.data, buf, sizeof(buf));
    fnb_tx_complete(&f->nb, 0, &tp, NETIF_RSP_OKAY);
    fnb_tx_push(&f->nb, 0);
    assert_true(xn_netdev_poll(&f->nf.dev, 8) >= 0);
}

static const struct kind net_kind = {
    .name = "netfront",
    .fe = "device/vif/0",
    .be = "/local/domain/0/backend/vif/5/0",
    .devid = 0,
    .map_on = "4",
    .nodes = net_nodes,
    .init = net_init,
    .front = net_front,
    .env = net_env,
    .map = net_map,
    .unmap = net_unmap,
    .io = net_io,
};

/* ---- blkfront ---- */

static void blk_nodes(struct fx *f)
{
    fake_xs_set(&f->d, P(f->k->be, "sectors"), "2048");
    fake_xs_set(&f->d, P(f->k->be, "sector-size"), "512");
    fake_xs_set(&f->d, P(f->k->be, "info"), "0");
    fake_xs_set(&f->d, P(f->k->be, "feature-flush-cache"), "1");
}

static int blk_init(struct fx *f)
{
    struct xenbus_front_env env;
    struct blkfront_config cfg = {.timeout_ns = SECOND, .max_ring_order = 1};

    fbb_init(&f->bb, 1u << 20);
    f->bb.serve_on_wait = true;
    env = fbb_ops(&f->bb);
    return blkfront_init(&f->bf, &env, &cfg);
}

static struct xenbus_front *blk_front(struct fx *f)
{
    return &f->bf.fe;
}

static struct fake_env *blk_env(struct fx *f)
{
    return &f->bb.env;
}

static void blk_map(struct fx *f)
{
    grant_ref_t ref = (grant_ref_t)node_uint(f, P(f->k->fe, "ring-ref"));

    assert_int_equal(fbb_attach(&f->bb, 0, &ref, 1), 0);
}

static void blk_unmap(struct fx *f)
{
    fbb_detach(&f->bb, 0);
}

static void blk_io(struct fx *f)
{
    static uint8_t out[4096], in[4096];

    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(xn_blkdev_write(&f->bf.dev, 8, out, sizeof(out)), 0);
    assert_int_equal(xn_blkdev_read(&f->bf.dev, 8, in, sizeof(in)), 0);
    assert_memory_equal(in, out, sizeof(in));
}

static const struct kind blk_kind = {
    .name = "blkfront",
    .fe = "device/vbd/768",
    .be = "/local/domain/0/backend/vbd/5/768",
    .devid = 768,
    .map_on = "3",
    .nodes = blk_nodes,
    .init = blk_init,
    .front = blk_front,
    .env = blk_env,
    .map = blk_map,
    .unmap = blk_unmap,
    .io = blk_io,
};

/* ---- the shared harness ---- */

/* A Linux backend's reactions to our state node, as far as needed. */
static void backend_model(struct fake_xs *d, const char *path,
                          const char *value)
{
    struct fx *f = d->hook_arg;
    char be_state[160];

    if (!f->model || strcmp(path, P(f->k->fe, "state")) != 0)
        return;
    snprintf(be_state, sizeof(be_state), "%s/state", f->k->be);
    if (strcmp(value, f->k->map_on) == 0 &&
        strcmp(fake_xs_get(d, be_state), "2") == 0) {
        f->k->map(f);
        fake_xs_set_fire(d, be_state, "4");
    } else if (strcmp(value, "5") == 0) { /* Closing: let go, close */
        f->k->unmap(f);
        fake_xs_set_fire(d, be_state, "6");
    } else if (strcmp(value, "1") == 0 &&
               strcmp(fake_xs_get(d, be_state), "6") == 0) {
        fake_xs_set_fire(d, be_state, "2"); /* hotplug again */
    }
}

static void toolstack_nodes(struct fx *f, const char *be)
{
    fake_xs_set(&f->d, P(f->k->fe, "backend"), be);
    fake_xs_set(&f->d, P(f->k->fe, "backend-id"), "0");
    fake_xs_set(&f->d, P(f->k->fe, "state"), "1");
    fake_xs_set(&f->d, P(be, "state"), "2");
}

static int setup(void **state)
{
    const struct kind *k = *state;
    struct fx *f = calloc(1, sizeof(*f));
    struct xs_transport t;

    if (!f)
        return -1;
    f->k = k;
    fake_xs_init(&f->d, 0);
    f->d.hook_arg = f;
    f->d.on_write = backend_model;
    t = fake_xs_transport(&f->d);
    if (xs_conn_init(&f->c, &f->d.intf, &t))
        return -1;
    toolstack_nodes(f, k->be);
    k->nodes(f);
    if (k->init(f))
        return -1;
    f->gnt_free0 = gnttab_nr_free();
    f->model = true;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = f->k->front(f);

    if (fe->cls) {
        fe->cls->release(fe);
        xenbus_front_reap(fe); /* whatever the fake backend let go */
        xenbus_front_fini(fe);
    }
    /* Nothing leaked: every page back, every grant free again. */
    assert_int_equal(f->k->env(f)->live_pages, 0);
    assert_int_equal(gnttab_nr_free(), f->gnt_free0);
    fnb_fini(&f->nb);
    fbb_fini(&f->bb);
    fake_xs_fini(&f->d);
    free(f);
    return 0;
}

static struct xenbus_front *connect(struct fx *f)
{
    struct xenbus_front *fe = f->k->front(f);

    assert_int_equal(xenbus_front_probe(fe, &f->c, f->k->devid), 0);
    assert_int_equal(xenbus_front_connect(fe), 0);
    assert_true(fe->active);
    assert_int_equal(fe->state, XenbusStateConnected);
    assert_int_equal(node_uint(f, P(f->k->fe, "state")), XenbusStateConnected);
    f->k->io(f);
    return fe;
}

static void set_back(struct fx *f, const char *be, const char *v)
{
    fake_xs_set(&f->d, P(be, "state"), v);
}

/* Step until nothing is left to do (bounded). */
static void settle(struct xenbus_front *fe)
{
    for (int i = 0; i < 16; i++) {
        enum xenbus_action a;

        assert_int_equal(xenbus_front_step(fe, &a), 0);
        if (a == XENBUS_ACT_NONE)
            return;
    }
    fail_msg("the lifecycle does not settle");
}

/* ---- scenarios ---- */

static void connect_then_disconnect(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);

    assert_int_equal(xenbus_front_disconnect(fe), 0);
    assert_false(fe->active);
    assert_false(fe->rings);
    assert_int_equal(node_uint(f, P(f->k->fe, "state")),
                     XenbusStateInitialising);
    /* And again, on the same backend. */
    assert_int_equal(xenbus_front_connect(fe), 0);
    f->k->io(f);
}

static void backend_restart_reconnects(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);
    unsigned int opened = f->k->env(f)->opened;

    f->model = false;
    set_back(f, f->k->be, "5"); /* the backend closes under us */
    settle(fe);
    assert_false(fe->active);
    assert_int_equal(fe->state, XenbusStateClosed);
    f->k->unmap(f);
    set_back(f, f->k->be, "6");
    settle(fe);
    assert_false(fe->rings); /* it said Closed: released */
    assert_int_equal(fe->state, XenbusStateInitialising);
    f->model = true;
    set_back(f, f->k->be, "2"); /* and comes back */
    settle(fe);
    assert_false(fe->active); /* a back-off first: 1 s */
    assert_int_equal(fe->retry_at, f->k->env(f)->now_ns + 1000000000ULL);
    assert_int_equal(xenbus_front_next_deadline(fe), fe->retry_at);
    f->k->env(f)->now_ns = fe->retry_at;
    settle(fe);
    assert_true(fe->active);
    assert_true(f->k->env(f)->opened > opened); /* new rings, new ports */
    f->k->io(f);
}

/* A back-off ends when the backend moves on instead of offering the
 * connection: no stale deadline is left to wake the device thread. */
static void backoff_does_not_outlive_its_connect(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);

    f->model = false;
    set_back(f, f->k->be, "5");
    settle(fe);
    f->k->unmap(f);
    set_back(f, f->k->be, "6");
    settle(fe);
    set_back(f, f->k->be, "2");
    settle(fe);
    assert_true(fe->retry_at != 0); /* waiting to reconnect */
    set_back(f, f->k->be, "5");     /* the backend closes again */
    settle(fe);
    assert_int_equal(fe->retry_at, 0);
    assert_int_equal(xenbus_front_next_deadline(fe), 0);
}

static void rings_kept_until_backend_lets_go(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);
    enum xenbus_action a;

    f->model = false;
    set_back(f, f->k->be, "5");
    assert_int_equal(xenbus_front_step(fe, &a), 0);
    assert_int_equal(a, XENBUS_ACT_CLOSE);
    assert_true(fe->rings);
    assert_int_equal(xenbus_front_step(fe, &a), 0);
    assert_int_equal(a, XENBUS_ACT_GO_CLOSED);
    assert_int_equal(fe->state, XenbusStateClosed);
    assert_true(fe->rings); /* the backend is Closing: it may still map */
    assert_int_equal(xenbus_front_step(fe, &a), 0);
    assert_true(fe->rings);
    f->k->unmap(f);
    set_back(f, f->k->be, "6");
    assert_int_equal(xenbus_front_step(fe, &a), 0);
    assert_false(fe->rings);
    assert_int_equal(a, XENBUS_ACT_RESET);
}

static const struct xn_netdev_ops wrapper_ops;

static void toolstack_removes_and_recreates(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);
    static const char *be2 = "/local/domain/0/backend/other/5/9";

    /* xl *-detach: our directory goes away. */
    f->k->unmap(f);
    xenbus_front_gone(fe);
    assert_false(fe->active);
    assert_false(fe->rings);
    assert_int_equal(fe->state, XenbusStateUnknown);
    /* xl *-attach: a new backend instance. */
    f->model = false;
    toolstack_nodes(f, be2);
    fake_xs_set(&f->d, P(be2, "feature-rx-copy"), "1");
    fake_xs_set(&f->d, P(be2, "sectors"), "2048");
    fake_xs_set(&f->d, P(be2, "sector-size"), "512");
    fake_xs_set(&f->d, P(be2, "info"), "0");
    if (f->k == &net_kind)
        f->nf.dev.ops = &wrapper_ops; /* a registry's locked wrapper */
    assert_int_equal(xenbus_front_reprobe(fe), 0);
    assert_string_equal(fe->xb.backend, be2);
    if (f->k == &net_kind) /* kept: the stack may call in meanwhile */
        assert_ptr_equal(f->nf.dev.ops, &wrapper_ops);
    assert_false(fe->broken);
    assert_int_equal(fe->state, XenbusStateInitialising);
}

static void suspend_cancelled_resumes_in_place(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);
    unsigned int opened = f->k->env(f)->opened;
    unsigned int free_before = gnttab_nr_free();

    xenbus_front_suspend(fe);
    assert_false(fe->active);
    assert_true(fe->rings);
    assert_int_equal(xenbus_front_resume(fe, true), 0);
    assert_true(fe->active);
    /* Nothing reconnected: the same rings, grants and ports. */
    assert_int_equal(f->k->env(f)->opened, opened);
    assert_int_equal(gnttab_nr_free(), free_before);
    assert_int_equal(fe->state, XenbusStateConnected);
    f->k->io(f);
}

static void suspend_restore_reconnects(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);
    unsigned int pages = f->k->env(f)->live_pages;

    xenbus_front_suspend(fe);
    /* xl save + xl restore: a new grant table, every port closed, the
     * toolstack re-creates the backend and resets our state node. */
    fake_env_restore(f->k->env(f));
    f->gnt_free0 = gnttab_nr_free();
    f->k->unmap(f);
    toolstack_nodes(f, f->k->be);
    assert_int_equal(xenbus_front_resume(fe, false), 0);
    assert_false(fe->rings);
    assert_int_equal(f->k->env(f)->live_pages, 0); /* old pages freed */
    assert_int_equal(xenbus_front_connect(fe), 0);
    f->k->io(f);
    assert_true(f->k->env(f)->live_pages <= pages); /* nothing doubled */
}

static void req_done(struct xn_blkreq *req, void *arg)
{
    (void)req;
    ++*(int *)arg;
}

/* blkfront only: a write in flight at the save is replayed after the
 * restore, and lands on the disk. */
static void blk_inflight_replayed_after_restore(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);
    static uint8_t data[4096];
    int done = 0;
    struct xn_blkreq req = {.op = XN_BLK_WRITE,
                            .sector = 40,
                            .buf = data,
                            .len = sizeof(data),
                            .done = req_done,
                            .arg = &done};

    memset(data, 0xc3, sizeof(data));
    assert_int_equal(xn_blkdev_submit(&f->bf.dev, &req), 0);
    assert_int_equal(f->bf.nr_parked, 0);
    xenbus_front_suspend(fe); /* the backend never answered it */
    fake_env_restore(&f->bb.env);
    f->gnt_free0 = gnttab_nr_free();
    f->k->unmap(f);
    toolstack_nodes(f, f->k->be);
    assert_int_equal(xenbus_front_resume(fe, false), 0);
    assert_int_equal(f->bf.nr_parked, 1);
    assert_int_equal(done, 0); /* not failed: parked */
    assert_int_equal(xenbus_front_connect(fe), 0);
    assert_int_equal(f->bf.nr_parked, 0); /* resubmitted */
    assert_int_equal(fbb_serve(&f->bb, 0), 1);
    assert_true(xn_blkdev_poll(&f->bf.dev) >= 0);
    assert_int_equal(done, 1);
    assert_int_equal(req.status, 0);
    assert_memory_equal(f->bb.disk + 40 * 512, data, sizeof(data));
}

static void broken_backend_is_never_reconnected(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);
    enum xenbus_action a;

    set_back(f, f->k->be, "99");
    assert_int_equal(xenbus_front_step(fe, &a), -EIO);
    assert_true(fe->broken);
    assert_false(fe->active);
    assert_non_null(strstr(fe->last_error, f->k->be));
    /* It only closes: Closing, then Closed once the backend is. */
    set_back(f, f->k->be, "4");
    assert_int_equal(xenbus_front_step(fe, &a), 0);
    assert_int_equal(fe->state, XenbusStateClosing);
    set_back(f, f->k->be, "2"); /* an offer to connect is refused */
    settle(fe);
    assert_true(fe->state == XenbusStateClosing ||
                fe->state == XenbusStateClosed);
    assert_false(fe->active);
    assert_int_equal(xenbus_front_connect(fe), -EIO);
}

/* A backend that flips between Initialising and InitWait every 0.9 s:
 * each wait ends before its timeout, yet the connect as a whole must
 * give up within its one timeout. */
static uint64_t next_flip;

static void flapping_backend(struct fake_xs *d)
{
    struct fx *f = d->hook_arg;
    char path[160];

    if (d->now_ns < next_flip)
        return;
    next_flip = d->now_ns + 900ULL * 1000 * 1000;
    snprintf(path, sizeof(path), "%s/state", f->k->be);
    fake_xs_set_fire(d, path, strcmp(fake_xs_get(d, path), "1") ? "1" : "2");
}

static void connect_has_one_deadline(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = f->k->front(f);
    uint64_t t0;

    f->model = false;
    set_back(f, f->k->be, "1");
    assert_int_equal(xenbus_front_probe(fe, &f->c, f->k->devid), 0);
    t0 = f->d.now_ns;
    next_flip = t0 + 900ULL * 1000 * 1000;
    f->d.on_tick = flapping_backend;
    assert_int_equal(xenbus_front_connect(fe), -ETIMEDOUT);
    f->d.on_tick = NULL;
    assert_true(f->d.now_ns - t0 <= fe->timeout_ns + 10ULL * 1000 * 1000);
    assert_non_null(strstr(fe->last_error, "within 1000 ms"));
    assert_false(fe->active);
}

/* The backend maps every grant we gave it (and never lets go). */
static void map_everything(struct fake_env *e, bool on)
{
    for (unsigned int r = 0; r < FAKE_ENV_GNT_ENTRIES; r++)
        if (e->gnt[r].flags & GTF_permit_access) {
            if (on)
                e->gnt[r].flags |= GTF_reading;
            else
                e->gnt[r].flags &= (uint16_t)~GTF_reading;
        }
}

/*
 * A hostile backend cycles Connected -> Closing -> Closed -> InitWait
 * with every grant still mapped. The pages it holds are kept, never
 * reused, and count against the device's quota; reconnects back off and
 * stop after XENBUS_FRONT_MAX_CYCLES; the rest of the grant table stays
 * free for other devices; once the backend lets go, all comes back.
 */
static void hostile_cycles_cannot_exhaust_grants(void **state)
{
    struct fx *f = *state;
    struct xenbus_front *fe = connect(f);
    struct fake_env *e = f->k->env(f);
    unsigned int quota = fe->grant_quota;

    int refused = 0;

    for (int cycle = 0; cycle < 40 && !fe->broken; cycle++) {
        map_everything(e, true);
        set_back(f, f->k->be, "5");
        /* Close, then reconnect after each back-off; a step may fail
         * (quota reached: -ENOSPC; given up: -EIO). */
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 16; i++) {
                enum xenbus_action a;
                int rc = xenbus_front_step(fe, &a);

                refused += rc == -ENOSPC;
                if (rc < 0 || a == XENBUS_ACT_NONE)
                    break;
            }
            if (fe->retry_at)
                e->now_ns = fe->retry_at;
        }
        assert_true(fe->grants_used <= quota);
        assert_true(gnttab_nr_free() + quota >= f->gnt_free0);
    }
    print_message("%s: %u refs deferred in %u blocks, %d connects refused "
                  "by the quota, broken=%d\n",
                  f->k->name, fe->grants_used, fe->nr_deferred, refused,
                  fe->broken);
    /* It gave up (or ran out of quota) instead of exhausting the table. */
    assert_true(fe->broken || !fe->active);
    assert_true(fe->nr_deferred > 0);
    /* The backend lets go at last: everything is released. */
    map_everything(e, false);
    f->k->unmap(f);
    assert_int_equal(xenbus_front_reap(fe), 0);
}

/* Our state after one step for every (front, back); -1 = broken. */
static void every_state_pair(void **state)
{
    enum { U, I, IW, ID, C, CG, CD, RG, RD };
    struct fx *f = *state;
    struct xenbus_front *fe = f->k->front(f);
    const int pub = f->k->map_on[0] - '0'; /* the class's announce state */
    static const int want[9][9] = {
        /*         U   I   IW  ID  C   CG  CD  RG  RD */
        [U] = {I, I, I, I, I, I, I, I, I},
        [I] = {I, I, -2, I, -2, CG, I, I, I},
        [IW] = {IW, IW, -2, IW, -2, CG, IW, IW, IW},
        [ID] = {ID, ID, ID, ID, C, CG, CD, ID, ID},
        [C] = {-1, CG, CG, C, C, CG, CD, C, C},
        [CG] = {CD, CD, CD, CD, CG, CD, CD, CG, CG},
        [CD] = {CD, I, I, CD, CD, CD, I, CD, CD},
        [RG] = {-1, -1, -1, -1, -1, -1, -1, -1, -1},
        [RD] = {-1, -1, -1, -1, -1, -1, -1, -1, -1},
    };

    assert_int_equal(xenbus_front_probe(fe, &f->c, f->k->devid), 0);
    f->model = false;
    for (int fr = 0; fr < 9; fr++) {
        for (int bk = 0; bk < 9; bk++) {
            int w = want[fr][bk] == -2 ? pub : want[fr][bk];
            char v[12];
            int rc;

            fe->cls->release(fe);
            fe->rings = fe->active = fe->broken = false;
            /* A frontend that published rings has them. */
            if (fr == ID || fr == C || fr == CG) {
                assert_int_equal(fe->cls->connect(fe), 0);
                fe->rings = true;
            }
            if (fr == C) {
                fe->active = true;
                fe->cls->set_active(fe, true);
            }
            fe->state = (XenbusState)fr;
            snprintf(v, sizeof(v), "%d", fr);
            fake_xs_set(&f->d, P(f->k->fe, "state"), v);
            snprintf(v, sizeof(v), "%d", bk);
            set_back(f, f->k->be, v);
            rc = xenbus_front_step(fe, NULL);
            if (w < 0) {
                if (rc != -EIO || !fe->broken)
                    fail_msg("%s: front %d back %d: rc %d, not broken",
                             f->k->name, fr, bk, rc);
                continue;
            }
            if (rc != 0 || (int)fe->state != w)
                fail_msg("%s: front %d back %d: rc %d state %d, want %d",
                         f->k->name, fr, bk, rc, fe->state, w);
            assert_int_equal(node_uint(f, P(f->k->fe, "state")), w);
            /* Rings while published; after our Closed only while the
             * backend may still map them. */
            assert_int_equal(
                fe->rings, w == ID || w == C ||
                               (w == CG && (fr == ID || fr == C || fr == CG)) ||
                               (w == CD && fr == CG && (bk == CG || bk == C)));
            /* Live only with both sides Connected, or a fresh
             * announcement still waiting for the backend. */
            assert_int_equal(fe->active, w == C && (fr == C || fr == ID));
        }
    }
}

#define T(fn, k)                                                               \
    {                                                                          \
#fn "/" #k, fn, setup, teardown, (void *)&k##_kind                     \
    }
#define BOTH(fn) T(fn, net), T(fn, blk)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(connect_then_disconnect),
        BOTH(backend_restart_reconnects),
        BOTH(rings_kept_until_backend_lets_go),
        BOTH(toolstack_removes_and_recreates),
        BOTH(suspend_cancelled_resumes_in_place),
        BOTH(suspend_restore_reconnects),
        BOTH(broken_backend_is_never_reconnected),
        BOTH(every_state_pair),
        T(blk_inflight_replayed_after_restore, blk),
        BOTH(connect_has_one_deadline),
        BOTH(backoff_does_not_outlive_its_connect),
        BOTH(hostile_cycles_cannot_exhaust_grants),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
