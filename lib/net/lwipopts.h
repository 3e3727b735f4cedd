// SPDX-License-Identifier: MIT
/*
 * lib/net/lwipopts.h - lwIP 2.1.3 configuration for xenith.
 *
 * lwIP runs with NO_SYS=0 on xenith's cooperative threads (sys_arch.c)
 * and LWIP_TCPIP_CORE_LOCKING: socket calls take the core mutex and run
 * the stack directly instead of posting a message to the tcpip thread,
 * and the netif RX thread feeds received frames to the stack under the
 * same mutex, so the hot path has no thread hop. Memory comes from
 * newlib's malloc on demand, within the memory profile's budget
 * (lib/net/net_mem.c). Socket descriptors start
 * at LWIP_SOCKET_OFFSET (3), right after the console's 0-2, and end
 * within FD_SETSIZE (256 for guest code, see CMakeLists.txt) so
 * newlib's fd_set works with select().
 * Checksums are computed and verified in software: the device is asked
 * for no checksum offload (see lib/net/xnif.c). The option names and
 * their meaning are lwIP's (src/include/lwip/opt.h).
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

/* ---- system ---- */
#define NO_SYS                        0
#define SYS_LIGHTWEIGHT_PROT          1
#define LWIP_TCPIP_CORE_LOCKING       1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1
#define LWIP_NETCONN_SEM_PER_THREAD   0
#define TCPIP_THREAD_NAME             "tcpip"
#define TCPIP_THREAD_STACKSIZE        0 /* the scheduler's default */
#define TCPIP_THREAD_PRIO             0
#define TCPIP_MBOX_SIZE               128
#define DEFAULT_THREAD_STACKSIZE      0
#define DEFAULT_RAW_RECVMBOX_SIZE     64
#define DEFAULT_UDP_RECVMBOX_SIZE     128
#define DEFAULT_TCP_RECVMBOX_SIZE     256
#define DEFAULT_ACCEPTMBOX_SIZE       64
#define LWIP_RAND()                   xn_net_rand()
/* Releasing the core lock ends a transmit burst: the netif sends the
 * TCP segments it held back to merge (lib/net/xnif.c) first. */
#define LOCK_TCPIP_CORE() sys_mutex_lock(&lock_tcpip_core)
#define UNLOCK_TCPIP_CORE()                                                    \
    do {                                                                       \
        xnif_tx_flush_all();                                                   \
        sys_mutex_unlock(&lock_tcpip_core);                                    \
    } while (0)

/* ---- memory: lwIP's heap and pools from malloc, within a budget ----
 * lib/net/net_mem.c: every pool element and heap block is malloc'd on
 * demand and counted against the memory profile's budget
 * (kernel/memprof.h), so the image has no multi-megabyte pools in .bss
 * and a small domain boots. The MEMP_NUM_* values no longer cap
 * anything (lwIP ignores them with MEMP_MEM_MALLOC); the budget and the
 * connection limit (LWIP_HOOK_TCP_INPACKET_PCB) do. */
#define MEM_ALIGNMENT           8
#define MEM_LIBC_MALLOC         1
#define MEMP_MEM_MALLOC         1
#define mem_clib_malloc         net_mem_malloc
#define mem_clib_free           net_mem_free
#define mem_clib_calloc         net_mem_calloc
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p)        \
    net_tcp_inpacket((pcb), (hdr))
#define MEM_SIZE                (2 * 1024 * 1024) /* unused: no mem.c heap */
#define MEMP_NUM_PBUF           128
#define MEMP_NUM_RAW_PCB        8
#define MEMP_NUM_UDP_PCB        16
#define MEMP_NUM_TCP_PCB        200
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG        1024
#define MEMP_NUM_REASSDATA      8
#define IP_REASS_MAX_PBUFS      64
#define MEMP_NUM_FRAG_PBUF      32
#define MEMP_NUM_NETBUF         64
/* The socket table (lwIP's NUM_SOCKETS, static, ~50 bytes a socket):
 * descriptors 3..202, before the block devices' (kernel/fdtab.h) and
 * within the guest build's FD_SETSIZE of 256
 * (newlib's default of 64 would cap a server at 61 clients: wrk -c 100
 * saw resets). The runtime limit (kernel/memprof.h) is at most this. */
#define MEMP_NUM_NETCONN         200
#define MEMP_NUM_TCPIP_MSG_API   64
#define MEMP_NUM_TCPIP_MSG_INPKT 256
/* lwIP 2.1.3 undercounts its own timeouts (DHCPv6 among others). */
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define PBUF_POOL_SIZE       1024 /* unused as a count: malloc'd per frame */
#define PBUF_POOL_BUFSIZE    1600 /* one 1514-byte frame + alignment */

/* ---- link layer ---- */
#define LWIP_ARP                      1
#define ARP_TABLE_SIZE                32
#define ARP_QUEUEING                  1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define ETH_PAD_SIZE                  0
#define LWIP_ETHERNET                 1
#define LWIP_HAVE_LOOPIF              1
#define LWIP_NETIF_LOOPBACK           1
#define LWIP_LOOPBACK_MAX_PBUFS       64
#define LWIP_NETIF_STATUS_CALLBACK    1
#define LWIP_NETIF_LINK_CALLBACK      1
#define LWIP_NETIF_HOSTNAME           1
#define LWIP_NETIF_TX_SINGLE_PBUF     0

/* ---- IPv4 ---- */
#define LWIP_IPV4           1
#define IP_FORWARD          0
#define IP_REASSEMBLY       1
#define IP_FRAG             1
#define LWIP_ICMP           1
#define LWIP_RAW            1
#define LWIP_DHCP           1
#define DHCP_DOES_ARP_CHECK 0 /* saves ~1 s before the lease is used */
#define LWIP_AUTOIP         0
#define LWIP_IGMP           1

/* ---- IPv6 ---- */
#define LWIP_IPV6            1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_MLD        1
#define LWIP_IPV6_FRAG       1
#define LWIP_IPV6_REASS      1
/* 64-bit pointers do not fit the fragment header lwIP reuses. */
#define IPV6_FRAG_COPYHEADER          1
#define LWIP_IPV6_DHCP6               0
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_ND6_NUM_DESTINATIONS     32
#define LWIP_ND6_NUM_NEIGHBORS        32

/* ---- transport ---- */
#define LWIP_UDP 1
#define LWIP_TCP 1
#define TCP_MSS  1460
/* Window scaling lets the receive window exceed 64 KiB. */
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE  2
#define TCP_WND        (128 * 1024)
/* A sender keeps at most TCP_SND_BUF in flight: one round trip through
 * dom0 (milliseconds under emulation) per 64 KiB capped guest -> dom0
 * near 250 Mbit/s once TSO removed the per-packet cost. */
#define TCP_SND_BUF      (256 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF) / TCP_MSS)
/* Writable (POLLOUT) once this much is free; lwIP keeps it in 16 bits. */
#define TCP_SNDLOWAT                       (48 * 1024)
#define TCP_OVERSIZE                       TCP_MSS
#define TCP_QUEUE_OOSEQ                    1
#define LWIP_TCP_SACK_OUT                  1
#define LWIP_TCP_TIMESTAMPS                0
#define TCP_LISTEN_BACKLOG                 1
#define LWIP_TCP_KEEPALIVE                 1
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1

/* ---- checksums: software, both ways ---- */
#define CHECKSUM_GEN_IP       1
#define CHECKSUM_GEN_UDP      1
#define CHECKSUM_GEN_TCP      1
#define CHECKSUM_GEN_ICMP     1
#define CHECKSUM_GEN_ICMP6    1
#define CHECKSUM_CHECK_IP     1
#define CHECKSUM_CHECK_UDP    1
#define CHECKSUM_CHECK_TCP    1
#define CHECKSUM_CHECK_ICMP   1
#define CHECKSUM_CHECK_ICMP6  1
#define LWIP_CHECKSUM_ON_COPY 1

/* ---- DNS ---- */
#define LWIP_DNS                      1
#define DNS_MAX_SERVERS               2
#define DNS_TABLE_SIZE                8
#define LWIP_DNS_SUPPORT_MDNS_QUERIES 0
/* Results of lwip_getaddrinfo() alive at once: lib/net/resolve.c chains
 * one per address (IPv4 + IPv6, several hosts lines). */
#define MEMP_NUM_NETDB 16

/* ---- APIs ---- */
#define LWIP_NETCONN       1
#define LWIP_SOCKET        1
#define LWIP_SOCKET_OFFSET 3
/* No macros renaming socket() etc.: lib/net/bsd_socket.c defines the
 * POSIX functions, and read/write/close go through lib/syscalls.c. */
#define LWIP_COMPAT_SOCKETS               0
#define LWIP_POSIX_SOCKETS_IO_NAMES       0
#define LWIP_TIMEVAL_PRIVATE              0 /* newlib's struct timeval */
#define LWIP_SOCKET_SELECT                1
#define LWIP_SOCKET_POLL                  1
#define LWIP_SO_RCVTIMEO                  1
#define LWIP_SO_SNDTIMEO                  1
#define LWIP_SO_RCVBUF                    1
#define LWIP_SO_LINGER                    1
#define SO_REUSE                          1
#define LWIP_TCP_CLOSE_TIMEOUT_MS_DEFAULT 5000
#define LWIP_NETIF_API                    1
#define LWIP_STATS                        0
#define LWIP_STATS_DISPLAY                0

/* Build with -DXENITH_NET_DEBUG for lwIP's own trace on the console. */
#ifdef XENITH_NET_DEBUG
#define LWIP_DEBUG        1
#define LWIP_DBG_TYPES_ON LWIP_DBG_ON
#define API_LIB_DEBUG     LWIP_DBG_ON
#define API_MSG_DEBUG     LWIP_DBG_ON
#define SOCKETS_DEBUG     LWIP_DBG_ON
#define MEMP_DEBUG        LWIP_DBG_ON
#define TCP_DEBUG         LWIP_DBG_ON
#define DHCP_DEBUG        LWIP_DBG_ON
#endif

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
/* lib/net/net_mem.c: lwIP's allocator and its connection limit. */
struct tcp_pcb;
struct tcp_hdr;
void *net_mem_malloc(size_t size);
void *net_mem_calloc(size_t n, size_t size);
void net_mem_free(void *p);
int net_tcp_inpacket(const struct tcp_pcb *pcb, const struct tcp_hdr *hdr);
/* Random numbers for ports, ISNs, DNS ids (lib/net/sys_arch.c). */
uint32_t xn_net_rand(void);
/* lib/net/xnif.c: send the transmit merges (see UNLOCK_TCPIP_CORE). */
void xnif_tx_flush_all(void);
#endif

#endif /* NET_LWIPOPTS_H */
