// SPDX-License-Identifier: MIT
/*
 * test_pvh_info.c - arch/x86_64/pvh/pvh_info.c: hvm_start_info as the
 * builder (or anyone who can write guest memory before we run) hands it
 * over. A 1 MiB buffer plays guest-physical memory; phys() refuses
 * anything outside it, so ASan sees any read the bounds did not allow.
 * Absurd inputs: bad magic, no map, zero/huge/unsorted/overlapping/
 * wrapping entries, an entry count far beyond the buffer, reserved
 * ranges inside RAM, more ranges than fit, a missing or overlong command
 * line, one that runs off memory, modules outside memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/pvh/pvh_info.h"

#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

#define MEM_SIZE (1u << 20)
#define SI_PA    0x1000
#define CMD_PA   0x2000
#define MAP_PA   0x4000
#define MOD_PA   0x8000

static uint8_t *mem;
static struct pvh_info info;

static const void *phys(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    if (pa == 0 || pa + len < pa || pa + len > MEM_SIZE)
        return NULL;
    return mem + pa;
}

static struct hvm_start_info *si(void)
{
    return (struct hvm_start_info *)(mem + SI_PA);
}

static struct hvm_memmap_table_entry *map(void)
{
    return (struct hvm_memmap_table_entry *)(mem + MAP_PA);
}

static void entry(unsigned int i, uint64_t addr, uint64_t size, uint32_t type)
{
    map()[i] = (struct hvm_memmap_table_entry){addr, size, type, 0};
}

static int setup(void **state)
{
    (void)state;
    mem = calloc(1, MEM_SIZE);
    *si() = (struct hvm_start_info){
        .magic = XEN_HVM_START_MAGIC_VALUE,
        .version = 1,
        .cmdline_paddr = CMD_PA,
        .memmap_paddr = MAP_PA,
        .memmap_entries = 2,
    };
    strcpy((char *)mem + CMD_PA, "a b exit=3");
    entry(0, 0, 32ULL << 20, XEN_HVM_MEMMAP_TYPE_RAM);
    entry(1, 0xfc000000, 16ULL << 20, XEN_HVM_MEMMAP_TYPE_RESERVED);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(mem);
    return 0;
}

static int parse(void)
{
    memset(&info, 0x5a, sizeof(info));
    return pvh_info_parse(SI_PA, phys, NULL, &info);
}

static void the_headers_agree_with_the_parser(void **state)
{
    (void)state;
    assert_int_equal(PVH_MAGIC, XEN_HVM_START_MAGIC_VALUE);
    assert_int_equal(PVH_MEMMAP_RAM, XEN_HVM_MEMMAP_TYPE_RAM);
    assert_int_equal(sizeof(struct hvm_start_info), 56);
}

static void plain_start_info(void **state)
{
    (void)state;
    assert_int_equal(parse(), 0);
    assert_string_equal(info.cmdline, "a b exit=3");
    assert_false(info.cmdline_truncated);
    assert_int_equal(info.nr_ram, 1);
    assert_int_equal(info.ram[0].start, 0);
    assert_int_equal(info.ram[0].end, 32ULL << 20);
    assert_int_equal(info.nr_modules, 0);
    assert_int_equal(info.memmap_ignored, 0);
    /* The builder's data ends with the memory map. */
    assert_int_equal(info.boot_data_end,
                     MAP_PA + 2 * sizeof(struct hvm_memmap_table_entry));
}

static void bad_magic_or_unreadable_start_info(void **state)
{
    (void)state;
    si()->magic ^= 1;
    assert_int_equal(parse(), -EINVAL);
    assert_int_equal(info.nr_ram, 0); /* *out is written even then */
    si()->magic ^= 1;
    assert_int_equal(pvh_info_parse(MEM_SIZE - 8, phys, NULL, &info), -EINVAL);
    assert_int_equal(pvh_info_parse(0, phys, NULL, &info), -EINVAL);
}

static void no_memory_map(void **state)
{
    (void)state;
    si()->version = 0;
    assert_int_equal(parse(), -ENOENT);
    si()->version = 1;
    si()->memmap_paddr = 0;
    assert_int_equal(parse(), -ENOENT);
    si()->memmap_paddr = MAP_PA;
    si()->memmap_entries = 0;
    assert_int_equal(parse(), -ENOENT);
}

static void absurd_entry_count(void **state)
{
    (void)state;
    si()->memmap_entries = 0xffffffffu;
    assert_int_equal(parse(), -E2BIG);
    si()->memmap_entries = PVH_MEMMAP_MAX + 1;
    assert_int_equal(parse(), -E2BIG);
    /* Within the limit but past the end of memory. */
    si()->memmap_paddr = MEM_SIZE - 24 * 10;
    si()->memmap_entries = 100;
    assert_int_equal(parse(), -EINVAL);
    /* A map address that wraps. */
    si()->memmap_paddr = ~0ULL - 10;
    si()->memmap_entries = 2;
    assert_int_equal(parse(), -EINVAL);
}

static void unsorted_overlapping_entries_merge(void **state)
{
    (void)state;
    si()->memmap_entries = 5;
    entry(0, 16ULL << 20, 16ULL << 20, XEN_HVM_MEMMAP_TYPE_RAM);
    entry(1, 64ULL << 20, 1ULL << 20, XEN_HVM_MEMMAP_TYPE_RAM);
    entry(2, 0, 8ULL << 20, XEN_HVM_MEMMAP_TYPE_RAM);
    entry(3, 4ULL << 20, 16ULL << 20, XEN_HVM_MEMMAP_TYPE_RAM);
    entry(4, 8ULL << 20, 1, XEN_HVM_MEMMAP_TYPE_RAM); /* under a page */
    assert_int_equal(parse(), 0);
    assert_int_equal(info.nr_ram, 2);
    assert_int_equal(info.ram[0].start, 0);
    assert_int_equal(info.ram[0].end, 32ULL << 20);
    assert_int_equal(info.ram[1].start, 64ULL << 20);
    assert_int_equal(info.ram[1].end, 65ULL << 20);
    assert_int_equal(info.memmap_ignored, 1);
}

static void zero_wrapping_and_huge_entries(void **state)
{
    (void)state;
    si()->memmap_entries = 4;
    entry(0, 0x100000, 0, XEN_HVM_MEMMAP_TYPE_RAM);            /* zero */
    entry(1, ~0ULL - 0xfff, 0x10000, XEN_HVM_MEMMAP_TYPE_RAM); /* wraps */
    entry(2, 0x1234, 0x10000, XEN_HVM_MEMMAP_TYPE_RAM);        /* unaligned */
    entry(3, 1ULL << 32, 1ULL << 62, XEN_HVM_MEMMAP_TYPE_RAM); /* huge */
    assert_int_equal(parse(), 0);
    assert_int_equal(info.memmap_ignored, 2);
    assert_int_equal(info.nr_ram, 2);
    assert_int_equal(info.ram[0].start, 0x2000); /* trimmed to pages */
    assert_int_equal(info.ram[0].end, 0x11000);
    assert_int_equal(info.ram[1].start, 1ULL << 32);
    assert_int_equal(info.ram[1].end, PVH_PHYS_LIMIT); /* clamped */
}

static void entirely_above_the_limit_is_no_ram(void **state)
{
    (void)state;
    si()->memmap_entries = 1;
    entry(0, PVH_PHYS_LIMIT, 1ULL << 30, XEN_HVM_MEMMAP_TYPE_RAM);
    assert_int_equal(parse(), -ENOENT);
}

static void reserved_inside_ram_is_carved_out(void **state)
{
    (void)state;
    si()->memmap_entries = 4;
    entry(0, 8ULL << 20, 100, XEN_HVM_MEMMAP_TYPE_RESERVED); /* before RAM */
    entry(1, 0, 32ULL << 20, XEN_HVM_MEMMAP_TYPE_RAM);
    entry(2, 0, 0x1000, XEN_HVM_MEMMAP_TYPE_ACPI);
    entry(3, 30ULL << 20, 8ULL << 20, XEN_HVM_MEMMAP_TYPE_RESERVED);
    assert_int_equal(parse(), 0);
    assert_int_equal(info.nr_ram, 2);
    assert_int_equal(info.ram[0].start, 0x1000);
    assert_int_equal(info.ram[0].end, 8ULL << 20);
    assert_int_equal(info.ram[1].start, (8ULL << 20) + 0x1000);
    assert_int_equal(info.ram[1].end, 30ULL << 20);
}

static void all_reserved_is_no_ram(void **state)
{
    (void)state;
    entry(1, 0, 64ULL << 20, XEN_HVM_MEMMAP_TYPE_RESERVED);
    assert_int_equal(parse(), -ENOENT);
    assert_int_equal(info.nr_ram, 0);
}

static void more_ranges_than_fit(void **state)
{
    unsigned int n = PVH_RAM_MAX + 5;

    (void)state;
    si()->memmap_entries = n;
    for (unsigned int i = 0; i < n; i++) /* disjoint, descending */
        entry(i, (uint64_t)(n - i) << 24, 1ULL << 20, XEN_HVM_MEMMAP_TYPE_RAM);
    assert_int_equal(parse(), 0);
    assert_int_equal(info.nr_ram, PVH_RAM_MAX);
    assert_int_equal(info.memmap_ignored, 5);
    for (unsigned int i = 1; i < info.nr_ram; i++)
        assert_true(info.ram[i - 1].end < info.ram[i].start);
}

static void missing_command_line_is_empty(void **state)
{
    (void)state;
    si()->cmdline_paddr = 0;
    assert_int_equal(parse(), 0);
    assert_string_equal(info.cmdline, "");
    assert_false(info.cmdline_truncated);
}

static void overlong_command_line_is_truncated(void **state)
{
    (void)state;
    memset(mem + CMD_PA, 'x', 4000); /* no NUL within 1024 bytes */
    assert_int_equal(parse(), 0);
    assert_true(info.cmdline_truncated);
    assert_int_equal(strlen(info.cmdline), PVH_CMDLINE_MAX - 1);
    /* Exactly the maximum that fits is not truncated. */
    mem[CMD_PA + PVH_CMDLINE_MAX - 1] = '\0';
    assert_int_equal(parse(), 0);
    assert_false(info.cmdline_truncated);
    assert_int_equal(strlen(info.cmdline), PVH_CMDLINE_MAX - 1);
}

static void command_line_running_off_memory(void **state)
{
    (void)state;
    memset(mem + MEM_SIZE - 10, 'y', 10);
    si()->cmdline_paddr = MEM_SIZE - 10;
    assert_int_equal(parse(), 0);
    assert_true(info.cmdline_truncated);
    assert_string_equal(info.cmdline, "yyyyyyyyyy");
    si()->cmdline_paddr = 1ULL << 40; /* nowhere */
    assert_int_equal(parse(), 0);
    assert_true(info.cmdline_truncated);
    assert_string_equal(info.cmdline, "");
}

static void modules_checked(void **state)
{
    struct hvm_modlist_entry *m = (void *)(mem + MOD_PA);

    (void)state;
    si()->nr_modules = 3;
    si()->modlist_paddr = MOD_PA;
    m[0] = (struct hvm_modlist_entry){.paddr = 0x20000, .size = 0x3000};
    m[1] = (struct hvm_modlist_entry){.paddr = MEM_SIZE - 16, .size = 64};
    m[2] = (struct hvm_modlist_entry){.paddr = ~0ULL, .size = 2};
    assert_int_equal(parse(), 0);
    assert_int_equal(info.nr_modules, 1);
    assert_int_equal(info.modules_ignored, 2);
    assert_int_equal(info.modules[0].start, 0x20000);
    assert_int_equal(info.boot_data_end, 0x23000);
    si()->nr_modules = 1000000;
    assert_int_equal(parse(), 0);
    assert_int_equal(info.nr_modules, 0);
    assert_int_equal(info.modules_ignored, 1000000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(the_headers_agree_with_the_parser),
        T(plain_start_info),
        T(bad_magic_or_unreadable_start_info),
        T(no_memory_map),
        T(absurd_entry_count),
        T(unsorted_overlapping_entries_merge),
        T(zero_wrapping_and_huge_entries),
        T(entirely_above_the_limit_is_no_ram),
        T(reserved_inside_ram_is_carved_out),
        T(all_reserved_is_no_ram),
        T(more_ranges_than_fit),
        T(missing_command_line_is_empty),
        T(overlong_command_line_is_truncated),
        T(command_line_running_off_memory),
        T(modules_checked),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
