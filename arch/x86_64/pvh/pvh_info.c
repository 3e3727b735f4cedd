// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/pvh_info.c - hvm_start_info parsing (see pvh_info.h).
 *
 * Pure: no global state, no hypercall, memory read only through the
 * caller's phys() (bounds-checked), so host tests feed it absurd maps.
 * Each structure is copied before it is looked at, so a value cannot
 * change between its check and its use. RAM handling: each usable entry
 * is trimmed to whole pages below PVH_PHYS_LIMIT, inserted sorted,
 * merged with what it overlaps or touches; then every non-RAM entry is
 * carved out (a reserved range inside RAM wins: it may be the builder's
 * special pages or ACPI tables).
 * Reference: xen/include/public/arch-x86/hvm/start_info.h.
 */
#include "pvh_info.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* The layouts we read (start_info.h; stated here so the parser is
 * checked against them in tests without Xen's headers). */
struct si_v1 {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
    uint64_t memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;
};
struct mod_entry {
    uint64_t paddr, size, cmdline_paddr, reserved;
};
_Static_assert(sizeof(struct si_v1) == 56, "hvm_start_info v1 is 56 bytes");
_Static_assert(sizeof(struct memmap_entry) == 24, "memmap entry");
_Static_assert(sizeof(struct mod_entry) == 32, "modlist entry");

#define PAGE 4096ULL

static void note_end(struct pvh_info *o, uint64_t pa, uint64_t len)
{
    if (pa + len > o->boot_data_end)
        o->boot_data_end = pa + len;
}

static bool copy_in(void *dst, uint64_t pa, uint64_t len, pvh_phys_fn phys,
                    void *ctx)
{
    const void *p;

    if (pa + len < pa)
        return false;
    p = phys(ctx, pa, len);
    if (!p)
        return false;
    memcpy(dst, p, (size_t)len);
    return true;
}

static void read_cmdline(struct pvh_info *o, uint64_t pa, pvh_phys_fn phys,
                         void *ctx)
{
    size_t n = 0;

    o->cmdline[0] = '\0';
    if (pa == 0)
        return; /* none given: empty */
    for (; n < PVH_CMDLINE_MAX; n++) {
        const char *c = pa + n >= pa ? phys(ctx, pa + n, 1) : NULL;

        if (!c) /* ran off memory: keep what was read, flag it */
            break;
        if (*c == '\0') {
            o->cmdline[n] = '\0';
            note_end(o, pa, n + 1);
            return;
        }
        if (n == PVH_CMDLINE_MAX - 1)
            break; /* no room for this byte and the NUL: truncated */
        o->cmdline[n] = *c;
    }
    o->cmdline[n] = '\0';
    o->cmdline_truncated = true;
    note_end(o, pa, n);
}

/* Insert [s, e) into the sorted RAM list, merging overlaps. */
static void ram_add(struct pvh_info *o, uint64_t s, uint64_t e)
{
    unsigned int i = 0, j;

    while (i < o->nr_ram && o->ram[i].end < s)
        i++;
    /* Merge with every range [i, j) that overlaps or touches [s, e). */
    for (j = i; j < o->nr_ram && o->ram[j].start <= e; j++) {
        if (o->ram[j].start < s)
            s = o->ram[j].start;
        if (o->ram[j].end > e)
            e = o->ram[j].end;
    }
    if (j == i && o->nr_ram == PVH_RAM_MAX) {
        o->memmap_ignored++; /* no room for one more distinct range */
        return;
    }
    /* Replace [i, j) by one range. */
    memmove(&o->ram[i + 1], &o->ram[j], (o->nr_ram - j) * sizeof(o->ram[0]));
    o->nr_ram = o->nr_ram - (j - i) + 1;
    o->ram[i].start = s;
    o->ram[i].end = e;
}

/* Remove [s, e) from the RAM list (may split one range in two). */
static void ram_carve(struct pvh_info *o, uint64_t s, uint64_t e)
{
    s &= ~(PAGE - 1); /* a partial page of a reserved range is reserved */
    e = e > UINT64_MAX - (PAGE - 1) ? UINT64_MAX & ~(PAGE - 1)
                                    : (e + PAGE - 1) & ~(PAGE - 1);
    for (unsigned int i = 0; i < o->nr_ram; i++) {
        struct pvh_range *r = &o->ram[i];

        if (e <= r->start || s >= r->end)
            continue;
        if (s > r->start && e < r->end) { /* a hole in the middle */
            if (o->nr_ram == PVH_RAM_MAX) {
                r->end = s; /* no room: lose the top part */
                o->memmap_ignored++;
                continue;
            }
            memmove(r + 2, r + 1, (o->nr_ram - i - 1) * sizeof(*r));
            o->nr_ram++;
            r[1].start = e;
            r[1].end = r->end;
            r->end = s;
            i++;
            continue;
        }
        if (s <= r->start)
            r->start = e < r->end ? e : r->end;
        else
            r->end = s;
        if (r->start >= r->end) { /* swallowed whole */
            memmove(r, r + 1, (o->nr_ram - i - 1) * sizeof(*r));
            o->nr_ram--;
            i--;
        }
    }
}

static int read_memmap(struct pvh_info *o, const struct si_v1 *si,
                       pvh_phys_fn phys, void *ctx)
{
    uint64_t bytes;

    if (si->version < 1 || si->memmap_paddr == 0 || si->memmap_entries == 0)
        return -ENOENT;
    if (si->memmap_entries > PVH_MEMMAP_MAX)
        return -E2BIG;
    bytes = (uint64_t)si->memmap_entries * sizeof(struct memmap_entry);
    if (si->memmap_paddr + bytes < si->memmap_paddr ||
        !phys(ctx, si->memmap_paddr, bytes))
        return -EINVAL;
    note_end(o, si->memmap_paddr, bytes);

    /* RAM first, then carve every other type out of it. */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < si->memmap_entries; i++) {
            struct memmap_entry e;
            uint64_t s, end;

            if (!copy_in(&e, si->memmap_paddr + i * sizeof(e), sizeof(e), phys,
                         ctx))
                return -EINVAL;
            if ((e.type == PVH_MEMMAP_RAM) != (pass == 0))
                continue;
            if (e.size == 0 || e.addr + e.size < e.addr) {
                if (pass == 0)
                    o->memmap_ignored++;
                continue; /* zero or wrapping: meaningless */
            }
            if (pass == 1) {
                ram_carve(o, e.addr, e.addr + e.size);
                continue;
            }
            s = (e.addr + PAGE - 1) & ~(PAGE - 1);
            end = (e.addr + e.size) & ~(PAGE - 1);
            if (s < e.addr) /* rounding up wrapped */
                s = end;
            if (end > PVH_PHYS_LIMIT)
                end = PVH_PHYS_LIMIT;
            if (s >= end) {
                o->memmap_ignored++;
                continue;
            }
            ram_add(o, s, end);
        }
    }
    return o->nr_ram ? 0 : -ENOENT;
}

static void read_modules(struct pvh_info *o, const struct si_v1 *si,
                         pvh_phys_fn phys, void *ctx)
{
    uint64_t bytes;

    if (si->nr_modules == 0 || si->modlist_paddr == 0)
        return;
    if (si->nr_modules > PVH_MODULES_MAX) {
        o->modules_ignored = si->nr_modules;
        return;
    }
    bytes = (uint64_t)si->nr_modules * sizeof(struct mod_entry);
    if (si->modlist_paddr + bytes < si->modlist_paddr ||
        !phys(ctx, si->modlist_paddr, bytes)) {
        o->modules_ignored = si->nr_modules;
        return;
    }
    note_end(o, si->modlist_paddr, bytes);
    for (uint32_t i = 0; i < si->nr_modules; i++) {
        struct mod_entry m;

        if (!copy_in(&m, si->modlist_paddr + i * sizeof(m), sizeof(m), phys,
                     ctx) ||
            m.size == 0 || m.paddr + m.size < m.paddr ||
            !phys(ctx, m.paddr, m.size)) {
            o->modules_ignored++;
            continue;
        }
        o->modules[o->nr_modules].start = m.paddr;
        o->modules[o->nr_modules].end = m.paddr + m.size;
        o->nr_modules++;
        note_end(o, m.paddr, m.size);
    }
}

int pvh_info_parse(uint64_t si_pa, pvh_phys_fn phys, void *ctx,
                   struct pvh_info *out)
{
    struct si_v1 si;
    uint64_t len = offsetof(struct si_v1, memmap_paddr); /* version 0 */

    memset(out, 0, sizeof(*out));
    memset(&si, 0, sizeof(si));
    if (!copy_in(&si, si_pa, len, phys, ctx) || si.magic != PVH_MAGIC)
        return -EINVAL;
    if (si.version >= 1) {
        len = sizeof(si);
        if (!copy_in(&si, si_pa, len, phys, ctx) || si.magic != PVH_MAGIC)
            return -EINVAL;
    }
    note_end(out, si_pa, len);
    out->rsdp = si.rsdp_paddr;
    read_cmdline(out, si.cmdline_paddr, phys, ctx);
    read_modules(out, &si, phys, ctx);
    return read_memmap(out, &si, phys, ctx);
}
