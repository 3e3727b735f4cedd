// SPDX-License-Identifier: MIT
/*
 * apps/kvstore/kvproto.c - framing and parsing of the kvstore's line
 * protocol (described in kvproto.h).
 *
 * Pure code over caller-owned buffers: no allocation, no I/O. The input
 * buffer remembers how far it has already searched for a newline, so a
 * line that trickles in byte by byte is not rescanned from its start on
 * every receive (no quadratic cost for slow clients).
 */
#include "kvproto.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

void kvproto_parse(const char *line, size_t len, struct kvproto_cmd *cmd)
{
    const char *w[4];
    size_t wl[4], nw = 0, i = 0;

    memset(cmd, 0, sizeof(*cmd));
    if (len > 0 && line[len - 1] == '\r')
        len--;
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)line[k];

        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            cmd->op = KVPROTO_ERR;
            cmd->err = "control byte in line";
            return;
        }
    }
    while (i < len) {
        size_t start;

        while (i < len && is_blank(line[i]))
            i++;
        if (i == len)
            break;
        start = i;
        while (i < len && !is_blank(line[i]))
            i++;
        if (nw == 4) {
            cmd->op = KVPROTO_ERR;
            cmd->err = "wrong number of arguments";
            return;
        }
        w[nw] = line + start;
        wl[nw++] = i - start;
    }
    if (nw == 0) {
        cmd->op = KVPROTO_NONE;
        return;
    }
    static const struct {
        const char *name;
        enum kvproto_op op;
        size_t args;
    } cmds[] = {
        {"PUT", KVPROTO_PUT, 2},     {"GET", KVPROTO_GET, 1},
        {"DEL", KVPROTO_DEL, 1},     {"COUNT", KVPROTO_COUNT, 0},
        {"STATS", KVPROTO_STATS, 0},
    };
    for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
        if (wl[0] != strlen(cmds[c].name) ||
            strncasecmp(w[0], cmds[c].name, wl[0]) != 0)
            continue;
        cmd->op = KVPROTO_ERR;
        if (nw - 1 != cmds[c].args)
            cmd->err = "wrong number of arguments";
        else if (nw > 1 && wl[1] > KVLOG_KEY_MAX)
            cmd->err = "key too long";
        else if (nw > 2 && wl[2] > KVLOG_VALUE_MAX)
            cmd->err = "value too long";
        else
            cmd->op = cmds[c].op;
        if (nw > 1) {
            cmd->key = w[1];
            cmd->klen = wl[1];
        }
        if (nw > 2) {
            cmd->val = w[2];
            cmd->vlen = wl[2];
        }
        return;
    }
    cmd->op = KVPROTO_ERR;
    cmd->err = "unknown command";
}

void kvproto_in_init(struct kvproto_in *in)
{
    in->start = in->end = in->scanned = 0;
    in->discarding = 0;
}

char *kvproto_in_space(struct kvproto_in *in, size_t *room)
{
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    *room = sizeof(in->buf) - in->end;
    return in->buf + in->end;
}

void kvproto_in_added(struct kvproto_in *in, size_t n)
{
    in->end += n;
}

int kvproto_in_peek(struct kvproto_in *in, const char **line, size_t *len)
{
    for (;;) {
        const char *p = in->buf + in->start;
        size_t have = in->end - in->start;
        const char *nl = memchr(p + in->scanned, '\n', have - in->scanned);

        if (!nl) {
            in->scanned = have;
            if (have < sizeof(in->buf))
                return 0;
            /* A full buffer without a newline: longer than any valid
             * request. Drop it, and the rest of the line as it comes. */
            in->start = in->end = in->scanned = 0;
            if (in->discarding)
                return 0;
            in->discarding = 1;
            return -EMSGSIZE;
        }
        if (in->discarding) {
            /* The tail of an overlong line that was already answered. */
            in->start += (size_t)(nl - p) + 1;
            in->scanned = 0;
            in->discarding = 0;
            continue;
        }
        *line = p;
        *len = (size_t)(nl - p);
        return 1;
    }
}

int kvproto_in_ready(const struct kvproto_in *in)
{
    size_t have = in->end - in->start;

    if (have == sizeof(in->buf))
        return 1;
    return memchr(in->buf + in->start + in->scanned, '\n',
                  have - in->scanned) != NULL;
}

size_t kvproto_in_room(const struct kvproto_in *in)
{
    return sizeof(in->buf) - (in->end - in->start);
}

void kvproto_in_consume(struct kvproto_in *in, size_t len)
{
    in->start += len + 1;
    in->scanned = 0;
    if (in->start == in->end)
        in->start = in->end = 0;
}
