// SPDX-License-Identifier: MIT
/*
 * kernel/blkdev.h - block device probe and registry (the kernel side of
 * the xn_blk_* API in include/xenith.h).
 *
 * blkdev_probe() runs at the boot stage "devices" (kernel/devinit.h: the
 * registry's XN_DEVICE_INIT entry, linked only into images that call
 * xn_blk_* or ask for DEVICES blk, after grant tables, xenstore and the
 * network): every device/vbd/N present at boot is created, named (xvda ...)
 * and connected (each handshake wait bounded), then a "blkbus" thread
 * follows the toolstack and the backends for the domain's life (xl
 * block-detach / block-attach). Design choice: as kernel/netdev.c does
 * for vifs, the driver stays single-threaded and unaware of the
 * registry: every entry into it holds the slot's recursive mutex, and
 * the driver's completions are only queued on the opener's handle, so
 * applications' callbacks run in their own thread (xn_blk_poll/wait),
 * never under the lock and never in the blkbus thread. kernel/blkdev.c
 * holds the registry and the blkbus thread, kernel/blkdev_api.c the
 * public calls, kernel/blkdev_name.c the pure device naming. Guest only
 * except blkdev_name(). Reference: io/blkif.h, io/xenbus.h,
 * docs/misc/vbd-interface.txt (virtual device numbers).
 */
#ifndef KERNEL_BLKDEV_H
#define KERNEL_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most block devices one domain registers. */
#define BLKDEV_MAX 8

/*
 * The Linux-style name of virtual device number devid (io/blkif.h's
 * "virtual-device"): xvda, xvdb ... xvdaa (xvd major 202 or the extended
 * 1<<28 form), sda / hda for the emulated majors, with the partition
 * number appended when there is one; "vbd<devid>" for anything else.
 * Pure. 0, or -ENAMETOOLONG when buf is too small (then truncated).
 */
int blkdev_name(unsigned int devid, char *buf, size_t size);

#ifdef XENITH_GUEST
#include "drivers/blkfront/blkfront.h"
#include "kernel/sched.h"
#include "xen/xenstore.h"

struct xn_blk;

/* One registered device; never removed, so pointers stay valid. */
struct blkdev_slot {
    struct blkfront *bf;
    unsigned int devid;
    char name[16];
    struct sched_mutex lock; /* recursive; every entry into the driver */
    /* Woken (and events bumped) by ring events, completions and state
     * changes: what xn_blk_wait() sleeps on. */
    struct sched_waitq wq;
    volatile uint64_t events;
    bool gone;               /* our device/vbd/N was removed */
    bool watching;           /* back_watch registered */
    bool back_changed;       /* a <backend>/state event since the last pass */
    uint64_t close_deadline; /* after CLOSE: wait for the backend till */
    struct xs_watch back_watch; /* <backend>/state */
};

/*
 * Create and connect every device/vbd/N, waiting at most timeout_ns per
 * handshake step; a device that fails is logged with its xenstore paths
 * and left to the blkbus thread, which this starts (it also picks up
 * disks attached later). Thread context, after xenstore_init() and
 * gnttab_setup(). Returns the number of connected devices, or -errno
 * when the blkbus thread cannot run.
 */
int blkdev_probe(uint64_t timeout_ns);

/*
 * Serve /dev/<name> through lib/fdtab (kernel/blkdev_fd.c): descriptors
 * 64-95. Called by blkdev_probe(). 0 or -errno from lib/fdtab.
 */
int blkdev_fd_register(void);

unsigned int blkdev_count(void);
struct blkdev_slot *blkdev_slot(unsigned int idx);
/* By name ("xvda" or "/dev/xvda"), NULL when unknown. */
struct blkdev_slot *blkdev_find(const char *name);

void blkdev_lock(struct blkdev_slot *s);
void blkdev_unlock(struct blkdev_slot *s);
/* Bump events and wake every waiter (thread or event context). */
void blkdev_wake(struct blkdev_slot *s);
#endif /* XENITH_GUEST */

#endif /* KERNEL_BLKDEV_H */
