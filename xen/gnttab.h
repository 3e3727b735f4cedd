// SPDX-License-Identifier: MIT
/*
 * xen/gnttab.h - grant tables, version 1: share our pages with a backend.
 *
 * A grant entry tells Xen that domain `domid` may map or copy our frame
 * `frame`. Design choice: the bookkeeping (free list, reserved refs, the
 * write order, revocation) is pure code over a grant_entry_v1_t array and
 * its length given to gnttab_init(), so a host test plays Xen by setting
 * GTF_reading/GTF_writing in the array. gnttab_setup() (xen/gnttab_setup.c,
 * guest only) sizes the table with GNTTABOP_query_size, never beyond its
 * max, obtains the frames with GNTTABOP_setup_table, maps them and calls
 * gnttab_init(). One table per domain, so the state is module-global.
 * Refs 0..7 are reserved for the toolstack (console, xenstore) and are
 * never handed out. Not safe against event handlers: call from threads.
 * Reference: xen/include/public/grant_table.h.
 */
#ifndef XEN_GNTTAB_H
#define XEN_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>

/* Largest table this module manages: 32 frames of 512 v1 entries. */
#define GNTTAB_MAX_FRAMES        32
#define GNTTAB_ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))
#define GNTTAB_MAX_ENTRIES       (GNTTAB_MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME)

/*
 * Adopt table[0..nr) (nr is clamped to GNTTAB_MAX_ENTRIES) and put refs
 * GNTTAB_NR_RESERVED_ENTRIES..nr-1 on the free list. Entries of free
 * refs are cleared; reserved entries are left untouched. -EINVAL when
 * table is NULL or nr leaves no usable ref.
 */
int gnttab_init(grant_entry_v1_t *table, unsigned int nr);

/*
 * Number of frames to request from GNTTABOP_setup_table, given the
 * max_nr_frames GNTTABOP_query_size reported: `want` (at least 1)
 * limited by max_nr_frames and by GNTTAB_MAX_FRAMES. 0 when
 * max_nr_frames is 0 (no grant table available).
 */
unsigned int gnttab_frames_to_use(uint32_t max_nr_frames, unsigned int want);

/*
 * Allow domid to access frame (a PFN/GFN; an MFN on PV), read-only if
 * readonly. Writes frame and domid, then a write barrier, then flags, so
 * Xen never sees a valid entry with stale contents. Returns the ref, or
 * -ENOSPC when no ref is free, -EINVAL before gnttab_init().
 */
int gnttab_grant_access(domid_t domid, unsigned long frame, bool readonly);

/*
 * Revoke access to ref. Atomically clears the flags unless the backend
 * still has the page mapped (GTF_reading|GTF_writing): then -EBUSY and
 * the grant stays valid, retry later. -EINVAL for a reserved,
 * out-of-range or not-granted ref. The ref stays allocated: free it with
 * gnttab_free().
 */
int gnttab_end_access(grant_ref_t ref);

/*
 * Return a revoked ref to the free list. -EBUSY if it is still granted
 * (call gnttab_end_access() first); -EINVAL for a reserved, out-of-range
 * or already free ref (double free).
 */
int gnttab_free(grant_ref_t ref);

/* Refs currently free (for diagnostics and tests). */
unsigned int gnttab_nr_free(void);

/*
 * Guest only (xen/gnttab_setup.c): query, set up and map the domain's
 * grant table frames, then gnttab_init() over them. 0 or -errno.
 */
int gnttab_setup(void);

/*
 * Guest only, suspend/resume: put our own pages back behind the table
 * before a save; after it map Xen's frames again at the same address,
 * and for a restored domain (not a cancelled suspend) start the
 * bookkeeping afresh (drivers forget their refs, see xen/xenbus_front.h).
 * 0 or -errno. Both are no-ops in an image that never called setup.
 */
int gnttab_suspend(void);
int gnttab_resume(bool cancelled);

#endif /* XEN_GNTTAB_H */
