// SPDX-License-Identifier: MIT
/*
 * echo_buf.h - the fixed-size byte ring between an echo client's reads
 * and writes.
 *
 * The echo server reads into the ring only while it has space and writes
 * from it only while it holds data, so a client that sends faster than it
 * reads is slowed by TCP flow control instead of growing server memory
 * (backpressure). Both sides get the largest contiguous span so each
 * recv()/send() moves as much as one call can. Pure: no sockets, tested
 * on the host against a reference model.
 */
#ifndef ECHO_ECHO_BUF_H
#define ECHO_ECHO_BUF_H

#include <stddef.h>

#define ECHO_BUF_SIZE 8192

struct echo_buf {
    size_t head; /* total bytes ever written (free-running) */
    size_t tail; /* total bytes ever consumed */
    unsigned char data[ECHO_BUF_SIZE];
};

void echo_buf_init(struct echo_buf *b);

/* Bytes held / free. */
size_t echo_buf_used(const struct echo_buf *b);
size_t echo_buf_space(const struct echo_buf *b);

/* Contiguous free span to recv() into; *len 0 when full. */
unsigned char *echo_buf_write_span(struct echo_buf *b, size_t *len);
/* Account n bytes written into the span (n <= its length). */
void echo_buf_commit(struct echo_buf *b, size_t n);

/* Contiguous held span to send() from; *len 0 when empty. */
const unsigned char *echo_buf_read_span(const struct echo_buf *b, size_t *len);
/* Drop n bytes sent from the span (n <= its length). */
void echo_buf_consume(struct echo_buf *b, size_t n);

#endif /* ECHO_ECHO_BUF_H */
