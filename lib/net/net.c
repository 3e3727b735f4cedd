// SPDX-License-Identifier: MIT
/*
 * lib/net/net.c - bring the network up before main().
 *
 * A constructor in this object starts lwIP's tcpip thread, attaches
 * device 0 of the kernel's netdev registry as "eth0" (lwIP netif en0),
 * and configures it from the kernel command line (net_config.h): a
 * static ip=/gw=, or DHCP with a bounded wait for the lease. It prints
 * one line, `[xenith] net: eth0 A.B.C.D/N gw G mac M ipv6 fe80::...`,
 * when the interface is usable (or says why it is not) and never hangs:
 * no device, a bad command line or no lease all let main() run, and
 * sockets then fail with ENETDOWN (no device) or simply reach nobody.
 * Design choice: the constructor lives in an object that only the socket
 * functions reference, so images without sockets carry no lwIP at all.
 * Reference: lwIP src/include/lwip/{tcpip,netif,dhcp,dns}.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "include/xenith.h"
#include "kernel/sched.h"
#include "lib/net/net.h"
#include "lib/net/net_config.h"
#include "lib/net/xnif.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "xen/time.h"
#include "xenith/netdev.h"

#define NS_PER_S (1000ull * 1000 * 1000)
/* The device registry connects vifs before main(); allow a late one. */
#define LINK_WAIT_NS (5 * NS_PER_S)
#define DHCP_WAIT_NS (15 * NS_PER_S)
#define POLL_NS      (20ull * 1000 * 1000)

static struct xnif eth0;
static int status = -ENETDOWN;

int net_status(void)
{
    return status;
}

static void ip4_from(ip4_addr_t *a, const uint8_t b[4])
{
    IP4_ADDR(a, b[0], b[1], b[2], b[3]);
}

static void tcpip_ready(void *arg)
{
    sys_sem_signal((sys_sem_t *)arg);
}

static int start_tcpip(void)
{
    sys_sem_t done;

    if (sys_sem_new(&done, 0) != ERR_OK)
        return -ENOMEM;
    tcpip_init(tcpip_ready, &done);
    sys_sem_wait(&done);
    sys_sem_free(&done);
    return 0;
}

static void configure_static(const struct net_config *cfg)
{
    ip4_addr_t ip, mask, gw;

    ip4_from(&ip, cfg->ip);
    ip4_addr_set_u32(
        &mask, cfg->prefix ? lwip_htonl(0xffffffffu << (32 - cfg->prefix)) : 0);
    if (cfg->have_gw)
        ip4_from(&gw, cfg->gw);
    else
        ip4_addr_set_zero(&gw);
    LOCK_TCPIP_CORE();
    netif_set_addr(&eth0.netif, &ip, &mask, &gw);
    UNLOCK_TCPIP_CORE();
}

/* Start DHCP and wait (bounded) for a lease. true once bound. */
static bool configure_dhcp(void)
{
    uint64_t deadline = sched_deadline_after(DHCP_WAIT_NS);
    bool bound = false;
    err_t err;

    LOCK_TCPIP_CORE();
    err = dhcp_start(&eth0.netif);
    UNLOCK_TCPIP_CORE();
    if (err != ERR_OK) {
        printf("[xenith] net: eth0 DHCP could not start (%d)\n", err);
        return false;
    }
    while (!bound && time_monotonic_ns() < deadline) {
        sched_sleep_ns(POLL_NS);
        LOCK_TCPIP_CORE();
        bound = dhcp_supplied_address(&eth0.netif);
        UNLOCK_TCPIP_CORE();
    }
    return bound;
}

static unsigned int mask_prefix(const ip4_addr_t *mask)
{
    return (unsigned int)__builtin_popcount(ip4_addr_get_u32(mask));
}

static void print_status(void)
{
    char v4[16], gw[16], v6[48] = "-";
    const struct netif *n = &eth0.netif;
    const uint8_t *m = n->hwaddr;

    LOCK_TCPIP_CORE();
    ip4addr_ntoa_r(netif_ip4_addr(n), v4, sizeof(v4));
    ip4addr_ntoa_r(netif_ip4_gw(n), gw, sizeof(gw));
    if (!ip6_addr_isinvalid(netif_ip6_addr_state(n, 0)))
        ip6addr_ntoa_r(netif_ip6_addr(n, 0), v6, sizeof(v6));
    UNLOCK_TCPIP_CORE();
    printf("[xenith] net: eth0 %s/%u gw %s mac "
           "%02x:%02x:%02x:%02x:%02x:%02x ipv6 %s/64\n",
           v4, mask_prefix(netif_ip4_netmask(n)), gw, m[0], m[1], m[2], m[3],
           m[4], m[5], v6);
}

static void net_bringup(void)
{
    struct net_config cfg;
    struct xn_netdev *dev;
    char bad[64];
    int rc;

    if (net_config_parse(xn_cmdline(), &cfg, bad, sizeof(bad)))
        printf("[xenith] net: ignoring malformed \"%s\", using DHCP\n", bad);
    if (cfg.off) {
        printf("[xenith] net: off (net=off); sockets fail with ENETDOWN\n");
        return;
    }
    /* The registry enumerated every vif before main(): none means none
     * (no waiting); a device that exists gets a bounded wait for link. */
    dev = xn_netdev_get(0);
    if (!dev) {
        printf("[xenith] net: no network device (no vif); sockets fail "
               "with ENETDOWN\n");
        return;
    }
    (void)xn_netdev_wait_up(0, LINK_WAIT_NS);

    rc = start_tcpip();
    if (!rc)
        rc = xnif_attach(&eth0, dev, 0);
    if (rc) {
        printf("[xenith] net: eth0 bring-up failed (%d); sockets fail with "
               "ENETDOWN\n",
               rc);
        return;
    }
    LOCK_TCPIP_CORE();
    netif_set_default(&eth0.netif);
    UNLOCK_TCPIP_CORE();
    if (!dev->link_up)
        printf("[xenith] net: eth0 link is down; configuring anyway\n");
    status = 0;
    net_mem_stats_register();

    if (cfg.dhcp) {
        if (!configure_dhcp())
            printf("[xenith] net: eth0 no DHCP lease after %llu s; "
                   "continuing without IPv4\n",
                   (unsigned long long)(DHCP_WAIT_NS / NS_PER_S));
    } else {
        configure_static(&cfg);
    }
    /* dns= overrides what DHCP said. */
    for (unsigned int i = 0; i < cfg.nr_dns; i++) {
        ip_addr_t a;

        IP_ADDR4(&a, cfg.dns[i][0], cfg.dns[i][1], cfg.dns[i][2],
                 cfg.dns[i][3]);
        LOCK_TCPIP_CORE();
        dns_setserver((u8_t)i, &a);
        UNLOCK_TCPIP_CORE();
    }
    print_status();
}

__attribute__((constructor)) static void net_constructor(void)
{
    bsd_socket_register_fds();
    net_bringup();
}
