// SPDX-License-Identifier: MIT
/*
 * test/unit/blkdev/test_blkdev_name.c - virtual device numbers to names.
 *
 * The numbers are the ones xl writes for `vdev=` specs (xvda 51712,
 * xvdb 51728, the extended form for xvdaa and beyond, sda, hda, hdc),
 * partitions, unknown majors and a buffer that is too small. Reference:
 * xen docs/misc/vbd-interface.txt.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/blkfront/blkdev.h"

static void expect(unsigned int devid, const char *name)
{
    char buf[16];

    assert_int_equal(blkdev_name(devid, buf, sizeof(buf)), 0);
    assert_string_equal(buf, name);
}

static void xvd_disks_and_partitions(void **state)
{
    (void)state;
    expect(202 << 8, "xvda");
    expect(51728, "xvdb");
    expect((202 << 8) | (15 << 4), "xvdp");
    expect((202 << 8) | 1, "xvda1");
    expect((202 << 8) | (1 << 4) | 15, "xvdb15");
}

static void extended_form(void **state)
{
    (void)state;
    expect((1u << 28) | (0 << 8), "xvda");
    expect((1u << 28) | (25 << 8), "xvdz");
    expect((1u << 28) | (26 << 8), "xvdaa");
    expect((1u << 28) | (27 << 8) | 3, "xvdab3");
    expect((1u << 28) | (701 << 8), "xvdzz");
    expect((1u << 28) | (702 << 8), "xvdaaa");
}

static void emulated_majors(void **state)
{
    (void)state;
    expect(8 << 8, "sda");
    expect((8 << 8) | 17, "sdb1");
    expect(3 << 8, "hda");
    expect((3 << 8) | 64, "hdb");
    expect(22 << 8, "hdc");
    expect((22 << 8) | 65, "hdd1");
}

static void unknown_numbers_keep_the_number(void **state)
{
    (void)state;
    expect(768 + (7 << 8), "vbd2560");
    expect(0x20000, "vbd131072");
    expect(2u << 28, "vbd536870912");
}

static void small_buffer_is_refused(void **state)
{
    char buf[4];

    (void)state;
    assert_int_equal(blkdev_name(51712, buf, sizeof(buf)), -ENAMETOOLONG);
    assert_int_equal(blkdev_name(51712, buf, 0), -ENAMETOOLONG);
    assert_int_equal(blkdev_name(51712, NULL, 8), -ENAMETOOLONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xvd_disks_and_partitions),
        cmocka_unit_test(extended_form),
        cmocka_unit_test(emulated_majors),
        cmocka_unit_test(unknown_numbers_keep_the_number),
        cmocka_unit_test(small_buffer_is_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
