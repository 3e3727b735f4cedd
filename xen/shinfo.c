// SPDX-License-Identifier: MIT
/*
 * xen/shinfo.c - the shared_info page at its fixed address.
 *
 * Xen's page replaces the ordinary page behind arch_shared_info_page (a
 * page of .bss); how is the mode's business (arch_shared_info_map: a PV
 * mapping of Xen's frame, or PVH's add_to_physmap at that page's pfn).
 * Reference: xen/include/public/xen.h (start_info.shared_info).
 */
#include "shinfo.h"

#include <stddef.h>

#include "../arch/x86_64/arch.h"

static shared_info_t *shinfo;

shared_info_t *shinfo_map(const start_info_t *si)
{
    if (arch_shared_info_map(si))
        return NULL;
    shinfo = (shared_info_t *)arch_shared_info_page;
    return shinfo;
}

int shinfo_unmap(void)
{
    int rc = arch_shared_info_unmap();

    if (rc)
        return rc;
    /* From here on a dummy (PV) or Xen's page that will be re-placed
     * (PVH): events stay masked in it. */
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
