// SPDX-License-Identifier: MIT
/*
 * http_parse.h - incremental HTTP/1.x request-head parser.
 *
 * The parser is a byte-at-a-time state machine over caller-supplied
 * chunks: it never looks back at earlier bytes, never allocates, and keeps
 * only the fields the server acts on (method, decoded path, version, Host,
 * Connection, Content-Length, Transfer-Encoding), so a request head may
 * arrive split anywhere across TCP segments. Every limit is fixed (head
 * size, target length, header count) and every violation ends in an HTTP
 * status for the caller to send and then close the connection. Protocol
 * reference: RFC 9112 (HTTP/1.1 message syntax) and RFC 9110 (semantics).
 */
#ifndef HTTPD_HTTP_PARSE_H
#define HTTPD_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX    8192 /* request line + headers, bytes */
#define HTTP_TARGET_MAX  1024 /* request-target as sent, bytes */
#define HTTP_HEADERS_MAX 64   /* header fields per request */
#define HTTP_METHOD_MAX  16
#define HTTP_NAME_MAX    32  /* longer names are never ones we act on */
#define HTTP_VALUE_MAX   256 /* values kept only for headers we act on */

enum http_method {
    HTTP_METHOD_GET,
    HTTP_METHOD_HEAD,
};

enum http_parse_result {
    HTTP_PARSE_AGAIN, /* head incomplete: feed more bytes */
    HTTP_PARSE_DONE,  /* head complete: struct http_request is valid */
    HTTP_PARSE_ERROR, /* malformed: send parser.error_status and close */
};

/* What the server needs from a complete request head. */
struct http_request {
    enum http_method method;
    int version_minor;          /* 0 or 1 (HTTP/1.0, HTTP/1.1) */
    int keep_alive;             /* after version defaults and Connection */
    uint64_t content_length;    /* body bytes to discard, 0 if none */
    char path[HTTP_TARGET_MAX]; /* percent-decoded, no query, no ".." */
};

struct http_parser {
    int state;
    int error_status;  /* the HTTP status to answer with on ERROR */
    size_t head_bytes; /* bytes of this head seen so far */
    unsigned nheaders;
    size_t len;                    /* bytes in tok[] */
    char tok[HTTP_TARGET_MAX + 1]; /* the token being collected */
    char name[HTTP_NAME_MAX + 1];  /* current header name, lower case */
    int name_overflow; /* the name did not fit: a header we ignore */
    int method_known;  /* GET/HEAD seen (else error decided at end) */
    int seen_host, seen_cl, seen_te, conn_close, conn_keep_alive;
    int absolute_host; /* an absolute-form target carried the host */
    struct http_request req;
};

/* Prepare p for the next request head (also between keep-alive requests). */
void http_parse_init(struct http_parser *p);

/*
 * Feed len bytes. *consumed receives how many were used: all of them for
 * AGAIN, up to and including the blank line for DONE (the rest belongs to
 * the body or to the next pipelined request), and where the error was
 * found for ERROR. After DONE or ERROR, call http_parse_init() before
 * feeding again; further calls return the same result and consume nothing.
 */
enum http_parse_result http_parse(struct http_parser *p, const char *buf,
                                  size_t len, size_t *consumed);

/*
 * Decode %XX escapes of a request-target path into out (size outsz), drop
 * the query, and reject what the server must never serve: a decoded NUL,
 * bad escapes, a backslash, a "." or ".." segment, or no leading '/'.
 * Returns 0 or -EINVAL (and -ENAMETOOLONG when out is too small).
 */
int http_path_normalize(const char *target, char *out, size_t outsz);

#endif /* HTTPD_HTTP_PARSE_H */
