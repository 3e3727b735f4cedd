// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pv/pt.c - PV page tables: map all guest memory, protect the
 * image, stack guard pages.
 *
 * Design: keep the builder's pinned L4 and extend it (no new top-level
 * table, so nothing to pin or switch). Every virtual address below
 * nr_pages * 4 KiB maps the pseudo-physical page of the same number. A
 * page-table page we add is taken from the first free pages, zeroed while
 * still writable, re-mapped read-only (Xen refuses writable mappings of
 * page tables) and only then hooked into its parent; all updates go
 * through mmu_update with machine addresses obtained via the p2m list.
 * Tables are read through their own (read-only) mappings: a table's mfn
 * is turned into a pfn by Xen's m2p table, and pfn == virtual page.
 * Reference: xen/include/public/xen.h (mmu_update, MMUEXT_*,
 * update_va_mapping), arch-x86/xen-x86_64.h (m2p location).
 */
#include <errno.h>
#include <string.h>

#include "../arch.h"

#include <xen/xen.h>

#define PTE_P    0x001ULL
#define PTE_RW   0x002ULL
#define PTE_US   0x004ULL
#define PTE_A    0x020ULL
#define PTE_D    0x040ULL
#define PTE_PS   0x080ULL
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

/* Upper levels: let the leaves decide. Xen wants US on 64-bit PV. */
#define PT_TABLE (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define PT_DATA  (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PT_RO    (PTE_P | PTE_A)

#define MMU_BATCH 64

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _end[];
extern char boot_stack_guard[];

static const unsigned long *p2m;
static unsigned long nr_pages;
static uint64_t *l4_table;
static uint64_t nx_bit;
static unsigned long next_free_pfn;

static mmu_update_t batch[MMU_BATCH];
static unsigned int batch_len;

unsigned long arch_pfn_to_mfn(unsigned long pfn)
{
    return p2m[pfn];
}

unsigned long arch_mfn_to_pfn(unsigned long mfn)
{
    return ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

unsigned long arch_virt_to_mfn(const void *va)
{
    return p2m[(uintptr_t)va >> ARCH_PAGE_SHIFT];
}

/* ---- the PV save protocol's view of our p2m ---- */

#define P2M_PER_PAGE (ARCH_PAGE_SIZE / sizeof(unsigned long))
/* Frame-list pages we keep: 4 x 512 x 512 pages = 4 GiB of domain. */
#define P2M_FL_PAGES 4

static unsigned long p2m_fll[P2M_PER_PAGE] __attribute__((aligned(4096)));
static unsigned long p2m_fl[P2M_FL_PAGES][P2M_PER_PAGE]
    __attribute__((aligned(4096)));

int arch_p2m_publish(shared_info_t *s)
{
    unsigned long p2m_pages = (nr_pages + P2M_PER_PAGE - 1) / P2M_PER_PAGE;
    unsigned long fl_pages = (p2m_pages + P2M_PER_PAGE - 1) / P2M_PER_PAGE;

    if (!p2m || ((uintptr_t)p2m & (ARCH_PAGE_SIZE - 1)))
        return -EINVAL;
    if (fl_pages > P2M_FL_PAGES)
        return -E2BIG;
    memset(p2m_fll, 0, sizeof(p2m_fll));
    memset(p2m_fl, 0, sizeof(p2m_fl));
    /* Recomputed after every restore: the p2m's own frames moved. */
    for (unsigned long i = 0; i < p2m_pages; i++)
        p2m_fl[i / P2M_PER_PAGE][i % P2M_PER_PAGE] =
            arch_virt_to_mfn((const char *)p2m + i * ARCH_PAGE_SIZE);
    for (unsigned long j = 0; j < fl_pages; j++)
        p2m_fll[j] = arch_virt_to_mfn(p2m_fl[j]);
    s->arch.max_pfn = nr_pages;
    s->arch.pfn_to_mfn_frame_list_list = arch_virt_to_mfn(p2m_fll);
    return 0;
}

void arch_start_info_canonicalise(start_info_t *si)
{
    si->store_mfn = arch_mfn_to_pfn(si->store_mfn);
    si->console.domU.mfn = arch_mfn_to_pfn(si->console.domU.mfn);
}

void arch_start_info_uncanonicalise(start_info_t *si)
{
    si->store_mfn = arch_pfn_to_mfn(si->store_mfn);
    si->console.domU.mfn = arch_pfn_to_mfn(si->console.domU.mfn);
}

static int batch_flush(void)
{
    int done = 0;
    long rc;

    if (batch_len == 0)
        return 0;
    rc = arch_hypercall(__HYPERVISOR_mmu_update, (unsigned long)batch,
                        batch_len, (unsigned long)&done, DOMID_SELF, 0);
    batch_len = 0;
    return (int)rc;
}

static int batch_add(uint64_t ptr_ma, uint64_t val)
{
    batch[batch_len].ptr = ptr_ma | MMU_NORMAL_PT_UPDATE;
    batch[batch_len].val = val;
    if (++batch_len == MMU_BATCH)
        return batch_flush();
    return 0;
}

/* The virtual address of the table an entry points to (pfn == vpage). */
static uint64_t *entry_table(uint64_t e)
{
    unsigned long pfn = arch_mfn_to_pfn((e & PTE_ADDR) >> ARCH_PAGE_SHIFT);

    return (uint64_t *)(pfn << ARCH_PAGE_SHIFT);
}

static unsigned int idx(uintptr_t va, unsigned int level)
{
    return (va >> (ARCH_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

/*
 * The L1 table holding va's entry, or NULL when an upper level is absent.
 * Large pages never occur: the builder maps 4 KiB pages for PV guests.
 */
static uint64_t *l1_of(uintptr_t va)
{
    uint64_t *t = l4_table;

    for (unsigned int level = 4; level > 1; level--) {
        uint64_t e = t[idx(va, level)];

        if (!(e & PTE_P) || (e & PTE_PS))
            return NULL;
        t = entry_table(e);
    }
    return t;
}

static uint64_t table_ma(const uint64_t *table)
{
    return (uint64_t)arch_virt_to_mfn(table) << ARCH_PAGE_SHIFT;
}

bool arch_is_mapped(uintptr_t va, size_t len)
{
    uintptr_t end = va + len;

    if (!l4_table || end < va)
        return false;
    for (uintptr_t p = va & ~(ARCH_PAGE_SIZE - 1); p < end;
         p += ARCH_PAGE_SIZE) {
        uint64_t *l1;

        /* Only the low half is ours; the rest belongs to Xen. */
        if (p >= (1ULL << 47))
            return false;
        l1 = l1_of(p);
        if (!l1 || !(l1[idx(p, 1)] & PTE_P))
            return false;
    }
    return true;
}

/*
 * A fresh, read-only table page hooked at parent[index]: zeroed, or for
 * an L1 with fill set, already holding RW+NX data mappings of every page
 * of its 2 MiB (below nr_pages), written while the page is still ours
 * to write. Xen validates the whole table once when it is hooked, which
 * replaces 512 mmu_update entries by two hypercalls (boot's largest
 * cost). Only used for a region with no L1 yet, so none of its pages is
 * mapped, and so none is a page table (tables are always mapped).
 */
static int new_table(uint64_t *parent, unsigned int index, bool fill,
                     uintptr_t region)
{
    unsigned long pfn = next_free_pfn++;
    void *va = (void *)(pfn << ARCH_PAGE_SHIFT);
    unsigned long mfn = p2m[pfn];
    long rc;

    if (pfn >= nr_pages || !arch_is_mapped((uintptr_t)va, ARCH_PAGE_SIZE))
        return -ENOMEM;
    memset(va, 0, ARCH_PAGE_SIZE);
    if (fill) {
        uint64_t *t = va;
        unsigned long first = region >> ARCH_PAGE_SHIFT;

        for (unsigned long k = 0; k < 512 && first + k < nr_pages; k++)
            t[k] = ((uint64_t)p2m[first + k] << ARCH_PAGE_SHIFT) | PT_DATA |
                   nx_bit;
    }
    rc = arch_hypercall(__HYPERVISOR_update_va_mapping, (unsigned long)va,
                        ((uint64_t)mfn << ARCH_PAGE_SHIFT) | PT_RO | nx_bit,
                        UVMF_INVLPG, 0, 0);
    if (rc)
        return (int)rc;
    rc = batch_add(table_ma(parent) + index * 8,
                   ((uint64_t)mfn << ARCH_PAGE_SHIFT) | PT_TABLE);
    if (rc)
        return (int)rc;
    return batch_flush();
}

/*
 * Make sure the L1 table for va exists; returns it or NULL. With fill,
 * an L1 made here maps its whole region already (new_table), and
 * *filled says so.
 */
static uint64_t *ensure_l1(uintptr_t va, int *err, bool fill, bool *filled)
{
    uint64_t *t = l4_table;

    for (unsigned int level = 4; level > 1; level--) {
        unsigned int i = idx(va, level);

        if (!(t[i] & PTE_P)) {
            bool f = fill && level == 2;

            /* Hooking must see earlier leaf updates already applied. */
            *err = batch_flush();
            if (*err == 0)
                *err = new_table(t, i, f, va & ~((2UL << 20) - 1));
            if (*err == 0 && f)
                *filled = true;
            if (*err)
                return NULL;
        }
        t = entry_table(t[i]);
    }
    return t;
}

static int set_leaf(uintptr_t va, uint64_t flags)
{
    uint64_t *l1;
    int err = 0;
    bool filled = false;
    unsigned long pfn = va >> ARCH_PAGE_SHIFT;

    /* A data mapping in a region without an L1 maps the whole region. */
    l1 = ensure_l1(va, &err, flags == (PT_DATA | nx_bit), &filled);
    if (!l1)
        return err ? err : -EFAULT;
    if (filled)
        return 0;
    return batch_add(table_ma(l1) + idx(va, 1) * 8,
                     flags ? (((uint64_t)p2m[pfn] << ARCH_PAGE_SHIFT) | flags)
                           : 0);
}

static bool cpu_has_nx(void)
{
    uint32_t a = 0x80000001, b, c = 0, d;

    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return d & (1u << 20);
}

static bool is_table_pfn(const start_info_t *si, unsigned long pfn)
{
    unsigned long first = si->pt_base >> ARCH_PAGE_SHIFT;

    return pfn >= first && pfn < first + si->nr_pt_frames;
}

int arch_mm_init(const start_info_t *si, struct arch_mem_region *free)
{
    unsigned long first_free;
    int rc = 0;

    p2m = (const unsigned long *)si->mfn_list;
    nr_pages = si->nr_pages;
    l4_table = (uint64_t *)si->pt_base;
    nx_bit = cpu_has_nx() ? PTE_NX : 0;

    /* Everything up to the end of the bootstrap page tables is in use;
     * the builder's own boot stack page after them we no longer need. */
    first_free = (si->pt_base >> ARCH_PAGE_SHIFT) + si->nr_pt_frames;
    next_free_pfn = first_free;

    /* 1a. What the builder mapped after the image (initrd, p2m,
     * start_info, xenstore and console pages, its page tables): RW or
     * RO as it chose, but never executable. */
    for (unsigned long pfn = ((uintptr_t)_end + ARCH_PAGE_SIZE - 1) >>
                             ARCH_PAGE_SHIFT;
         nx_bit && pfn < first_free && rc == 0; pfn++) {
        uintptr_t va = pfn << ARCH_PAGE_SHIFT;
        uint64_t *l1 = l1_of(va);

        if (l1 && (l1[idx(va, 1)] & PTE_P) && !(l1[idx(va, 1)] & PTE_NX))
            rc = batch_add(table_ma(l1) + idx(va, 1) * 8,
                           l1[idx(va, 1)] | nx_bit);
    }
    if (rc == 0)
        rc = batch_flush();

    /* 1b. Map every page not yet mapped, growing tables as we go. */
    for (unsigned long pfn = first_free; pfn < nr_pages && rc == 0; pfn++) {
        uintptr_t va = pfn << ARCH_PAGE_SHIFT;
        uint64_t *l1 = l1_of(va);

        if (l1 && (l1[idx(va, 1)] & PTE_P)) {
            /* Builder's padding: keep it, but not executable (a region
             * set_leaf filled is NX already). */
            if (nx_bit && pfn >= next_free_pfn && !is_table_pfn(si, pfn) &&
                !(l1[idx(va, 1)] & PTE_NX))
                rc = batch_add(table_ma(l1) + idx(va, 1) * 8,
                               l1[idx(va, 1)] | nx_bit);
            continue;
        }
        rc = set_leaf(va, PT_DATA | nx_bit);
    }
    if (rc == 0)
        rc = batch_flush();

    /* 2. Protect the image: RX text, R rodata, RW+NX data and bss. */
    for (uintptr_t va = (uintptr_t)_text; rc == 0 && va < (uintptr_t)_end;
         va += ARCH_PAGE_SIZE) {
        uint64_t flags = PT_DATA | nx_bit;

        if (va < (uintptr_t)_etext)
            flags = PT_RO;
        else if (va < (uintptr_t)_erodata)
            flags = PT_RO | nx_bit;
        else if (va == (uintptr_t)arch_shared_info_page)
            continue; /* shinfo maps Xen's frame here */
        rc = set_leaf(va, flags);
    }
    /* 3. NULL page and the boot stack guard: not present. */
    if (rc == 0)
        rc = set_leaf(0, 0);
    if (rc == 0)
        rc = set_leaf((uintptr_t)boot_stack_guard, 0);
    if (rc == 0)
        rc = batch_flush();
    if (rc == 0) {
        struct mmuext_op op = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};

        rc = (int)arch_hypercall(__HYPERVISOR_mmuext_op, (unsigned long)&op, 1,
                                 0, DOMID_SELF, 0);
    }
    if (rc)
        return rc;

    free->start = (void *)(next_free_pfn << ARCH_PAGE_SHIFT);
    free->nr_pages = nr_pages - next_free_pfn;
    return 0;
}

/* ---- W^X audit ---- */

void arch_wx_audit(struct arch_wx_report *r)
{
    memset(r, 0, sizeof(*r));
    if (!l4_table)
        return;
    /* The low half is ours; the rest belongs to Xen. */
    for (unsigned int i4 = 0; i4 < 256; i4++) {
        uint64_t *l3;

        if (!(l4_table[i4] & PTE_P))
            continue;
        l3 = entry_table(l4_table[i4]);
        for (unsigned int i3 = 0; i3 < 512; i3++) {
            uint64_t *l2;

            if (!(l3[i3] & PTE_P))
                continue;
            if (l3[i3] & PTE_PS) {
                r->large++;
                continue;
            }
            l2 = entry_table(l3[i3]);
            for (unsigned int i2 = 0; i2 < 512; i2++) {
                uint64_t *l1;

                if (!(l2[i2] & PTE_P))
                    continue;
                if (l2[i2] & PTE_PS) {
                    r->large++;
                    continue;
                }
                l1 = entry_table(l2[i2]);
                for (unsigned int i1 = 0; i1 < 512; i1++) {
                    uint64_t e = l1[i1];
                    uintptr_t va = ((uintptr_t)i4 << 39) |
                                   ((uintptr_t)i3 << 30) |
                                   ((uintptr_t)i2 << 21) |
                                   ((uintptr_t)i1 << 12);

                    if (!(e & PTE_P))
                        continue;
                    r->mapped++;
                    if (!(e & PTE_NX))
                        r->exec++;
                    if ((e & PTE_RW) && !(e & PTE_NX)) {
                        if (!r->wx)
                            r->first_wx = va;
                        r->wx++;
                    }
                    if ((e & PTE_RW) && va >= (uintptr_t)_text &&
                        va < (uintptr_t)_erodata)
                        r->image_writable++;
                }
            }
        }
    }
    r->nx = nx_bit != 0;
}

static bool page_ok(const void *va)
{
    uintptr_t v = (uintptr_t)va;

    return p2m && (v & (ARCH_PAGE_SIZE - 1)) == 0 && v != 0 &&
           (v >> ARCH_PAGE_SHIFT) < nr_pages && v >= (uintptr_t)_end;
}

int arch_guard_page(void *va)
{
    if (!page_ok(va))
        return -EINVAL;
    return (int)arch_hypercall(__HYPERVISOR_update_va_mapping,
                               (unsigned long)va, 0, UVMF_INVLPG, 0, 0);
}

int arch_unguard_page(void *va)
{
    uint64_t pte;

    if (!page_ok(va))
        return -EINVAL;
    pte =
        ((uint64_t)arch_virt_to_mfn(va) << ARCH_PAGE_SHIFT) | PT_DATA | nx_bit;
    return (int)arch_hypercall(__HYPERVISOR_update_va_mapping,
                               (unsigned long)va, pte, UVMF_INVLPG, 0, 0);
}
