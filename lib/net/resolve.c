// SPDX-License-Identifier: MIT
/*
 * lib/net/resolve.c - getaddrinfo(), freeaddrinfo(), getnameinfo():
 * /etc/hosts and /etc/services (the file system's, kernel/vfs_etc.c
 * defaults or the root archive's), then lwIP's DNS client for names the
 * hosts file does not have (servers from DHCP or dns=).
 *
 * Design choice: every result is made by lwip_getaddrinfo() (a hosts
 * entry is passed to it as a numeric address), so freeaddrinfo() stays
 * lwIP's, and lists are plain ai_next chains of its results. AF_UNSPEC
 * asks for IPv4 and then IPv6 and returns what exists (lwIP's own
 * AF_UNSPEC returns one address). Service names become numbers before
 * lwIP sees them (lwIP knows only numbers). getnameinfo() reverses
 * through /etc/hosts only (no PTR queries): an address that is not there
 * comes back numeric, or EAI_NONAME with NI_NAMEREQD.
 * Reference: POSIX.1-2017 getaddrinfo(), getnameinfo(); hosts(5),
 * services(5); lwIP src/api/netdb.c.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "lib/net/netdb_files.h"
#include "lwip/netdb.h"

#define FILE_MAX (64 * 1024)

/* The whole of a small text file (at most FILE_MAX bytes), malloc'd and
 * NUL-terminated, or NULL. */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    char *buf = NULL;
    size_t want, got = 0;
    ssize_t n;

    *len = 0;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0) {
        want = st.st_size < FILE_MAX ? (size_t)st.st_size : FILE_MAX;
        buf = malloc(want + 1);
        while (buf && got < want && (n = read(fd, buf + got, want - got)) > 0)
            got += (size_t)n;
    }
    close(fd);
    if (buf) {
        buf[got] = '\0';
        *len = got;
    }
    return buf;
}

static bool numeric_host(const char *s)
{
    unsigned char b[16];

    return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static void append(struct addrinfo ***tail, struct addrinfo *ai)
{
    **tail = ai;
    while (ai->ai_next)
        ai = ai->ai_next;
    *tail = &ai->ai_next;
}

static struct addrinfo *from_hosts(const char *name, const char *serv,
                                   const struct addrinfo *hints)
{
    struct addrinfo *head = NULL, **tail = &head;
    struct netdb_cursor c;
    struct netdb_host h;
    size_t len;
    char *text = slurp("/etc/hosts", &len);

    netdb_cursor_init(&c, text, len);
    while (text && netdb_next_host(&c, &h)) {
        struct addrinfo want = *hints, *one;
        int family = strchr(h.addr, ':') ? AF_INET6 : AF_INET;

        if (!netdb_names_match(h.names, h.nr_names, name) ||
            (hints->ai_family != AF_UNSPEC && hints->ai_family != family))
            continue;
        want.ai_family = family;
        want.ai_flags |= AI_NUMERICHOST;
        if (lwip_getaddrinfo(h.addr, serv, &want, &one) == 0)
            append(&tail, one);
    }
    free(text);
    return head;
}

int getaddrinfo(const char *node, const char *serv,
                const struct addrinfo *hints, struct addrinfo **res)
{
    struct addrinfo h = {0}, *head = NULL, **tail = &head, *one;
    char port[8];
    int rc = EAI_NONAME;

    if (hints)
        h = *hints;
    if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET &&
        h.ai_family != AF_INET6)
        return EAI_FAMILY;
    if (serv && *serv && (serv[0] < '0' || serv[0] > '9')) {
        size_t len;
        char *text;
        int p;

        if (h.ai_flags & AI_NUMERICSERV)
            return EAI_NONAME;
        text = slurp("/etc/services", &len);
        p = netdb_service_port(text, len, serv,
                               h.ai_socktype == SOCK_DGRAM    ? "udp"
                               : h.ai_socktype == SOCK_STREAM ? "tcp"
                                                              : NULL);
        free(text);
        if (p < 0)
            return EAI_SERVICE;
        snprintf(port, sizeof(port), "%d", p);
        serv = port;
    }
    if (!node || (h.ai_flags & AI_NUMERICHOST) || numeric_host(node))
        return lwip_getaddrinfo(node, serv, &h, res);
    head = from_hosts(node, serv, &h);
    if (head) {
        *res = head;
        return 0;
    }
    if (h.ai_family != AF_UNSPEC)
        return lwip_getaddrinfo(node, serv, &h, res);
    for (int i = 0; i < 2; i++) {
        struct addrinfo want = h;
        int r;

        want.ai_family = i == 0 ? AF_INET : AF_INET6;
        r = lwip_getaddrinfo(node, serv, &want, &one);
        if (r == 0)
            append(&tail, one);
        else
            rc = r;
    }
    if (!head)
        return rc;
    *res = head;
    return 0;
}

void freeaddrinfo(struct addrinfo *ai)
{
    lwip_freeaddrinfo(ai);
}

static int put(char *dst, socklen_t cap, const char *src)
{
    if (strlen(src) >= cap)
        return EAI_OVERFLOW;
    strcpy(dst, src);
    return 0;
}

/* The first name /etc/hosts gives the address (binary, family), or -1. */
static int hosts_name(int family, const void *addr, char *out, size_t cap)
{
    struct netdb_cursor c;
    struct netdb_host h;
    size_t len, alen = family == AF_INET ? 4 : 16;
    char *text = slurp("/etc/hosts", &len);
    int rc = -1;

    netdb_cursor_init(&c, text, len);
    while (text && rc && netdb_next_host(&c, &h)) {
        unsigned char b[16];

        if (inet_pton(family, h.addr, b) == 1 && memcmp(b, addr, alen) == 0 &&
            strlen(h.names[0]) < cap) {
            strcpy(out, h.names[0]);
            rc = 0;
        }
    }
    free(text);
    return rc;
}

static int service_name(unsigned int port, bool dgram, char *out, size_t cap)
{
    struct netdb_cursor c;
    struct netdb_service s;
    size_t len;
    char *text = slurp("/etc/services", &len);
    int rc = -1;

    netdb_cursor_init(&c, text, len);
    while (text && rc && netdb_next_service(&c, &s))
        if (s.port == port && strcmp(s.proto, dgram ? "udp" : "tcp") == 0 &&
            strlen(s.names[0]) < cap) {
            strcpy(out, s.names[0]);
            rc = 0;
        }
    free(text);
    return rc;
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
    const void *addr;
    unsigned int port;
    char buf[NI_MAXHOST];
    int family = sa ? sa->sa_family : AF_UNSPEC;

    if (family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        addr = &in->sin_addr;
        port = ntohs(in->sin_port);
    } else if (family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        addr = &in6->sin6_addr;
        port = ntohs(in6->sin6_port);
    } else {
        return EAI_FAMILY;
    }
    if (host && hostlen) {
        if (!(flags & NI_NUMERICHOST) &&
            hosts_name(family, addr, buf, sizeof(buf)) == 0) {
            if (put(host, hostlen, buf))
                return EAI_OVERFLOW;
        } else if (flags & NI_NAMEREQD) {
            return EAI_NONAME;
        } else if (!inet_ntop(family, addr, buf, sizeof(buf)) ||
                   put(host, hostlen, buf)) {
            return EAI_OVERFLOW;
        }
    }
    if (serv && servlen) {
        if ((flags & NI_NUMERICSERV) ||
            service_name(port, flags & NI_DGRAM, buf, sizeof(buf)))
            snprintf(buf, sizeof(buf), "%u", port);
        if (put(serv, servlen, buf))
            return EAI_OVERFLOW;
    }
    return 0;
}
