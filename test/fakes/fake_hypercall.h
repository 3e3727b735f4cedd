// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_hypercall.h - a recording stand-in for Xen.
 *
 * Host tests link fake_hypercall.c instead of xen/hypercall.c. Every
 * wrapper records its arguments in the global fake_hc and returns a
 * result the test chose, and EVTCHNOP_* allocate ports the way Xen would.
 * SCHEDOP_block calls a test hook so a test can "let time pass" or raise
 * events while the guest is blocked.
 */
#ifndef TEST_FAKES_FAKE_HYPERCALL_H
#define TEST_FAKES_FAKE_HYPERCALL_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

#define FAKE_HC_LOG 64

struct fake_hc_state {
    /* event_channel_op */
    unsigned int evtchn_calls;
    int evtchn_cmds[FAKE_HC_LOG]; /* first FAKE_HC_LOG commands */
    int evtchn_rc;                /* returned by every call when != 0 */
    evtchn_port_t next_port;      /* handed out by bind/alloc ops */
    evtchn_port_t last_send, last_close;
    uint32_t last_virq;
    domid_t last_remote_dom;
    evtchn_port_t last_remote_port;
    /* set_timer_op */
    unsigned int timer_calls;
    uint64_t timer_deadline;
    /* set_segment_base */
    unsigned int segbase_calls;
    unsigned int segbase_which;
    uint64_t segbase_value;
    /* sched_op */
    unsigned int block_calls, yield_calls, shutdown_calls;
    unsigned int shutdown_reason;
    void (*on_block)(void *arg);
    void *on_block_arg;
    /* console_io: the last bytes written to Xen's emergency console */
    unsigned int console_io_calls;
    char console_io_buf[256];
    unsigned int console_io_len;
};

extern struct fake_hc_state fake_hc;

/* Zero the state; ports start at 1 (port 0 is never valid in Xen). */
void fake_hypercall_reset(void);

#endif /* TEST_FAKES_FAKE_HYPERCALL_H */
