// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pv/setup.c - PV CPU setup: trap table, event and failsafe
 * callbacks, FPU/SSE defaults, fs base.
 *
 * Design: a PV guest cannot load an IDT; it hands Xen a table of
 * (vector, DPL, cs, address) and registers its event upcall and failsafe
 * entry with callback_op. Every exception is registered without the
 * "mask events" flag: the handlers only report and crash, and a fault in
 * event context already runs masked. Xen's CR4 enables OSFXSR for PV
 * guests, so fxsave/SSE work; we only reset the x87 control word and
 * MXCSR to the ABI defaults. Reference: arch-x86/xen.h (trap_info),
 * callback.h, arch-x86/xen-x86_64.h (SEGBASE_FS).
 */
#include <errno.h>
#include <stddef.h>

#include "../arch.h"

#include <xen/callback.h>
#include <xen/xen.h>

/* Entry stubs in entry.S. */
#define STUBS(X)                                                               \
    X(0, trap_divide_error)                                                    \
    X(1, trap_debug)                                                           \
    X(3, trap_int3)                                                            \
    X(4, trap_overflow)                                                        \
    X(5, trap_bounds)                                                          \
    X(6, trap_invalid_op)                                                      \
    X(7, trap_device_not_available)                                            \
    X(8, trap_double_fault)                                                    \
    X(9, trap_coprocessor_segment_overrun)                                     \
    X(10, trap_invalid_tss)                                                    \
    X(11, trap_segment_not_present)                                            \
    X(12, trap_stack_segment)                                                  \
    X(13, trap_general_protection)                                             \
    X(14, trap_page_fault)                                                     \
    X(15, trap_spurious_interrupt_bug)                                         \
    X(16, trap_coprocessor_error)                                              \
    X(17, trap_alignment_check)                                                \
    X(18, trap_machine_check)                                                  \
    X(19, trap_simd_coprocessor_error)

#define DECLARE(vec, name) extern char name[];
STUBS(DECLARE)
#undef DECLARE
extern char upcall_entry[], failsafe_entry[];

/* int3 and into may be raised deliberately from ring 3: DPL 3. */
#define ENTRY(vec, name)                                                       \
    { (vec), ((vec) == 3 || (vec) == 4) ? 3 : 0, FLAT_KERNEL_CS,               \
      (unsigned long)name },
static trap_info_t trap_table[] = { STUBS(ENTRY){ 0, 0, 0, 0 } };
#undef ENTRY

_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_pending) == 0,
               "entry.S VCPU_PENDING");
_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_mask) == 1,
               "entry.S VCPU_MASK");
_Static_assert(offsetof(struct arch_regs, vector) == 15 * 8,
               "entry.S REGS_VECTOR");
_Static_assert(offsetof(struct arch_regs, rip) == 17 * 8, "entry.S REGS_RIP");
_Static_assert(offsetof(struct arch_regs, ss) == 21 * 8, "entry.S REGS_SS");

static int register_callback(uint16_t type, void *entry, uint16_t flags)
{
    struct callback_register cb = {
        .type = type,
        .flags = flags,
        .address = (unsigned long)entry,
    };

    return (int)arch_hypercall(__HYPERVISOR_callback_op, CALLBACKOP_register,
                               (unsigned long)&cb, 0, 0, 0);
}

static void fpu_init(void)
{
    uint16_t fcw = 0x37f;   /* all x87 exceptions masked, 64-bit precision */
    uint32_t mxcsr = 0x1f80; /* all SSE exceptions masked, round-nearest */

    __asm__ volatile("fninit; fldcw %0" : : "m"(fcw));
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

int arch_traps_init(void)
{
    long rc;

    fpu_init();
    rc = arch_hypercall(__HYPERVISOR_set_trap_table,
                        (unsigned long)trap_table, 0, 0, 0, 0);
    if (rc)
        return (int)rc;
    /* Xen masks events when it delivers the upcall (it always does for
     * the event callback); the failsafe path must not be re-entered. */
    rc = register_callback(CALLBACKTYPE_event, upcall_entry, 0);
    if (rc)
        return (int)rc;
    return register_callback(CALLBACKTYPE_failsafe, failsafe_entry,
                             CALLBACKF_mask_events);
}

int arch_set_fs_base(uintptr_t base)
{
    return (int)arch_hypercall(__HYPERVISOR_set_segment_base, SEGBASE_FS,
                               base, 0, 0, 0);
}
