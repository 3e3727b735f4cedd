// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pv/xenpages.c - PV: Xen's pages (shared_info, grant-table
 * frames) mapped into our address space, and the PV-only CPU hooks.
 *
 * Design: Xen hands a PV guest machine frames and the guest maps them
 * itself with update_va_mapping over pages of its own (the pseudo-
 * physical page behind is then simply unused). Before a save the guest's
 * own frames go back behind those addresses, because the toolstack must
 * find no Xen frame in the page tables it canonicalises. Every mapping
 * is NX where the CPU has NX (Xen refuses the bit otherwise: retried
 * without). Reference: xen/include/public/xen.h (update_va_mapping,
 * start_info.shared_info), grant_table.h (GNTTABOP_setup_table).
 */
#include <errno.h>

#include "../arch.h"

#include <xen/grant_table.h>
#include <xen/xen.h>

/* present, writable, accessed, dirty */
#define PTE_DATA 0x63ULL
#define PTE_NX   (1ULL << 63)

/* Frames one setup_table may return here (xen/gnttab.h asks for <= 32). */
#define PV_GNTTAB_FRAMES_MAX 64

static int map_frame(void *va, uint64_t frame)
{
    uint64_t pte = (frame << ARCH_PAGE_SHIFT) | PTE_DATA;
    long rc = arch_hypercall(__HYPERVISOR_update_va_mapping, (unsigned long)va,
                             pte | PTE_NX, UVMF_INVLPG, 0, 0);

    if (rc) /* a CPU without NX: Xen rejects the bit */
        rc = arch_hypercall(__HYPERVISOR_update_va_mapping, (unsigned long)va,
                            pte, UVMF_INVLPG, 0, 0);
    return (int)rc;
}

int arch_shared_info_map(const start_info_t *si)
{
    return map_frame(arch_shared_info_page, si->shared_info >> ARCH_PAGE_SHIFT);
}

int arch_shared_info_unmap(void)
{
    uint64_t own = arch_virt_to_mfn(arch_shared_info_page);
    uint64_t pte = (own << ARCH_PAGE_SHIFT) | PTE_DATA;

    return (int)arch_hypercall(__HYPERVISOR_update_va_mapping,
                               (unsigned long)arch_shared_info_page, pte,
                               UVMF_INVLPG, 0, 0);
}

int arch_gnttab_map(void *va, unsigned int nr)
{
    struct gnttab_setup_table s = {.dom = DOMID_SELF, .nr_frames = nr};
    xen_pfn_t frames[PV_GNTTAB_FRAMES_MAX];
    long rc;

    if (nr == 0 || nr > PV_GNTTAB_FRAMES_MAX)
        return -EINVAL;
    set_xen_guest_handle(s.frame_list, frames);
    rc = arch_hypercall(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table,
                        (unsigned long)&s, 1, 0, 0);
    if (rc < 0)
        return (int)rc;
    if (s.status != GNTST_okay)
        return -EIO;
    for (unsigned int i = 0; i < nr; i++) {
        int err = map_frame((char *)va + i * ARCH_PAGE_SIZE, frames[i]);

        if (err < 0)
            return err; /* pages stay ours: their frames are remapped */
    }
    return 0;
}

int arch_gnttab_unmap(void *va, unsigned int nr)
{
    for (unsigned int i = 0; i < nr; i++) {
        char *p = (char *)va + i * ARCH_PAGE_SIZE;
        int rc = map_frame(p, arch_virt_to_mfn(p));

        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Xen honours evtchn_upcall_mask for PV vCPUs: no CPU half. */
void (*const arch_event_cpu_mask)(bool masked) = NULL;

uint64_t arch_fault_addr(void)
{
    const shared_info_t *s = (const shared_info_t *)arch_shared_info_page;

    return s->vcpu_info[0].arch.cr2;
}

void arch_start_info_refresh(start_info_t *si)
{
    (void)si; /* Xen rewrote store/console frames and ports in place */
}
