// SPDX-License-Identifier: MIT
/*
 * tools/gdbstub/main.c - xenith-gdbstub, run in dom0:
 *
 *   xenith-gdbstub DOMID MAILBOX_ADDR PORT
 *
 * attaches to the domain (pausing it), listens on TCP PORT for one gdb
 * connection ("target remote HOST:PORT"), serves it, and exits when gdb
 * detaches, kills or disconnects (a killed domain is left to the caller
 * to destroy: exit status 9). MAILBOX_ADDR is the image's xn_gdb_mbox
 * symbol (`nm IMAGE`); `xenith debug` finds and passes it. Prints
 * "xenith-gdbstub: listening on port PORT" once it accepts connections.
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

#include "rsp.h"
#include "xcback.h"

static void send_fd(void *arg, const void *data, size_t len)
{
    int fd = *(int *)arg;
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static int listen_on(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_ANY)};
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    char err[256], buf[4096];
    struct rsp_stop initial;
    static struct rsp r;
    void *t;
    int lfd, fd, one = 1;

    if (argc != 4) {
        fprintf(stderr, "usage: xenith-gdbstub DOMID MAILBOX_ADDR PORT\n");
        return 2;
    }
    t = xcback_open((uint32_t)strtoul(argv[1], NULL, 0),
                    strtoull(argv[2], NULL, 16), &initial, err, sizeof(err));
    if (!t) {
        fprintf(stderr, "xenith-gdbstub: %s\n", err);
        return 1;
    }
    lfd = listen_on(atoi(argv[3]));
    if (lfd < 0) {
        fprintf(stderr, "xenith-gdbstub: cannot listen on port %s: %s\n",
                argv[3], strerror(errno));
        xcback_release(t);
        return 1;
    }
    printf("xenith-gdbstub: listening on port %s\n", argv[3]);
    fflush(stdout);
    fd = accept(lfd, NULL, NULL);
    close(lfd);
    if (fd < 0) {
        xcback_release(t);
        return 1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    rsp_init(&r, &xcback_ops, t, send_fd, &fd, &initial);
    while (!r.done) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, r.running ? 10 : 1000);

        if (n < 0 && errno != EINTR)
            break;
        if (n > 0) {
            ssize_t got = read(fd, buf, sizeof(buf));

            if (got <= 0)
                break; /* gdb went away */
            rsp_feed(&r, buf, (size_t)got);
        }
        rsp_poll(&r);
    }
    if (!r.done) { /* disconnected without D or k: let the guest run on */
        rsp_clear_breakpoints(&r);
        if (r.last.kind != RSP_STOP_EXITED)
            xcback_ops.detach(t);
    }
    close(fd);
    if (r.killed)
        return 9; /* still stopped: the caller destroys the domain */
    return 0;
}
