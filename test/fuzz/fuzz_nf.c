// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_nf.c - the snapshotted netfront of the netfront fuzz
 * targets and their shared invariants (see fuzz_nf.h).
 */
#include <errno.h>

#include "fuzz_common.h"
#include "fuzz_nf.h"
#include "xen/gnttab.h"

static struct fuzz_nf *dev;
static struct netfront snap_nf;
static netif_tx_back_ring_t snap_tx;
static netif_rx_back_ring_t snap_rx;
static uint8_t snap_tx_ring[NETFRONT_PAGE_SIZE], snap_rx_ring[4096];

/* Every fragment lies inside one RX page, the lengths add up. */
FUZZ_NOCOV static void cb_rx(struct xn_netdev *d, const struct xn_rx_pkt *p,
                             void *arg)
{
    struct fuzz_nf *f = arg;
    struct netfront_queue *q = &f->nf.q[0];
    size_t total = 0;
    volatile uint8_t sink = 0;

    (void)d;
    f->rx_packets++;
    FUZZ_CHECK(p->nr_frags >= 1 && p->nr_frags <= NETFRONT_MAX_SLOTS,
               "%u frags", p->nr_frags);
    for (unsigned int i = 0; i < p->nr_frags; i++) {
        const uint8_t *a = p->frags[i].data;
        bool inside = false;

        for (unsigned int s = 0; s < NETFRONT_RX_RING_SIZE && !inside; s++) {
            const uint8_t *pg = q->rx_buf[s];

            inside = a >= pg && a + p->frags[i].len <= pg + NETFRONT_PAGE_SIZE;
        }
        FUZZ_CHECK(inside, "frag %u (%zu bytes) outside every rx page", i,
                   p->frags[i].len);
        for (size_t k = 0; k < p->frags[i].len; k += 512)
            sink ^= a[k]; /* ASan sees every fragment */
        total += p->frags[i].len;
    }
    (void)sink;
    FUZZ_CHECK(total == p->len && total > 0 && total <= XN_NETDEV_MAX_PKT,
               "len %zu, frags add to %zu", p->len, total);
    if (p->flags & (XN_PKT_GSO_TCPV4 | XN_PKT_GSO_TCPV6))
        FUZZ_CHECK(p->gso_size > 0, "GSO without size");
}

static void cb_link(struct xn_netdev *d, bool up, void *arg)
{
    struct fuzz_nf *f = arg;

    (void)d;
    if (up)
        f->link_up++;
    else
        f->link_down++;
}

static void build(void)
{
    struct netfront_config cfg = {.max_queues = 1};
    struct xenbus_front_env ops;
    struct netfront *nf;

    dev = calloc(1, sizeof(*dev));
    FUZZ_CHECK(dev != NULL, "calloc");
    nf = &dev->nf;
    fnb_init(&dev->fb);
    ops = fnb_ops(&dev->fb);
    FUZZ_CHECK(netfront_init(nf, &ops, &cfg) == 0, "netfront_init");
    strcpy(nf->fe.xb.nodename, "device/vif/0");
    nf->dev.cb =
        (struct xn_netdev_callbacks){.rx = cb_rx, .link = cb_link, .arg = dev};
    nf->nr_queues = 1;
    nf->feat_sg = nf->feat_gso4 = nf->feat_tx_csum4 = true;
    nf->dev.features = XN_NETDEV_F_TX_CSUM4 | XN_NETDEV_F_RX_CSUM |
                       XN_NETDEV_F_SG | XN_NETDEV_F_TSO4;
    FUZZ_CHECK(netfront_rings_setup(nf, FNB_DOMID) == 0, "rings");
    FUZZ_CHECK(fnb_attach(&dev->fb, 0, nf->q[0].tx_ring_ref,
                          nf->q[0].rx_ring_ref) == 0,
               "attach");
    netfront_set_link(nf, true);
    snap_nf = *nf;
    snap_tx = dev->fb.tx[0];
    snap_rx = dev->fb.rx[0];
    memcpy(snap_tx_ring, nf->q[0].tx_sring, sizeof(snap_tx_ring));
    memcpy(snap_rx_ring, nf->q[0].rx_sring, sizeof(snap_rx_ring));
}

struct fuzz_nf *fuzz_nf_get(void)
{
    if (!dev)
        build();
    dev->nf = snap_nf;
    dev->fb.tx[0] = snap_tx;
    dev->fb.rx[0] = snap_rx;
    memcpy(dev->nf.q[0].tx_sring, snap_tx_ring, sizeof(snap_tx_ring));
    memcpy(dev->nf.q[0].rx_sring, snap_rx_ring, sizeof(snap_rx_ring));
    dev->fb.env.logs = 0;
    dev->link_up = dev->link_down = dev->rx_packets = 0;
    return dev;
}

FUZZ_NOCOV void fuzz_nf_check(struct fuzz_nf *f, int rc)
{
    struct netfront_queue *q = &f->nf.q[0];
    unsigned int inflight = 0;

    FUZZ_CHECK(rc >= 0 || rc == -EIO || rc == -EAGAIN || rc == -EMSGSIZE ||
                   rc == -EINVAL || rc == -EOPNOTSUPP,
               "rc %d", rc);
    if (f->nf.fe.broken) {
        FUZZ_CHECK(!f->nf.dev.link_up && f->link_down == 1,
                   "broken with the link up (%u downs)", f->link_down);
        FUZZ_CHECK(f->fb.env.logs == 1, "broken, logged %u times",
                   f->fb.env.logs);
        return;
    }
    FUZZ_CHECK(rc != -EIO, "-EIO from a healthy device");
    FUZZ_CHECK(f->fb.env.logs == 0, "healthy device logged");
    /* TX books: every id is either free or in flight, never both. */
    FUZZ_CHECK(q->tx_nr_free <= NETFRONT_TX_RING_SIZE, "tx free %u",
               q->tx_nr_free);
    for (unsigned int i = 0; i < NETFRONT_TX_RING_SIZE; i++)
        inflight += q->tx_inflight[i];
    FUZZ_CHECK(inflight + q->tx_nr_free == NETFRONT_TX_RING_SIZE,
               "tx ids: %u in flight + %u free", inflight, q->tx_nr_free);
    for (unsigned int i = 0; i < q->tx_nr_free; i++)
        FUZZ_CHECK(q->tx_free[i] < NETFRONT_TX_RING_SIZE &&
                       !q->tx_inflight[q->tx_free[i]],
                   "free tx id %u in flight", q->tx_free[i]);
    /* Requests made minus responses taken never exceed the ring. */
    FUZZ_CHECK(q->tx.req_prod_pvt - q->tx.rsp_cons <= NETFRONT_TX_RING_SIZE,
               "tx ring over-committed");
    /* RX: after a poll the ring holds a request in every slot again. */
    FUZZ_CHECK(q->rx.req_prod_pvt - q->rx.rsp_cons <= NETFRONT_RX_RING_SIZE,
               "rx ring over-committed");
}
