// SPDX-License-Identifier: MIT
/*
 * xen/p2m.c - page-to-frame translation for PV guests.
 *
 * A PV guest's memory is mapped at VA == pseudo-physical address and the
 * builder's p2m list (start_info.mfn_list, adopted by arch/) gives each
 * PFN's machine frame; what Xen expects in a grant from a PV domain is
 * that MFN. Design choice: a thin out-of-line wrapper over arch/, so
 * the PV knowledge stays in one place and drivers link against xen/.
 * Reference: xen/include/public/xen.h (start_info.mfn_list).
 */
#include "arch/x86_64/arch.h"
#include "xen/p2m.h"

unsigned long p2m_virt_to_frame(const void *va)
{
    return arch_virt_to_mfn(va);
}
