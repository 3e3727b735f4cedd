// SPDX-License-Identifier: MIT
/*
 * kernel/oom_guest.c - the domain's OOM policy (kernel/oom.h): called by
 * lib/syscalls.c's sbrk, prints with the kernel formatter, crashes with
 * panic() under xenith.oom=crash.
 *
 * Design choice: nothing here allocates (the heap is full when it runs:
 * the line is formatted on the stack and written straight to the
 * console), and the policy is read from the command line on the first
 * failure only, so a domain that never runs out pays one call per sbrk.
 * It runs inside malloc with newlib's malloc lock held: no stdio.
 * Reference: POSIX malloc() (ENOMEM).
 */
#include "kernel/oom.h"

#include "kernel/kfmt.h"
#include "kernel/kopt.h"
#include "kernel/panic.h"
#include "xen/console.h"
#include "xen/time.h"

static struct oom_state state;
static enum oom_policy policy;
static bool policy_read;

static void print_stats(void)
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

void oom_heap_failed(size_t request)
{
    if (!policy_read) {
        const char *v = kopt_value("xenith.oom");

        policy_read = true;
        if (oom_policy_parse(v, &policy) < 0)
            kfmt_printf("[xenith] oom: xenith.oom=%.16s is not log or "
                        "crash; using log\n",
                        v);
    }
    if (policy == OOM_POLICY_CRASH) {
        (void)oom_state_failed(&state, time_monotonic_ns());
        print_stats();
        panic("out of memory: the heap cannot grow by %zu bytes "
              "(xenith.oom=crash)",
              request);
    }
    if (!oom_state_failed(&state, time_monotonic_ns()))
        return;
    kfmt_printf("[xenith] oom: the heap cannot grow by %zu bytes: malloc "
                "returns NULL (ENOMEM); episode %lu",
                request, state.episodes);
    if (state.skipped)
        kfmt_printf(", %lu earlier not reported", state.skipped);
    kfmt_printf("\n");
    print_stats();
}

void oom_heap_grew(void)
{
    oom_state_grew(&state);
}

unsigned long oom_episodes(void)
{
    return state.episodes;
}
