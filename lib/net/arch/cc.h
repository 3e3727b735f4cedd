// SPDX-License-Identifier: MIT
/*
 * lib/net/arch/cc.h - compiler and C library glue for lwIP on xenith.
 *
 * lwIP asks its port for basic types, byte order, diagnostics and the C
 * library headers it may use. xenith compiles lwIP against newlib, so
 * this pulls in newlib's headers first, in an order that makes lwIP
 * adopt newlib's definitions instead of its private fallbacks: errno
 * values, struct timeval, fd_set/FD_SETSIZE, O_NONBLOCK/F_GETFL, and
 * ssize_t (lwIP typedefs ssize_t as int unless SSIZE_MAX is defined,
 * while newlib's is long). Apps include this indirectly through
 * <sys/socket.h>, so both sides see identical types.
 * Reference: lwIP src/include/lwip/arch.h (the port contract).
 */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_NO_UNISTD_H      0

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* One instruction each instead of lwIP's portable C in def.c. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

#define LWIP_PLATFORM_DIAG(x)                                                  \
    do {                                                                       \
        printf x;                                                              \
    } while (0)

/*
 * lwIP's assertions guard lwIP's own invariants (lwIP validates what the
 * network sends with LWIP_ERROR, which is not an assertion): a failure
 * is a bug in the stack or the port, so report it and crash.
 */
void xn_net_assert_fail(const char *msg, int line, const char *file)
    __attribute__((noreturn));
#define LWIP_PLATFORM_ASSERT(x) xn_net_assert_fail((x), __LINE__, __FILE__)

#endif /* NET_ARCH_CC_H */
