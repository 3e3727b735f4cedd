// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/ctx.h - thread context for cooperative switching.
 *
 * A context is what must survive a voluntary switch under the SysV x86_64
 * ABI: the callee-saved registers (pushed on the thread's own stack, so
 * only rsp is stored here), the FS base (per-thread TLS pointer) and the
 * x87/SSE state (fxsave image; newlib's malloc, printf and strtod use
 * xmm registers, and MXCSR/x87 control words are callee-saved too).
 * Design choice: the switch is one assembly routine that is also correct
 * on the host, so the scheduler can be unit-tested there; the FS base is
 * changed through arch_set_fs_base() only when it differs (a hypercall
 * on PV, which cannot write the MSR itself; a wrmsr on PVH). References:
 * System V AMD64 ABI 3.2 (register roles, 16-byte stack alignment at
 * calls), Intel SDM vol. 2 FXSAVE, xen/include/public/arch-x86/
 * xen-x86_64.h (SEGBASE_FS).
 */
#ifndef ARCH_X86_64_CTX_H
#define ARCH_X86_64_CTX_H

/* Offsets shared with switch.S. */
#define ARCH_CTX_RSP 0
#define ARCH_CTX_FS_BASE 8
#define ARCH_CTX_FXSAVE 16
#define ARCH_CTX_FXSAVE_SIZE 512

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

struct arch_ctx {
    uint64_t rsp;     /* saved stack pointer; callee-saved regs are on it */
    uint64_t fs_base; /* TLS pointer, installed on switch-in */
    uint8_t fxsave[ARCH_CTX_FXSAVE_SIZE] __attribute__((aligned(16)));
} __attribute__((aligned(16)));

_Static_assert(offsetof(struct arch_ctx, rsp) == ARCH_CTX_RSP, "ctx rsp");
_Static_assert(offsetof(struct arch_ctx, fs_base) == ARCH_CTX_FS_BASE,
               "ctx fs");
_Static_assert(offsetof(struct arch_ctx, fxsave) == ARCH_CTX_FXSAVE,
               "ctx fxsave");

/*
 * Prepare ctx so that the first arch_ctx_switch() to it calls
 * entry(arg) on the stack ending at stack_top, with the stack aligned as
 * at any function entry (rsp + 8 a multiple of 16) and rbp = 0 to end
 * backtraces. entry must never return (the trampoline traps with ud2 if
 * it does). The FPU state starts at the power-on defaults (FCW 0x37f,
 * MXCSR 0x1f80); fs_base starts at 0 and the caller may set it.
 */
void arch_ctx_init(struct arch_ctx *ctx, void *stack_top,
                   void (*entry)(void *), void *arg);

/*
 * Save the current thread into from and resume to. Returns (in from's
 * thread) when something switches back to from. from == to is allowed.
 * Events need not be masked: nothing here touches shared state.
 */
void arch_ctx_switch(struct arch_ctx *from, struct arch_ctx *to);

#endif /* __ASSEMBLER__ */

#endif /* ARCH_X86_64_CTX_H */
