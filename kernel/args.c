// SPDX-License-Identifier: MIT
/*
 * kernel/args.c - command-line splitting (rules in kernel/args.h).
 *
 * Two passes over a private copy: split into NUL-terminated words in
 * a->buf, then classify. The copy is bounded by ARGS_BUF whatever the
 * input length, and every table is bounded; overflow drops words and
 * counts them instead of failing the boot.
 */
#include "kernel/args.h"

#include <errno.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_env_word(const char *w)
{
    const char *eq = strchr(w, '=');

    if (!eq || eq == w)
        return 0;
    for (const char *p = w; p < eq; p++)
        if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') ||
              (*p >= 'a' && *p <= 'z') || (p > w && *p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

/* Split into words in a->buf; returns the number of words. */
static int split(struct args *a, const char *s, size_t len, char **words,
                 int max)
{
    size_t out = 0, i = 0;
    int n = 0;

    while (i < len && s[i]) {
        int quoted = 0;

        while (i < len && s[i] && is_blank(s[i]))
            i++;
        if (i >= len || !s[i])
            break;
        if (out + 1 >= sizeof(a->buf) || n == max) {
            a->truncated++;
            break;
        }
        words[n++] = a->buf + out;
        while (i < len && s[i] && (quoted || !is_blank(s[i]))) {
            if (s[i] == '"') {
                quoted = !quoted; /* unterminated: runs to the end */
            } else if (out + 1 < sizeof(a->buf)) {
                a->buf[out++] = s[i];
            } else {
                a->truncated++;
                break;
            }
            i++;
        }
        a->buf[out++] = '\0';
    }
    return n;
}

int args_parse(struct args *a, const char *argv0, const char *cmdline,
               size_t len)
{
    char *words[ARGS_MAX_ARGV + ARGS_MAX_ENV + ARGS_MAX_KOPTS];
    int n, dashdash = -1, envc = 0, nk = 0;

    memset(a, 0, sizeof(*a));
    n = split(a, cmdline ? cmdline : "", cmdline ? len : 0, words,
              (int)(sizeof(words) / sizeof(words[0])));
    for (int i = 0; i < n; i++)
        if (strcmp(words[i], "--") == 0) {
            dashdash = i;
            break;
        }
    a->argv[a->argc++] = (char *)(argv0 ? argv0 : "app");
    for (int i = 0; i < n; i++) {
        char *w = words[i];

        if (i == dashdash)
            continue;
        if (strncmp(w, "xenith.", 7) == 0 && (dashdash < 0 || i < dashdash)) {
            if (nk < ARGS_MAX_KOPTS)
                a->kopts[nk++] = w;
            else
                a->truncated++;
        } else if (i < dashdash && is_env_word(w)) {
            if (envc < ARGS_MAX_ENV)
                a->envp[envc++] = w;
            else
                a->truncated++;
        } else if (a->argc < ARGS_MAX_ARGV) {
            a->argv[a->argc++] = w;
        } else {
            a->truncated++;
        }
    }
    return a->truncated ? -E2BIG : 0;
}

int args_has_kopt(const struct args *a, const char *name)
{
    for (int i = 0; a->kopts[i]; i++) {
        size_t n = strlen(name);

        /* "xenith.x" or "xenith.x=value" */
        if (strncmp(a->kopts[i], name, n) == 0 &&
            (a->kopts[i][n] == '\0' || a->kopts[i][n] == '='))
            return 1;
    }
    return 0;
}

const char *args_kopt_value(const struct args *a, const char *name)
{
    size_t n = strlen(name);
    const char *found = NULL;

    /* The last occurrence wins, as for environment variables. */
    for (int i = 0; a->kopts[i]; i++)
        if (strncmp(a->kopts[i], name, n) == 0 && a->kopts[i][n] == '=')
            found = a->kopts[i] + n + 1;
    return found;
}
