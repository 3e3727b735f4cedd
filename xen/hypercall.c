// SPDX-License-Identifier: MIT
/*
 * xen/hypercall.c - the guest implementation of xen/hypercall.h.
 *
 * Each wrapper marshals its typed arguments for arch_hypercall(), the one
 * raw trampoline into the hypercall page (arch/x86_64/entry.S). Keeping
 * them out of line is deliberate: it is the seam host tests replace, and
 * an argument struct built here lives in this frame, never in a red zone
 * that an event upcall could overwrite (guest code has no red zone).
 * Reference: xen/include/public/xen.h, sched.h, event_channel.h.
 */
#include "hypercall.h"

#include "../arch/x86_64/arch.h"

#define HC(nr, a1, a2, a3, a4, a5)                                             \
    ((int)arch_hypercall((nr), (unsigned long)(a1), (unsigned long)(a2),       \
                         (unsigned long)(a3), (unsigned long)(a4),             \
                         (unsigned long)(a5)))

int hypercall_sched_op_yield(void)
{
    return HC(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
}

int hypercall_sched_op_block(void)
{
    return HC(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0);
}

int hypercall_sched_op_poll(evtchn_port_t *ports, unsigned int nr,
                            uint64_t timeout_ns)
{
    struct sched_poll poll = {.nr_ports = nr, .timeout = timeout_ns};

    set_xen_guest_handle(poll.ports, ports);
    return HC(__HYPERVISOR_sched_op, SCHEDOP_poll, &poll, 0, 0, 0);
}

int hypercall_sched_op_shutdown(unsigned int reason)
{
    struct sched_shutdown sd = {.reason = reason};

    return HC(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &sd, 0, 0, 0);
}

int hypercall_sched_op_suspend(unsigned long start_info_mfn)
{
    struct sched_shutdown sd = {.reason = SHUTDOWN_suspend};

    return HC(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &sd, start_info_mfn, 0,
              0);
}

int hypercall_set_timer_op(uint64_t ns)
{
    return HC(__HYPERVISOR_set_timer_op, ns, 0, 0, 0, 0);
}

int hypercall_event_channel_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

int hypercall_console_io(int cmd, unsigned int count, char *buf)
{
    return HC(__HYPERVISOR_console_io, cmd, count, buf, 0, 0);
}

int hypercall_xen_version(int cmd, void *arg)
{
    return HC(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0);
}

int hypercall_mmu_update(mmu_update_t *req, unsigned int count,
                         unsigned int *done, domid_t dom)
{
    return HC(__HYPERVISOR_mmu_update, req, count, done, dom, 0);
}

int hypercall_mmuext_op(struct mmuext_op *op, unsigned int count,
                        unsigned int *done, domid_t dom)
{
    return HC(__HYPERVISOR_mmuext_op, op, count, done, dom, 0);
}

int hypercall_update_va_mapping(unsigned long va, uint64_t pte,
                                unsigned long flags)
{
    return HC(__HYPERVISOR_update_va_mapping, va, pte, flags, 0, 0);
}

int hypercall_memory_op(unsigned int cmd, void *arg)
{
    return HC(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
}

int hypercall_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
    return HC(__HYPERVISOR_grant_table_op, cmd, uop, count, 0, 0);
}

int hypercall_set_trap_table(const trap_info_t *table)
{
    return HC(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0);
}

int hypercall_callback_op(int cmd, const void *arg)
{
    return HC(__HYPERVISOR_callback_op, cmd, arg, 0, 0, 0);
}

int hypercall_set_segment_base(unsigned int which, unsigned long base)
{
    return HC(__HYPERVISOR_set_segment_base, which, base, 0, 0, 0);
}

int hypercall_stack_switch(unsigned long ss, unsigned long sp)
{
    return HC(__HYPERVISOR_stack_switch, ss, sp, 0, 0, 0);
}

int hypercall_fpu_taskswitch(int set)
{
    return HC(__HYPERVISOR_fpu_taskswitch, set, 0, 0, 0, 0);
}

int hypercall_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return HC(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0);
}
