// SPDX-License-Identifier: MIT
/*
 * httpd_resp.c - routing and response formatting of the httpd app.
 *
 * The file table is a fixed array searched linearly: four entries do not
 * deserve a hash. Heads are formatted with snprintf into the caller's
 * per-connection buffer and checked for truncation, so a too-small buffer
 * is an error instead of a silently cut response. Every response carries
 * Content-Length (no chunked encoding), which keeps keep-alive framing
 * trivial for HTTP/1.0 and 1.1 clients alike (RFC 9112 section 6).
 */
#include "httpd_resp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

extern const unsigned char httpd_file_1k[1024];
extern const unsigned char httpd_file_64k[65536];

static const char index_html[] =
    "<!DOCTYPE html>\n"
    "<html>\n<head><title>xenith httpd</title></head>\n"
    "<body>\n<h1>Hello from a xenith unikernel</h1>\n"
    "<p>This page is served by a Xen PV guest: an HTTP/1.1 server, lwIP\n"
    "and a small paravirtualised kernel in one image.</p>\n<ul>\n"
    "<li><a href=\"/1k\">/1k</a>: 1 KiB of text</li>\n"
    "<li><a href=\"/64k\">/64k</a>: 64 KiB of text</li>\n"
    "<li><a href=\"/stats\">/stats</a>: uptime, requests, memory</li>\n"
    "</ul>\n</body>\n</html>\n";

static const struct httpd_file files[] = {
    {"/", "text/html", (const unsigned char *)index_html,
     sizeof(index_html) - 1},
    {"/index.html", "text/html", (const unsigned char *)index_html,
     sizeof(index_html) - 1},
    {"/1k", "text/plain", httpd_file_1k, sizeof(httpd_file_1k)},
    {"/64k", "text/plain", httpd_file_64k, sizeof(httpd_file_64k)},
};

const struct httpd_file *httpd_route(const char *path)
{
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (strcmp(files[i].path, path) == 0)
            return &files[i];
    return NULL;
}

const char *httpd_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

static int fitted(int n, size_t cap)
{
    return (n < 0 || (size_t)n >= cap) ? -ENOSPC : n;
}

int httpd_head(char *buf, size_t cap, int status, const char *type,
               size_t content_length, int keep_alive)
{
    /* 405 must say what is allowed (RFC 9110 section 15.5.6). */
    const char *allow = status == 405 ? "Allow: GET, HEAD\r\n" : "";
    int n = snprintf(buf, cap,
                     "HTTP/1.1 %d %s\r\n"
                     "Server: xenith-httpd\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "%s"
                     "Connection: %s\r\n"
                     "\r\n",
                     status, httpd_reason(status), type, content_length, allow,
                     keep_alive ? "keep-alive" : "close");

    return fitted(n, cap);
}

int httpd_error_body(char *buf, size_t cap, int status)
{
    int n =
        snprintf(buf, cap,
                 "<html><head><title>%d %s</title></head>"
                 "<body><h1>%d %s</h1></body></html>\n",
                 status, httpd_reason(status), status, httpd_reason(status));

    return fitted(n, cap);
}

int httpd_stats_page(char *buf, size_t cap, const struct httpd_stats *st)
{
    int n = snprintf(buf, cap,
                     "uptime_ms %llu\n"
                     "requests %llu\n"
                     "errors %llu\n"
                     "connections_total %llu\n"
                     "connections_open %u\n"
                     "mem_total_bytes %zu\n"
                     "mem_free_bytes %zu\n"
                     "heap_bytes %zu\n",
                     (unsigned long long)(st->uptime_ns / 1000000u),
                     (unsigned long long)st->requests,
                     (unsigned long long)st->errors,
                     (unsigned long long)st->connections, st->open_connections,
                     st->mem_total, st->mem_free, st->heap);

    return fitted(n, cap);
}
