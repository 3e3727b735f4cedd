// SPDX-License-Identifier: MIT
/*
 * examples/out-of-tree/main.c - an app built outside the xenith source
 * tree, against an installed prefix only (CMake package or pkg-config).
 *
 * It uses the public header, newlib (stdio, malloc, strtol) and lwIP's
 * socket headers (only their types: nothing network is linked), so a
 * build proves that every include folder of the prefix is found. It
 * prints its name (argv[0], embedded by the second link's symbol table
 * generator), its arguments and a measured sleep, then exits with the
 * status given as "exit=N" (default 0).
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <xenith.h>

int main(int argc, char **argv)
{
    int status = 0;
    uint64_t t0, dt;

    printf("out-of-tree: %s built against an installed xenith\n", argv[0]);
    for (int i = 1; i < argc; i++) {
        printf("out-of-tree: argv[%d]=%s\n", i, argv[i]);
        if (strncmp(argv[i], "exit=", 5) == 0)
            status = (int)strtol(argv[i] + 5, NULL, 10);
    }
    t0 = xn_time_monotonic_ns();
    xn_sleep_ns(20 * 1000 * 1000);
    dt = xn_time_monotonic_ns() - t0;
    printf("out-of-tree: slept %llu us; sockaddr_in is %zu bytes\n",
           (unsigned long long)(dt / 1000), sizeof(struct sockaddr_in));
    return status;
}
