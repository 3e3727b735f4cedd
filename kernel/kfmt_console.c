// SPDX-License-Identifier: MIT
/*
 * kernel/kfmt_console.c - kfmt_printf(): the kernel formatter streamed to
 * the PV console (kernel/kfmt.h).
 *
 * Design choice: output is gathered in a small buffer on the caller's
 * stack and written to the console ring whenever it fills, so a message
 * of any length needs no allocation and no lock, and a line normally
 * reaches the ring in one console_write() (which keeps lines whole when
 * threads interleave). Separate from kernel/kfmt.c, which stays pure for
 * the host tests. Reference: xen/include/public/io/console.h.
 */
#include "kernel/kfmt.h"

#include <string.h>

#include "xen/console.h"

struct consink {
    char buf[128];
    size_t used;
};

static void con_put(void *ctx, const char *s, size_t len)
{
    struct consink *c = ctx;

    while (len) {
        size_t n = sizeof(c->buf) - c->used;

        if (n > len)
            n = len;
        memcpy(c->buf + c->used, s, n);
        c->used += n;
        s += n;
        len -= n;
        if (c->used == sizeof(c->buf)) {
            console_write(c->buf, c->used);
            c->used = 0;
        }
    }
}

int kfmt_vprintf(const char *fmt, va_list ap)
{
    struct consink c;
    int n;

    c.used = 0;
    n = kfmt_format(con_put, &c, fmt, ap);
    if (c.used)
        console_write(c.buf, c.used);
    return n;
}

int kfmt_printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kfmt_vprintf(fmt, ap);
    va_end(ap);
    return n;
}
