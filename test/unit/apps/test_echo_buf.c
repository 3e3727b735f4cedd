// SPDX-License-Identifier: MIT
/*
 * test_echo_buf.c - host tests of the echo server's byte ring.
 *
 * The ring is checked against a trivially correct model (a large linear
 * FIFO) under random span sizes, partial commits and partial consumes,
 * across many wrap-arounds: every byte must come out once, in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "echo_buf.h"

static void empty_and_full_spans(void **state)
{
    static struct echo_buf b;
    size_t len;

    (void)state;
    echo_buf_init(&b);
    assert_int_equal(echo_buf_used(&b), 0);
    echo_buf_read_span(&b, &len);
    assert_int_equal(len, 0);
    echo_buf_write_span(&b, &len);
    assert_int_equal(len, ECHO_BUF_SIZE);
    echo_buf_commit(&b, ECHO_BUF_SIZE);
    assert_int_equal(echo_buf_space(&b), 0);
    echo_buf_write_span(&b, &len);
    assert_int_equal(len, 0); /* full: nothing more may be read in */
    echo_buf_read_span(&b, &len);
    assert_int_equal(len, ECHO_BUF_SIZE);
}

static void spans_stop_at_the_wrap(void **state)
{
    static struct echo_buf b;
    size_t len;
    unsigned char *w;
    const unsigned char *r;

    (void)state;
    echo_buf_init(&b);
    echo_buf_commit(&b, ECHO_BUF_SIZE - 10);
    echo_buf_consume(&b, ECHO_BUF_SIZE - 20);
    /* 10 held at the end; 8182 free, of which 10 before the end. */
    w = echo_buf_write_span(&b, &len);
    assert_ptr_equal(w, b.data + ECHO_BUF_SIZE - 10);
    assert_int_equal(len, 10);
    echo_buf_commit(&b, 10);
    w = echo_buf_write_span(&b, &len);
    assert_ptr_equal(w, b.data);
    assert_int_equal(len, ECHO_BUF_SIZE - 20);
    r = echo_buf_read_span(&b, &len);
    assert_ptr_equal(r, b.data + ECHO_BUF_SIZE - 20);
    assert_int_equal(len, 20);
}

static void random_traffic_matches_a_fifo(void **state)
{
    static struct echo_buf b;
    enum { TOTAL = 4 << 20 };
    unsigned char *model = malloc(TOTAL);
    size_t in = 0, out = 0;

    (void)state;
    srand(42);
    echo_buf_init(&b);
    while (out < TOTAL) {
        size_t len, n;

        if (in < TOTAL) {
            unsigned char *w = echo_buf_write_span(&b, &len);

            n = len ? (size_t)rand() % (len + 1) : 0;
            if (n > TOTAL - in)
                n = TOTAL - in;
            for (size_t i = 0; i < n; i++) {
                model[in + i] = (unsigned char)rand();
                w[i] = model[in + i];
            }
            echo_buf_commit(&b, n);
            in += n;
        }
        {
            const unsigned char *r = echo_buf_read_span(&b, &len);

            n = len ? (size_t)rand() % (len + 1) : 0;
            if (in == TOTAL)
                n = len; /* drain at the end */
            assert_memory_equal(r, model + out, n);
            echo_buf_consume(&b, n);
            out += n;
        }
        assert_int_equal(echo_buf_used(&b), in - out);
        assert_true(echo_buf_used(&b) <= ECHO_BUF_SIZE);
    }
    free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_and_full_spans),
        cmocka_unit_test(spans_stop_at_the_wrap),
        cmocka_unit_test(random_traffic_matches_a_fifo),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
