// SPDX-License-Identifier: MIT
/*
 * test/unit/test_mm.c - host tests of the buddy allocator and sbrk heap
 * (kernel/mm.c): exhaustion, alignment, coalescing after fragmentation,
 * rejection of bad frees, heap/page interaction and sbrk exhaustion.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/mm.h"

struct fixture {
    void *region;
    size_t nr_pages;
    struct mm_zone z;
};

static struct fixture *make(size_t nr_pages)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(posix_memalign(&f->region, MM_PAGE_SIZE,
                                    nr_pages * MM_PAGE_SIZE), 0);
    f->nr_pages = nr_pages;
    assert_int_equal(mm_zone_init(&f->z, f->region, nr_pages), 0);
    return f;
}

static void destroy(struct fixture *f)
{
    free(f->region);
    free(f);
}

static void init_rejects_bad_regions(void **state)
{
    struct mm_zone z;
    void *r = NULL;

    (void)state;
    assert_int_equal(posix_memalign(&r, MM_PAGE_SIZE, 4 * MM_PAGE_SIZE), 0);
    assert_int_equal(mm_zone_init(&z, (char *)r + 8, 2), -EINVAL);
    assert_int_equal(mm_zone_init(&z, r, 1), -EINVAL); /* metadata only */
    assert_int_equal(mm_zone_init(&z, NULL, 4), -EINVAL);
    assert_int_equal(mm_zone_init(&z, r, 2), 0);
    free(r);
}

static void stats_after_init(void **state)
{
    struct fixture *f = make(100);
    struct mm_stats st;

    (void)state;
    mm_zone_stats(&f->z, &st);
    assert_int_equal(st.total_pages, 99); /* one page of tags */
    assert_int_equal(st.free_pages, 99);
    assert_int_equal(st.heap_bytes, 0);
    assert_int_equal(st.heap_max_bytes, 99 * MM_PAGE_SIZE);
    destroy(f);
}

static void exhaustion_returns_null_and_pages_are_distinct(void **state)
{
    struct fixture *f = make(67); /* 66 managed: not a power of two */
    uint8_t *seen = calloc(66, 1);
    size_t n = 0;
    void *p;

    (void)state;
    while ((p = mm_zone_alloc(&f->z, 0))) {
        size_t idx = ((uintptr_t)p - f->z.base) / MM_PAGE_SIZE;

        assert_true((uintptr_t)p >= f->z.base);
        assert_true(idx < 66);
        assert_int_equal(seen[idx], 0);
        seen[idx] = 1;
        memset(p, 0xa5, MM_PAGE_SIZE); /* ASan: really inside the region */
        n++;
    }
    assert_int_equal(n, 66);
    assert_null(mm_zone_alloc(&f->z, 0));
    assert_int_equal(f->z.free_pages, 0);
    free(seen);
    destroy(f);
}

static void blocks_are_naturally_aligned(void **state)
{
    struct fixture *f = make(1 + 256);
    unsigned int order;

    (void)state;
    for (order = 0; order < 6; order++) {
        uintptr_t p = (uintptr_t)mm_zone_alloc(&f->z, order);

        assert_true(p != 0);
        assert_int_equal(((p - f->z.base) / MM_PAGE_SIZE) % (1u << order),
                         0);
    }
    assert_null(mm_zone_alloc(&f->z, MM_MAX_ORDER));
    destroy(f);
}

static void fragmentation_then_coalescing(void **state)
{
    struct fixture *f = make(1 + 16); /* exactly one order-4 block */
    void *pages[16];
    int i;

    (void)state;
    for (i = 0; i < 16; i++)
        assert_non_null(pages[i] = mm_zone_alloc(&f->z, 0));
    for (i = 0; i < 16; i += 2)
        assert_int_equal(mm_zone_free(&f->z, pages[i], 0), 0);
    /* 8 pages free but no two adjacent buddies: no order-1 block. */
    assert_int_equal(f->z.free_pages, 8);
    assert_null(mm_zone_alloc(&f->z, 1));
    for (i = 1; i < 16; i += 2)
        assert_int_equal(mm_zone_free(&f->z, pages[i], 0), 0);
    /* Everything merged back into the single order-4 block. */
    assert_non_null(f->z.free[4]);
    for (i = 0; i < 4; i++)
        assert_null(f->z.free[i]);
    assert_ptr_equal(mm_zone_alloc(&f->z, 4), (void *)f->z.base);
    destroy(f);
}

static void allocations_come_from_the_top(void **state)
{
    struct fixture *f = make(1 + 64);
    uintptr_t p = (uintptr_t)mm_zone_alloc(&f->z, 0);

    (void)state;
    assert_int_equal(p, f->z.base + 63 * MM_PAGE_SIZE);
    destroy(f);
}

static void bad_frees_are_refused(void **state)
{
    struct fixture *f = make(1 + 16);
    char *p = mm_zone_alloc(&f->z, 1);
    size_t free_before;

    (void)state;
    assert_non_null(p);
    free_before = f->z.free_pages;
    assert_int_equal(mm_zone_free(&f->z, p + 1, 1), -EINVAL);
    assert_int_equal(mm_zone_free(&f->z, p - 64 * MM_PAGE_SIZE, 0), -EINVAL);
    assert_int_equal(mm_zone_free(&f->z, NULL, 0), -EINVAL);
    assert_int_equal(mm_zone_free(&f->z, p + MM_PAGE_SIZE, 1), -EINVAL);
    assert_int_equal(mm_zone_free(&f->z, p, MM_MAX_ORDER), -EINVAL);
    assert_int_equal(f->z.free_pages, free_before);
    assert_int_equal(mm_zone_free(&f->z, p, 1), 0);
    /* Double free, also of a part of the (now merged) free block. */
    assert_int_equal(mm_zone_free(&f->z, p, 1), -EINVAL);
    assert_int_equal(mm_zone_free(&f->z, p + MM_PAGE_SIZE, 0), -EINVAL);
    assert_int_equal(f->z.free_pages, 16);
    destroy(f);
}

static void free_with_wrong_order_is_refused(void **state)
{
    struct fixture *f = make(1 + 16);
    char *top = mm_zone_alloc(&f->z, 0);  /* page 15 */
    char *next = mm_zone_alloc(&f->z, 0); /* page 14, its buddy */

    (void)state;
    assert_ptr_equal(next + MM_PAGE_SIZE, top);
    assert_int_equal(mm_zone_free(&f->z, top, 0), 0);
    /* Order 1 at page 14 would cover the already free page 15. */
    assert_int_equal(mm_zone_free(&f->z, next, 1), -EINVAL);
    assert_int_equal(f->z.free_pages, 15);
    assert_int_equal(mm_zone_free(&f->z, next, 0), 0);
    assert_ptr_equal(mm_zone_alloc(&f->z, 4), (void *)f->z.base);
    destroy(f);
}

static void sbrk_grows_from_the_bottom(void **state)
{
    struct fixture *f = make(1 + 16);
    char *a, *b;
    struct mm_stats st;

    (void)state;
    a = mm_zone_sbrk(&f->z, 100);
    assert_ptr_equal(a, (void *)f->z.base);
    b = mm_zone_sbrk(&f->z, 5000);
    assert_ptr_equal(b, a + 100);
    memset(a, 1, 5100);
    assert_ptr_equal(mm_zone_sbrk(&f->z, 0), a + 5100);
    mm_zone_stats(&f->z, &st);
    assert_int_equal(st.heap_bytes, 5100);
    assert_int_equal(st.free_pages, 14); /* two heap pages claimed */
    /* Pages handed out afterwards never overlap the heap. */
    for (int i = 0; i < 14; i++) {
        uintptr_t p = (uintptr_t)mm_zone_alloc(&f->z, 0);
        assert_true(p >= f->z.base + 2 * MM_PAGE_SIZE);
    }
    assert_null(mm_zone_alloc(&f->z, 0));
    destroy(f);
}

/*
 * Regression (seen on Xen): sbrk splits the bottom block, and the
 * fragments above the break head their free lists; a thread stack
 * (order 4) allocated from them capped the heap at 32 KiB.
 */
static void allocations_leave_room_above_the_break(void **state)
{
    struct fixture *f = make(2 + 1024);
    void *stack;

    (void)state;
    assert_ptr_not_equal(mm_zone_sbrk(&f->z, 8 * MM_PAGE_SIZE), (void *)-1);
    stack = mm_zone_alloc(&f->z, 4);
    assert_non_null(stack);
    assert_true((uintptr_t)stack >= f->z.base + 512 * MM_PAGE_SIZE);
    /* The heap can still grow through the pages right above it. */
    assert_ptr_not_equal(mm_zone_sbrk(&f->z, 64 * MM_PAGE_SIZE), (void *)-1);
    destroy(f);
}

static void sbrk_exhaustion_changes_nothing(void **state)
{
    struct fixture *f = make(1 + 16);
    void *top;
    char *brk0;

    (void)state;
    top = mm_zone_alloc(&f->z, 0); /* page 15 */
    assert_non_null(top);
    brk0 = mm_zone_sbrk(&f->z, 0);
    /* 15 pages fit below the allocated page, 15 pages + 1 byte do not. */
    assert_ptr_equal(mm_zone_sbrk(&f->z, 15 * MM_PAGE_SIZE + 1),
                     (void *)-1);
    assert_ptr_equal(mm_zone_sbrk(&f->z, 0), brk0);
    assert_int_equal(f->z.free_pages, 15);
    assert_ptr_equal(mm_zone_sbrk(&f->z, 15 * MM_PAGE_SIZE), brk0);
    assert_int_equal(f->z.free_pages, 0);
    assert_ptr_equal(mm_zone_sbrk(&f->z, 1), (void *)-1);
    /* Beyond the region entirely, and an absurd increment. */
    assert_ptr_equal(mm_zone_sbrk(&f->z, INTPTR_MAX), (void *)-1);
    destroy(f);
}

static void sbrk_shrink_returns_pages(void **state)
{
    struct fixture *f = make(1 + 16);
    char *a;

    (void)state;
    a = mm_zone_sbrk(&f->z, 4 * MM_PAGE_SIZE);
    assert_int_equal(f->z.free_pages, 12);
    assert_ptr_equal(mm_zone_sbrk(&f->z, -3 * (intptr_t)MM_PAGE_SIZE),
                     a + 4 * MM_PAGE_SIZE);
    assert_int_equal(f->z.free_pages, 15);
    assert_ptr_equal(mm_zone_sbrk(&f->z, -2 * (intptr_t)MM_PAGE_SIZE),
                     (void *)-1); /* below the heap start */
    assert_ptr_equal(mm_zone_sbrk(&f->z, -(intptr_t)MM_PAGE_SIZE),
                     a + MM_PAGE_SIZE);
    /* All pages back and merged. */
    assert_ptr_equal(mm_zone_alloc(&f->z, 4), (void *)f->z.base);
    destroy(f);
}

static void kernel_instance_and_errno(void **state)
{
    void *r = NULL;
    struct mm_stats st;

    (void)state;
    assert_int_equal(posix_memalign(&r, MM_PAGE_SIZE, 9 * MM_PAGE_SIZE), 0);
    assert_int_equal(mm_init(r, 9), 0);
    assert_non_null(mm_alloc_page());
    errno = 0;
    assert_ptr_equal(mm_sbrk(8 * MM_PAGE_SIZE), (void *)-1);
    assert_int_equal(errno, ENOMEM);
    assert_ptr_not_equal(mm_sbrk(7 * MM_PAGE_SIZE), (void *)-1);
    mm_stats(&st);
    assert_int_equal(st.free_pages, 0);
    assert_int_equal(st.heap_bytes, 7 * MM_PAGE_SIZE);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_rejects_bad_regions),
        cmocka_unit_test(stats_after_init),
        cmocka_unit_test(exhaustion_returns_null_and_pages_are_distinct),
        cmocka_unit_test(blocks_are_naturally_aligned),
        cmocka_unit_test(fragmentation_then_coalescing),
        cmocka_unit_test(allocations_come_from_the_top),
        cmocka_unit_test(bad_frees_are_refused),
        cmocka_unit_test(free_with_wrong_order_is_refused),
        cmocka_unit_test(sbrk_grows_from_the_bottom),
        cmocka_unit_test(allocations_leave_room_above_the_break),
        cmocka_unit_test(sbrk_exhaustion_changes_nothing),
        cmocka_unit_test(sbrk_shrink_returns_pages),
        cmocka_unit_test(kernel_instance_and_errno),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
