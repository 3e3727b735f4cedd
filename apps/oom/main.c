// SPDX-License-Identifier: MIT
/*
 * apps/oom - allocate until malloc() fails, report it, keep running.
 *
 * The memory-pressure check of the OOM policy (kernel/oom.h): malloc
 * blocks of 64 KiB (touching each page, so the memory is really used)
 * until one returns NULL, then print "oom: malloc returned NULL after N
 * KiB, errno=ENOMEM" (or the errno it got), the kernel's statistics,
 * and sleep forever holding everything, so the test can show that the
 * domain still answers `xl shutdown` with no free memory. An atexit
 * handler and a shutdown hook print a line each, so the shutdown path is
 * seen to run under OOM. `block=N` sets the block size in KiB (1..4096);
 * `hook=hang` makes the shutdown hook never return, to show that the
 * kernel's grace period (xenith.shutdown_grace) still ends the domain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenith.h>

static int hang;

static void on_shutdown(enum xn_shutdown_reason reason, uint64_t deadline_ns,
                        void *arg)
{
    (void)reason;
    (void)deadline_ns;
    (void)arg;
    /* The console, not stdio: stdio may want a buffer it cannot get. */
    static const char msg[] = "oom: shutdown hook ran\n";
    static const char stuck[] = "oom: shutdown hook hangs (hook=hang)\n";
    if (hang) {
        xn_console_write(stuck, sizeof(stuck) - 1);
        for (;;)
            xn_sleep_ns(1000ULL * 1000 * 1000);
    }
    xn_console_write(msg, sizeof(msg) - 1);
}

static void at_exit(void)
{
    static const char msg[] = "oom: atexit ran\n";
    xn_console_write(msg, sizeof(msg) - 1);
}

int main(int argc, char **argv)
{
    size_t block = 64 * 1024, total = 0;
    struct xn_mem_stats st;
    void *p;

    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "block=", 6) == 0) {
            long kb = atol(argv[i] + 6);
            if (kb >= 1 && kb <= 4096)
                block = (size_t)kb * 1024;
        } else if (strcmp(argv[i], "hook=hang") == 0) {
            hang = 1;
        }
    setvbuf(stdout, NULL, _IONBF, 0); /* no buffer to allocate later */
    atexit(at_exit);
    xn_on_shutdown(on_shutdown, NULL);
    printf("oom: allocating %zu KiB blocks until malloc fails\n", block / 1024);
    for (;;) {
        errno = 0;
        p = malloc(block);
        if (!p)
            break;
        memset(p, 0x5a, block);
        total += block;
    }
    printf("oom: malloc returned NULL after %zu KiB, errno=%s\n", total / 1024,
           errno == ENOMEM ? "ENOMEM" : strerror(errno));
    xn_mem_stats(&st);
    printf("oom: free pages %zu of %zu, heap %zu KiB (peak %zu KiB)\n",
           st.free_pages, st.total_pages, st.heap_bytes / 1024,
           st.heap_peak_bytes / 1024);
    /* a small allocation may still fit in a fragment; both are fine */
    p = malloc(16);
    printf("oom: a 16-byte malloc now %s\n", p ? "succeeds" : "fails too");
    printf("oom: holding the memory; waiting for xl shutdown\n");
    for (;;)
        xn_sleep_ns(1000ULL * 1000 * 1000);
}
