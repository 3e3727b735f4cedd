// SPDX-License-Identifier: MIT
/*
 * apps/httpd/main.c - a small HTTP/1.1 server for xenith images.
 *
 * Serves the static files of httpd_resp.c and a dynamic /stats page on
 * port 80 (`port=N` overrides). Design: one thread, one poll() loop over
 * the open connections: no per-connection thread stacks, and static
 * bodies are sent straight from the image's read-only data. A
 * connection's state is malloc'd when it is accepted and freed when it
 * closes, found by its descriptor (a table of pointers as large as the
 * descriptor space, sysconf(_SC_OPEN_MAX)), so httpd takes every
 * connection the kernel's socket limit lets through (it scales with the
 * domain's memory, docs/config.md) and a small domain pays only for the
 * connections it has; when malloc fails the client gets a 503. Each
 * connection owns an input buffer that the
 * incremental parser (http_parse.c) consumes as bytes arrive, an output
 * buffer for the head (plus small bodies, so a typical response is one
 * send), and a pointer into a static body for large files. Keep-alive
 * follows RFC 9112 section 9.3 (1.1 persists unless "Connection: close",
 * 1.0 only with "Connection: keep-alive"); pipelined requests wait in
 * the input buffer until the previous response is fully sent. Every
 * socket call is non-blocking (MSG_DONTWAIT) so one slow client never
 * stalls the others; a parse error is answered with its status and the
 * connection closed. Prints "httpd: listening on N" when ready.
 * On `xl shutdown` / `xl reboot` its xn_on_shutdown() hook stops
 * accepting and lets open connections finish (idle keep-alive ones are
 * closed) until shortly before the kernel's deadline; an atexit handler
 * then prints what was served ("httpd: atexit: ...").
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

#include "http_parse.h"
#include "httpd_resp.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define IN_SIZE         2048
#define OUT_SIZE        2048
#define IDLE_TIMEOUT_NS (30ull * 1000000000ull)

struct conn {
    int fd; /* -1: free slot */
    struct http_parser parser;
    size_t in_off, in_len; /* unparsed bytes are in[in_off..in_len) */
    size_t out_off, out_len;
    const unsigned char *body; /* large static body, sent after out[] */
    size_t body_off, body_len;
    uint64_t discard; /* request body bytes still to skip */
    int close_after;  /* close once the output is sent */
    uint64_t last_ns; /* last progress, for the idle timeout */
    char in[IN_SIZE];
    char out[OUT_SIZE];
};

static struct conn **conns; /* by descriptor; NULL: not a connection */
static struct pollfd *pfds;  /* the listener, then every connection */
static int max_fds;          /* sysconf(_SC_OPEN_MAX) */
static struct httpd_stats stats;
static unsigned nopen;
static uint64_t start_ns;     /* uptime is counted from here */
static volatile int draining; /* set by the shutdown hook */

static void conn_close(struct conn *c)
{
    conns[c->fd] = NULL;
    close(c->fd);
    free(c);
    nopen--;
}

/* Queue a response: head (+ body if it fits) in out[], else body ref. */
static void respond(struct conn *c, int status, const char *type,
                    const void *body, size_t len, int head_only)
{
    int n = httpd_head(c->out, OUT_SIZE, status, type, len, !c->close_after);

    if (n < 0) { /* cannot happen with OUT_SIZE; never send half a head */
        c->close_after = 1;
        return;
    }
    c->out_off = 0;
    c->out_len = (size_t)n;
    c->body = NULL;
    c->body_off = c->body_len = 0;
    if (head_only || len == 0)
        return;
    if (len <= OUT_SIZE - c->out_len) {
        memcpy(c->out + c->out_len, body, len);
        c->out_len += len;
    } else {
        c->body = body;
        c->body_len = len;
    }
}

static void respond_error(struct conn *c, int status, int head_only)
{
    char body[256];
    int n = httpd_error_body(body, sizeof(body), status);

    stats.errors++;
    respond(c, status, "text/html", body, n < 0 ? 0 : (size_t)n, head_only);
}

static void handle_request(struct conn *c, const struct http_request *r)
{
    int head_only = r->method == HTTP_METHOD_HEAD;
    const struct httpd_file *f;

    stats.requests++;
    c->close_after = !r->keep_alive;
    if (strcmp(r->path, "/stats") == 0) {
        char page[512];
        struct xn_mem_stats m;
        int n;

        xn_mem_stats(&m);
        stats.uptime_ns = xn_time_monotonic_ns() - start_ns;
        stats.open_connections = nopen;
        stats.mem_total = m.total_pages * m.page_size;
        stats.mem_free = m.free_pages * m.page_size;
        stats.heap = m.heap_bytes;
        n = httpd_stats_page(page, sizeof(page), &stats);
        if (n >= 0) {
            respond(c, 200, "text/plain", page, (size_t)n, head_only);
            return;
        }
    }
    f = httpd_route(r->path);
    if (!f) {
        respond_error(c, 404, head_only);
        return;
    }
    respond(c, 200, f->type, f->data, f->len, head_only);
}

static int output_pending(const struct conn *c)
{
    return c->out_off < c->out_len || c->body_off < c->body_len;
}

/* Send what the socket takes now. 0 = progress or EAGAIN, -1 = closed. */
static int flush_out(struct conn *c)
{
    while (output_pending(c)) {
        const char *p;
        size_t len;
        ssize_t n;

        if (c->out_off < c->out_len) {
            p = c->out + c->out_off;
            len = c->out_len - c->out_off;
        } else {
            p = (const char *)c->body + c->body_off;
            len = c->body_len - c->body_off;
        }
        n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return 0;
            return -1;
        }
        if (c->out_off < c->out_len)
            c->out_off += (size_t)n;
        else
            c->body_off += (size_t)n;
    }
    return 0;
}

/* Parse buffered input and answer until output blocks or input ends. */
static int process_input(struct conn *c)
{
    while (!output_pending(c) && !c->close_after && c->in_off < c->in_len) {
        size_t avail = c->in_len - c->in_off, used;
        enum http_parse_result r;

        if (c->discard) { /* a request body we do not use */
            used = avail < c->discard ? avail : (size_t)c->discard;
            c->discard -= used;
            c->in_off += used;
            continue;
        }
        r = http_parse(&c->parser, c->in + c->in_off, avail, &used);
        c->in_off += used;
        if (r == HTTP_PARSE_AGAIN)
            break;
        if (r == HTTP_PARSE_ERROR) {
            c->close_after = 1;
            respond_error(c, c->parser.error_status, 0);
        } else {
            handle_request(c, &c->parser.req);
            c->discard = c->parser.req.content_length;
            http_parse_init(&c->parser);
        }
        if (flush_out(c) < 0)
            return -1;
    }
    if (c->in_off == c->in_len)
        c->in_off = c->in_len = 0;
    if (c->close_after && !output_pending(c))
        return -1;
    return 0;
}

static int conn_readable(struct conn *c)
{
    ssize_t n;

    if (c->in_off > 0) { /* make room at the end */
        memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    if (c->in_len == IN_SIZE)
        return 0; /* full of pipelined requests: drain output first */
    n = recv(c->fd, c->in + c->in_len, IN_SIZE - c->in_len, MSG_DONTWAIT);
    if (n == 0)
        return -1; /* the client closed: nothing more to answer */
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0
                                                                           : -1;
    c->in_len += (size_t)n;
    return process_input(c);
}

static void accept_all(int lfd, uint64_t now)
{
    for (;;) {
        struct conn *c = NULL;
        int one = 1, fd = accept(lfd, NULL, NULL);

        if (fd < 0)
            return;
        if (fd < max_fds)
            c = malloc(sizeof(*c));
        if (!c) { /* out of memory: refuse rather than queue forever */
            static const char busy[] =
                "HTTP/1.1 503 Service Unavailable\r\n"
                "Content-Length: 0\r\nConnection: close\r\n\r\n";
            send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            close(fd);
            stats.errors++;
            continue;
        }
        /* Small heads and bodies go out at once, not after a delayed ACK. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        memset(c, 0, offsetof(struct conn, in));
        c->fd = fd;
        http_parse_init(&c->parser);
        c->last_ns = now;
        conns[fd] = c;
        nopen++;
        stats.connections++;
        /* poll() on a listening socket says one is ready, not how many;
         * one accept per wakeup is enough and keeps this loop fair. */
        return;
    }
}

static int listen_on(int port)
{
    struct sockaddr_in sa;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        printf("httpd: socket: %s\n", strerror(errno));
        return -errno;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 128) < 0) {
        int err = -errno;

        printf("httpd: bind/listen: %s\n", strerror(errno));
        close(fd);
        return err;
    }
    return fd;
}

/*
 * xn_on_shutdown() hook, in the kernel's "shutdown" thread while main()
 * keeps serving: stop accepting, then wait for the open connections
 * (main closes idle ones once draining) until 100 ms before the deadline.
 */
static void drain(enum xn_shutdown_reason reason, uint64_t deadline_ns,
                  void *arg)
{
    (void)arg;
    draining = 1;
    printf("httpd: %s requested: draining %u connection(s)\n",
           reason == XN_SHUTDOWN_REBOOT ? "reboot" : "poweroff", nopen);
    while (nopen > 0 && xn_time_monotonic_ns() + 100000000ull < deadline_ns)
        xn_sleep_ns(20 * 1000 * 1000);
    printf("httpd: drained, %u connection(s) left\n", nopen);
}

static void report_at_exit(void)
{
    printf("httpd: atexit: %llu requests, %llu connections served\n",
           (unsigned long long)stats.requests,
           (unsigned long long)stats.connections);
}

int main(int argc, char **argv)
{
    int port = 80, lfd;

    /* Line-buffered: the console is the log, read while we run. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "port=", 5) == 0)
            port = atoi(argv[i] + 5);
    if (port <= 0 || port > 65535) {
        printf("httpd: bad port\n");
        return 2;
    }
    lfd = listen_on(port);
    if (lfd < 0) {
        printf("httpd: cannot listen on %d: %s\n", port, strerror(-lfd));
        return 1;
    }
    max_fds = (int)sysconf(_SC_OPEN_MAX);
    if (max_fds <= 0)
        max_fds = 256; /* the guest build's FD_SETSIZE */
    conns = calloc((size_t)max_fds, sizeof(*conns));
    pfds = calloc((size_t)max_fds + 1, sizeof(*pfds));
    if (!conns || !pfds) {
        printf("httpd: no memory for %d descriptors\n", max_fds);
        return 1;
    }
    /* Since httpd started: xn_time_monotonic_ns() currently counts from
     * Xen's boot, not the domain's (reported to the kernel's owner). */
    start_ns = xn_time_monotonic_ns();
    atexit(report_at_exit);
    if (xn_on_shutdown(drain, NULL) != XN_OK)
        printf("httpd: no shutdown hook; connections are not drained\n");
    printf("httpd: listening on %d\n", port);
    fflush(stdout);

    for (;;) {
        uint64_t now;
        int n = 0, r;

        if (draining && lfd >= 0) {
            close(lfd); /* refuse new connections from now on */
            lfd = -1;
        }
        /* Slot 0 is the listener; once closed, fd -1, which poll()
         * ignores. */
        pfds[n].fd = lfd;
        pfds[n++].events = POLLIN;
        for (int fd = 0; fd < max_fds; fd++) {
            struct conn *c = conns[fd];

            if (!c)
                continue;
            pfds[n].fd = fd;
            pfds[n++].events = output_pending(c) ? POLLOUT : POLLIN;
        }
        r = poll(pfds, (nfds_t)n, 1000);
        now = xn_time_monotonic_ns();
        if (r < 0) {
            if (errno != EINTR) {
                printf("httpd: poll: %s\n", strerror(errno));
                xn_sleep_ns(10 * 1000 * 1000);
            }
            continue;
        }
        for (int k = 1; k < n; k++) {
            struct conn *c = conns[pfds[k].fd];
            short ev = pfds[k].revents;
            int rc = 0;

            if (ev & POLLOUT) {
                rc = flush_out(c);
                if (rc == 0 && !output_pending(c))
                    rc = process_input(c);
            } else if (ev & (POLLIN | POLLHUP | POLLERR)) {
                rc = conn_readable(c);
            } else if (now - c->last_ns > IDLE_TIMEOUT_NS ||
                       (draining && !output_pending(c) &&
                        c->in_off == c->in_len)) {
                rc = -1; /* idle keep-alive, a stalled client, or idle
                          * while draining */
            }
            if (ev)
                c->last_ns = now;
            if (rc < 0)
                conn_close(c);
        }
        if (lfd >= 0 && (pfds[0].revents & POLLIN))
            accept_all(lfd, now);
    }
}
