// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/cpu.c - CPU helpers common to PV and PVH: RDRAND.
 *
 * Design: CPUID is asked once; RDRAND may transiently fail (CF=0), so it
 * is retried as Intel's guidance says. Reference: Intel SDM vol. 2
 * (RDRAND, CPUID leaf 1 ECX bit 30).
 */
#include "arch.h"

bool arch_rdrand64(uint64_t *out)
{
    uint32_t a = 1, b, c = 0, d;
    static int has = -1;

    if (has < 0) {
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
        has = (c >> 30) & 1;
    }
    if (!has)
        return false;
    /* RDRAND may transiently fail (CF=0); Intel suggests 10 retries. */
    for (int i = 0; i < 10; i++) {
        unsigned char ok;
        uint64_t v;

        __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (ok) {
            *out = v;
            return true;
        }
    }
    return false;
}
