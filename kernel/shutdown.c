// SPDX-License-Identifier: MIT
/*
 * kernel/shutdown.c - xn_on_shutdown() hooks and the orderly shutdown
 * sequence (contract in kernel/shutdown.h and include/xenith.h).
 *
 * Design choice: a fixed table of XN_SHUTDOWN_HOOKS_MAX hooks (no
 * allocation: a shutdown may be requested while the heap is exhausted),
 * run last-registered-first like atexit handlers, each told the common
 * deadline so it can size its drain. Threads are cooperative, so the
 * table needs no lock: nothing between a check and an update blocks.
 * Every image links this file (a few hundred bytes): _exit() asks
 * shutdown_exit_reason() what status 0 means, and only a shutdown begun
 * here can make it mean reboot.
 * Reference: xen/include/public/sched.h (SHUTDOWN_*).
 */
#include "kernel/shutdown.h"

#include <errno.h>
#include <stdlib.h>

#include "kernel/kfmt.h"
#include "kernel/sched.h"
#include "xen/console.h"
#include "xen/time.h"

static struct {
    xn_shutdown_hook fn;
    void *arg;
} hooks[XN_SHUTDOWN_HOOKS_MAX];
static unsigned int nr_hooks;

static bool started;
static bool prepared;            /* the shutdown thread is waiting */
static struct sched_waitq go_wq; /* it waits here for shutdown_begin() */
static enum xn_shutdown_reason reason_now = XN_SHUTDOWN_POWEROFF;
static uint64_t deadline_kernel; /* time_monotonic_ns() scale */
static uint64_t deadline_app;    /* time_uptime_ns() scale, for hooks */
static uint64_t grace_ms;

xn_result xn_on_shutdown(xn_shutdown_hook fn, void *arg)
{
    if (!fn)
        return XN_ERR_INVAL;
    if (started)
        return XN_ERR_BUSY;
    if (nr_hooks >= XN_SHUTDOWN_HOOKS_MAX)
        return XN_ERR_NOMEM;
    hooks[nr_hooks].fn = fn;
    hooks[nr_hooks].arg = arg;
    nr_hooks++;
    return XN_OK;
}

long shutdown_grace_parse(const char *value)
{
    unsigned long v = 0;

    if (!value)
        return SHUTDOWN_GRACE_DEFAULT_MS;
    if (kfmt_parse_ulong(value, SHUTDOWN_GRACE_MAX_MS, &v) < 0)
        return -EINVAL;
    return (long)v;
}

static const char *reason_name(enum xn_shutdown_reason r)
{
    return r == XN_SHUTDOWN_REBOOT ? "reboot" : "poweroff";
}

/* Hooks (newest first), then exit(0): atexit handlers, stdio, _exit. */
static void run_sequence(void *unused)
{
    (void)unused;
    while (nr_hooks > 0) {
        nr_hooks--;
        hooks[nr_hooks].fn(reason_now, deadline_app, hooks[nr_hooks].arg);
    }
    kfmt_printf("[xenith] shutdown: hooks done, exit(0) for %s\n",
                reason_name(reason_now));
    exit(0);
}

/* The thread shutdown_prepare() creates: parked until a shutdown. */
static void parked(void *unused)
{
    unsigned long flags = evtchn_irq_save();

    /* A purely local wait: only shutdown_begin() ends it. */
    while (!started)
        (void)sched_wait_locked(&go_wq, SCHED_NO_DEADLINE);
    evtchn_irq_restore(flags);
    run_sequence(unused);
}

int shutdown_prepare(void)
{
    if (prepared)
        return 0;
    sched_waitq_init(&go_wq);
    /* Never joined: it ends the domain through exit(). */
    if (!sched_thread_create("shutdown", parked, NULL, 0))
        return -ENOMEM;
    prepared = true;
    return 0;
}

int shutdown_begin(enum xn_shutdown_reason reason, uint64_t grace_ns)
{
    struct sched_thread *t = NULL;

    if (reason != XN_SHUTDOWN_POWEROFF && reason != XN_SHUTDOWN_REBOOT)
        return -EINVAL;
    if (started)
        return -EALREADY;
    started = true;
    reason_now = reason;
    grace_ms = grace_ns / 1000000;
    deadline_kernel = time_monotonic_ns() + grace_ns;
    deadline_app = time_uptime_ns() + grace_ns;
    kfmt_printf("[xenith] shutdown: %s, %u hook(s), grace %llu ms\n",
                reason_name(reason), nr_hooks, (unsigned long long)grace_ms);
    if (grace_ns == 0)
        nr_hooks = 0; /* no time for hooks: straight to exit(0) */
    if (prepared) {
        sched_wake_all(&go_wq);
        return 0;
    }
    /* Not prepared at boot: try now (never joined either). */
    t = sched_thread_create("shutdown", run_sequence, NULL, 0);
    if (!t) {
        kfmt_printf("[xenith] shutdown: no memory for the shutdown "
                    "thread; running it here, grace not enforced\n");
        run_sequence(NULL);
    }
    return 0;
}

uint64_t shutdown_deadline(void)
{
    return started ? deadline_kernel : 0;
}

void shutdown_overrun(void)
{
    kfmt_printf("[xenith] shutdown: grace of %llu ms overran "
                "(xenith.shutdown_grace); %s now\n",
                (unsigned long long)grace_ms, reason_name(reason_now));
    xn_shutdown(reason_now);
}

enum xn_shutdown_reason shutdown_exit_reason(int status)
{
    if (status != 0)
        return XN_SHUTDOWN_CRASH;
    return started ? reason_now : XN_SHUTDOWN_POWEROFF;
}
