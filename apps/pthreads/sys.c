// SPDX-License-Identifier: MIT
/*
 * apps/pthreads/sys.c - the process and system calls a ported program
 * touches, checked on real Xen: uname, sysconf, every clock (and the
 * CPU-time ones really counting), getrlimit/setrlimit, the fixed ids,
 * umask, isatty, gmtime/localtime in UTC, signals raised by the program
 * itself (handler, mask and pending, SIG_IGN), fork/system refused with
 * ENOSYS. Each group prints one "pthreads: ..." line.
 */
#define _GNU_SOURCE 1 /* CLOCK_MONOTONIC_COARSE ... in newlib's time.h */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "pthreads.h"

static void ids_and_names(void)
{
    struct utsname u;
    struct rlimit rl;
    int ok = 1;

    ok &= check(uname(&u) == 0 && strcmp(u.sysname, "xenith") == 0 &&
                    strcmp(u.machine, "x86_64") == 0,
                "uname");
    printf("pthreads: uname %s %s %s %s %s\n", u.sysname, u.nodename, u.release,
           u.version, u.machine);
    printf("pthreads: sysconf nprocessors_onln=%ld pagesize=%ld "
           "clk_tck=%ld open_max=%ld phys_pages=%ld\n",
           sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_PAGESIZE),
           sysconf(_SC_CLK_TCK), sysconf(_SC_OPEN_MAX),
           sysconf(_SC_PHYS_PAGES));
    ok &= check(sysconf(_SC_NPROCESSORS_ONLN) == 1 &&
                    sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_CLK_TCK) > 0 &&
                    sysconf(_SC_OPEN_MAX) > 0 && sysconf(_SC_PHYS_PAGES) > 0,
                "sysconf values");
    errno = 0;
    ok &= check(sysconf(-12345) == -1 && errno == EINVAL,
                "sysconf of an unknown name is EINVAL");
    ok &= check(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0,
                "getrlimit(RLIMIT_NOFILE)");
    {
        struct rlimit st;

        getrlimit(RLIMIT_STACK, &st);
        printf("pthreads: rlimit nofile=%lu stack=%lu\n", rl.rlim_cur,
               st.rlim_cur);
    }
    rl.rlim_cur = rl.rlim_max = 100;
    ok &= check(setrlimit(RLIMIT_NOFILE, &rl) == 0 &&
                    getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max == 100,
                "setrlimit lowers a limit");
    rl.rlim_max = 1000;
    ok &= check(setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EPERM,
                "setrlimit cannot raise a hard limit");
    printf("pthreads: ids pid=%d ppid=%d uid=%d euid=%d gid=%d egid=%d\n",
           (int)getpid(), (int)getppid(), (int)getuid(), (int)geteuid(),
           (int)getgid(), (int)getegid());
    ok &= check(getpid() == 1 && getuid() == 0, "fixed ids");
    ok &= check(umask(077) == 022 && umask(022) == 077, "umask");
    ok &= check(isatty(1) == 1 && isatty(99) == 0, "isatty");
    if (ok)
        printf("pthreads: system calls ok\n");
}

static uint64_t ts_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static void clocks(void)
{
    static const struct {
        clockid_t id;
        const char *name;
    } ids[] = {
        {CLOCK_REALTIME, "REALTIME"},
        {CLOCK_MONOTONIC, "MONOTONIC"},
        {CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID"},
        {CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID"},
        {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
        {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"},
    };
    struct timespec ts, res, a, b;
    uint64_t end, busy_ms;
    time_t now;
    struct tm g, l;
    int ok = 1;

    for (unsigned int i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        int rc = clock_gettime(ids[i].id, &ts);

        ok &= check(rc == 0 && clock_getres(ids[i].id, &res) == 0, ids[i].name);
        printf("pthreads: clock %s %lld.%09ld res %ld ns\n", ids[i].name,
               (long long)ts.tv_sec, ts.tv_nsec, res.tv_nsec);
    }
    ok &= check(clock_gettime((clockid_t)99, &ts) == -1 && errno == EINVAL,
                "unknown clock is EINVAL");
    /* The CPU-time clocks count while this thread computes... */
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    end = mono_ns() + 50 * 1000000ull;
    while (mono_ns() < end)
        ;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    busy_ms = (ts_ns(&b) - ts_ns(&a)) / 1000000;
    ok &= check(ts_ns(&b) - ts_ns(&a) >= 45 * 1000000ull,
                "thread CPU time counts a 50 ms computation");
    /* ...and not while it sleeps. */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    usleep(100 * 1000);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    ok &= check(ts_ns(&b) - ts_ns(&a) < 50 * 1000000ull,
                "process CPU time does not count a 100 ms sleep");
    printf("pthreads: cputime 50 ms busy -> thread +%llu ms; "
           "100 ms asleep -> process +%llu ms\n",
           (unsigned long long)busy_ms,
           (unsigned long long)((ts_ns(&b) - ts_ns(&a)) / 1000000));

    now = time(NULL);
    ok &= check(gmtime_r(&now, &g) && localtime_r(&now, &l), "gmtime_r");
    ok &= check(g.tm_hour == l.tm_hour && g.tm_min == l.tm_min &&
                    g.tm_year == l.tm_year && l.tm_year >= 120,
                "localtime is UTC (and the year is plausible)");
    printf("pthreads: time %04d-%02d-%02dT%02d:%02d:%02dZ localtime=UTC %s\n",
           g.tm_year + 1900, g.tm_mon + 1, g.tm_mday, g.tm_hour, g.tm_min,
           g.tm_sec, ok ? "ok" : "FAILED");
}

static volatile sig_atomic_t got_usr1, got_usr2;

static void on_usr1(int sig)
{
    got_usr1 += sig == SIGUSR1;
}

static void on_usr2(int sig)
{
    got_usr2 += sig == SIGUSR2;
}

static void signals_and_processes(void)
{
    struct sigaction sa;
    sigset_t set, pend;
    int ok = 1;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    ok &= check(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
    ok &= check(raise(SIGUSR1) == 0 && got_usr1 == 1, "raise runs handler");
    ok &= check(kill(getpid(), SIGUSR1) == 0 && got_usr1 == 2,
                "kill(getpid()) runs handler");
    ok &= check(signal(SIGUSR2, on_usr2) == SIG_DFL, "signal()");
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    ok &= check(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "sigprocmask");
    raise(SIGUSR2);
    sigpending(&pend);
    ok &= check(got_usr2 == 0 && sigismember(&pend, SIGUSR2) == 1,
                "a blocked signal stays pending");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    ok &= check(got_usr2 == 1, "unblocking delivers it");
    ok &= check(signal(SIGPIPE, SIG_IGN) != SIG_ERR && raise(SIGPIPE) == 0,
                "SIG_IGN ignores");
    ok &= check(kill(42, SIGUSR1) == -1 && errno == ESRCH,
                "kill of another pid is ESRCH");
    if (ok)
        printf("pthreads: signals ok (raised by the program itself)\n");

    errno = 0;
    ok = check(fork() == -1 && errno == ENOSYS, "fork is ENOSYS");
    ok &= check(fork() == -1 && errno == ENOSYS, "fork again");
    ok &= check(system(NULL) == 0, "system(NULL): no shell");
    ok &= check(system("ls") == -1 && errno == ENOSYS, "system is ENOSYS");
    ok &= check(execlp("ls", "ls", (char *)NULL) == -1 && errno == ENOSYS,
                "execlp is ENOSYS");
    if (ok)
        printf("pthreads: fork/system/exec ENOSYS ok\n");
}

void sys_checks(void)
{
    ids_and_names();
    clocks();
    signals_and_processes();
}
