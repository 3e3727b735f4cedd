// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/gdb.c - the guest's half of the gdb stub: the debugger
 * mailbox (gdb_mbox.h) and the trap-side park loop.
 *
 * Design choice: everything the debugger needs that Xen gives a dom0
 * tool anyway (pause, registers of a paused vCPU, guest memory) stays
 * in the dom0 stub; the guest only parks at #BP/#DB (and shows a fatal
 * fault's frame before crashing), because Debian's Xen has no gdbsx to
 * turn those traps into debugger stops. The park loop yields to Xen:
 * the stub in dom0 needs the CPU (one vCPU under TCG is common here).
 * Limits: one vCPU (xenith runs on vCPU 0 only); a breakpoint in event
 * (upcall) code hit while another stop is being served is not supported.
 * Reference: Intel SDM vol. 3 ch. 17.3 (TF, #DB), xen/include/public/
 * sched.h (SCHEDOP_yield).
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "gdb_mbox.h"

#include <xen/sched.h>
#include <xen/xen.h>

#define RFLAGS_TF 0x100ULL

/* In .data (initialised), never cleared at boot: the stub may write it
 * before the guest's first instruction. Aligned so that it never spans
 * two pages (the stub maps one). */
struct xn_gdb_mbox xn_gdb_mbox __attribute__((used, aligned(256))) = {
    .magic = XN_GDB_MAGIC,
    .version = XN_GDB_VERSION,
};

static void barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

static void save(struct xn_gdb_mbox *m, const struct arch_regs *r,
                 uint64_t cr2)
{
    const uint64_t v[XN_GDB_NREGS] = {
        [XN_GDB_RAX] = r->rax, [XN_GDB_RBX] = r->rbx, [XN_GDB_RCX] = r->rcx,
        [XN_GDB_RDX] = r->rdx, [XN_GDB_RSI] = r->rsi, [XN_GDB_RDI] = r->rdi,
        [XN_GDB_RBP] = r->rbp, [XN_GDB_RSP] = r->rsp, [XN_GDB_R8] = r->r8,
        [XN_GDB_R9] = r->r9,   [XN_GDB_R10] = r->r10, [XN_GDB_R11] = r->r11,
        [XN_GDB_R12] = r->r12, [XN_GDB_R13] = r->r13, [XN_GDB_R14] = r->r14,
        [XN_GDB_R15] = r->r15, [XN_GDB_RIP] = r->rip,
        [XN_GDB_EFLAGS] = r->rflags, [XN_GDB_CS] = r->cs, [XN_GDB_SS] = r->ss,
    };

    for (unsigned int i = 0; i < XN_GDB_NREGS; i++)
        m->regs[i] = v[i];
    m->vector = r->vector;
    m->error_code = r->error_code;
    m->cr2 = cr2;
}

/* The stub may have edited any register but the segments. */
static void load(const struct xn_gdb_mbox *m, struct arch_regs *r)
{
    r->rax = m->regs[XN_GDB_RAX];
    r->rbx = m->regs[XN_GDB_RBX];
    r->rcx = m->regs[XN_GDB_RCX];
    r->rdx = m->regs[XN_GDB_RDX];
    r->rsi = m->regs[XN_GDB_RSI];
    r->rdi = m->regs[XN_GDB_RDI];
    r->rbp = m->regs[XN_GDB_RBP];
    r->rsp = m->regs[XN_GDB_RSP];
    r->r8 = m->regs[XN_GDB_R8];
    r->r9 = m->regs[XN_GDB_R9];
    r->r10 = m->regs[XN_GDB_R10];
    r->r11 = m->regs[XN_GDB_R11];
    r->r12 = m->regs[XN_GDB_R12];
    r->r13 = m->regs[XN_GDB_R13];
    r->r14 = m->regs[XN_GDB_R14];
    r->r15 = m->regs[XN_GDB_R15];
    r->rip = m->regs[XN_GDB_RIP];
    r->rflags = m->regs[XN_GDB_EFLAGS];
}

bool arch_gdb_trap(struct arch_regs *r, uint64_t cr2)
{
    struct xn_gdb_mbox *m = &xn_gdb_mbox;
    bool debug_trap = r->vector == 1 || r->vector == 3;

    if (!m->attached) {
        if (!debug_trap) { /* for a stub attached after the crash */
            save(m, r, cr2);
            barrier();
            m->state = XN_GDB_CRASHED;
        }
        return false;
    }
    save(m, r, cr2);
    barrier();
    m->stops++;
    m->state = XN_GDB_STOPPED;
    while (m->state == XN_GDB_STOPPED)
        arch_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
    barrier();
    if (!debug_trap) { /* a fault would only fault again: crash */
        m->state = XN_GDB_CRASHED;
        return false;
    }
    if (!m->attached) /* the debugger detached: no step */
        m->step = 0;
    load(m, r);
    if (m->step)
        r->rflags |= RFLAGS_TF;
    else
        r->rflags &= ~RFLAGS_TF;
    m->state = XN_GDB_RUNNING;
    return true;
}
