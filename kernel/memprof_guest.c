// SPDX-License-Identifier: MIT
/*
 * kernel/memprof_guest.c - the domain's memory profile: memprof_choose()
 * fed with xenith.mem and the page allocator's size, computed once.
 *
 * Design choice: computed lazily on first use (netfront's ring setup,
 * lwIP's allocator, the line printed before main()), so every reader sees
 * the same values whatever the order; cooperative threads and nothing
 * blocks inside, so no lock. Guest only.
 */
#include "kernel/memprof.h"

#include "kernel/kfmt.h"
#include "kernel/kopt.h"
#include "kernel/mm.h"

static struct memprof prof;
static int chosen, bad_opt;

const struct memprof *memprof_get(void)
{
    if (!chosen) {
        struct mm_stats st;

        mm_stats(&st);
        bad_opt = memprof_choose(kopt_value("xenith.mem"),
                                 st.total_pages * MM_PAGE_SIZE, &prof) < 0;
        chosen = 1;
    }
    return &prof;
}

void memprof_log(void)
{
    const struct memprof *p = memprof_get();

    /* A console line costs ~1.5 ms under emulation: say it when it
     * tells something (not the default, chosen by hand, a bad value) or
     * when the boot is being traced. */
    if (p->kind == MEMPROF_DEFAULT && !p->forced && !bad_opt &&
        !kopt_has("xenith.boottrace"))
        return;
    if (bad_opt)
        kfmt_printf("[xenith] mem: ignoring xenith.mem=%s (small, default "
                    "or large)\n",
                    kopt_value("xenith.mem"));
    kfmt_printf("[xenith] mem: profile %s (%s, %zu KiB managed): net pools+"
                "heap %zu KiB, sockets %u, netfront %u rx + %u tx pages per "
                "queue\n",
                memprof_name(p->kind), p->forced ? "xenith.mem" : "auto",
                p->mem_bytes / 1024, p->net_bytes / 1024, p->sockets,
                p->nf_rx_bufs, p->nf_tx_bufs);
}
