// SPDX-License-Identifier: MIT
/*
 * kernel/sched_queue.c - intrusive FIFO queues (see sched_queue.h).
 *
 * Circular list with a sentinel; detached nodes are self-linked so that
 * "is it queued" and idempotent removal need no extra flag.
 */
#include "kernel/sched_queue.h"

void sched_queue_init(struct sched_queue *q)
{
    q->head.next = &q->head;
    q->head.prev = &q->head;
}

void sched_queue_node_init(struct sched_queue_node *n)
{
    n->next = n;
    n->prev = n;
}

bool sched_queue_empty(const struct sched_queue *q)
{
    return q->head.next == &q->head;
}

bool sched_queue_node_queued(const struct sched_queue_node *n)
{
    return n->next != n;
}

void sched_queue_push(struct sched_queue *q, struct sched_queue_node *n)
{
    n->prev = q->head.prev;
    n->next = &q->head;
    q->head.prev->next = n;
    q->head.prev = n;
}

struct sched_queue_node *sched_queue_pop(struct sched_queue *q)
{
    struct sched_queue_node *n = q->head.next;

    if (n == &q->head)
        return NULL;
    sched_queue_remove(n);
    return n;
}

void sched_queue_remove(struct sched_queue_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n;
    n->prev = n;
}

size_t sched_queue_len(const struct sched_queue *q)
{
    const struct sched_queue_node *n;
    size_t len = 0;

    for (n = q->head.next; n != &q->head; n = n->next)
        len++;
    return len;
}
