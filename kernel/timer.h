// SPDX-License-Identifier: MIT
/*
 * kernel/timer.h - the kernel's software timer list.
 *
 * All sleeps and wait timeouts are timers on one list sorted by deadline
 * (ties keep insertion order), so the earliest deadline is the head and
 * is what the scheduler programs into Xen's one-shot timer. Design
 * choice: a sorted list rather than a heap: insertion is O(n) but n is
 * the number of sleeping threads plus pending timeouts (tens), removal of
 * a cancelled timeout is O(1), and expiry is strictly ordered. Pure code,
 * host-tested; the scheduler masks events around every call.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/sched_queue.h"

struct timer {
    struct sched_queue_node node;
    uint64_t deadline; /* absolute, time_monotonic_ns() scale */
    void (*fn)(struct timer *t, void *arg);
    void *arg;
};

struct timer_list {
    struct sched_queue q;
};

void timer_list_init(struct timer_list *tl);

/* Prepare t; fn(t, arg) runs when it expires (from timer_list_run()). */
void timer_init(struct timer *t, void (*fn)(struct timer *, void *),
                void *arg);

/* (Re)arm t for deadline; an armed timer is moved. */
void timer_add(struct timer_list *tl, struct timer *t, uint64_t deadline);

/* Disarm t; no-op when not armed. */
void timer_del(struct timer *t);

bool timer_armed(const struct timer *t);

/* Earliest deadline into *deadline; false when no timer is armed. */
bool timer_list_next(const struct timer_list *tl, uint64_t *deadline);

/*
 * Disarm and return the earliest timer with deadline <= now, or NULL.
 * The caller runs t->fn; popping one at a time lets fn re-arm timers.
 */
struct timer *timer_list_pop_expired(struct timer_list *tl, uint64_t now);

/* Pop and call every expired timer; returns how many ran. */
unsigned int timer_list_run(struct timer_list *tl, uint64_t now);

#endif /* KERNEL_TIMER_H */
