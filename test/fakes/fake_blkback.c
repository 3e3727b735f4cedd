// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_blkback.c - blkback and Xen stand-ins for blkfront's
 * host tests.
 *
 * Pages are plain aligned heap blocks numbered by allocation order
 * (frame = FBB_FRAME_BASE + index, never reused), so a grant entry's
 * frame leads back to exactly one page. The backend follows Linux
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

static void *op_alloc_pages(void *arg, unsigned int order)
{
    struct fake_blkback *fb = arg;
    unsigned int n = 1u << order;
    uint8_t *p;

    if (fb->alloc_budget == 0)
        return NULL;
    if (fb->alloc_budget > 0)
        fb->alloc_budget--;
    if (fb->nr_pages + n > FBB_MAX_PAGES) {
        fprintf(stderr, "fake_blkback: out of page slots\n");
        abort();
    }
    p = aligned_alloc(PG, (size_t)PG * n);
    if (!p)
        abort();
    memset(p, 0, (size_t)PG * n);
    fb->block_start[fb->nr_pages] = true;
    for (unsigned int i = 0; i < n; i++)
        fb->pages[fb->nr_pages++] = p + (size_t)i * PG;
    fb->live_pages += n;
    return p;
}

static long page_index(struct fake_blkback *fb, const void *p)
{
    for (unsigned int i = 0; i < fb->nr_pages; i++)
        if (fb->pages[i] == p)
            return i;
    return -1;
}

static void op_free_pages(void *arg, void *pages, unsigned int order)
{
    struct fake_blkback *fb = arg;
    long i = page_index(fb, pages);
    unsigned int n = 1u << order;

    if (i < 0 || (unsigned long)i + n > fb->nr_pages || !fb->block_start[i]) {
        fprintf(stderr, "fake_blkback: free of unknown block %p\n", pages);
        abort();
    }
    for (unsigned int k = 0; k < n; k++) {
        if (fb->pages[i + k] != (uint8_t *)pages + (size_t)k * PG) {
            fprintf(stderr, "fake_blkback: bad order %u for %p\n", order,
                    pages);
            abort();
        }
        fb->pages[i + k] = NULL;
    }
    fb->block_start[i] = false;
    fb->live_pages -= n;
    free(pages);
}

static unsigned long op_virt_to_frame(void *arg, const void *va)
{
    struct fake_blkback *fb = arg;
    long i = page_index(fb, va);

    if (i < 0) {
        fprintf(stderr, "fake_blkback: frame of unknown page %p\n", va);
        abort();
    }
    return FBB_FRAME_BASE + (unsigned long)i;
}

static int op_evtchn_open(void *arg, domid_t remote, struct blkfront_queue *q,
                          evtchn_port_t *port)
{
    struct fake_blkback *fb = arg;

    if (remote != FBB_DOMID)
        return -EINVAL;
    if (fb->next_port >= FBB_MAX_PORTS)
        return -ENOSPC;
    *port = fb->next_port++;
    fb->port_q[*port] = q;
    fb->port_open[*port] = true;
    fb->opened++;
    return 0;
}

static void op_evtchn_close(void *arg, evtchn_port_t port)
{
    struct fake_blkback *fb = arg;

    if (port >= FBB_MAX_PORTS || !fb->port_open[port]) {
        fprintf(stderr, "fake_blkback: close of port %u not open\n", port);
        abort();
    }
    fb->port_open[port] = false;
    fb->port_q[port] = NULL;
    fb->closed++;
}

static void op_notify(void *arg, evtchn_port_t port)
{
    struct fake_blkback *fb = arg;

    if (port >= FBB_MAX_PORTS || !fb->port_open[port]) {
        fprintf(stderr, "fake_blkback: notify on port %u not open\n", port);
        abort();
    }
    fb->notifies[port]++;
}

/* The backend runs while the frontend blocks (or the clock runs out). */
static int op_wait(void *arg, uint64_t timeout_ns)
{
    struct fake_blkback *fb = arg;

    (void)timeout_ns;
    fb->waits++;
    if (!fb->serve_on_wait)
        return -ETIMEDOUT;
    for (unsigned int qi = 0; qi < BLKFRONT_MAX_QUEUES; qi++) {
        if (!fb->attached[qi])
            continue;
        if (fbb_serve(fb, qi) < 0)
            abort(); /* the frontend broke the protocol: see stderr */
    }
    for (unsigned int p = 0; p < fb->next_port; p++)
        if (fb->port_open[p])
            fbb_fire(fb, p);
    return 0;
}

static void op_log(void *arg, const char *msg)
{
    struct fake_blkback *fb = arg;

    snprintf(fb->last_log, sizeof(fb->last_log), "%s", msg);
    fb->logs++;
}

struct blkfront_ops fbb_ops(struct fake_blkback *fb)
{
    return (struct blkfront_ops){
        .alloc_pages = op_alloc_pages,
        .free_pages = op_free_pages,
        .virt_to_frame = op_virt_to_frame,
        .evtchn_open = op_evtchn_open,
        .evtchn_close = op_evtchn_close,
        .notify = op_notify,
        .wait = op_wait,
        .log = op_log,
        .arg = fb,
    };
}

void fbb_init(struct fake_blkback *fb, uint64_t disk_bytes)
{
    memset(fb, 0, sizeof(*fb));
    fb->alloc_budget = -1;
    fb->disk_bytes = disk_bytes;
    fb->disk = calloc(1, disk_bytes ? disk_bytes : 1);
    if (!fb->disk)
        abort();
    gnttab_init(fb->gnt, FBB_GNT_ENTRIES);
}

void fbb_fini(struct fake_blkback *fb)
{
    for (unsigned int i = 0; i < fb->nr_pages; i++)
        if (fb->pages[i] && fb->block_start[i])
            free(fb->pages[i]);
    free(fb->disk);
}

void *fbb_page(struct fake_blkback *fb, grant_ref_t ref, bool write)
{
    grant_entry_v1_t *e;
    unsigned long idx;

    if (ref >= FBB_GNT_ENTRIES)
        return NULL;
    e = &fb->gnt[ref];
    if (!(e->flags & GTF_permit_access) || e->domid != FBB_DOMID)
        return NULL;
    if (write && (e->flags & GTF_readonly))
        return NULL;
    idx = e->frame - FBB_FRAME_BASE;
    if (e->frame < FBB_FRAME_BASE || idx >= fb->nr_pages)
        return NULL;
    return fb->pages[idx];
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
    if (port < FBB_MAX_PORTS && fb->port_open[port] && fb->port_q[port])
        blkfront_queue_event(fb->port_q[port]);
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
        fb->gnt[ref].flags |= GTF_reading;
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
