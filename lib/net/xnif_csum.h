// SPDX-License-Identifier: MIT
/*
 * lib/net/xnif_csum.h - locating the checksum of a CHECKSUM_PARTIAL frame.
 *
 * A Xen backend may hand us frames from a neighbour domain whose TCP/UDP
 * checksum was never computed (netif's NETRXF_csum_blank, the device's
 * XN_PKT_CSUM_PARTIAL): the field holds only the pseudo-header sum, as
 * Linux's CHECKSUM_PARTIAL defines it. lwIP verifies every checksum, so
 * the netif driver completes such frames first; this pure parser says
 * where. Design choice: validate every length against both the buffer
 * and the IP header, since the frame came from another domain.
 * Reference: Linux include/linux/skbuff.h (CHECKSUM_PARTIAL), RFC 791,
 * RFC 8200, RFC 793, RFC 768.
 */
#ifndef NET_XNIF_CSUM_H
#define NET_XNIF_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a CHECKSUM_PARTIAL frame's L4 checksum lives. */
struct xnif_csum_loc {
    size_t l4_off; /* start of the TCP/UDP header in the frame */
    size_t l4_len; /* TCP/UDP header + payload, per the IP header */
    size_t field;  /* offset of the 16-bit checksum field in the frame */
    bool udp;      /* UDP: a computed 0 is sent as 0xffff */
};

/*
 * Parse the Ethernet + IPv4/IPv6 (no extension headers) + TCP/UDP
 * headers of a frame whose L4 checksum must be completed in software.
 * hdr holds the first hdr_len bytes (contiguous) of a frame of frame_len
 * bytes. 0 and *loc, or -EINVAL when the headers are not there, not
 * contiguous or inconsistent (the caller drops the frame).
 */
int xnif_csum_locate(const uint8_t *hdr, size_t hdr_len, size_t frame_len,
                     struct xnif_csum_loc *loc);

/*
 * The Internet checksum step: add len bytes at p to a 32-bit running
 * one's-complement sum (big-endian 16-bit words; odd_start says whether
 * p begins at an odd offset of the summed region). Returns the new sum.
 */
uint32_t xnif_csum_add(uint32_t sum, const uint8_t *p, size_t len,
                       bool odd_start);

/* Fold a running sum and complement it: the value to store. */
uint16_t xnif_csum_finish(uint32_t sum);

/*
 * Does a received frame with these XN_PKT_* flags need its transport
 * checksum completed? Only a CSUM_PARTIAL frame carries just the
 * pseudo-header sum; a GSO frame that is merely data_validated (or has
 * no flag) carries a full checksum, which "completing" would overwrite
 * with garbage. Pure.
 */
bool xnif_csum_rx_needs_fix(uint32_t pkt_flags);

#endif /* NET_XNIF_CSUM_H */
