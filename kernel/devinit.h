// SPDX-License-Identifier: MIT
/*
 * kernel/devinit.h - PV device bring-up as a linker set: devices only in
 * the images that use them.
 *
 * Each device class (drivers/netfront/netdev.c, drivers/blkfront/blkdev.c)
 * declares its boot probe with XN_DEVICE_INIT(), which places a struct devinit
 * in a section .xn_devinit.NN; arch/x86_64/xenith.ld keeps (KEEP) and sorts
 * those sections between __xn_devinit_start and __xn_devinit_end, and
 * start_kernel() runs every entry in order at the boot stage "devices". Design
 * choice: nothing in the core references a device module, so a static-archive
 * link only pulls one in when something else does (lwIP's netif glue references
 * xn_netdev_get(); an app's xn_blk_* calls the block registry), and its entry
 * comes along with it; an image that uses no device links no netfront,
 * blkfront, xenbus thread, xenstore client or grant table, and boots without
 * touching xenstore. The shared bus (grant tables + xenstore) is entry 00, in
 * kernel/devinit.c, linked only because each device probe calls
 * devinit_bus_ready(). An app that reaches a device only through a path
 * (open("/dev/xvda"), which kernel/fdtab resolves at run time) must pull its
 * class in by name: xenith_add_image(... DEVICES blk), i.e.
 * -Wl,--undefined=xn_devinit_blk (cmake/xenith.cmake), or any xn_blk_* call.
 * Reference: GNU ld manual, "Input Section Keep" and "SORT_BY_NAME".
 */
#ifndef KERNEL_DEVINIT_H
#define KERNEL_DEVINIT_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>

struct devinit {
    const char *name; /* the class, for the console: "net", "blk" */
    /*
     * Create and connect this class's devices, each handshake wait at most
     * timeout_ns. Boot thread context (may block). Returns the number of
     * devices brought up, or -errno (start_kernel() logs it and boots on:
     * no device is essential to run the app).
     */
    int (*probe)(const start_info_t *si, uint64_t timeout_ns);
};

/*
 * Register probe fn for device class cls (an identifier: the global
 * xn_devinit_<cls> is the handle -Wl,--undefined= can name) at position
 * order, two decimal digits (00 is the bus; sections sort by name).
 */
#define XN_DEVICE_INIT(cls, order, fn)                                         \
    extern const struct devinit xn_devinit_##cls;                              \
    const struct devinit xn_devinit_##cls __attribute__((                      \
        used, aligned(8), section(".xn_devinit." #order))) = {#cls, fn}

/* The set, in order (arch/x86_64/xenith.ld). */
extern const struct devinit __xn_devinit_start[], __xn_devinit_end[];

/*
 * True once grant tables and xenstore are up (entry 00 ran and
 * succeeded). Device probes call it first: the call is also what links
 * the bus into an image that has a device class.
 */
bool devinit_bus_ready(void);

#endif /* KERNEL_DEVINIT_H */
