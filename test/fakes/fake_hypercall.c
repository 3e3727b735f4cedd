// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_hypercall.c - recording fake of xen/hypercall.h.
 *
 * Design: one global state struct the tests inspect and steer (see
 * fake_hypercall.h). Only the wrappers the kernel services use are
 * implemented; a link error names any new one a module starts to need.
 */
#include "fake_hypercall.h"

#include <errno.h>
#include <string.h>

#include "xen/hypercall.h"

struct fake_hc_state fake_hc;

void fake_hypercall_reset(void)
{
    memset(&fake_hc, 0, sizeof(fake_hc));
    fake_hc.next_port = 1;
}

int hypercall_event_channel_op(int cmd, void *arg)
{
    if (fake_hc.evtchn_calls < FAKE_HC_LOG)
        fake_hc.evtchn_cmds[fake_hc.evtchn_calls] = cmd;
    fake_hc.evtchn_calls++;
    if (fake_hc.evtchn_rc)
        return fake_hc.evtchn_rc;
    switch (cmd) {
    case EVTCHNOP_bind_virq: {
        struct evtchn_bind_virq *op = arg;
        fake_hc.last_virq = op->virq;
        op->port = fake_hc.next_port++;
        return 0;
    }
    case EVTCHNOP_alloc_unbound: {
        struct evtchn_alloc_unbound *op = arg;
        if (op->dom != DOMID_SELF)
            return -EPERM;
        fake_hc.last_remote_dom = op->remote_dom;
        op->port = fake_hc.next_port++;
        return 0;
    }
    case EVTCHNOP_bind_interdomain: {
        struct evtchn_bind_interdomain *op = arg;
        fake_hc.last_remote_dom = op->remote_dom;
        fake_hc.last_remote_port = op->remote_port;
        op->local_port = fake_hc.next_port++;
        return 0;
    }
    case EVTCHNOP_send:
        fake_hc.last_send = ((struct evtchn_send *)arg)->port;
        return 0;
    case EVTCHNOP_close:
        fake_hc.last_close = ((struct evtchn_close *)arg)->port;
        return 0;
    default:
        return -ENOSYS;
    }
}

int hypercall_set_timer_op(uint64_t timeout_ns)
{
    fake_hc.timer_calls++;
    fake_hc.timer_deadline = timeout_ns;
    return 0;
}

int hypercall_set_segment_base(unsigned int which, uint64_t base)
{
    /* Recorded only: the host's own %fs belongs to glibc. */
    fake_hc.segbase_calls++;
    fake_hc.segbase_which = which;
    fake_hc.segbase_value = base;
    return 0;
}

int hypercall_sched_op_block(void)
{
    fake_hc.block_calls++;
    if (fake_hc.on_block)
        fake_hc.on_block(fake_hc.on_block_arg);
    return 0;
}

int hypercall_sched_op_yield(void)
{
    fake_hc.yield_calls++;
    return 0;
}

int hypercall_sched_op_shutdown(unsigned int reason)
{
    fake_hc.shutdown_calls++;
    fake_hc.shutdown_reason = reason;
    return 0;
}

int hypercall_console_io(int cmd, unsigned int count, char *buf)
{
    fake_hc.console_io_calls++;
    if (cmd != CONSOLEIO_write)
        return -ENOSYS;
    if (count > sizeof(fake_hc.console_io_buf))
        count = sizeof(fake_hc.console_io_buf);
    memcpy(fake_hc.console_io_buf, buf, count);
    fake_hc.console_io_len = count;
    return 0;
}
