// SPDX-License-Identifier: MIT
/*
 * drivers/blkfront/blkfront_rsp.c - blkfront's completions: consuming
 * responses, finishing requests, and the optional operations a backend
 * refuses.
 *
 * Design choice: every response is copied once (RING_COPY_RESPONSE) and
 * checked before anything acts on it - the producer against the requests
 * we made, the id against the ring and our in-flight table, the
 * operation against what that id carried, the status against the
 * values io/blkif.h defines. A violation marks the device broken
 * (blkfront_fail), never the domain. A READ's data is copied out of the
 * pool pages only after the grant is released, so a backend that still
 * maps a page cannot change data the caller already has; such a request
 * fails with -EIO.
 * Reference: xen/include/public/io/blkif.h, io/ring.h.
 */
#include <errno.h>
#include <stdio.h>

#include "drivers/blkfront/blkfront.h"

#define PAGE BLKFRONT_PAGE_SIZE

/* ---- completions ---- */

/* io/blkif.h allows EOPNOTSUPP for optional operations: stop using it. */
static int feature_refused(struct blkfront *bf, uint8_t op)
{
    switch (op) {
    case BLKIF_OP_FLUSH_DISKCACHE:
        bf->feat_flush = false;
        break;
    case BLKIF_OP_WRITE_BARRIER:
        bf->feat_barrier = false;
        break;
    case BLKIF_OP_DISCARD:
        bf->feat_discard = false;
        break;
    default:
        return -EIO; /* READ/WRITE are not optional */
    }
    blkfront_log(bf,
                 "blkfront: %s: backend refused operation %u, "
                 "disabling it",
                 bf->fe.xb.nodename, op);
    blkfront_set_ready(bf, true); /* refresh info.flags */
    return -EOPNOTSUPP;
}

/* Finish shadow id of q with a validated status. 0 or -EIO (broken). */
static int complete(struct blkfront_queue *q, uint16_t id, int16_t status)
{
    struct blkfront *bf = q->bf;
    struct blkfront_shadow *sh = &q->shadow[id];
    struct xn_blkreq *req = sh->req;
    int st = status == BLKIF_RSP_OKAY    ? 0
             : status == BLKIF_RSP_ERROR ? -EIO
                                         : feature_refused(bf, sh->op);
    bool mapped = blkfront_shadow_release(bf, sh, true) < 0;

    if (mapped)
        st = -EIO; /* its data can no longer be trusted */
    if (st == 0 && req && sh->data_op == BLKIF_OP_READ)
        for (unsigned int i = 0; i < sh->nr_pages; i++) {
            size_t off = (size_t)i * PAGE;
            size_t n = req->len - off < PAGE ? req->len - off : PAGE;

            memcpy((char *)req->buf + off, sh->page[i].va, n);
        }
    blkfront_shadow_pool(bf, sh);
    sh->inflight = false;
    sh->req = NULL;
    q->free_ids[q->nr_free++] = id;
    if (req) {
        if (st < 0)
            bf->stats.errors++;
        else if (sh->data_op == BLKIF_OP_READ)
            bf->stats.reads++, bf->stats.rd_bytes += req->len;
        else if (sh->data_op == BLKIF_OP_WRITE)
            bf->stats.writes++, bf->stats.wr_bytes += req->len;
        else if (sh->op == BLKIF_OP_DISCARD)
            bf->stats.discards++;
        else
            bf->stats.flushes++;
        req->status = st;
        if (req->done)
            req->done(req, req->arg);
    }
    if (mapped)
        return blkfront_fail(bf,
                             "blkfront: %s: backend kept a grant of "
                             "completed request %u",
                             bf->fe.xb.nodename, id);
    return 0;
}

int blkfront_queue_poll(struct blkfront_queue *q)
{
    struct blkfront *bf = q->bf;
    int done = 0, more;

    if (!bf || bf->fe.broken)
        return -EIO;
    if (!bf->fe.rings || !bf->fe.active)
        return 0;
    q->pending = false;
    do {
        /* One load: the backend may move it while we look. */
        RING_IDX prod =
            __atomic_load_n(&q->ring.sring->rsp_prod, __ATOMIC_RELAXED);
        RING_IDX cons;

        xen_rmb(); /* read responses only after seeing rsp_prod */
        if (XENBUS_FRONT_RSP_PROD_BAD(&q->ring, prod))
            return xenbus_front_bad_prod(
                &bf->fe, "ring", prod, q->ring.rsp_cons, q->ring.req_prod_pvt);
        for (cons = q->ring.rsp_cons; cons != prod; cons++) {
            blkif_response_t rsp;
            struct blkfront_shadow *sh;
            int rc;

            RING_COPY_RESPONSE(&q->ring, cons, &rsp);
            if (rsp.id >= bf->ring_size || !q->shadow[rsp.id].inflight)
                return blkfront_fail(bf,
                                     "blkfront: %s: response id %llu not "
                                     "in flight",
                                     bf->fe.xb.nodename,
                                     (unsigned long long)rsp.id);
            sh = &q->shadow[rsp.id];
            /* blkback answers an indirect request with its inner op. */
            if (rsp.operation != sh->op && rsp.operation != sh->data_op)
                return blkfront_fail(bf,
                                     "blkfront: %s: response op %u for "
                                     "request %llu of op %u",
                                     bf->fe.xb.nodename, rsp.operation,
                                     (unsigned long long)rsp.id, sh->op);
            if (rsp.status != BLKIF_RSP_OKAY && rsp.status != BLKIF_RSP_ERROR &&
                rsp.status != BLKIF_RSP_EOPNOTSUPP)
                return blkfront_fail(bf, "blkfront: %s: response status %d",
                                     bf->fe.xb.nodename, rsp.status);
            /* Consumed before the callback, which may submit or fail. */
            q->ring.rsp_cons = cons + 1;
            rc = complete(q, (uint16_t)rsp.id, rsp.status);
            done++;
            if (rc < 0 || bf->fe.broken)
                return -EIO;
            if (!bf->fe.active)
                return done; /* the callback tore the device down */
        }
        /* Sets rsp_event so the backend notifies the next completion. */
        RING_FINAL_CHECK_FOR_RESPONSES(&q->ring, more);
    } while (more);
    return done;
}

int blkfront_poll(struct blkfront *bf)
{
    int total = 0;

    if (bf->fe.broken)
        return -EIO;
    for (unsigned int i = 0; i < bf->nr_queues && bf->fe.active; i++) {
        int rc = blkfront_queue_poll(&bf->q[i]);

        if (rc < 0)
            return rc;
        total += rc;
    }
    if (bf->nr_parked && bf->fe.active)
        blkfront_replay(bf); /* completions made room on the ring */
    return total;
}
