// SPDX-License-Identifier: MIT
/*
 * include/netinet/tcp.h - TCP socket options (TCP_NODELAY, TCP_KEEP*),
 * defined by lwIP's socket header. Reference: POSIX.1-2017 <netinet/tcp.h>.
 */
#ifndef INCLUDE_NETINET_TCP_H
#define INCLUDE_NETINET_TCP_H

#include <sys/socket.h>

#endif /* INCLUDE_NETINET_TCP_H */
