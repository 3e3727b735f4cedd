// SPDX-License-Identifier: MIT
/*
 * apps/blkbench/pattern.c - self-describing test blocks (see pattern.h).
 *
 * The payload generator is splitmix64 seeded with the run's seed and the
 * block number, so neighbouring blocks and runs differ in every word.
 * The checksum is FNV-1a 64 over the header (minus itself) and the
 * payload: cheap, and any single changed byte changes it. Reference:
 * splitmix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), FNV-1a (Fowler, Noll, Vo).
 */
#include <string.h>

#include "pattern.h"

static const uint8_t magic[8] = {'X', 'N', 'B', 'L', 'K', 'V', '0', '1'};

uint64_t pattern_mix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t block_sum(const uint8_t *b, size_t len)
{
    uint64_t h = fnv1a(0xcbf29ce484222325ull, b, 24);

    return fnv1a(h, b + 32, len - 32);
}

static uint64_t payload_state(uint64_t block, uint64_t seed)
{
    uint64_t s = seed ^ (block * 0xd1b54a32d192ed03ull);

    (void)pattern_mix(&s); /* decorrelate seeds that differ by a little */
    return s;
}

static int size_ok(size_t len)
{
    return len >= PATTERN_MIN_BLOCK && len % 8 == 0;
}

int pattern_fill(void *buf, size_t len, uint64_t block, uint64_t seed)
{
    uint8_t *b = buf;
    uint64_t st = payload_state(block, seed);

    if (!size_ok(len))
        return PATTERN_BAD_SIZE;
    memcpy(b, magic, 8);
    put64(b + 8, block);
    put64(b + 16, seed);
    for (size_t off = 32; off < len; off += 8)
        put64(b + off, pattern_mix(&st));
    put64(b + 24, block_sum(b, len));
    return PATTERN_OK;
}

enum pattern_result pattern_check(const void *buf, size_t len, uint64_t block,
                                  uint64_t seed)
{
    const uint8_t *b = buf;
    uint64_t st;

    if (!size_ok(len))
        return PATTERN_BAD_SIZE;
    if (memcmp(b, magic, 8) != 0)
        return PATTERN_BAD_MAGIC;
    if (get64(b + 24) != block_sum(b, len))
        return PATTERN_BAD_SUM;
    if (get64(b + 8) != block)
        return PATTERN_BAD_BLOCK;
    if (get64(b + 16) != seed)
        return PATTERN_BAD_SEED;
    st = payload_state(block, seed);
    for (size_t off = 32; off < len; off += 8)
        if (get64(b + off) != pattern_mix(&st))
            return PATTERN_BAD_PAYLOAD;
    return PATTERN_OK;
}

const char *pattern_result_name(enum pattern_result r)
{
    switch (r) {
    case PATTERN_OK:
        return "ok";
    case PATTERN_BAD_MAGIC:
        return "bad magic (never written)";
    case PATTERN_BAD_BLOCK:
        return "wrong block number (misdirected write)";
    case PATTERN_BAD_SEED:
        return "wrong seed (stale data: lost write)";
    case PATTERN_BAD_SUM:
        return "bad checksum (corrupted)";
    case PATTERN_BAD_PAYLOAD:
        return "bad payload";
    case PATTERN_BAD_SIZE:
    default:
        return "bad block size";
    }
}
