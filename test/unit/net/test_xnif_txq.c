// SPDX-License-Identifier: MIT
/*
 * test/unit/net/test_xnif_txq.c - the transmit backlog (lib/net/xnif_txq.c):
 * frames leave in the order they came, the queue is bounded, and a full
 * queue refuses (and counts) instead of waiting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/net/xnif_txq.h"

static void order_bound_and_refusal(void **state)
{
    static struct xnif_txq q;
    static int frames[XNIF_TXQ_MAX + 10];

    (void)state;
    xnif_txq_init(&q);
    assert_true(xnif_txq_empty(&q));
    assert_null(xnif_txq_peek(&q));
    for (int i = 0; i < XNIF_TXQ_MAX; i++)
        assert_true(xnif_txq_push(&q, &frames[i]));
    for (int i = XNIF_TXQ_MAX; i < XNIF_TXQ_MAX + 10; i++)
        assert_false(xnif_txq_push(&q, &frames[i]));
    assert_int_equal(q.refused, 10);
    assert_int_equal(q.queued, XNIF_TXQ_MAX);
    /* Half out, more in: still first in, first out across the wrap. */
    for (int i = 0; i < XNIF_TXQ_MAX / 2; i++) {
        assert_ptr_equal(xnif_txq_peek(&q), &frames[i]);
        xnif_txq_pop(&q);
    }
    for (int i = 0; i < XNIF_TXQ_MAX / 2; i++)
        assert_true(xnif_txq_push(&q, &frames[i]));
    for (int i = XNIF_TXQ_MAX / 2; i < XNIF_TXQ_MAX; i++) {
        assert_ptr_equal(xnif_txq_peek(&q), &frames[i]);
        xnif_txq_pop(&q);
    }
    for (int i = 0; i < XNIF_TXQ_MAX / 2; i++) {
        assert_ptr_equal(xnif_txq_peek(&q), &frames[i]);
        xnif_txq_pop(&q);
    }
    assert_true(xnif_txq_empty(&q));
    xnif_txq_pop(&q); /* popping an empty queue is harmless */
    assert_true(xnif_txq_empty(&q));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_bound_and_refusal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
