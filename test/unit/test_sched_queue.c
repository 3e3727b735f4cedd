// SPDX-License-Identifier: MIT
/*
 * test/unit/test_sched_queue.c - host tests of the scheduler's pure parts:
 * FIFO queues (order, removal from the middle, idempotent removal) and
 * the deadline-sorted timer list (ordering, ties in arming order,
 * re-arming, cancellation, expiry up to "now", callbacks that re-arm).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/sched_queue.h"
#include "kernel/timer.h"

struct item {
    int id;
    struct sched_queue_node node;
};

static int pop_id(struct sched_queue *q)
{
    struct sched_queue_node *n = sched_queue_pop(q);

    return n ? sched_queue_entry(n, struct item, node)->id : -1;
}

static void queue_is_fifo(void **state)
{
    struct sched_queue q;
    struct item it[4];
    int i;

    (void)state;
    sched_queue_init(&q);
    assert_true(sched_queue_empty(&q));
    assert_null(sched_queue_pop(&q));
    for (i = 0; i < 4; i++) {
        it[i].id = i;
        sched_queue_node_init(&it[i].node);
        assert_false(sched_queue_node_queued(&it[i].node));
        sched_queue_push(&q, &it[i].node);
    }
    assert_int_equal(sched_queue_len(&q), 4);
    for (i = 0; i < 4; i++)
        assert_int_equal(pop_id(&q), i);
    assert_true(sched_queue_empty(&q));
}

static void remove_from_middle_is_idempotent(void **state)
{
    struct sched_queue q;
    struct item it[3] = { { .id = 0 }, { .id = 1 }, { .id = 2 } };
    int i;

    (void)state;
    sched_queue_init(&q);
    for (i = 0; i < 3; i++) {
        sched_queue_node_init(&it[i].node);
        sched_queue_push(&q, &it[i].node);
    }
    sched_queue_remove(&it[1].node);
    assert_false(sched_queue_node_queued(&it[1].node));
    sched_queue_remove(&it[1].node); /* woken twice: must be harmless */
    assert_int_equal(sched_queue_len(&q), 2);
    assert_int_equal(pop_id(&q), 0);
    assert_int_equal(pop_id(&q), 2);
    assert_int_equal(pop_id(&q), -1);
    /* A popped node can be queued again. */
    sched_queue_push(&q, &it[0].node);
    assert_true(sched_queue_node_queued(&it[0].node));
    assert_int_equal(pop_id(&q), 0);
}

static int fired[8];
static unsigned int nfired;

static void fire(struct timer *t, void *arg)
{
    (void)t;
    fired[nfired++ % 8] = (int)(intptr_t)arg;
}

static void timers_fire_in_deadline_order(void **state)
{
    struct timer_list tl;
    struct timer t[5];
    uint64_t deadlines[5] = { 50, 10, 30, 10, 20 };
    uint64_t next;
    int i;

    (void)state;
    nfired = 0;
    timer_list_init(&tl);
    assert_false(timer_list_next(&tl, &next));
    for (i = 0; i < 5; i++) {
        timer_init(&t[i], fire, (void *)(intptr_t)i);
        timer_add(&tl, &t[i], deadlines[i]);
    }
    assert_true(timer_list_next(&tl, &next));
    assert_int_equal(next, 10);
    assert_int_equal(timer_list_run(&tl, 9), 0);
    assert_int_equal(timer_list_run(&tl, 25), 3);
    /* Equal deadlines (t1, t3) fire in the order they were armed. */
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 3);
    assert_int_equal(fired[2], 4);
    assert_false(timer_armed(&t[1]));
    assert_true(timer_list_next(&tl, &next));
    assert_int_equal(next, 30);
    assert_int_equal(timer_list_run(&tl, UINT64_MAX), 2);
    assert_int_equal(fired[3], 2);
    assert_int_equal(fired[4], 0);
    assert_false(timer_list_next(&tl, &next));
}

static void rearm_and_cancel(void **state)
{
    struct timer_list tl;
    struct timer a, b;
    uint64_t next;

    (void)state;
    nfired = 0;
    timer_list_init(&tl);
    timer_init(&a, fire, (void *)1);
    timer_init(&b, fire, (void *)2);
    timer_add(&tl, &a, 100);
    timer_add(&tl, &b, 200);
    timer_add(&tl, &a, 300); /* re-arm moves it, never duplicates */
    assert_true(timer_list_next(&tl, &next));
    assert_int_equal(next, 200);
    timer_del(&b);
    timer_del(&b);
    assert_true(timer_list_next(&tl, &next));
    assert_int_equal(next, 300);
    assert_int_equal(timer_list_run(&tl, 1000), 1);
    assert_int_equal(fired[0], 1);
}

static struct timer_list *self_tl;

static void rearm_self(struct timer *t, void *arg)
{
    (void)arg;
    if (++nfired < 3)
        timer_add(self_tl, t, t->deadline + 10);
}

static void callback_may_rearm(void **state)
{
    struct timer_list tl;
    struct timer t;

    (void)state;
    nfired = 0;
    self_tl = &tl;
    timer_list_init(&tl);
    timer_init(&t, rearm_self, NULL);
    timer_add(&tl, &t, 5);
    /* 5 and 15 are due at 15; the re-arm at 25 is not. */
    assert_int_equal(timer_list_run(&tl, 15), 2);
    assert_true(timer_armed(&t));
    assert_int_equal(t.deadline, 25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_is_fifo),
        cmocka_unit_test(remove_from_middle_is_idempotent),
        cmocka_unit_test(timers_fire_in_deadline_order),
        cmocka_unit_test(rearm_and_cancel),
        cmocka_unit_test(callback_may_rearm),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
