// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/pvh.h - what the PVH files share (private to pvh/).
 *
 * pvh/boot.c parses hvm_start_info into pvh_boot (before start_kernel)
 * and fills the start_info_t the kernel sees; pvh/mm.c builds the page
 * tables from it; pvh/setup.c owns the CPU tables and Xen's pages.
 * Reference: xen/include/public/hvm/hvm_op.h, hvm/params.h.
 */
#ifndef ARCH_X86_64_PVH_PVH_H
#define ARCH_X86_64_PVH_PVH_H

#include <stdint.h>

#include "pvh_info.h"

/* The callback vector for events (any free vector >= 32). */
#define PVH_UPCALL_VECTOR 0xf3

extern struct pvh_info pvh_boot;
extern int pvh_boot_rc; /* pvh_info_parse()'s result */

/* HVMOP_get_param / _set_param for ourselves. 0 or -errno. */
int pvh_hvm_param_get(uint32_t index, uint64_t *value);
int pvh_hvm_param_set(uint32_t index, uint64_t value);

/* Read the store and console params into si (validated: a pfn inside
 * the image, or an absurd one, reads as absent = 0). */
struct start_info;
void pvh_read_params(struct start_info *si);

static inline void pvh_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr"
                     :
                     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void pvh_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
                             uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid"
                     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
                     : "a"(leaf), "c"(0));
}

#endif /* ARCH_X86_64_PVH_PVH_H */
