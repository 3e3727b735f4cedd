// SPDX-License-Identifier: MIT
/*
 * kernel/panic.c - panic(): report and crash the domain.
 *
 * Design: format into a fixed stack buffer with the kernel's own
 * formatter (kernel/kfmt.h: allocates nothing, takes no lock, and keeps
 * newlib's stdio out of images that do not use it), print through the
 * console, walk the frame-pointer chain from here with the arch
 * backtracer, flush, and shut down with SHUTDOWN_crash, which the
 * exit-status protocol (docs/internals.md) reports as a crash. A panic
 * while panicking goes straight to the shutdown.
 */
#include "kernel/panic.h"

#include <stdarg.h>
#include <string.h>

#include "arch/x86_64/arch.h"
#include "kernel/kfmt.h"
#include "xen/console.h"

static int panicking;

static void print(const char *line)
{
    console_write(line, strlen(line));
}

void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    size_t n;

    if (panicking++)
        arch_crash();
    n = (size_t)kfmt_snprintf(msg, sizeof(msg), "[xenith] CRASH: panic: ");
    va_start(ap, fmt);
    kfmt_vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
    va_end(ap);
    print(msg);
    print("\n  backtrace:\n");
    /* #0 is panic itself; the frame chain then names its callers. */
    arch_backtrace((uintptr_t)panic, (uintptr_t)__builtin_frame_address(0),
                   print);
    console_flush();
    arch_crash();
}
