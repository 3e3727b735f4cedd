// SPDX-License-Identifier: MIT
/*
 * apps/crash/main.c - deliberately crash, to show the crash report.
 *
 * The first argument picks the fault: "null" (read through a NULL
 * pointer: page fault at 0), "div0" (integer divide error), "stack"
 * (unbounded recursion into the stack's guard page), "smash" (a stack
 * buffer overflow caught by the stack protector). Each must end in a
 * "[xenith] CRASH" report and a crashed domain. "abort" shows newlib's
 * abort(): no signals here, so it ends as "[xenith] exit 1". Reaching the
 * end of main() (status 2) is a failure. A second argument "delay=MS"
 * waits that long after the first line, so a test can keep the domain
 * before it crashes (xenith debug --attach on a preserved crash).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* volatile: keep the compiler from proving the faults away. */
static volatile int zero;
static int *volatile null_ptr;
static volatile int depth_limit = -1; /* never reached: recurse forever */

__attribute__((noinline)) static int do_null(void)
{
    return *null_ptr;
}

__attribute__((noinline)) static int do_div0(volatile int x)
{
    /* Both operands volatile: gcc may not fold or rewrite the idiv. */
    return x / zero;
}

__attribute__((noinline)) static int do_recurse(int depth)
{
    volatile char pad[512];

    pad[0] = (char)depth;
    if (depth == depth_limit)
        return 0;
    return do_recurse(depth + 1) + pad[0];
}

/* Write past a stack buffer (as a bad length from the network would):
 * the stack protector's canary catches it when the function returns. */
static volatile size_t smash_len = 64;

__attribute__((noinline)) static int do_smash(void)
{
    char buf[16];

    memset(buf, 'A', smash_len);
    return buf[3];
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "null";

    printf("crash: provoking '%s'\n", what);
    fflush(stdout);
    if (argc > 2 && strncmp(argv[2], "delay=", 6) == 0)
        usleep((useconds_t)atoi(argv[2] + 6) * 1000);
    if (strcmp(what, "null") == 0)
        printf("%d\n", do_null());
    else if (strcmp(what, "div0") == 0)
        printf("%d\n", do_div0(1));
    else if (strcmp(what, "stack") == 0)
        printf("%d\n", do_recurse(0));
    else if (strcmp(what, "smash") == 0)
        printf("%d\n", do_smash());
    else if (strcmp(what, "abort") == 0)
        abort();
    else
        printf("crash: unknown fault '%s' (null, div0, stack, smash, "
               "abort)\n",
               what);
    return 2; /* not reached for a known fault */
}
