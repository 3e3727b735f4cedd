// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_common.h - what every libFuzzer target of test/fuzz/
 * shares: an invariant check that is always compiled in and aborts with
 * a reason (so libFuzzer records the input as a crash), and a cursor
 * that turns the fuzzer's bytes into the decisions of a hostile peer.
 *
 * Design choice: a target states the promises of the code under test as
 * FUZZ_CHECK()s (bounds of parsed lengths, "broken or healthy, never
 * crashed"), so a finding is either a sanitizer report or a broken
 * promise, never a harness artefact. The cursor returns zeros once the
 * input is used up, so every decision is defined for every input.
 * Reference: https://llvm.org/docs/LibFuzzer.html (LLVMFuzzerTestOneInput).
 */
#ifndef FUZZ_FUZZ_COMMON_H
#define FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz invariant violated: %s (%s:%d): ", #cond,    \
                    __FILE__, __LINE__);                                       \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* For the harness's own checking loops (id books, byte compares): left
 * out of coverage so they neither feed libFuzzer's signal nor cost a
 * trace-cmp call per iteration (they were 3/4 of netfront_tx's time). */
#define FUZZ_NOCOV __attribute__((no_sanitize("coverage")))

struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

static inline int fuzz_left(const struct fuzz_in *in)
{
    return in->n > 0;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
    uint8_t v = 0;

    if (in->n) {
        v = *in->p++;
        in->n--;
    }
    return v;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
    uint16_t lo = fuzz_u8(in);

    return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
    uint32_t lo = fuzz_u16(in);

    return lo | (uint32_t)fuzz_u16(in) << 16;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
    uint64_t lo = fuzz_u32(in);

    return lo | (uint64_t)fuzz_u32(in) << 32;
}

/* Up to want bytes from the input into out (the rest zero); returns the
 * number actually taken. */
static inline size_t fuzz_bytes(struct fuzz_in *in, void *out, size_t want)
{
    size_t n = want < in->n ? want : in->n;

    memcpy(out, in->p, n);
    memset((uint8_t *)out + n, 0, want - n);
    in->p += n;
    in->n -= n;
    return n;
}

#endif /* FUZZ_FUZZ_COMMON_H */
