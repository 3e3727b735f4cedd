// SPDX-License-Identifier: MIT
/*
 * kernel/sched_newlib.c - per-thread C library state: newlib's reentrancy
 * structure, retargetable locks, and the TLS block.
 *
 * newlib is built with -D__DYNAMIC_REENT__ and
 * --enable-newlib-retargetable-locking, so it asks the OS for the current
 * struct _reent (__getreent) and for its locks. Design choice: each
 * thread's struct _reent and TLS block live in the same mm block as its
 * stack (see sched.c), and every newlib lock is a sched_mutex, so a
 * thread that blocks holding the malloc or stdio lock simply makes the
 * others wait. All 19 lock symbols are defined here (10 functions, 9
 * lock objects), because defining only some of them makes the link pick
 * newlib's dummy lock.o as well and fail with duplicates. TLS follows the
 * x86_64 "variant II" layout (ELF TLS ABI, Drepper, "ELF Handling For
 * Thread-Local Storage" 3.4.2): the block ends at the thread pointer,
 * whose first word points to itself. The TLS image comes from the linker
 * script symbols _tdata_start/_tdata_end/_tbss_size/_tls_align.
 * Reference: newlib's sys/lock.h and misc/lock.c, sys/reent.h.
 * Guest-only: needs newlib's headers.
 */
#include <reent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/lock.h>

#include "kernel/sched.h"

#ifndef _RETARGETABLE_LOCKING
#error "newlib must be configured with --enable-newlib-retargetable-locking"
#endif

/* ---- reent ---- */

struct _reent *__getreent(void)
{
    struct sched_thread *t = sched_self();

    /* Before sched_init() (early boot) everything uses the global one. */
    return t && t->reent ? t->reent : _impure_ptr;
}

/* ---- TLS ---- */

extern char _tdata_start[], _tdata_end[];
extern char _tbss_size[], _tls_align[]; /* absolute symbols: values */

static uintptr_t tls_align(void)
{
    uintptr_t a = (uintptr_t)_tls_align;

    return a < 16 ? 16 : a;
}

/* Bytes below the thread pointer: the image rounded up to its alignment. */
static size_t tls_block_size(void)
{
    uintptr_t a = tls_align();
    size_t sz = (size_t)(_tdata_end - _tdata_start) + (uintptr_t)_tbss_size;

    return (sz + a - 1) & ~(a - 1);
}

#define REENT_SPACE ((sizeof(struct _reent) + 63) & ~(size_t)63)
#define TCB_SIZE 64 /* self pointer, padded; gcc reads %fs:0 only */

size_t sched_libc_area_size(void)
{
    /* reent, slack to align the thread pointer, TLS block, TCB. */
    return REENT_SPACE + tls_align() + tls_block_size() + TCB_SIZE;
}

void *sched_libc_area_init(void *area, uint64_t *fs_base)
{
    struct _reent *r = area;
    uintptr_t a = tls_align();
    uintptr_t tp;
    size_t tdata = (size_t)(_tdata_end - _tdata_start);
    size_t block = tls_block_size();

    _REENT_INIT_PTR(r);
    /* The thread pointer must be aligned like the TLS segment. */
    tp = ((uintptr_t)area + REENT_SPACE + block + a - 1) & ~(a - 1);
    memcpy((void *)(tp - block), _tdata_start, tdata);
    memset((void *)(tp - block + tdata), 0, block - tdata);
    *(uintptr_t *)tp = tp;
    *fs_base = tp;
    return r;
}

void sched_libc_area_fini(void *reent)
{
    if (reent)
        _reclaim_reent(reent);
}

/* ---- retargetable locks ---- */

struct __lock {
    struct sched_mutex m;
};

/* A static, already initialised lock (the wait queue is self-linked). */
#define STATIC_LOCK(name, rec)                                                \
    struct __lock name = { .m = { .owner = NULL,                              \
                                  .depth = 0,                                 \
                                  .recursive = rec,                           \
                                  .waiters = { .q = { .head = {               \
                                      &name.m.waiters.q.head,                 \
                                      &name.m.waiters.q.head } } } } }

STATIC_LOCK(__lock___sinit_recursive_mutex, true);
STATIC_LOCK(__lock___sfp_recursive_mutex, true);
STATIC_LOCK(__lock___atexit_recursive_mutex, true);
STATIC_LOCK(__lock___at_quick_exit_mutex, false);
STATIC_LOCK(__lock___malloc_recursive_mutex, true);
STATIC_LOCK(__lock___env_recursive_mutex, true);
STATIC_LOCK(__lock___tz_mutex, false);
STATIC_LOCK(__lock___dd_hash_mutex, false);
STATIC_LOCK(__lock___arc4random_mutex, false);

static void lock_new(_LOCK_T *lock, bool recursive)
{
    /*
     * Dynamic locks (one per FILE) come from malloc; on failure the lock
     * is NULL and the operations below treat it as always free, which is
     * correct for a cooperative scheduler unless a thread blocks inside
     * the critical section.
     */
    struct __lock *l = malloc(sizeof(*l));

    if (l)
        sched_mutex_init(&l->m, recursive);
    *lock = l;
}

void __retarget_lock_init(_LOCK_T *lock)
{
    lock_new(lock, false);
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
    lock_new(lock, true);
}

void __retarget_lock_close(_LOCK_T lock)
{
    free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
    free(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
    if (lock)
        sched_mutex_lock(&lock->m);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
    if (lock)
        sched_mutex_lock(&lock->m);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
    /* newlib wants nonzero for "acquired". */
    return lock ? sched_mutex_trylock(&lock->m) == 0 : 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
    return lock ? sched_mutex_trylock(&lock->m) == 0 : 1;
}

void __retarget_lock_release(_LOCK_T lock)
{
    if (lock)
        sched_mutex_unlock(&lock->m);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
    if (lock)
        sched_mutex_unlock(&lock->m);
}
