// SPDX-License-Identifier: MIT
/*
 * test/unit/test_memprof.c - the memory profile's pure sizing
 * (kernel/memprof.c): the automatic choice by memory, xenith.mem=,
 * an unknown value, and the limits every size stays within.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/memprof.h"

#define MiB (1u << 20)

static void automatic_by_memory(void **state)
{
    struct memprof p;

    (void)state;
    assert_int_equal(memprof_choose(NULL, 3 * MiB, &p), 0);
    assert_int_equal(p.kind, MEMPROF_SMALL);
    assert_false(p.forced);
    assert_int_equal(p.nf_rx_bufs, 64);
    assert_int_equal(p.nf_tx_bufs, 64);
    assert_int_equal(memprof_choose(NULL, MEMPROF_SMALL_BELOW - 1, &p), 0);
    assert_int_equal(p.kind, MEMPROF_SMALL);
    assert_int_equal(memprof_choose(NULL, MEMPROF_SMALL_BELOW, &p), 0);
    assert_int_equal(p.kind, MEMPROF_DEFAULT);
    assert_int_equal(p.nf_rx_bufs, 256);
    assert_int_equal(memprof_choose(NULL, MEMPROF_LARGE_FROM - 1, &p), 0);
    assert_int_equal(p.kind, MEMPROF_DEFAULT);
    assert_int_equal(memprof_choose(NULL, MEMPROF_LARGE_FROM, &p), 0);
    assert_int_equal(p.kind, MEMPROF_LARGE);
    assert_int_equal(p.mem_bytes, MEMPROF_LARGE_FROM);
}

static void option_overrides_memory(void **state)
{
    struct memprof p;

    (void)state;
    assert_int_equal(memprof_choose("large", 3 * MiB, &p), 0);
    assert_int_equal(p.kind, MEMPROF_LARGE);
    assert_true(p.forced);
    assert_int_equal(memprof_choose("small", 512 * MiB, &p), 0);
    assert_int_equal(p.kind, MEMPROF_SMALL);
    assert_int_equal(p.nf_rx_bufs, 64);
    assert_int_equal(memprof_choose("default", 3 * MiB, &p), 0);
    assert_int_equal(p.kind, MEMPROF_DEFAULT);
    assert_string_equal(memprof_name(p.kind), "default");
}

static void unknown_option_keeps_automatic(void **state)
{
    struct memprof p;

    (void)state;
    assert_int_equal(memprof_choose("huge", 3 * MiB, &p), -EINVAL);
    assert_int_equal(p.kind, MEMPROF_SMALL);
    assert_false(p.forced);
    assert_int_equal(memprof_choose("", 64 * MiB, &p), -EINVAL);
    assert_int_equal(p.kind, MEMPROF_DEFAULT);
    assert_string_equal(memprof_name((enum memprof_kind)42), "?");
}

static void sizes_scale_within_limits(void **state)
{
    static const size_t mem[] = {0, 1 * MiB, 3 * MiB, 11 * MiB, 16 * MiB,
                                 64 * MiB, 1024 * MiB};
    struct memprof p;
    size_t last_net = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++) {
        assert_int_equal(memprof_choose("default", mem[i], &p), 0);
        assert_true(p.net_bytes >= MEMPROF_NET_MIN);
        assert_true(p.net_bytes >= last_net); /* grows with memory */
        last_net = p.net_bytes;
        assert_true(p.sockets >= MEMPROF_SOCKETS_MIN);
        assert_true(p.sockets <= MEMPROF_SOCKETS_MAX);
        /* power-of-two buffer counts netfront can use as they are */
        assert_int_equal(p.nf_rx_bufs & (p.nf_rx_bufs - 1), 0);
        assert_int_equal(p.nf_tx_bufs & (p.nf_tx_bufs - 1), 0);
    }
    /* The socket limit follows the budget, not a fixed table. */
    assert_int_equal(memprof_choose("default", 3 * MiB, &p), 0);
    assert_int_equal(p.sockets, MEMPROF_SOCKETS_MIN > 1 * MiB /
                                    MEMPROF_BYTES_PER_SOCKET
                                    ? MEMPROF_SOCKETS_MIN
                                    : 1 * MiB / MEMPROF_BYTES_PER_SOCKET);
    assert_int_equal(memprof_choose("default", 1024 * MiB, &p), 0);
    assert_int_equal(p.sockets, MEMPROF_SOCKETS_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(automatic_by_memory),
        cmocka_unit_test(option_overrides_memory),
        cmocka_unit_test(unknown_option_keeps_automatic),
        cmocka_unit_test(sizes_scale_within_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
