// SPDX-License-Identifier: MIT
/*
 * xen/gnttab_setup.c - obtain and map the domain's grant table.
 *
 * Guest only; the bookkeeping it hands the table to is xen/gnttab.c.
 * GNTTABOP_query_size bounds the table (never beyond max_nr_frames).
 * Design choice: the frames appear over a block of our own pages, so the
 * table is virtually contiguous without a separate VA allocator; those
 * pages' original frames are given up for the domain's lifetime
 * (GNTTAB_WANT_FRAMES pages). How they appear is the mode's business
 * (arch_gnttab_map): PV asks GNTTABOP_setup_table for machine frames and
 * maps them, PVH places them at our pages' pfns with
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table). On resume this runs
 * again.
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

static char *table_va; /* where the frames are mapped */
static unsigned int table_frames;

/* Map Xen's frames for our table at table_va (first call: allocate). */
static int map_frames(void)
{
    struct gnttab_query_size q = {.dom = DOMID_SELF};
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

    if (!table_va) {
        while ((1U << order) < n)
            order++;
        table_va = mm_alloc_pages(order);
        if (!table_va)
            return -ENOMEM;
    }
    /* PV: setup_table + a mapping per frame; PVH: add_to_physmap. */
    rc = arch_gnttab_map(table_va, n);
    if (rc < 0)
        return rc; /* pages stay allocated: their frames may be Xen's */
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
    /* PV: our own pages back behind the table (the toolstack must find
     * no Xen frame in the page tables it canonicalises). */
    if (!table_va)
        return 0;
    return arch_gnttab_unmap(table_va, table_frames);
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
