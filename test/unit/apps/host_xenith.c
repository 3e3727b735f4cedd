// SPDX-License-Identifier: MIT
/*
 * host_xenith.c - the few xenith.h calls the network apps make, on Linux.
 *
 * Lets the apps' servers run as ordinary host processes (for the host
 * tests that talk to them over loopback) without the kernel: time from
 * CLOCK_MONOTONIC, sleep via nanosleep, and memory statistics that are
 * plausible but fixed. Not a fake of any Xen behaviour.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <xenith.h>

uint64_t xn_time_monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void xn_sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull),
                          (long)(ns % 1000000000ull)};

    nanosleep(&ts, NULL);
}

void xn_mem_stats(struct xn_mem_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->page_size = 4096;
    st->total_pages = 8192;
    st->free_pages = 4096;
}
