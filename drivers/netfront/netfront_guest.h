// SPDX-License-Identifier: MIT
/*
 * drivers/netfront/netfront_guest.h - creating a netfront in the guest.
 *
 * The guest side of the seam in netfront.h: kernel pages, event channels
 * and console logs. What the stack port then uses is &nf->dev (an
 * xenith/netdev.h device) after netfront_xs_connect(nf) returned 0, and
 * it should run netfront_xs_step(nf) whenever <backend>/state changes
 * (a watch) so that a backend that goes away and comes back is
 * reconnected. Guest only. Reference: io/netif.h.
 */
#ifndef NETFRONT_NETFRONT_GUEST_H
#define NETFRONT_NETFRONT_GUEST_H

#include "drivers/netfront/netfront.h"

/*
 * Allocate and probe device/vif/<devid> on xs (MAC, MTU, backend); no
 * ring is set up yet. virt_to_frame gives a page's MFN (PV); NULL uses
 * p2m_virt_to_frame(). cfg may be NULL. 0 and *out, or -errno (-ENOENT:
 * no such device).
 */
int netfront_guest_create(struct xs_conn *xs, unsigned int devid,
                          unsigned long (*virt_to_frame)(const void *),
                          const struct netfront_config *cfg,
                          struct netfront **out);

/*
 * Start nf over on device/vif/<devid> after the toolstack removed and
 * re-created it: tear the rings down (pages still mapped by the old
 * backend are leaked, not reused), re-initialise with the same ops,
 * config and callbacks (broken is cleared), probe MAC/MTU/backend anew.
 * nf->dev.ops is reset to the driver's own; the link is down. 0 or
 * -errno from the probe.
 */
int netfront_guest_reprobe(struct netfront *nf, unsigned int devid);

#endif /* NETFRONT_NETFRONT_GUEST_H */
