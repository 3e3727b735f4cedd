// SPDX-License-Identifier: MIT
/*
 * kernel/args.h - split the domain's command line into argv, environment
 * and kernel options.
 *
 * Rules (also documented at xn_cmdline() in include/xenith.h): words are
 * separated by blanks; "double quotes" group blanks into a word (the
 * quotes are removed); words starting with "xenith." are kernel options;
 * a lone "--" ends the environment part: KEY=VALUE words before it are
 * environment, other words before it are still arguments; without "--"
 * every non-option word is an argument. Pure code over a caller-owned
 * struct so host tests can feed it anything (the command line is written
 * by the toolstack: unterminated quotes and too many words are handled,
 * never trusted).
 */
#ifndef KERNEL_ARGS_H
#define KERNEL_ARGS_H

#include <stddef.h>

#define ARGS_MAX_ARGV  64
#define ARGS_MAX_ENV   32
#define ARGS_MAX_KOPTS 16
#define ARGS_BUF       1100 /* MAX_GUEST_CMDLINE (1024) plus NULs */

struct args {
    int argc;                      /* including argv[0] */
    char *argv[ARGS_MAX_ARGV + 1]; /* NULL-terminated */
    char *envp[ARGS_MAX_ENV + 1];  /* NULL-terminated */
    const char *kopts[ARGS_MAX_KOPTS + 1];
    int truncated; /* words dropped for lack of room */
    char buf[ARGS_BUF];
};

/*
 * Parse at most len bytes of cmdline (stops at NUL). argv[0] is argv0.
 * Returns 0, or -E2BIG when words were dropped (a->truncated > 0; what
 * fit is still filled in).
 */
int args_parse(struct args *a, const char *argv0, const char *cmdline,
               size_t len);

/* Is kernel option name present? */
int args_has_kopt(const struct args *a, const char *name);

/*
 * Value of kernel option name ("xenith.oom" for the word
 * "xenith.oom=crash"): a pointer into a->buf, "" for "name=", NULL when
 * absent or given without '='. The last occurrence wins.
 */
const char *args_kopt_value(const struct args *a, const char *name);

#endif /* KERNEL_ARGS_H */
