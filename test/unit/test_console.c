// SPDX-License-Identifier: MIT
/*
 * test/unit/test_console.c - host tests of the PV console ring arithmetic
 * in xen/console.c (engineer A's console_ring_write/read), the test
 * playing xenconsoled: free-running indices that wrap around the ring,
 * a full ring, "\n" -> "\r\n" only when both bytes fit, indices from the
 * other domain that are inconsistent, and a stalled xenconsoled: writers
 * never wait, the overflow is buffered, then dropped and counted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_hypercall.h"
#include "xen/console.h"

#define OUT_SZ sizeof(((struct xencons_interface *)0)->out)
#define IN_SZ  sizeof(((struct xencons_interface *)0)->in)

static struct xencons_interface *intf;

static int setup(void **state)
{
    (void)state;
    intf = calloc(1, sizeof(*intf));
    fake_hypercall_reset();
    return intf ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    console_set_clock(NULL);
    free(intf);
    return 0;
}

/* xenconsoled's side: take what is in the output ring. */
static size_t drain(char *out, size_t cap)
{
    size_t n = 0;

    while (intf->out_cons != intf->out_prod && n < cap)
        out[n++] = intf->out[MASK_XENCONS_IDX(intf->out_cons++, intf->out)];
    return n;
}

static void write_translates_newlines(void **state)
{
    char got[16];

    (void)state;
    assert_int_equal(console_ring_write(intf, "ab\nc", 4), 4);
    assert_int_equal(intf->out_prod, 5);
    assert_int_equal(drain(got, sizeof(got)), 5);
    assert_memory_equal(got, "ab\r\nc", 5);
}

static void write_wraps_around_the_ring(void **state)
{
    char got[16];

    (void)state;
    /* Free-running indices near the end of the ring and near 2^32. */
    intf->out_cons = intf->out_prod = 0xfffffffeu - 2;
    assert_int_equal(console_ring_write(intf, "0123456789", 10), 10);
    assert_int_equal((uint32_t)(intf->out_prod - intf->out_cons), 10);
    assert_int_equal(drain(got, sizeof(got)), 10);
    assert_memory_equal(got, "0123456789", 10);
    intf->out_cons = intf->out_prod = OUT_SZ - 3;
    assert_int_equal(console_ring_write(intf, "wrap!", 5), 5);
    assert_int_equal(intf->out[OUT_SZ - 1], 'a');
    assert_int_equal(intf->out[0], 'p');
}

static void full_ring_accepts_nothing(void **state)
{
    char *big = malloc(OUT_SZ + 10);

    (void)state;
    memset(big, 'x', OUT_SZ + 10);
    assert_int_equal(console_ring_write(intf, big, OUT_SZ + 10), OUT_SZ);
    assert_int_equal(intf->out_prod - intf->out_cons, OUT_SZ);
    assert_int_equal(console_ring_write(intf, "y", 1), 0);
    /* One slot free: a newline needs two, so it must not be split. */
    intf->out_cons++;
    assert_int_equal(console_ring_write(intf, "\n", 1), 0);
    assert_int_equal(console_ring_write(intf, "z\n", 2), 1);
    free(big);
}

static void inconsistent_indices_are_refused(void **state)
{
    char buf[4];

    (void)state;
    intf->out_cons = 0;
    intf->out_prod = OUT_SZ + 1; /* more "used" than the ring holds */
    assert_int_equal(console_ring_write(intf, "a", 1), -EIO);
    assert_int_equal(intf->out_prod, OUT_SZ + 1);
    intf->out_cons = 10;
    intf->out_prod = 5; /* consumer ahead of producer */
    assert_int_equal(console_ring_write(intf, "a", 1), -EIO);
    intf->in_cons = 0;
    intf->in_prod = IN_SZ + 7;
    assert_int_equal(console_ring_read(intf, buf, sizeof(buf)), -EIO);
    assert_int_equal(intf->in_cons, 0);
}

static void read_wraps_and_is_bounded(void **state)
{
    char buf[8];

    (void)state;
    intf->in_cons = intf->in_prod = IN_SZ - 2;
    intf->in[IN_SZ - 2] = 'h';
    intf->in[IN_SZ - 1] = 'e';
    intf->in[0] = 'y';
    intf->in_prod += 3;
    assert_int_equal(console_ring_read(intf, buf, 2), 2);
    assert_memory_equal(buf, "he", 2);
    assert_int_equal(console_ring_read(intf, buf, sizeof(buf)), 1);
    assert_int_equal(buf[0], 'y');
    assert_int_equal(console_ring_read(intf, buf, sizeof(buf)), 0);
}

static uint64_t fake_now;

static uint64_t advancing_clock(void)
{
    return fake_now += CONSOLE_WAIT_NS / 4;
}

/*
 * Nobody drains (a stalled xenconsoled): writers never wait; output
 * beyond ring + buffer is dropped and counted; once xenconsoled runs
 * again, the buffered bytes follow in order, then one line with the
 * count. Only console_flush() waits, bounded.
 */
static void stalled_console_never_blocks_writers(void **state)
{
    enum { TOTAL = OUT_SZ + CONSOLE_BUF_SIZE + 5000 };
    char *pat = malloc(TOTAL), *got = malloc(TOTAL + 256);
    size_t n = 0;

    (void)state;
    for (size_t i = 0; i < TOTAL; i++)
        pat[i] = (char)('a' + i % 26); /* no newlines: 1 byte each */
    assert_int_equal(console_init(intf, 42), 0);
    console_set_clock(advancing_clock);
    for (size_t off = 0; off < TOTAL; off += 100) {
        size_t k = TOTAL - off < 100 ? TOTAL - off : 100;

        assert_int_equal(console_write(pat + off, k), (long)k);
    }
    assert_int_equal(fake_hc.yield_calls, 0); /* never waited */
    assert_int_equal(console_buffered(), CONSOLE_BUF_SIZE);
    assert_int_equal(console_dropped(), 5000);
    assert_int_equal(fake_hc.last_send, 42);
    /* Still stalled: the flush gives up within its bound. */
    assert_int_equal(console_flush(), -ETIMEDOUT);
    /* xenconsoled runs again: everything kept arrives, in order. */
    for (int round = 0; round < 64 && n < TOTAL + 256; round++) {
        n += drain(got + n, TOTAL + 256 - n);
        console_drain();
    }
    n += drain(got + n, TOTAL + 256 - n);
    assert_int_equal(console_buffered(), 0);
    assert_true(n > OUT_SZ + CONSOLE_BUF_SIZE);
    assert_memory_equal(got, pat, OUT_SZ + CONSOLE_BUF_SIZE);
    got[n] = '\0';
    assert_non_null(
        strstr(got + OUT_SZ + CONSOLE_BUF_SIZE, "console: 5000 bytes dropped"));
    free(pat);
    free(got);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(write_translates_newlines), T(write_wraps_around_the_ring),
        T(full_ring_accepts_nothing), T(inconsistent_indices_are_refused),
        T(read_wraps_and_is_bounded), T(stalled_console_never_blocks_writers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
