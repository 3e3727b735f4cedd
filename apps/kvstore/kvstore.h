// SPDX-License-Identifier: MIT
/*
 * apps/kvstore/kvstore.h - a durable key-value store on a raw disk:
 * recovery, group commit and the in-memory index.
 *
 * The store is the log of kvlog.h on a disk reached only through the
 * three callbacks of struct kvstore_dev (read, write, flush at byte
 * offsets that are multiples of dev->align), so the same code runs on
 * blkfront in the guest and on a RAM disk with fault injection in the
 * host tests. Design choices: the whole data set lives in memory (a
 * chained hash table holding each key with its value), so a GET never
 * touches the disk and memory bounds the data set, not the disk; writes
 * are staged into one contiguous batch buffer (group commit) and become
 * visible to GET only when kvstore_commit() has written AND flushed the
 * batch, so nothing is ever acknowledged or read before it is durable;
 * opening scans the log from its start until the first record that does
 * not decode (torn, zeroed, garbage, stale, or a corrupted middle record:
 * everything after it is ignored) and then overwrites the area a crashed
 * batch may have left behind with zeros, so an old unacknowledged record
 * can never be resurrected behind newer ones. A failed write or flush
 * leaves the disk contents unknown: the store turns read-only until it
 * is reopened. No compaction: a full log refuses writes with -ENOSPC.
 */
#ifndef KVSTORE_KVSTORE_H
#define KVSTORE_KVSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "kvlog.h"

/* The largest batch (bytes) one commit writes; also the tail zeroed on
 * open. A single record always fits. */
#define KVSTORE_BATCH_MAX (512u * 1024u)

struct kvstore_dev {
    void *ctx;
    uint64_t size;  /* bytes */
    uint32_t align; /* physical sector size: unit of every offset/length */
    int (*read)(void *ctx, uint64_t off, void *buf, size_t len);
    int (*write)(void *ctx, uint64_t off, const void *buf, size_t len);
    int (*flush)(void *ctx);
    /* TEST ONLY (kvstore.test-noflush on the command line): commit
     * writes a batch without flushing it, so acknowledged puts are not
     * durable. The flush tests prove with it that they can fail. */
    int commit_noflush;
};

struct kvstore_entry; /* private */

struct kvstore_stats {
    uint64_t keys;
    uint64_t live_bytes;   /* key + value bytes held in memory */
    uint64_t log_bytes;    /* bytes of log in use */
    uint64_t log_capacity; /* bytes the log may grow to */
    uint64_t next_seq;     /* sequence number of the next record */
    uint64_t recovered;    /* records replayed by kvstore_open */
    uint64_t puts, dels, gets;
    uint64_t commits;   /* write+flush rounds */
    uint64_t records;   /* records written by commits */
    uint64_t formatted; /* 1 if kvstore_open formatted the disk */
};

struct kvstore {
    struct kvstore_dev dev;
    struct kvlog_sb sb;
    uint64_t tail; /* disk offset of the next record */
    uint64_t next_seq;
    int broken; /* a write/flush failed: read-only until reopened */
    /* hash index */
    struct kvstore_entry **buckets;
    size_t nbuckets; /* power of two */
    /* staged batch */
    uint8_t *batch;
    size_t batch_len;
    struct kvstore_staged *staged;
    size_t nstaged;
    struct kvstore_stats st;
};

/*
 * Open the store on dev: read the superblock (formatting an unformatted
 * disk with log id new_log_id and creation time now), replay the log
 * into memory and clear the tail. Errors: -EINVAL (bad geometry, disk too
 * small), -EILSEQ (damaged superblock, or one written for an alignment
 * this disk cannot address), -ENOMEM, or the device's error.
 */
int kvstore_open(struct kvstore *s, const struct kvstore_dev *dev,
                 uint64_t new_log_id, uint64_t now);

/* Free everything (staged operations are dropped, never written). */
void kvstore_close(struct kvstore *s);

/*
 * Stage a PUT / DEL in the current batch. Nothing is visible or durable
 * until kvstore_commit() returns 0. Errors: -EINVAL (empty or oversized
 * key, oversized value), -ENOSPC (the log is full), -EAGAIN (the batch
 * is full: commit first), -ENOMEM, -EROFS (broken). kvstore_stage_del
 * returns -ENOENT, staging nothing, when the key is absent (staged
 * operations included).
 */
int kvstore_stage_put(struct kvstore *s, const void *key, size_t klen,
                      const void *val, size_t vlen);
int kvstore_stage_del(struct kvstore *s, const void *key, size_t klen);

/* Operations staged and not yet committed. */
size_t kvstore_staged(const struct kvstore *s);

/*
 * Write the batch and flush the disk; only then apply it to the index.
 * 0 (also for an empty batch), or the device's error: the batch is then
 * dropped and the store is broken (-EROFS for every later stage).
 */
int kvstore_commit(struct kvstore *s);

/*
 * Look key up among committed data. 0 with *val and *vlen pointing into the
 * store (valid until the next commit or close), or -ENOENT.
 */
int kvstore_get(struct kvstore *s, const void *key, size_t klen,
                const uint8_t **val, size_t *vlen);

void kvstore_stats(const struct kvstore *s, struct kvstore_stats *st);

#endif /* KVSTORE_KVSTORE_H */
