// SPDX-License-Identifier: MIT
/*
 * lib/clock.c - POSIX clocks: clock_gettime, clock_getres,
 * clock_nanosleep.
 *
 * CLOCK_REALTIME is Xen's wallclock (the toolstack's UTC) plus system
 * time; CLOCK_MONOTONIC counts from this domain's start (Linux counts
 * from its boot: the same idea); CLOCK_PROCESS_CPUTIME_ID is the time
 * any thread but idle ran and CLOCK_THREAD_CPUTIME_ID the caller's, both
 * counted by the scheduler at every switch. Linux's extra ids (_COARSE,
 * _RAW, BOOTTIME) are the same clocks; their numbers are newlib's, which
 * declares them only for _GNU_SOURCE. Resolution: 1 ns (pvclock is
 * nanosecond-based; the TSC under it is finer). Reference: POSIX.1-2017
 * clock_getres, clock_nanosleep.
 */
#define _GNU_SOURCE 1 /* newlib's CLOCK_*_COARSE, _RAW, BOOTTIME */

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "kernel/sched.h"
#include "xen/time.h"

/* Declared here: newlib's headers do not for this target. */
int clock_gettime(clockid_t id, struct timespec *ts);
int clock_getres(clockid_t id, struct timespec *ts);
int clock_nanosleep(clockid_t id, int flags, const struct timespec *req,
                    struct timespec *rem);

enum clock_kind { CK_NONE, CK_REAL, CK_MONO, CK_PROCESS, CK_THREAD };

static enum clock_kind clock_kind(clockid_t id)
{
    switch (id) {
    case CLOCK_REALTIME:
#ifdef CLOCK_REALTIME_COARSE
    case CLOCK_REALTIME_COARSE:
#endif
        return CK_REAL;
    case CLOCK_MONOTONIC:
#ifdef CLOCK_MONOTONIC_RAW
    case CLOCK_MONOTONIC_RAW:
#endif
#ifdef CLOCK_MONOTONIC_COARSE
    case CLOCK_MONOTONIC_COARSE:
#endif
#ifdef CLOCK_BOOTTIME
    case CLOCK_BOOTTIME:
#endif
        return CK_MONO;
    case CLOCK_PROCESS_CPUTIME_ID:
        return CK_PROCESS;
    case CLOCK_THREAD_CPUTIME_ID:
        return CK_THREAD;
    default:
        return CK_NONE;
    }
}

static void ns_to_ts(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    uint64_t sec;
    uint32_t nsec;

    if (!ts) {
        errno = EFAULT;
        return -1;
    }
    switch (clock_kind(id)) {
    case CK_REAL:
        time_wall(&sec, &nsec);
        ts->tv_sec = (time_t)sec;
        ts->tv_nsec = (long)nsec;
        return 0;
    case CK_MONO:
        /* Since this domain started (Linux counts from its own boot). */
        ns_to_ts(time_uptime_ns(), ts);
        return 0;
    case CK_PROCESS:
        ns_to_ts(sched_process_cpu_ns(), ts);
        return 0;
    case CK_THREAD:
        ns_to_ts(sched_thread_cpu_ns(sched_self()), ts);
        return 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

int clock_getres(clockid_t id, struct timespec *ts)
{
    if (clock_kind(id) == CK_NONE) {
        errno = EINVAL;
        return -1;
    }
    if (ts) {
        ts->tv_sec = 0;
        ts->tv_nsec = 1;
    }
    return 0;
}

/* Returns an error number (not -1/errno), as POSIX specifies. */
int clock_nanosleep(clockid_t id, int flags, const struct timespec *req,
                    struct timespec *rem)
{
    enum clock_kind k = clock_kind(id);
    uint64_t ns;
    struct timespec now;

    if (k == CK_THREAD)
        return EINVAL;
    if (k == CK_NONE || k == CK_PROCESS)
        return ENOTSUP;
    if (!req || req->tv_sec < 0 || req->tv_nsec < 0 ||
        req->tv_nsec >= 1000000000L)
        return EINVAL;
    ns = (uint64_t)req->tv_sec * 1000000000u + (uint64_t)req->tv_nsec;
    if (flags & TIMER_ABSTIME) {
        uint64_t now_ns;

        clock_gettime(id, &now);
        now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
        if (ns <= now_ns)
            return 0;
        ns -= now_ns;
    }
    sched_sleep_ns(ns); /* never interrupted: no signal arrives */
    if (rem && !(flags & TIMER_ABSTIME))
        rem->tv_sec = rem->tv_nsec = 0;
    return 0;
}
