// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkdev.h - the block device registry (the side of the
 * xn_blk_* API in include/xenith.h that owns the devices).
 *
 * The registry's boot stage (kernel/devinit.h: its XN_DEVICE_INIT entry,
 * linked only into images that call xn_blk_* or ask for DEVICES blk,
 * after grant tables, xenstore and the network) attaches blkfront as a
 * devbus class (drivers/devbus/devbus.h): every device/vbd/N is created,
 * named (xvda ...) and connected (each handshake wait bounded), and the
 * device-watch thread follows the toolstack and the backends for the
 * domain's life (xl block-detach / block-attach). Design choice: the
 * driver stays single-threaded and unaware of the registry: every entry
 * into it holds the device's recursive devbus mutex, and the driver's
 * completions are only queued on the opener's handle, so applications'
 * callbacks run in their own thread (xn_blk_poll/wait), never under the
 * lock and never in the device-watch thread. blkdev.c holds the
 * registry, blkdev_api.c the public calls, blkdev_fd.c the /dev/xvd*
 * descriptors, blkdev_name.c the pure device naming. Guest only except
 * blkdev_name(). Reference: io/blkif.h, io/xenbus.h,
 * docs/misc/vbd-interface.txt (virtual device numbers).
 */
#ifndef BLKFRONT_BLKDEV_H
#define BLKFRONT_BLKDEV_H

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

/* The registry side; also in host tests of blkdev_api.c, which play it. */
#if defined(XENITH_GUEST) || defined(XENITH_BLKDEV_HOST_TEST)
#include "drivers/blkfront/blkfront.h"
#include "drivers/devbus/devbus.h"
#include "kernel/sched.h"
#include "kernel/stats.h"

struct xn_blk;

/* One registered device; never removed, so pointers stay valid. */
struct blkdev_slot {
    struct blkfront *bf;
    struct devbus_dev *bus; /* its recursive mutex guards the driver */
    unsigned int devid;
    char name[16];
    /* Woken (and events bumped) by ring events, completions and state
     * changes: what xn_blk_wait() sleeps on. */
    struct sched_waitq wq;
    volatile uint64_t events;
    struct stats_source stats; /* data/xenith/blk/<name> */
    char stats_dir[24];
};

/*
 * Serve /dev/<name> through kernel/fdtab (drivers/blkfront/blkdev_fd.c):
 * descriptors 208.. Called by the registry's boot stage. 0 or -errno from
 * kernel/fdtab.
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
#endif /* XENITH_GUEST || XENITH_BLKDEV_HOST_TEST */

#endif /* BLKFRONT_BLKDEV_H */
