// SPDX-License-Identifier: MIT
/*
 * lib/net/netdb_files.c - /etc/hosts and /etc/services parsing (see
 * netdb_files.h).
 */
#include "netdb_files.h"

#include <string.h>

static bool blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

void netdb_cursor_init(struct netdb_cursor *c, const char *text, size_t len)
{
    c->p = text;
    c->end = text ? text + len : NULL;
}

/* The fields of the next line (comment cut); false at the end. A field
 * too long for NETDB_FIELD_MAX makes *bad true. */
static bool next_line(struct netdb_cursor *c,
                      char fields[][NETDB_FIELD_MAX], unsigned int max,
                      unsigned int *nr, bool *bad)
{
    if (!c->p || c->p >= c->end)
        return false;
    *nr = 0;
    *bad = false;
    while (c->p < c->end && *c->p != '\n') {
        const char *s;
        size_t n;

        while (c->p < c->end && blank(*c->p))
            c->p++;
        if (c->p >= c->end || *c->p == '\n')
            break;
        if (*c->p == '#') {
            while (c->p < c->end && *c->p != '\n')
                c->p++;
            break;
        }
        s = c->p;
        while (c->p < c->end && !blank(*c->p) && *c->p != '\n' &&
               *c->p != '#')
            c->p++;
        n = (size_t)(c->p - s);
        if (n >= NETDB_FIELD_MAX) {
            *bad = true;
            continue;
        }
        if (*nr < max) {
            memcpy(fields[*nr], s, n);
            fields[*nr][n] = '\0';
            (*nr)++;
        }
    }
    if (c->p < c->end)
        c->p++; /* the newline */
    return true;
}

bool netdb_next_host(struct netdb_cursor *c, struct netdb_host *h)
{
    char f[NETDB_NAMES_MAX + 1][NETDB_FIELD_MAX];
    unsigned int n;
    bool bad;

    while (next_line(c, f, NETDB_NAMES_MAX + 1, &n, &bad)) {
        if (bad || n < 2)
            continue;
        memcpy(h->addr, f[0], sizeof(h->addr));
        h->nr_names = n - 1;
        for (unsigned int i = 1; i < n; i++)
            memcpy(h->names[i - 1], f[i], sizeof(h->names[0]));
        return true;
    }
    return false;
}

/* "PORT/PROTO" with PORT 0..65535 and a non-empty proto. */
static bool parse_port_proto(const char *s, unsigned int *port, char *proto,
                             size_t cap)
{
    unsigned int v = 0, digits = 0;
    const char *slash = strchr(s, '/');

    if (!slash || !slash[1] || strlen(slash + 1) >= cap)
        return false;
    for (const char *p = s; p < slash; p++) {
        if (*p < '0' || *p > '9' || ++digits > 5)
            return false;
        v = v * 10 + (unsigned int)(*p - '0');
    }
    if (!digits || v > 65535)
        return false;
    *port = v;
    strcpy(proto, slash + 1);
    return true;
}

bool netdb_next_service(struct netdb_cursor *c, struct netdb_service *s)
{
    char f[NETDB_NAMES_MAX + 1][NETDB_FIELD_MAX];
    unsigned int n;
    bool bad;

    while (next_line(c, f, NETDB_NAMES_MAX + 1, &n, &bad)) {
        if (bad || n < 2 ||
            !parse_port_proto(f[1], &s->port, s->proto, sizeof(s->proto)))
            continue;
        memcpy(s->names[0], f[0], sizeof(s->names[0]));
        s->nr_names = 1;
        for (unsigned int i = 2; i < n; i++)
            memcpy(s->names[s->nr_names++], f[i], sizeof(s->names[0]));
        return true;
    }
    return false;
}

bool netdb_names_match(const char names[][NETDB_FIELD_MAX], unsigned int n,
                       const char *name)
{
    for (unsigned int i = 0; i < n; i++) {
        const char *a = names[i], *b = name;

        while (*a && lower(*a) == lower(*b)) {
            a++;
            b++;
        }
        if (!*a && !*b)
            return true;
    }
    return false;
}

int netdb_service_port(const char *text, size_t len, const char *name,
                       const char *proto)
{
    struct netdb_cursor c;
    struct netdb_service s;
    unsigned int v = 0, digits = 0;
    const char *p;

    if (!name || !*name)
        return -1;
    for (p = name; *p >= '0' && *p <= '9' && digits <= 5; p++, digits++)
        v = v * 10 + (unsigned int)(*p - '0');
    if (!*p)
        return digits <= 5 && v <= 65535 ? (int)v : -1;
    netdb_cursor_init(&c, text, len);
    while (netdb_next_service(&c, &s))
        if ((!proto || strcmp(proto, s.proto) == 0) &&
            netdb_names_match(s.names, s.nr_names, name))
            return (int)s.port;
    return -1;
}
