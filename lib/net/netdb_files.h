// SPDX-License-Identifier: MIT
/*
 * lib/net/netdb_files.h - reading /etc/hosts and /etc/services for the
 * resolver (lib/net/resolve.c): pure text parsing, no lwIP, no files,
 * host-tested (test/unit/net/test_netdb_files.c).
 *
 * Design choice: an iterator over a file's text that yields one entry per
 * useful line (comments and blank or malformed lines skipped, fields
 * split on blanks), so lookups by name and by address stay in the caller,
 * which knows how to compare addresses (inet_pton) and families.
 * Reference: hosts(5), services(5).
 */
#ifndef LIB_NET_NETDB_FILES_H
#define LIB_NET_NETDB_FILES_H

#include <stdbool.h>
#include <stddef.h>

#define NETDB_NAMES_MAX 8  /* a name and up to 7 aliases per line */
#define NETDB_FIELD_MAX 64 /* longer fields make the line malformed */

struct netdb_cursor {
    const char *p, *end;
};

/* hosts(5): ADDRESS NAME [ALIAS...] */
struct netdb_host {
    char addr[NETDB_FIELD_MAX];
    char names[NETDB_NAMES_MAX][NETDB_FIELD_MAX];
    unsigned int nr_names;
};

/* services(5): NAME PORT/PROTO [ALIAS...] */
struct netdb_service {
    char names[NETDB_NAMES_MAX][NETDB_FIELD_MAX];
    unsigned int nr_names;
    unsigned int port;
    char proto[8];
};

void netdb_cursor_init(struct netdb_cursor *c, const char *text, size_t len);

/* Next entry; false at the end. */
bool netdb_next_host(struct netdb_cursor *c, struct netdb_host *h);
bool netdb_next_service(struct netdb_cursor *c, struct netdb_service *s);

/* Case-insensitive match of name against an entry's names. */
bool netdb_names_match(const char names[][NETDB_FIELD_MAX], unsigned int n,
                       const char *name);

/* The port of service `name` (or a number) for proto ("tcp", "udp", or
 * NULL = either) in services text: 0..65535, or -1 if unknown. */
int netdb_service_port(const char *text, size_t len, const char *name,
                       const char *proto);

#endif /* LIB_NET_NETDB_FILES_H */
