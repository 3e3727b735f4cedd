// SPDX-License-Identifier: MIT
/*
 * lib/net/bsd_socket.c - the POSIX socket, resolver and address functions.
 *
 * Portable C (`#include <sys/socket.h>` ...) calls socket(), connect(),
 * getaddrinfo() etc.; lwIP implements them as lwip_*() (its own names,
 * LWIP_COMPAT_SOCKETS=0), and this file maps the POSIX names onto them
 * one to one. read/write/close/fstat/fcntl on socket descriptors arrive
 * through kernel/fdtab (registered at start), because lib/syscalls.c owns
 * those names for the console. Socket descriptors are lwIP's: they start
 * at LWIP_SOCKET_OFFSET (3) and stay below newlib's FD_SETSIZE (64), so
 * newlib's fd_set works with select(). Design choice: thin functions, no
 * state; the only policy here is ENETDOWN from socket() when the domain
 * has no network device. Reference: POSIX.1-2017 <sys/socket.h>,
 * <netdb.h>, <poll.h>, <arpa/inet.h>; lwIP src/include/lwip/sockets.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include "kernel/fdtab.h"
#include "lib/net/net.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"

/* ---- descriptors through lib/syscalls.c ---- */

static ssize_t sock_read(int fd, void *buf, size_t len)
{
    return lwip_read(fd, buf, len);
}

static ssize_t sock_write(int fd, const void *buf, size_t len)
{
    return lwip_write(fd, buf, len);
}

static int sock_close(int fd)
{
    return lwip_close(fd);
}

static int sock_fstat(int fd, struct stat *st)
{
    int type;
    socklen_t len = sizeof(type);

    /* Any socket option read tells a live socket from a stale number. */
    if (lwip_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
        return -1;
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFSOCK | 0777;
    return 0;
}

static int sock_fcntl(int fd, int cmd, int arg)
{
    switch (cmd) {
    case F_GETFD:
    case F_SETFD:
        return 0; /* no exec, so FD_CLOEXEC means nothing */
    default:
        return lwip_fcntl(fd, cmd, arg);
    }
}

static const struct fdtab_ops sock_fd_ops = {
    .read = sock_read,
    .write = sock_write,
    .close = sock_close,
    .fstat = sock_fstat,
    .fcntl = sock_fcntl,
};

void bsd_socket_register_fds(void)
{
    int rc = fdtab_register(LWIP_SOCKET_OFFSET, MEMP_NUM_NETCONN, &sock_fd_ops);

    if (rc)
        printf("[xenith] net: socket descriptors unavailable (%d)\n", rc);
}

_Static_assert(LWIP_SOCKET_OFFSET + MEMP_NUM_NETCONN <= FD_SETSIZE,
               "socket descriptors must fit newlib's fd_set");
_Static_assert(LWIP_SOCKET_OFFSET + MEMP_NUM_NETCONN <= FDTAB_BLK_FIRST,
               "socket descriptors must end before the block devices'");

/* ---- sockets ---- */

int socket(int domain, int type, int protocol)
{
    int rc = net_status();

    if (rc) {
        errno = -rc;
        return -1;
    }
    return lwip_socket(domain, type, protocol);
}

int accept(int s, struct sockaddr *addr, socklen_t *addrlen)
{
    return lwip_accept(s, addr, addrlen);
}

int bind(int s, const struct sockaddr *name, socklen_t namelen)
{
    return lwip_bind(s, name, namelen);
}

int listen(int s, int backlog)
{
    return lwip_listen(s, backlog);
}

int connect(int s, const struct sockaddr *name, socklen_t namelen)
{
    return lwip_connect(s, name, namelen);
}

int shutdown(int s, int how)
{
    return lwip_shutdown(s, how);
}

int getpeername(int s, struct sockaddr *name, socklen_t *namelen)
{
    return lwip_getpeername(s, name, namelen);
}

int getsockname(int s, struct sockaddr *name, socklen_t *namelen)
{
    return lwip_getsockname(s, name, namelen);
}

int getsockopt(int s, int level, int optname, void *optval, socklen_t *optlen)
{
    return lwip_getsockopt(s, level, optname, optval, optlen);
}

int setsockopt(int s, int level, int optname, const void *optval,
               socklen_t optlen)
{
    return lwip_setsockopt(s, level, optname, optval, optlen);
}

ssize_t recv(int s, void *mem, size_t len, int flags)
{
    return lwip_recv(s, mem, len, flags);
}

ssize_t recvfrom(int s, void *mem, size_t len, int flags, struct sockaddr *from,
                 socklen_t *fromlen)
{
    return lwip_recvfrom(s, mem, len, flags, from, fromlen);
}

ssize_t recvmsg(int s, struct msghdr *message, int flags)
{
    return lwip_recvmsg(s, message, flags);
}

ssize_t send(int s, const void *dataptr, size_t size, int flags)
{
    return lwip_send(s, dataptr, size, flags);
}

ssize_t sendto(int s, const void *dataptr, size_t size, int flags,
               const struct sockaddr *to, socklen_t tolen)
{
    return lwip_sendto(s, dataptr, size, flags, to, tolen);
}

ssize_t sendmsg(int s, const struct msghdr *message, int flags)
{
    return lwip_sendmsg(s, message, flags);
}

ssize_t readv(int s, const struct iovec *iov, int iovcnt)
{
    return lwip_readv(s, iov, iovcnt);
}

ssize_t writev(int s, const struct iovec *iov, int iovcnt)
{
    return lwip_writev(s, iov, iovcnt);
}

int ioctlsocket(int s, long cmd, void *argp)
{
    return lwip_ioctl(s, cmd, argp);
}

/* ---- multiplexing: socket descriptors only ---- */

int select(int maxfdp1, fd_set *readset, fd_set *writeset, fd_set *exceptset,
           struct timeval *timeout)
{
    return lwip_select(maxfdp1, readset, writeset, exceptset, timeout);
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    return lwip_poll(fds, nfds, timeout);
}

/* ---- addresses ---- */

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
    const char *r = lwip_inet_ntop(af, src, dst, size);

    /* lwIP writes IPv6 hex digits in upper case; RFC 5952 4.3 (and every
     * other libc) writes lower case. */
    for (char *p = r ? dst : NULL; p && *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    return r;
}

int inet_pton(int af, const char *src, void *dst)
{
    return lwip_inet_pton(af, src, dst);
}

/* ---- resolver (lwIP's DNS client) ---- */

struct hostent *gethostbyname(const char *name)
{
    return lwip_gethostbyname(name);
}

int gethostbyname_r(const char *name, struct hostent *ret, char *buf,
                    size_t buflen, struct hostent **result, int *h_errnop)
{
    return lwip_gethostbyname_r(name, ret, buf, buflen, result, h_errnop);
}

/* getaddrinfo(), freeaddrinfo() and getnameinfo(): lib/net/resolve.c
 * (/etc/hosts and /etc/services first, then lwIP's DNS client). */

const char *gai_strerror(int err)
{
    switch (err) {
    case 0:
        return "Success";
    case EAI_NONAME:
        return "Name or service not known";
    case EAI_SERVICE:
        return "Service not supported";
    case EAI_FAIL:
        return "Non-recoverable failure in name resolution";
    case EAI_MEMORY:
        return "Memory allocation failure";
    case EAI_FAMILY:
        return "Address family not supported";
    case EAI_OVERFLOW:
        return "Argument buffer overflow";
    case HOST_NOT_FOUND:
        return "Host not found";
    case NO_DATA:
        return "No address for this name";
    case TRY_AGAIN:
        return "Temporary failure in name resolution";
    default:
        return "Unknown resolver error";
    }
}
