// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_http.c - libFuzzer target of the HTTP request-head
 * parser (apps/httpd/http_parse.c): the fuzzer is the client.
 *
 * Design choice: the first input byte picks how the bytes are cut into
 * the reads a TCP stream could deliver (1..256 bytes each), so the
 * incremental state machine is fuzzed across every split; the rest is
 * the stream. Pipelined requests are parsed one after the other as the
 * server does. Checked: *consumed never exceeds what was fed, the head
 * never exceeds HTTP_HEAD_MAX, AGAIN consumes everything, a DONE request
 * has a known method, HTTP/1.0 or 1.1, a NUL-terminated path that starts
 * with '/' and contains no "..", NUL or backslash (http_path_normalize's
 * promise) and re-normalizes to itself; ERROR carries a 4xx/5xx status.
 * Reference: RFC 9112 (HTTP/1.1 message syntax).
 */
#include "fuzz_common.h"
#include "http_parse.h"

static void check_request(const struct http_request *r)
{
    static char again[HTTP_TARGET_MAX];
    size_t n = strnlen(r->path, sizeof(r->path));

    FUZZ_CHECK(r->method == HTTP_METHOD_GET || r->method == HTTP_METHOD_HEAD,
               "method %d", (int)r->method);
    FUZZ_CHECK(r->version_minor == 0 || r->version_minor == 1, "version %d",
               r->version_minor);
    FUZZ_CHECK(r->keep_alive == 0 || r->keep_alive == 1, "keep_alive %d",
               r->keep_alive);
    FUZZ_CHECK(n < sizeof(r->path), "path not terminated");
    FUZZ_CHECK(r->path[0] == '/', "path %s", r->path);
    FUZZ_CHECK(!strstr(r->path, "/../") && !strchr(r->path, '\\'),
               "unsafe path %s", r->path);
    FUZZ_CHECK(n < 3 || strcmp(r->path + n - 3, "/..") != 0, "path %s",
               r->path);
    /* The decoded path has no '%' escapes left that could decode to
     * something else twice: normalizing a path with no '%' is identity. */
    /* ('#' too: a decoded "%23" is a plain character of the name, while
     * normalizing raw text would take it for a fragment.) */
    if (!strchr(r->path, '%') && !strchr(r->path, '?') &&
        !strchr(r->path, '#')) {
        FUZZ_CHECK(http_path_normalize(r->path, again, sizeof(again)) == 0,
                   "normalized path %s refused", r->path);
        FUZZ_CHECK(strcmp(again, r->path) == 0, "%s -> %s", r->path, again);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_parser p;
    struct fuzz_in in = {data, size};
    size_t chunk = (size_t)fuzz_u8(&in) + 1;
    const char *buf = (const char *)in.p;
    size_t len = in.n, off = 0, head = 0;

    http_parse_init(&p);
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk, used = 9999999;
        enum http_parse_result r = http_parse(&p, buf + off, n, &used);

        FUZZ_CHECK(used <= n, "consumed %zu of %zu", used, n);
        head += used;
        FUZZ_CHECK(head <= HTTP_HEAD_MAX, "head %zu bytes", head);
        off += used;
        if (r == HTTP_PARSE_AGAIN) {
            FUZZ_CHECK(used == n, "AGAIN consumed %zu of %zu", used, n);
            continue;
        }
        if (r == HTTP_PARSE_DONE) {
            size_t again = 1;

            check_request(&p.req);
            FUZZ_CHECK(http_parse(&p, buf + off, len - off, &again) ==
                               HTTP_PARSE_DONE &&
                           again == 0,
                       "DONE not sticky");
        } else {
            FUZZ_CHECK(r == HTTP_PARSE_ERROR, "result %d", (int)r);
            FUZZ_CHECK(p.error_status >= 400 && p.error_status <= 599,
                       "error status %d", p.error_status);
            break;
        }
        http_parse_init(&p); /* the next pipelined request */
        head = 0;
    }
    return 0;
}
