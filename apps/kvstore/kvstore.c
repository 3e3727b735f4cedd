// SPDX-License-Identifier: MIT
/*
 * apps/kvstore/kvstore.c - recovery, group commit and the hash index of
 * the kvstore (contract in kvstore.h, disk format in kvlog.h).
 *
 * Recovery reads the log through a 1 MiB window that always starts on a
 * record boundary, so any record (at most a few sectors) is decoded from
 * one contiguous buffer. Group commit encodes staged records straight
 * into the batch buffer at their final disk layout, so a commit is one
 * write at the log tail followed by one flush; the index entries for
 * staged PUTs are allocated at staging time, so applying a batch that is
 * already durable can no longer fail for lack of memory.
 */
#include "kvstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_WINDOW (1024u * 1024u)
#define LOG_START   4096u

struct kvstore_entry {
    struct kvstore_entry *next;
    uint64_t hash;
    uint32_t vlen;
    uint16_t klen;
    uint8_t data[]; /* key, then value */
};

struct kvstore_staged {
    enum kvlog_type type;
    size_t off;              /* record's offset in the batch */
    struct kvstore_entry *e; /* PUT: the entry to link in */
    uint64_t hash;
};

/* Each staged record takes at least one KVLOG_ALIGN_MIN sector. */
#define STAGED_MAX (KVSTORE_BATCH_MAX / KVLOG_ALIGN_MIN)

static uint64_t key_hash(const void *key, size_t klen)
{
    const uint8_t *p = key;
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

    for (size_t i = 0; i < klen; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static struct kvstore_entry **index_slot(struct kvstore *s, const void *key,
                                         size_t klen, uint64_t h)
{
    struct kvstore_entry **pp = &s->buckets[h & (s->nbuckets - 1)];

    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->hash == h && (*pp)->klen == klen &&
            memcmp((*pp)->data, key, klen) == 0)
            break;
    return pp;
}

static void index_grow(struct kvstore *s)
{
    size_t n = s->nbuckets * 2;
    struct kvstore_entry **nb = calloc(n, sizeof(*nb));

    if (!nb)
        return; /* chains get longer; lookups stay correct */
    for (size_t i = 0; i < s->nbuckets; i++) {
        struct kvstore_entry *e = s->buckets[i], *next;

        for (; e; e = next) {
            next = e->next;
            e->next = nb[e->hash & (n - 1)];
            nb[e->hash & (n - 1)] = e;
        }
    }
    free(s->buckets);
    s->buckets = nb;
    s->nbuckets = n;
}

/* Link e in place of any entry with the same key (freed). */
static void index_put(struct kvstore *s, struct kvstore_entry *e)
{
    struct kvstore_entry **pp = index_slot(s, e->data, e->klen, e->hash);

    if (*pp) {
        struct kvstore_entry *old = *pp;

        e->next = old->next;
        s->st.live_bytes -= old->klen + old->vlen;
        free(old);
    } else {
        e->next = NULL;
        s->st.keys++;
    }
    *pp = e;
    s->st.live_bytes += e->klen + e->vlen;
    if (s->st.keys > s->nbuckets - s->nbuckets / 4)
        index_grow(s);
}

static void index_del(struct kvstore *s, const void *key, size_t klen,
                      uint64_t h)
{
    struct kvstore_entry **pp = index_slot(s, key, klen, h), *e = *pp;

    if (!e)
        return;
    *pp = e->next;
    s->st.keys--;
    s->st.live_bytes -= e->klen + e->vlen;
    free(e);
}

static struct kvstore_entry *entry_new(const void *key, size_t klen,
                                       const void *val, size_t vlen)
{
    struct kvstore_entry *e = malloc(sizeof(*e) + klen + vlen);

    if (!e)
        return NULL;
    e->next = NULL;
    e->hash = key_hash(key, klen);
    e->klen = (uint16_t)klen;
    e->vlen = (uint32_t)vlen;
    memcpy(e->data, key, klen);
    if (vlen)
        memcpy(e->data + klen, val, vlen);
    return e;
}

/* Write zeros over [off, off + len) and flush; len a multiple of align. */
static int zero_range(struct kvstore *s, uint64_t off, size_t len)
{
    int rc = 0;

    /* Only what is written (the tail zone of a small disk is small). */
    memset(s->batch, 0, len < KVSTORE_BATCH_MAX ? len : KVSTORE_BATCH_MAX);
    while (len > 0 && rc == 0) {
        size_t n = len < KVSTORE_BATCH_MAX ? len : KVSTORE_BATCH_MAX;

        rc = s->dev.write(s->dev.ctx, off, s->batch, n);
        off += n;
        len -= n;
    }
    return rc ? rc : s->dev.flush(s->dev.ctx);
}

/* Bytes from off to the end of the zone open clears (disk end bound). */
static size_t tail_zone(const struct kvstore *s, uint64_t off)
{
    uint64_t left = s->dev.size - off;

    return left < KVSTORE_BATCH_MAX ? (size_t)left : KVSTORE_BATCH_MAX;
}

static int format(struct kvstore *s, uint64_t log_id, uint64_t now)
{
    uint8_t *sec;
    int rc;

    s->sb = (struct kvlog_sb){
        .version = KVLOG_VERSION,
        .align = s->dev.align,
        .log_id = log_id,
        .created = now,
        .log_start = LOG_START > s->dev.align ? LOG_START : s->dev.align,
        .disk_bytes = s->dev.size,
    };
    if (s->sb.log_start + s->dev.align > s->dev.size)
        return -EINVAL;
    /* Log area first, superblock last: a crash in between leaves an
     * unformatted disk, never a superblock over stale records. */
    rc = zero_range(s, s->sb.log_start, tail_zone(s, s->sb.log_start));
    if (rc)
        return rc;
    sec = calloc(1, s->dev.align);
    if (!sec)
        return -ENOMEM;
    kvlog_sb_encode(&s->sb, sec);
    rc = s->dev.write(s->dev.ctx, 0, sec, s->dev.align);
    free(sec);
    if (rc == 0)
        rc = s->dev.flush(s->dev.ctx);
    s->st.formatted = 1;
    return rc;
}

static int replay(struct kvstore *s, const struct kvlog_rec *r)
{
    if (r->type == KVLOG_DEL) {
        index_del(s, r->key, r->klen, key_hash(r->key, r->klen));
        return 0;
    }
    struct kvstore_entry *e = entry_new(r->key, r->klen, r->val, r->vlen);

    if (!e)
        return -ENOMEM;
    index_put(s, e);
    return 0;
}

/* Replay records from log_start until the first one that does not
 * decode; leaves s->tail and s->next_seq after the last good one. */
static int scan(struct kvstore *s)
{
    /* A window never reads past the disk's end: no bigger than it. */
    uint8_t *win = malloc(s->dev.size < SCAN_WINDOW ? (size_t)s->dev.size
                                                    : SCAN_WINDOW);
    uint64_t pos = s->sb.log_start, seq = 1, win_off = 0, win_len = 0;
    int rc = 0;

    if (!win)
        return -ENOMEM;
    while (pos < s->dev.size) {
        struct kvlog_rec r;
        size_t have = 0;

        if (pos >= win_off && pos < win_off + win_len)
            have = (size_t)(win_off + win_len - pos);
        rc = kvlog_rec_decode(win + (pos - win_off), have, s->sb.align,
                              s->sb.log_id, seq, &r);
        if (rc == -EAGAIN) {
            rc = 0;
            if (win_off == pos && win_len > 0)
                break; /* a whole window did not hold it: torn at disk end */
            win_off = pos;
            win_len = s->dev.size - pos;
            if (win_len > SCAN_WINDOW)
                win_len = SCAN_WINDOW;
            rc = s->dev.read(s->dev.ctx, win_off, win, (size_t)win_len);
            if (rc)
                break;
            continue;
        }
        if (rc) {
            rc = 0; /* -EBADMSG: the end of the log */
            break;
        }
        rc = replay(s, &r);
        if (rc)
            break;
        pos += r.span;
        seq++;
    }
    free(win);
    s->tail = pos;
    s->next_seq = seq;
    s->st.recovered = seq - 1;
    return rc;
}

int kvstore_open(struct kvstore *s, const struct kvstore_dev *dev,
                 uint64_t new_log_id, uint64_t now)
{
    uint8_t *sec = NULL;
    int rc;

    memset(s, 0, sizeof(*s));
    s->dev = *dev;
    if (dev->align < KVLOG_ALIGN_MIN || dev->align > KVLOG_ALIGN_MAX ||
        (dev->align & (dev->align - 1)) || !dev->read || !dev->write ||
        !dev->flush)
        return -EINVAL;
    s->dev.size &= ~(uint64_t)(dev->align - 1);
    if (s->dev.size < (uint64_t)dev->align * 2)
        return -EINVAL;
    s->nbuckets = 64; /* grows with the keys (index_put) */
    s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
    /* A batch never outgrows the disk (stage's -ENOSPC comes first), nor
     * does a zeroed tail zone: a small disk gets a small buffer. */
    s->batch = malloc(s->dev.size < KVSTORE_BATCH_MAX ? (size_t)s->dev.size
                                                      : KVSTORE_BATCH_MAX);
    s->staged = calloc(STAGED_MAX, sizeof(*s->staged));
    sec = malloc(dev->align);
    if (!s->buckets || !s->batch || !s->staged || !sec) {
        rc = -ENOMEM;
        goto fail;
    }
    rc = s->dev.read(s->dev.ctx, 0, sec, dev->align);
    if (rc)
        goto fail;
    rc = kvlog_sb_decode(sec, &s->sb);
    if (rc == -ENOENT)
        rc = format(s, new_log_id, now);
    if (rc)
        goto fail;
    /* Records are aligned to the superblock's unit: this disk must be
     * able to write at that granularity, and the log must fit. */
    if (s->sb.align % dev->align || s->sb.log_start >= s->dev.size) {
        rc = -EILSEQ;
        goto fail;
    }
    rc = scan(s);
    if (rc)
        goto fail;
    /* The last batch before a crash may have left whole records past the
     * first bad one; clear them before appending there. */
    rc = zero_range(s, s->tail, tail_zone(s, s->tail));
    if (rc)
        goto fail;
    free(sec);
    return 0;
fail:
    free(sec);
    kvstore_close(s);
    return rc;
}

static void drop_staged(struct kvstore *s)
{
    for (size_t i = 0; i < s->nstaged; i++)
        free(s->staged[i].e);
    s->nstaged = 0;
    s->batch_len = 0;
}

void kvstore_close(struct kvstore *s)
{
    if (s->staged)
        drop_staged(s);
    for (size_t i = 0; s->buckets && i < s->nbuckets; i++) {
        struct kvstore_entry *e = s->buckets[i], *next;

        for (; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(s->buckets);
    free(s->batch);
    free(s->staged);
    s->buckets = NULL;
    s->batch = NULL;
    s->staged = NULL;
}

/* Room check and encoding shared by PUT and DEL. */
static int stage(struct kvstore *s, enum kvlog_type type, const void *key,
                 size_t klen, const void *val, size_t vlen,
                 struct kvstore_entry *e)
{
    size_t span = kvlog_rec_span(klen, vlen, s->sb.align);
    long n;

    if (s->tail + s->batch_len + span > s->dev.size)
        return -ENOSPC;
    if (s->batch_len + span > KVSTORE_BATCH_MAX || s->nstaged >= STAGED_MAX)
        return -EAGAIN;
    n = kvlog_rec_encode(s->batch + s->batch_len, s->sb.align, s->sb.log_id,
                         s->next_seq + s->nstaged, type, key, klen, val, vlen);
    if (n < 0)
        return (int)n;
    s->staged[s->nstaged++] = (struct kvstore_staged){
        .type = type,
        .off = s->batch_len,
        .e = e,
        .hash = key_hash(key, klen),
    };
    s->batch_len += (size_t)n;
    return 0;
}

static int check_key(const struct kvstore *s, size_t klen)
{
    if (s->broken)
        return -EROFS;
    if (klen == 0 || klen > KVLOG_KEY_MAX)
        return -EINVAL;
    return 0;
}

int kvstore_stage_put(struct kvstore *s, const void *key, size_t klen,
                      const void *val, size_t vlen)
{
    struct kvstore_entry *e;
    int rc = check_key(s, klen);

    if (rc)
        return rc;
    if (vlen > KVLOG_VALUE_MAX)
        return -EINVAL;
    e = entry_new(key, klen, val, vlen);
    if (!e)
        return -ENOMEM;
    rc = stage(s, KVLOG_PUT, key, klen, val, vlen, e);
    if (rc)
        free(e);
    return rc;
}

int kvstore_stage_del(struct kvstore *s, const void *key, size_t klen)
{
    uint64_t h = key_hash(key, klen);
    int rc = check_key(s, klen);
    int found = -1;

    if (rc)
        return rc;
    /* The newest staged operation on the key decides, else the index. */
    for (size_t i = s->nstaged; i-- > 0 && found < 0;) {
        const struct kvstore_staged *st = &s->staged[i];
        const uint8_t *rec = s->batch + st->off;
        size_t sk = (size_t)(rec[26] | rec[27] << 8);

        if (st->hash == h && sk == klen &&
            memcmp(rec + KVLOG_HDR_SIZE, key, klen) == 0)
            found = st->type == KVLOG_PUT;
    }
    if (found < 0)
        found = *index_slot(s, key, klen, h) != NULL;
    if (!found)
        return -ENOENT;
    return stage(s, KVLOG_DEL, key, klen, NULL, 0, NULL);
}

size_t kvstore_staged(const struct kvstore *s)
{
    return s->nstaged;
}

int kvstore_commit(struct kvstore *s)
{
    int rc;

    if (s->nstaged == 0)
        return 0;
    if (s->broken) {
        drop_staged(s);
        return -EROFS;
    }
    rc = s->dev.write(s->dev.ctx, s->tail, s->batch, s->batch_len);
    if (rc == 0 && !s->dev.commit_noflush)
        rc = s->dev.flush(s->dev.ctx);
    if (rc) {
        /* Some of the batch may be on disk, some not: appending behind it
         * could order a stale record after a newer one. Reopen recovers. */
        s->broken = 1;
        drop_staged(s);
        return rc;
    }
    for (size_t i = 0; i < s->nstaged; i++) {
        struct kvstore_staged *st = &s->staged[i];

        if (st->type == KVLOG_PUT) {
            index_put(s, st->e);
            st->e = NULL;
            s->st.puts++;
        } else {
            const uint8_t *rec = s->batch + st->off;

            index_del(s, rec + KVLOG_HDR_SIZE, (size_t)(rec[26] | rec[27] << 8),
                      st->hash);
            s->st.dels++;
        }
    }
    s->tail += s->batch_len;
    s->next_seq += s->nstaged;
    s->st.commits++;
    s->st.records += s->nstaged;
    s->nstaged = 0;
    s->batch_len = 0;
    return 0;
}

int kvstore_get(struct kvstore *s, const void *key, size_t klen,
                const uint8_t **val, size_t *vlen)
{
    struct kvstore_entry *e;

    if (klen == 0 || klen > KVLOG_KEY_MAX)
        return -ENOENT;
    e = *index_slot(s, key, klen, key_hash(key, klen));
    s->st.gets++;
    if (!e)
        return -ENOENT;
    *val = e->data + e->klen;
    *vlen = e->vlen;
    return 0;
}

void kvstore_stats(const struct kvstore *s, struct kvstore_stats *st)
{
    *st = s->st;
    st->log_bytes = s->tail - s->sb.log_start;
    st->log_capacity = s->dev.size - s->sb.log_start;
    st->next_seq = s->next_seq;
}
