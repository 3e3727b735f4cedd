// SPDX-License-Identifier: MIT
/*
 * xen/gnttab.c - grant table v1 bookkeeping: free list, grant, revoke.
 *
 * Pure code over the entry array given to gnttab_init(); nothing here
 * issues a hypercall (see xen/gnttab_setup.c). Each ref has a private
 * state (free / granted / revoked-but-allocated) kept outside the shared
 * table, because the shared entry is also written by Xen and must not be
 * the only record of what we handed out: that is what makes double frees
 * and frees of live grants detectable. The free list is a LIFO stack of
 * 16-bit links. Entry writes follow the protocol order: frame and domid,
 * write barrier, flags; revocation is a compare-and-swap on flags that
 * refuses while Xen has set GTF_reading or GTF_writing.
 * Reference: xen/include/public/grant_table.h ("Invalidating an unused
 * GTF_permit_access entry").
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "xen/gnttab.h"

/*
 * The release fence between the entry's contents and its flags. Host
 * tests may define GNTTAB_TEST_WMB_HOOK to a function that snapshots the
 * entry at that point, which makes the write order observable.
 */
#ifdef GNTTAB_TEST_WMB_HOOK
void GNTTAB_TEST_WMB_HOOK(void);
#define gnttab_wmb() GNTTAB_TEST_WMB_HOOK()
#else
#define gnttab_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

enum gt_state { GT_FREE = 0, GT_GRANTED, GT_REVOKED };

#define GT_END 0xffffu /* end of the free list; above any valid ref */

_Static_assert(GNTTAB_MAX_ENTRIES < GT_END, "free-list links are 16-bit");

static grant_entry_v1_t *gt_table;
static unsigned int gt_nr;
static unsigned int gt_nr_free;
static uint16_t gt_head = GT_END;
static uint16_t gt_next[GNTTAB_MAX_ENTRIES];
static uint8_t gt_state[GNTTAB_MAX_ENTRIES];

int gnttab_init(grant_entry_v1_t *table, unsigned int nr)
{
    if (!table)
        return -EINVAL;
    if (nr > GNTTAB_MAX_ENTRIES)
        nr = GNTTAB_MAX_ENTRIES;
    if (nr <= GNTTAB_NR_RESERVED_ENTRIES)
        return -EINVAL;
    gt_table = table;
    gt_nr = nr;
    gt_head = GT_END;
    gt_nr_free = 0;
    memset(gt_state, GT_FREE, sizeof(gt_state));
    /*
     * Push from the top so that the lowest refs are handed out first;
     * reserved refs never enter the list.
     */
    for (unsigned int ref = nr; ref-- > GNTTAB_NR_RESERVED_ENTRIES;) {
        __atomic_store_n(&table[ref].flags, 0, __ATOMIC_RELAXED);
        table[ref].domid = 0;
        table[ref].frame = 0;
        gt_next[ref] = gt_head;
        gt_head = (uint16_t)ref;
        gt_nr_free++;
    }
    return 0;
}

unsigned int gnttab_frames_to_use(uint32_t max_nr_frames, unsigned int want)
{
    unsigned int n = want ? want : 1;

    if (n > max_nr_frames)
        n = max_nr_frames;
    if (n > GNTTAB_MAX_FRAMES)
        n = GNTTAB_MAX_FRAMES;
    return n;
}

unsigned int gnttab_nr_free(void)
{
    return gt_nr_free;
}

/* A ref a caller may legitimately hold: in the table, not reserved. */
static bool ref_valid(grant_ref_t ref)
{
    return gt_table && ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < gt_nr;
}

int gnttab_grant_access(domid_t domid, unsigned long frame, bool readonly)
{
    grant_entry_v1_t *e;
    uint16_t ref;

    if (!gt_table)
        return -EINVAL;
    if (frame > UINT32_MAX)
        return -EINVAL; /* v1 entries hold 32-bit frame numbers */
    if (gt_head == GT_END)
        return -ENOSPC;
    ref = gt_head;
    gt_head = gt_next[ref];
    gt_nr_free--;
    gt_state[ref] = GT_GRANTED;

    e = &gt_table[ref];
    e->frame = (uint32_t)frame;
    e->domid = domid;
    /* Xen must see frame and domid before the entry becomes valid. */
    gnttab_wmb();
    __atomic_store_n(&e->flags,
                     (uint16_t)(GTF_permit_access |
                                (readonly ? GTF_readonly : 0)),
                     __ATOMIC_RELAXED);
    return ref;
}

int gnttab_end_access(grant_ref_t ref)
{
    uint16_t flags;

    if (!ref_valid(ref) || gt_state[ref] != GT_GRANTED)
        return -EINVAL;
    flags = __atomic_load_n(&gt_table[ref].flags, __ATOMIC_ACQUIRE);
    /*
     * Xen sets GTF_reading/GTF_writing while the backend has the page
     * mapped; the cmpxchg closes the race with a mapping that starts
     * between our check and our store.
     */
    do {
        if (flags & (GTF_reading | GTF_writing))
            return -EBUSY;
    } while (!__atomic_compare_exchange_n(&gt_table[ref].flags, &flags, 0,
                                          false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_ACQUIRE));
    gt_state[ref] = GT_REVOKED;
    return 0;
}

int gnttab_free(grant_ref_t ref)
{
    if (!ref_valid(ref) || gt_state[ref] == GT_FREE)
        return -EINVAL;
    if (gt_state[ref] == GT_GRANTED)
        return -EBUSY;
    gt_state[ref] = GT_FREE;
    gt_next[ref] = gt_head;
    gt_head = (uint16_t)ref;
    gt_nr_free++;
    return 0;
}
