// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_xnif_csum.c - libFuzzer target of xnif's software
 * checksum completion (lib/net/xnif_csum.c): the fuzzer is the peer
 * whose CHECKSUM_PARTIAL frame the guest receives from netback.
 *
 * Design choice: drive it as lib/net/xnif.c does - locate the L4 header
 * in the first contiguous piece, sum the frame from l4_off, store the
 * result at loc.field - with the first two input bytes choosing how much
 * of the frame is contiguous and how long the frame claims to be.
 * Checked: a located checksum field and L4 range lie inside the frame
 * and the field inside the contiguous header; and the sum agrees with a
 * plain reference sum (one's complement of big-endian words), split at
 * an arbitrary point, odd or even.
 * Reference: RFC 1071 (Internet checksum), RFC 768/793/8200.
 */
#include "fuzz_common.h"
#include "lib/net/xnif_csum.h"

/* Plain reference: 16-bit big-endian words, odd byte padded. */
static uint16_t ref_sum(const uint8_t *p, size_t n)
{
    uint64_t s = 0;

    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    uint16_t split = fuzz_u16(&in);
    const uint8_t *frame = in.p;
    size_t len = in.n, hdr_len = split % (len + 1), cut;
    struct xnif_csum_loc loc;
    uint32_t sum;

    /* Frame claimed longer than the bytes present is the caller's bug,
     * never the wire's: xnif passes tot_len of real pbufs. */
    if (xnif_csum_locate(frame, hdr_len, len, &loc) == 0) {
        FUZZ_CHECK(loc.l4_off < hdr_len, "l4_off %zu hdr %zu", loc.l4_off,
                   hdr_len);
        FUZZ_CHECK(loc.field + 2 <= hdr_len, "field %zu hdr %zu", loc.field,
                   hdr_len);
        FUZZ_CHECK(loc.field >= loc.l4_off, "field before l4");
        FUZZ_CHECK(loc.l4_off + loc.l4_len <= len, "l4 %zu+%zu > %zu",
                   loc.l4_off, loc.l4_len, len);
    }
    /* The summing step against the reference, split anywhere. */
    cut = len ? (size_t)(split >> 3) % (len + 1) : 0;
    sum = xnif_csum_add(0, frame, cut, false);
    sum = xnif_csum_add(sum, frame + cut, len - cut, cut & 1);
    FUZZ_CHECK(xnif_csum_finish(sum) == ref_sum(frame, len),
               "sum of %zu bytes split at %zu", len, cut);
    return 0;
}
