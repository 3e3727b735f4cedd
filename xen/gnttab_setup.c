// SPDX-License-Identifier: MIT
/*
 * xen/gnttab_setup.c - obtain and map the domain's grant table (PV).
 *
 * Guest only; the bookkeeping it hands the table to is xen/gnttab.c. PV
 * guests ask Xen for the table's machine frames with GNTTABOP_setup_table
 * (after GNTTABOP_query_size, never beyond max_nr_frames) and map them
 * themselves. Design choice: the frames are mapped over a block of our
 * own pages with update_va_mapping, so the table is virtually contiguous
 * without a separate VA allocator; those pages' original frames are
 * given up for the domain's lifetime (GNTTAB_WANT_FRAMES pages). On
 * resume this must run again (not implemented yet). PVH would use
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table) instead.
 * Reference: xen/include/public/grant_table.h.
 */
#include <errno.h>

#include "arch/x86_64/arch.h"
#include "kernel/mm.h"
#include "xen/gnttab.h"
#include "xen/hypercall.h"

/*
 * 16 frames = 8192 entries (64 KiB of table). One netfront queue keeps
 * 514 grants for its whole connection (2 rings + 256 TX + 256 RX pages),
 * so this covers several vifs or queues plus a blkfront, and leaves room
 * for the ring refs a detach may leak while a backend still maps them.
 * Xen's default limit (max_grant_frames) is 64; query_size caps us anyway.
 */
#define GNTTAB_WANT_FRAMES 16

/* Present, writable, accessed, dirty: a kernel data mapping on PV;
 * never executable (W^X), where the CPU has NX. */
#define GNTTAB_PTE_FLAGS 0x63ULL
#define GNTTAB_PTE_NX    (1ULL << 63)

/* Map frame at va, NX when the CPU allows it (Xen refuses the bit
 * otherwise). 0 or -errno. */
static int map_frame(char *va, uint64_t frame)
{
    uint64_t pte = (frame << ARCH_PAGE_SHIFT) | GNTTAB_PTE_FLAGS;
    int rc = hypercall_update_va_mapping((unsigned long)va,
                                         pte | GNTTAB_PTE_NX, UVMF_INVLPG);

    if (rc)
        rc = hypercall_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG);
    return rc;
}

static char *table_va; /* where the frames are mapped */
static unsigned int table_frames;

/* Map Xen's frames for our table at table_va (first call: allocate). */
static int map_frames(void)
{
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    struct gnttab_setup_table s = {.dom = DOMID_SELF};
    xen_pfn_t frames[GNTTAB_MAX_FRAMES];
    unsigned int n, order = 0;
    int rc;

    rc = hypercall_grant_table_op(GNTTABOP_query_size, &q, 1);
    if (rc < 0)
        return rc;
    if (q.status != GNTST_okay)
        return -EIO;
    n = gnttab_frames_to_use(q.max_nr_frames, GNTTAB_WANT_FRAMES);
    if (n == 0)
        return -ENODEV;
    if (table_va && n > table_frames)
        n = table_frames; /* a restore target offering more: keep ours */

    s.nr_frames = n;
    set_xen_guest_handle(s.frame_list, frames);
    rc = hypercall_grant_table_op(GNTTABOP_setup_table, &s, 1);
    if (rc < 0)
        return rc;
    if (s.status != GNTST_okay)
        return -EIO;

    if (!table_va) {
        while ((1U << order) < n)
            order++;
        table_va = mm_alloc_pages(order);
        if (!table_va)
            return -ENOMEM;
    }
    for (unsigned int i = 0; i < n; i++) {
        rc = map_frame(table_va + i * ARCH_PAGE_SIZE, frames[i]);
        if (rc < 0)
            return rc; /* pages stay allocated: their frames are remapped */
    }
    table_frames = n;
    return 0;
}

int gnttab_setup(void)
{
    int rc = map_frames();

    if (rc < 0)
        return rc;
    return gnttab_init((grant_entry_v1_t *)table_va,
                       table_frames * GNTTAB_ENTRIES_PER_FRAME);
}

int gnttab_suspend(void)
{
    /* Our own pages back behind the table: the toolstack must find no
     * Xen frame in our page tables when it canonicalises them. */
    for (unsigned int i = 0; table_va && i < table_frames; i++) {
        char *va = table_va + i * ARCH_PAGE_SIZE;
        int rc = map_frame(va, arch_virt_to_mfn(va));

        if (rc < 0)
            return rc;
    }
    return 0;
}

int gnttab_resume(bool cancelled)
{
    int rc;

    if (!table_va)
        return 0; /* this image never set up grants */
    rc = map_frames();
    if (rc < 0 || cancelled)
        return rc; /* cancelled: the same table, every grant still valid */
    /* A new table: every ref of the old domain means nothing now. */
    return gnttab_init((grant_entry_v1_t *)table_va,
                       table_frames * GNTTAB_ENTRIES_PER_FRAME);
}
