// SPDX-License-Identifier: MIT
/*
 * test/unit/net/tcp_frames.h - TCP/IPv4 frames as lwIP sends them, for
 * the host tests of lib/net (the merge and the transmit path), with a
 * reference RFC 1071 checksum written independently of lib/net.
 */
#ifndef TEST_UNIT_NET_TCP_FRAMES_H
#define TEST_UNIT_NET_TCP_FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HDR 54 /* Ethernet + IPv4 + TCP without options */

/* Reference RFC 1071 sum over one buffer, written independently. */
static inline uint32_t ref_sum(const uint8_t *p, size_t len, uint32_t s)
{
    for (size_t i = 0; i < len; i++)
        s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* The TCP checksum of the segment in frame f (field zeroed first). */
static inline uint16_t tcp_csum(uint8_t *f, size_t l4_len)
{
    uint8_t pseudo[12];
    uint32_t s;

    memcpy(pseudo, f + 26, 8);
    pseudo[8] = 0;
    pseudo[9] = 6;
    put16(pseudo + 10, (uint16_t)l4_len);
    put16(f + 50, 0);
    s = ref_sum(pseudo, 12, 0);
    s = ref_sum(f + 34, l4_len, s);
    return (uint16_t)~s;
}

/* A complete, correctly checksummed segment as lwIP would send it:
 * Ethernet + IPv4 (DF, id) + TCP (ACK, flags extra) + payload. */
static inline size_t make_seg(uint8_t *f, uint32_t seq, size_t payload, uint16_t id,
                       uint8_t extra_flags)
{
    memset(f, 0, HDR + payload);
    memcpy(f, (uint8_t[]){0, 0x16, 0x3e, 1, 2, 3, 0, 0x16, 0x3e, 4, 5, 6}, 12);
    put16(f + 12, 0x0800);
    f[14] = 0x45;
    put16(f + 16, (uint16_t)(20 + 20 + payload));
    put16(f + 18, id);
    put16(f + 20, 0x4000); /* DF */
    f[22] = 255;
    f[23] = 6;
    memcpy(f + 26, (uint8_t[]){10, 0, 0, 80, 10, 0, 0, 1}, 8);
    put16(f + 24, (uint16_t)~ref_sum(f + 14, 20, 0));
    put16(f + 34, 5201);
    put16(f + 36, 44586);
    put32(f + 38, seq);
    put32(f + 42, 0x11223344);
    f[46] = 5 << 4;
    f[47] = (uint8_t)(0x10 | extra_flags);
    put16(f + 48, 32758);
    for (size_t i = 0; i < payload; i++)
        f[HDR + i] = (uint8_t)((seq + i) * 13 + 1);
    put16(f + 50, tcp_csum(f, 20 + payload));
    return HDR + payload;
}

#endif /* TEST_UNIT_NET_TCP_FRAMES_H */
