// SPDX-License-Identifier: MIT
/*
 * include/sys/_pthreadtypes.h - the POSIX thread types of xenith
 * (compatibility header, replaces newlib's file of the same name).
 *
 * newlib's <sys/types.h> includes <sys/_pthreadtypes.h>; its own version
 * describes every object as a 32-bit id (RTEMS style) that an OS would
 * have to look up in a table. xenith's include/ comes first on the guest
 * include path, so this file is used instead: the objects are plain
 * structures that live in the caller's memory, zero-filled means "statically
 * initialised" (PTHREAD_MUTEX_INITIALIZER and friends are all-zero, so
 * a mutex in .bss works without an init call), and destroy frees nothing.
 * The layouts are private to lib/pthread*.c, which checks them with
 * static assertions; apps must only use the names of POSIX.1-2017
 * <pthread.h>. pthread_t is an unsigned long (the descriptor's address)
 * as with glibc, so code that prints or hashes it compiles unchanged.
 * Reference: POSIX.1-2017 <sys/types.h>, <pthread.h>.
 */
#ifndef INCLUDE_SYS_PTHREADTYPES_H
#define INCLUDE_SYS_PTHREADTYPES_H

/* newlib's guard too: nobody else may define these types. */
#ifndef _SYS__PTHREADTYPES_H_
#define _SYS__PTHREADTYPES_H_
#endif

#include <stddef.h>

#ifdef XENITH_GUEST
#include <sys/sched.h> /* struct sched_param, SCHED_* (newlib) */
#else
#include <sched.h> /* host unit tests of lib/pthread*.c */
#endif

typedef unsigned long pthread_t;

typedef struct {
    size_t __stacksize; /* 0 = default */
    size_t __guardsize;
    int __detachstate;
    int __inheritsched;
    int __schedpolicy;
    int __scope;
    struct sched_param __schedparam;
} pthread_attr_t;

/* Mirrors the kernel's struct sched_mutex, plus the POSIX type. */
typedef struct {
    void *__owner;
    unsigned int __depth;
    unsigned int __flags;
    void *__waiters[2];
    int __kind;
    int __pad;
} pthread_mutex_t;

typedef struct {
    int __kind;
    int __pshared;
} pthread_mutexattr_t;

typedef struct {
    void *__waiters[2];
    int __clock; /* clockid_t of timedwait's absolute time */
    int __pad;
} pthread_cond_t;

typedef struct {
    int __clock;
    int __pshared;
} pthread_condattr_t;

typedef struct {
    void *__writer; /* owning writer, or NULL */
    unsigned int __readers;
    unsigned int __pad;
    void *__read_wq[2];  /* readers waiting for the writer to leave */
    void *__write_wq[2]; /* writers waiting for the lock to be free */
} pthread_rwlock_t;

typedef struct {
    int __pshared;
} pthread_rwlockattr_t;

typedef unsigned int pthread_key_t;
typedef int pthread_once_t;
typedef volatile int pthread_spinlock_t;

typedef struct {
    void *__waiters[2];
    unsigned int __count; /* threads the barrier waits for */
    unsigned int __arrived;
    unsigned int __cycle;
    unsigned int __pad;
} pthread_barrier_t;

typedef struct {
    int __pshared;
} pthread_barrierattr_t;

#endif /* INCLUDE_SYS_PTHREADTYPES_H */
