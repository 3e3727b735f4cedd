// SPDX-License-Identifier: MIT
/*
 * kernel/mm.h - page allocator and the heap behind newlib's sbrk.
 *
 * One binary buddy allocator manages a contiguous, mapped, page-aligned
 * region that start_kernel hands over. The region serves two customers:
 * page allocations (rings, stacks, buffers) are taken from the TOP of the
 * region, and the sbrk heap grows upwards from the BOTTOM by claiming
 * specific free pages out of the buddy lists. So the split between
 * malloc memory and page memory is not fixed at boot; the two meet in
 * the middle. Per-page metadata (one byte per page: order+1 of a free
 * block head, or 0) lives in the first pages of the region itself.
 *
 * The allocator proper works on an explicit struct mm_zone (pure code,
 * tested on the host); the mm_* functions below operate on the kernel's
 * single instance and mask events around it, because event handlers may
 * run at any point in a thread.
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_PAGE_SHIFT 12
#define MM_PAGE_SIZE (1UL << MM_PAGE_SHIFT)
/* Orders 0 .. MM_MAX_ORDER-1: the largest block is 2^(MM_MAX_ORDER-1) pages. */
#define MM_MAX_ORDER 20

struct mm_free_block; /* lives inside free pages */

struct mm_zone {
    uintptr_t base;      /* first managed page (after the metadata) */
    size_t nr_pages;     /* managed pages */
    uint8_t *tags;       /* nr_pages bytes: order+1 at a free head, else 0 */
    struct mm_free_block *free[MM_MAX_ORDER];
    size_t free_pages;
    uintptr_t brk;       /* current break; the heap is [base, brk) */
    size_t heap_pages;   /* pages claimed by the heap: [base, base+heap_pages) */
    size_t heap_peak;    /* high-water mark of brk - base, bytes */
    size_t free_min;     /* low-water mark of free_pages */
};

struct mm_stats {
    size_t total_pages;
    size_t free_pages;
    size_t heap_bytes;
    size_t heap_max_bytes;
    size_t heap_peak_bytes; /* the most heap_bytes has ever been */
    size_t free_pages_min;  /* the fewest free pages there have been */
};

/* ---- pure allocator over an explicit zone (host-testable) ---- */

/*
 * Take over [region, region + nr_pages pages). region must be page
 * aligned and mapped. Returns 0, or -EINVAL if the region is misaligned or
 * too small to hold its own metadata plus one page.
 */
int mm_zone_init(struct mm_zone *z, void *region, size_t nr_pages);

/* 2^order contiguous pages aligned to their size, or NULL when exhausted. */
void *mm_zone_alloc(struct mm_zone *z, unsigned int order);

/*
 * Return a block from mm_zone_alloc(). -EINVAL (and nothing freed) if p
 * is not a block this zone could have handed out, or is already free.
 */
int mm_zone_free(struct mm_zone *z, void *p, unsigned int order);

/*
 * Move the break by incr bytes and return the old break, like sbrk(2).
 * (void *)-1 if the heap cannot grow (the pages above the break are in
 * use or the region ends) or would shrink below its start.
 */
void *mm_zone_sbrk(struct mm_zone *z, intptr_t incr);

void mm_zone_stats(const struct mm_zone *z, struct mm_stats *st);

/* ---- the kernel's allocator instance ---- */

/* Called once by start_kernel with the free, mapped pages after the image. */
int mm_init(void *region, size_t nr_pages);

void *mm_alloc_pages(unsigned int order);
void mm_free_pages(void *p, unsigned int order);
void *mm_alloc_page(void);
void mm_free_page(void *p);

/* sbrk for newlib: (void *)-1 and errno = ENOMEM when the heap is full. */
void *mm_sbrk(intptr_t incr);

void mm_stats(struct mm_stats *st);

#endif /* KERNEL_MM_H */
