// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_netfront_rx.c - libFuzzer target of netfront's RX
 * response consumer (drivers/netfront/netfront_rx.c): the fuzzer is
 * netback, writing RX responses, extra-info slots and the producer
 * index into the shared ring of a connected device (test/fuzz/fuzz_nf.c
 * over test/fakes/fake_netback.c).
 *
 * Design choice: the input is a script of backend actions - a well-formed
 * packet through the fake netback (any length, slot size, data offset,
 * flags and GSO extra), a raw 8-byte response, a plausible response in
 * its own slot with fuzzed offset/status/flags, a push, a hostile
 * rsp_prod - interleaved with polls of any budget. Checked after every
 * poll (fuzz_nf_check and here): the device is either broken (-EIO,
 * link down, logged once, -EIO forever) or healthy with every RX slot
 * re-posted; every delivered packet lies inside the RX pages with
 * lengths that add up (cb_rx in fuzz_nf.c).
 * Reference: xen/include/public/io/netif.h, io/ring.h.
 */
#include <errno.h>

#include "fuzz_common.h"
#include "fuzz_nf.h"

static uint8_t data_buf[XN_NETDEV_MAX_PKT];
/* After a raw response or a forged rsp_prod the fake's books no longer
 * match the ring, so it stops writing well-formed packets. */
static bool honest;

static void put_packet(struct fuzz_nf *f, struct fuzz_in *in)
{
    size_t len = fuzz_u16(in) % 20000, slot_max = fuzz_u16(in) % 4096 + 1;
    uint16_t flags = fuzz_u8(in) & (NETRXF_csum_blank | NETRXF_data_validated);
    netif_extra_info_t ex = {0};
    bool extra = false;

    f->fb.rx_offset = fuzz_u16(in) % 4096;
    if (f->fb.rx_offset + 1 > 4096)
        f->fb.rx_offset = 0;
    if (fuzz_u8(in) & 1) {
        extra = true;
        ex.type = fuzz_u8(in) % 6;
        ex.flags = fuzz_u8(in) & 1;
        ex.u.gso.size = fuzz_u16(in);
        ex.u.gso.type = fuzz_u8(in) % 4;
    }
    (void)fnb_rx_put(&f->fb, 0, data_buf, len, slot_max, flags,
                     extra ? &ex : NULL);
}

static void put_raw(struct fuzz_nf *f, struct fuzz_in *in, bool plausible)
{
    netif_rx_back_ring_t *r = &f->fb.rx[0];
    RING_IDX i = r->rsp_prod_pvt++;
    netif_rx_response_t rsp;

    fuzz_bytes(in, &rsp, sizeof(rsp));
    if (fnb_rx_posted(&f->fb, 0) == 0) {
        r->rsp_prod_pvt--; /* answers only what was posted (see case 4) */
        return;
    }
    if (plausible) {
        rsp.id = (uint16_t)(i & (NETFRONT_RX_RING_SIZE - 1));
        rsp.offset %= 4096;
    }
    r->req_cons++; /* the request this answers */
    memcpy(RING_GET_RESPONSE(r, i), &rsp, sizeof(rsp));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_nf *f = fuzz_nf_get();
    struct netfront_queue *q = &f->nf.q[0];
    struct fuzz_in in = {data, size};
    bool was_broken = false;

    honest = true;

    for (unsigned int step = 0; step < 256 && fuzz_left(&in); step++) {
        uint8_t op = fuzz_u8(&in);
        int rc;

        switch (op % 8) {
        case 0:
            if (honest)
                put_packet(f, &in);
            continue;
        case 1:
        case 2:
            put_raw(f, &in, op % 8 == 2);
            honest = false;
            continue;
        case 3:
            fnb_rx_push(&f->fb, 0);
            continue;
        case 4:
            honest = false;
            q->rx.sring->rsp_prod =
                op & 8 ? fuzz_u32(&in)
                       : f->fb.rx[0].rsp_prod_pvt + (int8_t)fuzz_u8(&in);
            continue;
        case 5:
            rc = xn_netdev_poll(&f->nf.dev, fuzz_u8(&in) % 17);
            break;
        default:
            rc = netfront_rx_poll(q, fuzz_u8(&in) % 65);
            break;
        }
        fuzz_nf_check(f, rc);
        if (was_broken)
            FUZZ_CHECK(rc == -EIO, "poll of a broken device: %d", rc);
        was_broken = f->nf.fe.broken;
        if (!was_broken)
            FUZZ_CHECK(q->rx.req_prod_pvt - q->rx.rsp_cons ==
                           NETFRONT_RX_RING_SIZE,
                       "rx slots not re-posted: %u",
                       q->rx.req_prod_pvt - q->rx.rsp_cons);
    }
    return 0;
}
