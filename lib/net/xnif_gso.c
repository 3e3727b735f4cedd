// SPDX-License-Identifier: MIT
/*
 * lib/net/xnif_gso.c - deciding which TCP/IPv4 segments may leave as one
 * GSO packet, and writing that packet's headers.
 *
 * Pure functions over header bytes (see xnif_gso.h for the why). Design
 * choice: merge only what any segmenter turns back into exactly the
 * segments lwIP built: the same headers byte for byte except the
 * fields a segmenter rewrites per piece (IPv4 total length, id and
 * checksum; TCP sequence number and checksum; PSH, which it keeps on
 * the last piece), contiguous sequence numbers, and every piece but the
 * last exactly gso_size long (the caller's rule). Segments with SYN,
 * FIN, RST, URG or ECN bits, IP options or fragments are never merged.
 * Reference: RFC 791, RFC 793, Linux tcp_gso_segment() semantics.
 */
#include <errno.h>
#include <string.h>

#include "lib/net/xnif_csum.h"
#include "lib/net/xnif_gso.h"

#define ETH_HLEN  14
#define IP_HLEN   20
#define TCP_HLEN  20
#define IP_OFF    ETH_HLEN
#define TCP_OFF   (ETH_HLEN + IP_HLEN)
#define TCP_ACK   0x10
#define TCP_PSH   0x08
#define TCP_FLAGS (TCP_OFF + 13)

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

int xnif_gso_parse(const uint8_t *hdr, size_t hdr_avail, size_t frame_len,
                   struct xnif_gso_seg *s)
{
    size_t thl, tot;
    uint8_t flags;

    if (hdr_avail > frame_len || hdr_avail < TCP_OFF + TCP_HLEN)
        return -EINVAL;
    if (be16(hdr + 12) != 0x0800 || hdr[IP_OFF] != 0x45 || hdr[IP_OFF + 9] != 6)
        return -EINVAL; /* not IPv4 + TCP, or IP options */
    /* Fragments (offset or MF) stay as they are; DF may be set. */
    if ((be16(hdr + IP_OFF + 6) & 0x3fff) != 0)
        return -EINVAL;
    thl = (size_t)(hdr[TCP_OFF + 12] >> 4) * 4;
    tot = be16(hdr + IP_OFF + 2);
    if (thl < TCP_HLEN || TCP_OFF + thl > hdr_avail ||
        ETH_HLEN + tot != frame_len || tot <= IP_HLEN + thl)
        return -EINVAL; /* headers split, length mismatch or no payload */
    flags = hdr[TCP_FLAGS];
    /* CWR/ECE/URG/RST/SYN/FIN (and the reserved NS bit) end merging. */
    if ((flags & ~TCP_PSH) != TCP_ACK || (hdr[TCP_OFF + 12] & 0x0f) != 0)
        return -EINVAL;
    s->hdr_len = TCP_OFF + thl;
    s->payload = tot - IP_HLEN - thl;
    s->seq = ((uint32_t)hdr[TCP_OFF + 4] << 24) |
             ((uint32_t)hdr[TCP_OFF + 5] << 16) |
             ((uint32_t)hdr[TCP_OFF + 6] << 8) | hdr[TCP_OFF + 7];
    s->psh = (flags & TCP_PSH) != 0;
    return 0;
}

bool xnif_gso_continues(const uint8_t *first, const uint8_t *hdr,
                        size_t hdr_len, uint32_t next_seq)
{
    uint8_t seq[4] = {(uint8_t)(next_seq >> 24), (uint8_t)(next_seq >> 16),
                      (uint8_t)(next_seq >> 8), (uint8_t)next_seq};

    /* Byte ranges that must match; the gaps are what may differ:
     * IP total length (2-3), id (4-5), checksum (10-11); TCP sequence
     * (4-7, checked against next_seq), flags (13), checksum (16-17). */
    return memcmp(first, hdr, ETH_HLEN + 2) == 0 &&
           memcmp(first + IP_OFF + 6, hdr + IP_OFF + 6, 4) == 0 &&
           memcmp(first + IP_OFF + 12, hdr + IP_OFF + 12, 8) == 0 &&
           memcmp(first + TCP_OFF, hdr + TCP_OFF, 4) == 0 &&
           memcmp(hdr + TCP_OFF + 4, seq, 4) == 0 &&
           memcmp(first + TCP_OFF + 8, hdr + TCP_OFF + 8, 5) == 0 &&
           (first[TCP_FLAGS] | TCP_PSH) == (hdr[TCP_FLAGS] | TCP_PSH) &&
           memcmp(first + TCP_OFF + 14, hdr + TCP_OFF + 14, 2) == 0 &&
           memcmp(first + TCP_OFF + 18, hdr + TCP_OFF + 18,
                  hdr_len - (TCP_OFF + 18)) == 0;
}

void xnif_gso_finish(uint8_t *hdr, size_t hdr_len, size_t payload_total,
                     bool psh)
{
    size_t l4_len = hdr_len - TCP_OFF + payload_total;
    uint8_t pseudo[12];

    put16(hdr + IP_OFF + 2, (uint16_t)(IP_HLEN + l4_len));
    put16(hdr + IP_OFF + 10, 0);
    put16(hdr + IP_OFF + 10,
          xnif_csum_finish(xnif_csum_add(0, hdr + IP_OFF, IP_HLEN, false)));
    if (psh)
        hdr[TCP_FLAGS] |= TCP_PSH;
    /* CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum,
     * not complemented, with the whole packet's TCP length. */
    memcpy(pseudo, hdr + IP_OFF + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 6;
    put16(pseudo + 10, (uint16_t)l4_len);
    put16(hdr + TCP_OFF + 16,
          (uint16_t)~xnif_csum_finish(xnif_csum_add(0, pseudo, 12, false)));
}
