// SPDX-License-Identifier: MIT
/*
 * iperf_json.c - the iperf app's JSON writer and reader (iperf_json.h).
 *
 * The reader is a recursive-descent recogniser over RFC 8259's grammar
 * with an explicit depth bound, run once per lookup: documents are a few
 * hundred bytes, so re-scanning is cheaper than building and freeing a
 * tree. Numbers are parsed by hand (no strtod) because only integers
 * matter to the server; anything with a fraction or exponent is accepted
 * as a number but not as an integer.
 */
#include "iperf_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ writer */

void json_writer_init(struct json_writer *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = cap;
    if (cap == 0)
        w->err = -ENOSPC;
    else
        buf[0] = '\0';
}

static void put(struct json_writer *w, const char *s, size_t n)
{
    if (w->err)
        return;
    if (w->len + n + 1 > w->cap) {
        w->err = -ENOSPC;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void puts_(struct json_writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void put_string(struct json_writer *w, const char *s)
{
    put(w, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(w, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            put(w, esc, 6);
        } else {
            put(w, (const char *)&c, 1);
        }
    }
    put(w, "\"", 1);
}

/* Comma and "key": before a value at the current level. */
static void member(struct json_writer *w, const char *key)
{
    if (w->depth > 0 && w->need_comma[w->depth - 1])
        put(w, ",", 1);
    if (w->depth > 0)
        w->need_comma[w->depth - 1] = 1;
    if (key) {
        put_string(w, key);
        put(w, ":", 1);
    }
}

static void open_(struct json_writer *w, const char *key, const char *tok)
{
    member(w, key);
    if (w->depth >= JSON_MAX_DEPTH) {
        w->err = w->err ? w->err : -EINVAL;
        return;
    }
    puts_(w, tok);
    w->need_comma[w->depth++] = 0;
}

static void close_(struct json_writer *w, const char *tok)
{
    if (w->depth == 0) {
        w->err = w->err ? w->err : -EINVAL;
        return;
    }
    w->depth--;
    puts_(w, tok);
}

void json_begin_object(struct json_writer *w, const char *key)
{
    open_(w, key, "{");
}

void json_end_object(struct json_writer *w)
{
    close_(w, "}");
}

void json_begin_array(struct json_writer *w, const char *key)
{
    open_(w, key, "[");
}

void json_end_array(struct json_writer *w)
{
    close_(w, "]");
}

void json_int(struct json_writer *w, const char *key, int64_t v)
{
    char num[24];

    member(w, key);
    snprintf(num, sizeof(num), "%lld", (long long)v);
    puts_(w, num);
}

void json_fixed6(struct json_writer *w, const char *key, int64_t micros)
{
    char num[32];
    uint64_t m = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;

    member(w, key);
    snprintf(num, sizeof(num), "%s%llu.%06llu", micros < 0 ? "-" : "",
             (unsigned long long)(m / 1000000u),
             (unsigned long long)(m % 1000000u));
    puts_(w, num);
}

void json_bool(struct json_writer *w, const char *key, int v)
{
    member(w, key);
    puts_(w, v ? "true" : "false");
}

void json_string(struct json_writer *w, const char *key, const char *s)
{
    member(w, key);
    put_string(w, s);
}

int json_writer_finish(struct json_writer *w)
{
    if (w->err)
        return w->err;
    if (w->depth != 0)
        return -EINVAL;
    return (int)w->len;
}

/* ------------------------------------------------------------ reader */

struct scan {
    const char *s;
    size_t len, pos;
};

static void skip_ws(struct scan *c)
{
    while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
                               c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
        c->pos++;
}

static int peek(const struct scan *c)
{
    return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static int is_hex(int ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
           (ch >= 'A' && ch <= 'F');
}

static int scan_string(struct scan *c)
{
    c->pos++; /* opening quote */
    while (c->pos < c->len) {
        unsigned char ch = (unsigned char)c->s[c->pos++];

        if (ch == '"')
            return 0;
        if (ch < 0x20)
            return -EINVAL; /* raw control characters are not allowed */
        if (ch != '\\')
            continue;
        if (c->pos >= c->len)
            return -EINVAL;
        ch = (unsigned char)c->s[c->pos++];
        if (ch == 'u') {
            for (int i = 0; i < 4; i++)
                if (c->pos >= c->len || !is_hex(c->s[c->pos++]))
                    return -EINVAL;
        } else if (!strchr("\"\\/bfnrt", ch) || ch == 0) {
            return -EINVAL;
        }
    }
    return -EINVAL;
}

static int digits(struct scan *c)
{
    size_t start = c->pos;

    while (peek(c) >= '0' && peek(c) <= '9')
        c->pos++;
    return c->pos > start ? 0 : -EINVAL;
}

static int scan_number(struct scan *c, struct json_value *v)
{
    size_t start = c->pos;
    int neg = 0, integral = 1;
    uint64_t mag = 0;

    if (peek(c) == '-') {
        neg = 1;
        c->pos++;
    }
    if (peek(c) == '0') {
        c->pos++;
    } else if (digits(c) != 0) {
        return -EINVAL;
    }
    /* Magnitude of the integer part, with overflow marking non-integer. */
    for (size_t i = start + (size_t)neg; i < c->pos; i++) {
        unsigned d = (unsigned)(c->s[i] - '0');

        if (mag > (UINT64_C(1) << 62) / 10) {
            integral = 0;
            break;
        }
        mag = mag * 10 + d;
    }
    if (peek(c) == '.') {
        c->pos++;
        if (digits(c) != 0)
            return -EINVAL;
        integral = 0;
    }
    if (peek(c) == 'e' || peek(c) == 'E') {
        c->pos++;
        if (peek(c) == '+' || peek(c) == '-')
            c->pos++;
        if (digits(c) != 0)
            return -EINVAL;
        integral = 0;
    }
    if (v) {
        v->is_integer = integral;
        v->integer = integral ? (neg ? -(int64_t)mag : (int64_t)mag) : 0;
    }
    return 0;
}

static int scan_literal(struct scan *c, const char *lit)
{
    size_t n = strlen(lit);

    if (c->len - c->pos < n || memcmp(c->s + c->pos, lit, n) != 0)
        return -EINVAL;
    c->pos += n;
    return 0;
}

static int scan_value(struct scan *c, int depth, struct json_value *v);

/* Members of an object (or elements of an array) after the bracket. When
 * key is non-NULL, the last member named key is stored in *found. */
static int scan_container(struct scan *c, int depth, int is_object,
                          const char *key, struct json_value *found, int *hit)
{
    int close = is_object ? '}' : ']';

    c->pos++; /* opening bracket */
    skip_ws(c);
    if (peek(c) == close) {
        c->pos++;
        return 0;
    }
    for (;;) {
        struct json_value v;
        int match = 0;

        skip_ws(c);
        if (is_object) {
            size_t kstart = c->pos + 1;

            if (peek(c) != '"' || scan_string(c) != 0)
                return -EINVAL;
            match = key && c->pos - 1 - kstart == strlen(key) &&
                    memcmp(c->s + kstart, key, strlen(key)) == 0;
            skip_ws(c);
            if (peek(c) != ':')
                return -EINVAL;
            c->pos++;
            skip_ws(c);
        }
        if (scan_value(c, depth + 1, &v) != 0)
            return -EINVAL;
        if (match) {
            *found = v;
            *hit = 1;
        }
        skip_ws(c);
        if (peek(c) == ',') {
            c->pos++;
            continue;
        }
        if (peek(c) == close) {
            c->pos++;
            return 0;
        }
        return -EINVAL;
    }
}

static int scan_value(struct scan *c, int depth, struct json_value *v)
{
    size_t start;
    int r, ch, hit = 0;
    struct json_value ignored;

    if (depth > JSON_MAX_DEPTH)
        return -EINVAL;
    skip_ws(c);
    start = c->pos;
    memset(v, 0, sizeof(*v));
    ch = peek(c);
    if (ch == '{') {
        v->type = JSON_OBJECT;
        r = scan_container(c, depth, 1, NULL, &ignored, &hit);
    } else if (ch == '[') {
        v->type = JSON_ARRAY;
        r = scan_container(c, depth, 0, NULL, &ignored, &hit);
    } else if (ch == '"') {
        v->type = JSON_STRING;
        r = scan_string(c);
    } else if (ch == 't' || ch == 'f') {
        v->type = JSON_BOOL;
        v->boolean = ch == 't';
        r = scan_literal(c, ch == 't' ? "true" : "false");
    } else if (ch == 'n') {
        v->type = JSON_NULL;
        r = scan_literal(c, "null");
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
        v->type = JSON_NUMBER;
        r = scan_number(c, v);
    } else {
        r = -EINVAL;
    }
    v->text = c->s + start;
    v->len = c->pos - start;
    return r;
}

int json_validate(const char *doc, size_t len)
{
    struct scan c = {doc, len, 0};
    struct json_value v;

    if (scan_value(&c, 0, &v) != 0)
        return -EINVAL;
    skip_ws(&c);
    return c.pos == len ? 0 : -EINVAL;
}

int json_object_get(const char *doc, size_t len, const char *key,
                    struct json_value *out)
{
    struct scan c = {doc, len, 0};
    int hit = 0;

    skip_ws(&c);
    if (peek(&c) != '{')
        return -EINVAL;
    if (scan_container(&c, 1, 1, key, out, &hit) != 0)
        return -EINVAL;
    skip_ws(&c);
    if (c.pos != len)
        return -EINVAL;
    return hit ? 0 : -ENOENT;
}

int json_array_next(const struct json_value *arr, size_t *pos,
                    struct json_value *elem)
{
    struct scan c = {arr->text, arr->len, *pos};

    if (arr->type != JSON_ARRAY || arr->len < 2)
        return -EINVAL;
    if (c.pos == 0) {
        c.pos = 1; /* past '[' */
        skip_ws(&c);
    } else {
        skip_ws(&c);
        if (peek(&c) == ',') {
            c.pos++;
            skip_ws(&c);
        } else if (peek(&c) != ']') {
            return -EINVAL;
        }
    }
    if (peek(&c) == ']')
        return -ENOENT;
    if (scan_value(&c, 1, elem) != 0)
        return -EINVAL;
    *pos = c.pos;
    return 0;
}
