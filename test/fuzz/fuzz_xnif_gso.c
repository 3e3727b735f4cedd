// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_xnif_gso.c - libFuzzer target of xnif's TSO merge
 * (lib/net/xnif_gso.c): the frames come from lwIP, whose headers are
 * shaped by what remote peers sent (options, windows, sequence numbers),
 * so the parser is treated as untrusted-input code.
 *
 * Design choice: the input is two frames (a 16-bit length, then the
 * bytes) driven as xnif.c does: parse both, test whether the second
 * continues the first, and finish a copy of the first header for the
 * merged payload. Checked: a parsed header lies inside the contiguous
 * bytes and within XNIF_GSO_HDR_MAX, header + payload = the frame, a
 * frame always continues itself at its own sequence number... and never
 * at another one, and after finish the IPv4 header checksum verifies and
 * the total length is the merged one.
 * Reference: RFC 791, RFC 9293; Linux CHECKSUM_PARTIAL semantics.
 */
#include "fuzz_common.h"
#include "lib/net/xnif_csum.h"
#include "lib/net/xnif_gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    size_t l1 = fuzz_u16(&in) % (in.n + 1), l2, avail1;
    const uint8_t *f1 = in.p, *f2;
    struct xnif_gso_seg s1, s2;
    uint8_t hdr[XNIF_GSO_HDR_MAX];
    size_t total;
    uint32_t sum;

    in.p += l1, in.n -= l1;
    l2 = fuzz_u16(&in) % (in.n + 1);
    f2 = in.p;
    avail1 = l1 > 1 ? l1 - (size_t)(f1[l1 - 1] & 7) : l1; /* not contiguous */
    if (xnif_gso_parse(f1, avail1, l1, &s1) != 0)
        return 0;
    FUZZ_CHECK(s1.hdr_len <= avail1 && s1.hdr_len <= XNIF_GSO_HDR_MAX,
               "hdr_len %zu avail %zu", s1.hdr_len, avail1);
    FUZZ_CHECK(s1.hdr_len >= 14 + 20 + 20, "hdr_len %zu", s1.hdr_len);
    FUZZ_CHECK(s1.payload > 0 && s1.hdr_len + s1.payload == l1,
               "hdr %zu + payload %zu != %zu", s1.hdr_len, s1.payload, l1);
    FUZZ_CHECK(xnif_gso_continues(f1, f1, s1.hdr_len, s1.seq),
               "a segment does not continue itself");
    FUZZ_CHECK(!xnif_gso_continues(f1, f1, s1.hdr_len, s1.seq + 1),
               "continues at the wrong sequence number");
    if (xnif_gso_parse(f2, l2, l2, &s2) == 0 && s2.hdr_len == s1.hdr_len)
        (void)xnif_gso_continues(f1, f2, s1.hdr_len, s1.seq + s1.payload);
    /* The merge never grows past one IPv4 packet (xnif's rule). */
    total = s1.payload * 3;
    if (s1.hdr_len + total > 65535 - 14)
        total = 65535 - 14 - s1.hdr_len;
    memcpy(hdr, f1, s1.hdr_len);
    xnif_gso_finish(hdr, s1.hdr_len, total, s1.psh);
    FUZZ_CHECK(((size_t)hdr[16] << 8 | hdr[17]) == s1.hdr_len - 14 + total,
               "IPv4 total length");
    sum = xnif_csum_add(0, hdr + 14, (size_t)(hdr[14] & 15) * 4, false);
    FUZZ_CHECK(xnif_csum_finish(sum) == 0, "IPv4 header checksum");
    return 0;
}
