// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_netback.c - netback and Xen stand-ins for netfront's
 * host tests.
 *
 * Pages, grants and event channels are test/fakes/fake_env.c's, shared
 * with every fake backend. The backend side follows Linux
 * netback's observable behaviour: TX responses per data slot plus a
 * NETIF_RSP_NULL for each extra-info slot; RX responses in the slot of
 * the request they consume, extras overlaying a consumed request. Errors
 * in what the FRONTEND produced are reported on stderr and as -1, so the
 * test fails with a reason instead of the fake guessing.
 * Reference: xen/include/public/io/netif.h, io/ring.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_netback.h"
#include "xen/gnttab.h"

#define PG NETFRONT_PAGE_SIZE

void fnb_init(struct fake_netback *fb)
{
    memset(fb, 0, sizeof(*fb));
    fake_env_init(&fb->env);
}

void fnb_fini(struct fake_netback *fb)
{
    fake_env_fini(&fb->env);
}

struct xenbus_front_env fnb_ops(struct fake_netback *fb)
{
    return fake_env_ops(&fb->env);
}

void *fnb_page(struct fake_netback *fb, grant_ref_t ref, bool write)
{
    return fake_env_page(&fb->env, ref, write);
}

int fnb_attach(struct fake_netback *fb, unsigned int qi, grant_ref_t tx_ref,
               grant_ref_t rx_ref)
{
    void *tx = fnb_page(fb, tx_ref, true), *rx = fnb_page(fb, rx_ref, true);

    if (qi >= NETFRONT_MAX_QUEUES || !tx || !rx)
        return -1;
    BACK_RING_INIT(&fb->tx[qi], (netif_tx_sring_t *)tx, PG);
    BACK_RING_INIT(&fb->rx[qi], (netif_rx_sring_t *)rx, PG);
    return 0;
}

void fnb_fire(struct fake_netback *fb, evtchn_port_t port)
{
    fake_env_fire(&fb->env, port);
}

/* ---- TX ---- */

static int tx_fail(const char *why, unsigned int a, unsigned int b)
{
    fprintf(stderr, "fake_netback: frontend TX error: %s (%u, %u)\n", why, a,
            b);
    return -1;
}

int fnb_tx_pop(struct fake_netback *fb, unsigned int qi, struct fnb_tx_pkt *out)
{
    netif_tx_back_ring_t *r = &fb->tx[qi];
    netif_tx_request_t req[NETFRONT_MAX_SLOTS + 1];
    RING_IDX prod = r->sring->req_prod, i = r->req_cons;
    unsigned int n = 0;
    uint32_t rest = 0;
    uint16_t flags;

    if (i == prod)
        return 0;
    out->has_gso = false;
    req[n++] = *RING_GET_REQUEST(r, i++);
    out->first_flags = flags = req[0].flags;
    if (flags & NETTXF_extra_info) {
        if (i == prod)
            return 0;
        memcpy(&out->gso, RING_GET_REQUEST(r, i++), sizeof(out->gso));
        if (out->gso.type != XEN_NETIF_EXTRA_TYPE_GSO ||
            (out->gso.flags & XEN_NETIF_EXTRA_FLAG_MORE))
            return tx_fail("unexpected extra", out->gso.type, out->gso.flags);
        out->has_gso = true;
    }
    while (flags & NETTXF_more_data) {
        if (i == prod)
            return 0;
        if (n >= NETFRONT_MAX_SLOTS)
            return tx_fail("more than NR_SLOTS_MIN slots", n, 0);
        req[n] = *RING_GET_REQUEST(r, i++);
        flags = req[n].flags;
        rest += req[n].size;
        n++;
    }
    if (rest > req[0].size)
        return tx_fail("slot sizes exceed the packet size", rest, req[0].size);
    out->len = 0;
    for (unsigned int s = 0; s < n; s++) {
        uint16_t size = s ? req[s].size : (uint16_t)(req[0].size - rest);
        const uint8_t *pg;

        if (req[s].offset + (uint32_t)size > PG)
            return tx_fail("request crosses a page boundary", req[s].offset,
                           size);
        if (req[s].gref >= FAKE_ENV_GNT_ENTRIES ||
            !(fb->env.gnt[req[s].gref].flags & GTF_readonly))
            return tx_fail("tx buffer not granted read-only", req[s].gref, 0);
        pg = fnb_page(fb, req[s].gref, false);
        if (!pg)
            return tx_fail("bad tx grant", req[s].gref, s);
        memcpy(out->data + out->len, pg + req[s].offset, size);
        out->len += size;
        out->ids[s] = req[s].id;
        out->slot_size[s] = size;
    }
    out->nslots = n;
    r->req_cons = i;
    return 1;
}

void fnb_tx_respond(struct fake_netback *fb, unsigned int qi, uint16_t id,
                    int16_t status)
{
    netif_tx_back_ring_t *r = &fb->tx[qi];
    netif_tx_response_t *rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt++);

    rsp->id = id;
    rsp->status = status;
}

void fnb_tx_complete(struct fake_netback *fb, unsigned int qi,
                     const struct fnb_tx_pkt *p, int16_t status)
{
    for (unsigned int s = 0; s < p->nslots; s++) {
        fnb_tx_respond(fb, qi, p->ids[s], status);
        /* Linux netback: the extra slot's response is NULL, id stale. */
        if (s == 0 && p->has_gso)
            fnb_tx_respond(fb, qi, 0xbeef, NETIF_RSP_NULL);
    }
}

void fnb_tx_push(struct fake_netback *fb, unsigned int qi)
{
    int notify;

    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&fb->tx[qi], notify);
    if (notify)
        fb->be_notifies++;
}

/* ---- RX ---- */

unsigned int fnb_rx_posted(struct fake_netback *fb, unsigned int qi)
{
    netif_rx_back_ring_t *r = &fb->rx[qi];

    return r->sring->req_prod - r->req_cons;
}

int fnb_rx_put(struct fake_netback *fb, unsigned int qi, const void *data,
               size_t len, size_t slot_max, uint16_t flags,
               const netif_extra_info_t *extra)
{
    netif_rx_back_ring_t *r = &fb->rx[qi];
    size_t room = PG - fb->rx_offset, per = slot_max < room ? slot_max : room;
    size_t need = (len + per - 1) / per + (extra ? 1 : 0), off = 0;
    bool first = true;
    int slots = 0;

    if (len == 0)
        need = 1 + (extra ? 1 : 0);
    if (fnb_rx_posted(fb, qi) < need)
        return -1;
    do {
        netif_rx_request_t req = *RING_GET_REQUEST(r, r->req_cons++);
        netif_rx_response_t *rsp;
        uint8_t *pg = fnb_page(fb, req.gref, true);
        size_t n = len - off < per ? len - off : per;

        if (!pg) {
            fprintf(stderr, "fake_netback: rx request %u: bad grant %u\n",
                    req.id, req.gref);
            return -1;
        }
        memcpy(pg + fb->rx_offset, (const uint8_t *)data + off, n);
        rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt++);
        rsp->id = req.id;
        rsp->offset = (uint16_t)fb->rx_offset;
        rsp->status = (int16_t)n;
        rsp->flags = (uint16_t)((first ? flags : 0) |
                                (first && extra ? NETRXF_extra_info : 0) |
                                (off + n < len ? NETRXF_more_data : 0));
        off += n;
        slots++;
        if (first && extra) {
            /* The extra takes the next request's slot. */
            r->req_cons++;
            memcpy(RING_GET_RESPONSE(r, r->rsp_prod_pvt++), extra,
                   sizeof(*extra));
            slots++;
        }
        first = false;
    } while (off < len);
    return slots;
}

void fnb_rx_push(struct fake_netback *fb, unsigned int qi)
{
    int notify;

    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&fb->rx[qi], notify);
    if (notify)
        fb->be_notifies++;
}
