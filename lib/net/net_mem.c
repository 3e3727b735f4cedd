// SPDX-License-Identifier: MIT
/*
 * lib/net/net_mem.c - lwIP's memory, sized from the memory profile: the
 * allocator behind its heap and pools, and the TCP connection limit.
 *
 * Design choice: lwIP runs with MEM_LIBC_MALLOC and MEMP_MEM_MALLOC
 * (lib/net/lwipopts.h), so its heap and every pool (pbufs, PCBs,
 * segments, netconns) come from newlib's malloc on demand instead of
 * ~4 MB of static .bss; mem_clib_malloc/free/calloc land here, which
 * keeps lwIP within the profile's budget (kernel/memprof.h). A failed
 * allocation is what lwIP already handles: a received frame is dropped
 * (TCP retransmits), a send waits for room, a PCB allocation first
 * reclaims TIME-WAIT connections. Every caller runs in thread context
 * (tcpip, netrx, or an app under the core lock; never an event upcall)
 * and malloc does not yield, so the counters need no lock on this
 * single cooperative vCPU. Each block carries its size in a 16-byte
 * header (keeps malloc's alignment) so free can give it back.
 * The connection limit is enforced on a listener's SYN (lwIP's
 * LWIP_HOOK_TCP_INPACKET_PCB): at the limit the SYN is dropped, so the
 * client retries it later instead of seeing a reset.
 * Reference: lwIP src/core/mem.c (mem_clib_*), src/core/tcp_in.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/memprof.h"
#include "kernel/stats.h"
#include "lib/net/net.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

#define HDR 16u

struct net_mem_stats net_mem;

static size_t budget(void)
{
    if (!net_mem.budget) {
        const struct memprof *p = memprof_get();

        net_mem.budget = p->net_bytes;
        net_mem.sockets = p->sockets;
    }
    return net_mem.budget;
}

void *net_mem_malloc(size_t size)
{
    size_t total = size + HDR;
    unsigned char *b;

    if (size > SIZE_MAX - HDR || net_mem.used + total > budget()) {
        net_mem.failures++;
        return NULL;
    }
    b = malloc(total);
    if (!b) {
        net_mem.failures++;
        return NULL;
    }
    *(size_t *)b = total;
    net_mem.used += total;
    if (net_mem.used > net_mem.peak)
        net_mem.peak = net_mem.used;
    return b + HDR;
}

void *net_mem_calloc(size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        return NULL;
    p = net_mem_malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void net_mem_free(void *p)
{
    unsigned char *b;

    if (!p)
        return;
    b = (unsigned char *)p - HDR;
    net_mem.used -= *(size_t *)b;
    free(b);
}

unsigned int net_tcp_connections(void)
{
    unsigned int n = 0;

    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
        n++;
    return n;
}

int net_tcp_inpacket(const struct tcp_pcb *pcb, const struct tcp_hdr *hdr)
{
    (void)budget(); /* fills net_mem.sockets */
    if (pcb->state != LISTEN ||
        (TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK)) != TCP_SYN)
        return ERR_OK;
    if (net_tcp_connections() < net_mem.sockets)
        return ERR_OK;
    net_mem.syn_drops++;
    return ERR_MEM; /* dropped: the client sends its SYN again */
}

/* ---- data/xenith/net/mem: the counters, for the operator ---- */

static const char *const mem_stat_names[] = {
    "budget", "used", "peak", "failures", "sockets", "syn-drops",
};

/* Runs in the control thread: plain reads of counters only threads
 * under the core lock write (a sample may be one update stale). */
static void mem_stats_sample(void *arg, uint64_t *v)
{
    (void)arg;
    (void)budget();
    v[0] = net_mem.budget;
    v[1] = net_mem.used;
    v[2] = net_mem.peak;
    v[3] = net_mem.failures;
    v[4] = net_mem.sockets;
    v[5] = net_mem.syn_drops;
}

static struct stats_source mem_source = {
    .dir = "net/mem",
    .names = mem_stat_names,
    .count = sizeof(mem_stat_names) / sizeof(mem_stat_names[0]),
    .sample = mem_stats_sample,
};

void net_mem_stats_register(void)
{
    (void)stats_register(&mem_source); /* counters are a convenience */
}
