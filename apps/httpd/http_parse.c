// SPDX-License-Identifier: MIT
/*
 * http_parse.c - incremental HTTP/1.x request-head parser.
 *
 * One state per syntactic position of RFC 9112's request-line and
 * field-line grammar; each byte either advances the state, is collected
 * into a bounded token buffer, or ends the parse with the status the
 * server must answer (400 syntax, 405/501 method, 414 target, 431 head
 * size, 505 version). Decisions that need the whole request line (method,
 * version) are taken when it ends, so a client is refused before it sends
 * its headers; decisions that need every header (Host in HTTP/1.1, body
 * framing) are taken at the blank line. Bare LF is accepted as a line end
 * (RFC 9112 section 2.2); a CR not followed by LF, obs-fold continuation
 * lines and whitespace before a colon are rejected, because they are the
 * classic request-smuggling ambiguities. No allocation, no recursion.
 */
#include "http_parse.h"

#include <errno.h>
#include <string.h>

enum {
    S_START, /* before the method; empty lines are skipped */
    S_METHOD,
    S_TARGET,
    S_VERSION,
    S_REQ_LF, /* CR seen at the end of the request line */
    S_LINE,   /* start of a header line or of the blank line */
    S_NAME,
    S_OWS, /* whitespace after the colon */
    S_VALUE,
    S_HDR_LF, /* CR seen at the end of a header line */
    S_END_LF, /* CR seen on the blank line */
    S_DONE,
    S_ERROR,
};

void http_parse_init(struct http_parser *p)
{
    memset(p, 0, sizeof(*p));
    p->state = S_START;
}

static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);

    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != b[i])
            return 0;
    return 1;
}

static enum http_parse_result fail(struct http_parser *p, int status)
{
    p->state = S_ERROR;
    p->error_status = status;
    return HTTP_PARSE_ERROR;
}

int http_path_normalize(const char *target, char *out, size_t outsz)
{
    size_t o = 0, seg = 0; /* seg: where the current segment starts */

    if (target[0] != '/')
        return -EINVAL;
    for (size_t i = 0; target[i] && target[i] != '?' && target[i] != '#'; i++) {
        unsigned char c = (unsigned char)target[i];

        if (c == '%') {
            int v = 0;

            for (int k = 1; k <= 2; k++) {
                char h = lower(target[i + k]);

                if (h >= '0' && h <= '9')
                    v = v * 16 + (h - '0');
                else if (h >= 'a' && h <= 'f')
                    v = v * 16 + (h - 'a' + 10);
                else
                    return -EINVAL;
            }
            i += 2;
            c = (unsigned char)v;
            /* An encoded NUL would truncate the path a file system sees;
             * an encoded '/' would hide a ".." segment from the check. */
            if (c == 0 || c == '/')
                return -EINVAL;
        }
        if (c == '\\')
            return -EINVAL;
        if (o + 1 >= outsz)
            return -ENAMETOOLONG;
        if (c == '/') {
            /* The segment just closed must not be "." or "..". */
            size_t n = o - seg;

            if (o > 0 && ((n == 1 && out[seg] == '.') ||
                          (n == 2 && out[seg] == '.' && out[seg + 1] == '.')))
                return -EINVAL;
            out[o++] = '/';
            seg = o;
            continue;
        }
        out[o++] = (char)c;
    }
    if ((o - seg == 1 && out[seg] == '.') ||
        (o - seg == 2 && out[seg] == '.' && out[seg + 1] == '.'))
        return -EINVAL;
    out[o] = '\0';
    return 0;
}

/* The request line is complete: decide method, target and version. */
static enum http_parse_result request_line_done(struct http_parser *p)
{
    const char *v = p->tok;
    static const char *const disallowed[] = {
        "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};

    p->tok[p->len] = '\0';
    if (p->len != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' ||
        v[6] != '.' || v[7] < '0' || v[7] > '9')
        return fail(p, 400);
    if (v[5] != '1')
        return fail(p, 505);
    /* RFC 9110 section 6.2: answer a later 1.x minor as 1.1. */
    p->req.version_minor = v[7] == '0' ? 0 : 1;
    if (!p->method_known) {
        /* The method name was kept in req.path until now. */
        for (size_t i = 0; i < sizeof(disallowed) / sizeof(disallowed[0]); i++)
            if (strcmp(p->req.path, disallowed[i]) == 0)
                return fail(p, 405);
        return fail(p, 501);
    }
    return HTTP_PARSE_AGAIN;
}

static int set_target(struct http_parser *p)
{
    char *t = p->tok;

    t[p->len] = '\0';
    /* absolute-form (RFC 9112 section 3.2.2): the authority is the host. */
    if (p->len >= 7 &&
        (ieq(t, 7, "http://") || (p->len >= 8 && ieq(t, 8, "https://")))) {
        char *auth = strstr(t, "//") + 2;
        char *slash = strchr(auth, '/');

        if (slash == auth)
            return -EINVAL;
        p->absolute_host = 1;
        t = slash ? slash : "/";
    }
    return http_path_normalize(t, p->req.path, sizeof(p->req.path));
}

/* Act on one complete header line; the value is in tok[0..len). */
static enum http_parse_result header_done(struct http_parser *p)
{
    size_t n = p->len;

    while (n > 0 && (p->tok[n - 1] == ' ' || p->tok[n - 1] == '\t'))
        n--; /* trailing OWS is not part of the value */
    p->tok[n] = '\0';
    if (p->name_overflow)
        return HTTP_PARSE_AGAIN;
    if (strcmp(p->name, "host") == 0) {
        if (p->seen_host++)
            return fail(p, 400); /* RFC 9112 section 3.2 */
    } else if (strcmp(p->name, "content-length") == 0) {
        uint64_t v = 0;

        if (n == 0 || n > 18)
            return fail(p, 400);
        for (size_t i = 0; i < n; i++) {
            if (p->tok[i] < '0' || p->tok[i] > '9')
                return fail(p, 400);
            v = v * 10 + (uint64_t)(p->tok[i] - '0');
        }
        if (p->seen_cl && v != p->req.content_length)
            return fail(p, 400);
        p->seen_cl = 1;
        p->req.content_length = v;
    } else if (strcmp(p->name, "transfer-encoding") == 0) {
        p->seen_te = 1;
    } else if (strcmp(p->name, "connection") == 0) {
        const char *s = p->tok;

        while (*s) {
            const char *e;

            while (*s == ' ' || *s == '\t' || *s == ',')
                s++;
            e = s;
            while (*e && *e != ',' && *e != ' ' && *e != '\t')
                e++;
            if (ieq(s, (size_t)(e - s), "close"))
                p->conn_close = 1;
            else if (ieq(s, (size_t)(e - s), "keep-alive"))
                p->conn_keep_alive = 1;
            s = e;
        }
    }
    return HTTP_PARSE_AGAIN;
}

/* The blank line ended the head: checks that need every header. */
static enum http_parse_result head_done(struct http_parser *p)
{
    struct http_request *r = &p->req;

    /* Both framings at once is the request-smuggling case (RFC 9112
     * section 6.3); a body we cannot frame is refused, not guessed. */
    if (p->seen_te)
        return fail(p, p->seen_cl ? 400 : 501);
    if (r->version_minor == 1 && !p->seen_host && !p->absolute_host)
        return fail(p, 400);
    if (r->version_minor == 1)
        r->keep_alive = !p->conn_close;
    else
        r->keep_alive = p->conn_keep_alive && !p->conn_close;
    p->state = S_DONE;
    return HTTP_PARSE_DONE;
}

static int interesting(const char *name)
{
    return strcmp(name, "host") == 0 || strcmp(name, "connection") == 0 ||
           strcmp(name, "content-length") == 0 ||
           strcmp(name, "transfer-encoding") == 0;
}

/* One byte; returns AGAIN to continue, DONE or ERROR to stop. */
static enum http_parse_result step(struct http_parser *p, unsigned char c)
{
    switch (p->state) {
    case S_START:
        if (c == '\r' || c == '\n')
            return HTTP_PARSE_AGAIN; /* RFC 9112 section 2.2 */
        p->state = S_METHOD;
        /* fall through */
    case S_METHOD:
        if (c == ' ') {
            if (p->len == 0)
                return fail(p, 400);
            p->tok[p->len] = '\0';
            if (strcmp(p->tok, "GET") == 0) {
                p->req.method = HTTP_METHOD_GET;
                p->method_known = 1;
            } else if (strcmp(p->tok, "HEAD") == 0) {
                p->req.method = HTTP_METHOD_HEAD;
                p->method_known = 1;
            } else {
                /* Judged with the version at the end of the line. */
                memcpy(p->req.path, p->tok, p->len + 1);
            }
            p->len = 0;
            p->state = S_TARGET;
            return HTTP_PARSE_AGAIN;
        }
        if (!is_tchar(c))
            return fail(p, 400);
        if (p->len >= HTTP_METHOD_MAX)
            return fail(p, 501); /* no method we know is this long */
        p->tok[p->len++] = (char)c;
        return HTTP_PARSE_AGAIN;
    case S_TARGET:
        if (c == ' ') {
            if (p->len == 0)
                return fail(p, 400);
            if (p->method_known && set_target(p) != 0)
                return fail(p, 400);
            p->len = 0;
            p->state = S_VERSION;
            return HTTP_PARSE_AGAIN;
        }
        if (c < 0x21 || c > 0x7e)
            return fail(p, 400);
        if (p->len >= HTTP_TARGET_MAX)
            return fail(p, 414);
        p->tok[p->len++] = (char)c;
        return HTTP_PARSE_AGAIN;
    case S_VERSION:
        if (c == '\r' || c == '\n') {
            enum http_parse_result r = request_line_done(p);

            if (r != HTTP_PARSE_AGAIN)
                return r;
            p->len = 0;
            p->state = c == '\r' ? S_REQ_LF : S_LINE;
            return HTTP_PARSE_AGAIN;
        }
        if (p->len >= 8)
            return fail(p, 400);
        p->tok[p->len++] = (char)c;
        return HTTP_PARSE_AGAIN;
    case S_REQ_LF:
    case S_HDR_LF:
        if (c != '\n')
            return fail(p, 400);
        p->state = S_LINE;
        return HTTP_PARSE_AGAIN;
    case S_LINE:
        if (c == '\r') {
            p->state = S_END_LF;
            return HTTP_PARSE_AGAIN;
        }
        if (c == '\n')
            return head_done(p);
        if (c == ' ' || c == '\t')
            return fail(p, 400); /* obs-fold (RFC 9112 section 5.2) */
        if (++p->nheaders > HTTP_HEADERS_MAX)
            return fail(p, 431);
        p->len = 0;
        p->name_overflow = 0;
        p->state = S_NAME;
        /* fall through */
    case S_NAME:
        if (c == ':') {
            if (p->len == 0)
                return fail(p, 400);
            p->name[p->name_overflow ? 0 : p->len] = '\0';
            if (!p->name_overflow && !interesting(p->name))
                p->name_overflow = 1; /* not stored: only skipped */
            p->len = 0;
            p->state = S_OWS;
            return HTTP_PARSE_AGAIN;
        }
        if (!is_tchar(c))
            return fail(p, 400); /* includes space before the colon */
        if (p->len >= HTTP_NAME_MAX)
            p->name_overflow = 1;
        else
            p->name[p->len] = lower((char)c);
        p->len++;
        return HTTP_PARSE_AGAIN;
    case S_OWS:
        if (c == ' ' || c == '\t')
            return HTTP_PARSE_AGAIN;
        p->state = S_VALUE;
        /* fall through */
    case S_VALUE:
        if (c == '\r' || c == '\n') {
            enum http_parse_result r = header_done(p);

            if (r != HTTP_PARSE_AGAIN)
                return r;
            p->state = c == '\r' ? S_HDR_LF : S_LINE;
            return HTTP_PARSE_AGAIN;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(p, 400);
        if (p->name_overflow)
            return HTTP_PARSE_AGAIN;
        if (p->len >= HTTP_VALUE_MAX)
            return fail(p, 400); /* a value we act on that is absurd */
        p->tok[p->len++] = (char)c;
        return HTTP_PARSE_AGAIN;
    case S_END_LF:
        if (c != '\n')
            return fail(p, 400);
        return head_done(p);
    }
    return fail(p, 400);
}

enum http_parse_result http_parse(struct http_parser *p, const char *buf,
                                  size_t len, size_t *consumed)
{
    size_t i;

    *consumed = 0;
    if (p->state == S_DONE)
        return HTTP_PARSE_DONE;
    if (p->state == S_ERROR)
        return HTTP_PARSE_ERROR;
    for (i = 0; i < len; i++) {
        enum http_parse_result r;

        if (++p->head_bytes > HTTP_HEAD_MAX) {
            *consumed = i;
            return fail(p, p->state == S_TARGET ? 414 : 431);
        }
        r = step(p, (unsigned char)buf[i]);
        if (r != HTTP_PARSE_AGAIN) {
            *consumed = i + 1;
            return r;
        }
    }
    *consumed = len;
    return HTTP_PARSE_AGAIN;
}
