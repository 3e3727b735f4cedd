// SPDX-License-Identifier: MIT
/*
 * kernel/control_guest.c - the control service: entry 05 of the device
 * linker set (between the bus, 00, and net, 10) and its one thread.
 *
 * At boot it registers the memory counters (data/xenith/mem/) and starts
 * thread "control", which first advertises control/feature-poweroff,
 * feature-reboot and feature-suspend and sets watches on
 * control/shutdown and control/sysrq (control_connect: off the boot
 * path), then serves both watches (kernel/control.c), refreshes data/xenith/ at most
 * every xenith.stats_interval ms (kernel/stats.c), and is the watchdog
 * of an orderly shutdown (kernel/shutdown.h). The thread only blocks in
 * bounded xenstore waits; the app never waits for it. Design choice:
 * every image links this entry (cmake/xenith.cmake adds
 * -Wl,--undefined=xn_devinit_control unless the app says NO_CONTROL), so
 * `xl shutdown` works for any app, including those that use no device;
 * it is what links the bus (grant table + xenstore) into them.
 * A suspend request (xl save, xl save -c) runs kernel/suspend.c's
 * suspend_domain() from guest_ops.suspend below, in this thread.
 * Reference: docs/misc/xenstore-paths.pandoc (~/control, ~/data).
 */
#include <errno.h>

#include "kernel/control.h"
#include "kernel/devinit.h"
#include "kernel/kfmt.h"
#include "kernel/kopt.h"
#include "kernel/mm.h"
#include "kernel/oom.h"
#include "kernel/sched.h"
#include "kernel/shutdown.h"
#include "kernel/stats.h"
#include "kernel/suspend.h"
#include "xen/console.h"
#include "xen/evtchn.h"
#include "xen/gnttab.h"
#include "xen/time.h"

#define MS 1000000ULL
/* The thread wakes at least this often even with nothing to do (so a
 * broken connection or a missed wake-up costs at most this long). */
#define CONTROL_IDLE_NS (10000ULL * MS)
#define CONTROL_STACK   (32 * 1024)

static struct control ctl;
static struct xs_watch w_shutdown, w_sysrq;
static struct stats_pub pub;
static uint64_t grace_ns;

/* ---- effects ---- */

static void guest_print(void *arg, const char *line)
{
    (void)arg;
    kfmt_printf("%s\n", line);
}

static void guest_shutdown(void *arg, enum xn_shutdown_reason reason)
{
    (void)arg;
    /* Returns at once (its own thread), or never (no memory for one). */
    (void)shutdown_begin(reason, grace_ns);
}

static void print_mem(void)
{
    struct mm_stats m;
    char line[160];
    int n;

    mm_stats(&m);
    n = oom_format_stats(line, sizeof(line), &m);
    if (n > 0)
        console_write(line,
                      (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static int guest_sysrq(void *arg, int key)
{
    (void)arg;
    switch (key) {
    case 'm':
        kfmt_printf("[xenith] sysrq 'm': memory (oom episodes %lu)\n",
                    oom_episodes());
        print_mem();
        return 0;
    case 'h':
        kfmt_printf("[xenith] sysrq 'h': keys: m = memory statistics, "
                    "h = this help; others are refused\n");
        return 0;
    default:
        return -EOPNOTSUPP;
    }
}

/* xl save / xl save -c: kernel/suspend.c does the whole sequence. */
static int guest_suspend(void *arg)
{
    int rc = suspend_domain();

    (void)arg;
    /* A restored domain's control/ is the toolstack's fresh copy. */
    if (rc == 0)
        (void)control_advertise(&ctl);
    return rc;
}

static const struct control_ops guest_ops = {
    .shutdown = guest_shutdown,
    .suspend = guest_suspend,
    .sysrq = guest_sysrq,
    .print = guest_print,
    .arg = NULL,
};

/* ---- data/xenith/mem ---- */

static const char *const mem_names[] = {
    "pages-total", "pages-free",      "pages-free-min",
    "heap-bytes",  "heap-peak-bytes", "oom-episodes",
};

static void mem_sample(void *arg, uint64_t *v)
{
    struct mm_stats m;

    (void)arg;
    mm_stats(&m);
    v[0] = m.total_pages;
    v[1] = m.free_pages;
    v[2] = m.free_pages_min;
    v[3] = m.heap_bytes;
    v[4] = m.heap_peak_bytes;
    v[5] = oom_episodes();
}

static struct stats_source mem_source = {
    .dir = "mem",
    .names = mem_names,
    .count = sizeof(mem_names) / sizeof(mem_names[0]),
    .sample = mem_sample,
};

/* ---- data/xenith/xen: what the soak watches stay flat ---- */

static const char *const xen_names[] = {
    "grants-free",     "evtchn-bound",     "evtchn-dispatched",
    "evtchn-spurious", "evtchn-throttled", "console-dropped",
};

static void xen_sample(void *arg, uint64_t *v)
{
    struct evtchn_stats e;

    (void)arg;
    evtchn_get_stats(&e);
    v[0] = gnttab_nr_free();
    v[1] = e.bound;
    v[2] = e.dispatched;
    v[3] = e.spurious;
    v[4] = e.throttled;
    v[5] = console_dropped();
}

static struct stats_source xen_source = {
    .dir = "xen",
    .names = xen_names,
    .count = sizeof(xen_names) / sizeof(xen_names[0]),
    .sample = xen_sample,
};

/* ---- the thread ---- */

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/*
 * The xenstore half of the service, run by its thread rather than at
 * boot: advertising the features and setting the two watches are five
 * round trips to xenstored (milliseconds each under emulation) that
 * main() need not wait for. A request written before the watches exist
 * is not lost: each watch fires once when it is set. libxl finds the PV
 * control interface without the feature keys (PV guests always have
 * it, PVH by HVM_PARAM_CALLBACK_IRQ, set at boot).
 */
static void control_connect(void)
{
    int rc;

    (void)control_advertise(&ctl);
    rc = xs_watch_add(ctl.xs, &w_shutdown, CONTROL_SHUTDOWN_PATH);
    if (rc == 0)
        rc = xs_watch_add(ctl.xs, &w_sysrq, CONTROL_SYSRQ_PATH);
    if (rc < 0)
        kfmt_printf("[xenith] control: cannot watch control/ (%d): "
                    "shutdown requests will not be answered\n",
                    rc);
}

static void control_thread(void *unused)
{
    struct xs_watch *const w[2] = {&w_shutdown, &w_sysrq};
    char path[XS_WATCH_PATH_MAX];
    bool stats_failed = false;

    (void)unused;
    control_connect();
    for (;;) {
        uint64_t now = time_monotonic_ns();
        uint64_t until = now + CONTROL_IDLE_NS;
        int mask, rc;

        if (pub.interval_ns)
            until = min_u64(until, stats_next_due(&pub));
        if (shutdown_deadline())
            until = min_u64(until, shutdown_deadline());
        mask = control_wait(ctl.xs, w, 2, until);
        if (mask < 0) {
            /* Broken connection: nothing more will arrive. Keep the
             * watchdog alive, without spinning. */
            sched_sleep_ns(CONTROL_IDLE_NS);
            mask = 0;
        }
        if (mask & 1) {
            while (xs_watch_next(&w_shutdown, path, sizeof(path)) > 0)
                ; /* one read serves every queued event */
            (void)control_handle_shutdown(&ctl);
        }
        if (mask & 2) {
            while (xs_watch_next(&w_sysrq, path, sizeof(path)) > 0)
                ;
            (void)control_handle_sysrq(&ctl);
        }
        now = time_monotonic_ns();
        if (shutdown_deadline() && now >= shutdown_deadline())
            shutdown_overrun();
        rc = stats_publish(&pub, ctl.xs, now);
        if (rc < 0 && !stats_failed)
            kfmt_printf("[xenith] stats: writing %s/ failed (%d); will "
                        "retry\n",
                        STATS_ROOT, rc);
        stats_failed = rc < 0 ? true : (rc > 0 ? false : stats_failed);
    }
}

/* ---- boot ---- */

static uint64_t option_ms(const char *name, long (*parse)(const char *),
                          long fallback)
{
    const char *v = kopt_value(name);
    long ms = parse(v);

    if (ms < 0) {
        kfmt_printf("[xenith] %s=%.16s is not valid; using %ld\n", name, v,
                    fallback);
        ms = fallback;
    }
    return (uint64_t)ms * MS;
}

static int control_probe(const start_info_t *si, uint64_t timeout_ns)
{
    struct xs_conn *xs;

    (void)si;
    (void)timeout_ns;
    if (!devinit_bus_ready() || !(xs = xenstore_conn())) {
        kfmt_printf("[xenith] control: no xenstore: shutdown requests "
                    "will not be answered\n");
        return 0;
    }
    grace_ns = option_ms("xenith.shutdown_grace", shutdown_grace_parse,
                         SHUTDOWN_GRACE_DEFAULT_MS);
    stats_pub_init(&pub,
                   option_ms("xenith.stats_interval", stats_interval_parse,
                             STATS_INTERVAL_DEFAULT_MS));
    control_init(&ctl, xs, &guest_ops);
    (void)stats_register(&mem_source);
    (void)stats_register(&xen_source);
    /* Before the app can take the memory: a bounded shutdown needs it. */
    if (shutdown_prepare() < 0)
        kfmt_printf("[xenith] control: no memory for the shutdown "
                    "thread; it will be created on demand\n");
    /* Never joined: it lives as long as the domain. */
    if (!sched_thread_create("control", control_thread, NULL, CONTROL_STACK)) {
        kfmt_printf("[xenith] control: no memory for its thread\n");
        return -ENOMEM;
    }
    return 1;
}

XN_DEVICE_INIT(control, 05, control_probe);
