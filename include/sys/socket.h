// SPDX-License-Identifier: MIT
/*
 * include/sys/socket.h - POSIX sockets for xenith apps.
 *
 * newlib has no socket headers; xenith's sockets are lwIP's. This header
 * takes lwIP's types and constants (struct sockaddr*, socklen_t, AF_*,
 * SOCK_*, SO_*, MSG_*, struct pollfd ...) from lwip/sockets.h and
 * declares the POSIX function names, which lib/net/bsd_socket.c defines
 * on top of lwip_*(). Design choice: real functions, not lwIP's renaming
 * macros, so app code that names a member or a local `send` or `connect`
 * still compiles. read/write/close/fcntl on sockets are the ordinary
 * <unistd.h>/<fcntl.h> ones. Descriptors are 3..63 (within FD_SETSIZE).
 * Reference: POSIX.1-2017 <sys/socket.h>.
 */
#ifndef INCLUDE_SYS_SOCKET_H
#define INCLUDE_SYS_SOCKET_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <sys/socket.h>
#else

#include <sys/types.h>

#include "lwip/sockets.h"

#ifdef __cplusplus
extern "C" {
#endif

int socket(int domain, int type, int protocol);
int accept(int s, struct sockaddr *addr, socklen_t *addrlen);
int bind(int s, const struct sockaddr *name, socklen_t namelen);
int listen(int s, int backlog);
int connect(int s, const struct sockaddr *name, socklen_t namelen);
int shutdown(int s, int how);
int getpeername(int s, struct sockaddr *name, socklen_t *namelen);
int getsockname(int s, struct sockaddr *name, socklen_t *namelen);
int getsockopt(int s, int level, int optname, void *optval, socklen_t *optlen);
int setsockopt(int s, int level, int optname, const void *optval,
               socklen_t optlen);
ssize_t recv(int s, void *mem, size_t len, int flags);
ssize_t recvfrom(int s, void *mem, size_t len, int flags, struct sockaddr *from,
                 socklen_t *fromlen);
ssize_t recvmsg(int s, struct msghdr *message, int flags);
ssize_t send(int s, const void *dataptr, size_t size, int flags);
ssize_t sendto(int s, const void *dataptr, size_t size, int flags,
               const struct sockaddr *to, socklen_t tolen);
ssize_t sendmsg(int s, const struct msghdr *message, int flags);
ssize_t readv(int s, const struct iovec *iov, int iovcnt);
ssize_t writev(int s, const struct iovec *iov, int iovcnt);
/* FIONBIO / FIONREAD (there is no <sys/ioctl.h>). */
int ioctlsocket(int s, long cmd, void *argp);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST */

#endif /* INCLUDE_SYS_SOCKET_H */
