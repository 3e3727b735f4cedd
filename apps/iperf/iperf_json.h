// SPDX-License-Identifier: MIT
/*
 * iperf_json.h - a tiny JSON writer and reader for the iperf3 control
 * protocol.
 *
 * The iperf3 client exchanges two small JSON objects with the server
 * (test parameters, then results), so this is not a general JSON library:
 * the writer appends to a caller-supplied buffer (objects, arrays,
 * integers, fixed-point decimals, booleans, escaped strings) and the
 * reader validates a whole document and looks up members of its top-level
 * object without building a tree or allocating. Input comes from the
 * network: every path is bounded (length, nesting depth) and malformed
 * text is an error, never undefined behaviour. Grammar reference:
 * RFC 8259.
 */
#ifndef IPERF_IPERF_JSON_H
#define IPERF_IPERF_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

/* ------------------------------------------------------------ writer */

struct json_writer {
    char *buf;
    size_t cap, len;
    int err; /* sticky: -ENOSPC, or -EINVAL for misuse */
    int depth;
    unsigned char need_comma[JSON_MAX_DEPTH];
};

void json_writer_init(struct json_writer *w, char *buf, size_t cap);
/* key is the member name inside an object, NULL inside an array/top. */
void json_begin_object(struct json_writer *w, const char *key);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w, const char *key);
void json_end_array(struct json_writer *w);
void json_int(struct json_writer *w, const char *key, int64_t v);
/* A decimal with six fraction digits: micros 1500000 -> 1.500000. */
void json_fixed6(struct json_writer *w, const char *key, int64_t micros);
void json_bool(struct json_writer *w, const char *key, int v);
void json_string(struct json_writer *w, const char *key, const char *s);
/* Length of the finished, NUL-terminated document, or the sticky error
 * (also -EINVAL if an object or array is still open). */
int json_writer_finish(struct json_writer *w);

/* ------------------------------------------------------------ reader */

enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_OBJECT,
    JSON_ARRAY,
};

struct json_value {
    enum json_type type;
    const char *text; /* the value's bytes in the document */
    size_t len;
    int boolean;     /* JSON_BOOL */
    int is_integer;  /* JSON_NUMBER without fraction/exponent, fits */
    int64_t integer; /* valid when is_integer */
};

/* 0 if doc[0..len) is exactly one JSON value (plus whitespace). */
int json_validate(const char *doc, size_t len);

/*
 * Find member `key` of the top-level object of a valid document.
 * Returns 0 and fills *out, -ENOENT if absent, -EINVAL if the document is
 * malformed or not an object. With duplicate keys the last one wins.
 */
int json_object_get(const char *doc, size_t len, const char *key,
                    struct json_value *out);

/*
 * Iterate over the elements of an array value found by json_object_get.
 * Start with *pos = 0; each call returns 0 and the next element, -ENOENT
 * after the last one, -EINVAL if arr is not a well-formed array.
 */
int json_array_next(const struct json_value *arr, size_t *pos,
                    struct json_value *elem);

#endif /* IPERF_IPERF_JSON_H */
