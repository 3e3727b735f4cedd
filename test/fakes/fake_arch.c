// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_arch.c - host stand-ins for the arch page-table calls
 * the scheduler makes (arch/x86_64/arch.h). Guard pages are only counted:
 * host memory from malloc must stay mapped. The FS base goes where PV's
 * arch_set_fs_base() sends it, the (fake) set_segment_base hypercall,
 * which records it.
 */
#include "fake_arch.h"

#include <errno.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"
#include "xen/hypercall.h"

unsigned int fake_arch_guarded; /* guard pages currently "unmapped" */
unsigned int fake_arch_guard_calls;

int arch_guard_page(void *va)
{
    if ((uintptr_t)va & (ARCH_PAGE_SIZE - 1))
        return -EINVAL;
    fake_arch_guard_calls++;
    fake_arch_guarded++;
    return 0;
}

int arch_unguard_page(void *va)
{
    if ((uintptr_t)va & (ARCH_PAGE_SIZE - 1) || !fake_arch_guarded)
        return -EINVAL;
    fake_arch_guarded--;
    return 0;
}

int arch_set_fs_base(uintptr_t base)
{
    return hypercall_set_segment_base(SEGBASE_FS, base);
}
