// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_nf.h - the connected netfront both netfront fuzz
 * targets (fuzz_netfront_rx.c, fuzz_netfront_tx.c) start every input
 * from, over the fake netback, plus the invariants they share.
 *
 * Design choice: building a device grants 512 pages, far too slow per
 * input, so it is built once and then snapshotted: the driver state and
 * the two shared ring pages are copied back before each input. That is
 * exact because the data path neither allocates nor grants (persistent
 * buffers, see drivers/netfront/netfront.h) - the snapshot restores
 * everything an input can change.
 */
#ifndef FUZZ_FUZZ_NF_H
#define FUZZ_FUZZ_NF_H

#include <stdbool.h>
#include <stdint.h>

#include "fake_netback.h"

struct fuzz_nf {
    struct fake_netback fb;
    struct netfront nf;
    unsigned int link_up, link_down, rx_packets;
};

/* The device, connected once (1 queue, SG, GSO, TX checksum offload),
 * reset to its fresh state on every call. */
struct fuzz_nf *fuzz_nf_get(void);

/* The driver's promises after any call that returned rc: -EIO and
 * broken (link down, logged once) or healthy with consistent books. */
void fuzz_nf_check(struct fuzz_nf *f, int rc);

#endif /* FUZZ_FUZZ_NF_H */
