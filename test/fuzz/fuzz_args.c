// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_args.c - libFuzzer target of the command-line splitter
 * (kernel/args.c), which also backs kernel option values (kernel/kopt.c
 * is args_parse() + args_kopt_value() over the same struct): the fuzzer
 * plays the toolstack that writes the domain's command line.
 *
 * Design choice: the input is the command line itself (no framing), so
 * seeds are readable text. Checked: the result is 0 or -E2BIG (with
 * truncated > 0), argc and the list sizes stay within ARGS_MAX_*, every
 * pointer lies inside a->buf and is NUL-terminated there, environment
 * words carry '=', options start with "xenith.", and the option lookup of
 * every option name finds a value inside the buffer.
 * Reference: xen/include/public/xen.h (MAX_GUEST_CMDLINE).
 */
#include <errno.h>

#include "fuzz_common.h"
#include "kernel/args.h"

static void check_str(const struct args *a, const char *s)
{
    FUZZ_CHECK(s >= a->buf && s < a->buf + sizeof(a->buf), "outside buf");
    FUZZ_CHECK(memchr(s, '\0', (size_t)(a->buf + sizeof(a->buf) - s)),
               "word not terminated inside buf");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct args a;
    char name[64];
    int rc, n;

    memset(&a, 0x5a, sizeof(a)); /* the parser must not rely on zeroes */
    rc = args_parse(&a, "prog", (const char *)data, size);
    FUZZ_CHECK(rc == 0 || rc == -E2BIG, "rc %d", rc);
    FUZZ_CHECK((rc == -E2BIG) == (a.truncated > 0), "rc %d truncated %d", rc,
               a.truncated);
    FUZZ_CHECK(a.argc >= 1 && a.argc <= ARGS_MAX_ARGV, "argc %d", a.argc);
    FUZZ_CHECK(a.argv[a.argc] == NULL, "argv not NULL-terminated");
    FUZZ_CHECK(strcmp(a.argv[0], "prog") == 0, "argv[0]");
    for (int i = 1; i < a.argc; i++)
        check_str(&a, a.argv[i]);
    for (n = 0; a.envp[n]; n++) {
        FUZZ_CHECK(n < ARGS_MAX_ENV, "too many env words");
        check_str(&a, a.envp[n]);
        FUZZ_CHECK(strchr(a.envp[n], '=') != NULL, "env word without =");
    }
    for (n = 0; a.kopts[n]; n++) {
        const char *eq, *v;
        size_t len;

        FUZZ_CHECK(n < ARGS_MAX_KOPTS, "too many kernel options");
        check_str(&a, a.kopts[n]);
        FUZZ_CHECK(strncmp(a.kopts[n], "xenith.", 7) == 0, "option %s",
                   a.kopts[n]);
        eq = strchr(a.kopts[n], '=');
        len = eq ? (size_t)(eq - a.kopts[n]) : strlen(a.kopts[n]);
        if (len >= sizeof(name))
            continue;
        memcpy(name, a.kopts[n], len);
        name[len] = '\0';
        FUZZ_CHECK(args_has_kopt(&a, name), "option %s not found", name);
        v = args_kopt_value(&a, name);
        if (eq)
            FUZZ_CHECK(v != NULL, "value of %s lost", name);
        if (v)
            check_str(&a, v);
    }
    FUZZ_CHECK(args_kopt_value(&a, "xenith.") == NULL ||
                   args_has_kopt(&a, "xenith."),
               "value without option");
    return 0;
}
