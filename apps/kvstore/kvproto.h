// SPDX-License-Identifier: MIT
/*
 * apps/kvstore/kvproto.h - the kvstore's line protocol: framing and
 * command parsing.
 *
 * One request per line, words separated by blanks, optional "\r" before
 * the "\n": `PUT key value` -> `OK` (sent only once the write is
 * durable), `GET key` -> `VALUE value` | `NOTFOUND`, `DEL key` -> `OK` |
 * `NOTFOUND`, `COUNT` -> a decimal number, `STATS` -> one line of
 * `name=value` pairs; anything else -> `ERR reason`. Command names are
 * case-insensitive. Keys are 1..KVLOG_KEY_MAX bytes, values
 * 1..KVLOG_VALUE_MAX bytes, neither containing blanks or control bytes
 * (binary-unsafe by design). Design: framing is a pure byte buffer per
 * connection with a fixed capacity of one maximal line, so a client can
 * never make the server buffer more; an overlong line is dropped up to
 * its newline and answered with one `ERR line too long`.
 */
#ifndef KVSTORE_KVPROTO_H
#define KVSTORE_KVPROTO_H

#include <stddef.h>

#include "kvlog.h"

/* PUT, blank, key, blank, value, CR */
#define KVPROTO_LINE_MAX (4 + KVLOG_KEY_MAX + 1 + KVLOG_VALUE_MAX + 1)
#define KVPROTO_IN_SIZE  (KVPROTO_LINE_MAX + 1)

enum kvproto_op {
    KVPROTO_NONE, /* empty line: no answer */
    KVPROTO_PUT,
    KVPROTO_GET,
    KVPROTO_DEL,
    KVPROTO_COUNT,
    KVPROTO_STATS,
    KVPROTO_ERR, /* err holds the reason */
};

struct kvproto_cmd {
    enum kvproto_op op;
    const char *key, *val; /* point into the line */
    size_t klen, vlen;
    const char *err;
};

/* Parse one line (no "\n"; a trailing "\r" is ignored). */
void kvproto_parse(const char *line, size_t len, struct kvproto_cmd *cmd);

/* A connection's input: bytes received and not yet consumed. */
struct kvproto_in {
    char buf[KVPROTO_IN_SIZE];
    size_t start, end; /* unconsumed bytes are buf[start, end) */
    size_t scanned;    /* bytes after start known to hold no '\n' */
    int discarding;    /* inside an overlong line: drop to its '\n' */
};

void kvproto_in_init(struct kvproto_in *in);

/* Where to receive into (compacting first); *room 0 when full. */
char *kvproto_in_space(struct kvproto_in *in, size_t *room);
void kvproto_in_added(struct kvproto_in *in, size_t n);

/*
 * The next complete line, without consuming it: 1 with *line and *len set
 * (no "\n"), 0 when no complete line is buffered, -EMSGSIZE once per
 * overlong line (already dropped; answer with an error).
 */
int kvproto_in_peek(struct kvproto_in *in, const char **line, size_t *len);

/*
 * Non-zero when kvproto_in_peek() has something to return (a complete
 * line, or an overlong one to report); changes nothing.
 */
int kvproto_in_ready(const struct kvproto_in *in);

/* Bytes that can still be received (after compaction). */
size_t kvproto_in_room(const struct kvproto_in *in);

/* Consume the line kvproto_in_peek() returned. */
void kvproto_in_consume(struct kvproto_in *in, size_t len);

#endif /* KVSTORE_KVPROTO_H */
