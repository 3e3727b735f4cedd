// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/setup.c - PVH CPU setup: GDT + TSS with IST stacks,
 * the IDT, FPU/SSE defaults, the fs base, and Xen's pages (shared_info,
 * grant frames) placed in our physical address space.
 *
 * Design: a PVH guest is a ring-0 x86 kernel without legacy devices:
 * exceptions come through our own IDT (interrupt gates), #PF/#DF/NMI/#MC
 * on IST stacks so a stack that ran into its guard page can still be
 * reported, and events through the callback vector that
 * HVM_PARAM_CALLBACK_IRQ (type vector) names. Xen's pages are put where
 * we want them with XENMEM_add_to_physmap, at the pfn of a page we own
 * and have mapped (identity), so no mapping changes: shared_info at
 * arch_shared_info_page, grant frames over a block from the allocator.
 * Xen ignores evtchn_upcall_mask for the vector, so the CPU's IF is the
 * mask's other half (arch_event_cpu_mask, used by xen/evtchn.c).
 * Reference: xen/include/public/memory.h (XENMEM_add_to_physmap),
 * hvm/params.h (HVM_PARAM_CALLBACK_IRQ), Intel SDM vol. 3 ch. 6.14
 * (64-bit IDT, IST), ch. 8.7 (64-bit TSS).
 */
#include <errno.h>
#include <stddef.h>

#include "../arch.h"
#include "pvh.h"

#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/xen.h>

#define GDT_CODE64 0x08
#define GDT_TSS    0x20
#define NR_TRAPS   22

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __attribute__((packed));

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS");
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit gate");

extern uint64_t pvh_gdt[];
extern char pvh_upcall[];
#define DECLARE(n) extern char pvh_trap##n[];
DECLARE(0)
DECLARE(1) DECLARE(2) DECLARE(3) DECLARE(4) DECLARE(5) DECLARE(6) DECLARE(7)
    DECLARE(8) DECLARE(9) DECLARE(10) DECLARE(11) DECLARE(12) DECLARE(13)
        DECLARE(14) DECLARE(15) DECLARE(16) DECLARE(17) DECLARE(18) DECLARE(19)
            DECLARE(20) DECLARE(21)
#undef DECLARE

                static char *const trap_stubs[NR_TRAPS] = {
                    pvh_trap0,  pvh_trap1,  pvh_trap2,  pvh_trap3,  pvh_trap4,
                    pvh_trap5,  pvh_trap6,  pvh_trap7,  pvh_trap8,  pvh_trap9,
                    pvh_trap10, pvh_trap11, pvh_trap12, pvh_trap13, pvh_trap14,
                    pvh_trap15, pvh_trap16, pvh_trap17, pvh_trap18, pvh_trap19,
                    pvh_trap20, pvh_trap21,
};

/* IST 1: #PF (a stack overflow faults with rsp in the guard page),
 * 2: #DF, 3: NMI and #MC. The report runs on these. */
static uint8_t ist_pf[16384] __attribute__((aligned(16)));
static uint8_t ist_df[8192] __attribute__((aligned(16)));
static uint8_t ist_nmi[8192] __attribute__((aligned(16)));

static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(unsigned int vec, const void *stub, uint8_t ist)
{
    uint64_t a = (uintptr_t)stub;

    idt[vec] = (struct idt_gate){
        .off0 = (uint16_t)a,
        .sel = GDT_CODE64,
        .ist = ist,
        .type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
        .off1 = (uint16_t)(a >> 16),
        .off2 = (uint32_t)(a >> 32),
    };
}

static void fpu_init(void)
{
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;

    __asm__ volatile("fninit; fldcw %0" : : "m"(fcw));
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

int arch_traps_init(void)
{
    uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;
    struct desc_ptr idtr = {.limit = sizeof(idt) - 1, .base = (uintptr_t)idt};

    fpu_init();
    tss.ist[0] = (uintptr_t)(ist_pf + sizeof(ist_pf));
    tss.ist[1] = (uintptr_t)(ist_df + sizeof(ist_df));
    tss.ist[2] = (uintptr_t)(ist_nmi + sizeof(ist_nmi));
    tss.iomap_base = sizeof(tss); /* no I/O bitmap */
    pvh_gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                           (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
                           (((base >> 24) & 0xff) << 56);
    pvh_gdt[GDT_TSS / 8 + 1] = base >> 32;
    __asm__ volatile("ltr %w0" : : "r"(GDT_TSS));

    for (unsigned int v = 0; v < NR_TRAPS; v++) {
        uint8_t ist = 0;

        if (v == 14)
            ist = 1;
        else if (v == 8)
            ist = 2;
        else if (v == 2 || v == 18)
            ist = 3;
        set_gate(v, trap_stubs[v], ist);
    }
    set_gate(PVH_UPCALL_VECTOR, pvh_upcall, 0);
    __asm__ volatile("lidt %0" : : "m"(idtr));
    return 0;
}

int arch_set_fs_base(uintptr_t base)
{
    pvh_wrmsr(0xc0000100, base); /* IA32_FS_BASE */
    return 0;
}

uint64_t arch_fault_addr(void)
{
    uint64_t cr2;

    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}

static void cpu_mask(bool masked)
{
    if (masked)
        __asm__ volatile("cli" ::: "memory");
    else
        __asm__ volatile("sti" ::: "memory");
}

void (*const arch_event_cpu_mask)(bool masked) = cpu_mask;

static int add_to_physmap(unsigned int space, unsigned long idx, const void *va)
{
    struct xen_add_to_physmap x = {
        .domid = DOMID_SELF,
        .space = space,
        .idx = idx,
        .gpfn = (uintptr_t)va >> ARCH_PAGE_SHIFT,
    };

    return (int)arch_hypercall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
                               (unsigned long)&x, 0, 0, 0);
}

int arch_shared_info_map(const start_info_t *si)
{
    int rc;

    (void)si;
    rc = add_to_physmap(XENMAPSPACE_shared_info, 0, arch_shared_info_page);
    if (rc)
        return rc;
    /* Events as a vector: no LAPIC, no EOI; a restored domain must ask
     * again. Delivery waits for IF (evtchn_irq_enable). */
    return pvh_hvm_param_set(HVM_PARAM_CALLBACK_IRQ,
                             ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) |
                                 PVH_UPCALL_VECTOR);
}

int arch_shared_info_unmap(void)
{
    return 0; /* re-placed by arch_shared_info_map() after the resume */
}

int arch_gnttab_map(void *va, unsigned int nr)
{
    for (unsigned int i = 0; i < nr; i++) {
        int rc = add_to_physmap(XENMAPSPACE_grant_table, i,
                                (char *)va + i * ARCH_PAGE_SIZE);

        if (rc)
            return rc;
    }
    return 0;
}

int arch_gnttab_unmap(void *va, unsigned int nr)
{
    (void)va;
    (void)nr; /* the frames are placed again after the resume */
    return 0;
}
