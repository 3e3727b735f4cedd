// SPDX-License-Identifier: MIT
/*
 * kernel/memprof.c - memprof_choose(): the pure sizing of the memory
 * profile (contract and rationale in kernel/memprof.h).
 *
 * Design choice: netfront's rings always have 256 slots (one page,
 * io/netif.h), but a small domain posts and owns only part of them:
 * 64 RX and 64 TX pages are 512 KiB instead of 2 MiB per queue, which is
 * what makes a 4 MB domain possible; the backend simply sees fewer
 * outstanding RX requests. lwIP gets a quarter of a small domain, a
 * third of a default one and half of a large one.
 * Reference: xen/include/public/io/netif.h (ring size).
 */
#include "kernel/memprof.h"

#include <errno.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned int share_div; /* lwIP budget = memory / share_div */
    unsigned int rx_bufs, tx_bufs;
} profiles[] = {
    [MEMPROF_SMALL] = { "small", 4, 64, 64 },
    [MEMPROF_DEFAULT] = { "default", 3, 256, 256 },
    [MEMPROF_LARGE] = { "large", 2, 256, 256 },
};

const char *memprof_name(enum memprof_kind kind)
{
    return (unsigned int)kind < sizeof(profiles) / sizeof(profiles[0])
               ? profiles[kind].name
               : "?";
}

static enum memprof_kind auto_kind(size_t mem_bytes)
{
    if (mem_bytes < MEMPROF_SMALL_BELOW)
        return MEMPROF_SMALL;
    if (mem_bytes >= MEMPROF_LARGE_FROM)
        return MEMPROF_LARGE;
    return MEMPROF_DEFAULT;
}

int memprof_choose(const char *opt, size_t mem_bytes, struct memprof *out)
{
    enum memprof_kind kind = auto_kind(mem_bytes);
    size_t net, sockets;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (opt) {
        int found = 0;

        for (unsigned int k = 0; k < sizeof(profiles) / sizeof(profiles[0]);
             k++)
            if (strcmp(opt, profiles[k].name) == 0) {
                kind = (enum memprof_kind)k;
                found = 1;
            }
        if (found)
            out->forced = 1;
        else
            rc = -EINVAL; /* keep the automatic choice */
    }
    net = mem_bytes / profiles[kind].share_div;
    if (net < MEMPROF_NET_MIN)
        net = MEMPROF_NET_MIN;
    sockets = net / MEMPROF_BYTES_PER_SOCKET;
    if (sockets < MEMPROF_SOCKETS_MIN)
        sockets = MEMPROF_SOCKETS_MIN;
    if (sockets > MEMPROF_SOCKETS_MAX)
        sockets = MEMPROF_SOCKETS_MAX;
    out->kind = kind;
    out->mem_bytes = mem_bytes;
    out->net_bytes = net;
    out->sockets = (unsigned int)sockets;
    out->nf_rx_bufs = profiles[kind].rx_bufs;
    out->nf_tx_bufs = profiles[kind].tx_bufs;
    return rc;
}
