// SPDX-License-Identifier: MIT
/*
 * apps/netsmoke - the smallest end-to-end proof of xenith networking.
 *
 * Serves the echo protocol (RFC 862) on port 7 over TCP and UDP with
 * nothing but portable POSIX calls: socket/bind/listen, poll() over both
 * sockets, accept, read()/write() on the TCP connection (through newlib's
 * descriptors), recvfrom/sendto for UDP. The stack answers ping by
 * itself. Design choice: one thread and poll(), so it also exercises the
 * multiplexing path. With the argument `once` it exits 0 after the first
 * TCP connection closed; otherwise it serves until destroyed.
 * Reference: RFC 862 (echo).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_PORT 7

static int listen_on(int type)
{
    struct sockaddr_in a = {
        .sin_family = AF_INET,
        .sin_port = htons(ECHO_PORT),
        .sin_addr.s_addr = htonl(INADDR_ANY),
    };
    int one = 1;
    int s = socket(AF_INET, type, 0);

    if (s < 0) {
        printf("netsmoke: socket: %s\n", strerror(errno));
        return -1;
    }
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        (type == SOCK_STREAM && listen(s, 4) < 0)) {
        printf("netsmoke: bind/listen: %s\n", strerror(errno));
        close(s);
        return -1;
    }
    return s;
}

/* Echo one TCP connection until the peer closes it. */
static void serve_tcp(int c)
{
    char buf[2048];
    long total = 0;
    ssize_t n;
    int one = 1;

    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while ((n = read(c, buf, sizeof(buf))) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(c, buf + off, (size_t)(n - off));

            if (w <= 0) {
                printf("netsmoke: write: %s\n", strerror(errno));
                return;
            }
            off += w;
        }
        total += n;
    }
    printf("netsmoke: tcp connection done, %ld bytes echoed\n", total);
}

static void serve_udp(int u)
{
    char buf[2048];
    struct sockaddr_in from;
    socklen_t len = sizeof(from);
    ssize_t n =
        recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
    char who[INET_ADDRSTRLEN];

    if (n < 0)
        return;
    sendto(u, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
    inet_ntop(AF_INET, &from.sin_addr, who, sizeof(who));
    printf("netsmoke: udp %zd bytes from %s\n", n, who);
}

int main(int argc, char **argv)
{
    int once = argc > 1 && strcmp(argv[argc - 1], "once") == 0;
    struct pollfd fds[2];

    fds[0].fd = listen_on(SOCK_STREAM);
    fds[1].fd = listen_on(SOCK_DGRAM);
    if (fds[0].fd < 0 || fds[1].fd < 0)
        return 1;
    printf("netsmoke: echo on tcp+udp port %d\n", ECHO_PORT);
    for (;;) {
        fds[0].events = fds[1].events = POLLIN;
        fds[0].revents = fds[1].revents = 0;
        if (poll(fds, 2, -1) < 0) {
            printf("netsmoke: poll: %s\n", strerror(errno));
            return 1;
        }
        if (fds[1].revents & POLLIN)
            serve_udp(fds[1].fd);
        if (fds[0].revents & POLLIN) {
            int c = accept(fds[0].fd, NULL, NULL);

            if (c < 0)
                continue;
            serve_tcp(c);
            close(c);
            if (once)
                return 0;
        }
    }
}
