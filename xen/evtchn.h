// SPDX-License-Identifier: MIT
/*
 * xen/evtchn.h - two-level event channels and the event mask ("irq")
 * helpers.
 *
 * Event channels are Xen's interrupts. This module implements the
 * two-level (2L) ABI directly over a shared_info page and one vcpu_info
 * slot, both passed to evtchn_init() so that host tests can hand in plain
 * memory and play the hypervisor. Design choice: a flat table of one
 * handler per port (4096 ports in 2L on x86_64) and handlers that run
 * with events masked, in upcall context; the upcall follows the order
 * that avoids lost edges (clear evtchn_upcall_pending, then xchg the
 * selector, then pending & ~mask per word). Unmask re-checks pending,
 * because an event that arrives while a port is masked sets its pending
 * bit but not the selector and upcall flag. Reference:
 * xen/include/public/event_channel.h and xen.h (struct shared_info,
 * struct vcpu_info).
 */
#ifndef XEN_EVTCHN_H
#define XEN_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

/* Number of ports in the two-level ABI (4096 on x86_64). */
#define EVTCHN_NR_PORTS (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)

/*
 * An event handler. Runs in event context with events masked: it must
 * not block; record the work and wake a thread.
 */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

/*
 * Adopt shared_info s and this vCPU's vcpu_info v, mask every port and
 * forget every handler. Events stay masked in v until the caller enables
 * them (evtchn_irq_enable()). -EINVAL on NULL.
 */
int evtchn_init(shared_info_t *s, struct vcpu_info *v);

/*
 * Install handler(port, arg) for port and unmask it. -EINVAL for a port
 * out of range or a NULL handler, -EBUSY if the port already has one.
 */
int evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *arg);

/* After a restore: every port of the old domain is gone; forget every
 * binding and mask every port (the owners bind their new ports). */
void evtchn_resume(void);

/* Mask port and remove its handler (the channel stays open). */
void evtchn_unbind(evtchn_port_t port);

/* ---- channel operations (EVTCHNOP_*); 0 or -errno from Xen ---- */

/* Bind virtual IRQ virq (VIRQ_TIMER, ...) on vCPU 0; *port receives it. */
int evtchn_bind_virq(uint32_t virq, evtchn_port_t *port);

/* Open a port that domain remote may connect to (for a frontend ring). */
int evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);

/*
 * A frontend's event channel in one step: evtchn_alloc_unbound() for
 * domain remote, then evtchn_bind(handler, arg); if binding fails the
 * port is closed again. Undo with evtchn_close().
 */
int evtchn_open_unbound(domid_t remote, evtchn_handler_t handler, void *arg,
                        evtchn_port_t *port);

/* Connect to remote_port of domain remote; *local receives our end. */
int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
                            evtchn_port_t *local);

/* Notify the other end of port. */
int evtchn_send(evtchn_port_t port);

/* Unbind and close port. */
int evtchn_close(evtchn_port_t port);

/* ---- per-port mask ---- */

void evtchn_mask(evtchn_port_t port);

/*
 * Unmask port. If it became pending while masked, re-raise it (selector
 * bit + evtchn_upcall_pending) and, when events are enabled on this vCPU,
 * deliver it now.
 */
void evtchn_unmask(evtchn_port_t port);

/* Clear a port's pending bit (e.g. before polling it). */
void evtchn_clear(evtchn_port_t port);

bool evtchn_is_pending(evtchn_port_t port);
bool evtchn_is_masked(evtchn_port_t port);

/* This vCPU's evtchn_upcall_pending and evtchn_upcall_mask, for a
 * diagnostic line (false, true before evtchn_init). */
void evtchn_upcall_state(bool *pending, bool *masked);

/*
 * The upcall body, called by the arch entry code with events masked (Xen
 * sets evtchn_upcall_mask when it delivers the callback). regs is the
 * interrupted frame, unused here but kept for crash reports.
 */
void evtchn_do_upcall(void *regs);

/* ---- vCPU-wide event mask, the PV equivalent of cli/sti ---- */

/*
 * Mask events and return the previous state, for evtchn_irq_restore().
 * Before evtchn_init() there is nothing to mask and it returns 1.
 */
unsigned long evtchn_irq_save(void);

/*
 * Restore the state from evtchn_irq_save(). When this re-enables events,
 * anything that became pending meanwhile is delivered before returning.
 */
void evtchn_irq_restore(unsigned long flags);

void evtchn_irq_enable(void);
void evtchn_irq_disable(void);
bool evtchn_irqs_disabled(void);

/*
 * The CPU's half of the mask, when the mode has one (PVH: Xen injects
 * the callback vector whenever RFLAGS.IF allows it and ignores
 * evtchn_upcall_mask, so IF must follow the mask). fn(true) runs before
 * the mask is set, fn(false) after it was cleared and what was pending
 * delivered. NULL (the default, PV and host tests) = no CPU half.
 */
void evtchn_set_cpu_mask(void (*fn)(bool masked));

/*
 * Counters for diagnostics and tests: events dispatched to a handler and
 * events that fired on a port without one.
 */
struct evtchn_stats {
    uint64_t dispatched;
    uint64_t spurious;
    uint64_t throttled; /* storms: a port masked for going over its limit */
    uint64_t bound;     /* ports with a handler now */
};

/* Dispatches of one port between two evtchn_storm_tick() calls. */
#define EVTCHN_STORM_LIMIT 256

/*
 * Threads got the vCPU: a new storm epoch; ports masked for a storm are
 * unmasked (their pending event is delivered again). Thread context;
 * the scheduler calls it at every switch.
 */
void evtchn_storm_tick(void);
void evtchn_get_stats(struct evtchn_stats *st);

#endif /* XEN_EVTCHN_H */
