// SPDX-License-Identifier: MIT
/*
 * test/unit/netfront/test_netfront_rx.c - host tests of netfront's
 * receive path; the test is the backend.
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

/* ---- fewer buffers than ring slots (a small memory profile) ---- */

static int setup_small(void **state)
{
    *state = make_bufs(1, true, true, false, 32, 32);
    return 0;
}

static void small_bufs_post_only_what_they_own(void **state)
{
    struct fx *f = *state;

    assert_int_equal(q0(f)->rx_n, 32);
    assert_int_equal(q0(f)->tx_n, 32);
    assert_int_equal(fnb_rx_posted(&f->fb, 0), 32);
    /* Two rings and 32 + 32 pages granted, not 2 + 512. */
    assert_int_equal(gnttab_nr_free(), f->nr_free0 - 2 - 64);
    for (unsigned int i = 32; i < RING; i++) {
        assert_null(q0(f)->rx_buf[i]);
        assert_null(q0(f)->tx_buf[i]);
    }
}

static void small_bufs_wrap_the_ring_many_times(void **state)
{
    struct fx *f = *state;

    /* Sizes whose slot counts (1, 3, 2) do not divide 32 or 256, so
     * the buffer ids and the ring slots fall out of step. */
    for (unsigned int i = 0; i < 4 * RING; i++) {
        size_t len = i % 3 == 0 ? 60 : i % 3 == 1 ? 9000 : 5000;

        assert_true(fnb_rx_put(&f->fb, 0, pattern + i % 64, len, 4096, 0,
                               NULL) > 0);
        fnb_rx_push(&f->fb, 0);
        assert_int_equal(netfront_poll(&f->nf, 8), 1);
        assert_int_equal(f->rx_len, len);
        assert_memory_equal(f->rx_data, pattern + i % 64, len);
        assert_int_equal(fnb_rx_posted(&f->fb, 0), 32);
    }
    assert_int_equal(f->rx_count, 4 * RING);
    assert_false(f->nf.fe.broken);
}

static void small_bufs_id_of_the_ring_slot_breaks(void **state)
{
    struct fx *f = *state;
    netif_rx_back_ring_t *r = &f->fb.rx[0];

    for (unsigned int i = 0; i < 32; i++) {
        assert_int_equal(fnb_rx_put(&f->fb, 0, pattern, 60, 4096, 0, NULL),
                         1);
        fnb_rx_push(&f->fb, 0);
        assert_int_equal(netfront_poll(&f->nf, 8), 1);
    }
    /* Ring index 32 carries buffer 0: id 32 (its slot number, valid
     * with 256 buffers) names a buffer this queue does not have. */
    r->req_cons++;
    *RING_GET_RESPONSE(r, r->rsp_prod_pvt++) =
        (netif_rx_response_t){.id = 32, .status = 60};
    fnb_rx_push(&f->fb, 0);
    expect_broken(f, netfront_poll(&f->nf, 8));
    assert_int_equal(f->rx_count, 32);
}

static void small_bufs_tx_stops_at_its_buffers(void **state)
{
    struct fx *f = *state;
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);

    for (unsigned int i = 0; i < 32; i++)
        assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    /* 224 ring slots are free, but no buffer is. */
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EAGAIN);
    for (unsigned int i = 0; i < 32; i++) {
        assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1);
        assert_true(f->tp.ids[0] < 32);
        fnb_tx_complete(&f->fb, 0, &f->tp, NETIF_RSP_OKAY);
    }
    fnb_tx_push(&f->fb, 0);
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_false(f->nf.fe.broken);
}

static void buffer_counts_are_clamped(void **state)
{
    static const unsigned int in[][2] = {
        {0, 256}, {1, 32}, {31, 32}, {32, 32}, {100, 64},
        {255, 128}, {256, 256}, {5000, 256}};
    struct netfront nf;

    (void)state;
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        memset(&nf, 0, sizeof(nf));
        nf.cfg.rx_bufs = nf.cfg.tx_bufs = in[i][0];
        netfront_size_bufs(&nf);
        assert_int_equal(nf.cfg.rx_bufs, in[i][1]);
        assert_int_equal(nf.cfg.tx_bufs, in[i][1]);
        netfront_size_bufs(&nf); /* idempotent */
        assert_int_equal(nf.cfg.rx_bufs, in[i][1]);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TS(fn) cmocka_unit_test_setup_teardown(fn, setup_small, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(rx_single_packet),
        T(rx_multi_slot_packet),
        T(rx_checksum_flags),
        T(rx_gso_extra_info),
        T(rx_reposts_exactly_what_was_consumed),
        /* Also under the double-fetch detector: the slots of a packet
         * not completely published are copied once and kept. */
        T(rx_waits_for_rest_of_packet),
        T(rx_error_status_drops_packet),
        T(kick_on_event),
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
        TS(small_bufs_post_only_what_they_own),
        TS(small_bufs_wrap_the_ring_many_times),
        TS(small_bufs_id_of_the_ring_slot_breaks),
        TS(small_bufs_tx_stops_at_its_buffers),
        cmocka_unit_test(buffer_counts_are_clamped),
    };

    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 7 + (i >> 8) * 13);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
