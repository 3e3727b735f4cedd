// SPDX-License-Identifier: MIT
/*
 * lib/net/net_config.h - network settings from the kernel command line.
 *
 * `ip=A.B.C.D/N` (static address; /N defaults to /24), `gw=A.B.C.D`,
 * `dns=A.B.C.D[,A.B.C.D]`, `ip=dhcp` or no ip= at all (DHCP), and
 * `net=off` (no network bring-up). Design choice: a pure parser over the
 * command line string, so every form and every malformed value is
 * tested on the host; a malformed value is reported, never half-applied.
 */
#ifndef NET_NET_CONFIG_H
#define NET_NET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_CONFIG_MAX_DNS 2

struct net_config {
    bool off;            /* net=off */
    bool dhcp;           /* no static address */
    uint8_t ip[4];       /* static address (when !dhcp) */
    unsigned int prefix; /* 0..32 */
    bool have_gw;
    uint8_t gw[4];
    unsigned int nr_dns;
    uint8_t dns[NET_CONFIG_MAX_DNS][4];
};

/*
 * Parse the words of cmdline (blank separated). Unknown words are
 * ignored (they belong to the app). 0, or -EINVAL with the offending
 * word copied into bad (NUL-terminated, truncated to bad_len) when a
 * network word is malformed; cfg then holds DHCP defaults.
 */
int net_config_parse(const char *cmdline, struct net_config *cfg, char *bad,
                     size_t bad_len);

/* Parse a dotted quad exactly ("10.0.0.1"); 0 or -EINVAL. */
int net_config_parse_ip4(const char *s, size_t len, uint8_t out[4]);

#endif /* NET_NET_CONFIG_H */
