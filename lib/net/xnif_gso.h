// SPDX-License-Identifier: MIT
/*
 * lib/net/xnif_gso.h - merging consecutive TCP/IPv4 segments into one
 * GSO (TSO) packet on transmit.
 *
 * lwIP cuts a TCP stream into MSS-sized segments and hands them to the
 * netif one by one. Behind a Xen backend every packet costs the backend
 * domain a grant operation, a trip through its bridge and its own stack,
 * which makes the packet rate, not the bytes, the limit of a guest that
 * sends. Design choice: the netif holds back back-to-back segments of
 * one connection and sends them as one packet with the GSO extra
 * (XN_PKT_GSO_TCPV4, gso_size = MSS), as Linux's TSO does; the backend
 * delivers it whole to local sockets or cuts it where it must. These
 * pure helpers decide what may be merged and write the merged headers;
 * lib/net/xnif.c owns the buffering. Reference: RFC 791, RFC 793,
 * xen/include/public/io/netif.h (XEN_NETIF_GSO_TYPE_TCPV4), Linux
 * CHECKSUM_PARTIAL (include/linux/skbuff.h).
 */
#ifndef NET_XNIF_GSO_H
#define NET_XNIF_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ethernet + IPv4 without options + TCP with the longest options. */
#define XNIF_GSO_HDR_MAX (14 + 20 + 60)

/* A segment that may take part in a merge. */
struct xnif_gso_seg {
    size_t hdr_len; /* Ethernet + IPv4 + TCP header bytes */
    size_t payload; /* TCP payload bytes */
    uint32_t seq;   /* sequence number of the first payload byte */
    bool psh;
};

/*
 * Parse a frame lwIP is about to send: hdr holds its first hdr_avail
 * bytes (contiguous), frame_len is its length. 0 and *s when it is an
 * untagged IPv4 TCP segment without IP options, not a fragment, whose
 * only TCP flags are ACK and maybe PSH, with payload, and whose lengths
 * agree with frame_len; -EINVAL for anything else (sent as it is).
 */
int xnif_gso_parse(const uint8_t *hdr, size_t hdr_avail, size_t frame_len,
                   struct xnif_gso_seg *s);

/*
 * True when the segment whose headers are at hdr (hdr_len bytes, parsed
 * by xnif_gso_parse) directly follows a merge begun with the headers at
 * first (same length): same MACs, addresses, TTL, DF, ports, ack,
 * window, urgent pointer and options, and sequence number next_seq.
 * Only the IP id, the checksums and PSH may differ.
 */
bool xnif_gso_continues(const uint8_t *first, const uint8_t *hdr,
                        size_t hdr_len, uint32_t next_seq);

/*
 * Turn hdr (a copy of the first segment's hdr_len header bytes) into the
 * merged packet's: IPv4 total length for payload_total payload bytes and
 * a fresh header checksum, PSH when any segment had it, and the TCP
 * checksum field set to the pseudo-header sum (CHECKSUM_PARTIAL: the
 * backend or whoever cuts the packet completes it). The caller keeps
 * hdr_len + payload_total <= 65535 - 14.
 */
void xnif_gso_finish(uint8_t *hdr, size_t hdr_len, size_t payload_total,
                     bool psh);

#endif /* NET_XNIF_GSO_H */
