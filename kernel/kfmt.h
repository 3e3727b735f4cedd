// SPDX-License-Identifier: MIT
/*
 * kernel/kfmt.h - the kernel's own printf-style formatter, for console
 * messages, panics and status lines.
 *
 * Why not newlib's: snprintf/printf drag in vfprintf with floating point,
 * locale, wide characters and dtoa (about 50 KiB), so an app that never
 * formats a string would still carry them just because the kernel does.
 * Design choice: one formatter over a sink callback, so the same code
 * fills a buffer (kfmt_vsnprintf) or streams to the console in small
 * chunks (kfmt_printf, kernel/kfmt_console.c) with no allocation, no
 * lock and no limit on the output length; safe from any thread, the
 * boot path and panic. It writes to the console directly, not through
 * stdout, so kernel lines never wait behind an app's buffered output.
 * Conversions: d i u x X o c s p %, flags - 0 + space #, width and
 * precision (numbers or *), lengths hh h l ll z j t. Not supported
 * (emitted verbatim, their argument not consumed): floating point, n,
 * wide characters, positional arguments. The kernel does not use them.
 * Reference: C11 7.21.6.1 (fprintf).
 */
#ifndef KERNEL_KFMT_H
#define KERNEL_KFMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives the formatted output in pieces, in order. */
typedef void (*kfmt_sink_fn)(void *ctx, const char *s, size_t len);

/*
 * Format fmt with ap into sink. Returns the number of characters
 * produced (what C's vsnprintf returns for an unlimited buffer).
 */
int kfmt_format(kfmt_sink_fn sink, void *ctx, const char *fmt, va_list ap);

/*
 * C's vsnprintf/snprintf with the conversions above: at most size - 1
 * characters and a NUL when size > 0 (buf may be NULL when size is 0);
 * returns the length the full output has.
 */
int kfmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int kfmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Format to the PV console (guest only, kernel/kfmt_console.c); "\n"
 * becomes "\r\n" as for every console write. Returns the character count.
 */
int kfmt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kfmt_vprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/*
 * The strict reverse for command-line values: s is unsigned decimal
 * (digits only, not empty) and at most max. 0 and *out, or -EINVAL.
 */
int kfmt_parse_ulong(const char *s, unsigned long max, unsigned long *out);

#endif /* KERNEL_KFMT_H */
