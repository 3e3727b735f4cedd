// SPDX-License-Identifier: MIT
/*
 * xen/hypercall.h - typed, out-of-line hypercall wrappers.
 *
 * Every hypercall the kernel makes goes through one of these ordinary
 * functions, so host unit tests link test/fakes/fake_hypercall.c instead
 * of xen/hypercall.c and play the hypervisor. Names are
 * hypercall_<op>[_<cmd>]; results are Xen's (0 or positive on success,
 * -errno on failure). Design choice: the common sub-commands get their
 * own typed function (sched_op yield/block/poll/shutdown); the rest take
 * the command and a typed or opaque argument, as in Xen's interface.
 * Drivers never include this header: they use evtchn/gnttab/xenstore.
 * Reference: xen/include/public/xen.h and the headers named per call.
 */
#ifndef XEN_HYPERCALL_H
#define XEN_HYPERCALL_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

/* ---- scheduling (sched.h) ---- */
int hypercall_sched_op_yield(void);
/* Block until an event is pending; events must be enabled to wake up. */
int hypercall_sched_op_block(void);
/* Block until one of ports is pending or timeout_ns (absolute system time,
 * 0 = none) passes. */
int hypercall_sched_op_poll(evtchn_port_t *ports, unsigned int nr,
                            uint64_t timeout_ns);
/* reason: SHUTDOWN_poweroff, _reboot, _suspend, _crash. */
int hypercall_sched_op_shutdown(unsigned int reason);
/*
 * SCHEDOP_shutdown(SHUTDOWN_suspend) with the PV save protocol's third
 * argument, the MFN of our start_info. Returns 0 when the domain was
 * saved and has now been restored (a new domain: everything external is
 * new), 1 when the suspend was cancelled (the same domain goes on: xl
 * save -c, a failed save), or -errno.
 */
int hypercall_sched_op_suspend(unsigned long start_info_mfn);

/* One-shot timer at absolute system time ns (0 cancels). */
int hypercall_set_timer_op(uint64_t ns);

/* ---- events, console, version ---- */
int hypercall_event_channel_op(int cmd, void *arg);
/* CONSOLEIO_write / CONSOLEIO_read on Xen's own console (dom0/debug). */
int hypercall_console_io(int cmd, unsigned int count, char *buf);
int hypercall_xen_version(int cmd, void *arg);

/* ---- memory ---- */
int hypercall_mmu_update(mmu_update_t *req, unsigned int count,
                         unsigned int *done, domid_t dom);
int hypercall_mmuext_op(struct mmuext_op *op, unsigned int count,
                        unsigned int *done, domid_t dom);
int hypercall_update_va_mapping(unsigned long va, uint64_t pte,
                                unsigned long flags);
int hypercall_memory_op(unsigned int cmd, void *arg);
int hypercall_grant_table_op(unsigned int cmd, void *uop, unsigned int count);

/* ---- CPU state ---- */
int hypercall_set_trap_table(const trap_info_t *table);
int hypercall_callback_op(int cmd, const void *arg);
int hypercall_set_segment_base(unsigned int which, unsigned long base);
int hypercall_stack_switch(unsigned long ss, unsigned long sp);
int hypercall_fpu_taskswitch(int set);
int hypercall_vcpu_op(int cmd, unsigned int vcpu, void *arg);

#endif /* XEN_HYPERCALL_H */
