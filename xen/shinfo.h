// SPDX-License-Identifier: MIT
/*
 * xen/shinfo.h - the shared_info page.
 *
 * Xen gives a PV guest the MACHINE address of shared_info in start_info;
 * the guest maps it itself. Design choice: it is mapped at the fixed,
 * link-time page arch_shared_info_page, because the upcall exit path in
 * arch/x86_64/entry.S tests vcpu_info[0] without a free register.
 * Reference: xen/include/public/xen.h (struct shared_info, vcpu_info).
 */
#ifndef XEN_SHINFO_H
#define XEN_SHINFO_H

#include <stdint.h>

#include <xen/xen.h>

/* Map si->shared_info; returns it, or NULL if Xen refused the mapping. */
shared_info_t *shinfo_map(const start_info_t *si);

/*
 * Before a save: put the domain's own page back behind the shared_info
 * address (Xen's frame must not appear in our page tables when the
 * toolstack canonicalises them), with events masked in it, so every
 * pointer into shared_info stays valid until shinfo_map() maps the
 * (possibly new) frame again. 0 or -errno.
 */
int shinfo_unmap(void);

/* The mapped page (NULL before shinfo_map). */
shared_info_t *shinfo_get(void);

/* vcpu_info of vCPU 0 inside it (xenith runs on one vCPU). */
struct vcpu_info *shinfo_vcpu0(void);

#endif /* XEN_SHINFO_H */
