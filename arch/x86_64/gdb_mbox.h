// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/gdb_mbox.h - the debugger mailbox: one structure in guest
 * memory (symbol xn_gdb_mbox) shared by the guest's trap handler
 * (arch/x86_64/gdb.c) and the dom0 gdb stub (tools/gdbstub/), which maps
 * it with libxenctrl. Plain C types only: the stub includes this header
 * on the host.
 *
 * Design choice: the stub stops a running guest with xc_domain_pause and
 * reads its registers with xc_vcpu_getcontext; what needs the guest is
 * what Xen cannot do for a PV guest without gdbsx - stopping at a
 * breakpoint or after one instruction. When `attached` is set, #BP and
 * #DB park the trapping vCPU in its handler: the handler copies the
 * frame here, sets STOPPED and yields to Xen until the stub sets RESUME,
 * then returns through the frame as the stub left it (registers edited,
 * TF set when `step`). A fatal fault parks the same way (the debugger
 * sees the faulting frame) and then crashes as usual. Unattached, a
 * fatal fault still records its frame (state CRASHED) before the crash
 * report, so a stub attached to a domain kept by on_crash="preserve"
 * shows where it faulted. The structure lives in .data with a magic, so
 * the stub can check it found the right thing and the guest's boot does
 * not clear what the stub wrote before the first instruction.
 */
#ifndef ARCH_X86_64_GDB_MBOX_H
#define ARCH_X86_64_GDB_MBOX_H

#include <stdint.h>

#define XN_GDB_MAGIC   0x78656e2d67646231ULL /* "xen-gdb1" */
#define XN_GDB_VERSION 1

enum xn_gdb_state {
    XN_GDB_RUNNING = 0, /* guest runs (or was never stopped) */
    XN_GDB_STOPPED = 1, /* guest parked in a trap; regs valid */
    XN_GDB_RESUME = 2,  /* stub: leave the trap with regs as they are */
    XN_GDB_CRASHED = 3, /* a fatal fault's frame is in regs; no return */
};

/* gdb's amd64 register order (the 'g' packet): rax rbx rcx rdx rsi rdi
 * rbp rsp r8..r15 rip eflags cs ss. */
enum {
    XN_GDB_RAX, XN_GDB_RBX, XN_GDB_RCX, XN_GDB_RDX, XN_GDB_RSI, XN_GDB_RDI,
    XN_GDB_RBP, XN_GDB_RSP, XN_GDB_R8, XN_GDB_R9, XN_GDB_R10, XN_GDB_R11,
    XN_GDB_R12, XN_GDB_R13, XN_GDB_R14, XN_GDB_R15, XN_GDB_RIP,
    XN_GDB_EFLAGS, XN_GDB_CS, XN_GDB_SS, XN_GDB_NREGS
};

struct xn_gdb_mbox {
    uint64_t magic;
    uint32_t version;
    volatile uint32_t attached; /* stub: park on #BP/#DB and faults */
    volatile uint32_t state;    /* enum xn_gdb_state */
    volatile uint32_t step;     /* stub: one instruction, then #DB */
    volatile int64_t vector;    /* trap vector of the stop */
    volatile uint64_t error_code, cr2;
    volatile uint64_t stops;    /* bumped on every park (the stub's edge) */
    volatile uint64_t regs[XN_GDB_NREGS];
};

#endif /* ARCH_X86_64_GDB_MBOX_H */
