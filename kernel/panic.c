// SPDX-License-Identifier: MIT
/*
 * kernel/panic.c - how the domain ends: panic(), the crash reporter's
 * console hooks, and xn_shutdown().
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
#include "include/xenith.h"
#include "kernel/kfmt.h"
#include "kernel/sched.h"
#include "xen/console.h"
#include "xen/hypercall.h"

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

/* ---- the crash reporter's hooks (arch/x86_64/traps.c calls them) ---- */

static void crash_write(const char *s, size_t len)
{
    console_write(s, len);
}

static void crash_flush(void)
{
    console_flush();
}

static void crash_describe(void (*out)(const char *line))
{
    struct sched_thread *t = sched_self();
    char line[64];

    if (!t)
        return;
    kfmt_snprintf(line, sizeof(line), "  thread: %.*s\n", SCHED_NAME_LEN,
                  t->name);
    out(line);
}

static const struct arch_crash_ops crash_ops = {
    .write = crash_write,
    .flush = crash_flush,
    .describe = crash_describe,
};

void panic_init(void)
{
    arch_set_crash_ops(&crash_ops);
}

void xn_shutdown(enum xn_shutdown_reason reason)
{
    console_flush();
    for (;;)
        hypercall_sched_op_shutdown((unsigned int)reason);
}

/* ---- the stack protector (-fstack-protector-strong, global guard) ---- */

uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ULL; /* replaced at boot */
static const char *guard_source = "built-in";

__attribute__((noreturn)) void __stack_chk_fail(void);

__attribute__((noreturn)) void __stack_chk_fail(void)
{
    panic("stack smashing detected (a stack buffer overflowed its frame)");
}

__attribute__((no_stack_protector)) void panic_guard_seed(const void *entropy)
{
    uint64_t v;

    if (arch_rdrand64(&v)) {
        guard_source = "rdrand";
    } else {
        /* Documented fallback: the TSC at boot mixed with where the
         * builder put start_info (varies with memory size and layout):
         * weak against a local observer, enough to stop a fixed
         * overflow payload. */
        v = arch_rdtsc() * 0x9e3779b97f4a7c15ULL ^ (uintptr_t)entropy;
        v ^= v >> 29;
        guard_source = "tsc";
    }
    v &= ~(uint64_t)0xff; /* a NUL byte stops string overflows reading it */
    __stack_chk_guard = (uintptr_t)v;
}

const char *panic_guard_source(void)
{
    return guard_source;
}
