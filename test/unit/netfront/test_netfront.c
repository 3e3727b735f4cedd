// SPDX-License-Identifier: MIT
/*
 * test/unit/netfront/test_netfront.c - host tests of netfront's rings and
 * data path; the test is the backend.
 *
 * A connected netfront is built without xenstore (features set directly,
 * rings set up and attached by test/fakes/fake_netback.c through the
 * grant table). Normal traffic, multi-slot packets both ways, the page
 * split on TX, checksum flag mapping both ways, GSO extra-info and the
 * RX re-post count are checked against the wire as netback sees it;
 * then every class of malicious response (unknown / duplicate / out of
 * range ids, producer overflow, bad sizes, offsets, statuses, extras)
 * must break the device with -EIO and nothing worse (ASan + UBSan).
 * Reference: io/netif.h.
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
#include "xen/gnttab.h"

#define RING 256u

struct fx {
    struct fake_netback fb;
    struct netfront nf;
    struct fnb_tx_pkt tp;
    unsigned int nr_free0;
    /* what the rx callback saw */
    unsigned int rx_count;
    uint8_t rx_data[70000];
    size_t rx_len;
    unsigned int rx_frags;
    uint32_t rx_flags;
    uint16_t rx_gso;
    unsigned int link_up, link_down, kicks;
};

static void cb_rx(struct xn_netdev *dev, const struct xn_rx_pkt *p, void *arg)
{
    struct fx *f = arg;
    size_t off = 0;

    (void)dev;
    f->rx_count++;
    for (unsigned int i = 0; i < p->nr_frags; i++) {
        assert_true(off + p->frags[i].len <= sizeof(f->rx_data));
        memcpy(f->rx_data + off, p->frags[i].data, p->frags[i].len);
        off += p->frags[i].len;
    }
    assert_int_equal(off, p->len);
    f->rx_len = p->len;
    f->rx_frags = p->nr_frags;
    f->rx_flags = p->flags;
    f->rx_gso = p->gso_size;
}

static void cb_link(struct xn_netdev *dev, bool up, void *arg)
{
    struct fx *f = arg;

    (void)dev;
    if (up)
        f->link_up++;
    else
        f->link_down++;
}

static void cb_kick(struct xn_netdev *dev, void *arg)
{
    (void)dev;
    ((struct fx *)arg)->kicks++;
}

/* A connected device with nq queues and the given backend features. */
static struct fx *make(unsigned int nq, bool sg, bool gso, bool split)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xenbus_front_env ops;
    struct netfront_config cfg = {.max_queues = nq};

    assert_non_null(f);
    fnb_init(&f->fb);
    f->nr_free0 = gnttab_nr_free();
    ops = fnb_ops(&f->fb);
    assert_int_equal(netfront_init(&f->nf, &ops, &cfg), 0);
    strcpy(f->nf.fe.xb.nodename, "device/vif/0");
    f->nf.dev.cb = (struct xn_netdev_callbacks){
        .rx = cb_rx, .link = cb_link, .kick = cb_kick, .arg = f};
    f->nf.nr_queues = nq;
    f->nf.feat_sg = sg;
    f->nf.feat_gso4 = gso;
    f->nf.feat_split_evtchn = split;
    f->nf.feat_tx_csum4 = true;
    f->nf.dev.features = XN_NETDEV_F_TX_CSUM4 | XN_NETDEV_F_RX_CSUM |
                         (sg ? XN_NETDEV_F_SG : 0) |
                         (gso ? XN_NETDEV_F_TSO4 : 0);
    assert_int_equal(netfront_rings_setup(&f->nf, FNB_DOMID), 0);
    for (unsigned int i = 0; i < nq; i++)
        assert_int_equal(fnb_attach(&f->fb, i, f->nf.q[i].tx_ring_ref,
                                    f->nf.q[i].rx_ring_ref),
                         0);
    netfront_set_link(&f->nf, true);
    return f;
}

static int setup(void **state)
{
    *state = make(1, true, true, false);
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    netfront_rings_teardown(&f->nf);
    fnb_fini(&f->fb);
    free(f);
    return 0;
}

static uint8_t pattern[70000];

static struct xn_pkt pkt_of(const size_t *lens, unsigned int n)
{
    struct xn_pkt p = {.nr_frags = n};
    size_t off = 0;

    for (unsigned int i = 0; i < n; i++) {
        p.frags[i].data = pattern + off;
        p.frags[i].len = lens[i];
        off += lens[i];
    }
    return p;
}

static struct netfront_queue *q0(struct fx *f)
{
    return &f->nf.q[0];
}

/* ---- transmit ---- */

static void tx_single_slot(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {14, 46};
    struct xn_pkt p = pkt_of(lens, 2);
    unsigned int notif;

    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    notif = f->fb.env.notifies[q0(f)->evtchn_tx];
    assert_int_equal(notif, 1);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1);
    assert_int_equal(f->tp.len, 60);
    assert_int_equal(f->tp.nslots, 1);
    assert_int_equal(f->tp.first_flags, 0);
    assert_memory_equal(f->tp.data, pattern, 60);
    assert_int_equal(q0(f)->tx_nr_free, RING - 1);

    fnb_tx_complete(&f->fb, 0, &f->tp, NETIF_RSP_OKAY);
    fnb_tx_push(&f->fb, 0);
    assert_int_equal(xn_netdev_poll(&f->nf.dev, 8), 0);
    assert_int_equal(q0(f)->tx_nr_free, RING);
    assert_int_equal(f->nf.stats.tx_packets, 1);
    assert_false(f->nf.fe.broken);
}

static void tx_multi_slot_splits_at_pages(void **state)
{
    struct fx *f = *state;
    /* Fragments straddle both page ends of the driver's buffers. */
    size_t lens[] = {1, 4095, 4097, 821};
    struct xn_pkt p = pkt_of(lens, 4);

    f->nf.dev.mtu = 9000;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1); /* checks pages */
    assert_int_equal(f->tp.len, 9014);
    assert_int_equal(f->tp.nslots, 3);
    assert_int_equal(f->tp.slot_size[0], 4096);
    assert_int_equal(f->tp.slot_size[1], 4096);
    assert_int_equal(f->tp.slot_size[2], 822);
    assert_int_equal(f->tp.first_flags, NETTXF_more_data);
    assert_memory_equal(f->tp.data, pattern, 9014);
    fnb_tx_complete(&f->fb, 0, &f->tp, NETIF_RSP_OKAY);
    fnb_tx_push(&f->fb, 0);
    assert_int_equal(netfront_tx_reclaim(q0(f)), 0);
    assert_int_equal(q0(f)->tx_nr_free, RING);
}

static void tx_multi_slot_needs_sg(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {5000};
    struct xn_pkt p = pkt_of(lens, 1);

    f->nf.dev.mtu = 9000;
    f->nf.feat_sg = false;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EMSGSIZE);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 0);
}

static void tx_checksum_flags(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {100};
    struct xn_pkt p = pkt_of(lens, 1);
    static const struct {
        uint32_t in;
        uint16_t out;
    } map[] = {
        {0, 0},
        {XN_PKT_CSUM_PARTIAL, NETTXF_csum_blank | NETTXF_data_validated},
        {XN_PKT_CSUM_VALID, NETTXF_data_validated},
        {XN_PKT_CSUM_PARTIAL | XN_PKT_CSUM_VALID,
         NETTXF_csum_blank | NETTXF_data_validated},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        p.flags = map[i].in;
        assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
        assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1);
        assert_int_equal(f->tp.first_flags, map[i].out);
    }
    /* Without the backend's csum offload, a blank checksum is refused. */
    f->nf.dev.features &= ~XN_NETDEV_F_TX_CSUM4;
    p.flags = XN_PKT_CSUM_PARTIAL;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EOPNOTSUPP);
}

static void tx_gso_adds_extra_info(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {54, 19946};
    struct xn_pkt p = pkt_of(lens, 2);

    p.flags = XN_PKT_GSO_TCPV4 | XN_PKT_CSUM_PARTIAL;
    p.gso_size = 1448;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1);
    assert_true(f->tp.has_gso);
    assert_int_equal(f->tp.gso.type, XEN_NETIF_EXTRA_TYPE_GSO);
    assert_int_equal(f->tp.gso.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
    assert_int_equal(f->tp.gso.u.gso.size, 1448);
    assert_int_equal(f->tp.first_flags,
                     NETTXF_csum_blank | NETTXF_data_validated |
                         NETTXF_more_data | NETTXF_extra_info);
    assert_int_equal(f->tp.nslots, 5);
    assert_int_equal(f->tp.len, 20000);
    assert_memory_equal(f->tp.data, pattern, 20000);
    /* The backend answers the extra slot with a NULL response. */
    fnb_tx_complete(&f->fb, 0, &f->tp, NETIF_RSP_OKAY);
    fnb_tx_push(&f->fb, 0);
    assert_int_equal(netfront_tx_reclaim(q0(f)), 0);
    assert_int_equal(q0(f)->tx_nr_free, RING);
    assert_int_equal(q0(f)->tx_extra_inflight, 0);
    assert_false(f->nf.fe.broken);
}

static void tx_largest_packet_fits_slot_limit(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {65535};
    struct xn_pkt p = pkt_of(lens, 1);

    p.flags = XN_PKT_GSO_TCPV4 | XN_PKT_CSUM_PARTIAL;
    p.gso_size = 1460;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1);
    assert_int_equal(f->tp.nslots, 16);
    assert_true(f->tp.nslots + 1 <= XEN_NETIF_NR_SLOTS_MIN);
    assert_memory_equal(f->tp.data, pattern, 65535);
}

static void tx_rejects_bad_packets(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {100};
    size_t big[] = {40000, 30000};
    struct xn_pkt p = pkt_of(lens, 1);
    struct xn_pkt pb = pkt_of(big, 2);

    p.nr_frags = 0;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EINVAL);
    p.nr_frags = XN_PKT_MAX_FRAGS + 1;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EINVAL);
    p = pkt_of(lens, 1);
    p.frags[0].len = 13; /* shorter than an Ethernet header */
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EINVAL);
    p.frags[0].len = 1515; /* mtu 1500 + 14 + a VLAN tag is 1518 */
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    p.frags[0].len = 1519;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EMSGSIZE);
    pb.flags = XN_PKT_GSO_TCPV4 | XN_PKT_CSUM_PARTIAL;
    pb.gso_size = 1448;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &pb), -EMSGSIZE); /* > 64K */
    p = pkt_of(lens, 1);
    p.flags = XN_PKT_GSO_TCPV4; /* GSO without a blank checksum */
    p.gso_size = 1448;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EINVAL);
    p.flags = XN_PKT_GSO_TCPV6 | XN_PKT_CSUM_PARTIAL;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EOPNOTSUPP);
    p.flags = XN_PKT_GSO_TCPV4 | XN_PKT_CSUM_PARTIAL;
    p.gso_size = 0;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EINVAL);
    p.flags = 1u << 20;
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EINVAL);
    p = pkt_of(lens, 1);
    netfront_set_link(&f->nf, false);
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -ENETDOWN);
    assert_int_equal(f->link_down, 1);
    assert_false(f->nf.fe.broken);
}

static void tx_ring_full_then_reclaims(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);

    for (unsigned int i = 0; i < RING; i++)
        assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EAGAIN);
    assert_int_equal(f->nf.stats.tx_busy, 1);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1);
    fnb_tx_complete(&f->fb, 0, &f->tp, NETIF_RSP_DROPPED);
    fnb_tx_push(&f->fb, 0);
    /* tx reclaims by itself when short of slots. */
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(f->nf.stats.tx_errors, 1);
    assert_false(f->nf.fe.broken);
}

static void tx_on_second_queue(void **state)
{
    struct fx *f = make(2, true, false, true);
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);

    (void)state;
    assert_int_not_equal(f->nf.q[1].evtchn_tx, f->nf.q[1].evtchn_rx);
    assert_int_equal(netfront_tx(&f->nf, 1, &p), 0);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 0);
    assert_int_equal(fnb_tx_pop(&f->fb, 1, &f->tp), 1);
    assert_int_equal(f->fb.env.notifies[f->nf.q[1].evtchn_tx], 1);
    assert_int_equal(netfront_tx(&f->nf, 2, &p), -EINVAL);
    teardown((void **)&f);
}

/* ---- receive ---- */

static void rx_single_packet(void **state)
{
    struct fx *f = *state;
    RING_IDX req_prod0 = q0(f)->rx.sring->req_prod;

    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING);
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 60, 4096, 0, NULL), 1);
    fnb_rx_push(&f->fb, 0);
    assert_int_equal(xn_netdev_poll(&f->nf.dev, 8), 1);
    assert_int_equal(f->rx_count, 1);
    assert_int_equal(f->rx_len, 60);
    assert_int_equal(f->rx_flags, 0);
    assert_memory_equal(f->rx_data, pattern, 60);
    assert_int_equal(q0(f)->rx.sring->req_prod - req_prod0, 1);
    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING);
    assert_int_equal(xn_netdev_poll(&f->nf.dev, 8), 0);
}

static void rx_multi_slot_packet(void **state)
{
    struct fx *f = *state;

    f->fb.rx_offset = 64; /* 4032 bytes per slot */
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 9014, 4096, 0, NULL), 3);
    fnb_rx_push(&f->fb, 0);
    assert_int_equal(netfront_poll(&f->nf, 8), 1);
    assert_int_equal(f->rx_frags, 3);
    assert_int_equal(f->rx_len, 9014);
    assert_memory_equal(f->rx_data, pattern, 9014);
    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING);
}

static void rx_checksum_flags(void **state)
{
    struct fx *f = *state;
    static const struct {
        uint16_t in;
        uint32_t out;
    } map[] = {
        {0, 0},
        {NETRXF_csum_blank, XN_PKT_CSUM_PARTIAL},
        {NETRXF_data_validated, XN_PKT_CSUM_VALID},
        {NETRXF_csum_blank | NETRXF_data_validated,
         XN_PKT_CSUM_PARTIAL | XN_PKT_CSUM_VALID},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        assert_int_equal(
            fnb_rx_put(&f->fb, 0, pattern, 100, 4096, map[i].in, NULL), 1);
        fnb_rx_push(&f->fb, 0);
        assert_int_equal(netfront_poll(&f->nf, 8), 1);
        if (f->rx_flags != map[i].out)
            fail_msg("NETRXF 0x%x gave 0x%x, want 0x%x", map[i].in, f->rx_flags,
                     map[i].out);
    }
}

static void rx_gso_extra_info(void **state)
{
    struct fx *f = *state;
    netif_extra_info_t ex = {.type = XEN_NETIF_EXTRA_TYPE_GSO};

    ex.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
    ex.u.gso.size = 1448;
    /* 3 data slots + 1 extra slot */
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 10000, 4096,
                                NETRXF_csum_blank | NETRXF_data_validated, &ex),
                     4);
    fnb_rx_push(&f->fb, 0);
    assert_int_equal(netfront_poll(&f->nf, 8), 1);
    assert_int_equal(f->rx_flags, XN_PKT_GSO_TCPV4 | XN_PKT_CSUM_PARTIAL |
                                      XN_PKT_CSUM_VALID);
    assert_int_equal(f->rx_gso, 1448);
    assert_int_equal(f->rx_len, 10000);
    assert_memory_equal(f->rx_data, pattern, 10000);
    /* The extra's slot was consumed, so it is re-posted too. */
    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING);
}

static void rx_reposts_exactly_what_was_consumed(void **state)
{
    struct fx *f = *state;
    RING_IDX p0 = q0(f)->rx.sring->req_prod;

    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 60, 4096, 0, NULL), 1);
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 9000, 4096, 0, NULL), 3);
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 5000, 4096, 0, NULL), 2);
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 70, 4096, 0, NULL), 1);
    fnb_rx_push(&f->fb, 0);
    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING - 7);
    /* Budget 2: two packets (4 slots) consumed and re-posted, no more. */
    assert_int_equal(netfront_poll(&f->nf, 2), 2);
    assert_int_equal(q0(f)->rx.sring->req_prod - p0, 4);
    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING - 3);
    assert_int_equal(netfront_poll(&f->nf, 8), 2);
    assert_int_equal(q0(f)->rx.sring->req_prod - p0, 7);
    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING);
    assert_int_equal(f->rx_count, 4);
    /* And the ring keeps going across many wraps. */
    for (unsigned int i = 0; i < 3 * RING; i++) {
        assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 5000, 4096, 0, NULL),
                         2);
        fnb_rx_push(&f->fb, 0);
        assert_int_equal(netfront_poll(&f->nf, 8), 1);
    }
    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING);
    assert_int_equal(f->rx_len, 5000);
    assert_false(f->nf.fe.broken);
}

static void rx_waits_for_rest_of_packet(void **state)
{
    struct fx *f = *state;
    netif_rx_sring_t *s = q0(f)->rx.sring;

    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 9000, 4096, 0, NULL), 3);
    fnb_rx_push(&f->fb, 0);
    s->rsp_prod -= 1; /* the last slot is not published yet */
    assert_int_equal(netfront_poll(&f->nf, 8), 0);
    assert_int_equal(q0(f)->rx.rsp_cons, 0);
    assert_int_equal(s->rsp_event, 3); /* wake me when slot 3 arrives */
    s->rsp_prod += 1;
    assert_int_equal(netfront_poll(&f->nf, 8), 1);
    assert_int_equal(f->rx_len, 9000);
}

static void rx_error_status_drops_packet(void **state)
{
    struct fx *f = *state;
    netif_rx_response_t *r;

    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 100, 4096, 0, NULL), 1);
    r = RING_GET_RESPONSE(&f->fb.rx[0], 0);
    r->status = NETIF_RSP_ERROR;
    fnb_rx_push(&f->fb, 0);
    assert_int_equal(netfront_poll(&f->nf, 8), 0);
    assert_int_equal(f->rx_count, 0);
    assert_int_equal(f->nf.stats.rx_errors, 1);
    assert_int_equal(fnb_rx_posted(&f->fb, 0), RING);
    assert_false(f->nf.fe.broken);
}

static void kick_on_event(void **state)
{
    struct fx *f = *state;

    fnb_fire(&f->fb, q0(f)->evtchn_rx);
    assert_int_equal(f->kicks, 1);
    assert_true(q0(f)->pending);
    assert_int_equal(netfront_poll(&f->nf, 8), 0);
    assert_false(q0(f)->pending);
}

/* ---- lifecycle ---- */

static void teardown_returns_everything(void **state)
{
    struct fx *f = *state;

    assert_int_equal(gnttab_nr_free(), f->nr_free0 - 2 - 2 * RING);
    netfront_rings_teardown(&f->nf);
    assert_int_equal(gnttab_nr_free(), f->nr_free0);
    assert_int_equal(f->fb.env.live_pages, 0);
    assert_int_equal(f->fb.env.opened, f->fb.env.closed);
    assert_false(f->nf.leaked);
}

static void teardown_leaks_pages_still_mapped(void **state)
{
    struct fx *f = *state;
    grant_ref_t ref = q0(f)->tx_ring_ref;

    f->fb.env.gnt[ref].flags |= GTF_reading; /* the backend still maps it */
    netfront_rings_teardown(&f->nf);
    assert_true(f->nf.leaked);
    assert_int_equal(f->fb.env.live_pages, 1);
    assert_int_equal(gnttab_nr_free(), f->nr_free0 - 1);
    assert_non_null(strstr(f->fb.env.last_log, "leaking"));
    f->fb.env.gnt[ref].flags &= (uint16_t)~GTF_reading;
}

static void setup_failure_undoes_everything(void **state)
{
    struct fx *f = *state;

    netfront_rings_teardown(&f->nf);
    f->fb.env.alloc_budget = 300; /* runs out inside the RX buffers */
    assert_int_equal(netfront_rings_setup(&f->nf, FNB_DOMID), -ENOMEM);
    assert_false(f->nf.fe.rings);
    assert_int_equal(f->fb.env.live_pages, 0);
    assert_int_equal(gnttab_nr_free(), f->nr_free0);
    f->fb.env.alloc_budget = -1;
}

/* ---- malicious backends ---- */

static void expect_broken(struct fx *f, int rc)
{
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);

    assert_int_equal(rc, -EIO);
    assert_true(f->nf.fe.broken);
    assert_false(f->nf.dev.link_up);
    assert_int_equal(f->link_down, 1);
    assert_int_equal(f->fb.env.logs, 1);
    /* Everything after is -EIO and logs nothing more. */
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EIO);
    assert_int_equal(xn_netdev_poll(&f->nf.dev, 8), -EIO);
    assert_int_equal(netfront_fail(&f->nf, "again"), -EIO);
    assert_int_equal(f->fb.env.logs, 1);
}

static void send_one(struct fx *f)
{
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);

    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1);
}

static void tx_unknown_id_breaks(void **state)
{
    struct fx *f = *state;

    send_one(f);
    fnb_tx_respond(&f->fb, 0, 3, NETIF_RSP_OKAY); /* id 0 is in flight */
    fnb_tx_push(&f->fb, 0);
    expect_broken(f, netfront_tx_reclaim(q0(f)));
}

static void tx_id_out_of_range_breaks(void **state)
{
    struct fx *f = *state;

    send_one(f);
    fnb_tx_respond(&f->fb, 0, 0xffff, NETIF_RSP_OKAY);
    fnb_tx_push(&f->fb, 0);
    expect_broken(f, netfront_tx_reclaim(q0(f)));
}

static void tx_duplicate_id_breaks(void **state)
{
    struct fx *f = *state;

    send_one(f);
    send_one(f);
    fnb_tx_respond(&f->fb, 0, f->tp.ids[0], NETIF_RSP_OKAY);
    fnb_tx_respond(&f->fb, 0, f->tp.ids[0], NETIF_RSP_OKAY);
    fnb_tx_push(&f->fb, 0);
    expect_broken(f, netfront_tx_reclaim(q0(f)));
}

static void tx_bad_status_breaks(void **state)
{
    struct fx *f = *state;

    send_one(f);
    fnb_tx_respond(&f->fb, 0, f->tp.ids[0], -7);
    fnb_tx_push(&f->fb, 0);
    expect_broken(f, netfront_tx_reclaim(q0(f)));
}

static void tx_unexpected_null_breaks(void **state)
{
    struct fx *f = *state;

    send_one(f);
    fnb_tx_respond(&f->fb, 0, f->tp.ids[0], NETIF_RSP_NULL);
    fnb_tx_push(&f->fb, 0);
    expect_broken(f, netfront_tx_reclaim(q0(f)));
}

static void tx_prod_overflow_breaks(void **state)
{
    struct fx *f = *state;

    send_one(f);
    q0(f)->tx.sring->rsp_prod = RING + 1; /* more than the ring holds */
    expect_broken(f, netfront_tx_reclaim(q0(f)));
}

static void tx_more_responses_than_requests_breaks(void **state)
{
    struct fx *f = *state;

    send_one(f);
    fnb_tx_respond(&f->fb, 0, f->tp.ids[0], NETIF_RSP_OKAY);
    fnb_tx_respond(&f->fb, 0, 1, NETIF_RSP_OKAY);
    fnb_tx_push(&f->fb, 0);
    expect_broken(f, netfront_tx_reclaim(q0(f)));
    /* Rejected as a whole before any response was acted on. */
    assert_int_equal(q0(f)->tx_nr_free, RING - 1);
    assert_int_equal(q0(f)->tx.rsp_cons, 0);
}

/* Publish one hand-made RX response in slot 0 and poll. */
static int rx_forged(struct fx *f, uint16_t id, uint16_t offset, uint16_t flags,
                     int16_t status)
{
    netif_rx_response_t *r = RING_GET_RESPONSE(&f->fb.rx[0], 0);

    f->fb.rx[0].req_cons = 1;
    f->fb.rx[0].rsp_prod_pvt = 1;
    *r = (netif_rx_response_t){
        .id = id, .offset = offset, .flags = flags, .status = status};
    fnb_rx_push(&f->fb, 0);
    return netfront_poll(&f->nf, 8);
}

static void rx_wrong_id_breaks(void **state)
{
    struct fx *f = *state;

    expect_broken(f, rx_forged(f, 5, 0, 0, 60));
    assert_int_equal(f->rx_count, 0);
}

static void rx_id_out_of_range_breaks(void **state)
{
    struct fx *f = *state;

    expect_broken(f, rx_forged(f, 0x8000, 0, 0, 60));
}

static void rx_duplicate_id_breaks(void **state)
{
    struct fx *f = *state;

    assert_int_equal(rx_forged(f, 0, 0, 0, 60), 1);
    /* Slot 1 answered with slot 0's id, which was just consumed. */
    *RING_GET_RESPONSE(&f->fb.rx[0], 1) =
        (netif_rx_response_t){.id = 0, .status = 60};
    f->fb.rx[0].req_cons = f->fb.rx[0].rsp_prod_pvt = 2;
    fnb_rx_push(&f->fb, 0);
    expect_broken(f, netfront_poll(&f->nf, 8));
    assert_int_equal(f->rx_count, 1);
}

static void rx_oversized_breaks(void **state)
{
    struct fx *f = *state;

    expect_broken(f, rx_forged(f, 0, 200, 0, 4000)); /* 200 + 4000 > 4096 */
}

static void rx_bad_offset_breaks(void **state)
{
    struct fx *f = *state;

    expect_broken(f, rx_forged(f, 0, 4096, 0, 0));
}

static void rx_bad_status_breaks(void **state)
{
    struct fx *f = *state;

    expect_broken(f, rx_forged(f, 0, 0, 0, -7));
}

static void rx_gso_prefix_breaks(void **state)
{
    struct fx *f = *state;

    expect_broken(f, rx_forged(f, 0, 0, NETRXF_gso_prefix, 60));
}

static void rx_prod_overflow_breaks(void **state)
{
    struct fx *f = *state;

    /* All 256 requests are posted: 257 responses cannot exist. */
    q0(f)->rx.sring->rsp_prod = RING + 1;
    expect_broken(f, netfront_poll(&f->nf, 8));
}

static void rx_over_64k_breaks(void **state)
{
    struct fx *f = *state;

    /* 17 full slots chained with more_data: 69632 bytes. */
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 69632, 4096, 0, NULL), 17);
    fnb_rx_push(&f->fb, 0);
    expect_broken(f, netfront_poll(&f->nf, 8));
    assert_int_equal(f->rx_count, 0);
}

static void rx_too_many_slots_breaks(void **state)
{
    struct fx *f = *state;

    /* 19 small slots: within 64 KiB but over XEN_NETIF_NR_SLOTS_MIN. */
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 1900, 100, 0, NULL), 19);
    fnb_rx_push(&f->fb, 0);
    expect_broken(f, netfront_poll(&f->nf, 8));
}

static void rx_bad_extra_breaks(void **state)
{
    struct fx *f = *state;
    netif_extra_info_t ex = {.type = XEN_NETIF_EXTRA_TYPE_MAX};

    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 60, 4096, 0, &ex), 2);
    fnb_rx_push(&f->fb, 0);
    expect_broken(f, netfront_poll(&f->nf, 8));
}

static void rx_bad_gso_type_breaks(void **state)
{
    struct fx *f = *state;
    netif_extra_info_t ex = {.type = XEN_NETIF_EXTRA_TYPE_GSO};

    ex.u.gso.type = 7;
    ex.u.gso.size = 1448;
    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 60, 4096, 0, &ex), 2);
    fnb_rx_push(&f->fb, 0);
    expect_broken(f, netfront_poll(&f->nf, 8));
}

static void rx_endless_extra_chain_breaks(void **state)
{
    struct fx *f = *state;
    netif_extra_info_t ex = {.type = XEN_NETIF_EXTRA_TYPE_HASH,
                             .flags = XEN_NETIF_EXTRA_FLAG_MORE};
    netif_rx_back_ring_t *r = &f->fb.rx[0];

    assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 60, 4096, 0, &ex), 2);
    /* Every following slot claims yet another extra. */
    for (unsigned int i = 0; i < 10; i++) {
        r->req_cons++;
        memcpy(RING_GET_RESPONSE(r, r->rsp_prod_pvt++), &ex, sizeof(ex));
    }
    fnb_rx_push(&f->fb, 0);
    expect_broken(f, netfront_poll(&f->nf, 8));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(tx_single_slot),
        T(tx_multi_slot_splits_at_pages),
        T(tx_multi_slot_needs_sg),
        T(tx_checksum_flags),
        T(tx_gso_adds_extra_info),
        T(tx_largest_packet_fits_slot_limit),
        T(tx_rejects_bad_packets),
        T(tx_ring_full_then_reclaims),
        cmocka_unit_test(tx_on_second_queue),
        T(rx_single_packet),
        T(rx_multi_slot_packet),
        T(rx_checksum_flags),
        T(rx_gso_extra_info),
        T(rx_reposts_exactly_what_was_consumed),
        T(rx_waits_for_rest_of_packet),
        T(rx_error_status_drops_packet),
        T(kick_on_event),
        T(teardown_returns_everything),
        T(teardown_leaks_pages_still_mapped),
        T(setup_failure_undoes_everything),
        T(tx_unknown_id_breaks),
        T(tx_id_out_of_range_breaks),
        T(tx_duplicate_id_breaks),
        T(tx_bad_status_breaks),
        T(tx_unexpected_null_breaks),
        T(tx_prod_overflow_breaks),
        T(tx_more_responses_than_requests_breaks),
        T(rx_wrong_id_breaks),
        T(rx_id_out_of_range_breaks),
        T(rx_duplicate_id_breaks),
        T(rx_oversized_breaks),
        T(rx_bad_offset_breaks),
        T(rx_bad_status_breaks),
        T(rx_gso_prefix_breaks),
        T(rx_prod_overflow_breaks),
        T(rx_over_64k_breaks),
        T(rx_too_many_slots_breaks),
        T(rx_bad_extra_breaks),
        T(rx_bad_gso_type_breaks),
        T(rx_endless_extra_chain_breaks),
    };

    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 7 + (i >> 8) * 13);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
