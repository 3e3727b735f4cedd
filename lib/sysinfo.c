// SPDX-License-Identifier: MIT
/*
 * lib/sysinfo.c - what a program asks about the system it runs on:
 * uname, sysconf, getrlimit/setrlimit/getrusage, the process and user
 * ids, umask, host name, page size.
 *
 * Design: one process, one vCPU, one user. Ids are fixed (pid 1, ppid 0,
 * uid/gid 0: the app owns the domain), sysconf answers from the kernel's
 * real figures where there are some (pages from the allocator, the
 * descriptor space, the thread limits of include/pthread.h) and from
 * POSIX's minimums otherwise, and an unknown name is EINVAL, never a
 * made-up value. Limits are reported and may be lowered, but nothing
 * enforces them (docs/porting.md). Reference: POSIX.1-2017 uname,
 * sysconf, getrlimit, getrusage, umask, gethostname.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kernel/mm.h"
#include "kernel/sched.h"

#define SYSINFO_RELEASE  "0.13"
#define SYSINFO_OPEN_MAX 256 /* FD_SETSIZE: sockets, disks, console */
/* main() runs in a kernel thread with the default stack (kernel/main.c) */
#define SYSINFO_MAIN_STACK    SCHED_DEFAULT_STACK
#define SYSINFO_HOST_NAME_MAX 64

/* Declared here: newlib declares it only for BSD visibility. */
int sethostname(const char *name, size_t len);

static char host_name[SYSINFO_HOST_NAME_MAX + 1] = "xenith";
static mode_t umask_value = 022;

/* ---- identity ---- */

int uname(struct utsname *u)
{
    if (!u) {
        errno = EFAULT;
        return -1;
    }
    memset(u, 0, sizeof(*u));
    strcpy(u->sysname, "xenith");
    strcpy(u->nodename, host_name);
    strcpy(u->release, SYSINFO_RELEASE);
    strcpy(u->version, "Xen PV unikernel");
    strcpy(u->machine, "x86_64");
    return 0;
}

int gethostname(char *name, size_t len)
{
    size_t n = strlen(host_name);

    if (!name || len <= n) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(name, host_name, n + 1);
    return 0;
}

int sethostname(const char *name, size_t len)
{
    if (!name || len > SYSINFO_HOST_NAME_MAX) {
        errno = EINVAL;
        return -1;
    }
    memcpy(host_name, name, len);
    host_name[len] = '\0';
    return 0;
}

/* The only process: pid 1, started by nobody inside the domain. */
int getpid(void)
{
    return 1;
}

pid_t getppid(void)
{
    return 0;
}

uid_t getuid(void)
{
    return 0;
}

uid_t geteuid(void)
{
    return 0;
}

gid_t getgid(void)
{
    return 0;
}

gid_t getegid(void)
{
    return 0;
}

pid_t getpgrp(void)
{
    return 1;
}

pid_t getsid(pid_t pid)
{
    (void)pid;
    return 1;
}

mode_t umask(mode_t mask)
{
    mode_t old = umask_value;

    umask_value = mask & 0777;
    return old;
}

int getpagesize(void)
{
    return (int)MM_PAGE_SIZE;
}

/* ---- sysconf ---- */

long sysconf(int name)
{
    struct mm_stats st;

    switch (name) {
    case _SC_NPROCESSORS_CONF:
    case _SC_NPROCESSORS_ONLN:
        return 1; /* one vCPU; threads are cooperative */
    case _SC_PAGESIZE:
        return (long)MM_PAGE_SIZE;
    case _SC_PHYS_PAGES:
        mm_stats(&st);
        return (long)st.total_pages;
    case _SC_AVPHYS_PAGES:
        mm_stats(&st);
        return (long)st.free_pages;
    case _SC_CLK_TCK:
        return CLOCKS_PER_SEC; /* times() counts milliseconds */
    case _SC_OPEN_MAX:
        return SYSINFO_OPEN_MAX;
    case _SC_ARG_MAX:
        return 4096; /* the command line of a Xen PV domain is smaller */
    case _SC_CHILD_MAX:
        return 0; /* fork is not supported */
    case _SC_NGROUPS_MAX:
        return 0;
    case _SC_HOST_NAME_MAX:
        return SYSINFO_HOST_NAME_MAX;
    case _SC_LOGIN_NAME_MAX:
        return 32;
    case _SC_TTY_NAME_MAX:
        return 32;
    case _SC_LINE_MAX:
        return 2048;
    case _SC_IOV_MAX:
        return 1024;
    case _SC_STREAM_MAX:
        return FOPEN_MAX;
    case _SC_TZNAME_MAX:
        return 6;
    case _SC_SYMLOOP_MAX:
        return 8;
    case _SC_GETPW_R_SIZE_MAX:
    case _SC_GETGR_R_SIZE_MAX:
        return 1024;
    case _SC_THREAD_KEYS_MAX:
        return PTHREAD_KEYS_MAX;
    case _SC_THREAD_DESTRUCTOR_ITERATIONS:
        return PTHREAD_DESTRUCTOR_ITERATIONS;
    case _SC_THREAD_STACK_MIN:
        return PTHREAD_STACK_MIN;
    case _SC_THREAD_THREADS_MAX:
        return -1; /* no fixed limit: memory is */
    case _SC_ATEXIT_MAX:
        return 32;
    /* Options: the POSIX version for what is there, -1 for what is not. */
    case _SC_VERSION:
    case _SC_THREADS:
    case _SC_THREAD_SAFE_FUNCTIONS:
    case _SC_THREAD_ATTR_STACKSIZE:
    case _SC_TIMEOUTS:
    case _SC_TIMERS:
    case _SC_MONOTONIC_CLOCK:
    case _SC_CLOCK_SELECTION:
    case _SC_CPUTIME:
    case _SC_THREAD_CPUTIME:
    case _SC_READER_WRITER_LOCKS:
    case _SC_SPIN_LOCKS:
    case _SC_BARRIERS:
    case _SC_IPV6:
        return 200809L;
    case _SC_JOB_CONTROL:
    case _SC_SAVED_IDS:
    case _SC_SHELL:
    case _SC_SPAWN:
    case _SC_THREAD_PROCESS_SHARED:
    case _SC_THREAD_PRIORITY_SCHEDULING:
    case _SC_THREAD_ATTR_STACKADDR:
    case _SC_SEMAPHORES:
    case _SC_MAPPED_FILES:
    case _SC_MEMLOCK:
    case _SC_MESSAGE_PASSING:
    case _SC_SHARED_MEMORY_OBJECTS:
    case _SC_REALTIME_SIGNALS:
    case _SC_ASYNCHRONOUS_IO:
        return -1; /* not supported (errno unchanged, as POSIX says) */
    default:
        errno = EINVAL;
        return -1;
    }
}

/* ---- resource limits ---- */

static struct rlimit limits[RLIMIT_NLIMITS];
static int limits_ready;

static void limits_init(void)
{
    struct mm_stats st;

    if (limits_ready)
        return;
    for (int i = 0; i < RLIMIT_NLIMITS; i++)
        limits[i].rlim_cur = limits[i].rlim_max = RLIM_INFINITY;
    mm_stats(&st);
    limits[RLIMIT_STACK].rlim_cur = limits[RLIMIT_STACK].rlim_max =
        SYSINFO_MAIN_STACK;
    limits[RLIMIT_NOFILE].rlim_cur = limits[RLIMIT_NOFILE].rlim_max =
        SYSINFO_OPEN_MAX;
    limits[RLIMIT_CORE].rlim_cur = limits[RLIMIT_CORE].rlim_max = 0;
    limits[RLIMIT_NPROC].rlim_cur = limits[RLIMIT_NPROC].rlim_max = 1;
    if (st.heap_max_bytes) {
        limits[RLIMIT_DATA].rlim_cur = limits[RLIMIT_DATA].rlim_max =
            st.heap_max_bytes;
        limits[RLIMIT_AS].rlim_cur = limits[RLIMIT_AS].rlim_max =
            st.total_pages * MM_PAGE_SIZE;
    }
    limits_ready = 1;
}

int getrlimit(int resource, struct rlimit *rlim)
{
    if (resource < 0 || resource >= RLIMIT_NLIMITS || !rlim) {
        errno = EINVAL;
        return -1;
    }
    limits_init();
    *rlim = limits[resource];
    return 0;
}

int setrlimit(int resource, const struct rlimit *rlim)
{
    if (resource < 0 || resource >= RLIMIT_NLIMITS || !rlim ||
        rlim->rlim_cur > rlim->rlim_max) {
        errno = EINVAL;
        return -1;
    }
    limits_init();
    if (rlim->rlim_max > limits[resource].rlim_max) {
        errno = EPERM;
        return -1;
    }
    limits[resource] = *rlim; /* recorded, not enforced */
    return 0;
}

int getrusage(int who, struct rusage *ru)
{
    struct mm_stats st;
    uint64_t ns;

    if (!ru || (who != RUSAGE_SELF && who != RUSAGE_CHILDREN &&
                who != RUSAGE_THREAD)) {
        errno = EINVAL;
        return -1;
    }
    memset(ru, 0, sizeof(*ru));
    if (who == RUSAGE_CHILDREN)
        return 0;
    ns = who == RUSAGE_THREAD ? sched_thread_cpu_ns(sched_self())
                              : sched_process_cpu_ns();
    ru->ru_utime.tv_sec = (time_t)(ns / 1000000000u);
    ru->ru_utime.tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
    mm_stats(&st);
    ru->ru_maxrss = (long)(st.heap_peak_bytes / 1024);
    return 0;
}

int getpriority(int which, id_t who)
{
    (void)which, (void)who;
    errno = 0;
    return 0;
}

int setpriority(int which, id_t who, int prio)
{
    (void)which, (void)who;
    if (prio != 0) {
        errno = EACCES;
        return -1;
    }
    return 0;
}
