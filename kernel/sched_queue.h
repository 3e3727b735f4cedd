// SPDX-License-Identifier: MIT
/*
 * kernel/sched_queue.h - intrusive FIFO queues for the scheduler.
 *
 * The run queue, every wait queue and a mutex's waiters are the same
 * structure: a circular doubly-linked list with a sentinel head, nodes
 * embedded in the queued object (Linux list_head style), so queueing
 * never allocates and removal from the middle (a timeout firing on a
 * waiter) is O(1). A detached node points to itself, which makes removal
 * idempotent: a thread woken by both its event and its timeout is
 * dequeued once. Pure code: no locking here, the scheduler masks events
 * around every use. Host-tested.
 */
#ifndef KERNEL_SCHED_QUEUE_H
#define KERNEL_SCHED_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct sched_queue_node {
    struct sched_queue_node *next;
    struct sched_queue_node *prev;
};

struct sched_queue {
    struct sched_queue_node head;
};

#define sched_queue_entry(node, type, member)                                 \
    ((type *)((char *)(node) - offsetof(type, member)))

void sched_queue_init(struct sched_queue *q);
void sched_queue_node_init(struct sched_queue_node *n);
bool sched_queue_empty(const struct sched_queue *q);
/* True while n is on some queue. */
bool sched_queue_node_queued(const struct sched_queue_node *n);
/* Append n (which must be detached) at the tail. */
void sched_queue_push(struct sched_queue *q, struct sched_queue_node *n);
/* Detach and return the head, or NULL if empty. */
struct sched_queue_node *sched_queue_pop(struct sched_queue *q);
/* Detach n from whatever queue holds it; no-op when detached. */
void sched_queue_remove(struct sched_queue_node *n);
size_t sched_queue_len(const struct sched_queue *q);

#endif /* KERNEL_SCHED_QUEUE_H */
