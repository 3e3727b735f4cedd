// SPDX-License-Identifier: MIT
/*
 * lib/net/xnif_csum.c - completing CHECKSUM_PARTIAL frames (pure code).
 *
 * Parses the headers of a received frame to find its TCP/UDP checksum
 * and computes the Internet checksum over pbuf-sized pieces, so the
 * netif driver can finish what a neighbour domain left undone before
 * lwIP verifies it. Design choice: no lwIP types here, so the host unit
 * tests run it directly; every length read from the frame is checked
 * against the buffer and the IP header before use.
 * Reference: RFC 1071 (the checksum), RFC 791/8200 (IP headers).
 */
#include <errno.h>

#include "lib/net/xnif_csum.h"
#include "xenith/netdev.h"

#define ETH_HLEN     14
#define ETHTYPE_IPV4 0x0800
#define ETHTYPE_IPV6 0x86dd
#define ETHTYPE_VLAN 0x8100
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6
#define TCP_MIN_HLEN 20
#define UDP_HLEN     8
#define IPV6_HLEN    40

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

int xnif_csum_locate(const uint8_t *hdr, size_t hdr_len, size_t frame_len,
                     struct xnif_csum_loc *loc)
{
    size_t off = ETH_HLEN, ip_payload;
    uint16_t type;
    uint8_t proto;

    if (hdr_len > frame_len || hdr_len < ETH_HLEN)
        return -EINVAL;
    type = be16(hdr + 12);
    if (type == ETHTYPE_VLAN) {
        if (hdr_len < ETH_HLEN + 4)
            return -EINVAL;
        type = be16(hdr + 16);
        off += 4;
    }
    if (type == ETHTYPE_IPV4) {
        size_t ihl, tot;

        if (hdr_len < off + 20 || (hdr[off] >> 4) != 4)
            return -EINVAL;
        ihl = (size_t)(hdr[off] & 0xf) * 4;
        tot = be16(hdr + off + 2);
        /* A fragment's L4 checksum covers the whole datagram: never
         * partial. Offset or MF set means we cannot complete it. */
        if (ihl < 20 || tot < ihl || off + tot > frame_len ||
            (be16(hdr + off + 6) & 0x3fff) != 0)
            return -EINVAL;
        proto = hdr[off + 9];
        ip_payload = tot - ihl;
        off += ihl;
    } else if (type == ETHTYPE_IPV6) {
        if (hdr_len < off + IPV6_HLEN || (hdr[off] >> 4) != 6)
            return -EINVAL;
        ip_payload = be16(hdr + off + 4);
        proto = hdr[off + 6];
        off += IPV6_HLEN;
        if (off + ip_payload > frame_len)
            return -EINVAL;
    } else {
        return -EINVAL;
    }

    if (proto == IPPROTO_TCP_) {
        if (ip_payload < TCP_MIN_HLEN)
            return -EINVAL;
        loc->field = off + TCP_CSUM_OFF;
        loc->udp = false;
    } else if (proto == IPPROTO_UDP_) {
        if (ip_payload < UDP_HLEN)
            return -EINVAL;
        loc->field = off + UDP_CSUM_OFF;
        loc->udp = true;
    } else {
        return -EINVAL;
    }
    /* The field itself must be in the contiguous part we may write. */
    if (loc->field + 2 > hdr_len)
        return -EINVAL;
    loc->l4_off = off;
    loc->l4_len = ip_payload;
    return 0;
}

uint32_t xnif_csum_add(uint32_t sum, const uint8_t *p, size_t len,
                       bool odd_start)
{
    uint64_t acc = sum;
    size_t i = 0;

    if (len && odd_start) {
        acc += p[0]; /* the low byte of a word begun in the last piece */
        i = 1;
    }
    for (; i + 1 < len; i += 2)
        acc += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (i < len)
        acc += (uint32_t)p[i] << 8;
    while (acc >> 32)
        acc = (acc & 0xffffffffu) + (acc >> 32);
    /* Keep the running value in 32 bits for the next piece. */
    acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t)acc;
}

uint16_t xnif_csum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

bool xnif_csum_rx_needs_fix(uint32_t pkt_flags)
{
    return (pkt_flags & XN_PKT_CSUM_PARTIAL) != 0;
}
