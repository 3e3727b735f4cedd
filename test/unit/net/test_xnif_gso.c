// SPDX-License-Identifier: MIT
/*
 * test/unit/net/test_xnif_gso.c - merging TCP/IPv4 segments into one GSO
 * packet (lib/net/xnif_gso.c): which frames may be merged, which may
 * follow which, and that the merged headers are what a backend needs:
 * the right IPv4 length and header checksum, and a CHECKSUM_PARTIAL
 * field that, completed the way Linux completes it, gives the checksum
 * of the whole merged segment computed independently here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/net/xnif_gso.h"

#include "tcp_frames.h"

static void parse_accepts_data_segment(void **state)
{
    uint8_t f[HDR + 1460];
    struct xnif_gso_seg s;
    size_t n = make_seg(f, 0xfffffff0u, 1460, 7, 0x08);

    (void)state;
    assert_int_equal(xnif_gso_parse(f, n, n, &s), 0);
    assert_int_equal(s.hdr_len, HDR);
    assert_int_equal(s.payload, 1460);
    assert_int_equal(s.seq, 0xfffffff0u);
    assert_true(s.psh);
    /* Headers in the first piece suffice; the payload may be elsewhere. */
    assert_int_equal(xnif_gso_parse(f, HDR, n, &s), 0);
    n = make_seg(f, 1, 10, 7, 0);
    assert_int_equal(xnif_gso_parse(f, n, n, &s), 0);
    assert_false(s.psh);
    assert_int_equal(s.payload, 10);
}

static void parse_rejects_what_must_not_merge(void **state)
{
    uint8_t f[HDR + 100];
    struct xnif_gso_seg s;
    static const uint8_t bad_flags[] = {0x01, 0x02, 0x04, 0x20, 0x40, 0x80};
    size_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_flags); i++) {
        n = make_seg(f, 1, 100, 1, bad_flags[i]);
        assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    }
    n = make_seg(f, 1, 100, 1, 0);
    f[47] = 0x08; /* PSH without ACK */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    n = make_seg(f, 1, 0, 1, 0); /* a pure ACK */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    n = make_seg(f, 1, 100, 1, 0);
    f[46] |= 1; /* the NS bit */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    n = make_seg(f, 1, 100, 1, 0);
    put16(f + 20, 0x2000); /* more fragments */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    put16(f + 20, 0x0001); /* a later fragment */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    n = make_seg(f, 1, 100, 1, 0);
    f[14] = 0x46; /* IP options */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    n = make_seg(f, 1, 100, 1, 0);
    f[23] = 17; /* UDP */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    n = make_seg(f, 1, 100, 1, 0);
    put16(f + 12, 0x86dd); /* not IPv4 */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
    n = make_seg(f, 1, 100, 1, 0);
    assert_int_equal(xnif_gso_parse(f, n, n - 1, &s), -EINVAL);
    assert_int_equal(xnif_gso_parse(f, HDR - 1, n, &s), -EINVAL);
    f[46] = 15 << 4; /* options beyond the contiguous bytes */
    assert_int_equal(xnif_gso_parse(f, HDR, n, &s), -EINVAL);
    f[46] = 4 << 4; /* header shorter than 20 */
    assert_int_equal(xnif_gso_parse(f, n, n, &s), -EINVAL);
}

static void continues_only_the_same_flow_in_sequence(void **state)
{
    uint8_t a[HDR + 100], b[HDR + 100];

    (void)state;
    make_seg(a, 1000, 100, 1, 0);
    make_seg(b, 1100, 100, 2, 0x08); /* new id, PSH, checksums differ */
    assert_true(xnif_gso_continues(a, b, HDR, 1100));
    assert_false(xnif_gso_continues(a, b, HDR, 1000)); /* gap/overlap */

    /* Each byte outside the fields a segmenter rewrites must match. */
    for (size_t i = 0; i < HDR; i++) {
        bool may_differ = (i >= 16 && i < 20) || /* IP length, id */
                          (i >= 24 && i < 26) || /* IP checksum */
                          (i >= 38 && i < 42) || /* sequence */
                          (i >= 50 && i < 52);   /* TCP checksum */
        uint8_t keep = b[i];

        b[i] ^= i == 47 ? 0x01 : 0x40; /* FIN, or any other change */
        if (!may_differ)
            assert_false(xnif_gso_continues(a, b, HDR, 1100));
        else if (i < 38 || i >= 42)
            assert_true(xnif_gso_continues(a, b, HDR, 1100));
        b[i] = keep;
    }
    assert_true(xnif_gso_continues(a, b, HDR, 1100));
}

static void continues_compares_options(void **state)
{
    uint8_t a[HDR + 12 + 10], b[HDR + 12 + 10];

    (void)state;
    /* 12 option bytes (e.g. a SACK block); rebuilt by hand. */
    memset(a, 0, sizeof(a));
    make_seg(a, 5, 10, 1, 0);
    memmove(a + HDR + 12, a + HDR, 10);
    memset(a + HDR, 1, 12);
    a[46] = 8 << 4;
    memcpy(b, a, sizeof(a));
    put32(b + 38, 15);
    assert_true(xnif_gso_continues(a, b, HDR + 12, 15));
    b[HDR + 11] = 2;
    assert_false(xnif_gso_continues(a, b, HDR + 12, 15));
}

/* Merge 5 segments (mss 100, last 37), finish the headers, and check
 * them against an independent computation over the merged packet. */
static void finish_writes_backend_ready_headers(void **state)
{
    enum { MSS = 100, N = 5, LAST = 37 };
    uint8_t seg[HDR + MSS], merged[HDR + 4 * MSS + LAST], hdr[HDR];
    size_t payload = 0;
    uint32_t s;
    uint16_t partial, want;

    (void)state;
    for (unsigned int i = 0; i < N; i++) {
        size_t len = i + 1 < N ? MSS : LAST;

        make_seg(seg, 7000 + i * MSS, len, (uint16_t)(40 + i), 0);
        if (i == 0)
            memcpy(hdr, seg, HDR);
        memcpy(merged + HDR + payload, seg + HDR, len);
        payload += len;
    }
    xnif_gso_finish(hdr, HDR, payload, true);
    memcpy(merged, hdr, HDR);

    assert_int_equal(get16(merged + 16), 40 + payload);
    assert_int_equal(ref_sum(merged + 14, 20, 0), 0xffff); /* IP sum ok */
    assert_int_equal(merged[47], 0x18);                    /* ACK|PSH */
    assert_int_equal(get16(merged + 38), 0); /* the first's: 7000 */
    assert_int_equal(get16(merged + 40), 7000);

    /* Complete the partial checksum like a backend: sum the L4 bytes
     * with the field as it is, complement. */
    partial = get16(merged + 50);
    s = ref_sum(merged + 34, 20 + payload, 0);
    want = tcp_csum(merged, 20 + payload);
    assert_int_equal((uint16_t)~s, want);
    assert_int_not_equal(partial, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts_data_segment),
        cmocka_unit_test(parse_rejects_what_must_not_merge),
        cmocka_unit_test(continues_only_the_same_flow_in_sequence),
        cmocka_unit_test(continues_compares_options),
        cmocka_unit_test(finish_writes_backend_ready_headers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
