// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_netfront_tx.c - libFuzzer target of netfront's transmit
 * path and TX response consumer (netfront_tx() and netfront_tx_reclaim()
 * in drivers/netfront/netfront.c): the fuzzer is both the stack handing
 * packets to the driver and netback answering them.
 *
 * Design choice: the input is a script - submit a packet (fragments,
 * checksum and GSO flags, MSS), let the fake netback pop what is on the
 * ring, answer a popped packet properly or write any (id, status), push,
 * corrupt rsp_prod, reclaim or poll. Checked: every request the driver
 * puts on the ring is valid for the backend (fnb_tx_pop never reports a
 * frontend protocol error) and carries exactly the bytes submitted, in
 * order; results are the documented errors; the device is broken (-EIO
 * forever) or healthy with consistent id books (fuzz_nf_check).
 * Reference: xen/include/public/io/netif.h, io/ring.h.
 */
#include <errno.h>

#include "fuzz_common.h"
#include "fuzz_nf.h"

#define MAX_FRAGS 20
#define FRAG_MAX  9000
#define NPOP      8

static uint8_t pattern[MAX_FRAGS * FRAG_MAX];
static struct fnb_tx_pkt popped[NPOP];
static size_t exp_start[NETFRONT_TX_RING_SIZE], exp_len[NETFRONT_TX_RING_SIZE];
static unsigned int exp_head, exp_tail, npopped;
static bool answered[NPOP];
/* Until the backend lies (a forged id, a duplicate answer, a bad
 * rsp_prod), the driver promises valid requests carrying the submitted
 * bytes. After a lie it may legitimately reuse a buffer the liar still
 * owes us, so only the no-crash and books invariants remain. */
static bool honest;

static int submit(struct fuzz_nf *f, struct fuzz_in *in)
{
    struct xn_pkt p = {.nr_frags = fuzz_u8(in) % MAX_FRAGS + 1};
    size_t start = fuzz_u16(in) % 4096, off = start;
    uint8_t fl = fuzz_u8(in);
    int rc;

    for (unsigned int i = 0; i < p.nr_frags && i < XN_PKT_MAX_FRAGS; i++) {
        p.frags[i].data = pattern + off;
        p.frags[i].len = fuzz_u16(in) % FRAG_MAX;
        off += p.frags[i].len;
    }
    if (p.nr_frags > XN_PKT_MAX_FRAGS)
        p.nr_frags = XN_PKT_MAX_FRAGS;
    p.flags = (fl & 1 ? XN_PKT_CSUM_PARTIAL : 0) |
              (fl & 2 ? XN_PKT_CSUM_VALID : 0) |
              (fl & 4 ? XN_PKT_GSO_TCPV4 : 0) | (fl & 8 ? XN_PKT_GSO_TCPV6 : 0);
    p.gso_size = fl & 16 ? fuzz_u16(in) : 0;
    rc = xn_netdev_tx(&f->nf.dev, &p);
    if (rc == 0) {
        exp_start[exp_tail % NETFRONT_TX_RING_SIZE] = start;
        exp_len[exp_tail % NETFRONT_TX_RING_SIZE] = off - start;
        exp_tail++;
    }
    return rc;
}

FUZZ_NOCOV static void check_bytes(const struct fnb_tx_pkt *p, size_t s)
{
    if (memcmp(p->data, pattern + s, p->len) == 0)
        return;
    for (size_t k = 0; k < p->len; k++)
        FUZZ_CHECK(p->data[k] == pattern[s + k],
                   "packet of %zu bytes (%u slots, first %u bytes) "
                   "differs at byte %zu",
                   p->len, p->nslots, p->slot_size[0], k);
}

static void pop(struct fuzz_nf *f)
{
    struct fnb_tx_pkt *p = &popped[npopped % NPOP];
    int rc = fnb_tx_pop(&f->fb, 0, p);
    size_t s, n;

    if (!honest)
        return;
    FUZZ_CHECK(rc != -1, "netfront put an invalid request on the ring");
    if (rc == 0)
        return;
    answered[npopped % NPOP] = false;
    FUZZ_CHECK(exp_head != exp_tail, "a request nobody submitted");
    s = exp_start[exp_head % NETFRONT_TX_RING_SIZE];
    n = exp_len[exp_head % NETFRONT_TX_RING_SIZE];
    exp_head++;
    FUZZ_CHECK(p->len == n, "packet of %zu bytes arrived as %zu", n, p->len);
    check_bytes(p, s);
    npopped++;
}

FUZZ_NOCOV static void fill_pattern(void)
{
    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 131 + (i >> 8) + 1);
}

/* Requests the backend consumed and has not answered yet. */
static unsigned int unanswered(struct fuzz_nf *f)
{
    return f->fb.tx[0].req_cons - f->fb.tx[0].rsp_prod_pvt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_nf *f = fuzz_nf_get();
    struct netfront_queue *q = &f->nf.q[0];
    struct fuzz_in in = {data, size};
    bool was_broken = false;
    static const int16_t st[] = {NETIF_RSP_OKAY, NETIF_RSP_ERROR,
                                 NETIF_RSP_DROPPED, NETIF_RSP_NULL, 7};

    if (!pattern[1])
        fill_pattern();
    exp_head = exp_tail = npopped = 0;
    honest = true;
    for (unsigned int step = 0; step < 256 && fuzz_left(&in); step++) {
        uint8_t op = fuzz_u8(&in);
        int rc = 0;

        switch (op % 8) {
        case 0:
            rc = submit(f, &in);
            break;
        case 1:
            pop(f);
            continue;
        case 2: {
            unsigned int have = npopped < NPOP ? npopped : NPOP;
            unsigned int k =
                have ? (npopped - 1 - fuzz_u8(&in) % have) % NPOP : 0;
            struct fnb_tx_pkt *p = &popped[k];
            int16_t s = st[fuzz_u8(&in) % 5];

            /* A backend answers slots it consumed: more responses than
             * that would overwrite requests it has not read yet (the
             * driver's side of that is the rsp_prod check, case 5). */
            if (npopped && unanswered(f) >= p->nslots + p->has_gso) {
                honest &= !answered[k] && s != NETIF_RSP_NULL && s != 7;
                answered[k] = true;
                fnb_tx_complete(&f->fb, 0, p, s);
            }
            continue;
        }
        case 3: {
            uint16_t id = fuzz_u16(&in);
            int16_t s = (int16_t)fuzz_u16(&in);

            honest = false;
            if (unanswered(f))
                fnb_tx_respond(&f->fb, 0, op & 8 ? id : id % 256, s);
            continue;
        }
        case 4:
            fnb_tx_push(&f->fb, 0);
            continue;
        case 5:
            honest = false;
            q->tx.sring->rsp_prod =
                op & 8 ? fuzz_u32(&in)
                       : f->fb.tx[0].rsp_prod_pvt + (int8_t)fuzz_u8(&in);
            continue;
        case 6:
            rc = netfront_tx_reclaim(q);
            break;
        default:
            rc = netfront_poll(&f->nf, 0);
            break;
        }
        fuzz_nf_check(f, rc);
        if (was_broken)
            FUZZ_CHECK(rc == -EIO, "call on a broken device: %d", rc);
        was_broken = f->nf.fe.broken;
    }
    return 0;
}
