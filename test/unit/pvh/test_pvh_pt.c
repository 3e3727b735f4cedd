// SPDX-License-Identifier: MIT
/*
 * test_pvh_pt.c - arch/x86_64/pvh/pvh_pt.c, the PVH page-table builder,
 * against a plain-memory model: table pages live in a host buffer that
 * plays guest-physical memory at an arbitrary base, so every entry the
 * builder writes can be walked and checked (present, RW, NX, PS, the
 * address), including what happens when tables run out.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/pvh/pvh_pt.h"

#define ARENA_PAGES 64
#define ARENA_BASE  0x40000000ULL /* where the model's tables "are" */

struct model {
    uint8_t *mem;
    unsigned int used, limit;
};

static uint64_t *m_table(void *ctx, uint64_t pa)
{
    struct model *m = ctx;

    if (pa < ARENA_BASE || pa >= ARENA_BASE + ARENA_PAGES * PVH_PAGE ||
        (pa & (PVH_PAGE - 1)))
        return NULL;
    return (uint64_t *)(m->mem + (pa - ARENA_BASE));
}

static uint64_t m_alloc(void *ctx)
{
    struct model *m = ctx;

    if (m->used >= m->limit)
        return 0;
    /* Dirty first: the builder must not rely on the allocator zeroing
     * beyond what its contract says (it does say zeroed: do it here). */
    memset(m->mem + m->used * PVH_PAGE, 0, PVH_PAGE);
    return ARENA_BASE + PVH_PAGE * m->used++;
}

static struct model model;
static struct pvh_pt pt;

static int setup(void **state)
{
    (void)state;
    model.mem = aligned_alloc(PVH_PAGE, ARENA_PAGES * PVH_PAGE);
    memset(model.mem, 0xa5, ARENA_PAGES * PVH_PAGE);
    model.used = 0;
    model.limit = ARENA_PAGES;
    pt = (struct pvh_pt){
        .table = m_table, .alloc = m_alloc, .ctx = &model, .nx = PVH_PTE_NX};
    return pvh_pt_init(&pt);
}

static int teardown(void **state)
{
    (void)state;
    free(model.mem);
    return 0;
}

/* A small domain: the image at 0x1000..0x9000, 16 MiB of RAM, a ring
 * page outside RAM, page 0 and one data page as guards. */
#define TEXT    0x1000ULL
#define ETEXT   0x5000ULL
#define ERODATA 0x7000ULL
#define END     0x9000ULL
#define GUARD   0x8000ULL
#define RING    0xfeff0000ULL
#define RAM_END (16ULL << 20)

static const struct pvh_range ram[] = {{0, RAM_END}};
static const uint64_t extra[] = {RING};
static const uint64_t guard[] = {0, GUARD};

static void build_small_domain(void)
{
    struct pvh_layout lay = {
        .text = TEXT,
        .etext = ETEXT,
        .rodata_end = ERODATA,
        .end = END,
        .ram = ram,
        .nr_ram = 1,
        .extra = extra,
        .nr_extra = 1,
        .guard = guard,
        .nr_guard = 2,
    };

    assert_int_equal(pvh_pt_build(&pt, &lay), 0);
}

static void expect_leaf(uint64_t va, bool rw, bool nx, uint64_t size)
{
    uint64_t sz = 0, e = pvh_pt_lookup(&pt, va, &sz);

    assert_true(e & PVH_PTE_P);
    assert_int_equal(!!(e & PVH_PTE_RW), rw);
    assert_int_equal(!!(e & PVH_PTE_NX), nx);
    assert_int_equal(sz, size);
    /* Identity: the frame is the address itself. */
    assert_int_equal(e & PVH_PTE_ADDR & ~(size - 1), va & ~(size - 1));
}

static void image_is_wx_and_ram_is_rw_nx(void **state)
{
    (void)state;
    build_small_domain();
    expect_leaf(TEXT, false, false, PVH_PAGE); /* text R+X */
    expect_leaf(ETEXT - PVH_PAGE, false, false, PVH_PAGE);
    expect_leaf(ETEXT, false, true, PVH_PAGE);   /* rodata R */
    expect_leaf(ERODATA, true, true, PVH_PAGE);  /* data RW */
    expect_leaf(END, true, true, PVH_PAGE);      /* RAM after it */
    expect_leaf(0x1ff000, true, true, PVH_PAGE); /* same 2 MiB */
    expect_leaf(RING, true, true, PVH_PAGE);     /* ring page */
}

static void large_pages_where_whole_2m_is_ram(void **state)
{
    struct pvh_pt_audit a;

    (void)state;
    build_small_domain();
    for (uint64_t va = 2ULL << 20; va < RAM_END; va += PVH_LARGE)
        expect_leaf(va + 0x1234000 % PVH_LARGE, true, true, PVH_LARGE);
    pvh_pt_audit(&pt, &a);
    assert_int_equal(a.large, 7); /* 2..16 MiB; the first holds the image */
    assert_int_equal(a.wx, 0);
    assert_int_equal(a.exec, (ETEXT - TEXT) / PVH_PAGE);
    /* 16 MiB - page 0 - one guard + the ring page. */
    assert_int_equal(a.mapped, RAM_END / PVH_PAGE - 2 + 1);
}

static void guards_and_outside_ram_unmapped(void **state)
{
    (void)state;
    build_small_domain();
    assert_int_equal(pvh_pt_lookup(&pt, 0, NULL), 0);
    assert_int_equal(pvh_pt_lookup(&pt, GUARD, NULL), 0);
    assert_int_equal(pvh_pt_lookup(&pt, RAM_END, NULL), 0);
    assert_int_equal(pvh_pt_lookup(&pt, RING + PVH_PAGE, NULL), 0);
    assert_int_equal(pvh_pt_lookup(&pt, 1ULL << 47, NULL), 0);
}

static void unmap_inside_large_page_splits_it(void **state)
{
    uint64_t va = (4ULL << 20) + 5 * PVH_PAGE;
    unsigned int before;

    (void)state;
    build_small_domain();
    before = pt.tables;
    assert_int_equal(pvh_pt_unmap(&pt, va), 0);
    assert_int_equal(pt.tables, before + 1); /* one new table */
    assert_int_equal(pvh_pt_lookup(&pt, va, NULL), 0);
    /* Every other page of that 2 MiB keeps its rights, now as 4 KiB. */
    expect_leaf(4ULL << 20, true, true, PVH_PAGE);
    expect_leaf(va - PVH_PAGE, true, true, PVH_PAGE);
    expect_leaf(va + PVH_PAGE, true, true, PVH_PAGE);
    expect_leaf((6ULL << 20) - PVH_PAGE, true, true, PVH_PAGE);
    /* The next 2 MiB is untouched. */
    expect_leaf(6ULL << 20, true, true, PVH_LARGE);
    /* Unguard: mapped again, RW+NX, no further table. */
    assert_int_equal(pvh_pt_map(&pt, va, PVH_PAGE, PVH_PT_W, false), 0);
    expect_leaf(va, true, true, PVH_PAGE);
    assert_int_equal(pt.tables, before + 1);
    /* Unmapping an unmapped page creates nothing. */
    assert_int_equal(pvh_pt_unmap(&pt, 0x7000000000ULL), 0);
    assert_int_equal(pt.tables, before + 1);
}

static void writable_and_executable_refused(void **state)
{
    (void)state;
    assert_int_equal(
        pvh_pt_map(&pt, 0x100000, PVH_PAGE, PVH_PT_W | PVH_PT_X, false),
        -EPERM);
    assert_int_equal(pvh_pt_lookup(&pt, 0x100000, NULL), 0);
}

static void bad_ranges_refused(void **state)
{
    (void)state;
    assert_int_equal(pvh_pt_map(&pt, 0x1001, PVH_PAGE, 0, false), -EINVAL);
    assert_int_equal(pvh_pt_map(&pt, 0x1000, 100, 0, false), -EINVAL);
    assert_int_equal(
        pvh_pt_map(&pt, (1ULL << 47) - PVH_PAGE, 2 * PVH_PAGE, 0, false),
        -EINVAL);
    assert_int_equal(pvh_pt_map(&pt, ~0xfffULL, PVH_PAGE * 2, 0, false),
                     -EINVAL);
    assert_int_equal(pvh_pt_unmap(&pt, 0x1234), -EINVAL);
}

static void unaligned_ram_gets_no_large_page(void **state)
{
    static const struct pvh_range odd[] = {
        {0x200000 + PVH_PAGE, 0x800000 - PVH_PAGE}};
    struct pvh_layout lay = {
        .text = TEXT,
        .etext = ETEXT,
        .rodata_end = ERODATA,
        .end = END,
        .ram = odd,
        .nr_ram = 1,
    };
    struct pvh_pt_audit a;

    (void)state;
    assert_int_equal(pvh_pt_build(&pt, &lay), 0);
    pvh_pt_audit(&pt, &a);
    /* Only [4 MiB, 6 MiB) is a whole aligned 2 MiB. */
    assert_int_equal(a.large, 1);
    expect_leaf(0x400000, true, true, PVH_LARGE);
    expect_leaf(0x201000, true, true, PVH_PAGE);
    expect_leaf(0x7fe000, true, true, PVH_PAGE);
    assert_int_equal(pvh_pt_lookup(&pt, 0x200000, NULL), 0);
    assert_int_equal(pvh_pt_lookup(&pt, 0x7ff000, NULL), 0);
}

static void running_out_of_tables_is_enomem(void **state)
{
    (void)state;
    model.limit = model.used + 1; /* one more table: not enough for L3+L2+L1 */
    assert_int_equal(pvh_pt_map(&pt, 0x1000, PVH_PAGE, 0, false), -ENOMEM);
    /* And a split that cannot get its table leaves the page mapped. */
    model.limit = ARENA_PAGES;
    assert_int_equal(pvh_pt_map(&pt, 0x200000, PVH_LARGE, PVH_PT_W, true), 0);
    model.limit = model.used;
    assert_int_equal(pvh_pt_unmap(&pt, 0x201000), -ENOMEM);
    expect_leaf(0x201000, true, true, PVH_LARGE);
}

static void without_nx_cpu_data_is_not_marked(void **state)
{
    struct pvh_pt_audit a;

    (void)state;
    pt.nx = 0;
    build_small_domain();
    expect_leaf(ERODATA, true, false, PVH_PAGE);
    pvh_pt_audit(&pt, &a);
    assert_true(a.wx > 0); /* honest: W^X cannot hold without NX */
}

static void inverted_layout_refused(void **state)
{
    struct pvh_layout lay = {
        .text = END, .etext = TEXT, .rodata_end = END, .end = END};

    (void)state;
    assert_int_equal(pvh_pt_build(&pt, &lay), -EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(image_is_wx_and_ram_is_rw_nx),
        T(large_pages_where_whole_2m_is_ram),
        T(guards_and_outside_ram_unmapped),
        T(unmap_inside_large_page_splits_it),
        T(writable_and_executable_refused),
        T(bad_ranges_refused),
        T(unaligned_ram_gets_no_large_page),
        T(running_out_of_tables_is_enomem),
        T(without_nx_cpu_data_is_not_marked),
        T(inverted_layout_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
