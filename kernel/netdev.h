// SPDX-License-Identifier: MIT
/*
 * kernel/netdev.h - network device probe and registry (the kernel side of
 * include/xenith/netdev.h).
 *
 * netdev_probe() runs at the boot stage "devices" (kernel/devinit.h: the
 * registry's XN_DEVICE_INIT entry, linked only into images that use
 * networking, after grant tables and xenstore are up): every
 * device/vif/N present at boot is created and connected
 * (each wait bounded), then a "xenbus" thread follows the toolstack and
 * the backends for the rest of the domain's life. Design choice: the
 * driver stays single-threaded and unaware of the registry; this module
 * wraps its ops with a per-device recursive lock and delivers link
 * changes to the stack only after that lock is released, so a stack
 * callback may block or transmit without deadlocking against the xenbus
 * thread. Guest only. Reference: io/xenbus.h, io/netif.h.
 */
#ifndef KERNEL_NETDEV_H
#define KERNEL_NETDEV_H

#include <stdint.h>

/* Most network devices one domain registers. */
#define NETDEV_MAX 8

/*
 * Create and connect every device/vif/N on the domain's xenstore
 * connection, waiting at most timeout_ns per handshake step; a device
 * that fails is logged with its xenstore paths and left to the xenbus
 * thread, which this starts (it also picks up vifs attached later).
 * Thread context (the boot thread), after xenstore_init() and
 * gnttab_setup(). Returns the number of devices whose link is up, or
 * -errno when the xenbus thread cannot run (no xenstore, no memory).
 */
int netdev_probe(uint64_t timeout_ns);

#endif /* KERNEL_NETDEV_H */
