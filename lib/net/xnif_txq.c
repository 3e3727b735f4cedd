// SPDX-License-Identifier: MIT
/*
 * lib/net/xnif_txq.c - the bounded, ordered transmit backlog (see
 * xnif_txq.h).
 */
#include <string.h>

#include "lib/net/xnif_txq.h"

void xnif_txq_init(struct xnif_txq *q)
{
    memset(q, 0, sizeof(*q));
}

bool xnif_txq_push(struct xnif_txq *q, void *p)
{
    if (q->len == XNIF_TXQ_MAX) {
        q->refused++;
        return false;
    }
    q->item[(q->head + q->len) % XNIF_TXQ_MAX] = p;
    q->len++;
    q->queued++;
    return true;
}

void *xnif_txq_peek(const struct xnif_txq *q)
{
    return q->len ? q->item[q->head] : NULL;
}

void xnif_txq_pop(struct xnif_txq *q)
{
    if (!q->len)
        return;
    q->head = (q->head + 1) % XNIF_TXQ_MAX;
    q->len--;
}
