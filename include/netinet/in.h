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

#include <sys/socket.h>

#endif /* INCLUDE_NETINET_IN_H */
