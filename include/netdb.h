// SPDX-License-Identifier: MIT
/*
 * include/netdb.h - name resolution for xenith apps.
 *
 * struct addrinfo/hostent, AI_* and EAI_* come from lwip/netdb.h (lwIP's
 * DNS client; servers from DHCP or the `dns=` command-line word); the
 * functions are defined in lib/net/bsd_socket.c. Only numeric services
 * are understood (there is no /etc/services). Reference: POSIX.1-2017
 * <netdb.h>.
 */
#ifndef INCLUDE_NETDB_H
#define INCLUDE_NETDB_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <netdb.h>
#else

#include <sys/socket.h>

#include "lwip/netdb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* getnameinfo() flags and sizes (lwIP's netdb.h has none). */
#define NI_NUMERICHOST 0x01
#define NI_NUMERICSERV 0x02
#define NI_NOFQDN      0x04
#define NI_NAMEREQD    0x08
#define NI_DGRAM       0x10
#define NI_MAXHOST     1025
#define NI_MAXSERV     32
#ifndef EAI_OVERFLOW
#define EAI_OVERFLOW 206
#endif

int getaddrinfo(const char *nodename, const char *servname,
                const struct addrinfo *hints, struct addrinfo **res);
int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                socklen_t hostlen, char *serv, socklen_t servlen, int flags);
void freeaddrinfo(struct addrinfo *ai);
const char *gai_strerror(int err);
struct hostent *gethostbyname(const char *name);
int gethostbyname_r(const char *name, struct hostent *ret, char *buf,
                    size_t buflen, struct hostent **result, int *h_errnop);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST */

#endif /* INCLUDE_NETDB_H */
