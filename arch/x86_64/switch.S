// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/switch.S - cooperative context switch and thread trampoline.
 *
 * arch_ctx_switch(from, to) pushes the SysV callee-saved registers on the
 * current stack, fxsaves into from, parks rsp in from, installs to's FS
 * base (arch_set_fs_base(): a hypercall on PV, a wrmsr on PVH; only when
 * it differs), then loads to's rsp,
 * fxrstors and pops. A fresh context (arch_ctx_init) has a fake frame
 * whose return address is arch_ctx_trampoline, which calls entry(arg)
 * with the ABI's stack alignment. Reference: System V AMD64 ABI 3.2.
 */
#include "arch/x86_64/ctx.h"

    .text

/* void arch_ctx_switch(struct arch_ctx *from (rdi), struct arch_ctx *to (rsi)) */
    .globl arch_ctx_switch
    .type arch_ctx_switch, @function
arch_ctx_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    fxsave64 ARCH_CTX_FXSAVE(%rdi)
    movq %rsp, ARCH_CTX_RSP(%rdi)

    movq ARCH_CTX_FS_BASE(%rsi), %rax
    cmpq ARCH_CTX_FS_BASE(%rdi), %rax
    je 1f
    /*
     * Different TLS: arch_set_fs_base(). rbx/r12 are already saved on this stack, so
     * they can carry from/to across the call. Entry rsp was 8 mod 16;
     * six pushes keep it 8 mod 16, so one more 8 aligns the call.
     */
    movq %rdi, %rbx
    movq %rsi, %r12
    subq $8, %rsp
    movq %rax, %rdi
    call arch_set_fs_base
    addq $8, %rsp
    movq %rbx, %rdi
    movq %r12, %rsi
1:
    movq ARCH_CTX_RSP(%rsi), %rsp
    fxrstor64 ARCH_CTX_FXSAVE(%rsi)
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size arch_ctx_switch, . - arch_ctx_switch

/*
 * First code of a new thread, reached by arch_ctx_switch's ret with
 * r12 = arg, r13 = entry and rsp 16-byte aligned.
 */
    .globl arch_ctx_trampoline
    .type arch_ctx_trampoline, @function
arch_ctx_trampoline:
    movq %r12, %rdi
    call *%r13
    ud2 /* entry returned: a scheduler bug */
    .size arch_ctx_trampoline, . - arch_ctx_trampoline

/* void arch_ctx_init(ctx (rdi), stack_top (rsi), entry (rdx), arg (rcx)) */
    .globl arch_ctx_init
    .type arch_ctx_init, @function
arch_ctx_init:
    andq $-16, %rsi
    /* A zero return address above the first frame ends backtraces. */
    movq $0, -8(%rsi)
    movq $0, -16(%rsi)
    /*
     * Frame popped by arch_ctx_switch, lowest address first:
     * r15 r14 r13 r12 rbx rbp ret. After ret, rsp = stack_top - 16,
     * 16-aligned, so the trampoline's call gives entry rsp = 8 mod 16.
     */
    leaq arch_ctx_trampoline(%rip), %rax
    movq %rax, -24(%rsi)    /* ret */
    movq $0, -32(%rsi)      /* rbp */
    movq $0, -40(%rsi)      /* rbx */
    movq %rcx, -48(%rsi)    /* r12 = arg */
    movq %rdx, -56(%rsi)    /* r13 = entry */
    movq $0, -64(%rsi)      /* r14 */
    movq $0, -72(%rsi)      /* r15 */
    leaq -72(%rsi), %rax
    movq %rax, ARCH_CTX_RSP(%rdi)
    movq $0, ARCH_CTX_FS_BASE(%rdi)

    /* Clean FPU image: zero, then FCW and MXCSR power-on defaults. */
    leaq ARCH_CTX_FXSAVE(%rdi), %rdx
    xorl %eax, %eax
    movl $(ARCH_CTX_FXSAVE_SIZE / 8), %ecx
2:  movq %rax, (%rdx)
    addq $8, %rdx
    decl %ecx
    jnz 2b
    movw $0x037f, ARCH_CTX_FXSAVE + 0(%rdi)   /* FCW */
    movl $0x1f80, ARCH_CTX_FXSAVE + 24(%rdi)  /* MXCSR */
    ret
    .size arch_ctx_init, . - arch_ctx_init

    .section .note.GNU-stack, "", @progbits
