// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_sched_libc.c - host stand-in for kernel/sched_newlib.c:
 * the per-thread "libc area" is a tagged block whose address doubles as
 * the thread's FS base, so tests can see that each thread gets its own
 * and that join releases it exactly once.
 */
#include "fake_sched_libc.h"

#include <stdint.h>
#include <string.h>

#include "kernel/sched.h"

#define AREA_MAGIC 0x7e5714eaUL

unsigned int fake_libc_live;

size_t sched_libc_area_size(void)
{
    return 64;
}

void *sched_libc_area_init(void *area, uint64_t *fs_base)
{
    *(unsigned long *)area = AREA_MAGIC;
    *fs_base = (uint64_t)(uintptr_t)area;
    fake_libc_live++;
    return area;
}

void sched_libc_area_fini(void *reent)
{
    /* A double fini or a stray pointer trips the magic check. */
    if (reent && *(unsigned long *)reent == AREA_MAGIC) {
        *(unsigned long *)reent = 0;
        fake_libc_live--;
    } else {
        fake_libc_live = 0xdead;
    }
}
