// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/boot.c - pvh_start(): from the PHYS32 entry (in long
 * mode on the boot tables) to start_kernel().
 *
 * Steps: have Xen fill our hypercall page (CPUID leaves 0x40000x00:
 * "XenVMMXenVMM", leaf base+2 names the MSR; Xen writes vmcall or
 * vmmcall stubs, whichever the CPU needs); copy hvm_start_info
 * (pvh_info_parse, every field checked); read the HVM params for the
 * xenstore and console rings; and present all of it to the kernel as
 * the start_info_t it knows from PV, with guest pfns where PV has
 * machine frames (arch_mfn_to_pfn() is the identity on PVH). A memory
 * map that cannot be used is reported by arch_mm_init(), the first
 * step of start_kernel() that needs it.
 * Reference: xen/include/public/arch-x86/cpuid.h (hypervisor leaves),
 * arch-x86/hvm/start_info.h, hvm/params.h.
 */
#include <stddef.h>
#include <string.h>

#include "../arch.h"
#include "pvh.h"

#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/xen.h>

void start_kernel(start_info_t *si);
void pvh_start(uint32_t start_info_pa);

extern char hypercall_page[];
extern char _text[], _end[];

struct pvh_info pvh_boot;
int pvh_boot_rc;
static start_info_t pvh_si;

/* The boot tables identity-map the first 4 GiB; nothing else is
 * readable yet. */
static const void *boot_phys(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    if (pa == 0 || pa + len < pa || pa + len > (4ULL << 30))
        return NULL;
    return (const void *)(uintptr_t)pa;
}

static bool hypercall_page_init(void)
{
    for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
        uint32_t a, b, c, d;

        pvh_cpuid(base, &a, &b, &c, &d);
        /* "XenVMMXenVMM" in ebx, ecx, edx */
        if (b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e &&
            a >= base + 2) {
            pvh_cpuid(base + 2, &a, &b, &c, &d);
            if (a < 1)
                return false;
            pvh_wrmsr(b, (uint64_t)(uintptr_t)hypercall_page);
            return true;
        }
    }
    return false;
}

int pvh_hvm_param_get(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    long rc = arch_hypercall(__HYPERVISOR_hvm_op, HVMOP_get_param,
                             (unsigned long)&p, 0, 0, 0);

    if (rc)
        return (int)rc;
    *value = p.value;
    return 0;
}

int pvh_hvm_param_set(uint32_t index, uint64_t value)
{
    struct xen_hvm_param p = {
        .domid = DOMID_SELF, .index = index, .value = value};

    return (int)arch_hypercall(__HYPERVISOR_hvm_op, HVMOP_set_param,
                               (unsigned long)&p, 0, 0, 0);
}

/* A ring page the toolstack names: below 2^47, not page 0, not ours. */
static uint64_t ring_pfn(uint32_t index)
{
    uint64_t pfn, img0 = (uintptr_t)_text >> ARCH_PAGE_SHIFT;
    uint64_t img1 = ((uintptr_t)_end + ARCH_PAGE_SIZE - 1) >> ARCH_PAGE_SHIFT;

    if (pvh_hvm_param_get(index, &pfn) || pfn == 0 ||
        pfn >= (1ULL << (47 - ARCH_PAGE_SHIFT)) || (pfn >= img0 && pfn < img1))
        return 0;
    return pfn;
}

static uint32_t port_param(uint32_t index)
{
    uint64_t port;

    /* 2-level event channels: 4096 ports on x86_64. */
    if (pvh_hvm_param_get(index, &port) || port == 0 || port >= 4096)
        return 0;
    return (uint32_t)port;
}

void pvh_read_params(struct start_info *si)
{
    si->store_mfn = ring_pfn(HVM_PARAM_STORE_PFN);
    si->store_evtchn = port_param(HVM_PARAM_STORE_EVTCHN);
    si->console.domU.mfn = ring_pfn(HVM_PARAM_CONSOLE_PFN);
    si->console.domU.evtchn = port_param(HVM_PARAM_CONSOLE_EVTCHN);
}

void arch_start_info_refresh(start_info_t *si)
{
    pvh_read_params(si); /* a restore may have moved ports */
}

/* No canary: it never returns, and the guard is seeded later. */
__attribute__((no_stack_protector, noreturn)) void
pvh_start(uint32_t start_info_pa)
{
    start_info_t *si = &pvh_si;

    if (!hypercall_page_init())
        for (;;) /* no hypercalls: nothing to tell anyone with */
            __asm__ volatile("cli; hlt");
    pvh_boot_rc = pvh_info_parse(start_info_pa, boot_phys, NULL, &pvh_boot);

    memcpy(si->magic, "xen-3.0-x86_64", sizeof("xen-3.0-x86_64"));
    si->shared_info = (uintptr_t)arch_shared_info_page;
    pvh_read_params(si);
    _Static_assert(sizeof(si->cmd_line) == PVH_CMDLINE_MAX,
                   "command line sizes");
    memcpy(si->cmd_line, pvh_boot.cmdline, PVH_CMDLINE_MAX);
    /* nr_pages is set by arch_mm_init() from the memory map. */
    start_kernel(si);
    for (;;)
        __asm__ volatile("cli; hlt");
}
