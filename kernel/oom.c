// SPDX-License-Identifier: MIT
/*
 * kernel/oom.c - the pure part of the heap's OOM policy: option parsing,
 * episodes and their rate limit, the statistics line (kernel/oom.h).
 *
 * Design choice: no clock, console or global state here, so the host
 * tests drive every branch with made-up times; kernel/oom_guest.c holds
 * the one struct oom_state of the domain.
 * Reference: POSIX malloc() (ENOMEM).
 */
#include "kernel/oom.h"

#include <errno.h>
#include <string.h>

#include "kernel/kfmt.h"

int oom_policy_parse(const char *value, enum oom_policy *out)
{
    *out = OOM_POLICY_LOG;
    if (!value || strcmp(value, "log") == 0)
        return 0;
    if (strcmp(value, "crash") == 0) {
        *out = OOM_POLICY_CRASH;
        return 0;
    }
    return -EINVAL;
}

bool oom_state_failed(struct oom_state *s, uint64_t now_ns)
{
    s->failures++;
    if (s->in_episode)
        return false; /* reported (or suppressed) when it began */
    s->in_episode = true;
    s->episodes++;
    if (s->ever_reported &&
        now_ns - s->last_report_ns < OOM_REPORT_INTERVAL_NS) {
        s->unreported++;
        return false;
    }
    s->ever_reported = true;
    s->last_report_ns = now_ns;
    s->skipped = s->unreported; /* named by this report */
    s->unreported = 0;
    return true;
}

void oom_state_grew(struct oom_state *s)
{
    s->in_episode = false;
}

int oom_format_stats(char *buf, size_t size, const struct mm_stats *m)
{
    return kfmt_snprintf(
        buf, size,
        "[xenith] mem: pages total %zu free %zu (min %zu); heap %zu KiB "
        "(peak %zu KiB, limit %zu KiB)\n",
        m->total_pages, m->free_pages, m->free_pages_min, m->heap_bytes / 1024,
        m->heap_peak_bytes / 1024, m->heap_max_bytes / 1024);
}
