// SPDX-License-Identifier: MIT
/*
 * test/unit/netfront/nf_fixture.h - a connected netfront over the fake
 * netback, without xenstore (features set directly, rings set up and
 * attached through the grant table), shared by test_netfront.c
 * (transmit, lifecycle) and test_netfront_rx.c (receive). The callbacks
 * record what the stack would see.
 */
#ifndef NETFRONT_NF_FIXTURE_H
#define NETFRONT_NF_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_netback.h"

#define RING 256u

struct fx {
    struct fake_netback fb;
    struct netfront nf;
    struct fnb_tx_pkt tp;
    unsigned int nr_free0;
    /* what the rx callback saw */
    unsigned int rx_count;
    uint8_t rx_data[70000];
    size_t rx_len;
    unsigned int rx_frags;
    uint32_t rx_flags;
    uint16_t rx_gso;
    unsigned int link_up, link_down, kicks;
};

extern uint8_t pattern[70000];

/* A connected netfront with nq queues and the given features. */
struct fx *make(unsigned int nq, bool sg, bool gso, bool split);
/* The same with rx_bufs/tx_bufs buffer pages per queue (0: the ring). */
struct fx *make_bufs(unsigned int nq, bool sg, bool gso, bool split,
                     unsigned int rx_bufs, unsigned int tx_bufs);
int setup(void **state);
int teardown(void **state);
/* A packet of n fragments of lens[i] bytes cut from pattern. */
struct xn_pkt pkt_of(const size_t *lens, unsigned int n);
struct netfront_queue *q0(struct fx *f);
/* rc is -EIO, the device broken, logged once, -EIO for everything after. */
void expect_broken(struct fx *f, int rc);
/* One 60-byte packet sent and popped by the backend into f->tp. */
void send_one(struct fx *f);

#endif /* NETFRONT_NF_FIXTURE_H */
