// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/pvh/entry.S - the PVH entry: the ELF notes, the 32-bit
 * PHYS32 entry that enters long mode, the raw hypercall trampoline, the
 * IDT exception stubs and the event-callback vector.
 *
 * Xen starts a PVH guest in 32-bit protected mode with paging off at
 * the XEN_ELFNOTE_PHYS32_ENTRY address, %ebx = hvm_start_info (guest-
 * physical), flat CS/DS. We load our GDT, identity-map the first 4 GiB
 * with 2 MiB pages (boot tables in .bss: enough to run C; pvh/mm.c then
 * builds the real, W^X tables), turn on PAE, long mode, NX (when the CPU
 * has it), SSE (CR4.OSFXSR/OSXMMEXCPT, CR0.MP, !CR0.EM: guest C code uses
 * xmm registers) and CR0.WP (read-only pages bind ring 0 too), then jump
 * to 64-bit code and pvh_start() in pvh/boot.c.
 * Exceptions come through interrupt gates: the CPU pushes [error code]
 * rip cs rflags rsp ss (no rcx/r11 pair as in PV) and clears IF; the
 * stubs build the same struct arch_regs as PV's. #PF, #DF, NMI and #MC
 * run on IST stacks, so a stack overflow into a guard page still gets a
 * report. The event callback vector (HVM_PARAM_CALLBACK_IRQ, vector
 * type: no LAPIC, no EOI; Xen re-injects while evtchn_upcall_pending is
 * set) masks vcpu_info like Xen does for PV, runs evtchn_do_upcall() with
 * the FPU state saved, unmasks and irets: IF=0 throughout, so there is
 * no critical region to fix up. Should it ever arrive while the kernel
 * has events masked, it returns with IF cleared in the interrupted frame
 * (the kernel's unmask delivers what is pending, then sets IF again).
 * The hypercall page is ours to have Xen fill (pvh/boot.c writes its
 * address to the MSR CPUID names); arch_hypercall() jumps into it,
 * except SCHEDOP_block, which becomes sti;hlt: Xen's HVM check for a
 * pending event honours RFLAGS.IF and the STI shadow, so the hypercall
 * issued with events off would sleep through one already pending,
 * while HLT is handled after the shadow ended.
 * Reference: xen/include/public/elfnote.h (PHYS32_ENTRY), arch-x86/hvm/
 * start_info.h, hvm/params.h (HVM_PARAM_CALLBACK_IRQ), Intel SDM vol. 3
 * ch. 6 (IDT, IST), ch. 9.8 (entering IA-32e mode).
 */
#ifndef __ASSEMBLY__
#define __ASSEMBLY__
#endif
#include <xen/elfnote.h>
#include <xen/xen.h>

#include "arch/x86_64/entry_macros.h"

#define VCPU_PENDING 0
#define VCPU_MASK 1
#define REGS_RFLAGS (19 * 8)
#define SCHEDOP_BLOCK_NR 1 /* xen/include/public/sched.h */

#define GDT_CODE64 0x08
#define GDT_DATA 0x10


    XEN_NOTE_BEGIN XEN_ELFNOTE_GUEST_OS
    .asciz "xenith"
    XEN_NOTE_END
    XEN_NOTE_BEGIN XEN_ELFNOTE_GUEST_VERSION
    .asciz "0.1"
    XEN_NOTE_END
    XEN_NOTE_BEGIN XEN_ELFNOTE_XEN_VERSION
    .asciz "xen-3.0"
    XEN_NOTE_END
    XEN_NOTE_BEGIN XEN_ELFNOTE_PHYS32_ENTRY
    .long _start
    XEN_NOTE_END

/* ------------------------------------------------------------------ */

    .section .text.entry, "ax"
    .code32
    .globl _start
_start:
    cld
    movl %ebx, pvh_start_info_pa
    lgdt pvh_gdt_ptr

    /* L4[0] -> L3; L3[0..3] -> four L2 tables; L2: 2048 x 2 MiB, RWX. */
    movl $(pvh_boot_l3 + 3), pvh_boot_l4
    movl $0, pvh_boot_l4 + 4
    movl $(pvh_boot_l2 + 3), %eax
    xorl %ecx, %ecx
1:  movl %eax, pvh_boot_l3(, %ecx, 8)
    movl $0, pvh_boot_l3 + 4(, %ecx, 8)
    addl $4096, %eax
    incl %ecx
    cmpl $4, %ecx
    jb 1b
    movl $0x83, %eax         /* present, writable, 2 MiB */
    xorl %ecx, %ecx
2:  movl %eax, pvh_boot_l2(, %ecx, 8)
    movl $0, pvh_boot_l2 + 4(, %ecx, 8)
    addl $0x200000, %eax
    incl %ecx
    cmpl $2048, %ecx
    jb 2b

    movl %cr4, %eax
    orl $0x620, %eax         /* PAE | OSFXSR | OSXMMEXCPT */
    movl %eax, %cr4
    movl $pvh_boot_l4, %eax
    movl %eax, %cr3

    movl $0x80000001, %eax
    cpuid
    movl %edx, %esi
    movl $0xc0000080, %ecx   /* EFER */
    rdmsr
    orl $0x100, %eax         /* LME */
    testl $(1 << 20), %esi
    jz 3f
    orl $0x800, %eax         /* NXE */
3:  wrmsr

    movl %cr0, %eax
    andl $~0x4, %eax         /* !EM */
    orl $0x80010023, %eax    /* PG | WP | NE | MP | PE */
    movl %eax, %cr0
    ljmp $GDT_CODE64, $long_mode

    .code64
long_mode:
    movl $GDT_DATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    movl pvh_start_info_pa(%rip), %edi
    call pvh_start           /* pvh/boot.c; never returns */
4:  hlt
    jmp 4b

/*
 * long arch_hypercall(unsigned nr, a1, a2, a3, a4, a5): as PV's, into
 * the hypercall page; sched_op(SCHEDOP_block) is sti;hlt (file comment).
 */
    .globl arch_hypercall
    .type arch_hypercall, @function
arch_hypercall:
    cmpl $(4096 / 32), %edi
    jae 1f
    cmpl $__HYPERVISOR_sched_op, %edi
    jne 2f
    cmpq $SCHEDOP_BLOCK_NR, %rsi
    je pvh_block
2:  movl %edi, %eax
    shlq $5, %rax
    leaq hypercall_page(%rip), %r11
    addq %r11, %rax
    movq %rsi, %rdi
    movq %rdx, %rsi
    movq %rcx, %rdx
    movq %r8, %r10
    movq %r9, %r8
    jmp *%rax
1:  movq $-38, %rax
    ret
pvh_block:
    /* As PV's SCHEDOP_block: unmask, sleep until an event, return with
     * events enabled. The upcall runs on the vector before hlt returns. */
    movb $0, arch_shared_info_page + VCPU_MASK(%rip)
    sti
    hlt
    xorl %eax, %eax
    ret
    .size arch_hypercall, . - arch_hypercall

/* ------------------------------------------------------------------ */
/* Exceptions                                                          */

.macro TRAP_NOERR name, vec
    .globl \name
\name:
    pushq $0
    pushq $\vec
    jmp trap_common
.endm

.macro TRAP_ERR name, vec
    .globl \name
\name:
    pushq $\vec
    jmp trap_common
.endm


    .section .text.traps, "ax"
    TRAP_NOERR pvh_trap0, 0
    TRAP_NOERR pvh_trap1, 1
    TRAP_NOERR pvh_trap2, 2
    TRAP_NOERR pvh_trap3, 3
    TRAP_NOERR pvh_trap4, 4
    TRAP_NOERR pvh_trap5, 5
    TRAP_NOERR pvh_trap6, 6
    TRAP_NOERR pvh_trap7, 7
    TRAP_ERR pvh_trap8, 8
    TRAP_NOERR pvh_trap9, 9
    TRAP_ERR pvh_trap10, 10
    TRAP_ERR pvh_trap11, 11
    TRAP_ERR pvh_trap12, 12
    TRAP_ERR pvh_trap13, 13
    TRAP_ERR pvh_trap14, 14
    TRAP_NOERR pvh_trap15, 15
    TRAP_NOERR pvh_trap16, 16
    TRAP_ERR pvh_trap17, 17
    TRAP_NOERR pvh_trap18, 18
    TRAP_NOERR pvh_trap19, 19
    TRAP_NOERR pvh_trap20, 20
    TRAP_ERR pvh_trap21, 21

trap_common:
    SAVE_GPRS
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    xorl %ebp, %ebp
    call trap_handle         /* reports and crashes the domain, or */
    /* returns from a debugger stop (#BP/#DB, arch/x86_64/gdb.c): leave
     * through the frame as the debugger left it (rip, TF). */
    movq %rbx, %rsp
    RESTORE_GPRS
    addq $16, %rsp           /* vector, error code */
    iretq

/* The event callback vector (HVM_PARAM_CALLBACK_IRQ, vector type). */
    .globl pvh_upcall
pvh_upcall:
    pushq $0
    pushq $-1                /* "vector" -1 marks an upcall frame */
    SAVE_GPRS
    testb $0xff, arch_shared_info_page + VCPU_MASK(%rip)
    jnz 6f
    movb $1, arch_shared_info_page + VCPU_MASK(%rip)
    movq %rsp, %rbx
    andq $-16, %rsp
    subq $512, %rsp
    fxsave (%rsp)
    movq %rbx, %rdi
    xorl %ebp, %ebp
    call evtchn_do_upcall
    fxrstor (%rsp)
    movq %rbx, %rsp
    movb $0, arch_shared_info_page + VCPU_MASK(%rip)
    jmp 7f
6:  /* Masked by the kernel: leave IF clear until it unmasks. */
    andq $~0x200, REGS_RFLAGS(%rsp)
7:  RESTORE_GPRS
    addq $16, %rsp
    iretq

/* ------------------------------------------------------------------ */

    .section .text.hypercall_page, "ax"
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc      /* Xen fills it when pvh_start asks */

    .data
    .balign 16
    .globl pvh_gdt
pvh_gdt:
    .quad 0
    .quad 0x00af9a000000ffff /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff /* 0x10: data */
    .quad 0x00cf9a000000ffff /* 0x18: 32-bit code */
    .quad 0, 0               /* 0x20: TSS, filled by pvh/setup.c */
pvh_gdt_end:
    .balign 8
    .globl pvh_gdt_ptr
pvh_gdt_ptr:
    .word pvh_gdt_end - pvh_gdt - 1
    .quad pvh_gdt
pvh_start_info_pa:
    .long 0

    .section .bss.pvh_boot_pt, "aw", @nobits
    .balign 4096
pvh_boot_l4:
    .skip 4096
pvh_boot_l3:
    .skip 4096
pvh_boot_l2:
    .skip 4 * 4096

    .section .bss.boot_stack, "aw", @nobits
    .balign 4096
    .globl boot_stack_guard
boot_stack_guard:
    .skip 4096               /* unmapped by pvh/mm.c: overflow faults */
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
