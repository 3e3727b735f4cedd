// SPDX-License-Identifier: MIT
/*
 * kernel/kopt.c - kopt_value(): kernel option values from a private,
 * lazily parsed copy of the command line (contract in kernel/kopt.h).
 *
 * Design choice: parse once, on first use, with the same splitter the
 * app's argv comes from (kernel/args.c), instead of a second ad-hoc scanner.
 * Cooperative threads and no blocking inside: no lock needed.
 * Reference: xen/include/public/xen.h (MAX_GUEST_CMDLINE).
 */
#include "kernel/kopt.h"

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>

#include "include/xenith.h"
#include "kernel/args.h"

static struct args kargs;
static bool parsed;

static void parse_once(void)
{
    if (!parsed) {
        /* -E2BIG still fills what fit; main() reports truncation. */
        (void)args_parse(&kargs, "", xn_cmdline(), MAX_GUEST_CMDLINE);
        parsed = true;
    }
}

const char *kopt_value(const char *name)
{
    parse_once();
    return args_kopt_value(&kargs, name);
}

bool kopt_has(const char *name)
{
    parse_once();
    return args_has_kopt(&kargs, name);
}
