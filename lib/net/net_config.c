// SPDX-License-Identifier: MIT
/*
 * lib/net/net_config.c - parse the network words of the command line.
 *
 * Pure string code (no lwIP, no kernel), host-tested. Design choice:
 * strict parsing (exactly four decimal octets, a prefix 0..32, nothing
 * trailing) and all-or-nothing results, because a half-understood
 * address is worse than a clear error at boot. Contract in net_config.h.
 */
#include <errno.h>
#include <string.h>

#include "lib/net/net_config.h"

int net_config_parse_ip4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;

    for (int octet = 0; octet < 4; octet++) {
        unsigned int v = 0, digits = 0;

        if (octet > 0) {
            if (i >= len || s[i] != '.')
                return -EINVAL;
            i++;
        }
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (unsigned int)(s[i] - '0');
            if (++digits > 3 || v > 255)
                return -EINVAL;
            i++;
        }
        if (digits == 0)
            return -EINVAL;
        out[octet] = (uint8_t)v;
    }
    return i == len ? 0 : -EINVAL;
}

static int parse_prefix(const char *s, size_t len, unsigned int *out)
{
    unsigned int v = 0;

    if (len == 0 || len > 2)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (unsigned int)(s[i] - '0');
    }
    if (v > 32)
        return -EINVAL;
    *out = v;
    return 0;
}

static int parse_ip(const char *v, size_t len, struct net_config *cfg)
{
    const char *slash;

    if (len == 4 && memcmp(v, "dhcp", 4) == 0) {
        cfg->dhcp = true;
        return 0;
    }
    slash = memchr(v, '/', len);
    cfg->prefix = 24;
    if (slash &&
        parse_prefix(slash + 1, len - (size_t)(slash + 1 - v), &cfg->prefix))
        return -EINVAL;
    if (net_config_parse_ip4(v, slash ? (size_t)(slash - v) : len, cfg->ip))
        return -EINVAL;
    cfg->dhcp = false;
    return 0;
}

static int parse_dns(const char *v, size_t len, struct net_config *cfg)
{
    cfg->nr_dns = 0;
    while (len) {
        const char *comma = memchr(v, ',', len);
        size_t n = comma ? (size_t)(comma - v) : len;

        if (cfg->nr_dns == NET_CONFIG_MAX_DNS ||
            net_config_parse_ip4(v, n, cfg->dns[cfg->nr_dns]))
            return -EINVAL;
        cfg->nr_dns++;
        if (!comma)
            break;
        v = comma + 1;
        len -= n + 1;
        if (len == 0)
            return -EINVAL; /* trailing comma */
    }
    return cfg->nr_dns ? 0 : -EINVAL;
}

static int parse_word(const char *w, size_t len, struct net_config *cfg)
{
    static const struct {
        const char *key;
        int (*fn)(const char *v, size_t len, struct net_config *cfg);
    } keys[] = {
        {"ip=", parse_ip},
        {"dns=", parse_dns},
    };

    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        size_t kl = strlen(keys[k].key);

        if (len >= kl && memcmp(w, keys[k].key, kl) == 0)
            return keys[k].fn(w + kl, len - kl, cfg);
    }
    if (len >= 3 && memcmp(w, "gw=", 3) == 0) {
        if (net_config_parse_ip4(w + 3, len - 3, cfg->gw))
            return -EINVAL;
        cfg->have_gw = true;
        return 0;
    }
    if (len == 7 && memcmp(w, "net=off", 7) == 0)
        cfg->off = true;
    return 0;
}

static void defaults(struct net_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->dhcp = true;
}

int net_config_parse(const char *cmdline, struct net_config *cfg, char *bad,
                     size_t bad_len)
{
    const char *p = cmdline ? cmdline : "";

    defaults(cfg);
    if (bad && bad_len)
        bad[0] = '\0';
    while (*p) {
        const char *w;
        size_t len;

        while (*p == ' ' || *p == '\t')
            p++;
        w = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        len = (size_t)(p - w);
        if (len && parse_word(w, len, cfg)) {
            if (bad && bad_len) {
                size_t n = len < bad_len - 1 ? len : bad_len - 1;

                memcpy(bad, w, n);
                bad[n] = '\0';
            }
            defaults(cfg);
            return -EINVAL;
        }
    }
    return 0;
}
