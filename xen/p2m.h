// SPDX-License-Identifier: MIT
/*
 * xen/p2m.h - the frame number Xen wants for one of our pages.
 *
 * Grants, ring setup and some hypercalls name a page by the frame number
 * Xen uses for it: the machine frame (MFN) for a PV guest, the guest
 * frame (GFN = PFN) for PVH/HVM. Design choice: one function that hides
 * which of the two applies, so drivers, which must not include arch/,
 * can grant their pages without knowing about the PV p2m list; a PVH
 * port only changes xen/p2m.c. Guest only (host tests pass their own
 * translation through the drivers' ops tables).
 * Reference: xen/include/public/grant_table.h (grant_entry_v1.frame),
 * xen/include/public/xen.h (start_info.mfn_list).
 */
#ifndef XEN_P2M_H
#define XEN_P2M_H

/*
 * The frame to put in a grant entry for the page holding va, which must
 * lie inside the domain's own (directly mapped) memory.
 */
unsigned long p2m_virt_to_frame(const void *va);

#endif /* XEN_P2M_H */
