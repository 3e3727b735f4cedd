// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/mm.c - PVH memory: the real page tables, guard pages,
 * frames (pfn == mfn == virtual page), the W^X audit.
 *
 * Design: arch_mm_init() builds the address space with pvh_pt_build()
 * on the RAM the memory map names: identity, 2 MiB pages wherever a
 * whole aligned 2 MiB is plain RAM, the image page by page (text R+X,
 * rodata R+NX, data/bss RW+NX), the xenstore and console pages RW+NX,
 * and page 0 and the boot stack guard unmapped. Table pages come from
 * the first free pages above the image and the builder's data
 * (hvm_start_info, command line, memory map, modules), then a few spare
 * pages are kept for splitting a 2 MiB page later (a thread stack's
 * guard page); the rest of that RAM range is the kernel's. Then CR3.
 * Reference: Intel SDM vol. 3 ch. 4.5, 4.10.4 (INVLPG).
 */
#include <errno.h>
#include <string.h>

#include "../arch.h"
#include "pvh.h"
#include "pvh_pt.h"

/* Table pages kept back for splitting large pages at run time: each
 * split costs one, and thread stacks come from a few 2 MiB at the top. */
#define SPARE_TABLES 8

extern char _text[], _etext[], _erodata[], _end[];
extern char boot_stack_guard[];

static struct pvh_pt pt;
static uint64_t bump, bump_limit;   /* boot-time table pages */
static uint64_t spare, spare_limit; /* run-time split pages */
static uint64_t ram_lo, ram_hi;     /* the range handed to the kernel */

static uint64_t *table_at(void *ctx, uint64_t pa)
{
    (void)ctx;
    /* Identity mapped on the boot tables (4 GiB) and on ours (RAM). */
    return pa && pa < ram_hi ? (uint64_t *)(uintptr_t)pa : NULL;
}

static uint64_t alloc_from(uint64_t *next, uint64_t limit)
{
    uint64_t pa = *next;

    if (pa + ARCH_PAGE_SIZE > limit)
        return 0;
    *next += ARCH_PAGE_SIZE;
    memset((void *)(uintptr_t)pa, 0, ARCH_PAGE_SIZE);
    return pa;
}

static uint64_t alloc_boot(void *ctx)
{
    (void)ctx;
    return alloc_from(&bump, bump_limit);
}

static uint64_t alloc_spare(void *ctx)
{
    (void)ctx;
    return alloc_from(&spare, spare_limit);
}

static bool cpu_has_nx(void)
{
    uint32_t a, b, c, d;

    pvh_cpuid(0x80000001, &a, &b, &c, &d);
    return d & (1u << 20);
}

static void invlpg(uintptr_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static uint64_t page_up(uint64_t a)
{
    return (a + ARCH_PAGE_SIZE - 1) & ~(ARCH_PAGE_SIZE - 1);
}

int arch_mm_init(const start_info_t *si_const, struct arch_mem_region *free)
{
    start_info_t *si = (start_info_t *)si_const; /* ours: pvh/boot.c */
    uint64_t extra[2], guard[2], first;
    struct pvh_layout lay;
    unsigned int nr_extra = 0, i;
    int rc;

    if (pvh_boot_rc)
        return pvh_boot_rc; /* no usable memory map: nothing to map */
    first = page_up((uintptr_t)_end);
    if (pvh_boot.boot_data_end > first)
        first = page_up(pvh_boot.boot_data_end);
    for (i = 0; i < pvh_boot.nr_ram; i++)
        if (pvh_boot.ram[i].start <= first && first < pvh_boot.ram[i].end)
            break;
    if (i == pvh_boot.nr_ram)
        return -ENOMEM; /* the image is not followed by RAM */
    ram_lo = first;
    ram_hi = pvh_boot.ram[i].end;

    /* The ring pages: mapped, and never handed out should they sit in
     * our RAM range (the builder puts them in a reserved region). */
    if (si->store_mfn)
        extra[nr_extra++] = si->store_mfn << ARCH_PAGE_SHIFT;
    if (si->console.domU.mfn)
        extra[nr_extra++] = si->console.domU.mfn << ARCH_PAGE_SHIFT;
    for (unsigned int k = 0; k < nr_extra; k++)
        if (extra[k] >= ram_lo && extra[k] < ram_hi)
            ram_hi = extra[k];

    bump = ram_lo;
    bump_limit = ram_hi;
    pt.table = table_at;
    pt.alloc = alloc_boot;
    pt.nx = cpu_has_nx() ? PVH_PTE_NX : 0;
    rc = pvh_pt_init(&pt);
    if (rc)
        return rc;

    guard[0] = 0;
    guard[1] = (uintptr_t)boot_stack_guard;
    lay = (struct pvh_layout){
        .text = (uintptr_t)_text,
        .etext = (uintptr_t)_etext,
        .rodata_end = (uintptr_t)_erodata,
        .end = page_up((uintptr_t)_end),
        .ram = pvh_boot.ram,
        .nr_ram = pvh_boot.nr_ram,
        .extra = extra,
        .nr_extra = nr_extra,
        .guard = guard,
        .nr_guard = 2,
    };
    rc = pvh_pt_build(&pt, &lay);
    if (rc)
        return rc;

    spare = bump;
    spare_limit = bump + SPARE_TABLES * ARCH_PAGE_SIZE;
    if (spare_limit >= ram_hi)
        return -ENOMEM;
    pt.alloc = alloc_spare;
    __asm__ volatile("mov %0, %%cr3" : : "r"(pt.root) : "memory");

    si->nr_pages = ram_hi >> ARCH_PAGE_SHIFT;
    free->start = (void *)(uintptr_t)spare_limit;
    free->nr_pages = (ram_hi - spare_limit) >> ARCH_PAGE_SHIFT;
    return 0;
}

/* ---- guard pages ---- */

static bool page_ok(const void *va)
{
    uintptr_t v = (uintptr_t)va;

    return pt.root && (v & (ARCH_PAGE_SIZE - 1)) == 0 && v >= spare_limit &&
           v < ram_hi;
}

int arch_guard_page(void *va)
{
    int rc;

    if (!page_ok(va))
        return -EINVAL;
    rc = pvh_pt_unmap(&pt, (uintptr_t)va);
    invlpg((uintptr_t)va);
    return rc;
}

int arch_unguard_page(void *va)
{
    int rc;

    if (!page_ok(va))
        return -EINVAL;
    rc = pvh_pt_map(&pt, (uintptr_t)va, ARCH_PAGE_SIZE, PVH_PT_W, false);
    invlpg((uintptr_t)va);
    return rc;
}

bool arch_is_mapped(uintptr_t va, size_t len)
{
    uintptr_t end = va + len;

    if (!pt.root || end < va)
        return false;
    for (uintptr_t p = va & ~(ARCH_PAGE_SIZE - 1); p < end; p += ARCH_PAGE_SIZE)
        if (!pvh_pt_lookup(&pt, p, NULL))
            return false;
    return true;
}

void arch_wx_audit(struct arch_wx_report *r)
{
    struct pvh_pt_audit a;

    memset(r, 0, sizeof(*r));
    if (!pt.root)
        return;
    pvh_pt_audit(&pt, &a);
    r->mapped = a.mapped;
    r->exec = a.exec;
    r->wx = a.wx;
    r->large = a.large;
    r->first_wx = a.first_wx;
    for (uintptr_t va = (uintptr_t)_text; va < (uintptr_t)_erodata;
         va += ARCH_PAGE_SIZE)
        if (pvh_pt_lookup(&pt, va, NULL) & PVH_PTE_RW)
            r->image_writable++;
    r->nx = pt.nx != 0;
}

/* ---- frames: a PVH guest's "machine frame" is its pfn ---- */

unsigned long arch_pfn_to_mfn(unsigned long pfn)
{
    return pfn;
}

unsigned long arch_mfn_to_pfn(unsigned long mfn)
{
    return mfn;
}

unsigned long arch_virt_to_mfn(const void *va)
{
    return (uintptr_t)va >> ARCH_PAGE_SHIFT;
}

/* ---- save/restore: the toolstack saves an HVM guest's memory by pfn,
 * with no p2m of ours to find and no frame numbers to translate ---- */

int arch_p2m_publish(shared_info_t *s)
{
    (void)s;
    return 0;
}

void arch_start_info_canonicalise(start_info_t *si)
{
    (void)si;
}

void arch_start_info_uncanonicalise(start_info_t *si)
{
    (void)si;
}
