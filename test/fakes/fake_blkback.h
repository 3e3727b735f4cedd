// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_blkback.h - a blkback (and the bits of Xen it needs)
 * for host tests of drivers/blkfront.
 *
 * The fake supplies blkfront's ops (contiguous page blocks, frame
 * numbers, event channels, a wait that lets the backend run) and owns
 * the grant table handed to xen/gnttab. Design choice: the backend only
 * reaches the frontend's memory through grant references resolved via
 * the grant entries (permit flag, domid, read-only bit checked), as real
 * blkback does with grant map/copy, so a test proves that what blkfront
 * published in xenstore and in its requests really names its pages. It
 * serves requests against an in-memory disk from the backend's side of
 * io/blkif.h (direct, indirect, flush, barrier, discard), checking every
 * segment (sector bounds inside a page, access mode, disk bounds) and
 * reporting a frontend error on stderr as -1. Malicious responses are
 * written by the tests themselves through the back rings.
 * Reference: xen/include/public/io/blkif.h, io/ring.h, grant_table.h.
 */
#ifndef FAKES_FAKE_BLKBACK_H
#define FAKES_FAKE_BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/blkfront/blkfront.h"
#include "fake_env.h"

#define FBB_DOMID FAKE_ENV_DOMID

/* What the backend saw in the last request it served. */
struct fbb_req {
    uint8_t operation, data_op, flag;
    unsigned int nr_segments, nr_indirect;
    uint64_t id, sector, nr_sectors;
    grant_ref_t gref[BLKFRONT_MAX_SEGS];
    uint8_t first[BLKFRONT_MAX_SEGS], last[BLKFRONT_MAX_SEGS];
};

struct fake_blkback {
    struct fake_env env; /* pages, grants, ports, log, wait() */

    /* the disk */
    uint8_t *disk;
    uint64_t disk_bytes;

    /* backend view of each queue's ring */
    blkif_back_ring_t ring[BLKFRONT_MAX_QUEUES];
    bool attached[BLKFRONT_MAX_QUEUES];

    /* behaviour */
    bool serve_on_wait;   /* wait() serves every queue; else it times out */
    bool event_storm;     /* wait() returns an event, serving nothing */
    int16_t force_status; /* != 0: answer every request with it */
    bool refuse_flush;    /* FLUSH/BARRIER -> EOPNOTSUPP */
    bool keep_mapped;     /* mark served grants GTF_reading */

    /* observations */
    struct fbb_req last;
    unsigned int served, reads, writes, flushes, barriers, discards;
    unsigned int indirect, max_nsegs;
};

void fbb_init(struct fake_blkback *fb, uint64_t disk_bytes);
void fbb_fini(struct fake_blkback *fb);
struct xenbus_front_env fbb_ops(struct fake_blkback *fb);

/* The page behind ref if granted to FBB_DOMID with the access; or NULL. */
void *fbb_page(struct fake_blkback *fb, grant_ref_t ref, bool write);

/* Map queue qi's ring from its npages refs (must be one contiguous block). */
int fbb_attach(struct fake_blkback *fb, unsigned int qi,
               const grant_ref_t *refs, unsigned int npages);
void fbb_detach(struct fake_blkback *fb, unsigned int qi);

/*
 * Serve every pending request of queue qi and push the responses (no
 * notify). Returns requests served, or -1 when the frontend broke the
 * protocol (message on stderr).
 */
int fbb_serve(struct fake_blkback *fb, unsigned int qi);

/* Pop one request without answering it; 1, 0 (none) or -1. */
int fbb_pop(struct fake_blkback *fb, unsigned int qi, blkif_request_t *out);

/* Write one response (no push). */
void fbb_respond(struct fake_blkback *fb, unsigned int qi, uint64_t id,
                 uint8_t op, int16_t status);
void fbb_push(struct fake_blkback *fb, unsigned int qi);

/* Deliver an event on port (runs blkfront_queue_event). */
void fbb_fire(struct fake_blkback *fb, evtchn_port_t port);

#endif /* FAKES_FAKE_BLKBACK_H */
