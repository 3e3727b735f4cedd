// SPDX-License-Identifier: MIT
/*
 * kernel/suspend.h - the guest side of SCHEDOP_shutdown(SHUTDOWN_suspend)
 * for PV: what xl save / xl restore (and xl save -c, a cancelled suspend)
 * need from the domain.
 *
 * Design choice: one function runs the whole sequence, top to bottom,
 * so it reads as the protocol: quiesce (registered hooks: the device
 * layer parks every frontend keeping its state and what is in flight;
 * xenstore finishes its request and holds the slot; the console drains),
 * canonicalise (start_info's store and console frames as pfns; Xen's
 * shared_info and grant frames out of our page tables), suspend; then,
 * restored or cancelled, the reverse: shared_info mapped again, the p2m
 * published again, for a restored domain every event channel and the
 * timer VIRQ bound anew, the grant table set up afresh, the console and
 * xenstore on their new ports with every watch registered again, kernel
 * time continued from where it stopped, and the hooks reconnect. A
 * cancelled suspend (the hypercall returns 1) resumes in place with
 * nothing reconnected. Subsystems above the kernel (drivers/) register
 * hooks, so kernel/ depends on none of them.
 * Reference: xen/include/public/sched.h (SHUTDOWN_suspend), xen.h
 * (start_info, arch_shared_info), Linux arch/x86/xen/suspend_pv.c facts.
 */
#ifndef KERNEL_SUSPEND_H
#define KERNEL_SUSPEND_H

#include <stdbool.h>

#include <xen/xen.h>

struct suspend_hook {
    const char *name;
    /* Before: quiesce, keeping state. 0 or -errno (suspend refused). */
    int (*suspend)(void);
    /* After, in thread context with events on and xenstore working:
     * cancelled = the same domain goes on. */
    void (*resume)(bool cancelled);
    struct suspend_hook *next;
};

/* Called by start_kernel() with the domain's start_info. */
void suspend_init(start_info_t *si);

/* Add h (static storage); hooks resume in the order they suspended. */
void suspend_register(struct suspend_hook *h);

/*
 * Suspend the domain now (thread context). Returns 0 after a restore,
 * 1 after a cancelled suspend, or -errno when it could not suspend (the
 * domain goes on unchanged, the cause logged).
 */
int suspend_domain(void);

#endif /* KERNEL_SUSPEND_H */
