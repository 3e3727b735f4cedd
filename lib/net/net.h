// SPDX-License-Identifier: MIT
/*
 * lib/net/net.h - network bring-up state, for the socket layer.
 *
 * net.c brings lwIP up from a constructor (before main()); the socket
 * functions ask it whether there is a network at all. Linking anything
 * from lib/net/bsd_socket.c links net.c and therefore the bring-up.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stddef.h>

/*
 * 0 when lwIP runs on a device (sockets may be used), -ENETDOWN when the
 * domain has no network device or net=off was given.
 */
int net_status(void);

/* lwIP's allocations through net_mem.c (bytes; counters since boot). */
struct net_mem_stats {
    size_t budget, used, peak;
    unsigned long failures;  /* allocations refused (budget or malloc) */
    unsigned int sockets;    /* TCP connection limit */
    unsigned long syn_drops; /* SYNs dropped at the limit */
};
extern struct net_mem_stats net_mem;

/* Publish net_mem under data/xenith/net/mem (kernel/stats.h). */
void net_mem_stats_register(void);

/* Active TCP connections (lwIP's tcp_active_pcbs; core lock held). */
unsigned int net_tcp_connections(void);

/* Register socket descriptors with kernel/fdtab (bsd_socket.c). */
void bsd_socket_register_fds(void);

#endif /* NET_NET_H */
