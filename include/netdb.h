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

int getaddrinfo(const char *nodename, const char *servname,
                const struct addrinfo *hints, struct addrinfo **res);
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
