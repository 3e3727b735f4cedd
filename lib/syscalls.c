// SPDX-License-Identifier: MIT
/*
 * lib/syscalls.c - the operating-system layer newlib expects.
 *
 * newlib for x86_64-xen-elf ships no syscalls: its reentrant wrappers
 * (_write_r ...) call the plain names defined here. Design: descriptors
 * 0-2 are the PV console (stdin non-blocking), the heap is the kernel's
 * mm_sbrk, clocks come from pvclock (CLOCK_MONOTONIC: since this domain
 * started) and Xen's wallclock (CLOCK_REALTIME), sleeping is the
 * scheduler's, and _exit implements the exit-status protocol of
 * docs/internals.md. Everything a unikernel does
 * not have (processes, signals) fails with -1 and a meaningful errno,
 * never a silent success; files are lib/fs_syscalls.c's. Descriptors
 * above the console that another module registered in kernel/fdtab
 * (lwIP sockets, files) are forwarded to it, so read()/write()/close()
 * work on them.
 * Reference: newlib/libc/include/reent.h (the syscall list), POSIX.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86_64/arch.h"
#include "include/xenith.h"
#include "kernel/kfmt.h"
#include "kernel/mm.h"
#include "kernel/oom.h"
#include "kernel/sched.h"
#include "kernel/fdtab.h"
#include "kernel/shutdown.h"
#include "xen/console.h"
#include "xen/hypercall.h"
#include "xen/time.h"

/* Declared here: newlib's headers do not for this target. */
int getentropy(void *buf, size_t len);
int clock_gettime(clockid_t id, struct timespec *ts);
int clock_getres(clockid_t id, struct timespec *ts);
int nanosleep(const struct timespec *req, struct timespec *rem);
void _exit(int status);

static int is_console(int fd)
{
    return fd >= 0 && fd <= 2;
}

/* ---- console I/O ---- */

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);
    long n;

    if (ops)
        return ops->write(fd, buf, len);
    if (fd != 1 && fd != 2) {
        errno = fd == 0 ? EINVAL : EBADF;
        return -1;
    }
    n = console_write(buf, len);
    if (n < 0) {
        errno = EIO;
        return -1;
    }
    return (_READ_WRITE_RETURN_TYPE)n;
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);
    long n;

    if (ops)
        return ops->read(fd, buf, len);
    if (fd != 0) {
        errno = is_console(fd) ? EINVAL : EBADF;
        return -1;
    }
    n = console_read(buf, len);
    if (n < 0) {
        errno = EIO;
        return -1;
    }
    if (n == 0 && len > 0) {
        errno = EAGAIN; /* non-blocking console input */
        return -1;
    }
    return (_READ_WRITE_RETURN_TYPE)n;
}

int isatty(int fd)
{
    if (is_console(fd))
        return 1;
    errno = fdtab_lookup(fd) ? ENOTTY : EBADF;
    return 0;
}

int fstat(int fd, struct stat *st)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);

    if (ops)
        return ops->fstat(fd, st);
    if (!is_console(fd)) {
        errno = EBADF;
        return -1;
    }
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR | 0620;
    st->st_blksize = 0; /* let stdio line-buffer the console */
    return 0;
}

off_t lseek(int fd, off_t off, int whence)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);

    if (ops && ops->lseek)
        return ops->lseek(fd, off, whence);
    errno = is_console(fd) || ops ? ESPIPE : EBADF;
    return -1;
}

/* Positioned I/O and fsync: block devices (/dev/xvd*) implement them. */
ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);

    if (ops && ops->pread)
        return ops->pread(fd, buf, len, off);
    errno = is_console(fd) || ops ? ESPIPE : EBADF;
    return -1;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);

    if (ops && ops->pwrite)
        return ops->pwrite(fd, buf, len, off);
    errno = is_console(fd) || ops ? ESPIPE : EBADF;
    return -1;
}

int fsync(int fd)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);

    if (ops && ops->fsync)
        return ops->fsync(fd);
    if (is_console(fd))
        return 0; /* console writes are not buffered below stdio */
    errno = ops ? EINVAL : EBADF;
    return -1;
}

int close(int fd)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);

    if (ops)
        return ops->close(fd);
    /* Closing the console is refused: nothing could reopen it. */
    errno = is_console(fd) ? EPERM : EBADF;
    return -1;
}

/*
 * F_GETFL/F_SETFL (O_NONBLOCK) for forwarded descriptors; the console
 * reports its fixed flags (stdin is non-blocking) and refuses changes.
 */
int fcntl(int fd, int cmd, ...)
{
    const struct fdtab_ops *ops = fdtab_lookup(fd);
    va_list ap;
    int arg;

    va_start(ap, cmd);
    arg = va_arg(ap, int);
    va_end(ap);
    if (ops)
        return ops->fcntl(fd, cmd, arg);
    if (!is_console(fd)) {
        errno = EBADF;
        return -1;
    }
    switch (cmd) {
    case F_GETFL:
        return fd == 0 ? O_RDONLY | O_NONBLOCK : O_WRONLY;
    case F_GETFD:
        return 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

/* ---- files: lib/fs_syscalls.c (open, stat, unlink ...) ---- */

/* ---- processes and signals: lib/sysinfo.c, lib/process.c, lib/signal.c */

/* ---- memory ---- */

void *sbrk(ptrdiff_t incr)
{
    void *p = mm_sbrk(incr); /* sets errno = ENOMEM itself */

    /* Growth is what malloc asks for; the OOM policy hears of each. */
    if (incr > 0) {
        if (p == (void *)-1)
            oom_heap_failed((size_t)incr);
        else
            oom_heap_grew();
    }
    return p;
}

/* ---- time ---- */

/* clock_gettime, clock_getres, clock_nanosleep: lib/clock.c */

int gettimeofday(struct timeval *tv, void *tz)
{
    uint64_t sec;
    uint32_t nsec;

    (void)tz;
    if (tv) {
        time_wall(&sec, &nsec);
        tv->tv_sec = (time_t)sec;
        tv->tv_usec = (suseconds_t)(nsec / 1000);
    }
    return 0;
}

clock_t times(struct tms *t)
{
    /* One process, all time is "user" time; CLK_TCK is 1000 in newlib
     * for this target (sysconf is not wired), so report milliseconds. */
    clock_t ms = (clock_t)(time_uptime_ns() / 1000000u);

    if (t) {
        t->tms_utime = ms;
        t->tms_stime = 0;
        t->tms_cutime = 0;
        t->tms_cstime = 0;
    }
    return ms;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (!req || req->tv_sec < 0 || req->tv_nsec < 0 ||
        req->tv_nsec >= 1000000000L) {
        errno = EINVAL;
        return -1;
    }
    sched_sleep_ns((uint64_t)req->tv_sec * 1000000000u +
                   (uint64_t)req->tv_nsec);
    if (rem)
        rem->tv_sec = rem->tv_nsec = 0;
    return 0;
}

int usleep(useconds_t us)
{
    sched_sleep_ns((uint64_t)us * 1000u);
    return 0;
}

unsigned int sleep(unsigned int s)
{
    sched_sleep_ns((uint64_t)s * 1000000000u);
    return 0;
}

/* ---- entropy ---- */

/*
 * RDRAND when the CPU has it. Without it there is no entropy source a
 * PV guest can trust, so we fail with ENOSYS instead of handing out
 * predictable bytes (TSC jitter is not a cryptographic source).
 */
int getentropy(void *buf, size_t len)
{
    unsigned char *p = buf;

    if (len > 256) {
        errno = EIO; /* POSIX: at most 256 bytes per call */
        return -1;
    }
    while (len) {
        uint64_t v;
        size_t n = len < sizeof(v) ? len : sizeof(v);

        if (!arch_rdrand64(&v)) {
            errno = ENOSYS;
            return -1;
        }
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
    return 0;
}

/* ---- start and end ---- */

/*
 * newlib's exit() has run the atexit handlers and flushed stdio. Print
 * the status line the toolstack side parses, drain the console, and
 * power off (0; reboot when the toolstack asked for one, see
 * kernel/shutdown.h) or crash (anything else) so that every toolstack
 * sees failures.
 */
void _exit(int status)
{
    char line[32];
    /* The kernel formatter: an app that never uses stdio links none. */
    int n = kfmt_snprintf(line, sizeof(line), "[xenith] exit %d\n", status);

    console_write(line, (size_t)n);
    /* 0 means reboot while a toolstack reboot request is carried out. */
    xn_shutdown(shutdown_exit_reason(status));
}
