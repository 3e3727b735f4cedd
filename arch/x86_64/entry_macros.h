// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/entry_macros.h - assembler macros both boot modes' entry.S
 * share: the "Xen" ELF note frame (XEN_NOTE_BEGIN/END, payload between)
 * and saving/restoring the general registers into struct arch_regs's
 * layout (arch/x86_64/arch.h). Included by pv/entry.S and pvh/entry.S
 * only. Reference: xen/include/public/elfnote.h.
 */
#ifndef ARCH_X86_64_ENTRY_MACROS_H
#define ARCH_X86_64_ENTRY_MACROS_H

.macro XEN_NOTE_BEGIN type
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 2f - 1f
    .long 4f - 3f
    .long \type
1:  .asciz "Xen"
2:  .balign 4
3:
.endm
.macro XEN_NOTE_END
4:  .balign 4
    .popsection
.endm

.macro SAVE_GPRS
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %rcx
    pushq %rax
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro RESTORE_GPRS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rax
    popq %rcx
    popq %rdx
    popq %rsi
    popq %rdi
.endm

#endif /* ARCH_X86_64_ENTRY_MACROS_H */
