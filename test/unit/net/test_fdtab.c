// SPDX-License-Identifier: MIT
/*
 * test/unit/net/test_fdtab.c - descriptor ranges (kernel/fdtab.c): lookup
 * at the edges, overlap and console protection, table capacity.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/fdtab.h"

static ssize_t r(int fd, void *b, size_t n)
{
    (void)fd, (void)b;
    return (ssize_t)n;
}
static ssize_t w(int fd, const void *b, size_t n)
{
    (void)fd, (void)b;
    return (ssize_t)n;
}
static int c(int fd)
{
    (void)fd;
    return 0;
}
static int st(int fd, struct stat *s)
{
    (void)fd, (void)s;
    return 0;
}
static int fc(int fd, int cmd, int arg)
{
    (void)fd, (void)cmd, (void)arg;
    return 0;
}

static const struct fdtab_ops ops_a = {
    .read = r, .write = w, .close = c, .fstat = st, .fcntl = fc};
static const struct fdtab_ops ops_b = {
    .read = r, .write = w, .close = c, .fstat = st, .fcntl = fc};

static int reset(void **state)
{
    (void)state;
    fdtab_reset();
    return 0;
}

static void lookup_edges(void **state)
{
    (void)state;
    assert_int_equal(fdtab_register(3, 61, &ops_a), 0);
    assert_null(fdtab_lookup(2));
    assert_ptr_equal(fdtab_lookup(3), &ops_a);
    assert_ptr_equal(fdtab_lookup(63), &ops_a);
    assert_null(fdtab_lookup(64));
    assert_null(fdtab_lookup(-1));
    assert_null(fdtab_lookup(__INT_MAX__));
}

static void overlaps_and_console_refused(void **state)
{
    (void)state;
    assert_int_equal(fdtab_register(10, 10, &ops_a), 0);
    assert_int_equal(fdtab_register(19, 5, &ops_b), -EBUSY);
    assert_int_equal(fdtab_register(5, 6, &ops_b), -EBUSY);
    assert_int_equal(fdtab_register(0, 2, &ops_b), -EBUSY);
    assert_int_equal(fdtab_register(2, 1, &ops_b), -EBUSY);
    assert_int_equal(fdtab_register(20, 5, &ops_b), 0);
    assert_ptr_equal(fdtab_lookup(19), &ops_a);
    assert_ptr_equal(fdtab_lookup(20), &ops_b);
}

static void bad_arguments(void **state)
{
    struct fdtab_ops partial = ops_a;

    (void)state;
    partial.fcntl = NULL;
    assert_int_equal(fdtab_register(3, 1, &partial), -EINVAL);
    assert_int_equal(fdtab_register(3, 0, &ops_a), -EINVAL);
    assert_int_equal(fdtab_register(-4, 2, &ops_a), -EINVAL);
    assert_int_equal(fdtab_register(3, 1, NULL), -EINVAL);
    assert_int_equal(fdtab_register(__INT_MAX__ - 1, 5, &ops_a), -EINVAL);
    assert_null(fdtab_lookup(3));
}

static void table_capacity(void **state)
{
    (void)state;
    for (int i = 0; i < FDTAB_MAX_RANGES; i++)
        assert_int_equal(fdtab_register(100 + 10 * i, 10, &ops_a), 0);
    assert_int_equal(fdtab_register(500, 1, &ops_a), -ENOSPC);
    assert_ptr_equal(fdtab_lookup(100 + 10 * FDTAB_MAX_RANGES - 1), &ops_a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(lookup_edges, reset),
        cmocka_unit_test_setup(overlaps_and_console_refused, reset),
        cmocka_unit_test_setup(bad_arguments, reset),
        cmocka_unit_test_setup(table_capacity, reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
