// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkfront_guest.h - creating a blkfront in the guest.
 *
 * The guest side of the seam in blkfront.h: kernel pages, event
 * channels, a wait queue woken by the ring's event, console logs. What a
 * filesystem or benchmark then uses is &bf->dev (an xenith/blkdev.h
 * device) after blkfront_xs_connect(bf) returned 0; it should run
 * blkfront_xs_step(bf) whenever <backend>/state changes (a watch) so a
 * backend that goes away fails pending I/O and a re-attach reconnects.
 * Guest only. Reference: io/blkif.h.
 */
#ifndef BLKFRONT_BLKFRONT_GUEST_H
#define BLKFRONT_BLKFRONT_GUEST_H

#include "drivers/blkfront/blkfront.h"

/*
 * Allocate and probe device/vbd/<devid> on xs (backend, state); no ring
 * is set up yet. virt_to_frame gives a page's MFN (PV). cfg may be NULL.
 * 0 and *out, or -errno (-ENOENT: no such device).
 */
int blkfront_guest_create(struct xs_conn *xs, unsigned int devid,
                          unsigned long (*virt_to_frame)(const void *),
                          const struct blkfront_config *cfg,
                          struct blkfront **out);

/*
 * Start bf over on device/vbd/<devid> after the toolstack removed and
 * re-created it (xl block-detach / block-attach): tear the rings down
 * (pages the old backend still maps are leaked, not reused; pending
 * requests complete with -EIO), re-initialise with the same ops, config
 * and callbacks (broken is cleared), probe the backend anew. 0 or -errno
 * from the probe.
 */
int blkfront_guest_reprobe(struct blkfront *bf, unsigned int devid);

#endif /* BLKFRONT_BLKFRONT_GUEST_H */
