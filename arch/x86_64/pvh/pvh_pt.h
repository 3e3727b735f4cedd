// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/pvh_pt.h - PVH page tables, written directly in guest
 * memory (a PVH guest owns its tables: no mmu_update, no pinning).
 *
 * Design: a pure builder over a struct pvh_pt: the root's physical
 * address, a table(pa) translation to a pointer and an alloc() of a
 * zeroed page, so host tests run it on a plain-memory model and the
 * guest on identity-mapped RAM. Mappings are identity (VA == guest-
 * physical). Permissions are W (writable) and X (executable) and never
 * both (-EPERM): data is RW+NX, text R+X, rodata R+NX. 2 MiB pages are
 * used wherever a whole aligned 2 MiB of RAM needs one permission;
 * unmapping or re-mapping one 4 KiB page inside a large page splits it
 * (one new table, same permissions for the other 511 pages).
 * Reference: Intel SDM vol. 3 ch. 4.5 (4-level paging, PS, NX).
 */
#ifndef ARCH_X86_64_PVH_PVH_PT_H
#define ARCH_X86_64_PVH_PVH_PT_H

#include <stdbool.h>
#include <stdint.h>

#include "pvh_info.h"

#define PVH_PTE_P    0x001ULL
#define PVH_PTE_RW   0x002ULL
#define PVH_PTE_A    0x020ULL
#define PVH_PTE_D    0x040ULL
#define PVH_PTE_PS   0x080ULL
#define PVH_PTE_NX   (1ULL << 63)
#define PVH_PTE_ADDR 0x000ffffffffff000ULL

#define PVH_PT_W 1u /* writable */
#define PVH_PT_X 2u /* executable */

#define PVH_PAGE  4096ULL
#define PVH_LARGE (2ULL << 20)

struct pvh_pt {
    uint64_t root; /* physical address of the L4 table */
    /* The table page at pa, or NULL when pa is not one we can reach. */
    uint64_t *(*table)(void *ctx, uint64_t pa);
    /* A zeroed page for a new table: its physical address, 0 if none. */
    uint64_t (*alloc)(void *ctx);
    void *ctx;
    uint64_t nx;         /* PVH_PTE_NX when the CPU has NX, else 0 */
    unsigned int tables; /* table pages allocated, root included */
};

/* Allocate the root. 0 or -ENOMEM. */
int pvh_pt_init(struct pvh_pt *pt);

/*
 * Map [va, va + len) to the same physical addresses with perms (PVH_PT_W
 * / PVH_PT_X, never both). Page aligned. large: use 2 MiB pages where a
 * whole aligned 2 MiB lies in the range. Replaces earlier mappings
 * (splitting a large page when only part of it changes). 0, -EINVAL
 * (unaligned, wrapping, beyond 2^47), -EPERM (W+X), -ENOMEM.
 */
int pvh_pt_map(struct pvh_pt *pt, uint64_t va, uint64_t len, unsigned int perms,
               bool large);

/* Unmap the 4 KiB page at va (splitting a large page). 0 or -errno. */
int pvh_pt_unmap(struct pvh_pt *pt, uint64_t va);

/*
 * The leaf entry mapping va: 0 when not mapped; *size (if not NULL)
 * gets 4 KiB or 2 MiB.
 */
uint64_t pvh_pt_lookup(const struct pvh_pt *pt, uint64_t va, uint64_t *size);

/* What the domain's address space must look like. */
struct pvh_layout {
    uint64_t text, etext;        /* R+X */
    uint64_t rodata_end;         /* [etext, rodata_end): R+NX */
    uint64_t end;                /* [rodata_end, end): RW+NX (data, bss) */
    const struct pvh_range *ram; /* RW+NX where not the image */
    unsigned int nr_ram;
    const uint64_t *extra; /* single pages RW+NX (xenstore, console) */
    unsigned int nr_extra;
    const uint64_t *guard; /* pages left unmapped (NULL page, guards) */
    unsigned int nr_guard;
};

/*
 * Build the whole address space into pt (after pvh_pt_init): RAM with
 * large pages where possible, the image page by page with its W^X
 * permissions, the extra pages, then the guards removed. 0 or -errno.
 */
int pvh_pt_build(struct pvh_pt *pt, const struct pvh_layout *lay);

/* What a walk of the low half found (arch_wx_audit's figures). */
struct pvh_pt_audit {
    unsigned long mapped; /* 4 KiB pages, a large page counts 512 */
    unsigned long exec, wx;
    unsigned long large;
    uint64_t first_wx;
};
void pvh_pt_audit(const struct pvh_pt *pt, struct pvh_pt_audit *a);

#endif /* ARCH_X86_64_PVH_PVH_PT_H */
