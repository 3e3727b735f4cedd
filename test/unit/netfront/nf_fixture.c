// SPDX-License-Identifier: MIT
/*
 * test/unit/netfront/nf_fixture.c - the connected netfront both data-path
 * test files start from (see nf_fixture.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nf_fixture.h"
#include "xen/gnttab.h"

static void cb_rx(struct xn_netdev *dev, const struct xn_rx_pkt *p, void *arg)
{
    struct fx *f = arg;
    size_t off = 0;

    (void)dev;
    f->rx_count++;
    for (unsigned int i = 0; i < p->nr_frags; i++) {
        assert_true(off + p->frags[i].len <= sizeof(f->rx_data));
        memcpy(f->rx_data + off, p->frags[i].data, p->frags[i].len);
        off += p->frags[i].len;
    }
    assert_int_equal(off, p->len);
    f->rx_len = p->len;
    f->rx_frags = p->nr_frags;
    f->rx_flags = p->flags;
    f->rx_gso = p->gso_size;
}

static void cb_link(struct xn_netdev *dev, bool up, void *arg)
{
    struct fx *f = arg;

    (void)dev;
    if (up)
        f->link_up++;
    else
        f->link_down++;
}

static void cb_kick(struct xn_netdev *dev, void *arg)
{
    (void)dev;
    ((struct fx *)arg)->kicks++;
}

/* A connected device with nq queues and the given backend features. */
struct fx *make(unsigned int nq, bool sg, bool gso, bool split)
{
    return make_bufs(nq, sg, gso, split, 0, 0);
}

struct fx *make_bufs(unsigned int nq, bool sg, bool gso, bool split,
                     unsigned int rx_bufs, unsigned int tx_bufs)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xenbus_front_env ops;
    struct netfront_config cfg = {
        .max_queues = nq, .rx_bufs = rx_bufs, .tx_bufs = tx_bufs};

    assert_non_null(f);
    fnb_init(&f->fb);
    f->nr_free0 = gnttab_nr_free();
    ops = fnb_ops(&f->fb);
    assert_int_equal(netfront_init(&f->nf, &ops, &cfg), 0);
    strcpy(f->nf.fe.xb.nodename, "device/vif/0");
    f->nf.dev.cb = (struct xn_netdev_callbacks){
        .rx = cb_rx, .link = cb_link, .kick = cb_kick, .arg = f};
    f->nf.nr_queues = nq;
    f->nf.feat_sg = sg;
    f->nf.feat_gso4 = gso;
    f->nf.feat_split_evtchn = split;
    f->nf.feat_tx_csum4 = true;
    f->nf.dev.features = XN_NETDEV_F_TX_CSUM4 | XN_NETDEV_F_RX_CSUM |
                         (sg ? XN_NETDEV_F_SG : 0) |
                         (gso ? XN_NETDEV_F_TSO4 : 0);
    assert_int_equal(netfront_rings_setup(&f->nf, FNB_DOMID), 0);
    for (unsigned int i = 0; i < nq; i++)
        assert_int_equal(fnb_attach(&f->fb, i, f->nf.q[i].tx_ring_ref,
                                    f->nf.q[i].rx_ring_ref),
                         0);
    netfront_set_link(&f->nf, true);
    return f;
}

int setup(void **state)
{
    *state = make(1, true, true, false);
    return 0;
}

int teardown(void **state)
{
    struct fx *f = *state;

    netfront_rings_teardown(&f->nf);
    xenbus_front_fini(&f->nf.fe);
    fnb_fini(&f->fb);
    free(f);
    return 0;
}

uint8_t pattern[70000];

struct xn_pkt pkt_of(const size_t *lens, unsigned int n)
{
    struct xn_pkt p = {.nr_frags = n};
    size_t off = 0;

    for (unsigned int i = 0; i < n; i++) {
        p.frags[i].data = pattern + off;
        p.frags[i].len = lens[i];
        off += lens[i];
    }
    return p;
}

struct netfront_queue *q0(struct fx *f)
{
    return &f->nf.q[0];
}

void expect_broken(struct fx *f, int rc)
{
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);

    assert_int_equal(rc, -EIO);
    assert_true(f->nf.fe.broken);
    assert_false(f->nf.dev.link_up);
    assert_int_equal(f->link_down, 1);
    assert_int_equal(f->fb.env.logs, 1);
    /* Everything after is -EIO and logs nothing more. */
    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), -EIO);
    assert_int_equal(xn_netdev_poll(&f->nf.dev, 8), -EIO);
    assert_int_equal(netfront_fail(&f->nf, "again"), -EIO);
    assert_int_equal(f->fb.env.logs, 1);
}

void send_one(struct fx *f)
{
    size_t lens[] = {60};
    struct xn_pkt p = pkt_of(lens, 1);

    assert_int_equal(xn_netdev_tx(&f->nf.dev, &p), 0);
    assert_int_equal(fnb_tx_pop(&f->fb, 0, &f->tp), 1);
}
