// SPDX-License-Identifier: MIT
/*
 * apps/iperf/main.c - an iperf3-compatible TCP throughput server.
 *
 * Serves the real iperf3 client (`iperf3 -c IP [-t S] [-P N] [-R]`) one
 * test at a time on port 5201 (`port=N` overrides). The control protocol,
 * as iperf3 3.x speaks it: the client connects and sends a 37-byte
 * cookie; the server answers PARAM_EXCHANGE and reads the parameters (a
 * 4-byte big-endian length then JSON); CREATE_STREAMS, after which the
 * client opens N data connections, each starting with the same cookie;
 * TEST_START and TEST_RUNNING; data flows (client to server, or server to
 * client with -R) until the client sends TEST_END; EXCHANGE_RESULTS, the
 * client's results JSON in, ours out; DISPLAY_RESULTS; the client ends
 * with IPERF_DONE. A second client during a test gets ACCESS_DENIED.
 * Design: one poll() loop, every socket read with MSG_DONTWAIT, so the
 * control connection is watched while data streams run; small control
 * writes block briefly. Every phase has a deadline, so a vanished client
 * never wedges the server. Prints "iperf: listening on N".
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

#include "iperf_proto.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define NS_PER_S          1000000000ull
#define MAX_PENDING       8
#define PHASE_TIMEOUT_NS  (20 * NS_PER_S)
#define COOKIE_TIMEOUT_NS (10 * NS_PER_S)

enum phase {
    IDLE,
    WAIT_PARAMS,
    CREATE_STREAMS,
    RUNNING,
    WAIT_RESULTS,
    WAIT_DONE
};

/* An accepted connection whose cookie has not fully arrived. */
struct pending {
    int fd;
    size_t got;
    uint64_t since;
    char cookie[IPERF_COOKIE_SIZE];
};

struct test {
    enum phase phase;
    uint64_t phase_ns, start_ns, end_ns, deadline_ns;
    int ctrl;
    char cookie[IPERF_COOKIE_SIZE];
    struct iperf_params prm;
    int nstreams;
    int sfd[IPERF_MAX_STREAMS]; /* -1 once the peer closed it */
    uint64_t bytes[IPERF_MAX_STREAMS];
    uint64_t sent_total;
    size_t cgot, cneed; /* control message being read into cbuf */
    unsigned char cbuf[IPERF_JSON_MAX + 4];
};

static struct pending pend[MAX_PENDING];
static struct test T;
static unsigned char rx_buf[128 * 1024];
static unsigned char *tx_buf;
static char out_json[IPERF_JSON_MAX];
static struct pollfd pfds[2 + MAX_PENDING + IPERF_MAX_STREAMS];

static int would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/* Blocking write of a small control message. */
static int send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_state(int fd, int state)
{
    signed char b = (signed char)state;

    return send_all(fd, &b, 1);
}

static void set_phase(enum phase ph, uint64_t now)
{
    T.phase = ph;
    T.phase_ns = now;
    T.cgot = 0;
    /* Each phase expects one message: a state byte or a JSON document. */
    T.cneed = (ph == WAIT_PARAMS || ph == WAIT_RESULTS) ? 4 : 1;
}

static void streams_close(void)
{
    for (int i = 0; i < T.nstreams; i++) {
        if (T.sfd[i] >= 0)
            close(T.sfd[i]);
        T.sfd[i] = -1;
    }
}

static void test_end(const char *why)
{
    if (T.phase != IDLE)
        printf("iperf: test ended: %s\n", why);
    if (T.ctrl >= 0)
        close(T.ctrl);
    streams_close();
    free(tx_buf);
    tx_buf = NULL;
    memset(&T, 0, sizeof(T));
    T.ctrl = -1;
    T.phase = IDLE;
}

/* Refuse the test: SERVER_ERROR, then i_errno and errno as big-endian
 * 32-bit integers, which the client prints before exiting. */
static void test_refuse(int ierr, int err, const char *why)
{
    uint32_t codes[2] = {htonl((uint32_t)ierr), htonl((uint32_t)err)};

    if (send_state(T.ctrl, IPERF_SERVER_ERROR) == 0)
        send_all(T.ctrl, codes, sizeof(codes));
    test_end(why);
}

/* Read toward the current control message. 1: complete, 0: not yet,
 * -1: the connection failed or the message is malformed. */
static int ctrl_read(void)
{
    while (T.cgot < T.cneed) {
        ssize_t n =
            recv(T.ctrl, T.cbuf + T.cgot, T.cneed - T.cgot, MSG_DONTWAIT);

        if (n == 0)
            return -1;
        if (n < 0)
            return would_block() ? 0 : -1;
        T.cgot += (size_t)n;
        if ((T.phase == WAIT_PARAMS || T.phase == WAIT_RESULTS) &&
            T.cgot == 4 && T.cneed == 4) {
            uint32_t len;

            memcpy(&len, T.cbuf, 4);
            len = ntohl(len);
            if (len == 0 || len > IPERF_JSON_MAX)
                return -1;
            T.cneed = 4 + len;
        }
    }
    return 1;
}

static void start_running(uint64_t now)
{
    if (send_state(T.ctrl, IPERF_TEST_START) < 0 ||
        send_state(T.ctrl, IPERF_TEST_RUNNING) < 0) {
        test_end("control connection lost");
        return;
    }
    set_phase(RUNNING, now);
    T.start_ns = now;
    /* The client ends the test; this bound only catches a lost one. */
    T.deadline_ns =
        now +
        (T.prm.time ? (uint64_t)(T.prm.time + T.prm.omit) : 600) * NS_PER_S +
        PHASE_TIMEOUT_NS;
    printf("iperf: test running: %d stream(s), %s, %lld s, %lld-byte "
           "blocks\n",
           T.nstreams, T.prm.reverse ? "sending" : "receiving",
           (long long)T.prm.time, (long long)T.prm.blksize);
}

static void on_params(uint64_t now)
{
    int r = iperf_params_parse((const char *)T.cbuf + 4, T.cgot - 4, &T.prm);

    if (r == -EOPNOTSUPP) {
        test_refuse(IPERF_IE_UNIMP, 0, "unsupported parameters");
        return;
    }
    if (r != 0) {
        test_refuse(IPERF_IE_UNIMP, EINVAL, "malformed parameters");
        return;
    }
    if (T.prm.reverse) {
        tx_buf = malloc((size_t)T.prm.blksize);
        if (!tx_buf) {
            test_refuse(IPERF_IE_UNIMP, ENOMEM, "no memory for blocks");
            return;
        }
        for (int64_t i = 0; i < T.prm.blksize; i++)
            tx_buf[i] = (unsigned char)('0' + i % 64);
    }
    if (send_state(T.ctrl, IPERF_CREATE_STREAMS) < 0) {
        test_end("control connection lost");
        return;
    }
    set_phase(CREATE_STREAMS, now);
}

static void on_results(uint64_t now)
{
    struct iperf_stream_result res[IPERF_MAX_STREAMS];
    uint64_t peer_bytes = 0, mine = 0, dur = T.end_ns - T.start_ns;
    uint32_t nlen;
    int n;

    if (iperf_results_total((const char *)T.cbuf + 4, T.cgot - 4,
                            &peer_bytes) != 0) {
        test_end("malformed results from the client");
        return;
    }
    for (int i = 0; i < T.nstreams; i++) {
        res[i].id = iperf_stream_id(i);
        res[i].bytes = T.bytes[i];
        mine += T.bytes[i];
    }
    n = iperf_results_write(out_json, sizeof(out_json), res, T.nstreams, dur,
                            T.prm.reverse);
    if (n < 0) {
        test_end("results do not fit");
        return;
    }
    nlen = htonl((uint32_t)n);
    if (send_all(T.ctrl, &nlen, 4) < 0 ||
        send_all(T.ctrl, out_json, (size_t)n) < 0 ||
        send_state(T.ctrl, IPERF_DISPLAY_RESULTS) < 0) {
        test_end("control connection lost");
        return;
    }
    printf("iperf: %s %llu bytes in %llu ms = %llu Mbit/s (client: %llu)\n",
           T.prm.reverse ? "sent" : "received", (unsigned long long)mine,
           (unsigned long long)(dur / 1000000u),
           (unsigned long long)(dur ? mine * 8000u / dur : 0),
           (unsigned long long)peer_bytes);
    set_phase(WAIT_DONE, now);
}

static void on_ctrl(uint64_t now)
{
    int r = ctrl_read();
    signed char st;

    if (r < 0) {
        test_end(T.phase == WAIT_DONE ? "done" : "control connection lost");
        return;
    }
    if (r == 0)
        return;
    if (T.phase == WAIT_PARAMS) {
        on_params(now);
        return;
    }
    if (T.phase == WAIT_RESULTS) {
        on_results(now);
        return;
    }
    st = (signed char)T.cbuf[0];
    T.cgot = 0;
    if (st == IPERF_TEST_END && T.phase == RUNNING) {
        T.end_ns = now;
        /* A reverse test's streams end here, before EXCHANGE_RESULTS:
         * once it has sent TEST_END, iperf3's client drains them with
         * BLOCKING reads of whole blocks and reads the control
         * connection only when such a read returns, so it needs EOF
         * on every stream (iperf3's own server closes them here too).
         * Left open, a stream that stopped mid-block wedged the client
         * until our 20 s phase timeout ("Broken pipe"). The close is
         * graceful: bytes still queued are sent before the FIN. */
        if (T.prm.reverse)
            streams_close();
        if (send_state(T.ctrl, IPERF_EXCHANGE_RESULTS) < 0)
            test_end("control connection lost");
        else
            set_phase(WAIT_RESULTS, now);
    } else if (st == IPERF_DONE && T.phase == WAIT_DONE) {
        test_end("done");
    } else if (st == IPERF_CLIENT_TERMINATE) {
        test_end("client terminated");
    } else {
        printf("iperf: unexpected state %d in phase %d\n", st, T.phase);
        test_end("protocol error");
    }
}

/* A connection's cookie is complete: new test, data stream, or denied. */
static void on_cookie(struct pending *p, uint64_t now)
{
    int fd = p->fd, one = 1;

    p->fd = -1;
    p->cookie[IPERF_COOKIE_SIZE - 1] = '\0';
    if (T.phase == IDLE) {
        T.ctrl = fd;
        memcpy(T.cookie, p->cookie, IPERF_COOKIE_SIZE);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        set_phase(WAIT_PARAMS, now);
        if (send_state(fd, IPERF_PARAM_EXCHANGE) < 0)
            test_end("control connection lost");
        return;
    }
    if (T.phase == CREATE_STREAMS && T.nstreams < T.prm.parallel &&
        memcmp(T.cookie, p->cookie, IPERF_COOKIE_SIZE) == 0) {
        T.sfd[T.nstreams] = fd;
        T.bytes[T.nstreams++] = 0;
        if (T.nstreams == T.prm.parallel)
            start_running(now);
        return;
    }
    send_state(fd, IPERF_ACCESS_DENIED); /* busy, or a stray stream */
    close(fd);
}

static void on_pending(struct pending *p, uint64_t now)
{
    ssize_t n = recv(p->fd, p->cookie + p->got, IPERF_COOKIE_SIZE - p->got,
                     MSG_DONTWAIT);

    if (n == 0 || (n < 0 && !would_block())) {
        close(p->fd);
        p->fd = -1;
        return;
    }
    if (n > 0)
        p->got += (size_t)n;
    if (p->got == IPERF_COOKIE_SIZE)
        on_cookie(p, now);
}

static void on_stream(int i, short revents)
{
    if (!T.prm.reverse || T.phase != RUNNING) {
        /* Receive (and after TEST_END, drain) whatever is queued. */
        for (int k = 0; k < 8; k++) {
            ssize_t n = recv(T.sfd[i], rx_buf, sizeof(rx_buf), MSG_DONTWAIT);

            if (n > 0) {
                if (!T.prm.reverse)
                    T.bytes[i] += (uint64_t)n;
                continue;
            }
            if (n == 0 || !would_block()) {
                close(T.sfd[i]);
                T.sfd[i] = -1;
            }
            return;
        }
        return;
    }
    if (!(revents & POLLOUT)) {
        if (revents & (POLLERR | POLLHUP)) {
            close(T.sfd[i]);
            T.sfd[i] = -1;
        }
        return;
    }
    for (int k = 0; k < 8; k++) {
        uint64_t limit = T.prm.bytes ? (uint64_t)T.prm.bytes
                         : T.prm.blocks
                             ? (uint64_t)(T.prm.blocks * T.prm.blksize)
                             : 0;
        size_t len = (size_t)T.prm.blksize;
        ssize_t n;

        if (limit && T.sent_total >= limit)
            return; /* -n/-k reached: the client will send TEST_END */
        if (limit && limit - T.sent_total < len)
            len = (size_t)(limit - T.sent_total);
        n = send(T.sfd[i], tx_buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (!would_block()) {
                close(T.sfd[i]);
                T.sfd[i] = -1;
            }
            return;
        }
        T.bytes[i] += (uint64_t)n;
        T.sent_total += (uint64_t)n;
    }
}

static void on_accept(int lfd, uint64_t now)
{
    int fd = accept(lfd, NULL, NULL);

    if (fd < 0)
        return;
    for (int i = 0; i < MAX_PENDING; i++) {
        if (pend[i].fd < 0) {
            pend[i].fd = fd;
            pend[i].got = 0;
            pend[i].since = now;
            return;
        }
    }
    close(fd); /* a flood of half-open clients: drop the newest */
}

static int listen_on(int port)
{
    struct sockaddr_in sa;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        printf("iperf: socket: %s\n", strerror(errno));
        return -errno;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 16) < 0) {
        int err = -errno;

        printf("iperf: bind/listen: %s\n", strerror(errno));
        close(fd);
        return err;
    }
    return fd;
}

static void check_deadlines(uint64_t now)
{
    for (int i = 0; i < MAX_PENDING; i++) {
        if (pend[i].fd >= 0 && now - pend[i].since > COOKIE_TIMEOUT_NS) {
            close(pend[i].fd);
            pend[i].fd = -1;
        }
    }
    if (T.phase == RUNNING
            ? now > T.deadline_ns
            : (T.phase != IDLE && now - T.phase_ns > PHASE_TIMEOUT_NS))
        test_end("timed out");
}

int main(int argc, char **argv)
{
    int port = IPERF_PORT, lfd;

    /* Line-buffered: the console is the log, read while we run. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "port=", 5) == 0)
            port = atoi(argv[i] + 5);
    if (port <= 0 || port > 65535) {
        printf("iperf: bad port\n");
        return 2;
    }
    lfd = listen_on(port);
    if (lfd < 0) {
        printf("iperf: cannot listen on %d: %s\n", port, strerror(-lfd));
        return 1;
    }
    for (int i = 0; i < MAX_PENDING; i++)
        pend[i].fd = -1;
    T.ctrl = -1;
    printf("iperf: listening on %d\n", port);
    fflush(stdout);

    for (;;) {
        int n = 0, ctrl_at = -1, pend_at[MAX_PENDING],
            strm_at[IPERF_MAX_STREAMS];
        uint64_t now;
        int sending;

        pfds[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
        if (T.ctrl >= 0) {
            ctrl_at = n;
            pfds[n++] = (struct pollfd){.fd = T.ctrl, .events = POLLIN};
        }
        for (int i = 0; i < MAX_PENDING; i++) {
            pend_at[i] = -1;
            if (pend[i].fd < 0)
                continue;
            pend_at[i] = n;
            pfds[n++] = (struct pollfd){.fd = pend[i].fd, .events = POLLIN};
        }
        for (int i = 0; i < T.nstreams; i++) {
            short ev = T.prm.reverse && T.phase == RUNNING ? POLLOUT : POLLIN;

            strm_at[i] = -1;
            if (T.sfd[i] < 0)
                continue;
            strm_at[i] = n;
            pfds[n++] = (struct pollfd){.fd = T.sfd[i], .events = ev};
        }
        /* While sending, never sleep long on a POLLOUT that may not come:
         * a send-space wakeup lost in the stack would stall the test. */
        sending = T.prm.reverse && T.phase == RUNNING;
        if (poll(pfds, (nfds_t)n, sending ? 10 : 1000) < 0) {
            if (errno != EINTR)
                xn_sleep_ns(10 * 1000 * 1000);
            continue;
        }
        now = xn_time_monotonic_ns();
        /* Data first: TEST_END must not be seen before the bytes that
         * arrived ahead of it are counted. */
        for (int i = 0; i < T.nstreams; i++) {
            short rev = strm_at[i] >= 0 ? pfds[strm_at[i]].revents : 0;

            /* A sender tries every stream each round (MSG_DONTWAIT). */
            if (strm_at[i] >= 0 && (rev || sending))
                on_stream(i, sending ? (short)(rev | POLLOUT) : rev);
        }
        if (ctrl_at >= 0 && pfds[ctrl_at].revents && T.ctrl >= 0)
            on_ctrl(now);
        for (int i = 0; i < MAX_PENDING; i++)
            if (pend_at[i] >= 0 && pend[i].fd >= 0 && pfds[pend_at[i]].revents)
                on_pending(&pend[i], now);
        if (pfds[0].revents & POLLIN)
            on_accept(lfd, now);
        check_deadlines(now);
    }
}
