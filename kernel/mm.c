// SPDX-License-Identifier: MIT
/*
 * kernel/mm.c - binary buddy page allocator and the sbrk heap.
 *
 * Design: classic buddy system (Knuth, TAOCP vol. 1, 2.5) over one
 * contiguous region. Free blocks are kept on one doubly-linked list per
 * order, the list nodes stored inside the free pages themselves; a byte
 * per page (tags[]) says "head of a free block of order k" as k+1, so
 * finding whether a buddy is free and whole is O(1) and no bitmap search
 * is needed. When a block is split the LOWER half stays free and the
 * upper half is used, so page allocations drift to the top of the region
 * while the sbrk heap claims pages from the bottom; mm_zone_sbrk() takes
 * the exact pages above the break out of whichever free block contains
 * them. Only our own callers pass pointers here, but the cheap sanity
 * checks on free stay compiled in because a double free is otherwise
 * silent corruption.
 */
#include "kernel/mm.h"

#include <errno.h>
#include <string.h>

#include "xen/evtchn.h"

struct mm_free_block {
    struct mm_free_block *next;
    struct mm_free_block *prev;
};

static size_t page_index(const struct mm_zone *z, uintptr_t va)
{
    return (va - z->base) >> MM_PAGE_SHIFT;
}

static uintptr_t page_va(const struct mm_zone *z, size_t idx)
{
    return z->base + (idx << MM_PAGE_SHIFT);
}

static void list_push(struct mm_zone *z, size_t idx, unsigned int order)
{
    struct mm_free_block *b = (struct mm_free_block *)page_va(z, idx);

    b->prev = NULL;
    b->next = z->free[order];
    if (b->next)
        b->next->prev = b;
    z->free[order] = b;
    z->tags[idx] = (uint8_t)(order + 1);
}

static void list_remove(struct mm_zone *z, size_t idx, unsigned int order)
{
    struct mm_free_block *b = (struct mm_free_block *)page_va(z, idx);

    if (b->prev)
        b->prev->next = b->next;
    else
        z->free[order] = b->next;
    if (b->next)
        b->next->prev = b->prev;
    z->tags[idx] = 0;
}

int mm_zone_init(struct mm_zone *z, void *region, size_t nr_pages)
{
    uintptr_t start = (uintptr_t)region;
    size_t meta_pages, idx;

    if (!z || !region || (start & (MM_PAGE_SIZE - 1)))
        return -EINVAL;
    /* One tag byte per managed page, stored at the start of the region. */
    meta_pages = (nr_pages + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
    if (nr_pages <= meta_pages)
        return -EINVAL;

    memset(z, 0, sizeof(*z));
    z->tags = region;
    z->nr_pages = nr_pages - meta_pages;
    z->base = start + (meta_pages << MM_PAGE_SHIFT);
    z->brk = z->base;
    memset(z->tags, 0, z->nr_pages);

    /*
     * Carve the region into the largest naturally aligned blocks (aligned
     * relative to base, which is all the buddy arithmetic needs).
     */
    for (idx = 0; idx < z->nr_pages;) {
        unsigned int order = MM_MAX_ORDER - 1;

        while (order > 0 && ((idx & ((1UL << order) - 1)) ||
                             idx + (1UL << order) > z->nr_pages))
            order--;
        list_push(z, idx, order);
        idx += 1UL << order;
    }
    z->free_pages = z->nr_pages;
    z->free_min = z->free_pages;
    return 0;
}

/* Keep the low-water mark of free pages (for the statistics). */
static void note_free_min(struct mm_zone *z)
{
    if (z->free_pages < z->free_min)
        z->free_min = z->free_pages;
}

void *mm_zone_alloc(struct mm_zone *z, unsigned int order)
{
    unsigned int k = MM_MAX_ORDER;
    size_t idx = 0;

    if (order >= MM_MAX_ORDER)
        return NULL;
    /*
     * Take the HIGHEST free block that fits, of any order. Taking the
     * smallest fitting order first would hand out the fragments that
     * mm_zone_sbrk() leaves just above the break (they are pushed last,
     * so they head their lists), and one thread stack there stops the
     * heap from ever growing again. Free lists are short; this is not a
     * data-path call.
     */
    for (unsigned int o = order; o < MM_MAX_ORDER; o++) {
        for (struct mm_free_block *b = z->free[o]; b; b = b->next) {
            size_t i = page_index(z, (uintptr_t)b);

            if (k == MM_MAX_ORDER || i > idx) {
                idx = i;
                k = o;
            }
        }
    }
    if (k == MM_MAX_ORDER)
        return NULL;

    list_remove(z, idx, k);
    /* Split, keeping the lower half free and descending into the upper. */
    while (k > order) {
        k--;
        list_push(z, idx, k);
        idx += 1UL << k;
    }
    z->free_pages -= 1UL << order;
    note_free_min(z);
    return (void *)page_va(z, idx);
}

/* True if idx is inside the heap or otherwise not a valid block start. */
static bool block_invalid(const struct mm_zone *z, uintptr_t va,
                          unsigned int order)
{
    size_t idx;

    if (order >= MM_MAX_ORDER || va < z->base || (va & (MM_PAGE_SIZE - 1)))
        return true;
    idx = page_index(z, va);
    if (idx >= z->nr_pages || (idx & ((1UL << order) - 1)) ||
        idx + (1UL << order) > z->nr_pages || idx < z->heap_pages)
        return true;
    return false;
}

/* Insert [idx, idx + 2^order) into the free lists, merging with buddies. */
static void free_block(struct mm_zone *z, size_t idx, unsigned int order)
{
    z->free_pages += 1UL << order;
    while (order + 1 < MM_MAX_ORDER) {
        size_t buddy = idx ^ (1UL << order);

        if (buddy + (1UL << order) > z->nr_pages ||
            z->tags[buddy] != order + 1)
            break;
        list_remove(z, buddy, order);
        if (buddy < idx)
            idx = buddy;
        order++;
    }
    list_push(z, idx, order);
}

int mm_zone_free(struct mm_zone *z, void *p, unsigned int order)
{
    uintptr_t va = (uintptr_t)p;
    size_t idx, i;

    if (!p || block_invalid(z, va, order))
        return -EINVAL;
    idx = page_index(z, va);
    /*
     * A page of the block that heads a free block (of any order) means
     * this is a double free or a wrong order; a free block containing the
     * block would have its head at an aligned index at or below idx.
     */
    for (i = 0; i < (1UL << order); i++)
        if (z->tags[idx + i])
            return -EINVAL;
    for (i = 1; i < MM_MAX_ORDER; i++) {
        size_t head = idx & ~((1UL << i) - 1);

        if (z->tags[head] && (size_t)z->tags[head] - 1 >= i)
            return -EINVAL;
    }
    free_block(z, idx, order);
    return 0;
}

/*
 * Remove page idx from whichever free block contains it; false if the
 * page is in use. The other parts of the block go back to the lists.
 */
static bool claim_page(struct mm_zone *z, size_t idx)
{
    unsigned int k;
    size_t head = idx;

    for (k = 0; k < MM_MAX_ORDER; k++) {
        head = idx & ~((1UL << k) - 1);
        if (z->tags[head] == k + 1)
            break;
    }
    if (k == MM_MAX_ORDER)
        return false;
    list_remove(z, head, k);
    while (k > 0) {
        k--;
        if (idx >= head + (1UL << k)) {
            list_push(z, head, k);
            head += 1UL << k;
        } else {
            list_push(z, head + (1UL << k), k);
        }
    }
    z->free_pages--;
    return true;
}

void *mm_zone_sbrk(struct mm_zone *z, intptr_t incr)
{
    uintptr_t old = z->brk, new_brk;
    size_t need, i;

    if (incr < 0) {
        if ((uintptr_t)-incr > old - z->base)
            return (void *)-1;
        new_brk = old - (uintptr_t)-incr;
    } else {
        if ((uintptr_t)incr > z->nr_pages * MM_PAGE_SIZE - (old - z->base))
            return (void *)-1;
        new_brk = old + (uintptr_t)incr;
    }

    need = (new_brk - z->base + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
    if (need > z->heap_pages) {
        for (i = z->heap_pages; i < need; i++) {
            if (!claim_page(z, i)) {
                /* Undo the partial growth so a failure changes nothing. */
                while (i-- > z->heap_pages)
                    free_block(z, i, 0);
                return (void *)-1;
            }
        }
    } else {
        /* Shrinking: whole pages above the new break go back. */
        for (i = need; i < z->heap_pages; i++)
            free_block(z, i, 0);
    }
    z->heap_pages = need;
    z->brk = new_brk;
    if (new_brk - z->base > z->heap_peak)
        z->heap_peak = new_brk - z->base;
    note_free_min(z);
    return (void *)old;
}

void mm_zone_stats(const struct mm_zone *z, struct mm_stats *st)
{
    st->total_pages = z->nr_pages;
    st->free_pages = z->free_pages;
    st->heap_bytes = z->brk - z->base;
    /* The heap may in principle grow over the whole region. */
    st->heap_max_bytes = z->nr_pages * MM_PAGE_SIZE;
    st->heap_peak_bytes = z->heap_peak;
    st->free_pages_min = z->free_min;
}

/* ---- the kernel instance; events masked because handlers may run ---- */

static struct mm_zone kernel_zone;

int mm_init(void *region, size_t nr_pages)
{
    return mm_zone_init(&kernel_zone, region, nr_pages);
}

void *mm_alloc_pages(unsigned int order)
{
    unsigned long flags = evtchn_irq_save();
    void *p = mm_zone_alloc(&kernel_zone, order);

    evtchn_irq_restore(flags);
    return p;
}

void mm_free_pages(void *p, unsigned int order)
{
    unsigned long flags = evtchn_irq_save();

    /* A bad free is our own bug; refusing it keeps the lists intact. */
    (void)mm_zone_free(&kernel_zone, p, order);
    evtchn_irq_restore(flags);
}

void *mm_alloc_page(void)
{
    return mm_alloc_pages(0);
}

void mm_free_page(void *p)
{
    mm_free_pages(p, 0);
}

void *mm_sbrk(intptr_t incr)
{
    unsigned long flags = evtchn_irq_save();
    void *p = mm_zone_sbrk(&kernel_zone, incr);

    evtchn_irq_restore(flags);
    if (p == (void *)-1)
        errno = ENOMEM;
    return p;
}

void mm_stats(struct mm_stats *st)
{
    unsigned long flags = evtchn_irq_save();

    mm_zone_stats(&kernel_zone, st);
    evtchn_irq_restore(flags);
}
