// SPDX-License-Identifier: MIT
/*
 * tools/gdbstub/rsp.h - gdb's remote serial protocol, the target-neutral
 * half of xenith's dom0 gdb stub: packet framing, the commands gdb sends
 * (registers, memory, software breakpoints, continue/step, stop replies)
 * over a small target interface. rsp.c is pure (no I/O, no libxenctrl)
 * and host-tested (test/unit/gdbstub/); xcback.c is the Xen target.
 *
 * Design choice: software breakpoints live here, not in the target: Z0
 * saves the byte and writes int3 through the target's memory access, a
 * stop on #BP at a known breakpoint moves rip back onto it and reports
 * "swbreak" (so gdb does not adjust the pc itself), and memory reads show
 * the saved bytes, never our int3s. Reference: the GDB manual, "Remote
 * Protocol" (Packets, Stop Reply Packets, General Query Packets).
 */
#ifndef TOOLS_GDBSTUB_RSP_H
#define TOOLS_GDBSTUB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../arch/x86_64/gdb_mbox.h"

#define RSP_MAX_BPS    64
#define RSP_PACKET_MAX 4096 /* what we announce as PacketSize */

enum rsp_stop_kind { RSP_STOP_SIGNAL, RSP_STOP_EXITED };

struct rsp_stop {
    enum rsp_stop_kind kind;
    int sig;      /* RSP_STOP_SIGNAL: gdb signal number */
    int vector;   /* x86 vector of the trap, -1 if none (pause) */
    int code;     /* RSP_STOP_EXITED: exit code */
    bool swbreak; /* set by rsp: stopped on one of our breakpoints */
};

/* What the stub needs from a target; 0 or -errno. */
struct rsp_target_ops {
    int (*read_mem)(void *t, uint64_t addr, void *buf, size_t len);
    int (*write_mem)(void *t, uint64_t addr, const void *buf, size_t len);
    int (*get_regs)(void *t, uint64_t regs[XN_GDB_NREGS]);
    int (*set_regs)(void *t, const uint64_t regs[XN_GDB_NREGS]);
    /* Let the target run (step: one instruction). */
    int (*resume)(void *t, bool step);
    /* While running: 1 and *stop when it stopped, 0 still running. */
    int (*poll_stop)(void *t, struct rsp_stop *stop);
    /* Stop a running target (gdb's Ctrl-C); a stop follows in poll. */
    int (*interrupt)(void *t);
    /* Let it run on without us (breakpoints already removed). */
    int (*detach)(void *t);
};

struct rsp_bp {
    uint64_t addr;
    uint8_t orig;
    bool used;
};

struct rsp {
    const struct rsp_target_ops *ops;
    void *target;
    /* Bytes to gdb (a packet, an ack). */
    void (*send)(void *arg, const void *data, size_t len);
    void *send_arg;
    struct rsp_bp bps[RSP_MAX_BPS];
    struct rsp_stop last;
    bool running, done, killed;
    /* framing state */
    char pkt[RSP_PACKET_MAX + 4];
    size_t pkt_len;
    int phase; /* 0 idle, 1 in packet, 2/3 checksum digits */
    uint8_t sum, want;
};

/* initial: how the target is when gdb connects (paused, crashed...). */
void rsp_init(struct rsp *r, const struct rsp_target_ops *ops, void *target,
              void (*send)(void *, const void *, size_t), void *send_arg,
              const struct rsp_stop *initial);

/* Bytes from gdb: acks, packets, 0x03 (interrupt). Replies go to send. */
void rsp_feed(struct rsp *r, const void *data, size_t len);

/* While running: ask the target, report a stop to gdb. Returns true when
 * it reported one. */
bool rsp_poll(struct rsp *r);

/* One packet's payload -> the reply payload written into out (cap
 * bytes); returns its length, or -1 for "no reply now" (the target was
 * resumed; the stop reply comes from rsp_poll). Exposed for tests. */
int rsp_handle(struct rsp *r, const char *pkt, size_t len, char *out,
               size_t cap);

/* Remove every breakpoint from target memory (detach, exit). */
void rsp_clear_breakpoints(struct rsp *r);

#endif /* TOOLS_GDBSTUB_RSP_H */
