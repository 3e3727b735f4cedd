// SPDX-License-Identifier: MIT
/*
 * httpd_resp.h - routing and response formatting of the httpd app.
 *
 * Pure functions with no socket in sight, so the host tests can check the
 * exact bytes the server puts on the wire: the static file table (content
 * compiled into the image, served from read-only memory without a copy),
 * the response head, the error pages and the /stats page. Protocol
 * reference: RFC 9110 (status codes, Content-Length) and RFC 9112
 * (message framing, Connection).
 */
#ifndef HTTPD_HTTPD_RESP_H
#define HTTPD_HTTPD_RESP_H

#include <stddef.h>
#include <stdint.h>

struct httpd_file {
    const char *path;
    const char *type; /* Content-Type */
    const unsigned char *data;
    size_t len;
};

/* Counters shown by /stats. */
struct httpd_stats {
    uint64_t uptime_ns;
    uint64_t requests;
    uint64_t connections; /* accepted since boot */
    unsigned open_connections;
    uint64_t errors;                  /* requests answered with 4xx/5xx */
    size_t mem_total, mem_free, heap; /* bytes */
};

/* The static file at a normalized path, or NULL (404). */
const struct httpd_file *httpd_route(const char *path);

/* The reason phrase of a status the server sends ("Not Found"). */
const char *httpd_reason(int status);

/*
 * Format a response head: status line, Server, Content-Type,
 * Content-Length, Connection (keep-alive or close) and the blank line.
 * Returns its length, or -ENOSPC if cap is too small.
 */
int httpd_head(char *buf, size_t cap, int status, const char *type,
               size_t content_length, int keep_alive);

/* The HTML body of an error page for status; returns its length. */
int httpd_error_body(char *buf, size_t cap, int status);

/* The /stats page (text/plain); returns its length or -ENOSPC. */
int httpd_stats_page(char *buf, size_t cap, const struct httpd_stats *st);

#endif /* HTTPD_HTTPD_RESP_H */
