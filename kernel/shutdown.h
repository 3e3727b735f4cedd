// SPDX-License-Identifier: MIT
/*
 * kernel/shutdown.h - the orderly shutdown a toolstack request starts:
 * app hooks, then exit(0), within a bounded grace period.
 *
 * The control service (kernel/control_guest.c) calls shutdown_begin()
 * once it has acknowledged a poweroff/halt/reboot request; this module
 * owns what happens next, so that the xenstore protocol and the app
 * contract (xn_on_shutdown() in include/xenith.h) stay separate. Design
 * choice: the hooks and exit(0) run in a thread of their own
 * ("shutdown"), created at boot by shutdown_prepare() and parked until
 * a shutdown begins, so it exists even when the heap has taken every
 * page by then; the control thread is the watchdog: when the grace
 * period ends and the domain is still alive it calls
 * shutdown_overrun(), which stops the domain at once. Without a
 * prepared thread shutdown_begin() creates one, and if even that fails
 * the sequence runs in the caller's thread and the grace is not
 * enforced (said on the console). exit(0) ends in _exit(), which asks
 * shutdown_exit_reason() whether 0 means poweroff or reboot.
 * Reference: xen/include/public/sched.h (SHUTDOWN_poweroff, _reboot).
 */
#ifndef KERNEL_SHUTDOWN_H
#define KERNEL_SHUTDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include "include/xenith.h"

/* Default and largest xenith.shutdown_grace=MS. */
#define SHUTDOWN_GRACE_DEFAULT_MS 5000u
#define SHUTDOWN_GRACE_MAX_MS     600000u

/*
 * Parse the value of xenith.shutdown_grace (decimal milliseconds, no
 * sign, no suffix). NULL = default. Returns the grace in ms, or -EINVAL
 * for garbage or a value above SHUTDOWN_GRACE_MAX_MS. Pure.
 */
long shutdown_grace_parse(const char *value);

/*
 * Create the parked "shutdown" thread (one default stack, 64 KiB with
 * its guard and libc state). Boot thread; 0 or -ENOMEM.
 */
int shutdown_prepare(void);

/*
 * Start the orderly shutdown for reason (POWEROFF or REBOOT): hooks (last
 * registered first) then exit(0), all before now + grace_ns. Returns 0
 * (the sequence runs in its own thread; the caller must call
 * shutdown_overrun() once shutdown_deadline() passed), -EALREADY when a
 * shutdown already began, -EINVAL for another reason. If the thread
 * cannot be created the sequence runs in the caller and never returns.
 */
int shutdown_begin(enum xn_shutdown_reason reason, uint64_t grace_ns);

/* Kernel-time deadline (time_monotonic_ns()) of the shutdown in progress;
 * 0 when none began. */
uint64_t shutdown_deadline(void);

/* The grace period ended: say so and stop the domain now. */
__attribute__((noreturn)) void shutdown_overrun(void);

/*
 * What _exit(status) asks Xen for: CRASH for a non-zero status, else
 * REBOOT while a reboot request is being carried out, else POWEROFF.
 */
enum xn_shutdown_reason shutdown_exit_reason(int status);

#endif /* KERNEL_SHUTDOWN_H */
