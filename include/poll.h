// SPDX-License-Identifier: MIT
/*
 * include/poll.h - poll() for xenith apps, on socket descriptors.
 *
 * struct pollfd, nfds_t and POLL* are lwIP's; poll() is lwip_poll()
 * (lib/net/bsd_socket.c), which serves socket descriptors only (the
 * console is not pollable). Reference: POSIX.1-2017 <poll.h>.
 */
#ifndef INCLUDE_POLL_H
#define INCLUDE_POLL_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <poll.h>
#else

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

int poll(struct pollfd *fds, nfds_t nfds, int timeout);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST */

#endif /* INCLUDE_POLL_H */
