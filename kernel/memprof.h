// SPDX-License-Identifier: MIT
/*
 * kernel/memprof.h - the memory profile: how much of the domain's memory
 * the network stack, the socket table and netfront's buffers may take.
 *
 * Design choice: one pure function turns the domain's managed memory and
 * the optional kernel option `xenith.mem=small|default|large` into every
 * size those layers use, so the decision is made once, at boot, in one
 * place, is printed on one boot line (memprof_log) and is host-testable.
 * Without the option the profile follows the memory (small below
 * MEMPROF_SMALL_BELOW, large from MEMPROF_LARGE_FROM). Within a profile
 * the lwIP budget is a share of memory and the socket limit follows the
 * budget, so both scale with memory rather than being fixed tables.
 * Documented in docs/config.md ("Memory profile").
 */
#ifndef KERNEL_MEMPROF_H
#define KERNEL_MEMPROF_H

#include <stddef.h>

enum memprof_kind {
    MEMPROF_SMALL,
    MEMPROF_DEFAULT,
    MEMPROF_LARGE,
};

#define MEMPROF_SMALL_BELOW (12u << 20) /* managed bytes */
#define MEMPROF_LARGE_FROM  (96u << 20)
/* lwIP's socket table is static (its NUM_SOCKETS, lib/net/lwipopts.h):
 * the runtime limit never exceeds it. */
#define MEMPROF_SOCKETS_MAX 200u
#define MEMPROF_SOCKETS_MIN 16u
/* Budget per socket the limit is derived from (pcb, netconn, mailboxes
 * and a couple of in-flight segments). */
#define MEMPROF_BYTES_PER_SOCKET (6u * 1024)
#define MEMPROF_NET_MIN          (512u * 1024)

struct memprof {
    enum memprof_kind kind;
    int forced;                /* chosen by xenith.mem=, not by memory */
    size_t mem_bytes;          /* the managed memory it was sized from */
    size_t net_bytes;          /* lwIP heap + pools (malloc budget) */
    unsigned int sockets;      /* TCP connections at once (per domain) */
    unsigned int nf_rx_bufs;   /* netfront RX pages per queue */
    unsigned int nf_tx_bufs;   /* netfront TX pages per queue */
};

/*
 * Fill *out for mem_bytes of managed memory and the value of
 * xenith.mem (NULL when absent). Returns 0, or -EINVAL for an unknown
 * value, in which case *out is the automatic profile. Pure.
 */
int memprof_choose(const char *opt, size_t mem_bytes, struct memprof *out);

/* "small", "default", "large". */
const char *memprof_name(enum memprof_kind kind);

/*
 * The domain's profile, computed on first use from xenith.mem and the
 * page allocator's size (after mm_init). Guest only.
 */
const struct memprof *memprof_get(void);

/* Print the line with every size chosen, when the profile is not the
 * automatic default one or xenith.boottrace is given (a console line
 * costs boot time). Guest only. */
void memprof_log(void);

#endif /* KERNEL_MEMPROF_H */
