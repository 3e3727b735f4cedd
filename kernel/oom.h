// SPDX-License-Identifier: MIT
/*
 * kernel/oom.h - out-of-memory policy of the heap: report, never hang.
 *
 * When sbrk cannot grow the heap, newlib's malloc returns NULL with
 * errno ENOMEM (kernel/mm.c sets it); lib/syscalls.c's sbrk then calls
 * oom_heap_failed(), and oom_heap_grew() after each successful growth.
 * The policy is the kernel option xenith.oom=log|crash (default log):
 * log prints the allocator's statistics once per OOM episode (an
 * episode is a run of failures with no successful growth between them;
 * at most one report per OOM_REPORT_INTERVAL_NS, later episodes counted
 * and named in the next report); crash prints them and crashes the
 * domain (a panic report, so the backtrace names the allocating code).
 * Design choice: the decisions (parse, episode and rate limit, the line)
 * are pure functions over a struct oom_state, host-tested; the guest
 * glue (kernel/oom_guest.c) only feeds them the clock and the console.
 * Page allocations (mm_alloc_pages) are not covered: their callers get
 * NULL and report -ENOMEM themselves.
 * Reference: POSIX malloc() (NULL and ENOMEM on exhaustion).
 */
#ifndef KERNEL_OOM_H
#define KERNEL_OOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mm.h"

#define OOM_REPORT_INTERVAL_NS (5ULL * 1000 * 1000 * 1000)

enum oom_policy {
    OOM_POLICY_LOG,   /* report, malloc returns NULL / ENOMEM */
    OOM_POLICY_CRASH, /* report, then crash the domain */
};

/*
 * Parse the value of xenith.oom: "log" or "crash" exactly; NULL (option
 * absent) = log. 0, or -EINVAL for anything else (*out is then log).
 */
int oom_policy_parse(const char *value, enum oom_policy *out);

struct oom_state {
    bool in_episode; /* failures since the last successful growth */
    bool ever_reported;
    uint64_t last_report_ns;  /* when the last report was printed */
    unsigned long episodes;   /* episodes begun */
    unsigned long failures;   /* failed growths in all */
    unsigned long unreported; /* episodes not reported (rate limit) */
    unsigned long skipped;    /* unreported episodes before the last report */
};

/*
 * A heap growth failed at now_ns. True when this failure is to be
 * reported: it begins an episode and no report was printed in the last
 * OOM_REPORT_INTERVAL_NS. A suppressed episode is counted in unreported;
 * a report moves that count to skipped (for its text) and restarts it.
 */
bool oom_state_failed(struct oom_state *s, uint64_t now_ns);

/* The heap grew: the episode in progress (if any) is over. */
void oom_state_grew(struct oom_state *s);

/*
 * The allocator's statistics as one console line, "[xenith] mem: ...\n"
 * (also sysrq 'm'). Returns the length as snprintf does.
 */
int oom_format_stats(char *buf, size_t size, const struct mm_stats *m);

/* ---- guest glue, kernel/oom_guest.c ---- */

/* sbrk could not grow the heap by request bytes: apply the policy. */
void oom_heap_failed(size_t request);

/* sbrk grew the heap. */
void oom_heap_grew(void);

/* OOM episodes since boot (published as data/xenith/mem/oom-episodes). */
unsigned long oom_episodes(void);

#endif /* KERNEL_OOM_H */
