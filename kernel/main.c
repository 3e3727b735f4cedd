// SPDX-License-Identifier: MIT
/*
 * kernel/main.c - start_kernel(): the whole bring-up, top to bottom.
 *
 * The arch entry (arch/x86_64/pv/entry.S: _start; or arch/x86_64/pvh/:
 * the PHYS32 entry, long mode, hvm_start_info turned into a start_info)
 * switches to the boot stack and calls start_kernel() with start_info;
 * nothing below knows which of the two modes it runs in. Each step below depends only on the
 * ones before it: traps first (so any fault is reported), then all memory
 * mapped and protected, shared_info (events, time), the console ring, the
 * event channels, pvclock, the page allocator, the scheduler; then, as
 * the scheduler's "boot" thread (device handshakes block), the PV device
 * classes this image linked (kernel/devinit.h: grant tables and xenstore,
 * then each vif and vbd connected with bounded waits; a device that fails
 * is logged and skipped, none means no delay; an image that uses no
 * device has none of this code). Boot then starts "main", the
 * thread that runs newlib's constructors and the app's main(); exit()
 * ends the domain (exit-status protocol in docs/internals.md), so "boot"
 * never gets it back. Every stage is timestamped with the TSC; with the
 * kernel option xenith.boottrace the timeline is printed in microseconds
 * (converted with the pvclock scale once it is known).
 * Reference: xen/include/public/xen.h (start_info), sched.h (shutdown).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/arch.h"
#include "include/xenith.h"
#include "kernel/devinit.h"
#include "kernel/kfmt.h"
#include "kernel/memprof.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/suspend.h"
#include "kernel/args.h"
#include "kernel/console_thread.h"
#include "xen/console.h"
#include "xen/evtchn.h"
#include "xen/hypercall.h"
#include "xen/shinfo.h"
#include "xen/time.h"

/* For one boot-time device connect, all its handshake steps together (a
 * backend that is there answers in milliseconds, even under TCG; one that
 * is not must not hang boot). */
#define DEVICE_TIMEOUT_NS (10ULL * 1000 * 1000 * 1000)

int main(int argc, char **argv, char **envp);
void _init(void);
void _fini(void);
typedef void (*ctor_fn)(void);
extern ctor_fn __preinit_array_start[], __preinit_array_end[];
extern ctor_fn __init_array_start[], __init_array_end[];
extern char **environ;

/* The image name, emitted with the symbol table (weak: first link). */
extern const char xn_app_name[] __attribute__((weak));

static start_info_t *start_info;
static struct args args;

/* ---- boot timeline ---- */

#define BOOT_STAGES 16
static struct {
    const char *name;
    uint64_t tsc;
} stages[BOOT_STAGES];
static unsigned int nr_stages;

static void boot_stage(const char *name)
{
    if (nr_stages < BOOT_STAGES) {
        stages[nr_stages].name = name;
        stages[nr_stages].tsc = arch_rdtsc();
        nr_stages++;
    }
}

static void boot_trace_print(void)
{
    struct vcpu_info *v = shinfo_vcpu0();
    struct vcpu_time_info scale;

    if (!v || nr_stages == 0)
        return;
    /* pvclock_ns() over a copy whose epoch is the first stamp converts
     * any later TSC value into ns since that stamp. */
    scale = v->time;
    scale.system_time = 0;
    scale.tsc_timestamp = stages[0].tsc;
    kfmt_printf("[xenith] boot timeline (us since start_kernel, +cost of "
                "the stage):\n");
    for (unsigned int i = 0, prev = 0; i < nr_stages; i++) {
        unsigned int us =
            (unsigned int)(pvclock_ns(&scale, stages[i].tsc) / 1000);

        kfmt_printf("[xenith]   %-12s %8u us  +%u\n", stages[i].name, us,
                    us - prev);
        prev = us;
    }
}

/* ---- public API owned here ---- */

const char *xn_cmdline(void)
{
    return start_info ? (const char *)start_info->cmd_line : "";
}

int xn_cmdline_has(const char *name)
{
    return args_has_kopt(&args, name);
}

/* ---- bring-up ---- */

/* newlib's __libc_init_array() and our run_constructors() call these
 * around the constructor arrays; there is nothing to do in them. */
void _init(void)
{
}

void _fini(void)
{
}

/* C constructors (newlib for this target has no __libc_init_array). */
static void run_constructors(void)
{
    for (ctor_fn *f = __preinit_array_start; f < __preinit_array_end; f++)
        (*f)();
    _init();
    for (ctor_fn *f = __init_array_start; f < __init_array_end; f++)
        (*f)();
}

/* Length of the KEY in "KEY=VALUE" (args_parse only passes words with
 * an '='). */
static size_t env_key_len(const char *kv)
{
    return (size_t)(strchr(kv, '=') - kv);
}

/*
 * Drop every entry whose KEY appears again later, keeping the order of
 * the rest: the last KEY=VALUE on the command line wins, as when each
 * was passed to setenv() in turn.
 */
static void env_dedup(char **env)
{
    int out = 0;

    for (int i = 0; env[i]; i++) {
        size_t k = env_key_len(env[i]);
        bool later = false;

        for (int j = i + 1; env[j] && !later; j++)
            later = env_key_len(env[j]) == k && strncmp(env[i], env[j], k) == 0;
        if (!later)
            env[out++] = env[i];
    }
    env[out] = NULL;
}

/* xenith.wxcheck: every mapping we have, as the page tables say. */
static void wx_report(void)
{
    struct arch_wx_report r;

    arch_wx_audit(&r);
    kfmt_printf("[xenith] W^X: %lu pages mapped, %lu executable, %lu "
                "writable+executable%s%p, %lu image pages writable, "
                "%lu large, NX %s, stack protector guard %s\n",
                r.mapped, r.exec, r.wx, r.wx ? " (first " : " ",
                r.wx ? (void *)r.first_wx : NULL, r.image_writable, r.large,
                r.nx ? "on" : "absent", panic_guard_source());
}

static void main_thread(void *unused)
{
    (void)unused;
    /* Environment first, so constructors already see it. args.envp is
     * a static NULL-terminated array of "KEY=VALUE" strings, exactly
     * what environ is: adopting it costs nothing and links no setenv()
     * (newlib's setenv copies environ to the heap before it grows it). */
    env_dedup(args.envp);
    environ = args.envp;
    run_constructors();
    if (xn_cmdline_has("xenith.boottrace")) {
        boot_stage("main()");
        boot_trace_print();
    }
    /* The memory profile's line, when it says something (memprof_log);
     * after the timeline, whose stages it is not part of. */
    memprof_log();
    if (xn_cmdline_has("xenith.wxcheck"))
        wx_report();
    exit(main(args.argc, args.argv, environ));
}

static struct xencons_interface *console_page(const start_info_t *si)
{
    /* The builder mapped the console page; VA == pseudo-physical. */
    unsigned long pfn = arch_mfn_to_pfn(si->console.domU.mfn);

    return (struct xencons_interface *)(pfn << ARCH_PAGE_SHIFT);
}

void start_kernel(start_info_t *si);

/* No canary here: the guard changes inside, and it never returns. */
__attribute__((no_stack_protector)) void start_kernel(start_info_t *si)
{
    struct arch_mem_region free;
    shared_info_t *shared;
    struct sched_thread *app;
    int rc;

    start_info = si;
    panic_guard_seed(si); /* before any protected function returns */
    boot_stage("entry");

    if (arch_traps_init())
        arch_crash(); /* nothing to report with: no traps, no console */
    boot_stage("traps");

    rc = arch_mm_init(si, &free);
    if (rc)
        panic("mapping guest memory failed (%d)", rc);
    boot_stage("pagetables");

    shared = shinfo_map(si);
    if (!shared)
        panic("cannot map shared_info");
    console_init(console_page(si), si->console.domU.evtchn);
    panic_init();     /* crash reports go to the console from here on */
    suspend_init(si); /* the p2m where xl save looks for it */
    boot_stage("console");

    rc = evtchn_init(shared, shinfo_vcpu0());
    if (rc)
        panic("evtchn_init: %d", rc);
    evtchn_set_cpu_mask(arch_event_cpu_mask); /* NULL on PV */
    /* The console buffer is shared with event context (crash reports). */
    console_set_lock(evtchn_irq_save, evtchn_irq_restore);
    rc = time_init(shared, shinfo_vcpu0());
    if (rc)
        panic("time_init: %d", rc);
    console_set_clock(time_monotonic_ns);
    boot_stage("evtchn+time");

    rc = mm_init(free.start, free.nr_pages);
    if (rc)
        panic("mm_init(%p, %zu pages): %d", free.start, free.nr_pages, rc);
    boot_stage("mm");

    rc = sched_init();
    if (rc)
        panic("sched_init: %d", rc);
    evtchn_irq_enable();
    rc = console_thread_start(si->console.domU.evtchn);
    if (rc)
        kfmt_printf("[xenith] console thread: %d (output waits for the "
                    "next write)\n",
                    rc);
    boot_stage("sched");

    /* PV devices: whatever classes this image linked (kernel/devinit.h;
     * the bus first). None is essential to run the app: a failure is
     * reported and the guest carries on without that class. */
    for (const struct devinit *d = __xn_devinit_start; d < __xn_devinit_end;
         d++) {
        rc = d->probe(si, DEVICE_TIMEOUT_NS);
        if (rc < 0)
            kfmt_printf("[xenith] %s device probe failed (%d)\n", d->name, rc);
    }
    boot_stage("devices");

    if (args_parse(&args, &xn_app_name ? xn_app_name : "app",
                   (const char *)si->cmd_line, MAX_GUEST_CMDLINE) < 0)
        console_write("[xenith] warning: command line truncated\n", 41);

    app = sched_thread_create("main", main_thread, NULL, 0);
    if (!app)
        panic("cannot create the main thread");
    sched_set_app_thread(app);
    sched_thread_join(app);
    /* main() returned through exit(); reaching here means it did not. */
    panic("main thread ended without exit()");
}
