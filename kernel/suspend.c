// SPDX-License-Identifier: MIT
/*
 * kernel/suspend.c - suspend_domain(): the PV suspend/resume sequence
 * (see suspend.h for the steps and why each is there).
 *
 * Every step that can fail before the hypercall is undone in reverse
 * order, so a refused suspend leaves the domain as it was. After the
 * hypercall nothing may fail quietly: each resume step that fails is
 * logged with its cause, and the rest still run (a device that cannot
 * reconnect is better than a domain that stopped resuming).
 */
#include <errno.h>

#include "arch/x86_64/arch.h"
#include "kernel/console_thread.h"
#include "kernel/kfmt.h"
#include "kernel/suspend.h"
#include "xen/console.h"
#include "xen/evtchn.h"
#include "xen/gnttab.h"
#include "xen/hypercall.h"
#include "xen/shinfo.h"
#include "xen/time.h"
#include "xen/xenstore.h"

static start_info_t *si;
static struct suspend_hook *hooks; /* in registration order */

void suspend_init(start_info_t *start_info)
{
    int rc;

    si = start_info;
    rc = arch_p2m_publish(shinfo_get());
    if (rc < 0)
        kfmt_printf("[xenith] save/restore unavailable: cannot publish the "
                    "p2m (%d)\n",
                    rc);
}

void suspend_register(struct suspend_hook *h)
{
    struct suspend_hook **p = &hooks;

    while (*p)
        p = &(*p)->next;
    h->next = NULL;
    *p = h;
}

static void hooks_resume(struct suspend_hook *upto, bool cancelled)
{
    for (struct suspend_hook *h = hooks; h && h != upto; h = h->next)
        if (h->resume)
            h->resume(cancelled);
}

static void check(int rc, const char *what)
{
    if (rc < 0)
        kfmt_printf("[xenith] resume: %s failed (%d)\n", what, rc);
}

int suspend_domain(void)
{
    struct suspend_hook *h;
    unsigned long flags;
    uint64_t t0 = time_monotonic_ns();
    bool cancelled;
    int rc;

    if (!si)
        return -ENODEV;
    kfmt_printf("[xenith] suspending\n");
    for (h = hooks; h; h = h->next) {
        rc = h->suspend ? h->suspend() : 0;
        if (rc < 0) {
            kfmt_printf("[xenith] suspend refused by %s (%d)\n", h->name, rc);
            hooks_resume(h, true);
            return rc;
        }
    }
    rc = xenstore_suspend();
    if (rc < 0) {
        hooks_resume(NULL, true);
        return rc;
    }
    console_flush(); /* what we printed reaches xenconsoled first */
    time_suspend();
    flags = evtchn_irq_save();
    rc = gnttab_suspend();
    if (!rc)
        rc = shinfo_unmap();
    if (rc < 0) {
        check(gnttab_resume(true), "grant table");
        evtchn_irq_restore(flags);
        check(xenstore_resume(true, 0, 0), "xenstore");
        hooks_resume(NULL, true);
        kfmt_printf("[xenith] suspend failed: cannot unmap Xen's pages (%d)\n",
                    rc);
        return rc;
    }
    arch_start_info_canonicalise(si);

    rc = hypercall_sched_op_suspend(arch_virt_to_mfn(si));

    /* Restored (0): a new domain; cancelled (1) or failed: the same. */
    cancelled = rc != 0;
    if (cancelled)
        arch_start_info_uncanonicalise(si);
    else
        arch_start_info_refresh(si); /* PVH: store/console from HVM params */
    if (!shinfo_map(si))
        kfmt_printf("[xenith] resume: cannot map shared_info\n");
    (void)evtchn_irq_save(); /* masked in the page just mapped, too */
    check(arch_p2m_publish(shinfo_get()), "publishing the p2m");
    if (!cancelled)
        evtchn_resume();
    check(time_resume(cancelled), "timer VIRQ");
    if (!cancelled) {
        console_resume(si->console.domU.evtchn);
        check(console_thread_rebind(si->console.domU.evtchn),
              "console event channel");
    }
    check(gnttab_resume(cancelled), "grant table");
    evtchn_irq_restore(flags);
    check(xenstore_resume(cancelled, si->store_mfn, si->store_evtchn),
          "xenstore");
    hooks_resume(NULL, cancelled);
    kfmt_printf("[xenith] %s after %llu ms\n",
                cancelled ? "suspend cancelled, resumed in place" : "restored",
                (unsigned long long)((time_monotonic_ns() - t0) / 1000000));
    return cancelled ? 1 : 0;
}
