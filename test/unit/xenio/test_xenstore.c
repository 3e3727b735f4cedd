// SPDX-License-Identifier: MIT
/*
 * test/unit/xenio/test_xenstore.c - host tests of the xenstore client.
 *
 * The test plays xenstored through test/fakes/fake_xs_daemon.c, which
 * runs inside the client's transport.wait(): replies can be delivered a
 * few bytes at a time, across the 1024-byte ring wrap and the 32-bit
 * index wrap, and the test injects raw garbage (wrong req_id, oversized
 * or unknown messages, malformed events) into the response stream.
 * Reference: io/xs_wire.h.
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
#include "xen/xenstore.h"

#define SECOND (1000ULL * 1000 * 1000)

struct fx {
    struct fake_xs d;
    struct xs_conn c;
};

static int setup_at(void **state, uint32_t start)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xs_transport t;

    if (!f)
        return -1;
    fake_xs_init(&f->d, start);
    t = fake_xs_transport(&f->d);
    if (xs_conn_init(&f->c, &f->d.intf, &t))
        return -1;
    f->c.timeout_ns = 1000ULL * 1000 * 1000; /* 1000 fake steps */
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_at(state, 0);
}

/* Start near the 32-bit index wrap and deliver replies 7 bytes a step. */
static int setup_wrap(void **state)
{
    int rc = setup_at(state, 0xffffff80u);

    ((struct fx *)*state)->d.rsp_chunk = 7;
    return rc;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    fake_xs_fini(&f->d);
    free(f);
    return 0;
}

/* ---- pure ring helpers ---- */

static void ring_write_wraps_at_ring_end(void **state)
{
    struct xenstore_domain_interface in;
    char data[100];

    (void)state;
    memset(&in, 0, sizeof(in));
    in.req_prod = in.req_cons = 1000;
    for (int i = 0; i < 100; i++)
        data[i] = (char)i;
    assert_int_equal(xs_ring_write(&in, data, sizeof(data)), 100);
    assert_int_equal(in.req_prod, 1100);
    assert_memory_equal(in.req + 1000, data, 24);
    assert_memory_equal(in.req, data + 24, 76);
}

static void ring_write_stops_when_full(void **state)
{
    struct xenstore_domain_interface in;
    static char data[2000];

    (void)state;
    memset(&in, 0, sizeof(in));
    in.req_prod = in.req_cons = 0xfffffff0u; /* also wraps 32 bits */
    assert_int_equal(xs_ring_write(&in, data, sizeof(data)), 1024);
    assert_int_equal(in.req_prod - in.req_cons, 1024);
    assert_int_equal(xs_ring_write(&in, data, 1), 0);
    in.req_cons += 10;
    assert_int_equal(xs_ring_write(&in, data, sizeof(data)), 10);
}

static void ring_read_partial_and_wrapped(void **state)
{
    struct xenstore_domain_interface in;
    char out[64];

    (void)state;
    memset(&in, 0, sizeof(in));
    in.rsp_cons = 1020;
    in.rsp_prod = 1030; /* bytes 1020..1023 then 0..5 */
    memcpy(in.rsp + 1020, "abcd", 4);
    memcpy(in.rsp, "efghij", 6);
    assert_int_equal(xs_ring_read(&in, out, 3), 3);
    assert_memory_equal(out, "abc", 3);
    assert_int_equal(xs_ring_read(&in, out, sizeof(out)), 7);
    assert_memory_equal(out, "defghij", 7);
    assert_int_equal(in.rsp_cons, 1030);
    assert_int_equal(xs_ring_read(&in, out, sizeof(out)), 0);
}

static void ring_corrupt_indices_rejected(void **state)
{
    struct xenstore_domain_interface in;
    char b[8];

    (void)state;
    memset(&in, 0, sizeof(in));
    in.rsp_prod = 1025; /* a backend claiming more than a ring's worth */
    assert_int_equal(xs_ring_read(&in, b, sizeof(b)), -EIO);
    assert_int_equal(in.rsp_cons, 0);
    in.req_cons = 5; /* consumer ahead of producer */
    assert_int_equal(xs_ring_write(&in, b, sizeof(b)), -EIO);
}

static void error_strings_map_to_errno(void **state)
{
    (void)state;
    assert_int_equal(xs_error_to_errno("ENOENT"), -ENOENT);
    assert_int_equal(xs_error_to_errno("EAGAIN"), -EAGAIN);
    assert_int_equal(xs_error_to_errno("EACCES"), -EACCES);
    assert_int_equal(xs_error_to_errno("E2BIG"), -E2BIG);
    assert_int_equal(xs_error_to_errno("ENOENTX"), -EIO);
    assert_int_equal(xs_error_to_errno(""), -EIO);
}

/* ---- operations against the fake daemon ---- */

static void write_then_read(void **state)
{
    struct fx *f = *state;
    char buf[64];

    assert_int_equal(
        xs_write(&f->c, XS_TX_NONE, "device/vif/0/mac", "00:16:3e:00:00:01"),
        0);
    assert_string_equal(fake_xs_get(&f->d, "device/vif/0/mac"),
                        "00:16:3e:00:00:01");
    assert_int_equal(
        xs_read(&f->c, XS_TX_NONE, "device/vif/0/mac", buf, sizeof(buf)), 17);
    assert_string_equal(buf, "00:16:3e:00:00:01");
    assert_true(f->d.notifies > 0);
    assert_false(f->c.broken);
}

static void many_requests_cross_index_wrap(void **state)
{
    struct fx *f = *state;
    char key[32], val[32], buf[32];

    /* ~40 bytes per request and reply: crosses the 2^32 wrap early on. */
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "data/k%d", i);
        snprintf(val, sizeof(val), "value-%d", i * 7);
        assert_int_equal(xs_write(&f->c, XS_TX_NONE, key, val), 0);
        assert_int_equal(xs_read(&f->c, XS_TX_NONE, key, buf, sizeof(buf)),
                         (int)strlen(val));
        assert_string_equal(buf, val);
    }
    assert_true(f->d.intf.rsp_prod < 0x10000); /* it did wrap */
}

static void read_missing_is_enoent(void **state)
{
    struct fx *f = *state;
    char buf[8];

    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "nope", buf, sizeof(buf)),
                     -ENOENT);
    assert_int_equal(xs_rm(&f->c, XS_TX_NONE, "nope"), -ENOENT);
}

static void read_into_small_buffer_is_erange(void **state)
{
    struct fx *f = *state;
    char buf[4];

    fake_xs_set(&f->d, "k", "12345");
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)),
                     -ERANGE);
}

static void read_uint_validates(void **state)
{
    struct fx *f = *state;
    unsigned long v = 99;

    fake_xs_set(&f->d, "a", "42");
    fake_xs_set(&f->d, "b", "12a");
    fake_xs_set(&f->d, "c", "");
    fake_xs_set(&f->d, "d", "99999999999999999999999");
    fake_xs_set(&f->d, "e", "-1");
    assert_int_equal(xs_read_uint(&f->c, XS_TX_NONE, "a", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(xs_read_uint(&f->c, XS_TX_NONE, "b", &v), -EINVAL);
    assert_int_equal(xs_read_uint(&f->c, XS_TX_NONE, "c", &v), -EINVAL);
    assert_int_equal(xs_read_uint(&f->c, XS_TX_NONE, "d", &v), -EINVAL);
    assert_int_equal(xs_read_uint(&f->c, XS_TX_NONE, "e", &v), -EINVAL);
    assert_int_equal(v, 42);
}

static void directory_lists_children(void **state)
{
    struct fx *f = *state;
    char buf[64];

    fake_xs_set(&f->d, "device/vif/0/backend", "/x");
    fake_xs_set(&f->d, "device/vif/12/backend", "/y");
    assert_int_equal(
        xs_directory(&f->c, XS_TX_NONE, "device/vif", buf, sizeof(buf)), 2);
    /* the fake lists most recently created first */
    assert_string_equal(buf, "12");
    assert_string_equal(buf + 3, "0");
    assert_int_equal(
        xs_directory(&f->c, XS_TX_NONE, "device/vbd", buf, sizeof(buf)),
        -ENOENT);
    assert_int_equal(xs_mkdir(&f->c, XS_TX_NONE, "device/vbd"), 0);
    assert_int_equal(
        xs_directory(&f->c, XS_TX_NONE, "device/vbd", buf, sizeof(buf)), 0);
}

static void large_write_waits_for_ring_space(void **state)
{
    struct fx *f = *state;
    static char big[3001], back[3001];

    memset(big, 'x', 3000);
    f->d.req_chunk = 100; /* a slow daemon: the request ring fills up */
    assert_int_equal(xs_write(&f->c, XS_TX_NONE, "big", big), 0);
    assert_true(f->d.waits > 10);
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "big", back, sizeof(back)),
                     3000);
    assert_memory_equal(back, big, 3000);
}

static void oversized_request_refused_before_sending(void **state)
{
    struct fx *f = *state;
    char *big = malloc(5000);

    assert_non_null(big);
    memset(big, 'y', 4999);
    big[4999] = '\0';
    assert_int_equal(xs_write(&f->c, XS_TX_NONE, "big", big), -E2BIG);
    assert_int_equal(f->d.intf.req_prod, 0);
    free(big);
}

static void ring_stuck_full_times_out_and_breaks(void **state)
{
    struct fx *f = *state;
    static char big[3001];

    memset(big, 'z', 3000);
    f->d.stalled = true;
    assert_int_equal(xs_write(&f->c, XS_TX_NONE, "device/vif/0/big", big),
                     -ETIMEDOUT);
    assert_non_null(strstr(f->d.last_log, "device/vif/0/big"));
    /* Half a request is in the ring: the stream cannot be trusted. */
    assert_true(f->c.broken);
    f->d.stalled = false;
    assert_int_equal(xs_mkdir(&f->c, XS_TX_NONE, "x"), -EIO);
}

static void read_timeout_names_path_and_recovers(void **state)
{
    struct fx *f = *state;
    char buf[32];

    fake_xs_set(&f->d, "device/vif/0/backend", "/local/domain/0/b");
    f->d.stalled = true;
    assert_int_equal(
        xs_read(&f->c, XS_TX_NONE, "device/vif/0/backend", buf, sizeof(buf)),
        -ETIMEDOUT);
    assert_string_equal(f->d.last_log,
                        "xenstore: timeout reading device/vif/0/backend");
    assert_false(f->c.broken);
    /* The late reply must not be taken for the next request's. */
    f->d.stalled = false;
    fake_xs_set(&f->d, "other", "fresh");
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "other", buf, sizeof(buf)), 5);
    assert_string_equal(buf, "fresh");
    assert_int_equal(f->c.dropped_replies, 1);
}

static void watch_event_between_request_and_reply(void **state)
{
    struct fx *f = *state;
    struct xs_watch w;
    char buf[64];

    fake_xs_set(&f->d, "be/state", "2");
    assert_int_equal(xs_watch_add(&f->c, &w, "be/state"), 0);
    /* xenstored fires a new watch once */
    assert_int_equal(xs_watch_wait(&f->c, &w, buf, sizeof(buf), SECOND), 1);
    assert_string_equal(buf, "be/state");
    assert_int_equal(xs_watch_next(&w, buf, sizeof(buf)), 0);

    /* An event lands in the response ring before the read's reply. */
    fake_xs_inject_event(&f->d, "be/state", w.token);
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "be/state", buf, sizeof(buf)),
                     1);
    assert_string_equal(buf, "2");
    assert_int_equal(xs_watch_next(&w, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "be/state");

    /* Another domain writes: the event is routed by token. */
    fake_xs_set_fire(&f->d, "be/state", "4");
    assert_int_equal(xs_watch_wait(&f->c, &w, buf, sizeof(buf), SECOND), 1);
    assert_string_equal(buf, "be/state");

    assert_int_equal(xs_watch_remove(&f->c, &w), 0);
    assert_null(f->c.watches);
    fake_xs_set_fire(&f->d, "be/state", "5"); /* no watch left in daemon */
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "be/state", buf, sizeof(buf)),
                     1);
}

static void resume_after_restore_rewatches_and_drops_stale(void **state)
{
    struct fx *f = *state;
    struct xs_watch w;
    struct xsd_sockmsg half = {.type = XS_READ, .req_id = 99, .len = 10};
    char buf[64];

    fake_xs_set(&f->d, "be/state", "2");
    assert_int_equal(xs_watch_add(&f->c, &w, "be/state"), 0);
    assert_int_equal(xs_watch_wait(&f->c, &w, buf, sizeof(buf), SECOND), 1);
    assert_int_equal(xs_suspend(&f->c), 0);
    assert_true(f->c.busy); /* nobody may start a request now */
    /* The old xenstored left half a reply in the ring, then the domain
     * was saved and restored: a new connection without our watch. */
    fake_xs_inject(&f->d, &half, sizeof(half));
    fake_xs_step(&f->d);
    assert_int_equal(xs_poll(&f->c), 0);
    fake_xs_new_connection(&f->d);
    assert_int_equal(xs_resume(&f->c, false), 0);
    assert_false(f->c.busy);
    /* The stale half reply is gone: requests work. */
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "be/state", buf, sizeof(buf)),
                     1);
    /* The watch is registered again (its initial event, then a write). */
    while (xs_watch_next(&w, buf, sizeof(buf)))
        ;
    fake_xs_set_fire(&f->d, "be/state", "4");
    assert_int_equal(xs_watch_wait(&f->c, &w, buf, sizeof(buf), SECOND), 1);
    assert_string_equal(buf, "be/state");
}

static void cancelled_suspend_keeps_everything(void **state)
{
    struct fx *f = *state;
    struct xs_watch w;
    char buf[64];
    unsigned int req = f->d.requests;

    assert_int_equal(xs_watch_add(&f->c, &w, "a"), 0);
    req = f->d.requests;
    assert_int_equal(xs_suspend(&f->c), 0);
    assert_int_equal(xs_resume(&f->c, true), 0);
    assert_int_equal(f->d.requests, req); /* nothing re-sent */
    assert_int_equal(xs_write(&f->c, XS_TX_NONE, "a", "1"), 0);
    assert_int_equal(xs_watch_wait(&f->c, &w, buf, sizeof(buf), SECOND), 1);
}

static void event_for_unknown_token_dropped(void **state)
{
    struct fx *f = *state;
    char buf[8];

    fake_xs_set(&f->d, "k", "v");
    fake_xs_inject_event(&f->d, "k", "xnw999");
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), 1);
    assert_int_equal(f->c.dropped_events, 1);
}

static void malformed_event_dropped(void **state)
{
    struct fx *f = *state;
    struct xs_watch w;
    char buf[8];

    fake_xs_set(&f->d, "k", "v");
    assert_int_equal(xs_watch_add(&f->c, &w, "k"), 0);
    (void)xs_watch_next(&w, NULL, 0); /* initial event */
    /* "path" with no terminator and no token */
    fake_xs_inject_msg(&f->d, XS_WATCH_EVENT, 0, "kkkk", 4);
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), 1);
    assert_int_equal(xs_watch_next(&w, buf, sizeof(buf)), 0);
    assert_true(f->c.dropped_events >= 1);
    assert_false(f->c.broken);
}

static void watch_queue_overflow_coalesces(void **state)
{
    struct fx *f = *state;
    struct xs_watch w;
    char buf[XS_WATCH_PATH_MAX];
    char path[200];
    int n = 0;

    assert_int_equal(xs_watch_add(&f->c, &w, "be"), 0);
    memset(path, 'p', sizeof(path));
    memcpy(path, "be/", 3);
    path[sizeof(path) - 1] = '\0';
    for (int i = 0; i < 20; i++) /* 20 * 200 bytes > queue */
        fake_xs_inject_event(&f->d, path, w.token);
    assert_int_equal(xs_mkdir(&f->c, XS_TX_NONE, "other"), 0);
    assert_true(w.overflowed);
    while (xs_watch_next(&w, buf, sizeof(buf)) == 1)
        n++;
    assert_true(n >= 1 && n < 20);
}

/*
 * Events ahead of a reply that overfill the ring: the daemon sleeps on a
 * full ring until notified, so the client must notify after it reads.
 */
static void burst_over_a_ring_needs_a_kick_after_reading(void **state)
{
    struct fx *f = *state;
    struct xs_watch w;
    char buf[64];
    char path[100];
    unsigned before;

    assert_int_equal(xs_watch_add(&f->c, &w, "be"), 0);
    fake_xs_set(&f->d, "be/x", "1");
    for (int i = 0; i < 30; i++) { /* 30 * ~100 bytes: three rings' worth */
        snprintf(path, sizeof(path), "be/%090d", i);
        fake_xs_inject_event(&f->d, path, w.token);
    }
    before = f->d.notifies;
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "be/x", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "1");
    assert_true(f->d.notifies >= before + 3); /* request + a kick per ring */
    assert_false(f->c.broken);
}

/*
 * The notify of a request is lost (or xenstored never acts on it): the
 * client notifies again while it waits, so the request is answered late
 * instead of timing out, and the late answer is logged.
 */
static void lost_notify_is_repeated_until_answered(void **state)
{
    struct fx *f = *state;
    char buf[8];

    fake_xs_set(&f->d, "k", "v");
    f->d.needs_notify = true;
    f->d.step_ns = 10ull * 1000 * 1000; /* 10 ms per wait */
    f->c.timeout_ns = 10ull * 1000 * 1000 * 1000;
    /* the request's two (header, then payload) and the kicks at 0.2 and
     * 0.6 s; the one at 1.4 s gets through */
    f->d.lose_notifies = 4;
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), 1);
    assert_string_equal(buf, "v");
    assert_int_equal(f->d.lost_notifies, 4);
    assert_int_equal(f->c.renotified, 3);
    assert_true(f->d.now_ns < 1500ull * 1000 * 1000);
    /* slower than a second: logged */
    assert_non_null(strstr(f->d.last_log, "after 3 re-notification(s)"));
    assert_false(f->c.broken);

    /* one kick lost: answered at 0.2 s, re-notified once, not logged */
    f->d.logs = 0;
    f->d.acted_at_notify = f->d.notifies; /* the daemon has seen them all */
    f->d.lose_notifies = 2;
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), 1);
    assert_int_equal(f->c.renotified, 4);
    assert_int_equal(f->d.logs, 0);

    /* a prompt answer is not re-notified */
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), 1);
    assert_int_equal(f->c.renotified, 4);
}

/* A silent xenstored is still a timeout, re-notified at growing gaps. */
static void silent_daemon_times_out_with_bounded_kicks(void **state)
{
    struct fx *f = *state;
    char buf[8];

    f->d.needs_notify = true;
    f->d.lose_notifies = 1000;
    f->d.step_ns = 10ull * 1000 * 1000;
    f->c.timeout_ns = 10ull * 1000 * 1000 * 1000;
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)),
                     -ETIMEDOUT);
    /* kicks at 0.2, 0.6, 1.4 s, then every 1.6 s: 3.0 ... 9.4 */
    assert_int_equal(f->c.renotified, 8);
    assert_true(f->d.now_ns >= f->c.timeout_ns);
}

static void reply_with_wrong_req_id_ignored(void **state)
{
    struct fx *f = *state;
    char buf[8];

    fake_xs_set(&f->d, "k", "real");
    fake_xs_inject_msg(&f->d, XS_READ, f->c.next_req_id + 100, "fake", 4);
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), 4);
    assert_string_equal(buf, "real");
    assert_int_equal(f->c.dropped_replies, 1);
}

static void reply_of_wrong_type_is_eio(void **state)
{
    struct fx *f = *state;
    char buf[8];

    fake_xs_set(&f->d, "k", "real");
    fake_xs_inject_msg(&f->d, XS_DIRECTORY, f->c.next_req_id, "a\0", 2);
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), -EIO);
    /* the daemon's genuine reply arrives later and is discarded */
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), 4);
    assert_int_equal(f->c.dropped_replies, 1);
}

static void oversized_reply_breaks_connection(void **state)
{
    struct fx *f = *state;
    struct xsd_sockmsg h = {.type = XS_READ,
                            .req_id = f->c.next_req_id,
                            .len = XENSTORE_PAYLOAD_MAX + 1};
    char buf[8];

    fake_xs_set(&f->d, "k", "v");
    fake_xs_inject(&f->d, &h, sizeof(h));
    fake_xs_inject(&f->d, "0123456789", 10);
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), -EIO);
    assert_true(f->c.broken);
    assert_non_null(strstr(f->c.last_error, "XENSTORE_PAYLOAD_MAX"));
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), -EIO);
}

static void garbage_type_breaks_connection(void **state)
{
    struct fx *f = *state;
    struct xsd_sockmsg h = {.type = 0xdeadbeef, .req_id = 1, .len = 2};
    char buf[8];

    fake_xs_inject(&f->d, &h, sizeof(h));
    assert_int_equal(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)), -EIO);
    assert_true(f->c.broken);
}

static void random_garbage_never_crashes(void **state)
{
    struct fx *f = *state;
    unsigned char junk[3000];
    char buf[64];
    uint32_t x = 12345;

    for (size_t i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    fake_xs_inject(&f->d, junk, sizeof(junk));
    /* Whatever the bytes decode to, the call returns an error. */
    assert_true(xs_read(&f->c, XS_TX_NONE, "k", buf, sizeof(buf)) < 0);
}

static void server_ring_error_breaks_connection(void **state)
{
    struct fx *f = *state;

    f->d.intf.server_features = XENSTORE_SERVER_FEATURE_ERROR;
    f->d.intf.error = XENSTORE_ERROR_PROTO;
    assert_int_equal(xs_poll(&f->c), -EIO);
    assert_true(f->c.broken);
}

/* ---- transactions ---- */

struct body_ctx {
    int calls;
    int fail_with;
    xs_tx_t seen;
};

static int counter_body(struct xs_conn *c, xs_tx_t tx, void *arg)
{
    struct body_ctx *b = arg;

    b->calls++;
    b->seen = tx;
    if (b->fail_with)
        return b->fail_with;
    return xs_write(c, tx, "counter", "1");
}

static void transaction_retried_on_eagain(void **state)
{
    struct fx *f = *state;
    struct body_ctx b = {0};

    f->d.fail_commits = 2;
    assert_int_equal(xs_transaction_run(&f->c, counter_body, &b), 0);
    assert_int_equal(b.calls, 3);
    assert_int_equal(f->d.commits, 3);
    assert_int_not_equal(b.seen, XS_TX_NONE);
    assert_string_equal(fake_xs_get(&f->d, "counter"), "1");
}

static void transaction_body_error_aborts(void **state)
{
    struct fx *f = *state;
    struct body_ctx b = {.fail_with = -ENOENT};

    assert_int_equal(xs_transaction_run(&f->c, counter_body, &b), -ENOENT);
    assert_int_equal(b.calls, 1);
    assert_int_equal(f->d.commits, 0); /* ended with "F" */
    assert_int_equal(f->d.last_type, XS_TRANSACTION_END);
}

static void transaction_gives_up_eventually(void **state)
{
    struct fx *f = *state;
    struct body_ctx b = {0};

    f->d.fail_commits = 1000;
    assert_int_equal(xs_transaction_run(&f->c, counter_body, &b), -EAGAIN);
    assert_int_equal(b.calls, XS_TRANSACTION_TRIES);
}

static void watch_wait_timeout_names_path(void **state)
{
    struct fx *f = *state;
    struct xs_watch w;
    char buf[32];

    assert_int_equal(xs_watch_add(&f->c, &w, "be/vif/0/state"), 0);
    assert_int_equal(xs_watch_wait(&f->c, &w, buf, sizeof(buf), SECOND), 1);
    assert_int_equal(xs_watch_wait(&f->c, &w, buf, sizeof(buf), 5000000),
                     -ETIMEDOUT);
    assert_non_null(strstr(f->d.last_log, "be/vif/0/state"));
}

#define T(fn)  cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TW(fn) cmocka_unit_test_setup_teardown(fn, setup_wrap, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_write_wraps_at_ring_end),
        cmocka_unit_test(ring_write_stops_when_full),
        cmocka_unit_test(ring_read_partial_and_wrapped),
        cmocka_unit_test(ring_corrupt_indices_rejected),
        cmocka_unit_test(error_strings_map_to_errno),
        T(write_then_read),
        TW(write_then_read),
        TW(many_requests_cross_index_wrap),
        T(read_missing_is_enoent),
        T(read_into_small_buffer_is_erange),
        T(read_uint_validates),
        TW(directory_lists_children),
        T(large_write_waits_for_ring_space),
        TW(large_write_waits_for_ring_space),
        T(oversized_request_refused_before_sending),
        T(ring_stuck_full_times_out_and_breaks),
        T(read_timeout_names_path_and_recovers),
        T(watch_event_between_request_and_reply),
        TW(watch_event_between_request_and_reply),
        T(resume_after_restore_rewatches_and_drops_stale),
        T(cancelled_suspend_keeps_everything),
        T(event_for_unknown_token_dropped),
        T(lost_notify_is_repeated_until_answered),
        T(silent_daemon_times_out_with_bounded_kicks),
        T(malformed_event_dropped),
        T(watch_queue_overflow_coalesces),
        T(burst_over_a_ring_needs_a_kick_after_reading),
        T(reply_with_wrong_req_id_ignored),
        TW(reply_of_wrong_type_is_eio),
        T(oversized_reply_breaks_connection),
        TW(oversized_reply_breaks_connection),
        T(garbage_type_breaks_connection),
        T(random_garbage_never_crashes),
        T(server_ring_error_breaks_connection),
        TW(transaction_retried_on_eagain),
        T(transaction_body_error_aborts),
        T(transaction_gives_up_eventually),
        T(watch_wait_timeout_names_path),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
