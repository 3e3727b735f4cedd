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

#include "nf_fixture.h"
#include "xen/gnttab.h"

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

/* Completed ids go back on the free list exactly once, each the id the
 * backend answered (as copied: a second read of the ring would see the
 * double-fetch detector's scribble). */
static void tx_free_list_gets_the_answered_ids(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);
    static struct fnb_tx_pkt tp[3];
    bool seen[RING] = {false};

    for (int i = 0; i < 3; i++) {
        assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
        assert_int_equal(fnb_tx_pop(&f->fb, 0, &tp[i]), 1);
    }
    /* Answered out of order: 2, 0, 1. */
    fnb_tx_complete(&f->fb, 0, &tp[2], NETIF_RSP_OKAY);
    fnb_tx_complete(&f->fb, 0, &tp[0], NETIF_RSP_OKAY);
    fnb_tx_complete(&f->fb, 0, &tp[1], NETIF_RSP_OKAY);
    fnb_tx_push(&f->fb, 0);
    assert_int_equal(netfront_tx_reclaim(q0(f)), 0);
    assert_int_equal(q0(f)->tx_nr_free, RING);
    assert_int_equal(q0(f)->tx_free[RING - 1], tp[1].ids[0]);
    assert_int_equal(q0(f)->tx_free[RING - 2], tp[0].ids[0]);
    assert_int_equal(q0(f)->tx_free[RING - 3], tp[2].ids[0]);
    for (unsigned int i = 0; i < RING; i++) {
        uint16_t id = q0(f)->tx_free[i];

        assert_true(id < RING);
        assert_false(seen[id]); /* no id twice */
        seen[id] = true;
        assert_false(q0(f)->tx_inflight[id]);
    }
}

/* poll(nf, 0) reaps TX on every queue, not just queue 0. */
static void poll_zero_budget_reaps_every_queue(void **state)
{
    struct fx *f = make(2, true, false, true);
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);

    (void)state;
    assert_int_equal(netfront_tx(&f->nf, 1, &p), 0);
    assert_int_equal(f->nf.q[1].tx_nr_free, RING - 1);
    assert_int_equal(fnb_tx_pop(&f->fb, 1, &f->tp), 1);
    fnb_tx_complete(&f->fb, 1, &f->tp, NETIF_RSP_OKAY);
    fnb_tx_push(&f->fb, 1);
    assert_int_equal(netfront_poll(&f->nf, 0), 0);
    assert_int_equal(f->nf.q[1].tx_nr_free, RING);
    teardown((void **)&f);
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

/* A page the backend still maps is kept (never reused) and released
 * once the backend lets go: nothing is leaked for good. */
static void teardown_defers_pages_still_mapped(void **state)
{
    struct fx *f = *state;
    grant_ref_t ref = q0(f)->tx_ring_ref;

    f->fb.env.gnt[ref].flags |= GTF_reading; /* the backend still maps it */
    netfront_rings_teardown(&f->nf);
    assert_true(f->nf.leaked);
    assert_int_equal(f->fb.env.live_pages, 1);
    assert_int_equal(gnttab_nr_free(), f->nr_free0 - 1);
    assert_non_null(strstr(f->fb.env.last_log, "later"));
    assert_int_equal(xenbus_front_reap(&f->nf.fe), 1); /* still mapped */
    assert_int_equal(f->fb.env.live_pages, 1);
    f->fb.env.gnt[ref].flags &= (uint16_t)~GTF_reading;
    assert_int_equal(xenbus_front_reap(&f->nf.fe), 0);
    assert_int_equal(f->fb.env.live_pages, 0);
    assert_int_equal(gnttab_nr_free(), f->nr_free0);
    assert_int_equal(f->nf.fe.grants_used, 0);
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
        cmocka_unit_test(poll_zero_budget_reaps_every_queue),
        T(tx_free_list_gets_the_answered_ids),
        T(teardown_returns_everything),
        T(teardown_defers_pages_still_mapped),
        T(setup_failure_undoes_everything),
        T(tx_unknown_id_breaks),
        T(tx_id_out_of_range_breaks),
        T(tx_duplicate_id_breaks),
        T(tx_bad_status_breaks),
        T(tx_unexpected_null_breaks),
        T(tx_prod_overflow_breaks),
        T(tx_more_responses_than_requests_breaks),
    };

    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 7 + (i >> 8) * 13);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
