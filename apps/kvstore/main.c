// SPDX-License-Identifier: MIT
/*
 * apps/kvstore/main.c - durable key-value server over TCP on a raw disk.
 *
 * Opens the first disk (xvda, `disk=NAME` overrides) through the xn_blk
 * API, recovers the log (kvstore.c), then serves the line protocol of
 * kvproto.h on port 7000 (`port=N` overrides) and prints
 * "kvstore: listening on PORT (N keys recovered)". Design: one thread,
 * one poll() loop, group commit. Each pass reads what every connection
 * sent, stages the PUTs and DELs of all of them into one batch, then
 * commits it (one write + one flush, blocking only this thread while the
 * network stack keeps receiving) and only then queues their `OK`s: the
 * longer a flush takes, the more requests the next batch carries. Per
 * connection, responses stay in request order: once a connection has a
 * staged write, anything that would be answered at once (GET, COUNT,
 * errors, ...) waits for the commit, which also gives read-your-writes.
 * Backpressure: a connection's requests are only parsed while its output
 * buffer can take the largest response, so no client grows the server's
 * memory. Protocol reference: kvproto.h; disk format: kvlog.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xenith.h>

#include "kvproto.h"
#include "kvstore.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define MAX_CONNS 64
#define OUT_SIZE  (KVLOG_VALUE_MAX + 24 * 1024)
/* The largest immediate answer: "VALUE " value "\n", or a STATS line. */
#define RESP_MAX (KVLOG_VALUE_MAX + 512)
#define OK_LEN   3 /* "OK\n", reserved per staged write */

struct conn {
    int fd;
    unsigned int gen;     /* distinguishes reuses of this slot */
    int peer_eof;         /* the client shut its sending side */
    size_t pending;       /* staged writes awaiting their commit */
    const char *late_err; /* an error to send after those commits */
    size_t out_len, out_sent;
    struct kvproto_in in;
    char out[OUT_SIZE];
};

/* Who to answer for each staged write, in batch order. */
struct owner {
    int slot;
    unsigned int gen;
};

static struct kvstore store;
static struct blkdev_ctx {
    struct xn_blk *b;
} disk;
static struct conn *conns[MAX_CONNS];
static unsigned int next_gen = 1;
static struct owner owners[KVSTORE_BATCH_MAX / KVLOG_ALIGN_MIN];
static size_t nowners;
static uint64_t commit_ns_total, commit_ns_max, recovery_ms;

static int blk_errno(xn_result r)
{
    switch (r) {
    case XN_OK:
        return 0;
    case XN_ERR_INVAL:
        return -EINVAL;
    case XN_ERR_NOMEM:
        return -ENOMEM;
    case XN_ERR_TIMEOUT:
        return -ETIMEDOUT;
    case XN_ERR_ROFS:
        return -EROFS;
    case XN_ERR_NODEV:
        return -ENODEV;
    default:
        return -EIO;
    }
}

static int dev_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    return blk_errno(xn_blk_read(((struct blkdev_ctx *)ctx)->b, off, buf, len));
}

static int dev_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
    return blk_errno(
        xn_blk_write(((struct blkdev_ctx *)ctx)->b, off, buf, len));
}

static int dev_flush(void *ctx)
{
    return blk_errno(xn_blk_flush(((struct blkdev_ctx *)ctx)->b));
}

/* The disk may still be connecting when main() starts: wait up to 30 s. */
static int open_disk(const char *name, struct xn_blk_info *info)
{
    uint64_t deadline = xn_time_monotonic_ns() + 30ull * 1000000000ull;

    for (;;) {
        if (!disk.b && xn_blk_open(name, &disk.b) != XN_OK)
            disk.b = NULL;
        if (disk.b && xn_blk_get_info(disk.b, info) == XN_OK && info->connected)
            return 0;
        if (xn_time_monotonic_ns() > deadline)
            return -ENODEV;
        xn_sleep_ns(50 * 1000 * 1000);
    }
}

/* kvstore.test-noflush: see struct kvstore_dev (tests only). */
static int commit_noflush;

static int open_store(const char *name)
{
    struct xn_blk_info info;
    struct kvstore_dev dev;
    struct kvstore_stats st;
    int64_t wall;
    uint32_t wall_ns;
    uint64_t t0, id;
    int rc = open_disk(name, &info);

    if (rc) {
        printf("kvstore: no disk %s\n", name);
        return rc;
    }
    if (info.read_only) {
        printf("kvstore: %s is read-only\n", name);
        return -EROFS;
    }
    xn_time_wall(&wall, &wall_ns);
    t0 = xn_time_monotonic_ns();
    /* Unique enough to tell this log from an earlier one on the disk. */
    id = ((uint64_t)wall << 30) ^ wall_ns ^ (t0 * 0x9e3779b97f4a7c15ull);
    dev = (struct kvstore_dev){
        .ctx = &disk,
        .size = info.size,
        .align = info.align < KVLOG_ALIGN_MIN ? KVLOG_ALIGN_MIN : info.align,
        .read = dev_read,
        .write = dev_write,
        .flush = dev_flush,
        .commit_noflush = commit_noflush,
    };
    if (commit_noflush)
        printf("kvstore: TEST ONLY (kvstore.test-noflush): commits are not "
               "flushed, acknowledged puts are NOT durable\n");
    rc = kvstore_open(&store, &dev, id, (uint64_t)wall);
    recovery_ms = (xn_time_monotonic_ns() - t0) / 1000000;
    if (rc) {
        printf("kvstore: cannot open the store on %s: %s\n", name,
               strerror(-rc));
        return rc;
    }
    kvstore_stats(&store, &st);
    printf("kvstore: %s %" PRIu64 " MiB, align %u, flush %s; %s; replayed "
           "%" PRIu64 " records (%" PRIu64 " log bytes) into %" PRIu64
           " keys in %" PRIu64 " ms\n",
           info.name, info.size >> 20, dev.align, info.can_flush ? "yes" : "no",
           st.formatted ? "formatted a new store" : "existing store",
           st.recovered, st.log_bytes, st.keys, recovery_ms);
    return 0;
}

static int out_room(const struct conn *c)
{
    return OUT_SIZE - c->out_len >= RESP_MAX + (c->pending + 1) * OK_LEN;
}

static void out_add(struct conn *c, const char *a, size_t alen, const char *b,
                    size_t blen)
{
    /* Callers checked out_room (or reserved OK_LEN): this always fits. */
    memcpy(c->out + c->out_len, a, alen);
    c->out_len += alen;
    if (blen) {
        memcpy(c->out + c->out_len, b, blen);
        c->out_len += blen;
    }
}

static void out_str(struct conn *c, const char *s)
{
    out_add(c, s, strlen(s), NULL, 0);
}

static void out_err(struct conn *c, const char *why)
{
    char line[96];

    snprintf(line, sizeof(line), "ERR %s\n", why);
    out_str(c, line);
}

static const char *stage_error(int rc)
{
    switch (rc) {
    case -ENOSPC:
        return "disk full";
    case -EROFS:
        return "read-only after a disk error";
    case -ENOMEM:
        return "out of memory";
    case -EINVAL:
        return "bad key or value";
    default:
        return "internal error";
    }
}

static void answer_stats(struct conn *c)
{
    struct kvstore_stats st;
    char line[512];
    int live = 0;

    for (int i = 0; i < MAX_CONNS; i++)
        live += conns[i] != NULL;
    kvstore_stats(&store, &st);
    snprintf(line, sizeof(line),
             "STATS keys=%" PRIu64 " live_bytes=%" PRIu64 " log_bytes=%" PRIu64
             " log_capacity=%" PRIu64 " puts=%" PRIu64 " dels=%" PRIu64
             " gets=%" PRIu64 " commits=%" PRIu64 " records=%" PRIu64
             " commit_avg_us=%" PRIu64 " commit_max_us=%" PRIu64
             " recovered=%" PRIu64 " recovery_ms=%" PRIu64 " conns=%d"
             " broken=%d\n",
             st.keys, st.live_bytes, st.log_bytes, st.log_capacity, st.puts,
             st.dels, st.gets, st.commits, st.records,
             st.commits ? commit_ns_total / st.commits / 1000 : 0,
             commit_ns_max / 1000, st.recovered, recovery_ms, live,
             store.broken);
    out_str(c, line);
}

/* Handle one parsed request. 1: consumed; 0: retry after the commit. */
static int handle(struct conn *c, int slot, const struct kvproto_cmd *cmd)
{
    const uint8_t *val;
    size_t vlen;
    char num[32];
    int rc;

    switch (cmd->op) {
    case KVPROTO_NONE:
        return 1;
    case KVPROTO_PUT:
    case KVPROTO_DEL:
        if (cmd->op == KVPROTO_PUT)
            rc = kvstore_stage_put(&store, cmd->key, cmd->klen, cmd->val,
                                   cmd->vlen);
        else
            rc = kvstore_stage_del(&store, cmd->key, cmd->klen);
        if (rc == 0) {
            owners[nowners++] = (struct owner){slot, c->gen};
            c->pending++;
            return 1;
        }
        /* A full batch, or an answer that must follow the staged OKs. */
        if (rc == -EAGAIN || c->pending)
            return 0;
        if (rc == -ENOENT)
            out_str(c, "NOTFOUND\n");
        else
            out_err(c, stage_error(rc));
        return 1;
    default:
        break;
    }
    if (c->pending)
        return 0; /* read-your-writes and ordering: after the commit */
    switch (cmd->op) {
    case KVPROTO_GET:
        if (kvstore_get(&store, cmd->key, cmd->klen, &val, &vlen) == 0) {
            out_add(c, "VALUE ", 6, (const char *)val, vlen);
            out_str(c, "\n");
        } else {
            out_str(c, "NOTFOUND\n");
        }
        break;
    case KVPROTO_COUNT:
        snprintf(num, sizeof(num), "%" PRIu64 "\n", store.st.keys);
        out_str(c, num);
        break;
    case KVPROTO_STATS:
        answer_stats(c);
        break;
    default:
        out_err(c, cmd->err ? cmd->err : "bad request");
        break;
    }
    return 1;
}

/* Parse and handle buffered requests of one connection. */
static void process(struct conn *c, int slot)
{
    while (!c->late_err && out_room(c)) {
        struct kvproto_cmd cmd;
        const char *line;
        size_t len;
        int rc = kvproto_in_peek(&c->in, &line, &len);

        if (rc == 0)
            return;
        if (rc == -EMSGSIZE) {
            if (c->pending)
                c->late_err = "line too long";
            else
                out_err(c, "line too long");
            continue;
        }
        kvproto_parse(line, len, &cmd);
        if (!handle(c, slot, &cmd))
            return;
        kvproto_in_consume(&c->in, len);
    }
}

static void commit(void)
{
    uint64_t t0 = xn_time_monotonic_ns(), dt;
    int rc;

    if (kvstore_staged(&store) == 0)
        return;
    rc = kvstore_commit(&store);
    dt = xn_time_monotonic_ns() - t0;
    commit_ns_total += dt;
    if (dt > commit_ns_max)
        commit_ns_max = dt;
    if (rc)
        printf("kvstore: commit failed (%s): the store is read-only until "
               "restarted\n",
               strerror(-rc));
    for (size_t i = 0; i < nowners; i++) {
        struct conn *c = conns[owners[i].slot];

        if (!c || c->gen != owners[i].gen)
            continue; /* the client went away meanwhile */
        if (rc)
            out_err(c, "write failed");
        else
            out_str(c, "OK\n");
        if (--c->pending == 0 && c->late_err) {
            out_err(c, c->late_err);
            c->late_err = NULL;
        }
    }
    nowners = 0;
}

static void conn_close(int slot)
{
    close(conns[slot]->fd);
    free(conns[slot]);
    conns[slot] = NULL;
}

static int would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/* Receive what the socket has. -1: drop the connection. */
static int conn_recv(struct conn *c)
{
    size_t room;
    char *p = kvproto_in_space(&c->in, &room);
    ssize_t n;

    if (room == 0 || c->peer_eof)
        return 0;
    n = recv(c->fd, p, room, MSG_DONTWAIT);
    if (n > 0)
        kvproto_in_added(&c->in, (size_t)n);
    else if (n == 0)
        c->peer_eof = 1;
    else if (!would_block())
        return -1;
    return 0;
}

/* Send queued answers. -1: drop the connection. */
static int conn_send(struct conn *c)
{
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0)
            return would_block() ? 0 : -1;
        c->out_sent += (size_t)n;
    }
    c->out_len = c->out_sent = 0;
    return 0;
}

static void accept_one(int lfd)
{
    int one = 1, fd = accept(lfd, NULL, NULL);

    if (fd < 0)
        return;
    for (int i = 0; i < MAX_CONNS; i++) {
        if (conns[i])
            continue;
        conns[i] = malloc(sizeof(struct conn));
        if (!conns[i])
            break;
        memset(conns[i], 0, offsetof(struct conn, in));
        kvproto_in_init(&conns[i]->in);
        conns[i]->fd = fd;
        conns[i]->gen = next_gen++;
        /* Answers are small and clients wait for them. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        return;
    }
    close(fd); /* full (or out of memory): refuse */
}

static int listen_on(int port)
{
    struct sockaddr_in sa = {
        .sin_family = AF_INET,
        .sin_port = htons((uint16_t)port),
        .sin_addr.s_addr = htonl(INADDR_ANY),
    };
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -errno;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 32) < 0) {
        int err = -errno;

        close(fd);
        return err;
    }
    return fd;
}

/* One pass over the connections: receive, stage/answer, commit, send. */
static int serve_pass(void)
{
    int again = 0;

    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i] && conn_recv(conns[i]) < 0)
            conn_close(i);
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i])
            process(conns[i], i);
    commit();
    for (int i = 0; i < MAX_CONNS; i++) {
        struct conn *c = conns[i];

        if (!c)
            continue;
        if (conn_send(c) < 0) {
            conn_close(i);
            continue;
        }
        /* Requests left waiting for the commit can run right away. */
        int more = kvproto_in_ready(&c->in);

        if (more && out_room(c))
            again = 1;
        else if (c->peer_eof && !more && c->out_len == 0)
            conn_close(i);
    }
    return again;
}

int main(int argc, char **argv)
{
    static struct pollfd pfds[MAX_CONNS + 1];
    const char *disk_name = "xvda";
    int port = 7000, lfd, again = 0;
    struct kvstore_stats st;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "port=", 5) == 0)
            port = atoi(argv[i] + 5);
        else if (strncmp(argv[i], "disk=", 5) == 0)
            disk_name = argv[i] + 5;
        else if (strcmp(argv[i], "kvstore.test-noflush") == 0)
            commit_noflush = 1;
    }
    if (port <= 0 || port > 65535) {
        printf("kvstore: bad port\n");
        return 2;
    }
    if (open_store(disk_name) < 0)
        return 1;
    lfd = listen_on(port);
    if (lfd < 0) {
        printf("kvstore: cannot listen on %d: %s\n", port, strerror(-lfd));
        return 1;
    }
    kvstore_stats(&store, &st);
    printf("kvstore: listening on %d (%" PRIu64 " keys recovered)\n", port,
           st.keys);

    for (;;) {
        int n = 1;

        pfds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (int i = 0; i < MAX_CONNS; i++) {
            struct conn *c = conns[i];
            short ev = 0;

            if (!c)
                continue;
            /* No POLLIN while the input is full: poll would spin. */
            if (!c->peer_eof && kvproto_in_room(&c->in) > 0)
                ev |= POLLIN;
            if (c->out_len > c->out_sent)
                ev |= POLLOUT;
            pfds[n++] = (struct pollfd){.fd = c->fd, .events = ev};
        }
        if (poll(pfds, (nfds_t)n, again ? 0 : -1) < 0 && errno != EINTR)
            xn_sleep_ns(10 * 1000 * 1000); /* never spin on errors */
        if (pfds[0].revents & POLLIN)
            accept_one(lfd);
        again = serve_pass();
    }
}
