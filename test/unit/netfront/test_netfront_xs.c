// SPDX-License-Identifier: MIT
/*
 * test/unit/netfront/test_netfront_xs.c - host tests of netfront's
 * xenbus handshake over the fake xenstored.
 *
 * The toolstack's and backend's nodes are written into
 * test/fakes/fake_xs_daemon.c's tree; a small backend model in its
 * on_write hook answers the frontend's state changes (or stays silent,
 * for the timeouts). Checked: probe (MAC, MTU, hostile values), feature
 * combinations present, absent and absurd, the published keys (top level
 * for one queue, queue-N/ only for several, split event channels),
 * transaction retry on EAGAIN, and a full disconnect/reconnect cycle with
 * traffic after it. The lifecycle both classes share (every state pair,
 * broken backends, suspend) is tested once for both in
 * test/unit/front/test_front_lifecycle.c.
 * Reference: io/netif.h, io/xenbus.h.
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

#include "fake_netback.h"
#include "fake_xs_daemon.h"
#include "xen/gnttab.h"

#define FE     "device/vif/0"
#define BE     "/local/domain/0/backend/vif/5/0"
#define SECOND (1000ULL * 1000 * 1000)

struct fx {
    struct fake_xs d;
    struct xs_conn c;
    struct fake_netback fb;
    struct netfront nf;
    unsigned int nr_free0;
    bool model; /* the backend follows the frontend */
    unsigned int link_up, link_down;
};

static void cb_link(struct xn_netdev *dev, bool up, void *arg)
{
    struct fx *f = arg;

    (void)dev;
    if (up)
        f->link_up++;
    else
        f->link_down++;
}

/*
 * Netback's reactions to our state node, as far as a test needs them.
 * As Linux netback does (and as seen on Xen 4.17 + Linux 6.1), it maps
 * the rings when the frontend says Connected and ignores Initialised.
 */
static void backend_model(struct fake_xs *d, const char *path,
                          const char *value)
{
    struct fx *f = d->hook_arg;

    if (!f->model || strcmp(path, FE "/state") != 0)
        return;
    if (strcmp(value, "4") == 0 &&
        strcmp(fake_xs_get(d, BE "/state"), "2") == 0) /* Connected */
        fake_xs_set_fire(d, BE "/state", "4");
    else if (strcmp(value, "5") == 0) /* Closing: close */
        fake_xs_set_fire(d, BE "/state", "6");
    else if (strcmp(value, "1") == 0 &&
             strcmp(fake_xs_get(d, BE "/state"), "6") == 0)
        fake_xs_set_fire(d, BE "/state", "2"); /* hotplug again */
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
    fake_xs_set(&f->d, FE "/mac", "00:16:3e:0a:0b:0c");
    fake_xs_set(&f->d, BE "/state", "2");
    fake_xs_set(&f->d, BE "/feature-rx-copy", "1");
    fake_xs_set(&f->d, BE "/feature-sg", "1");
    fake_xs_set(&f->d, BE "/feature-gso-tcpv4", "1");
    fake_xs_set(&f->d, BE "/feature-gso-tcpv6", "1");
    fake_xs_set(&f->d, BE "/feature-ipv6-csum-offload", "1");
    fnb_init(&f->fb);
    f->nr_free0 = gnttab_nr_free();
    ops = fnb_ops(&f->fb);
    if (netfront_init(&f->nf, &ops, NULL))
        return -1;
    f->nf.cfg.timeout_ns = SECOND;
    f->nf.dev.cb.link = cb_link;
    f->nf.dev.cb.arg = f;
    f->model = true;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    netfront_rings_teardown(&f->nf);
    xenbus_front_fini(&f->nf.fe);
    fnb_fini(&f->fb);
    fake_xs_fini(&f->d);
    free(f);
    return 0;
}

static unsigned long node_uint(struct fx *f, const char *path)
{
    const char *v = fake_xs_get(&f->d, path);

    if (!v)
        fail_msg("missing %s", path);
    return strtoul(v, NULL, 10);
}

static void probe(struct fx *f)
{
    assert_int_equal(netfront_xs_probe(&f->nf, &f->c, 0), 0);
}

/* The backend maps queue qi's rings with the refs from xenstore. */
static void attach_from_xenstore(struct fx *f, unsigned int qi, const char *dir)
{
    char tx[160], rx[160];

    snprintf(tx, sizeof(tx), "%s/tx-ring-ref", dir);
    snprintf(rx, sizeof(rx), "%s/rx-ring-ref", dir);
    assert_int_equal(fnb_attach(&f->fb, qi, (grant_ref_t)node_uint(f, tx),
                                (grant_ref_t)node_uint(f, rx)),
                     0);
    assert_int_equal(fnb_rx_posted(&f->fb, qi), NETFRONT_RX_RING_SIZE);
}

/* One packet through queue 0 as proof the connection works. */
static void traffic_works(struct fx *f)
{
    static uint8_t buf[100];
    static struct fnb_tx_pkt tp;
    struct xn_pkt p = {.nr_frags = 1, .frags = {{buf, sizeof(buf)}}};

    memset(buf, 0x5a, sizeof(buf));
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &tp), 1);
    assert_memory_equal(tp.data, buf, sizeof(buf));
}

/* ---- probe ---- */

static void parse_mac_strict(void **state)
{
    static const char *const bad[] = {
        "",
        "00:16:3e:0a:0b",
        "00:16:3e:0a:0b:0c:0d",
        "00-16-3e-0a-0b-0c",
        "00:16:3e:0a:0b:0g",
        "0:16:3e:0a:0b:0c0",
        "01:00:5e:00:00:01",
        "00:00:00:00:00:00",
        "ff:ff:ff:ff:ff:ff",
        " 0:16:3e:0a:0b:0c",
    };
    uint8_t mac[6];

    (void)state;
    assert_int_equal(netfront_parse_mac("00:16:3E:0a:0B:0c", mac), 0);
    assert_memory_equal(mac, ((uint8_t[]){0, 0x16, 0x3e, 10, 11, 12}), 6);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (netfront_parse_mac(bad[i], mac) != -EINVAL)
            fail_msg("accepted MAC \"%s\"", bad[i]);
}

static void probe_reads_mac_and_mtu(void **state)
{
    struct fx *f = *state;

    probe(f);
    assert_memory_equal(f->nf.dev.mac, ((uint8_t[]){0, 0x16, 0x3e, 10, 11, 12}),
                        6);
    assert_int_equal(f->nf.dev.mtu, 1500);
    assert_string_equal(f->nf.dev.name, "vif0");
    assert_int_equal(f->nf.fe.state, XenbusStateInitialising);

    fake_xs_set(&f->d, BE "/mtu", "9000");
    probe(f);
    assert_int_equal(f->nf.dev.mtu, 9000);
    /* Absurd MTUs are ignored (logged), not trusted. */
    static const char *const bad_mtu[] = {"20", "65536", "abc", "-1",
                                          "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad_mtu) / sizeof(bad_mtu[0]); i++) {
        fake_xs_set(&f->d, BE "/mtu", bad_mtu[i]);
        probe(f);
        assert_int_equal(f->nf.dev.mtu, 1500);
    }
}

static void probe_mac_falls_back_and_rejects_garbage(void **state)
{
    struct fx *f = *state;
    char longmac[200];

    /* Only the backend's directory has it. */
    assert_int_equal(xs_rm(&f->c, XS_TX_NONE, FE "/mac"), 0);
    fake_xs_set(&f->d, BE "/mac", "00:16:3e:00:00:07");
    probe(f);
    assert_int_equal(f->nf.dev.mac[5], 7);
    assert_int_equal(xs_rm(&f->c, XS_TX_NONE, BE "/mac"), 0);
    assert_int_equal(netfront_xs_probe(&f->nf, &f->c, 0), -ENOENT);
    fake_xs_set(&f->d, FE "/mac", "");
    assert_int_equal(netfront_xs_probe(&f->nf, &f->c, 0), -EIO);
    fake_xs_set(&f->d, FE "/mac", "01:16:3e:0a:0b:0c"); /* multicast */
    assert_int_equal(netfront_xs_probe(&f->nf, &f->c, 0), -EIO);
    memset(longmac, 'a', sizeof(longmac));
    longmac[sizeof(longmac) - 1] = '\0';
    fake_xs_set(&f->d, FE "/mac", longmac);
    assert_int_equal(netfront_xs_probe(&f->nf, &f->c, 0), -EIO);
    assert_non_null(strstr(f->fb.env.last_log, FE "/mac"));
    assert_false(f->c.broken);
}

static void probe_without_backend(void **state)
{
    struct fx *f = *state;

    assert_int_equal(netfront_xs_probe(&f->nf, &f->c, 1), -ENOENT);
}

/* ---- connect ---- */

static void connect_single_queue_publishes_top_level_keys(void **state)
{
    struct fx *f = *state;

    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    assert_int_equal(f->nf.fe.state, XenbusStateConnected);
    assert_int_equal(node_uint(f, FE "/state"), 4);
    assert_true(f->nf.dev.link_up);
    assert_int_equal(f->link_up, 1);
    assert_int_equal(node_uint(f, FE "/request-rx-copy"), 1);
    assert_int_equal(node_uint(f, FE "/feature-rx-notify"), 1);
    assert_int_equal(node_uint(f, FE "/feature-sg"), 1);
    assert_int_equal(node_uint(f, FE "/feature-gso-tcpv4"), 1);
    assert_int_equal(node_uint(f, FE "/feature-no-csum-offload"), 0);
    assert_int_equal(node_uint(f, FE "/event-channel"), f->nf.q[0].evtchn_tx);
    assert_null(fake_xs_get(&f->d, FE "/event-channel-tx"));
    assert_null(fake_xs_get(&f->d, FE "/multi-queue-num-queues"));
    assert_null(fake_xs_get(&f->d, FE "/queue-0/tx-ring-ref"));
    assert_int_equal(f->nf.dev.features,
                     XN_NETDEV_F_SG | XN_NETDEV_F_TX_CSUM4 |
                         XN_NETDEV_F_TX_CSUM6 | XN_NETDEV_F_TSO4 |
                         XN_NETDEV_F_TSO6 | XN_NETDEV_F_RX_CSUM);
    /* Connected: every channel kicked once. */
    assert_int_equal(f->fb.env.notifies[f->nf.q[0].evtchn_tx], 1);
    attach_from_xenstore(f, 0, FE);
    traffic_works(f);
}

static void connect_with_minimal_backend(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/feature-sg", "0");
    fake_xs_set(&f->d, BE "/feature-gso-tcpv6", "0");
    fake_xs_set(&f->d, BE "/feature-ipv6-csum-offload", "0");
    /* gso-tcpv4 without sg cannot be used */
    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    assert_int_equal(f->nf.dev.features,
                     XN_NETDEV_F_TX_CSUM4 | XN_NETDEV_F_RX_CSUM);
    assert_false(f->nf.feat_split_evtchn);
    assert_int_equal(f->nf.nr_queues, 1);
}

static void no_csum_offload_disables_tx_csum_and_tso(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/feature-no-csum-offload", "1");
    fake_xs_set(&f->d, BE "/feature-ipv6-csum-offload", "0");
    f->nf.cfg.no_rx_csum = true;
    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    assert_int_equal(f->nf.dev.features, XN_NETDEV_F_SG);
    assert_int_equal(node_uint(f, FE "/feature-no-csum-offload"), 1);
}

static void absurd_features_read_as_absent(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/feature-sg", "yes");
    fake_xs_set(&f->d, BE "/feature-gso-tcpv4", "-1");
    fake_xs_set(&f->d, BE "/feature-split-event-channels", "1x");
    fake_xs_set(&f->d, BE "/multi-queue-max-queues", "99999999999999999999999");
    f->nf.cfg.max_queues = 4;
    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    assert_false(f->nf.feat_sg);
    assert_false(f->nf.feat_gso4);
    assert_false(f->nf.feat_split_evtchn);
    assert_int_equal(f->nf.nr_queues, 1);
    assert_true(f->fb.env.logs >= 4);
    assert_false(f->nf.fe.broken);
}

static void missing_rx_copy_fails_cleanly(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {NULL, "0", "banana"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (bad[i])
            fake_xs_set(&f->d, BE "/feature-rx-copy", bad[i]);
        else
            assert_int_equal(xs_rm(&f->c, XS_TX_NONE, BE "/feature-rx-copy"),
                             0);
        probe(f);
        assert_int_equal(netfront_xs_connect(&f->nf), -EIO);
        assert_int_not_equal(f->nf.fe.state, XenbusStateConnected);
        assert_false(f->nf.fe.rings);
        assert_int_equal(gnttab_nr_free(), f->nr_free0);
        assert_int_equal(f->fb.env.live_pages, 0);
    }
    assert_non_null(strstr(f->fb.env.last_log, BE));
}

static void multi_queue_keys_only_under_queue_dirs(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/multi-queue-max-queues", "8");
    fake_xs_set(&f->d, BE "/feature-split-event-channels", "1");
    f->nf.cfg.max_queues = 2;
    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    assert_int_equal(f->nf.nr_queues, 2);
    assert_int_equal(node_uint(f, FE "/multi-queue-num-queues"), 2);
    static const char *const top[] = {"tx-ring-ref", "rx-ring-ref",
                                      "event-channel", "event-channel-tx",
                                      "event-channel-rx"};
    for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
        char p[64];

        snprintf(p, sizeof(p), FE "/%s", top[i]);
        if (fake_xs_get(&f->d, p))
            fail_msg("%s written at top level with 2 queues", p);
    }
    for (unsigned int q = 0; q < 2; q++) {
        char dir[64], p[96];

        snprintf(dir, sizeof(dir), FE "/queue-%u", q);
        snprintf(p, sizeof(p), "%s/event-channel-tx", dir);
        assert_int_equal(node_uint(f, p), f->nf.q[q].evtchn_tx);
        snprintf(p, sizeof(p), "%s/event-channel-rx", dir);
        assert_int_equal(node_uint(f, p), f->nf.q[q].evtchn_rx);
        snprintf(p, sizeof(p), "%s/event-channel", dir);
        assert_null(fake_xs_get(&f->d, p));
        attach_from_xenstore(f, q, dir);
    }
    assert_null(fake_xs_get(&f->d, FE "/queue-2/tx-ring-ref"));
    traffic_works(f);
}

static void publish_retries_on_eagain(void **state)
{
    struct fx *f = *state;

    f->d.fail_commits = 3;
    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    assert_true(f->d.commits >= 4);
    assert_int_equal(f->nf.fe.state, XenbusStateConnected);
}

static void connect_times_out_naming_the_path(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, BE "/state", "1"); /* backend never gets ready */
    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), -ETIMEDOUT);
    assert_non_null(strstr(f->fb.env.last_log, BE "/state"));
    assert_false(f->nf.fe.rings);

    /* Backend reaches InitWait but never follows our Connected: link
     * down, rings kept for when it does. */
    f->model = false;
    fake_xs_set(&f->d, BE "/state", "2");
    assert_int_equal(netfront_xs_connect(&f->nf), -ETIMEDOUT);
    assert_int_equal(f->nf.fe.state, XenbusStateConnected);
    assert_false(f->nf.dev.link_up);
    assert_true(f->nf.fe.rings);
    assert_non_null(strstr(f->fb.env.last_log, BE "/state"));
    /* It follows late: the next step brings the link up. */
    fake_xs_set(&f->d, BE "/state", "4");
    assert_int_equal(netfront_xs_step(&f->nf, NULL), 0);
    assert_true(f->nf.dev.link_up);
    attach_from_xenstore(f, 0, FE);
    traffic_works(f);
}

/* Connected and waiting for the backend: every backend state. */
static void connected_front_waits_for_backend(void **state)
{
    struct fx *f = *state;
    /* Our state after one step while the link is still down. */
    static const struct {
        const char *back;
        XenbusState want;
        bool up;
    } cases[] = {
        {"1", XenbusStateClosing, false},   /* reset: start over */
        {"2", XenbusStateConnected, false}, /* not there yet */
        {"3", XenbusStateConnected, false}, /* not there yet */
        {"4", XenbusStateConnected, true},  /* followed: link up */
        {"5", XenbusStateClosing, false},   /* the backend closes */
        {"6", XenbusStateClosed, false},    /* it closed already */
    };

    probe(f);
    f->model = false;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum xenbus_action a;

        netfront_rings_teardown(&f->nf);
        f->nf.fe.was_active = false; /* each case a first connection */
        fake_xs_set(&f->d, FE "/state", "1");
        fake_xs_set(&f->d, BE "/state", "2");
        f->nf.fe.state = XenbusStateInitialising;
        assert_int_equal(netfront_xs_step(&f->nf, &a), 0);
        assert_int_equal(a, XENBUS_ACT_CONNECT);
        assert_int_equal(node_uint(f, FE "/state"), 4);
        assert_false(f->nf.dev.link_up);

        fake_xs_set(&f->d, BE "/state", cases[i].back);
        assert_int_equal(netfront_xs_step(&f->nf, &a), 0);
        if (f->nf.fe.state != cases[i].want || f->nf.dev.link_up != cases[i].up)
            fail_msg("back %s: state %d link %d", cases[i].back, f->nf.fe.state,
                     f->nf.dev.link_up);
    }
}

/* ---- reconnect ---- */

static void backend_goes_away_and_comes_back(void **state)
{
    struct fx *f = *state;
    enum xenbus_action a;

    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    attach_from_xenstore(f, 0, FE);
    f->model = false; /* the test drives the backend now */

    fake_xs_set(&f->d, BE "/state", "5"); /* Closing */
    assert_int_equal(netfront_xs_step(&f->nf, &a), 0);
    assert_int_equal(a, XENBUS_ACT_CLOSE);
    assert_int_equal(f->nf.fe.state, XenbusStateClosing);
    assert_false(f->nf.dev.link_up);
    assert_true(f->nf.fe.rings); /* still mapped by the backend */

    fake_xs_set(&f->d, BE "/state", "6"); /* Closed */
    assert_int_equal(netfront_xs_step(&f->nf, &a), 0);
    assert_int_equal(a, XENBUS_ACT_GO_CLOSED);
    assert_int_equal(node_uint(f, FE "/state"), 6);
    assert_false(f->nf.fe.rings);
    assert_int_equal(gnttab_nr_free(), f->nr_free0);
    assert_int_equal(f->fb.env.live_pages, 0);

    fake_xs_set(&f->d, BE "/state", "2"); /* InitWait again */
    assert_int_equal(netfront_xs_step(&f->nf, &a), 0);
    assert_int_equal(a, XENBUS_ACT_RESET);
    assert_int_equal(f->nf.fe.state, XenbusStateInitialising);
    /* A lost live connection: the reconnect waits out a back-off. */
    assert_int_equal(netfront_xs_step(&f->nf, &a), 0);
    assert_int_equal(a, XENBUS_ACT_NONE);
    assert_true(f->nf.fe.retry_at > f->fb.env.now_ns);
    f->fb.env.now_ns = f->nf.fe.retry_at;
    assert_int_equal(netfront_xs_step(&f->nf, &a), 0);
    assert_int_equal(a, XENBUS_ACT_CONNECT);
    assert_int_equal(node_uint(f, FE "/state"), 4);
    assert_false(f->nf.dev.link_up); /* until the backend follows */

    fake_xs_set(&f->d, BE "/state", "4");
    assert_int_equal(netfront_xs_step(&f->nf, &a), 0);
    assert_int_equal(a, XENBUS_ACT_GO_CONNECTED);
    assert_true(f->nf.dev.link_up);
    assert_int_equal(f->link_up, 2);
    assert_int_equal(f->link_down, 1);
    assert_int_equal(node_uint(f, FE "/tx-ring-ref"), f->nf.q[0].tx_ring_ref);
    attach_from_xenstore(f, 0, FE);
    traffic_works(f);
}

static void disconnect_and_connect_again(void **state)
{
    struct fx *f = *state;

    probe(f);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    assert_int_equal(netfront_xs_disconnect(&f->nf), 0);
    assert_false(f->nf.fe.rings);
    assert_int_equal(gnttab_nr_free(), f->nr_free0);
    /* The model put the backend back to InitWait on our Initialising. */
    assert_int_equal(f->nf.fe.state, XenbusStateInitialising);
    assert_int_equal(netfront_xs_connect(&f->nf), 0);
    attach_from_xenstore(f, 0, FE);
    traffic_works(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_mac_strict),
        T(probe_reads_mac_and_mtu),
        T(probe_mac_falls_back_and_rejects_garbage),
        T(probe_without_backend),
        T(connect_single_queue_publishes_top_level_keys),
        T(connect_with_minimal_backend),
        T(no_csum_offload_disables_tx_csum_and_tso),
        T(absurd_features_read_as_absent),
        T(missing_rx_copy_fails_cleanly),
        T(multi_queue_keys_only_under_queue_dirs),
        T(publish_retries_on_eagain),
        T(connect_times_out_naming_the_path),
        T(connected_front_waits_for_backend),
        T(backend_goes_away_and_comes_back),
        T(disconnect_and_connect_again),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
