// SPDX-License-Identifier: MIT
/*
 * kernel/vfs_etc.c - the /etc files every root has.
 *
 * Resolvers and servers read /etc/hosts, /etc/resolv.conf,
 * /etc/services and /etc/protocols. At boot, each one the root archive
 * does not carry is added to the (read-only) root from the defaults
 * here: an archive's own file always wins. Design choice: generated at
 * boot, not by the build, so an image booted with any --rootfs DIR (or
 * none) has them, and resolv.conf can follow the command line:
 * `dns=A[,B...]` (the option lib/net's resolver uses too) becomes one
 * `nameserver` line each; without it the file only says, in a comment,
 * that the servers come from DHCP (lwIP's resolver takes them from the
 * lease; the file is not rewritten when a lease arrives). The services
 * and protocols lists are short, written for xenith from the IANA
 * assignments of the ports and protocol numbers real programs ask for.
 * Reference: resolv.conf(5), hosts(5), services(5), protocols(5).
 */
#include <errno.h>
#include <string.h>

#include "kernel/vfs.h"
#include "kernel/vfs_etc.h"

static const char hosts[] = "127.0.0.1\tlocalhost\n"
                            "::1\tlocalhost ip6-localhost ip6-loopback\n";

static const char services[] = "# xenith defaults (IANA port numbers)\n"
                               "ftp\t\t21/tcp\n"
                               "ssh\t\t22/tcp\n"
                               "telnet\t\t23/tcp\n"
                               "smtp\t\t25/tcp\tmail\n"
                               "domain\t\t53/tcp\n"
                               "domain\t\t53/udp\n"
                               "bootps\t\t67/udp\n"
                               "bootpc\t\t68/udp\n"
                               "http\t\t80/tcp\twww\n"
                               "ntp\t\t123/udp\n"
                               "https\t\t443/tcp\n"
                               "https\t\t443/udp\n"
                               "submission\t587/tcp\n"
                               "iperf3\t\t5201/tcp\n"
                               "redis\t\t6379/tcp\n"
                               "http-alt\t8080/tcp\twebcache\n";

static const char protocols[] = "# xenith defaults (IANA protocol numbers)\n"
                                "ip\t0\tIP\n"
                                "icmp\t1\tICMP\n"
                                "tcp\t6\tTCP\n"
                                "udp\t17\tUDP\n"
                                "ipv6\t41\tIPv6\n"
                                "ipv6-icmp\t58\tIPv6-ICMP\n";

static const char resolv_dhcp[] =
    "# xenith: no dns= on the command line; the resolver uses the\n"
    "# name servers of the DHCP lease (none with a static ip=).\n";

/* resolv.conf built from dns=; kept for the domain's life (borrowed). */
static char resolv_buf[VFS_ETC_RESOLV_MAX];

/* An IPv4 address in dotted-quad form, len bytes. */
static bool dotted_quad(const char *s, size_t len)
{
    unsigned int parts = 0, value = 0, digits = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            if (digits == 0 || value > 255)
                return false;
            parts++;
            value = digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
            value = value * 10 + (unsigned int)(s[i] - '0');
            digits++;
        } else {
            return false;
        }
    }
    return parts == 4;
}

int vfs_etc_resolv(const char *cmdline, char *buf, size_t size)
{
    const char *p = cmdline;
    size_t n = 0;
    int servers = 0;

    if (size == 0)
        return -EINVAL;
    buf[0] = '\0';
    while (p && *p) {
        const char *w, *v;
        size_t wl;

        while (*p == ' ' || *p == '\t')
            p++;
        w = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        wl = (size_t)(p - w);
        if (wl <= 4 || strncmp(w, "dns=", 4) != 0)
            continue;
        /* The last dns= wins, as in lib/net. */
        n = 0;
        servers = 0;
        for (v = w + 4;;) {
            const char *e = memchr(v, ',', (size_t)(p - v));
            size_t al;

            if (!e)
                e = p;
            al = (size_t)(e - v);
            if (!dotted_quad(v, al))
                return -EINVAL;
            if (n + sizeof("nameserver \n") + al > size)
                return -ENOSPC;
            memcpy(buf + n, "nameserver ", 11);
            memcpy(buf + n + 11, v, al);
            n += 11 + al;
            buf[n++] = '\n';
            servers++;
            if (e == p)
                break;
            v = e + 1; /* "A," leaves an empty last item: refused */
        }
        buf[n] = '\0';
    }
    return servers;
}

/* Add /etc/<name> with data unless the archive had it. */
static int add_default(struct vfs_node *etc, const char *name, const char *data,
                       size_t len)
{
    struct vfs_node *n = vfs_node_find(etc, name, strlen(name));
    int rc;

    if (n)
        return 0;
    rc = vfs_node_create(etc, name, strlen(name), S_IFREG | 0644, &n);
    if (rc)
        return rc;
    vfs_node_borrow(n, data, len);
    return 0;
}

int vfs_etc_defaults(struct vfs_fs *fs, const char *cmdline)
{
    struct vfs_node *etc = vfs_node_find(fs->root, "etc", 3);
    const char *resolv = resolv_dhcp;
    int rc;

    if (etc && !S_ISDIR(etc->mode))
        return -ENOTDIR; /* the archive's /etc is a file: leave it be */
    if (!etc) {
        rc = vfs_node_create(fs->root, "etc", 3, S_IFDIR | 0755, &etc);
        if (rc)
            return rc;
    }
    if (vfs_etc_resolv(cmdline, resolv_buf, sizeof(resolv_buf)) > 0)
        resolv = resolv_buf;
    rc = add_default(etc, "hosts", hosts, sizeof(hosts) - 1);
    if (rc == 0)
        rc = add_default(etc, "resolv.conf", resolv, strlen(resolv));
    if (rc == 0)
        rc = add_default(etc, "services", services, sizeof(services) - 1);
    if (rc == 0)
        rc = add_default(etc, "protocols", protocols, sizeof(protocols) - 1);
    return rc;
}
