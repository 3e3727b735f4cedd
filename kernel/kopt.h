// SPDX-License-Identifier: MIT
/*
 * kernel/kopt.h - values of kernel options (xenith.NAME=VALUE words of
 * the domain's command line) for kernel modules.
 *
 * start_kernel() parses the command line for the app only after the
 * device probes have run, and keeps no values; modules that need a value
 * earlier or from any thread (the control service's grace period, the
 * OOM policy) ask here. Design choice: one lazily filled copy parsed by
 * kernel/args.c, the same rules as for the app (quotes, "--"), so a word
 * means the same to every reader. The command line is written by the
 * toolstack: each caller validates the value it gets.
 * Reference: xen/include/public/xen.h (start_info.cmd_line).
 */
#ifndef KERNEL_KOPT_H
#define KERNEL_KOPT_H

#include <stdbool.h>

/*
 * Value of kernel option name ("xenith.oom"), NULL when absent or given
 * without '='. Thread context; the string lives for the domain's life.
 */
const char *kopt_value(const char *name);

/* Whether kernel option name was given at all (with or without '='). */
bool kopt_has(const char *name);

#endif /* KERNEL_KOPT_H */
