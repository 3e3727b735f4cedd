// SPDX-License-Identifier: MIT
/*
 * test/unit/xenio/test_xenbus.c - host tests of the xenbus device layer.
 *
 * Every (front, back) state pair of xenbus_front_action() is checked
 * against a matrix written out independently here, plus out-of-range
 * values. The xenstore side runs against test/fakes/fake_xs_daemon.c; a
 * small backend model in the daemon's on_write hook answers the
 * frontend's state changes (or does not, to test the timeouts), and
 * the toolstack's nodes are filled with hostile values.
 * Reference: io/xenbus.h.
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

#include "fake_xs_daemon.h"
#include "xen/xenbus.h"

#define SECOND (1000ULL * 1000 * 1000)
#define BE     "/local/domain/0/backend/vif/5/0"

struct fx {
    struct fake_xs d;
    struct xs_conn c;
    struct xenbus_dev dev;
    char front_writes[16]; /* states the frontend wrote, as digits */
    bool backend_follows;  /* the backend model answers */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xs_transport t;

    if (!f)
        return -1;
    fake_xs_init(&f->d, 0);
    f->d.hook_arg = f;
    t = fake_xs_transport(&f->d);
    if (xs_conn_init(&f->c, &f->d.intf, &t))
        return -1;
    fake_xs_set(&f->d, "device/vif/0/backend", BE);
    fake_xs_set(&f->d, "device/vif/0/backend-id", "0");
    fake_xs_set(&f->d, "device/vif/0/state", "1");
    fake_xs_set(&f->d, BE "/state", "4");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    fake_xs_fini(&f->d);
    free(f);
    return 0;
}

/* ---- the pure state table ---- */

enum { U, I, IW, ID, C, CG, CD, RG, RD };
#define N  XENBUS_ACT_NONE
#define CN XENBUS_ACT_CONNECT
#define GC XENBUS_ACT_GO_CONNECTED
#define CL XENBUS_ACT_CLOSE
#define GD XENBUS_ACT_GO_CLOSED
#define R  XENBUS_ACT_RESET
#define B  XENBUS_ACT_BROKEN

static void every_state_pair(void **state)
{
    /* rows: front; columns: back U I IW ID C CG CD RG RD */
    static const enum xenbus_action want[9][9] = {
        [U] = {R, R, R, R, R, R, R, R, R},
        [I] = {N, N, CN, N, CN, CL, N, N, N},
        [IW] = {N, N, CN, N, CN, CL, N, N, N},
        [ID] = {N, N, N, N, GC, CL, GD, N, N},
        [C] = {B, CL, CL, N, N, CL, GD, N, N},
        [CG] = {GD, GD, GD, GD, N, GD, GD, N, N},
        [CD] = {N, R, R, N, N, N, R, N, N},
        [RG] = {B, B, B, B, B, B, B, B, B},
        [RD] = {B, B, B, B, B, B, B, B, B},
    };
    static const uint32_t bad[] = {9, 10, 255, 0x80000000u, UINT32_MAX};

    (void)state;
    for (uint32_t fr = 0; fr < 9; fr++) {
        for (uint32_t bk = 0; bk < 9; bk++) {
            enum xenbus_action a = xenbus_front_action(fr, bk);

            if (a != want[fr][bk])
                fail_msg("front %s back %s: action %d, want %d",
                         xenbus_state_name(fr), xenbus_state_name(bk), a,
                         want[fr][bk]);
        }
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (uint32_t s = 0; s < 9; s++) {
            assert_int_equal(xenbus_front_action(bad[i], s), B);
            assert_int_equal(xenbus_front_action(s, bad[i]), B);
        }
    }
    assert_string_equal(xenbus_state_name(4), "Connected");
    assert_string_equal(xenbus_state_name(9), "invalid");
}

/* Apply an action to the frontend state, as a driver would. */
static uint32_t apply(uint32_t front, enum xenbus_action a)
{
    switch (a) {
    case XENBUS_ACT_CONNECT:
        return ID;
    case XENBUS_ACT_GO_CONNECTED:
        return C;
    case XENBUS_ACT_CLOSE:
        return CG;
    case XENBUS_ACT_GO_CLOSED:
        return CD;
    case XENBUS_ACT_RESET:
        return I;
    default:
        return front;
    }
}

static void connect_close_reconnect_walk(void **state)
{
    /* backend states over time, and the front state expected after each */
    static const uint32_t back[] = {I, IW, C, CG, CD, CD, IW, C};
    static const uint32_t front[] = {I, ID, C, CG, CD, I, ID, C};
    uint32_t f = U;

    (void)state;
    f = apply(f, xenbus_front_action(f, I));
    for (size_t i = 0; i < sizeof(back) / sizeof(back[0]); i++) {
        f = apply(f, xenbus_front_action(f, back[i]));
        assert_int_equal(f, front[i]);
    }
}

/* ---- xenstore side ---- */

static void enumerate_lists_numeric_devices(void **state)
{
    struct fx *f = *state;
    unsigned int ids[4] = {0};
    int n;

    fake_xs_set(&f->d, "device/vif/3/backend", BE);
    fake_xs_set(&f->d, "device/vif/junk/backend", BE);
    fake_xs_set(&f->d, "device/vif/4294967296/backend", BE); /* > 31 bits */
    n = xenbus_enumerate(&f->c, "vif", ids, 4);
    assert_int_equal(n, 2);
    assert_true((ids[0] == 0 && ids[1] == 3) || (ids[0] == 3 && ids[1] == 0));
    assert_int_equal(xenbus_enumerate(&f->c, "vif", ids, 1), 2);
    assert_int_equal(xenbus_enumerate(&f->c, "vbd", ids, 4), 0);
}

static void dev_init_reads_backend(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, "device/vif/0/backend-id", "7");
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);
    assert_string_equal(f->dev.nodename, "device/vif/0");
    assert_string_equal(f->dev.backend, BE);
    assert_int_equal(f->dev.backend_id, 7);
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 1), -ENOENT);
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "toolongtype", 0),
                     -EINVAL);
}

static void dev_init_rejects_hostile_values(void **state)
{
    struct fx *f = *state;
    static const char *const bad_ids[] = {
        "", "abc", "-1", "32752", "99999999999999999999", "1 "};
    char longpath[300];

    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
        fake_xs_set(&f->d, "device/vif/0/backend-id", bad_ids[i]);
        if (xenbus_dev_init(&f->c, &f->dev, "vif", 0) != -EIO)
            fail_msg("backend-id \"%s\" accepted", bad_ids[i]);
    }
    fake_xs_set(&f->d, "device/vif/0/backend-id", "32751");
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);

    fake_xs_set(&f->d, "device/vif/0/backend", "relative/path");
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), -EIO);
    memset(longpath, 'a', sizeof(longpath));
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = '\0';
    fake_xs_set(&f->d, "device/vif/0/backend", longpath);
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), -EIO);
    assert_false(f->c.broken);
}

static void read_and_switch_state(void **state)
{
    struct fx *f = *state;
    XenbusState st = XenbusStateClosed;
    static const char *const bad[] = {"9",  "4x",           "",
                                      "-4", "00000000004x", "12345678"};

    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);
    assert_int_equal(xenbus_read_state(&f->c, XS_TX_NONE, BE, &st), 0);
    assert_int_equal(st, XenbusStateConnected);
    assert_int_equal(xenbus_read_state(&f->c, XS_TX_NONE, "nowhere", &st), 0);
    assert_int_equal(st, XenbusStateUnknown);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fake_xs_set(&f->d, BE "/state", bad[i]);
        st = XenbusStateClosed;
        if (xenbus_read_state(&f->c, XS_TX_NONE, BE, &st) != -EIO)
            fail_msg("state \"%s\" accepted", bad[i]);
        assert_int_equal(st, XenbusStateClosed); /* untouched */
    }
    assert_int_equal(
        xenbus_switch_state(&f->c, &f->dev, XenbusStateInitialised), 0);
    assert_string_equal(fake_xs_get(&f->d, "device/vif/0/state"), "3");
    assert_int_equal(xenbus_switch_state(&f->c, &f->dev, (XenbusState)9),
                     -EINVAL);
}

static void backend_features(void **state)
{
    struct fx *f = *state;

    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);
    fake_xs_set(&f->d, BE "/feature-rx-notify", "1");
    fake_xs_set(&f->d, BE "/feature-sg", "0");
    fake_xs_set(&f->d, BE "/feature-gso-tcpv4", "yes");
    unsigned long v = 7;

    assert_int_equal(xenbus_read_uint(&f->c, XS_TX_NONE, f->dev.backend,
                                      "feature-rx-notify", &v),
                     1);
    assert_int_equal(v, 1);
    assert_int_equal(
        xenbus_read_uint(&f->c, XS_TX_NONE, f->dev.backend, "feature-sg", &v),
        1);
    assert_int_equal(v, 0);
    assert_int_equal(xenbus_read_uint(&f->c, XS_TX_NONE, f->dev.backend,
                                      "feature-missing", &v),
                     0);
    assert_int_equal(xenbus_read_uint(&f->c, XS_TX_NONE, f->dev.backend,
                                      "feature-gso-tcpv4", &v),
                     -EINVAL);
}

/* Backend model: follows the frontend's state node like netback. */
static void backend_model(struct fake_xs *d, const char *path,
                          const char *value)
{
    struct fx *f = d->hook_arg;
    size_t n = strlen(f->front_writes);

    if (strcmp(path, "device/vif/0/state") != 0)
        return;
    if (n + 1 < sizeof(f->front_writes))
        f->front_writes[n] = value[0];
    if (!f->backend_follows)
        return;
    if (strcmp(value, "3") == 0)
        fake_xs_set_fire(d, BE "/state", "4");
    else if (strcmp(value, "5") == 0)
        fake_xs_set_fire(d, BE "/state", "5");
    else if (strcmp(value, "6") == 0)
        fake_xs_set_fire(d, BE "/state", "6");
    else if (strcmp(value, "1") == 0)
        fake_xs_set_fire(d, BE "/state", "2");
}

static void wait_for_backend_connected(void **state)
{
    struct fx *f = *state;
    XenbusState st;

    f->d.on_write = backend_model;
    f->backend_follows = true;
    fake_xs_set(&f->d, BE "/state", "2");
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);
    assert_int_equal(xenbus_wait_backend_state(&f->c, &f->dev,
                                               XENBUS_MASK(XenbusStateInitWait),
                                               SECOND, &st),
                     0);
    assert_int_equal(st, XenbusStateInitWait);
    assert_int_equal(
        xenbus_switch_state(&f->c, &f->dev, XenbusStateInitialised), 0);
    assert_int_equal(
        xenbus_wait_backend_state(
            &f->c, &f->dev, XENBUS_MASK(XenbusStateConnected), SECOND, &st),
        0);
    assert_int_equal(st, XenbusStateConnected);
    assert_null(f->c.watches); /* the temporary watch is gone */
}

static void wait_times_out_naming_path(void **state)
{
    struct fx *f = *state;

    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);
    assert_int_equal(xenbus_wait_backend_state(&f->c, &f->dev,
                                               XENBUS_MASK(XenbusStateClosed),
                                               SECOND / 10, NULL),
                     -ETIMEDOUT);
    assert_non_null(strstr(f->d.last_log, BE "/state"));
    assert_non_null(strstr(f->d.last_log, "timeout"));
    assert_null(f->c.watches);
}

static void orderly_close_walks_each_step(void **state)
{
    struct fx *f = *state;

    f->d.on_write = backend_model;
    f->backend_follows = true;
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);
    assert_int_equal(xenbus_close(&f->c, &f->dev, SECOND), 0);
    assert_string_equal(f->front_writes, "561");
    assert_string_equal(fake_xs_get(&f->d, "device/vif/0/state"), "1");
    assert_string_equal(fake_xs_get(&f->d, BE "/state"), "2");
}

static void close_with_dead_backend_times_out_closed(void **state)
{
    struct fx *f = *state;

    f->d.on_write = backend_model;
    f->backend_follows = false; /* stays Connected */
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);
    assert_int_equal(xenbus_close(&f->c, &f->dev, SECOND / 10), -ETIMEDOUT);
    assert_string_equal(f->front_writes, "56");
    assert_non_null(strstr(f->d.last_log, BE "/state"));
}

static void close_with_garbage_backend_state_is_eio(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/state", "banana");
    assert_int_equal(xenbus_dev_init(&f->c, &f->dev, "vif", 0), 0);
    assert_int_equal(xenbus_close(&f->c, &f->dev, SECOND), -EIO);
    assert_false(f->c.broken); /* a bad device, not a bad xenstore */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_state_pair),
        cmocka_unit_test(connect_close_reconnect_walk),
        T(enumerate_lists_numeric_devices),
        T(dev_init_reads_backend),
        T(dev_init_rejects_hostile_values),
        T(read_and_switch_state),
        T(backend_features),
        T(wait_for_backend_connected),
        T(wait_times_out_naming_path),
        T(orderly_close_walks_each_step),
        T(close_with_dead_backend_times_out_closed),
        T(close_with_garbage_backend_state_is_eio),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
