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
    /* Block devices (xn_blk_*): */
    XN_ERR_ROFS = -6,   /* write or discard on a read-only disk */
    XN_ERR_NODEV = -7,  /* no such device, or its backend is away */
    XN_ERR_NOTSUP = -8, /* the device does not offer this operation */
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

/*
 * Write len bytes to the domain's console, bypassing stdio (no buffering,
 * no locks beyond the console's own): for apps that use no libc, and for
 * messages that must not depend on stdio's state. "\n" becomes "\r\n".
 * Returns the number of bytes written, or a negative xn_result.
 */
long xn_console_write(const char *buf, unsigned long len);

/* ------------------------------------------------------------------ */
/* Shutdown requests from the toolstack (docs/lifecycle.md)            */
/* ------------------------------------------------------------------ */

/*
 * Called when the toolstack asked the domain to stop (`xl shutdown`:
 * reason XN_SHUTDOWN_POWEROFF, also for "halt"; `xl reboot`:
 * XN_SHUTDOWN_REBOOT), to let the app drain its connections.
 * deadline_ns is on the xn_time_monotonic_ns() scale: the hook should
 * return before it.
 *
 * Contract:
 * - Hooks run one after the other, last registered first, in a kernel
 *   thread named "shutdown" (not the app's main thread; main and every
 *   other thread keep running meanwhile, as cooperative threads). A hook
 *   may block, sleep, send and close sockets.
 * - Hooks and then the atexit handlers (the shutdown thread calls
 *   exit(0)) share one grace period, the kernel option
 *   xenith.shutdown_grace=MS (default 5000, at most 600000; 0 skips the
 *   hooks and calls exit(0) at once).
 * - If they have not finished when it ends, the kernel prints
 *   "[xenith] shutdown: grace of N ms overran ..." and stops the domain
 *   anyway (no further atexit handlers, stdio not flushed).
 * - On success exit(0) prints "[xenith] exit 0" and the domain powers
 *   off, or reboots if the request was a reboot (with xl's
 *   on_reboot="restart" the same image boots again).
 * - Later requests while a shutdown is in progress are acknowledged and
 *   ignored; hooks run at most once. An app that calls exit() itself
 *   does not run the hooks.
 * Only images with the control service (the default; xenith_add_image's
 * NO_CONTROL leaves it out) receive requests at all.
 */
typedef void (*xn_shutdown_hook)(enum xn_shutdown_reason reason,
                                 uint64_t deadline_ns, void *arg);

/* The most hooks one image may register. */
#define XN_SHUTDOWN_HOOKS_MAX 8

/*
 * Register fn(reason, deadline_ns, arg). XN_ERR_INVAL for a NULL fn,
 * XN_ERR_NOMEM when XN_SHUTDOWN_HOOKS_MAX are registered already,
 * XN_ERR_BUSY once a shutdown has begun.
 */
xn_result xn_on_shutdown(xn_shutdown_hook fn, void *arg);

/* --- end A --- */

/* ------------------------------------------------------------------ */
/* Block devices (owner: G2)                                           */
/* ------------------------------------------------------------------ */

/*
 * The disks the toolstack attached (xl `disk = [...]`, `./xenith run
 * --disk`) are connected at boot and named after their virtual device:
 * "xvda", "xvdb", ... (also reachable as /dev/xvda through open()). A
 * disk may be detached and attached again while the domain runs (xl
 * block-detach / block-attach): requests in flight then complete with
 * XN_ERR_IO, new ones fail with XN_ERR_NODEV until the backend is back,
 * and open handles stay valid across the cycle.
 *
 * Offsets and lengths are BYTES and must be multiples of
 * xn_blk_info.align (the physical sector size: 512 or 4096), so nothing
 * is ever read-modified-written behind the caller's back. Buffers need
 * no alignment: WRITE data is copied when the call returns (the buffer
 * is free again), READ data is copied in just before completion.
 * Handles are per opener; use one handle from one thread at a time
 * (other threads: open their own handle).
 */

/* Opaque handle, from xn_blk_open(). */
struct xn_blk;

#define XN_BLK_NAME_MAX 16

struct xn_blk_info {
    char name[XN_BLK_NAME_MAX];    /* "xvda" */
    uint64_t size;                 /* capacity in bytes */
    uint32_t sector_size;          /* logical sector, bytes */
    uint32_t physical_sector_size; /* bytes */
    uint32_t align;                /* unit of every offset and length */
    uint32_t max_request;          /* largest async request, bytes */
    uint32_t queue_depth;          /* requests the device takes at once */
    int read_only;                 /* writes fail with XN_ERR_ROFS */
    int can_flush;                 /* flush reaches a write cache */
    int can_discard;               /* xn_blk_discard() is offered */
    int connected;                 /* 0 while the backend is away */
};

/* Number of block devices the domain has (attached at boot or later). */
unsigned int xn_blk_count(void);

/* Name of device idx ("xvda"), NULL when idx >= xn_blk_count(). */
const char *xn_blk_name(unsigned int idx);

/*
 * Open device `name` ("xvda" or "/dev/xvda"); *out receives a handle.
 * XN_ERR_NODEV when there is no such device, XN_ERR_NOMEM.
 */
xn_result xn_blk_open(const char *name, struct xn_blk **out);

/* Close b. XN_ERR_BUSY (and nothing done) while requests are in flight. */
xn_result xn_blk_close(struct xn_blk *b);

/* Geometry and properties (a snapshot: they change on re-attach). */
xn_result xn_blk_get_info(struct xn_blk *b, struct xn_blk_info *info);

/* ---- synchronous: block the calling thread until done ---- */

/*
 * Read/write len bytes at offset (any length, split internally, several
 * requests kept in flight). XN_ERR_INVAL (misaligned or beyond the end),
 * XN_ERR_ROFS (read-only disk: nothing reaches the backend),
 * XN_ERR_NODEV (backend away), XN_ERR_IO (the disk failed the request or
 * the backend went away meanwhile), XN_ERR_TIMEOUT (silent for 30 s: the
 * device is then given up on).
 */
xn_result xn_blk_read(struct xn_blk *b, uint64_t offset, void *buf,
                      size_t len);
xn_result xn_blk_write(struct xn_blk *b, uint64_t offset, const void *buf,
                       size_t len);

/* Make every completed write durable (XN_OK at once without a cache). */
xn_result xn_blk_flush(struct xn_blk *b);

/* The range's contents may be dropped. XN_ERR_NOTSUP without discard. */
xn_result xn_blk_discard(struct xn_blk *b, uint64_t offset, uint64_t len);

/* ---- asynchronous: many requests in flight ---- */

enum xn_blk_req_op {
    XN_BLK_REQ_READ,
    XN_BLK_REQ_WRITE,
    XN_BLK_REQ_FLUSH,   /* len 0: durable once every earlier write is */
    XN_BLK_REQ_DISCARD, /* offset/len: contents may be dropped */
};

struct xn_blk_req {
    enum xn_blk_req_op op;
    uint64_t offset; /* bytes, multiple of align */
    void *buf;       /* READ/WRITE data */
    size_t len;      /* bytes, multiple of align, <= max_request */
    /*
     * Called exactly once, in the thread that calls xn_blk_poll() /
     * xn_blk_wait() / a synchronous call on the same handle, with
     * `result` set. May submit new requests (not close the handle).
     */
    void (*done)(struct xn_blk_req *req, void *arg);
    void *arg;
    xn_result result;
    uint64_t xn_priv[12]; /* kernel-private while in flight */
};

/*
 * Queue req (it must stay valid until done). XN_OK: done will run.
 * XN_ERR_BUSY: every slot is in use, complete some (xn_blk_wait) and
 * retry. Errors as xn_blk_read/write, checked before the ring.
 */
xn_result xn_blk_submit(struct xn_blk *b, struct xn_blk_req *req);

/*
 * Run done for every request of b that has completed; never blocks.
 * Returns how many completed (>= 0).
 */
int xn_blk_poll(struct xn_blk *b);

/*
 * Wait until at least one request of b completes (or timeout_ns passes)
 * and run the completions. Returns how many completed, 0 at once when
 * none is in flight, or XN_ERR_TIMEOUT.
 */
int xn_blk_wait(struct xn_blk *b, uint64_t timeout_ns);

/* Requests of b submitted and not yet completed through done. */
unsigned int xn_blk_inflight(struct xn_blk *b);

/* --- end block devices --- */

/* ------------------------------------------------------------------ */
/* File system (docs/porting.md)                                       */
/* ------------------------------------------------------------------ */

/*
 * Files are reached through the POSIX calls (open, read, stat, opendir,
 * mkdir, rename, mmap ...; newlib's fopen on top). The root "/" is
 * read-only, unpacked at boot from a cpio newc archive: the PV ramdisk
 * (`./xenith run IMAGE --rootfs DIR`, xl `ramdisk=`) or, without one,
 * the archive embedded at build time (xenith_add_image(... ROOTFS DIR)).
 * /etc/hosts, /etc/resolv.conf (from dns=), /etc/services and
 * /etc/protocols are added when the archive lacks them. /tmp is a
 * writable tmpfs (in memory, gone at power-off) with a quota of a
 * quarter of the domain's memory.
 *
 * Mount one more tmpfs on directory `path`, using at most quota_bytes of
 * memory for its files, directories and names (0: no quota: then only
 * the heap limits it). A missing directory is created, also in the
 * read-only root. XN_ERR_BUSY: path is a mount point already (or "/");
 * XN_ERR_NOMEM; XN_ERR_INVAL: path is not a directory or its parent is
 * missing.
 */
xn_result xn_fs_mount_tmpfs(const char *path, size_t quota_bytes);

/* --- end file system --- */

/* ------------------------------------------------------------------ */
/* Memory statistics                                                   */
/* ------------------------------------------------------------------ */

struct xn_mem_stats {
    size_t page_size;      /* bytes per page (4096) */
    size_t total_pages;    /* pages managed by the page allocator */
    size_t free_pages;     /* pages currently free */
    size_t heap_bytes;     /* bytes currently handed to malloc via sbrk */
    size_t heap_max_bytes; /* the most sbrk may ever hand out */
    size_t heap_peak_bytes; /* high-water mark of heap_bytes */
    size_t free_pages_min;  /* low-water mark of free_pages */
};

/*
 * Fill *st with a snapshot of the kernel's memory usage. The same
 * figures are published for dom0 under data/xenith/mem/ in the domain's
 * xenstore directory (docs/lifecycle.md).
 *
 * Out of memory: malloc() returns NULL with errno ENOMEM when the heap
 * cannot grow; the kernel never hangs on it. The kernel option
 * xenith.oom=log (default) prints the allocator's statistics once per
 * OOM episode (an episode ends when the heap grows again; at most one
 * report per 5 s); xenith.oom=crash prints them and crashes the domain.
 */
void xn_mem_stats(struct xn_mem_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* INCLUDE_XENITH_H */
