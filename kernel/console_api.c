// SPDX-License-Identifier: MIT
/*
 * kernel/console_api.c - xn_console_write(), the public, stdio-free path
 * to the PV console (include/xenith.h).
 *
 * A separate object so that an app which uses no libc links only this
 * and the console ring, not newlib's stdio (static archive + gc-sections).
 */
#include "include/xenith.h"
#include "xen/console.h"

long xn_console_write(const char *buf, unsigned long len)
{
    long n = console_write(buf, len);

    return n < 0 ? XN_ERR_IO : n;
}
