// SPDX-License-Identifier: MIT
/*
 * xen/shinfo.c - map the shared_info page at its fixed address.
 *
 * The mapping replaces the ordinary page behind arch_shared_info_page
 * (a page of .bss) with Xen's frame; the pseudo-physical page behind it
 * is simply never used. NX because nothing there is code.
 * Reference: xen/include/public/xen.h (start_info.shared_info).
 */
#include "shinfo.h"

#include <stddef.h>

#include "../arch/x86_64/arch.h"
#include "hypercall.h"

static shared_info_t *shinfo;

shared_info_t *shinfo_map(const start_info_t *si)
{
    /* present, writable, accessed, dirty, NX */
    uint64_t pte =
        (si->shared_info & ~(ARCH_PAGE_SIZE - 1)) | 0x63ULL | (1ULL << 63);
    int rc;

    rc = hypercall_update_va_mapping((unsigned long)arch_shared_info_page, pte,
                                     UVMF_INVLPG);
    if (rc) {
        /* The CPU may lack NX: Xen rejects the bit then. Retry without. */
        rc = hypercall_update_va_mapping((unsigned long)arch_shared_info_page,
                                         pte & ~(1ULL << 63), UVMF_INVLPG);
    }
    if (rc)
        return NULL;
    shinfo = (shared_info_t *)arch_shared_info_page;
    return shinfo;
}

int shinfo_unmap(void)
{
    unsigned long own = arch_virt_to_mfn(arch_shared_info_page);
    uint64_t pte = ((uint64_t)own << ARCH_PAGE_SHIFT) | 0x63ULL;
    int rc = hypercall_update_va_mapping((unsigned long)arch_shared_info_page,
                                         pte, UVMF_INVLPG);

    if (rc)
        return rc;
    /* A dummy from here on: events stay masked in it. */
    ((shared_info_t *)arch_shared_info_page)->vcpu_info[0].evtchn_upcall_mask =
        1;
    return 0;
}

shared_info_t *shinfo_get(void)
{
    return shinfo;
}

struct vcpu_info *shinfo_vcpu0(void)
{
    return shinfo ? &shinfo->vcpu_info[0] : NULL;
}
