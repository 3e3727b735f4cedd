// SPDX-License-Identifier: MIT
/*
 * apps/resolve/main.c - resolve each argument with getaddrinfo(): any
 * family, IPv4 only, IPv6 only; then the reverse of what it found and of
 * a few fixed addresses with getnameinfo(), and a service name. One line
 * per answer, for the sandbox test resolve_dns
 * (test/integration/pthread_tests.py):
 *   resolve: NAME FAMILY -> ADDR [ADDR...]    or   -> error: MESSAGE
 *   resolve: rev ADDR PORT -> HOST SERV
 */
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

static void lookup(const char *name, int family, const char *label)
{
    struct addrinfo hints = {.ai_family = family,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    int rc = getaddrinfo(name, "http", &hints, &res);

    printf("resolve: %s %s ->", name, label);
    if (rc) {
        printf(" error: %s\n", gai_strerror(rc));
        return;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        char host[NI_MAXHOST], serv[NI_MAXSERV];

        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host),
                        serv, sizeof(serv),
                        NI_NUMERICHOST | NI_NUMERICSERV) == 0)
            printf(" %s/%s", host, serv);
    }
    printf("\n");
    freeaddrinfo(res);
}

static void reverse(const char *addr, unsigned int port, int flags)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int rc;

    memset(&ss, 0, sizeof(ss));
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        inet_pton(AF_INET6, addr, &in6->sin6_addr);
        len = sizeof(*in6);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;

        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        inet_pton(AF_INET, addr, &in->sin_addr);
        len = sizeof(*in);
    }
    rc = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv,
                     sizeof(serv), flags);
    if (rc)
        printf("resolve: rev %s %u -> error: %s\n", addr, port,
               gai_strerror(rc));
    else
        printf("resolve: rev %s %u -> %s %s\n", addr, port, host, serv);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strchr(argv[i], '='))
            continue; /* the network's own options (ip=, dns=...) */
        lookup(argv[i], AF_UNSPEC, "any");
        lookup(argv[i], AF_INET, "inet");
        lookup(argv[i], AF_INET6, "inet6");
    }
    reverse("127.0.0.1", 80, 0);
    reverse("::1", 443, 0);
    reverse("10.9.9.9", 5, 0);
    reverse("10.9.9.9", 5, NI_NAMEREQD);
    printf("resolve: done\n");
    return 0;
}
