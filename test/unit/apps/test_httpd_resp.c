// SPDX-License-Identifier: MIT
/*
 * test_httpd_resp.c - host tests of the httpd's routes and responses.
 *
 * Checks the exact response head bytes (framing errors here would break
 * every keep-alive client), truncation reporting, the static file table
 * and the generated files' contents, and the /stats page.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "httpd_resp.h"

static void routes(void **state)
{
    const struct httpd_file *f;

    (void)state;
    f = httpd_route("/");
    assert_non_null(f);
    assert_string_equal(f->type, "text/html");
    assert_non_null(strstr((const char *)f->data, "<html>"));
    assert_ptr_equal(httpd_route("/index.html")->data, f->data);
    assert_int_equal(httpd_route("/1k")->len, 1024);
    assert_int_equal(httpd_route("/64k")->len, 65536);
    assert_null(httpd_route("/nope"));
    assert_null(httpd_route("/1k/"));
    assert_null(httpd_route(""));
}

static void generated_files_are_numbered_lines(void **state)
{
    const struct httpd_file *f = httpd_route("/64k");
    char expect[80];

    (void)state;
    /* Line N starts at byte 64*N with its own offset; each ends in \n. */
    for (size_t off = 0; off < f->len; off += 64) {
        int n = snprintf(expect, sizeof(expect),
                         "xenith httpd static file, %6d bytes, line at "
                         "offset %8zu",
                         65536, off);

        assert_memory_equal(f->data + off, expect, (size_t)n);
        assert_int_equal(f->data[off + 63], '\n');
    }
}

static void head_bytes(void **state)
{
    char buf[512];
    int n;

    (void)state;
    n = httpd_head(buf, sizeof(buf), 200, "text/plain", 1024, 1);
    assert_string_equal(buf, "HTTP/1.1 200 OK\r\n"
                             "Server: xenith-httpd\r\n"
                             "Content-Type: text/plain\r\n"
                             "Content-Length: 1024\r\n"
                             "Connection: keep-alive\r\n\r\n");
    assert_int_equal(n, (int)strlen(buf));
    n = httpd_head(buf, sizeof(buf), 405, "text/html", 0, 0);
    assert_true(n > 0);
    assert_non_null(strstr(buf, "HTTP/1.1 405 Method Not Allowed\r\n"));
    assert_non_null(strstr(buf, "\r\nAllow: GET, HEAD\r\n"));
    assert_non_null(strstr(buf, "\r\nConnection: close\r\n\r\n"));
    /* A buffer one byte short is an error, never a cut head. */
    n = httpd_head(buf, sizeof(buf), 200, "text/plain", 1024, 1);
    assert_int_equal(httpd_head(buf, (size_t)n, 200, "text/plain", 1024, 1),
                     -ENOSPC);
    assert_int_equal(httpd_head(buf, (size_t)n + 1, 200, "text/plain", 1024, 1),
                     n);
}

static void error_pages_and_reasons(void **state)
{
    static const int codes[] = {400, 404, 405, 414, 431, 501, 505};
    char buf[256];

    (void)state;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        char want[16];

        assert_string_not_equal(httpd_reason(codes[i]), "Error");
        assert_true(httpd_error_body(buf, sizeof(buf), codes[i]) > 0);
        snprintf(want, sizeof(want), "<h1>%d ", codes[i]);
        assert_non_null(strstr(buf, want));
    }
    assert_int_equal(httpd_error_body(buf, 10, 404), -ENOSPC);
}

static void stats_page(void **state)
{
    struct httpd_stats st = {
        .uptime_ns = 12345678901ull,
        .requests = 42,
        .connections = 7,
        .open_connections = 3,
        .errors = 2,
        .mem_total = 33554432,
        .mem_free = 1048576,
        .heap = 4096,
    };
    char buf[512];
    int n = httpd_stats_page(buf, sizeof(buf), &st);

    (void)state;
    assert_int_equal(n, (int)strlen(buf));
    assert_non_null(strstr(buf, "uptime_ms 12345\n"));
    assert_non_null(strstr(buf, "requests 42\n"));
    assert_non_null(strstr(buf, "errors 2\n"));
    assert_non_null(strstr(buf, "connections_open 3\n"));
    assert_non_null(strstr(buf, "mem_free_bytes 1048576\n"));
    assert_int_equal(httpd_stats_page(buf, 20, &st), -ENOSPC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes),
        cmocka_unit_test(generated_files_are_numbered_lines),
        cmocka_unit_test(head_bytes),
        cmocka_unit_test(error_pages_and_reasons),
        cmocka_unit_test(stats_page),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
