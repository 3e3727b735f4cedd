// SPDX-License-Identifier: MIT
/*
 * apps/minimal - the smallest xenith app: no libc calls of its own, so
 * its image size is the kernel's floor (see ./xenith bench boot).
 * It prints one line through the public API and returns 3 when asked to
 * by `exit=3` (a check that main's status still reaches the toolstack).
 */
#include "xenith.h"

int main(int argc, char **argv)
{
    static const char msg[] = "minimal: up\n";

    xn_console_write(msg, sizeof(msg) - 1);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == 'e' && a[1] == 'x' && a[2] == 'i' && a[3] == 't' &&
            a[4] == '=' && a[5] >= '0' && a[5] <= '9' && a[6] == '\0')
            return a[5] - '0';
    }
    return 0;
}
