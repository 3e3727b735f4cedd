// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/entry.S - x86_64 PV entry points: the ELF notes Xen's domain
 * builder reads, _start, the hypercall page, the raw hypercall trampoline,
 * the exception stubs, the event upcall and the failsafe callback.
 *
 * Design: every entry from Xen lands on the current stack (a PV kernel
 * runs in ring 3 and is never "switched to" from user mode), with Xen's
 * frame [rcx, r11, (error code), rip, cs, rflags, rsp, ss]. The stubs turn
 * it into one struct arch_regs layout (arch/x86_64/arch.h) and call C with
 * the stack 16-byte aligned. The upcall saves the FPU/SSE state with
 * fxsave because handlers may run libc code that uses xmm registers.
 * Returning re-enables events in a short critical region that re-checks
 * evtchn_upcall_pending before iretq; an event arriving inside that region
 * is merged into the frame being returned through instead of nesting
 * another frame (see upcall_entry). shared_info is mapped at a fixed
 * link-time address (arch_shared_info_page), so the exit path can reach
 * vcpu_info[0] without a scratch register.
 * Reference: xen/include/public/elfnote.h, xen.h (vcpu_info),
 * arch-x86/xen-x86_64.h (frames, FLAT_KERNEL_CS).
 */
#ifndef __ASSEMBLY__
#define __ASSEMBLY__ /* Xen headers key their C parts off this */
#endif
#include <xen/elfnote.h>
#include <xen/xen.h>

#include "arch/x86_64/entry_macros.h"

/* Offsets in vcpu_info[0] (checked against the C struct in arch.c). */
#define VCPU_PENDING 0
#define VCPU_MASK 1

/* struct arch_regs: 15 GPRs, vector, error code, then Xen's iret frame. */
#define REGS_VECTOR (15 * 8)
#define REGS_RIP (17 * 8)
#define REGS_CS (18 * 8)
#define REGS_SS (21 * 8)

/* One ELF note in the "Xen" namespace. (gas strips the quotes of a
 * string macro argument, hence one macro per payload kind.) */
.macro XEN_NOTE_STR type, value
    XEN_NOTE_BEGIN \type
    .asciz "\value"
    XEN_NOTE_END
.endm
.macro XEN_NOTE_QUAD type, value
    XEN_NOTE_BEGIN \type
    .quad \value
    XEN_NOTE_END
.endm

    XEN_NOTE_STR XEN_ELFNOTE_GUEST_OS, xenith
    XEN_NOTE_STR XEN_ELFNOTE_GUEST_VERSION, 0.1
    XEN_NOTE_STR XEN_ELFNOTE_LOADER, generic
    XEN_NOTE_STR XEN_ELFNOTE_XEN_VERSION, xen-3.0
    XEN_NOTE_QUAD XEN_ELFNOTE_VIRT_BASE, 0
    XEN_NOTE_QUAD XEN_ELFNOTE_PADDR_OFFSET, 0
    XEN_NOTE_QUAD XEN_ELFNOTE_ENTRY, _start
    XEN_NOTE_QUAD XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page

/* ------------------------------------------------------------------ */

    .section .text.entry, "ax"
    .code64
    .globl _start
_start:
    /* %rsi = start_info (virtual). Leave the builder's stack at once. */
    cld
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp          /* terminates the frame-pointer backtrace */
    movq %rsi, %rdi
    call start_kernel        /* kernel/main.c; never returns */
1:  hlt
    jmp 1b

/*
 * long arch_hypercall(unsigned nr, a1, a2, a3, a4, a5)
 * SysV passes nr,a1..a5 in rdi,rsi,rdx,rcx,r8,r9; Xen wants a1..a5 in
 * rdi,rsi,rdx,r10,r8. The hypercall page stub returns to our caller.
 */
    .globl arch_hypercall
    .type arch_hypercall, @function
arch_hypercall:
    cmpl $(4096 / 32), %edi
    jae 1f
    movl %edi, %eax
    shlq $5, %rax
    leaq hypercall_page(%rip), %r11
    addq %r11, %rax
    movq %rsi, %rdi
    movq %rdx, %rsi
    movq %rcx, %rdx
    movq %r8, %r10
    movq %r9, %r8
    jmp *%rax
1:  movq $-38, %rax          /* -ENOSYS for an out-of-range number */
    ret
    .size arch_hypercall, . - arch_hypercall

/* ------------------------------------------------------------------ */
/* Exceptions                                                          */

/* Xen pushed rcx and r11 on top of the hardware-style frame: take them
 * back into the registers so the saved frame holds their real values. */
.macro TRAP_NOERR name, vec
    .globl \name
\name:
    movq (%rsp), %rcx
    movq 8(%rsp), %r11
    addq $16, %rsp
    pushq $0
    pushq $\vec
    jmp trap_common
.endm

.macro TRAP_ERR name, vec
    .globl \name
\name:
    movq (%rsp), %rcx
    movq 8(%rsp), %r11
    addq $16, %rsp
    pushq $\vec
    jmp trap_common
.endm


    .section .text.traps, "ax"
    TRAP_NOERR trap_divide_error, 0
    TRAP_NOERR trap_debug, 1
    TRAP_NOERR trap_int3, 3
    TRAP_NOERR trap_overflow, 4
    TRAP_NOERR trap_bounds, 5
    TRAP_NOERR trap_invalid_op, 6
    TRAP_NOERR trap_device_not_available, 7
    TRAP_ERR trap_double_fault, 8
    TRAP_NOERR trap_coprocessor_segment_overrun, 9
    TRAP_ERR trap_invalid_tss, 10
    TRAP_ERR trap_segment_not_present, 11
    TRAP_ERR trap_stack_segment, 12
    TRAP_ERR trap_general_protection, 13
    TRAP_ERR trap_page_fault, 14
    TRAP_NOERR trap_spurious_interrupt_bug, 15
    TRAP_NOERR trap_coprocessor_error, 16
    TRAP_ERR trap_alignment_check, 17
    TRAP_NOERR trap_machine_check, 18
    TRAP_NOERR trap_simd_coprocessor_error, 19

trap_common:
    SAVE_GPRS
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    xorl %ebp, %ebp
    call trap_handle         /* reports and crashes the domain */
    /* Should a handler ever resolve a fault, return without touching the
     * event mask: exception entry did not change it either. */
    movq %rbx, %rsp
    orb $3, REGS_CS(%rsp)
    orb $3, REGS_SS(%rsp)
    RESTORE_GPRS
    addq $16, %rsp
    iretq

/* ------------------------------------------------------------------ */
/* Event upcall                                                        */

    .globl upcall_entry
upcall_entry:
    /*
     * rcx and r11 are free here (Xen saved them in the frame). If we
     * interrupted the exit critical region, the interrupted context had
     * already restored every register and its rsp points at the iret
     * frame it was about to use. Rebuild Xen's [rcx, r11] pair right below
     * that old frame and drop this new one: the pending event is handled
     * on the old frame, so a burst of events cannot grow the stack.
     */
    movq 16(%rsp), %rcx
    leaq crit_start(%rip), %r11
    cmpq %r11, %rcx
    jb upcall_frame
    leaq crit_end(%rip), %r11
    cmpq %r11, %rcx
    jae upcall_frame
    movq 40(%rsp), %r11      /* interrupted rsp = the old iret frame */
    movq (%rsp), %rcx        /* interrupted rcx */
    movq %rcx, -16(%r11)     /* (overwrites at most our rsp/ss slots, read) */
    movq 8(%rsp), %rcx       /* interrupted r11 */
    movq %rcx, -8(%r11)
    leaq -16(%r11), %rsp
upcall_frame:
    movq (%rsp), %rcx
    movq 8(%rsp), %r11
    addq $16, %rsp
    pushq $0                 /* error code slot */
    pushq $-1                /* "vector" -1 marks an upcall frame */
    SAVE_GPRS
    movq %rsp, %rbx
    andq $-16, %rsp
    subq $512, %rsp
    fxsave (%rsp)
    movq %rbx, %rdi
    xorl %ebp, %ebp
    call evtchn_do_upcall
    fxrstor (%rsp)
    movq %rbx, %rsp
    /* fall through */

/*
 * Return through the iret frame above struct arch_regs with events
 * enabled. PV kernels run in ring 3: a direct iretq must carry RPL 3.
 */
return_via_iret:
    orb $3, REGS_CS(%rsp)
    orb $3, REGS_SS(%rsp)
    RESTORE_GPRS
    addq $16, %rsp           /* vector, error code */
crit_start:
    movb $0, arch_shared_info_page + VCPU_MASK(%rip)
    testb $0xff, arch_shared_info_page + VCPU_PENDING(%rip)
    jnz 2f
    iretq
2:  /* Something arrived while masked: mask again and run the upcall on
     * this very frame (Xen's layout needs [rcx, r11] on top). */
    movb $1, arch_shared_info_page + VCPU_MASK(%rip)
crit_end:
    pushq %r11
    pushq %rcx
    jmp upcall_frame

/*
 * Failsafe callback: Xen could not load our segment state on a return. A
 * unikernel never changes segment registers, so this is a bug: report.
 * Frame: rcx, r11, ds, es, fs, gs, then the iret frame.
 */
    .globl failsafe_entry
failsafe_entry:
    movq (%rsp), %rcx
    movq 8(%rsp), %r11
    addq $48, %rsp
    pushq $0
    pushq $-2                /* "vector" -2 marks the failsafe callback */
    jmp trap_common

/* ------------------------------------------------------------------ */

    .section .text.hypercall_page, "ax"
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc      /* Xen fills this page at build time */

    .section .bss.boot_stack, "aw", @nobits
    .balign 4096
    .globl boot_stack_guard
boot_stack_guard:
    .skip 4096               /* unmapped by arch_start: overflow faults */
    .globl boot_stack
boot_stack:
    .skip 65536
    .globl boot_stack_top
boot_stack_top:

    .section .bss.shared_info, "aw", @nobits
    .balign 4096
    .globl arch_shared_info_page
arch_shared_info_page:
    .skip 4096

    .section .note.GNU-stack, "", @progbits
