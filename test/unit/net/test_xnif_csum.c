// SPDX-License-Identifier: MIT
/*
 * test/unit/net/test_xnif_csum.c - completing CHECKSUM_PARTIAL frames
 * (lib/net/xnif_csum.c): the header parser on good and hostile frames,
 * and the piecewise checksum against a whole-buffer reference, on real
 * TCP/UDP over IPv4/IPv6 frames whose correct checksum is known.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/net/xnif_csum.h"
#include "xenith/netdev.h"

/* Reference RFC 1071 sum over one buffer, written independently. */
static uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t start)
{
    uint64_t s = start;

    for (size_t i = 0; i < len; i++)
        s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Ethernet + IPv4 + UDP (or TCP) frame with payload; returns length. */
static size_t make_v4(uint8_t *f, uint8_t proto, size_t payload)
{
    size_t l4h = proto == 6 ? 20 : 8, l4 = l4h + payload;

    memset(f, 0, 14 + 20 + l4);
    put16(f + 12, 0x0800);
    f[14] = 0x45;
    put16(f + 16, (uint16_t)(20 + l4));
    f[14 + 8] = 64;
    f[14 + 9] = proto;
    memcpy(f + 26, (uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(f + 30, (uint8_t[]){10, 0, 0, 20}, 4);
    put16(f + 34, 1234);
    put16(f + 36, 7);
    if (proto == 17)
        put16(f + 38, (uint16_t)l4);
    else
        f[34 + 12] = 5 << 4;
    for (size_t i = 0; i < payload; i++)
        f[34 + l4h + i] = (uint8_t)(i * 7 + 3);
    return 14 + 20 + l4;
}

/* The pseudo-header sum (not complemented), as a sender leaves it. */
static uint32_t pseudo_v4(const uint8_t *f, uint8_t proto, size_t l4)
{
    uint32_t s = 0;

    for (int i = 0; i < 8; i += 2)
        s += (uint32_t)(f[26 + i] << 8 | f[26 + i + 1]);
    s += proto;
    s += (uint32_t)l4;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

/* Complete a frame like the driver does, in pieces of `piece` bytes. */
static uint16_t complete(uint8_t *f, size_t len, size_t piece)
{
    struct xnif_csum_loc loc;
    uint32_t sum = 0;
    size_t done = 0;
    uint16_t c;

    assert_int_equal(xnif_csum_locate(f, len, len, &loc), 0);
    while (done < loc.l4_len) {
        size_t n = loc.l4_len - done < piece ? loc.l4_len - done : piece;

        sum = xnif_csum_add(sum, f + loc.l4_off + done, n, done & 1);
        done += n;
    }
    c = xnif_csum_finish(sum);
    if (loc.udp && c == 0)
        c = 0xffff;
    put16(f + loc.field, c);
    return c;
}

static void tcp4_and_udp4_completed_in_any_pieces(void **state)
{
    static const size_t pieces[] = {1, 2, 3, 7, 64, 1500, 100000};
    uint8_t f[1600], g[1600];

    (void)state;
    for (int proto = 6; proto <= 17; proto += 11) {
        size_t len = make_v4(f, (uint8_t)proto, 1001); /* odd length */
        size_t l4 = len - 34;
        size_t field = proto == 6 ? 34 + 16 : 34 + 6;
        uint16_t want;

        /* The correct value: checksum with the field zero, over the
         * pseudo-header and the segment. */
        put16(f + field, 0);
        want = ref_csum(f + 34, l4, pseudo_v4(f, (uint8_t)proto, l4));
        for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
            memcpy(g, f, len);
            put16(g + field, (uint16_t)pseudo_v4(f, (uint8_t)proto, l4));
            assert_int_equal(complete(g, len, pieces[i]), want);
            /* And the receiver's check over the result sums to zero. */
            assert_int_equal(
                ref_csum(g + 34, l4, pseudo_v4(g, (uint8_t)proto, l4)), 0);
        }
    }
}

static void tcp6_located(void **state)
{
    uint8_t f[200] = {0};
    struct xnif_csum_loc loc;

    (void)state;
    put16(f + 12, 0x86dd);
    f[14] = 0x60;
    put16(f + 18, 40); /* payload: TCP header + 20 bytes */
    f[20] = 6;
    assert_int_equal(xnif_csum_locate(f, 14 + 40 + 40, 14 + 40 + 40, &loc), 0);
    assert_int_equal(loc.l4_off, 54);
    assert_int_equal(loc.l4_len, 40);
    assert_int_equal(loc.field, 54 + 16);
    assert_false(loc.udp);
    /* Extension header (hop-by-hop = 0): not completed, dropped. */
    f[20] = 0;
    assert_int_equal(xnif_csum_locate(f, 94, 94, &loc), -EINVAL);
}

static void hostile_headers_rejected(void **state)
{
    uint8_t f[1600], g[1600];
    struct xnif_csum_loc loc;
    size_t len;

    (void)state;
    len = make_v4(f, 6, 10);
    assert_int_equal(xnif_csum_locate(f, len, len, &loc), 0);

#define MUTATE(stmt, hdr_len, frame_len)                                       \
    do {                                                                       \
        memcpy(g, f, len);                                                     \
        stmt;                                                                  \
        assert_int_equal(xnif_csum_locate(g, hdr_len, frame_len, &loc),        \
                         -EINVAL);                                             \
    } while (0)

    MUTATE((void)0, 13, len);                /* no Ethernet header */
    MUTATE((void)0, len, len - 1);           /* hdr beyond frame */
    MUTATE((void)0, 30, len);                /* IPv4 header cut */
    MUTATE(put16(g + 12, 0x0806), len, len); /* ARP */
    MUTATE(g[14] = 0x65, len, len);          /* IP version 6 in v4 */
    MUTATE(g[14] = 0x44, len, len);          /* IHL 16 bytes */
    MUTATE(put16(g + 16, 19), len, len);     /* total < IHL */
    MUTATE(put16(g + 16, 2000), len, len);   /* total beyond frame */
    MUTATE(put16(g + 16, 20 + 8), len, len); /* too short for TCP */
    MUTATE(put16(g + 20, 0x2000), len, len); /* more fragments */
    MUTATE(put16(g + 20, 0x0001), len, len); /* fragment offset */
    MUTATE(g[23] = 1, len, len);             /* ICMP: no partial */
    MUTATE((void)0, 34 + 17, len);           /* field not contiguous */
#undef MUTATE
    /* The don't-fragment bit alone is fine. */
    memcpy(g, f, len);
    put16(g + 20, 0x4000);
    assert_int_equal(xnif_csum_locate(g, len, len, &loc), 0);
    assert_int_equal(loc.l4_len, 30);
}

static void vlan_tagged(void **state)
{
    uint8_t f[1600], g[1604];
    struct xnif_csum_loc loc;
    size_t len = make_v4(f, 17, 4);

    (void)state;
    memcpy(g, f, 12);
    put16(g + 12, 0x8100);
    put16(g + 14, 5);
    memcpy(g + 16, f + 12, len - 12);
    assert_int_equal(xnif_csum_locate(g, len + 4, len + 4, &loc), 0);
    assert_int_equal(loc.l4_off, 38);
    assert_int_equal(loc.field, 38 + 6);
    assert_true(loc.udp);
}

static void udp_zero_becomes_ffff(void **state)
{
    /* Craft a UDP segment whose checksum computes to 0: the payload word
     * that makes the total sum 0xffff. */
    uint8_t f[100];
    size_t len = make_v4(f, 17, 2);
    uint32_t partial = pseudo_v4(f, 17, 10);
    uint16_t c;

    (void)state;
    f[42] = f[43] = 0;
    put16(f + 40, (uint16_t)partial);
    c = xnif_csum_finish(xnif_csum_add(0, f + 34, 10, false));
    /* Choose payload so that the complement is 0. */
    put16(f + 42, c);
    assert_int_equal(complete(f, len, 1500), 0xffff);
}

/* Only CSUM_PARTIAL frames get their checksum completed; a GSO frame
 * that is data_validated carries a correct full checksum. */
static void rx_fix_only_for_partial(void **state)
{
    (void)state;
    assert_true(xnif_csum_rx_needs_fix(XN_PKT_CSUM_PARTIAL));
    assert_true(xnif_csum_rx_needs_fix(XN_PKT_CSUM_PARTIAL | XN_PKT_GSO_TCPV4));
    assert_false(xnif_csum_rx_needs_fix(XN_PKT_CSUM_VALID | XN_PKT_GSO_TCPV4));
    assert_false(xnif_csum_rx_needs_fix(XN_PKT_CSUM_VALID | XN_PKT_GSO_TCPV6));
    assert_false(xnif_csum_rx_needs_fix(XN_PKT_GSO_TCPV4));
    assert_false(xnif_csum_rx_needs_fix(XN_PKT_CSUM_VALID));
    assert_false(xnif_csum_rx_needs_fix(0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp4_and_udp4_completed_in_any_pieces),
        cmocka_unit_test(rx_fix_only_for_partial),
        cmocka_unit_test(tcp6_located),
        cmocka_unit_test(hostile_headers_rejected),
        cmocka_unit_test(vlan_tagged),
        cmocka_unit_test(udp_zero_becomes_ffff),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
