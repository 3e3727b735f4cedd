// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_netback.h - a netback (and the bits of Xen it needs)
 * for host tests of drivers/netfront.
 *
 * The fake supplies netfront's ops (pages, frame numbers, event
 * channels, notifications) and owns the grant table handed to
 * xen/gnttab. Design choice: the backend side only ever reaches the
 * frontend's memory through grant references, resolved via the grant
 * entries (permit flag, domid, read-only bit checked) to the page with
 * that frame, as real netback does with grant copy/map; so a test proves
 * that what netfront published in xenstore and in its requests really
 * names its buffers. It speaks io/netif.h from the backend's side: pops
 * TX packets (multi-slot, extra-info, checking that no request crosses a
 * page), writes TX responses, and fills RX requests with packets split
 * over slots with any flags and extras. Malicious responses are written
 * by the tests themselves through the back rings.
 * Reference: xen/include/public/io/netif.h, io/ring.h, grant_table.h.
 */
#ifndef FAKES_FAKE_NETBACK_H
#define FAKES_FAKE_NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/netfront/netfront.h"
#include "fake_env.h"

#define FNB_DOMID FAKE_ENV_DOMID

struct fnb_tx_pkt {
    uint8_t data[XN_NETDEV_MAX_PKT + 1];
    size_t len;
    unsigned int nslots; /* data slots */
    uint16_t ids[NETFRONT_MAX_SLOTS + 2];
    uint16_t slot_size[NETFRONT_MAX_SLOTS + 2];
    uint16_t first_flags;
    bool has_gso;
    netif_extra_info_t gso;
};

struct fake_netback {
    struct fake_env env; /* pages, grants, ports, log */

    /* backend view of each queue's rings */
    netif_tx_back_ring_t tx[NETFRONT_MAX_QUEUES];
    netif_rx_back_ring_t rx[NETFRONT_MAX_QUEUES];
    unsigned int rx_offset;   /* data offset used in RX slots */
    unsigned int be_notifies; /* "the backend would kick the frontend" */
};

/* Fresh backend; also gnttab_init()s its grant table. */
void fnb_init(struct fake_netback *fb);
/* Frees every page still allocated. */
void fnb_fini(struct fake_netback *fb);
struct xenbus_front_env fnb_ops(struct fake_netback *fb);

/*
 * The page behind grant ref, if the entry grants it to FNB_DOMID with
 * the needed access (writable when write); NULL otherwise.
 */
void *fnb_page(struct fake_netback *fb, grant_ref_t ref, bool write);

/* Map the shared rings of queue qi (as netback does at Connected). */
int fnb_attach(struct fake_netback *fb, unsigned int qi, grant_ref_t tx_ref,
               grant_ref_t rx_ref);

/* Deliver an event on port to the frontend (runs netfront_queue_event). */
void fnb_fire(struct fake_netback *fb, evtchn_port_t port);

/*
 * Pop one TX packet of queue qi. 1 = popped into *out, 0 = no complete
 * packet, -1 = the frontend broke the protocol (message on stderr):
 * a request crossing a page, a bad grant, too many slots, sizes that do
 * not add up.
 */
int fnb_tx_pop(struct fake_netback *fb, unsigned int qi,
               struct fnb_tx_pkt *out);

/* Queue a TX response (id, status) and, for NULL, without an id. */
void fnb_tx_respond(struct fake_netback *fb, unsigned int qi, uint16_t id,
                    int16_t status);
/* Answer every slot of a popped packet as netback does (OKAY + NULLs). */
void fnb_tx_complete(struct fake_netback *fb, unsigned int qi,
                     const struct fnb_tx_pkt *p, int16_t status);
void fnb_tx_push(struct fake_netback *fb, unsigned int qi);

/*
 * Put one packet into queue qi's posted RX buffers: slot_max bytes per
 * slot (at fb->rx_offset), flags on the first response, extra (may be
 * NULL) in the slot after it. Returns the slots used, -1 when too few
 * requests are posted. Call fnb_rx_push() to publish.
 */
int fnb_rx_put(struct fake_netback *fb, unsigned int qi, const void *data,
               size_t len, size_t slot_max, uint16_t flags,
               const netif_extra_info_t *extra);
void fnb_rx_push(struct fake_netback *fb, unsigned int qi);

/* RX requests the frontend has posted and the backend not consumed. */
unsigned int fnb_rx_posted(struct fake_netback *fb, unsigned int qi);

#endif /* FAKES_FAKE_NETBACK_H */
