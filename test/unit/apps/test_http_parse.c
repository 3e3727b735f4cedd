// SPDX-License-Identifier: MIT
/*
 * test_http_parse.c - host tests of the httpd's incremental parser.
 *
 * Valid heads must parse identically however they are split (whole, byte
 * by byte, at every split point); malformed, oversized and hostile heads
 * must end in the documented status without reading past the buffer
 * (ASan) or undefined behaviour (UBSan); random garbage and mutated
 * requests must never crash and must give the same answer whole or
 * chunked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_parse.h"

static struct http_parser P;

/* Feed the whole string at once; return the result, *used the bytes. */
static enum http_parse_result feed(const char *s, size_t len, size_t *used)
{
    http_parse_init(&P);
    return http_parse(&P, s, len, used);
}

static enum http_parse_result parse_str(const char *s)
{
    size_t used;

    return feed(s, strlen(s), &used);
}

/* Status of a request expected to fail. */
static int status_of(const char *s)
{
    enum http_parse_result r = parse_str(s);

    if (r == HTTP_PARSE_ERROR)
        return P.error_status;
    return r == HTTP_PARSE_DONE ? 200 : 0;
}

/* Feed in chunks of `step` bytes; return the result and total consumed. */
static enum http_parse_result feed_chunked(const char *s, size_t len,
                                           size_t step, size_t *total)
{
    enum http_parse_result r = HTTP_PARSE_AGAIN;
    size_t off = 0;

    http_parse_init(&P);
    *total = 0;
    while (off < len) {
        size_t n = len - off < step ? len - off : step, used;

        r = http_parse(&P, s + off, n, &used);
        assert_true(used <= n);
        *total += used;
        if (r != HTTP_PARSE_AGAIN)
            break;
        assert_int_equal(used, n); /* AGAIN consumes everything */
        off += n;
    }
    return r;
}

static void simple_get(void **state)
{
    const char *req = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
    size_t used;

    (void)state;
    assert_int_equal(feed(req, strlen(req), &used), HTTP_PARSE_DONE);
    assert_int_equal(used, strlen(req));
    assert_int_equal(P.req.method, HTTP_METHOD_GET);
    assert_string_equal(P.req.path, "/index.html");
    assert_int_equal(P.req.version_minor, 1);
    assert_int_equal(P.req.keep_alive, 1);
    assert_int_equal(P.req.content_length, 0);
}

static void every_split_point_gives_the_same_request(void **state)
{
    const char *req = "HEAD /a/b%20c?q=1 HTTP/1.1\r\nHost: example\r\n"
                      "User-Agent: test/1.0\r\nConnection: close\r\n"
                      "Content-Length: 5\r\n\r\nBODY!";
    size_t hlen = strlen(req) - 5;

    (void)state;
    for (size_t step = 1; step <= strlen(req); step++) {
        size_t total;

        assert_int_equal(feed_chunked(req, strlen(req), step, &total),
                         HTTP_PARSE_DONE);
        assert_int_equal(total, hlen); /* the body is not consumed */
        assert_int_equal(P.req.method, HTTP_METHOD_HEAD);
        assert_string_equal(P.req.path, "/a/b c");
        assert_int_equal(P.req.keep_alive, 0);
        assert_int_equal(P.req.content_length, 5);
    }
}

static void pipelined_requests_stop_at_each_head(void **state)
{
    const char *two = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                      "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    size_t used, used2;

    (void)state;
    assert_int_equal(feed(two, strlen(two), &used), HTTP_PARSE_DONE);
    assert_string_equal(P.req.path, "/1");
    assert_int_equal(used, strlen(two) / 2);
    /* Once done, the parser holds its result until re-initialised. */
    assert_int_equal(http_parse(&P, two + used, strlen(two) - used, &used2),
                     HTTP_PARSE_DONE);
    assert_int_equal(used2, 0);
    assert_int_equal(feed(two + used, strlen(two) - used, &used2),
                     HTTP_PARSE_DONE);
    assert_string_equal(P.req.path, "/2");
}

static void keep_alive_rules(void **state)
{
    (void)state;
    assert_int_equal(parse_str("GET / HTTP/1.0\r\n\r\n"), HTTP_PARSE_DONE);
    assert_int_equal(P.req.keep_alive, 0); /* 1.0 closes by default */
    assert_int_equal(P.req.version_minor, 0);
    assert_int_equal(
        parse_str("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"),
        HTTP_PARSE_DONE);
    assert_int_equal(P.req.keep_alive, 1);
    assert_int_equal(
        parse_str("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, "
                  "CLOSE\r\n\r\n"),
        HTTP_PARSE_DONE);
    assert_int_equal(P.req.keep_alive, 0);
    assert_int_equal(
        parse_str("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n"),
        HTTP_PARSE_DONE);
    assert_int_equal(P.req.keep_alive, 1); /* "closed" is not "close" */
    /* A later 1.x minor is answered as 1.1. */
    assert_int_equal(parse_str("GET / HTTP/1.7\r\nHost: a\r\n\r\n"),
                     HTTP_PARSE_DONE);
    assert_int_equal(P.req.version_minor, 1);
}

static void lenient_but_unambiguous_framing(void **state)
{
    (void)state;
    /* Leading blank lines and bare LF line ends are accepted. */
    assert_int_equal(status_of("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                     200);
    assert_int_equal(status_of("GET / HTTP/1.1\nHost: a\n\n"), 200);
    /* Whitespace around values is trimmed. */
    assert_int_equal(
        status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length:  7 \r\n\r\n"),
        200);
    assert_int_equal(P.req.content_length, 7);
    /* Absolute-form carries the host. */
    assert_int_equal(status_of("GET http://example.org/x HTTP/1.1\r\n\r\n"),
                     200);
    assert_string_equal(P.req.path, "/x");
    assert_int_equal(status_of("GET http://example.org HTTP/1.1\r\n\r\n"), 200);
    assert_string_equal(P.req.path, "/");
}

static void request_line_errors(void **state)
{
    (void)state;
    assert_int_equal(status_of("GARBAGE\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /\r\n\r\n"), 400); /* HTTP/0.9 */
    assert_int_equal(status_of(" GET / HTTP/1.1\r\n\r\n"), 400);
    assert_int_equal(status_of("GET  / HTTP/1.1\r\n\r\n"), 400);
    assert_int_equal(status_of("G(T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\n\r\n"), 405);
    assert_int_equal(status_of("DELETE / HTTP/1.1\r\n"), 405);
    assert_int_equal(status_of("BREW / HTTP/1.1\r\nHost: a\r\n\r\n"), 501);
    assert_int_equal(status_of("get / HTTP/1.1\r\nHost: a\r\n\r\n"), 501);
    assert_int_equal(status_of("AAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\r\n"),
                     501);
    assert_int_equal(status_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
    assert_int_equal(status_of("GET / HTTP/0.9\r\n\r\n"), 505);
    assert_int_equal(status_of("GET / HTTP/1.10\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / http/1.1\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1 \r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\rX\n\r\n"), 400);
    assert_int_equal(status_of("GET /\x01 HTTP/1.1\r\n\r\n"), 400);
    assert_int_equal(status_of("GET /\x80 HTTP/1.1\r\n\r\n"), 400);
}

static void path_traversal_and_escapes(void **state)
{
    static const char *const bad[] = {
        "/../etc/passwd", "/a/../../b", "/..",
        "/a/..",          "/%2e%2e/x",  "/%2E%2e",
        "/a/%2f..",       "/a%2fb",     "/a%00b",
        "/%zz",           "/%4",        "/%",
        "/a\\b",          "/%5c",       "/./x",
        "/a/.",           "x/y",        "*",
    };
    char req[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n",
                 bad[i]);
        assert_int_equal(status_of(req), 400);
    }
    assert_int_equal(status_of("GET /a..b/.c/%41 HTTP/1.1\r\nHost: a\r\n\r\n"),
                     200);
    assert_string_equal(P.req.path, "/a..b/.c/A");
    assert_int_equal(status_of("GET /x?../../y HTTP/1.1\r\nHost: a\r\n\r\n"),
                     200);
    assert_string_equal(P.req.path, "/x"); /* the query is not the path */
}

static void header_errors(void **state)
{
    (void)state;
    assert_int_equal(status_of("GET / HTTP/1.1\r\n\r\n"), 400); /* Host */
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                     400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"),
                     400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n"),
                     400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n"), 400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"),
                     400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\n\rx"), 400);
    /* Body framing. */
    assert_int_equal(
        status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n"),
        400);
    assert_int_equal(
        status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n"),
        400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
                               "1\r\nContent-Length: 2\r\n\r\n"),
                     400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
                               "2\r\nContent-Length: 2\r\n\r\n"),
                     200);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
                               "99999999999999999999\r\n\r\n"),
                     400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n"),
                     501);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
                               "3\r\nTransfer-Encoding: chunked\r\n\r\n"),
                     400);
}

static void oversized_heads(void **state)
{
    static char big[3 * HTTP_HEAD_MAX];
    size_t n, used;

    (void)state;
    /* A target over the limit: 414, decided before the head limit. */
    n = (size_t)snprintf(big, sizeof(big), "GET /");
    memset(big + n, 'a', HTTP_TARGET_MAX + 10);
    n += HTTP_TARGET_MAX + 10;
    n += (size_t)snprintf(big + n, sizeof(big) - n, " HTTP/1.1\r\n\r\n");
    assert_int_equal(feed(big, n, &used), HTTP_PARSE_ERROR);
    assert_int_equal(P.error_status, 414);

    /* One huge header value of a header we ignore: 431 at the limit. */
    n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nX-Big: ");
    memset(big + n, 'v', 2 * HTTP_HEAD_MAX);
    n += 2 * HTTP_HEAD_MAX;
    assert_int_equal(feed(big, n, &used), HTTP_PARSE_ERROR);
    assert_int_equal(P.error_status, 431);
    assert_int_equal(used, HTTP_HEAD_MAX); /* stopped at the limit */

    /* Too many small headers: 431. */
    n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < HTTP_HEADERS_MAX + 1; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "X-%d: y\r\n", i);
    n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n");
    assert_int_equal(feed(big, n, &used), HTTP_PARSE_ERROR);
    assert_int_equal(P.error_status, 431);

    /* Exactly HTTP_HEADERS_MAX headers are fine. */
    n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < HTTP_HEADERS_MAX - 1; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "X-%d: y\r\n", i);
    n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n");
    assert_int_equal(feed(big, n, &used), HTTP_PARSE_DONE);

    /* A long value of a header we act on is refused, not truncated. */
    n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: ");
    memset(big + n, 'h', HTTP_VALUE_MAX + 1);
    n += HTTP_VALUE_MAX + 1;
    n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n\r\n");
    assert_int_equal(feed(big, n, &used), HTTP_PARSE_ERROR);
    assert_int_equal(P.error_status, 400);

    /* Endless blank lines before a request still hit the head limit. */
    memset(big, '\n', HTTP_HEAD_MAX + 1);
    assert_int_equal(feed(big, HTTP_HEAD_MAX + 1, &used), HTTP_PARSE_ERROR);
    assert_int_equal(P.error_status, 431);
}

/* Same verdict whole and in random chunks; no crash; bounded consume. */
static void check_consistent(const char *s, size_t len)
{
    size_t used_whole, used_chunks = 0, off = 0;
    enum http_parse_result whole = feed(s, len, &used_whole), chunked = 0;
    int status = P.error_status;

    assert_true(used_whole <= len);
    http_parse_init(&P);
    while (off < len) {
        size_t n = 1 + (size_t)rand() % 64, used;

        if (n > len - off)
            n = len - off;
        chunked = http_parse(&P, s + off, n, &used);
        used_chunks += used;
        if (chunked != HTTP_PARSE_AGAIN)
            break;
        off += n;
    }
    if (len == 0)
        chunked = HTTP_PARSE_AGAIN;
    assert_int_equal(whole, chunked);
    assert_int_equal(used_whole, used_chunks);
    if (whole == HTTP_PARSE_ERROR) {
        assert_int_equal(status, P.error_status);
        assert_true(status >= 400 && status <= 505);
    }
}

static void random_garbage_never_crashes(void **state)
{
    static char buf[2 * HTTP_HEAD_MAX];

    (void)state;
    srand(7);
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = (size_t)rand() % sizeof(buf);

        for (size_t i = 0; i < len; i++)
            buf[i] = (char)rand();
        check_consistent(buf, len);
    }
}

static void mutated_requests_never_crash(void **state)
{
    static const char base[] =
        "GET /index.html?x=1 HTTP/1.1\r\nHost: example.org\r\n"
        "Connection: keep-alive\r\nContent-Length: 0\r\n"
        "Accept: */*\r\n\r\n";
    static const char alphabet[] = "\r\n :/%.?GETHTP01\t\x00\x7f\xff";
    char buf[sizeof(base) + 64];
    int done = 0;

    (void)state;
    srand(11);
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = sizeof(base) - 1;
        int flips = 1 + rand() % 4;

        memcpy(buf, base, len);
        for (int f = 0; f < flips; f++) {
            size_t at = (size_t)rand() % len;

            switch (rand() % 3) {
            case 0: /* replace */
                buf[at] = alphabet[(size_t)rand() % (sizeof(alphabet) - 1)];
                break;
            case 1: /* delete */
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
                break;
            default: /* duplicate */
                if (len + 1 < sizeof(buf)) {
                    memmove(buf + at + 1, buf + at, len - at);
                    len++;
                }
                break;
            }
        }
        check_consistent(buf, len);
        done += feed(buf, len, &(size_t){0}) == HTTP_PARSE_DONE;
    }
    /* The mutations must leave some requests valid, or this test would
     * only ever exercise the error paths. */
    assert_true(done > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_get),
        cmocka_unit_test(every_split_point_gives_the_same_request),
        cmocka_unit_test(pipelined_requests_stop_at_each_head),
        cmocka_unit_test(keep_alive_rules),
        cmocka_unit_test(lenient_but_unambiguous_framing),
        cmocka_unit_test(request_line_errors),
        cmocka_unit_test(path_traversal_and_escapes),
        cmocka_unit_test(header_errors),
        cmocka_unit_test(oversized_heads),
        cmocka_unit_test(random_garbage_never_crashes),
        cmocka_unit_test(mutated_requests_never_crash),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
