// SPDX-License-Identifier: MIT
/*
 * apps/blkbench/sha256.h - SHA-256, incremental.
 *
 * blkbench hashes what it reads from a disk so a test can compare it
 * with dom0's `head -c BYTES img | sha256sum`. Design choice: a small
 * byte-oriented implementation written from the standard (no tables
 * beyond the 64 round constants, no assumptions about alignment), fast
 * enough for hundreds of MB. Pure: host-tested against the standard's
 * examples. Reference: FIPS 180-4 (Secure Hash Standard), section 6.2.
 */
#ifndef BLKBENCH_SHA256_H
#define BLKBENCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* partial block */
    size_t fill;       /* bytes in block */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Finish: 32-byte digest into out. c must be re-initialised to reuse. */
void sha256_final(struct sha256 *c, uint8_t out[32]);
/* Lower-case hex of a digest into hex (65 bytes with the NUL). */
void sha256_hex(const uint8_t digest[32], char hex[65]);

#endif /* BLKBENCH_SHA256_H */
