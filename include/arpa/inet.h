// SPDX-License-Identifier: MIT
/*
 * include/arpa/inet.h - address conversion for xenith apps.
 *
 * inet_pton/inet_ntop are functions (lib/net/bsd_socket.c); inet_addr,
 * inet_aton and inet_ntoa are lwIP's macros over its IPv4 helpers, and
 * htons & co. come from lwIP too. Reference: POSIX.1-2017 <arpa/inet.h>.
 */
#ifndef INCLUDE_ARPA_INET_H
#define INCLUDE_ARPA_INET_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <arpa/inet.h>
#else

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
int inet_pton(int af, const char *src, void *dst);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST */

#endif /* INCLUDE_ARPA_INET_H */
