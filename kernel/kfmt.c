// SPDX-License-Identifier: MIT
/*
 * kernel/kfmt.c - the kernel's printf-style formatter (kernel/kfmt.h).
 *
 * Design choice: a single pass over the format with every conversion
 * turned into at most five pieces handed to the sink (left padding,
 * sign/prefix, zeros, digits or text, right padding), so nothing is
 * buffered here, the stack use is a few dozen bytes and the code stays
 * small (about 1 KiB of text, versus ~50 KiB for newlib's vfprintf). Pure:
 * host-tested against the C library's snprintf.
 * Reference: C11 7.21.6.1 (the fprintf function: flags, field width,
 * precision, length modifiers and the d i o u x X c s p % conversions).
 */
#include "kernel/kfmt.h"

#include <errno.h>

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define F_LEFT  0x01u /* '-' */
#define F_ZERO  0x02u /* '0' */
#define F_PLUS  0x04u /* '+' */
#define F_SPACE 0x08u /* ' ' */
#define F_ALT   0x10u /* '#' */

struct out {
    kfmt_sink_fn sink;
    void *ctx;
    int count;
};

struct spec {
    unsigned int flags;
    int width; /* 0 = none */
    int prec;  /* -1 = none */
};

enum len { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T };

static void put(struct out *o, const char *s, size_t len)
{
    if (len == 0)
        return;
    o->sink(o->ctx, s, len);
    o->count += (int)len;
}

/* n copies of c (a space or '0'), from a constant run of them. */
static void fill(struct out *o, char c, int n)
{
    static const char spaces[] = "                ";
    static const char zeros[] = "0000000000000000";
    const char *run = c == '0' ? zeros : spaces;

    while (n > 0) {
        int k = n < 16 ? n : 16;

        put(o, run, (size_t)k);
        n -= k;
    }
}

/* body (already sized) in a field of spec->width, prefix and zeros
 * before it, padded left or right with spaces. */
static void field(struct out *o, const struct spec *sp, const char *prefix,
                  int zeros, const char *body, int body_len)
{
    int plen = (int)strlen(prefix);
    int pad = sp->width - plen - zeros - body_len;

    if (!(sp->flags & F_LEFT))
        fill(o, ' ', pad);
    put(o, prefix, (size_t)plen);
    fill(o, '0', zeros);
    put(o, body, (size_t)body_len);
    if (sp->flags & F_LEFT)
        fill(o, ' ', pad);
}

static void number(struct out *o, const struct spec *sp, uint64_t v, bool neg,
                   char conv)
{
    static const char lower[] = "0123456789abcdef";
    static const char upper[] = "0123456789ABCDEF";
    const char *digit = conv == 'X' ? upper : lower;
    unsigned int base = conv == 'o'                                   ? 8
                        : (conv == 'x' || conv == 'X' || conv == 'p') ? 16
                                                                      : 10;
    char buf[24]; /* 2^64 in octal is 22 digits */
    int n = 0, zeros;
    const char *prefix = "";

    /* "%.0d" of 0 prints no digits at all (C11 7.21.6.1p8). */
    if (!(v == 0 && sp->prec == 0)) {
        do {
            buf[sizeof(buf) - 1 - n++] = digit[v % base];
            v /= base;
        } while (v);
    }
    zeros = sp->prec > n ? sp->prec - n : 0;
    if (conv == 'd' || conv == 'i') {
        if (neg)
            prefix = "-";
        else if (sp->flags & F_PLUS)
            prefix = "+";
        else if (sp->flags & F_SPACE)
            prefix = " ";
    } else if (conv == 'p') {
        prefix = "0x";
    } else if ((sp->flags & F_ALT) && n > 0 && buf[sizeof(buf) - n] != '0') {
        if (conv == 'o')
            zeros = zeros > 0 ? zeros : 1; /* '#': the first digit is 0 */
        else if (conv != 'u')
            prefix = conv == 'X' ? "0X" : "0x";
    } else if ((sp->flags & F_ALT) && conv == 'o' && n == 0) {
        zeros = 1; /* "%#.0o" of 0 is "0" */
    }
    /* '0' pads with zeros after the prefix, unless a precision is given
     * or '-' left-justifies. */
    if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0) {
        int room = sp->width - (int)strlen(prefix) - n;

        if (room > zeros)
            zeros = room;
    }
    field(o, sp, prefix, zeros, buf + sizeof(buf) - n, n);
}

static int64_t arg_signed(va_list *ap, enum len len)
{
    switch (len) {
    case L_HH:
        return (signed char)va_arg(*ap, int);
    case L_H:
        return (short)va_arg(*ap, int);
    case L_L:
        return va_arg(*ap, long);
    case L_LL:
        return va_arg(*ap, long long);
    case L_Z:
        return va_arg(*ap, ssize_t);
    case L_J:
        return va_arg(*ap, intmax_t);
    case L_T:
        return va_arg(*ap, ptrdiff_t);
    default:
        return va_arg(*ap, int);
    }
}

static uint64_t arg_unsigned(va_list *ap, enum len len)
{
    switch (len) {
    case L_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case L_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case L_L:
        return va_arg(*ap, unsigned long);
    case L_LL:
        return va_arg(*ap, unsigned long long);
    case L_Z:
        return va_arg(*ap, size_t);
    case L_J:
        return va_arg(*ap, uintmax_t);
    case L_T:
        return (uint64_t)va_arg(*ap, ptrdiff_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

static enum len parse_len(const char **fmt)
{
    const char *f = *fmt;
    enum len len = L_NONE;

    switch (*f) {
    case 'h':
        len = f[1] == 'h' ? L_HH : L_H;
        break;
    case 'l':
        len = f[1] == 'l' ? L_LL : L_L;
        break;
    case 'z':
        len = L_Z;
        break;
    case 'j':
        len = L_J;
        break;
    case 't':
        len = L_T;
        break;
    default:
        return L_NONE;
    }
    *fmt = f + ((len == L_HH || len == L_LL) ? 2 : 1);
    return len;
}

/* Flags, width and precision after '%'; advances *fmt past them. */
static void parse_spec(const char **fmt, va_list *ap, struct spec *sp)
{
    const char *f = *fmt;

    sp->flags = 0;
    sp->width = 0;
    sp->prec = -1;
    for (;; f++) {
        unsigned int bit = *f == '-'   ? F_LEFT
                           : *f == '0' ? F_ZERO
                           : *f == '+' ? F_PLUS
                           : *f == ' ' ? F_SPACE
                           : *f == '#' ? F_ALT
                                       : 0;
        if (!bit)
            break;
        sp->flags |= bit;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) { /* a negative width is '-' plus the width */
            sp->flags |= F_LEFT;
            sp->width = sp->width == INT_MIN ? 0 : -sp->width;
        }
        f++;
    } else {
        while (*f >= '0' && *f <= '9' && sp->width < 100000)
            sp->width = sp->width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
        f++;
        sp->prec = 0;
        if (*f == '*') {
            sp->prec = va_arg(*ap, int); /* negative = as if omitted */
            if (sp->prec < 0)
                sp->prec = -1;
            f++;
        } else {
            while (*f >= '0' && *f <= '9' && sp->prec < 100000)
                sp->prec = sp->prec * 10 + (*f++ - '0');
        }
    }
    *fmt = f;
}

int kfmt_format(kfmt_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
    struct out o = {.sink = sink, .ctx = ctx, .count = 0};
    va_list args;

    /* A copy we can pass by address to the argument helpers. */
    va_copy(args, ap);
    while (*fmt) {
        const char *start, *pct = strchr(fmt, '%');
        struct spec sp;
        enum len len;
        char conv;

        if (!pct) {
            put(&o, fmt, strlen(fmt));
            break;
        }
        put(&o, fmt, (size_t)(pct - fmt));
        start = pct;
        fmt = pct + 1;
        parse_spec(&fmt, &args, &sp);
        len = parse_len(&fmt);
        conv = *fmt;
        if (conv == '\0') { /* a lone '%' at the end: print it */
            put(&o, start, strlen(start));
            break;
        }
        fmt++;
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v = arg_signed(&args, len);

            /* The magnitude of INT64_MIN as unsigned: 0 - (uint64_t)v. */
            number(&o, &sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, conv);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            number(&o, &sp, arg_unsigned(&args, len), false, conv);
            break;
        case 'p':
            number(&o, &sp, (uintptr_t)va_arg(args, void *), false, 'p');
            break;
        case 'c': {
            char c = (char)va_arg(args, int);

            sp.prec = -1;
            field(&o, &sp, "", 0, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(args, const char *);
            size_t n;

            if (!s)
                s = "(null)";
            n = sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s);
            field(&o, &sp, "", 0, s, (int)n);
            break;
        }
        case '%':
            put(&o, "%", 1);
            break;
        default:
            /* Unsupported (floating point, %n, ...): shown as written, so
             * the mistake is visible; its argument is not consumed. */
            put(&o, start, (size_t)(fmt - start));
            break;
        }
    }
    va_end(args);
    return o.count;
}

/* ---- into a buffer ---- */

struct bufsink {
    char *buf;
    size_t size; /* room for characters, the NUL excluded */
    size_t used;
};

static void buf_put(void *ctx, const char *s, size_t len)
{
    struct bufsink *b = ctx;
    size_t room = b->size - b->used;
    size_t n = len < room ? len : room;

    if (n) { /* buf may be NULL when size is 0 */
        memcpy(b->buf + b->used, s, n);
        b->used += n;
    }
}

int kfmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bufsink b = {.buf = buf, .size = size ? size - 1 : 0, .used = 0};
    int n = kfmt_format(buf_put, &b, fmt, ap);

    if (size)
        buf[b.used] = '\0';
    return n;
}

int kfmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kfmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int kfmt_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;

    if (!s || *s == '\0')
        return -EINVAL;
    for (; *s; s++) {
        unsigned long d = (unsigned long)(*s - '0');

        if (*s < '0' || *s > '9' || d > max || v > (max - d) / 10)
            return -EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
