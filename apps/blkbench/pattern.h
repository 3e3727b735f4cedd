// SPDX-License-Identifier: MIT
/*
 * apps/blkbench/pattern.h - self-describing test blocks.
 *
 * Each block written by `verify` and `writepattern` says what it is: a
 * magic, its block number, the run's seed, a checksum, then payload from
 * a seeded generator, so a read-back can tell a lost write (wrong seed),
 * a misdirected one (wrong block number) and corruption (checksum or
 * payload) apart. Design choice: the payload is a pure function of
 * (seed, block, position), so any block can be re-derived without
 * remembering what was written. Pure: host-tested.
 * Layout (little-endian): [0,8) magic "XNBLKV01", [8,16) block number,
 * [16,24) seed, [24,32) FNV-1a 64 of bytes [0,24) and [32,len),
 * [32,len) payload.
 */
#ifndef BLKBENCH_PATTERN_H
#define BLKBENCH_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#define PATTERN_MIN_BLOCK 64

enum pattern_result {
    PATTERN_OK = 0,
    PATTERN_BAD_MAGIC = -1,   /* not one of our blocks (never written) */
    PATTERN_BAD_BLOCK = -2,   /* ours, for another block (misdirected) */
    PATTERN_BAD_SEED = -3,    /* ours, from another run (lost write) */
    PATTERN_BAD_SUM = -4,     /* header or payload corrupted */
    PATTERN_BAD_PAYLOAD = -5, /* checksum fine but payload not derived */
    PATTERN_BAD_SIZE = -6,    /* len < PATTERN_MIN_BLOCK or not 8-aligned */
};

/* Fill buf (len >= 64, multiple of 8) as block `block` of run `seed`. */
int pattern_fill(void *buf, size_t len, uint64_t block, uint64_t seed);

/* Check buf against block `block` of run `seed`. */
enum pattern_result pattern_check(const void *buf, size_t len, uint64_t block,
                                  uint64_t seed);

/* Printable name of a result ("bad checksum"). */
const char *pattern_result_name(enum pattern_result r);

/* splitmix64 step: a well-mixed 64-bit sequence from any state. */
uint64_t pattern_mix(uint64_t *state);

#endif /* BLKBENCH_PATTERN_H */
