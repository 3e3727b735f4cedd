// SPDX-License-Identifier: MIT
/*
 * iperf_proto.h - the iperf3 control protocol, as pure functions.
 *
 * Constants of the wire protocol spoken by iperf3 3.x clients (state
 * bytes, cookie size, error codes), the decoding of the client's test
 * parameters into what this server supports, and the encoding of the
 * server's results. Facts taken from iperf3's documented behaviour and
 * source (iperf_api.h, iperf_api.c: send_parameters/get_results,
 * iperf_add_stream); the code is our own. Everything here is testable on
 * the host without sockets.
 */
#ifndef IPERF_IPERF_PROTO_H
#define IPERF_IPERF_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define IPERF_PORT            5201
#define IPERF_COOKIE_SIZE     37 /* 36 characters and a NUL */
#define IPERF_MAX_STREAMS     8
#define IPERF_MAX_BLKSIZE     (1024 * 1024)
#define IPERF_DEFAULT_BLKSIZE (128 * 1024)
#define IPERF_JSON_MAX        16384 /* a params/results document we accept */

/* Control-connection state bytes (a signed char on the wire). */
enum iperf_state {
    IPERF_TEST_START = 1,
    IPERF_TEST_RUNNING = 2,
    IPERF_TEST_END = 4,
    IPERF_PARAM_EXCHANGE = 9,
    IPERF_CREATE_STREAMS = 10,
    IPERF_SERVER_TERMINATE = 11,
    IPERF_CLIENT_TERMINATE = 12,
    IPERF_EXCHANGE_RESULTS = 13,
    IPERF_DISPLAY_RESULTS = 14,
    IPERF_DONE = 16,
    IPERF_ACCESS_DENIED = -1,
    IPERF_SERVER_ERROR = -2,
};

/* iperf3's i_errno value sent after SERVER_ERROR for what we refuse. */
#define IPERF_IE_UNIMP 13 /* "not implemented" */

/* The parameters this server acts on. */
struct iperf_params {
    int reverse;     /* -R: the server sends */
    int parallel;    /* -P: number of data streams */
    int64_t time;    /* -t seconds (0 when -n/-k end the test) */
    int64_t omit;    /* -O seconds */
    int64_t bytes;   /* -n: bytes to send, 0 = unlimited */
    int64_t blocks;  /* -k: blocks to send, 0 = unlimited */
    int64_t blksize; /* -l: bytes per write */
};

/*
 * Decode the client's parameter object. 0 on success; -EINVAL for
 * malformed JSON or wrongly typed/absurd values; -EOPNOTSUPP for tests
 * this server does not run (UDP, SCTP, bidirectional, more than
 * IPERF_MAX_STREAMS streams, blocks over IPERF_MAX_BLKSIZE).
 */
int iperf_params_parse(const char *json, size_t len, struct iperf_params *p);

/*
 * iperf3 numbers a test's streams in the order they are added: 1, 3, 4,
 * 5, ... (the second one skips 2). The client matches result entries by
 * this id, so the server must number its streams the same way.
 */
int iperf_stream_id(int index);

struct iperf_stream_result {
    int id;
    uint64_t bytes; /* sent (server is the sender) or received */
};

/*
 * Write the server's results object: CPU figures (zero: no per-process
 * accounting here), sender_has_retransmits, and one entry per stream with
 * id, bytes, retransmits (-1: unknown), jitter/errors/packets (0: TCP),
 * start_time 0 and end_time = duration. Returns its length or -ENOSPC.
 */
int iperf_results_write(char *buf, size_t cap,
                        const struct iperf_stream_result *streams, int n,
                        uint64_t duration_ns, int sender);

/*
 * Sum of "bytes" over the "streams" array of a peer's results object
 * (for the log line); -EINVAL if malformed.
 */
int iperf_results_total(const char *json, size_t len, uint64_t *total);

#endif /* IPERF_IPERF_PROTO_H */
