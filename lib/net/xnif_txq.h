// SPDX-License-Identifier: MIT
/*
 * lib/net/xnif_txq.h - the transmit backlog of an lwIP interface: frames
 * that found the device's ring full, kept in order until it has room.
 *
 * Design choice: transmit runs under lwIP's core lock, which every socket
 * call and every other interface needs, so it must never wait for a
 * backend. A frame that finds the ring full is queued here (the caller
 * holds a pbuf reference on it) and sent, in order, as soon as the ring
 * has room: before any newer frame, and from the interface's thread when
 * the backend signals completions. The queue is bounded; when it is full
 * the frame is refused and counted (TCP retransmits it), so a backend
 * that stops consuming costs that interface its frames, never the stack
 * its progress. Pure: pointers in, pointers out; host-tested.
 */
#ifndef NET_XNIF_TXQ_H
#define NET_XNIF_TXQ_H

#include <stdbool.h>
#include <stdint.h>

#define XNIF_TXQ_MAX 256

struct xnif_txq {
    void *item[XNIF_TXQ_MAX];
    unsigned int head, len;
    uint64_t queued, refused; /* frames ever queued, refused when full */
};

void xnif_txq_init(struct xnif_txq *q);

/* Append p; false (and counted) when full. */
bool xnif_txq_push(struct xnif_txq *q, void *p);

/* The oldest frame, NULL when empty. */
void *xnif_txq_peek(const struct xnif_txq *q);

/* Drop the oldest frame (after it was sent or given up). */
void xnif_txq_pop(struct xnif_txq *q);

static inline bool xnif_txq_empty(const struct xnif_txq *q)
{
    return q->len == 0;
}

#endif /* NET_XNIF_TXQ_H */
