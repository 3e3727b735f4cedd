// SPDX-License-Identifier: MIT
/*
 * xenith.h - the one public header for xenith applications.
 *
 * An app is linked with the xenith kernel, newlib and lwIP into a single
 * Xen PV image; its main() runs as the first cooperative thread. This
 * header is everything the kernel offers an app beyond standard C and
 * lwIP: threads, sleep, time, event-channel callbacks, shutdown and memory
 * statistics. Design choice: a small, flat, documented C API with opaque
 * handles and one result enum, so that kernel internals (scheduler,
 * allocator, two-level event-channel ABI) can change without touching
 * apps. Threads are cooperative: a thread runs until it blocks, sleeps,
 * yields or exits, so plain data shared between threads needs no lock
 * unless the code between two accesses may block. Names are prefixed
 * xn_. Protocol references: xen/include/public/event_channel.h (ports),
 * xen/include/public/xen.h (vcpu_time_info, wallclock).
 */
#ifndef INCLUDE_XENITH_H
#define INCLUDE_XENITH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Result of every xn_* call that can fail. XN_OK is zero so that
 * `if (xn_foo(...) != XN_OK)` and `if (xn_foo(...))` both read naturally.
 */
typedef enum xn_result {
    XN_OK = 0,
    XN_ERR_INVAL = -1,   /* a bad argument (NULL, unknown port, ...) */
    XN_ERR_NOMEM = -2,   /* out of pages or heap */
    XN_ERR_TIMEOUT = -3, /* a deadline passed before the event arrived */
    XN_ERR_BUSY = -4,    /* resource in use (port already bound, ...) */
    XN_ERR_IO = -5,      /* Xen or another domain refused / misbehaved */
} xn_result;

/* ------------------------------------------------------------------ */
/* Threads                                                             */
/* ------------------------------------------------------------------ */

/* Opaque thread handle. Valid until xn_thread_join() returns for it. */
struct xn_thread;

typedef void (*xn_thread_fn)(void *arg);

/*
 * Create a runnable thread that calls fn(arg). stack_size 0 picks the
 * default (56 KiB); it is rounded up to whole pages and gets an unmapped
 * guard page below it, so an overflow faults instead of corrupting
 * memory. name is copied (up to 15 characters) and shows in crash reports.
 * Each thread has its own newlib reentrancy state (errno, stdio buffers)
 * and its own TLS block. Every created thread must be joined exactly once.
 * On success *out receives the handle.
 */
xn_result xn_thread_create(struct xn_thread **out, const char *name,
                           xn_thread_fn fn, void *arg, size_t stack_size);

/* Wait until t has returned from its function, then free it. */
xn_result xn_thread_join(struct xn_thread *t);

/* Let every other runnable thread run once before this one continues. */
void xn_yield(void);

/* The calling thread. */
struct xn_thread *xn_thread_self(void);

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

/*
 * Nanoseconds since the domain booted, from Xen's pvclock. Never goes
 * backwards within one domain lifetime.
 */
uint64_t xn_time_monotonic_ns(void);

/*
 * Wall-clock time (UTC) as seconds and nanoseconds since the Unix epoch,
 * as the toolstack set it for this domain. Either pointer may be NULL.
 */
void xn_time_wall(int64_t *sec, uint32_t *nsec);

/*
 * Sleep for at least ns nanoseconds; other threads run meanwhile and the
 * vCPU blocks in Xen when nothing is runnable.
 */
void xn_sleep_ns(uint64_t ns);

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

/*
 * Callback for an event channel. It runs in event (interrupt) context
 * with further events masked: it must not block or sleep, and should
 * only record work and wake a thread.
 */
typedef void (*xn_event_fn)(unsigned int port, void *arg);

/*
 * Call fn(port, arg) whenever event channel `port` fires, and unmask the
 * port. XN_ERR_BUSY if the port already has a callback; fn NULL removes
 * the callback and masks the port.
 */
xn_result xn_event_bind(unsigned int port, xn_event_fn fn, void *arg);

/* Signal the remote end of event channel `port`. */
xn_result xn_event_notify(unsigned int port);

/* --- shutdown & args (owner: A) --- */

/*
 * The command line exactly as the toolstack passed it (xl's `cmdline=`,
 * `./xenith run --cmdline`). main() receives it split into words at
 * blanks, "double quotes" grouping blanks into one word. Words starting
 * with "xenith." are kernel options (xenith.boottrace prints the boot
 * timeline) and are not passed on. If a lone "--" appears, the words
 * before it that look like KEY=VALUE become environment variables
 * (getenv()) and only the words after it are arguments; without "--"
 * every other word is an argument. argv[0] is the image name.
 */
const char *xn_cmdline(void);

/* Non-zero if the kernel option `name` (e.g. "xenith.boottrace") is set. */
int xn_cmdline_has(const char *name);

/* Values for xn_shutdown(); they are Xen's SHUTDOWN_* codes. */
enum xn_shutdown_reason {
    XN_SHUTDOWN_POWEROFF = 0,
    XN_SHUTDOWN_REBOOT = 1,
    XN_SHUTDOWN_CRASH = 3,
};

/*
 * Drain the console and shut the domain down now, without running atexit
 * handlers or flushing stdio. Apps normally return from main() or call
 * exit(n) instead: that runs the handlers, prints "[xenith] exit N" and
 * powers off for 0 or crashes for any other N, so every toolstack sees a
 * failure (the exit-status protocol in docs/internals.md).
 */
__attribute__((noreturn)) void xn_shutdown(enum xn_shutdown_reason reason);

/* --- end A --- */

/* ------------------------------------------------------------------ */
/* Memory statistics                                                   */
/* ------------------------------------------------------------------ */

struct xn_mem_stats {
    size_t page_size;      /* bytes per page (4096) */
    size_t total_pages;    /* pages managed by the page allocator */
    size_t free_pages;     /* pages currently free */
    size_t heap_bytes;     /* bytes currently handed to malloc via sbrk */
    size_t heap_max_bytes; /* the most sbrk may ever hand out */
};

/* Fill *st with a snapshot of the kernel's memory usage. */
void xn_mem_stats(struct xn_mem_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* INCLUDE_XENITH_H */
