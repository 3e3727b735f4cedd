// SPDX-License-Identifier: MIT
/*
 * apps/hello/main.c - the smoke test of a xenith image.
 *
 * Exercises the pieces every app relies on, printing what it measured:
 * console output and argv, a 100 ms sleep timed by the monotonic clock
 * (pvclock), malloc/free, and two cooperative threads handing a token
 * back and forth. Exit status: 0, or N when an argument is "exit=N"
 * (the exit-status protocol turns it into "[xenith] exit N"). With
 * "hold=S" it stays up S more seconds before exiting, printing
 * "hello: holding" (a guest to save, restore or shut down).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenith.h>

#define ROUNDS 1000

struct token {
    volatile int holder; /* 0 or 1: whose turn it is */
    int passes;
};

struct player {
    struct token *tok;
    int me;
};

static void play(void *arg)
{
    struct player *p = arg;

    for (int i = 0; i < ROUNDS; i++) {
        /* Cooperative threads: yield until the token is ours. */
        while (p->tok->holder != p->me)
            xn_yield();
        p->tok->passes++;
        p->tok->holder = !p->me;
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    int status = 0, hold = 0;
    struct token tok = {0, 0};
    struct player a = {&tok, 0}, b = {&tok, 1};
    struct xn_thread *ta, *tb;
    uint64_t t0, slept;
    char *mem;

    printf("Hello from xenith!\n");
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=%s\n", i, argv[i]);
        if (strncmp(argv[i], "exit=", 5) == 0)
            status = atoi(argv[i] + 5);
        if (strncmp(argv[i], "hold=", 5) == 0)
            hold = atoi(argv[i] + 5);
    }

    t0 = now_ns();
    xn_sleep_ns(100 * 1000 * 1000);
    slept = now_ns() - t0;
    printf("slept 100 ms: measured %llu.%03llu ms\n",
           (unsigned long long)(slept / 1000000),
           (unsigned long long)(slept / 1000 % 1000));

    mem = malloc(1 << 20);
    if (!mem) {
        printf("malloc(1 MiB) failed\n");
        return 1;
    }
    memset(mem, 0xa5, 1 << 20);
    free(mem);
    printf("malloc/free of 1 MiB ok\n");

    if (xn_thread_create(&ta, "ping", play, &a, 0) != XN_OK ||
        xn_thread_create(&tb, "pong", play, &b, 0) != XN_OK) {
        printf("thread creation failed\n");
        return 1;
    }
    xn_thread_join(ta);
    xn_thread_join(tb);
    printf("token passed %d times between 2 threads\n", tok.passes);
    if (tok.passes != 2 * ROUNDS)
        return 1;
    if (hold > 0) {
        printf("hello: holding %d s\n", hold);
        xn_sleep_ns((uint64_t)hold * 1000000000ull);
    }
    return status;
}
