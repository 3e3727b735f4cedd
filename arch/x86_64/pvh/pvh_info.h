// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/pvh_info.h - hvm_start_info, validated and copied.
 *
 * A PVH guest starts with %ebx = the guest-physical address of struct
 * hvm_start_info; the builder put it, the command line, the memory map
 * and the module list somewhere in guest RAM (after the image). Design:
 * a pure function reads it through a `phys` callback (guest: identity
 * mapped memory with bounds; host tests: a plain buffer) and copies
 * what the kernel needs into a struct pvh_info, with every check always
 * compiled in: bad magic or version, a missing or absurd memory map
 * (more entries than PVH_MEMMAP_MAX, addr+size wrapping), zero-sized,
 * unaligned, unsorted, overlapping or huge RAM entries (sorted, merged,
 * trimmed to pages and to PVH_PHYS_LIMIT, reserved ranges carved out),
 * a command line that is missing (empty) or has no NUL within
 * PVH_CMDLINE_MAX bytes (truncated, flagged), modules outside memory
 * (dropped, counted). boot_data_end tells where the builder's data ends,
 * so that nothing of it is handed out as free memory before it is read.
 * Reference: xen/include/public/arch-x86/hvm/start_info.h.
 */
#ifndef ARCH_X86_64_PVH_PVH_INFO_H
#define ARCH_X86_64_PVH_PVH_INFO_H

#include <stdbool.h>
#include <stdint.h>

#define PVH_MAGIC       0x336ec578u
#define PVH_MEMMAP_MAX  128  /* entries we accept in the map */
#define PVH_RAM_MAX     32   /* RAM ranges kept after merging */
#define PVH_CMDLINE_MAX 1024 /* = MAX_GUEST_CMDLINE, with the NUL */
#define PVH_MODULES_MAX 16
/* RAM above this is ignored: the page tables identity-map below it. */
#define PVH_PHYS_LIMIT (1ULL << 39)

#define PVH_MEMMAP_RAM 1 /* XEN_HVM_MEMMAP_TYPE_RAM */

struct pvh_range {
    uint64_t start, end; /* [start, end), page aligned for RAM */
};

struct pvh_info {
    char cmdline[PVH_CMDLINE_MAX];
    bool cmdline_truncated;            /* no NUL within PVH_CMDLINE_MAX bytes */
    struct pvh_range ram[PVH_RAM_MAX]; /* sorted, disjoint, non-adjacent */
    unsigned int nr_ram;
    unsigned int memmap_ignored; /* RAM entries dropped (zero, wrap, ...) */
    struct pvh_range modules[PVH_MODULES_MAX];
    unsigned int nr_modules;
    unsigned int modules_ignored;
    uint64_t rsdp;          /* 0 = none */
    uint64_t boot_data_end; /* end of every structure the builder wrote */
};

/*
 * Return a pointer to [pa, pa + len) of guest memory, or NULL when that
 * range is not readable (outside memory, or wrapping).
 */
typedef const void *(*pvh_phys_fn)(void *ctx, uint64_t pa, uint64_t len);

/*
 * Parse the hvm_start_info at si_pa into *out. 0, or: -EINVAL (bad
 * magic, version, unreadable structure), -ENOENT (no memory map: version
 * 0 or memmap_paddr 0, or no usable RAM), -E2BIG (more map entries than
 * PVH_MEMMAP_MAX). *out is fully written in every case.
 */
int pvh_info_parse(uint64_t si_pa, pvh_phys_fn phys, void *ctx,
                   struct pvh_info *out);

#endif /* ARCH_X86_64_PVH_PVH_INFO_H */
