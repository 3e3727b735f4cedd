// SPDX-License-Identifier: MIT
/*
 * include/netinet/tcp.h - TCP socket options (TCP_NODELAY, TCP_KEEP*),
 * defined by lwIP's socket header. Reference: POSIX.1-2017 <netinet/tcp.h>.
 */
#ifndef INCLUDE_NETINET_TCP_H
#define INCLUDE_NETINET_TCP_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <netinet/tcp.h>
#else

#include <sys/socket.h>

#endif /* XENITH_GUEST */

#endif /* INCLUDE_NETINET_TCP_H */
