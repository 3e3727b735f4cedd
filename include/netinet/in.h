// SPDX-License-Identifier: MIT
/*
 * include/netinet/in.h - Internet addresses for xenith apps.
 *
 * struct sockaddr_in/in6, in_addr, IPPROTO_*, INADDR_* and the byte
 * order macros (htons ... from lwip/def.h, compiled to bswap) all come
 * with lwIP's socket header. Reference: POSIX.1-2017 <netinet/in.h>.
 */
#ifndef INCLUDE_NETINET_IN_H
#define INCLUDE_NETINET_IN_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <netinet/in.h>
#else

#include <sys/socket.h>

#endif /* XENITH_GUEST */

#endif /* INCLUDE_NETINET_IN_H */
