// SPDX-License-Identifier: MIT
/*
 * echo_buf.c - the byte ring of the echo server (see echo_buf.h).
 *
 * Free-running head/tail counters (masked on access) keep "full" and
 * "empty" distinct without a spare slot; ECHO_BUF_SIZE is a power of two
 * so the mask is exact even when the counters wrap.
 */
#include "echo_buf.h"

_Static_assert((ECHO_BUF_SIZE & (ECHO_BUF_SIZE - 1)) == 0,
               "ECHO_BUF_SIZE must be a power of two");

void echo_buf_init(struct echo_buf *b)
{
    b->head = b->tail = 0;
}

size_t echo_buf_used(const struct echo_buf *b)
{
    return b->head - b->tail;
}

size_t echo_buf_space(const struct echo_buf *b)
{
    return ECHO_BUF_SIZE - echo_buf_used(b);
}

unsigned char *echo_buf_write_span(struct echo_buf *b, size_t *len)
{
    size_t off = b->head & (ECHO_BUF_SIZE - 1);
    size_t to_end = ECHO_BUF_SIZE - off, space = echo_buf_space(b);

    *len = space < to_end ? space : to_end;
    return b->data + off;
}

void echo_buf_commit(struct echo_buf *b, size_t n)
{
    b->head += n;
}

const unsigned char *echo_buf_read_span(const struct echo_buf *b, size_t *len)
{
    size_t off = b->tail & (ECHO_BUF_SIZE - 1);
    size_t to_end = ECHO_BUF_SIZE - off, used = echo_buf_used(b);

    *len = used < to_end ? used : to_end;
    return b->data + off;
}

void echo_buf_consume(struct echo_buf *b, size_t n)
{
    b->tail += n;
}
