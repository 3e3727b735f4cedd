// SPDX-License-Identifier: MIT
/*
 * apps/echo/main.c - TCP and UDP echo server (RFC 862) for xenith images.
 *
 * Listens on port 7 (`port=N` overrides) for both protocols and returns
 * every byte it receives, unchanged. Design: one poll() loop over a fixed
 * pool of TCP connections, each with its own byte ring (echo_buf.c): the
 * loop asks for POLLIN only while the ring has space and POLLOUT only
 * while it holds data, so each connection is flow-controlled on its own
 * and no client can make the server buffer without bound or block the
 * others. A client that half-closes gets the rest of its data echoed
 * before the server closes; one that resets or vanishes mid-stream is
 * simply dropped. UDP datagrams are echoed to their sender, best effort
 * (dropped when the send would block). Prints "echo: listening on N".
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xenith.h>

#include "echo_buf.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define MAX_CONNS 128

struct conn {
    int fd;       /* -1: free slot */
    int peer_eof; /* the client shut its sending side */
    struct echo_buf buf;
};

static struct conn conns[MAX_CONNS];
static struct pollfd pfds[MAX_CONNS + 2];
static int pfd_conn[MAX_CONNS + 2];
static unsigned char udp_buf[65536];

static int would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/* Move what the socket allows in each direction. -1: close the conn. */
static int conn_io(struct conn *c, short revents)
{
    if (revents & POLLIN || (revents & (POLLHUP | POLLERR) && !c->peer_eof)) {
        size_t len;
        unsigned char *p = echo_buf_write_span(&c->buf, &len);

        if (len > 0) {
            ssize_t n = recv(c->fd, p, len, MSG_DONTWAIT);

            if (n > 0)
                echo_buf_commit(&c->buf, (size_t)n);
            else if (n == 0)
                c->peer_eof = 1;
            else if (!would_block())
                return -1; /* reset: nothing can be delivered any more */
        }
    }
    /* Write right away rather than waiting for the next POLLOUT: most of
     * the time the socket has room and this saves a poll round. */
    while (echo_buf_used(&c->buf) > 0) {
        size_t len;
        const unsigned char *p = echo_buf_read_span(&c->buf, &len);
        ssize_t n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0) {
            if (would_block())
                break;
            return -1;
        }
        echo_buf_consume(&c->buf, (size_t)n);
    }
    if (c->peer_eof && echo_buf_used(&c->buf) == 0)
        return -1; /* everything echoed: done */
    return 0;
}

static void udp_echo(int ufd)
{
    struct sockaddr_storage from;
    socklen_t flen = sizeof(from);
    ssize_t n = recvfrom(ufd, udp_buf, sizeof(udp_buf), MSG_DONTWAIT,
                         (struct sockaddr *)&from, &flen);

    if (n >= 0)
        sendto(ufd, udp_buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&from,
               flen);
}

static void tcp_accept(int lfd)
{
    int one = 1, fd = accept(lfd, NULL, NULL);

    if (fd < 0)
        return;
    /* An echo answers each message at once: without TCP_NODELAY the tail
     * of a message longer than one segment waits (Nagle) for the ACK of
     * its head, which the client delays (~40 ms per message). */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    for (int i = 0; i < MAX_CONNS; i++) {
        if (conns[i].fd < 0) {
            conns[i].fd = fd;
            conns[i].peer_eof = 0;
            echo_buf_init(&conns[i].buf);
            return;
        }
    }
    close(fd); /* every slot busy: refuse */
}

static int open_socket(int type, int port)
{
    struct sockaddr_in sa;
    int one = 1, fd = socket(AF_INET, type, 0);

    if (fd < 0) {
        printf("echo: socket: %s\n", strerror(errno));
        return -errno;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        (type == SOCK_STREAM && listen(fd, 32) < 0)) {
        int err = -errno;

        printf("echo: bind/listen: %s\n", strerror(errno));
        close(fd);
        return err;
    }
    return fd;
}

int main(int argc, char **argv)
{
    int port = 7, lfd, ufd;

    /* Line-buffered: the console is the log, read while we run. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "port=", 5) == 0)
            port = atoi(argv[i] + 5);
    if (port <= 0 || port > 65535) {
        printf("echo: bad port\n");
        return 2;
    }
    lfd = open_socket(SOCK_STREAM, port);
    ufd = open_socket(SOCK_DGRAM, port);
    if (lfd < 0 || ufd < 0) {
        printf("echo: cannot listen on %d: %s\n", port,
               strerror(lfd < 0 ? -lfd : -ufd));
        return 1;
    }
    for (int i = 0; i < MAX_CONNS; i++)
        conns[i].fd = -1;
    printf("echo: listening on %d\n", port);
    fflush(stdout);

    for (;;) {
        int n = 2;

        pfds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        pfds[1] = (struct pollfd){.fd = ufd, .events = POLLIN};
        for (int i = 0; i < MAX_CONNS; i++) {
            struct conn *c = &conns[i];
            short ev = 0;

            if (c->fd < 0)
                continue;
            if (!c->peer_eof && echo_buf_space(&c->buf) > 0)
                ev |= POLLIN;
            if (echo_buf_used(&c->buf) > 0)
                ev |= POLLOUT;
            pfds[n] = (struct pollfd){.fd = c->fd, .events = ev};
            pfd_conn[n++] = i;
        }
        if (poll(pfds, (nfds_t)n, -1) < 0) {
            if (errno != EINTR)
                xn_sleep_ns(10 * 1000 * 1000); /* never spin on errors */
            continue;
        }
        for (int k = 2; k < n; k++) {
            struct conn *c = &conns[pfd_conn[k]];

            if (pfds[k].revents && conn_io(c, pfds[k].revents) < 0) {
                close(c->fd);
                c->fd = -1;
            }
        }
        if (pfds[1].revents & POLLIN)
            udp_echo(ufd);
        if (pfds[0].revents & POLLIN)
            tcp_accept(lfd);
    }
}
