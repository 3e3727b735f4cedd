// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_blkback.c - blkback and Xen stand-ins for blkfront's
 * host tests.
 *
 * Pages, grants and event channels are test/fakes/fake_env.c's, shared
 * with every fake backend. The backend follows Linux
 * blkback's observable behaviour: one response per request in any order
 * it likes, an indirect request answered with its inner operation,
 * flush and empty barriers accepted with no segments, discard zeroing
 * the range. Errors in what the FRONTEND produced are reported on
 * stderr and as -1, so a test fails with a reason.
 * Reference: xen/include/public/io/blkif.h, io/ring.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_blkback.h"
#include "xen/gnttab.h"

#define PG BLKFRONT_PAGE_SIZE

/* The backend runs while the frontend blocks (or the clock runs out). */
static int on_wait(void *arg, uint64_t timeout_ns)
{
    struct fake_blkback *fb = arg;

    (void)timeout_ns;
    if (fb->event_storm)
        return 0; /* an event, and nothing answered */
    if (!fb->serve_on_wait)
        return -ETIMEDOUT;
    for (unsigned int qi = 0; qi < BLKFRONT_MAX_QUEUES; qi++) {
        if (!fb->attached[qi])
            continue;
        if (fbb_serve(fb, qi) < 0)
            abort(); /* the frontend broke the protocol: see stderr */
    }
    for (unsigned int p = 0; p < fb->env.next_port; p++)
        fbb_fire(fb, p);
    return 0;
}

struct xenbus_front_env fbb_ops(struct fake_blkback *fb)
{
    return fake_env_ops(&fb->env);
}

void fbb_init(struct fake_blkback *fb, uint64_t disk_bytes)
{
    memset(fb, 0, sizeof(*fb));
    fake_env_init(&fb->env);
    fb->env.on_wait = on_wait;
    fb->env.wait_arg = fb;
    fb->disk_bytes = disk_bytes;
    fb->disk = calloc(1, disk_bytes ? disk_bytes : 1);
    if (!fb->disk)
        abort();
}

void fbb_fini(struct fake_blkback *fb)
{
    fake_env_fini(&fb->env);
    free(fb->disk);
}

void *fbb_page(struct fake_blkback *fb, grant_ref_t ref, bool write)
{
    return fake_env_page(&fb->env, ref, write);
}

int fbb_attach(struct fake_blkback *fb, unsigned int qi,
               const grant_ref_t *refs, unsigned int npages)
{
    uint8_t *base = fbb_page(fb, refs[0], true);

    if (!base || qi >= BLKFRONT_MAX_QUEUES)
        return -1;
    for (unsigned int i = 1; i < npages; i++)
        if (fbb_page(fb, refs[i], true) != base + (size_t)i * PG) {
            fprintf(stderr, "fake_blkback: ring-ref%u not contiguous\n", i);
            return -1;
        }
    BACK_RING_INIT(&fb->ring[qi], (blkif_sring_t *)base, (size_t)PG * npages);
    fb->attached[qi] = true;
    return 0;
}

void fbb_detach(struct fake_blkback *fb, unsigned int qi)
{
    fb->attached[qi] = false;
}

void fbb_fire(struct fake_blkback *fb, evtchn_port_t port)
{
    fake_env_fire(&fb->env, port);
}

int fbb_pop(struct fake_blkback *fb, unsigned int qi, blkif_request_t *out)
{
    blkif_back_ring_t *r = &fb->ring[qi];

    if (!fb->attached[qi])
        return 0;
    if (RING_REQUEST_PROD_OVERFLOW(r, r->sring->req_prod)) {
        fprintf(stderr, "fake_blkback: req_prod overflow\n");
        return -1;
    }
    if (r->req_cons == r->sring->req_prod)
        return 0;
    xen_rmb();
    RING_COPY_REQUEST(r, r->req_cons, out);
    r->req_cons++;
    return 1;
}

void fbb_respond(struct fake_blkback *fb, unsigned int qi, uint64_t id,
                 uint8_t op, int16_t status)
{
    blkif_back_ring_t *r = &fb->ring[qi];
    blkif_response_t *rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);

    rsp->id = id;
    rsp->operation = op;
    rsp->status = status;
    r->rsp_prod_pvt++;
}

void fbb_push(struct fake_blkback *fb, unsigned int qi)
{
    int notify;

    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&fb->ring[qi], notify);
    (void)notify; /* tests fire events themselves */
}

/* One segment: copy between the granted page and the disk at *pos. */
static int do_seg(struct fake_blkback *fb, bool write_to_disk, grant_ref_t ref,
                  uint8_t first, uint8_t last, uint64_t *pos)
{
    /* A READ fills the frontend's page: it must be granted writable. */
    uint8_t *page = fbb_page(fb, ref, !write_to_disk);
    size_t len;

    if (!page) {
        fprintf(stderr, "fake_blkback: bad grant %u (write %d)\n", ref,
                !write_to_disk);
        return -1;
    }
    if (first > last || last >= BLKFRONT_SECTORS_PER_PG) {
        fprintf(stderr, "fake_blkback: bad segment %u..%u\n", first, last);
        return -1;
    }
    len = (size_t)(last - first + 1) * XN_BLK_SECTOR;
    if (*pos > fb->disk_bytes || len > fb->disk_bytes - *pos) {
        fprintf(stderr, "fake_blkback: I/O beyond the disk\n");
        return -1;
    }
    if (write_to_disk)
        memcpy(fb->disk + *pos, page + first * XN_BLK_SECTOR, len);
    else
        memcpy(page + first * XN_BLK_SECTOR, fb->disk + *pos, len);
    if (fb->keep_mapped)
        fb->env.gnt[ref].flags |= GTF_reading;
    *pos += len;
    return 0;
}

static int serve_rw(struct fake_blkback *fb, const blkif_request_t *req,
                    struct fbb_req *seen)
{
    bool ind = req->operation == BLKIF_OP_INDIRECT;
    const blkif_request_indirect_t *ir = (const void *)req;
    uint8_t op = ind ? ir->indirect_op : req->operation;
    unsigned int nseg = ind ? ir->nr_segments : req->nr_segments;
    uint64_t pos =
        (ind ? ir->sector_number : req->sector_number) * XN_BLK_SECTOR;
    unsigned int max =
        ind ? BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * BLKFRONT_SEGS_PER_INDIRECT
            : BLKIF_MAX_SEGMENTS_PER_REQUEST;

    seen->data_op = op;
    seen->nr_segments = nseg;
    seen->sector = pos / XN_BLK_SECTOR;
    if ((op != BLKIF_OP_READ && op != BLKIF_OP_WRITE) || nseg == 0 ||
        nseg > max || nseg > BLKFRONT_MAX_SEGS) {
        fprintf(stderr, "fake_blkback: bad rw op %u nseg %u\n", op, nseg);
        return -1;
    }
    if (ind) {
        seen->nr_indirect = (nseg + BLKFRONT_SEGS_PER_INDIRECT - 1) /
                            BLKFRONT_SEGS_PER_INDIRECT;
        fb->indirect++;
    }
    for (unsigned int i = 0; i < nseg; i++) {
        struct blkif_request_segment s;

        if (ind) {
            const struct blkif_request_segment *page = fbb_page(
                fb, ir->indirect_grefs[i / BLKFRONT_SEGS_PER_INDIRECT], false);

            if (!page) {
                fprintf(stderr, "fake_blkback: bad indirect gref\n");
                return -1;
            }
            s = page[i % BLKFRONT_SEGS_PER_INDIRECT];
        } else {
            s = req->seg[i];
        }
        seen->gref[i] = s.gref;
        seen->first[i] = s.first_sect;
        seen->last[i] = s.last_sect;
        if (do_seg(fb, op == BLKIF_OP_WRITE, s.gref, s.first_sect, s.last_sect,
                   &pos) < 0)
            return -1;
    }
    if (nseg > fb->max_nsegs)
        fb->max_nsegs = nseg;
    if (op == BLKIF_OP_READ)
        fb->reads++;
    else
        fb->writes++;
    return op;
}

int fbb_serve(struct fake_blkback *fb, unsigned int qi)
{
    blkif_request_t req;
    int n = 0, rc;

    while ((rc = fbb_pop(fb, qi, &req)) == 1) {
        struct fbb_req *seen = &fb->last;
        int16_t status = BLKIF_RSP_OKAY;
        int op = req.operation;

        memset(seen, 0, sizeof(*seen));
        seen->operation = req.operation;
        seen->id = req.id;
        switch (req.operation) {
        case BLKIF_OP_READ:
        case BLKIF_OP_WRITE:
        case BLKIF_OP_INDIRECT:
            op = serve_rw(fb, &req, seen);
            if (op < 0)
                return -1;
            break;
        case BLKIF_OP_FLUSH_DISKCACHE:
        case BLKIF_OP_WRITE_BARRIER:
            if (req.nr_segments != 0) {
                fprintf(stderr, "fake_blkback: flush with segments\n");
                return -1;
            }
            if (req.operation == BLKIF_OP_FLUSH_DISKCACHE)
                fb->flushes++;
            else
                fb->barriers++;
            if (fb->refuse_flush)
                status = BLKIF_RSP_EOPNOTSUPP;
            break;
        case BLKIF_OP_DISCARD: {
            const blkif_request_discard_t *d = (const void *)&req;
            uint64_t pos = d->sector_number * XN_BLK_SECTOR;
            uint64_t len = d->nr_sectors * XN_BLK_SECTOR;

            seen->sector = d->sector_number;
            seen->nr_sectors = d->nr_sectors;
            seen->flag = d->flag;
            if (pos > fb->disk_bytes || len > fb->disk_bytes - pos) {
                fprintf(stderr, "fake_blkback: discard beyond the disk\n");
                return -1;
            }
            memset(fb->disk + pos, 0, len);
            fb->discards++;
            break;
        }
        default:
            fprintf(stderr, "fake_blkback: unknown op %u\n", req.operation);
            return -1;
        }
        if (fb->force_status)
            status = fb->force_status;
        fbb_respond(fb, qi, req.id, (uint8_t)op, status);
        fb->served++;
        n++;
    }
    if (rc < 0)
        return -1;
    fbb_push(fb, qi);
    return n;
}
