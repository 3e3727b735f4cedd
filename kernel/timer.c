// SPDX-License-Identifier: MIT
/*
 * kernel/timer.c - deadline-sorted timer list (see timer.h).
 *
 * Insertion walks from the tail because new deadlines (now + a timeout)
 * are usually the latest; ties go after existing equal deadlines so
 * timers with the same deadline fire in arming order.
 */
#include "kernel/timer.h"

#include <stddef.h>

void timer_list_init(struct timer_list *tl)
{
    sched_queue_init(&tl->q);
}

void timer_init(struct timer *t, void (*fn)(struct timer *, void *),
                void *arg)
{
    sched_queue_node_init(&t->node);
    t->deadline = 0;
    t->fn = fn;
    t->arg = arg;
}

void timer_add(struct timer_list *tl, struct timer *t, uint64_t deadline)
{
    struct sched_queue_node *pos;

    sched_queue_remove(&t->node);
    t->deadline = deadline;
    for (pos = tl->q.head.prev; pos != &tl->q.head; pos = pos->prev) {
        struct timer *o = sched_queue_entry(pos, struct timer, node);

        if (o->deadline <= deadline)
            break;
    }
    /* Insert after pos (pos may be the sentinel: insert at the front). */
    t->node.prev = pos;
    t->node.next = pos->next;
    pos->next->prev = &t->node;
    pos->next = &t->node;
}

void timer_del(struct timer *t)
{
    sched_queue_remove(&t->node);
}

bool timer_armed(const struct timer *t)
{
    return sched_queue_node_queued(&t->node);
}

bool timer_list_next(const struct timer_list *tl, uint64_t *deadline)
{
    if (sched_queue_empty(&tl->q))
        return false;
    *deadline =
        sched_queue_entry(tl->q.head.next, struct timer, node)->deadline;
    return true;
}

struct timer *timer_list_pop_expired(struct timer_list *tl, uint64_t now)
{
    struct timer *t;

    if (sched_queue_empty(&tl->q))
        return NULL;
    t = sched_queue_entry(tl->q.head.next, struct timer, node);
    if (t->deadline > now)
        return NULL;
    sched_queue_remove(&t->node);
    return t;
}

unsigned int timer_list_run(struct timer_list *tl, uint64_t now)
{
    struct timer *t;
    unsigned int n = 0;

    while ((t = timer_list_pop_expired(tl, now))) {
        n++;
        if (t->fn)
            t->fn(t, t->arg);
    }
    return n;
}
