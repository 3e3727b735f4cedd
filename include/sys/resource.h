// SPDX-License-Identifier: MIT
/*
 * include/sys/resource.h - resource limits and usage for xenith apps
 * (compatibility header, replaces newlib's, which only has getrusage).
 *
 * lib/sysinfo.c answers from what the kernel knows: RLIMIT_STACK is the
 * main thread's 56 KiB stack (pthreads get theirs from their attribute),
 * RLIMIT_NOFILE the descriptor space (256), RLIMIT_AS and RLIMIT_DATA
 * the most the heap can grow to, RLIMIT_CORE 0, the rest RLIM_INFINITY.
 * setrlimit records a lowered soft or hard limit (EPERM to raise a hard
 * one above its value, EINVAL soft > hard); limits are reported back but
 * not enforced. getrusage reports the CPU time the scheduler counted
 * (all "user" time). Reference: POSIX.1-2017 <sys/resource.h>.
 */
#ifndef INCLUDE_SYS_RESOURCE_H
#define INCLUDE_SYS_RESOURCE_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <sys/resource.h>
#else

/* newlib's guard: its file must not be read after this one. */
#ifndef _SYS_RESOURCE_H_
#define _SYS_RESOURCE_H_
#endif

#include <sys/time.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1

struct rusage {
    struct timeval ru_utime; /* user time used */
    struct timeval ru_stime; /* system time used */
    long ru_maxrss;          /* KiB: the heap's high-water mark */
    long ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap;
    long ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals;
    long ru_nvcsw, ru_nivcsw;
};

typedef unsigned long rlim_t;

#define RLIM_INFINITY  (~0UL)
#define RLIM_SAVED_MAX RLIM_INFINITY
#define RLIM_SAVED_CUR RLIM_INFINITY

struct rlimit {
    rlim_t rlim_cur; /* soft limit */
    rlim_t rlim_max; /* hard limit */
};

/* Linux's numbering, which ported code sometimes hard-codes. */
#define RLIMIT_CPU     0
#define RLIMIT_FSIZE   1
#define RLIMIT_DATA    2
#define RLIMIT_STACK   3
#define RLIMIT_CORE    4
#define RLIMIT_RSS     5
#define RLIMIT_NPROC   6
#define RLIMIT_NOFILE  7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS      9
#define RLIMIT_NLIMITS 10

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

int getrlimit(int resource, struct rlimit *rlim);
int setrlimit(int resource, const struct rlimit *rlim);
int getrusage(int who, struct rusage *usage);
/* One priority: 0; setpriority accepts 0 only (EACCES otherwise). */
int getpriority(int which, id_t who);
int setpriority(int which, id_t who, int prio);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST */
#endif /* INCLUDE_SYS_RESOURCE_H */
