// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/pvh_pt.c - the PVH page-table builder (see pvh_pt.h).
 *
 * Pure C over struct pvh_pt. Upper levels are always present + RW and
 * never NX, so each leaf alone decides (the CPU ANDs the levels' rights,
 * and CR0.WP makes R/W bind the kernel too). A large page is split by
 * filling a fresh table with 512 small entries carrying its rights, then
 * swapping the directory entry: the range stays mapped throughout, which
 * matters when the split happens under the running kernel (a guard page
 * for a new thread stack). Callers flush the TLB (arch: invlpg / CR3).
 * Reference: Intel SDM vol. 3 ch. 4.5.
 */
#include "pvh_pt.h"

#include <errno.h>
#include <stddef.h>

#define VA_LIMIT (1ULL << 47) /* the low canonical half */
#define TABLE    (PVH_PTE_P | PVH_PTE_RW | PVH_PTE_A | PVH_PTE_D)

static unsigned int idx(uint64_t va, unsigned int level)
{
    return (unsigned int)(va >> (12 + 9 * (level - 1))) & 511;
}

static uint64_t leaf_flags(const struct pvh_pt *pt, unsigned int perms)
{
    uint64_t f = PVH_PTE_P | PVH_PTE_A | PVH_PTE_D;

    if (perms & PVH_PT_W)
        f |= PVH_PTE_RW;
    if (!(perms & PVH_PT_X))
        f |= pt->nx;
    return f;
}

int pvh_pt_init(struct pvh_pt *pt)
{
    pt->tables = 0;
    pt->root = pt->alloc(pt->ctx);
    if (!pt->root || !pt->table(pt->ctx, pt->root))
        return -ENOMEM;
    pt->tables = 1;
    return 0;
}

static uint64_t *new_table(struct pvh_pt *pt, uint64_t *pa_out)
{
    uint64_t pa = pt->alloc(pt->ctx);
    uint64_t *t = pa ? pt->table(pt->ctx, pa) : NULL;

    if (!t)
        return NULL;
    pt->tables++;
    *pa_out = pa;
    return t;
}

/* Split the large page at *pde into a table of 512 small pages. */
static uint64_t *split(struct pvh_pt *pt, uint64_t *pde)
{
    uint64_t pa, base = *pde & PVH_PTE_ADDR & ~(PVH_LARGE - 1);
    uint64_t flags = *pde & ~PVH_PTE_ADDR & ~PVH_PTE_PS;
    uint64_t *t = new_table(pt, &pa);

    if (!t)
        return NULL;
    for (unsigned int i = 0; i < 512; i++)
        t[i] = (base + i * PVH_PAGE) | flags;
    *pde = pa | TABLE; /* one store: mapped before and after */
    return t;
}

/*
 * The table at `level` (1 or 2) holding va's entry, created (and large
 * pages above it split) as needed.
 */
static uint64_t *walk(struct pvh_pt *pt, uint64_t va, unsigned int level)
{
    uint64_t *t = pt->table(pt->ctx, pt->root);

    for (unsigned int l = 4; t && l > level; l--) {
        uint64_t *e = &t[idx(va, l)];
        uint64_t pa;

        if (!(*e & PVH_PTE_P)) {
            uint64_t *n = new_table(pt, &pa);

            if (!n)
                return NULL;
            *e = pa | TABLE;
            t = n;
            continue;
        }
        if (*e & PVH_PTE_PS) {
            if (l != 2)
                return NULL; /* we never make 1 GiB pages */
            t = split(pt, e);
            continue;
        }
        t = pt->table(pt->ctx, *e & PVH_PTE_ADDR);
    }
    return t;
}

static bool range_ok(uint64_t va, uint64_t len)
{
    return !(va & (PVH_PAGE - 1)) && !(len & (PVH_PAGE - 1)) &&
           va + len >= va && va + len <= VA_LIMIT;
}

int pvh_pt_map(struct pvh_pt *pt, uint64_t va, uint64_t len, unsigned int perms,
               bool large)
{
    uint64_t end = va + len;
    uint64_t flags;

    if (!range_ok(va, len))
        return -EINVAL;
    if ((perms & PVH_PT_W) && (perms & PVH_PT_X))
        return -EPERM; /* W^X */
    flags = leaf_flags(pt, perms);
    while (va < end) {
        if (large && !(va & (PVH_LARGE - 1)) && end - va >= PVH_LARGE) {
            uint64_t *pd = walk(pt, va, 2);
            uint64_t *e;

            if (!pd)
                return -ENOMEM;
            e = &pd[idx(va, 2)];
            /* Its small pages (a table) become unreachable: a few
             * bytes lost, never reused while the TLB may hold them. */
            *e = va | flags | PVH_PTE_PS;
            va += PVH_LARGE;
            continue;
        }
        uint64_t *l1 = walk(pt, va, 1);

        if (!l1)
            return -ENOMEM;
        l1[idx(va, 1)] = va | flags;
        va += PVH_PAGE;
    }
    return 0;
}

int pvh_pt_unmap(struct pvh_pt *pt, uint64_t va)
{
    uint64_t *l1;

    if (!range_ok(va, PVH_PAGE))
        return -EINVAL;
    if (!pvh_pt_lookup(pt, va, NULL))
        return 0; /* nothing there (also: no table to create) */
    l1 = walk(pt, va, 1);
    if (!l1)
        return -ENOMEM;
    l1[idx(va, 1)] = 0;
    return 0;
}

uint64_t pvh_pt_lookup(const struct pvh_pt *pt, uint64_t va, uint64_t *size)
{
    uint64_t *t;

    if (va >= VA_LIMIT)
        return 0;
    t = pt->table(pt->ctx, pt->root);
    for (unsigned int l = 4; t; l--) {
        uint64_t e = t[idx(va, l)];

        if (!(e & PVH_PTE_P))
            return 0;
        if (l == 1 || (e & PVH_PTE_PS)) {
            if (l > 2)
                return 0; /* 1 GiB pages: not ours */
            if (size)
                *size = l == 1 ? PVH_PAGE : PVH_LARGE;
            return e;
        }
        t = pt->table(pt->ctx, e & PVH_PTE_ADDR);
    }
    return 0;
}

static bool in_image(const struct pvh_layout *lay, uint64_t a, uint64_t b)
{
    return a < lay->end && b > lay->text;
}

/* RAM [s, e) minus the image: large pages where possible. */
static int map_ram(struct pvh_pt *pt, const struct pvh_layout *lay, uint64_t s,
                   uint64_t e)
{
    int rc = 0;

    if (in_image(lay, s, e)) {
        /* The part below the image, then the part above it. */
        if (s < lay->text)
            rc = map_ram(pt, lay, s, lay->text);
        if (rc == 0 && e > lay->end)
            rc = map_ram(pt, lay, lay->end, e);
        return rc;
    }
    return pvh_pt_map(pt, s, e - s, PVH_PT_W, true);
}

int pvh_pt_build(struct pvh_pt *pt, const struct pvh_layout *lay)
{
    int rc = 0;

    if (lay->text >= lay->etext || lay->etext > lay->rodata_end ||
        lay->rodata_end > lay->end)
        return -EINVAL;
    for (unsigned int i = 0; rc == 0 && i < lay->nr_ram; i++)
        rc = map_ram(pt, lay, lay->ram[i].start, lay->ram[i].end);
    if (rc == 0)
        rc = pvh_pt_map(pt, lay->text, lay->etext - lay->text, PVH_PT_X, false);
    if (rc == 0)
        rc = pvh_pt_map(pt, lay->etext, lay->rodata_end - lay->etext, 0, false);
    if (rc == 0)
        rc = pvh_pt_map(pt, lay->rodata_end, lay->end - lay->rodata_end,
                        PVH_PT_W, false);
    for (unsigned int i = 0; rc == 0 && i < lay->nr_extra; i++)
        rc = pvh_pt_map(pt, lay->extra[i], PVH_PAGE, PVH_PT_W, false);
    for (unsigned int i = 0; rc == 0 && i < lay->nr_guard; i++)
        rc = pvh_pt_unmap(pt, lay->guard[i]);
    return rc;
}

void pvh_pt_audit(const struct pvh_pt *pt, struct pvh_pt_audit *a)
{
    const uint64_t *l4 = pt->table(pt->ctx, pt->root);

    *a = (struct pvh_pt_audit){0};
    for (unsigned int i4 = 0; l4 && i4 < 256; i4++) {
        const uint64_t *l3;

        if (!(l4[i4] & PVH_PTE_P))
            continue;
        l3 = pt->table(pt->ctx, l4[i4] & PVH_PTE_ADDR);
        for (unsigned int i3 = 0; l3 && i3 < 512; i3++) {
            const uint64_t *l2;

            if (!(l3[i3] & PVH_PTE_P) || (l3[i3] & PVH_PTE_PS))
                continue;
            l2 = pt->table(pt->ctx, l3[i3] & PVH_PTE_ADDR);
            for (unsigned int i2 = 0; l2 && i2 < 512; i2++) {
                uint64_t va = ((uint64_t)i4 << 39) | ((uint64_t)i3 << 30) |
                              ((uint64_t)i2 << 21);
                const uint64_t *l1;
                uint64_t e = l2[i2];

                if (!(e & PVH_PTE_P))
                    continue;
                if (e & PVH_PTE_PS) {
                    a->large++;
                    a->mapped += 512;
                    if (!(e & pt->nx) || !pt->nx) {
                        a->exec += 512;
                        if (e & PVH_PTE_RW) {
                            if (!a->wx)
                                a->first_wx = va;
                            a->wx += 512;
                        }
                    }
                    continue;
                }
                l1 = pt->table(pt->ctx, e & PVH_PTE_ADDR);
                for (unsigned int i1 = 0; l1 && i1 < 512; i1++) {
                    e = l1[i1];
                    if (!(e & PVH_PTE_P))
                        continue;
                    a->mapped++;
                    if (pt->nx && (e & PVH_PTE_NX))
                        continue;
                    a->exec++;
                    if (e & PVH_PTE_RW) {
                        if (!a->wx)
                            a->first_wx = va | ((uint64_t)i1 << 12);
                        a->wx++;
                    }
                }
            }
        }
    }
}
