// SPDX-License-Identifier: MIT
/*
 * apps/kvstore/kvlog.h - on-disk format of the kvstore log: superblock,
 * records, CRC32C.
 *
 * The disk holds a superblock in its first sector and, from log_start on,
 * an append-only sequence of records. Every record begins on a multiple
 * of `align` (the disk's physical sector size, fixed at format time) and
 * is zero-padded to the next one, so appending never rewrites a sector
 * that holds an acknowledged record: a torn write can only damage records
 * that were never acknowledged. A record carries the log's random id and
 * a sequence number that must be exactly the previous one plus one, and
 * a CRC32C (Castagnoli) over everything after its magic and checksum, so
 * a torn, zeroed, stale (older log generation) or garbage record is
 * detected and the log ends right before it. Everything here is pure
 * (buffers in, buffers out) and little-endian on disk, so the host tests
 * exercise exactly the guest's code. Format (byte offsets):
 *
 *   superblock: 0 magic "XNKV" | 4 crc32c of [8,64) | 8 version | 12 align
 *               | 16 log_id | 24 created (unix s) | 32 log_start
 *               | 40 disk bytes at format | 48..64 zero
 *   record:     0 magic "KVR1" | 4 crc32c of [8,32+klen+vlen) | 8 log_id
 *               | 16 seq | 24 type (1 put, 2 del) | 25 zero | 26 klen u16
 *               | 28 vlen u32 | 32 key | value | zeros up to align
 */
#ifndef KVSTORE_KVLOG_H
#define KVSTORE_KVLOG_H

#include <stddef.h>
#include <stdint.h>

#define KVLOG_SB_MAGIC  0x564b4e58u /* "XNKV" little-endian */
#define KVLOG_REC_MAGIC 0x3152564bu /* "KVR1" little-endian */
#define KVLOG_VERSION   1u
#define KVLOG_SB_SIZE   64u
#define KVLOG_HDR_SIZE  32u
#define KVLOG_KEY_MAX   255u   /* bytes; keys are 1..KVLOG_KEY_MAX */
#define KVLOG_VALUE_MAX 16384u /* bytes; values are 0..KVLOG_VALUE_MAX */
/* Smallest and largest record alignment (physical sector size). */
#define KVLOG_ALIGN_MIN 512u
#define KVLOG_ALIGN_MAX 65536u

enum kvlog_type {
    KVLOG_PUT = 1,
    KVLOG_DEL = 2,
};

struct kvlog_sb {
    uint32_t version;
    uint32_t align;
    uint64_t log_id;
    uint64_t created;
    uint64_t log_start;
    uint64_t disk_bytes;
};

/* A decoded record; key and value point into the caller's buffer. */
struct kvlog_rec {
    uint64_t seq;
    enum kvlog_type type;
    const uint8_t *key;
    uint16_t klen;
    const uint8_t *val;
    uint32_t vlen;
    size_t span; /* bytes on disk, padding included */
};

/* CRC32C of len bytes, continuing from crc (start with 0). */
uint32_t kvlog_crc32c(uint32_t crc, const void *buf, size_t len);

/* Bytes a record with klen + vlen takes on disk at alignment align. */
size_t kvlog_rec_span(size_t klen, size_t vlen, uint32_t align);

/* Write sb into out[KVLOG_SB_SIZE]. */
void kvlog_sb_encode(const struct kvlog_sb *sb, uint8_t *out);

/*
 * Parse a superblock. 0, -ENOENT (no superblock magic: an unformatted
 * disk), -EILSEQ (magic present but checksum, version or fields wrong:
 * a damaged store that must not be formatted over).
 */
int kvlog_sb_decode(const uint8_t *in, struct kvlog_sb *sb);

/*
 * Encode one record into out, which must hold kvlog_rec_span() bytes
 * (padding is zeroed). Returns the span, or -EINVAL for a bad type, an
 * empty or oversized key, an oversized value, or a DEL with a value.
 */
long kvlog_rec_encode(uint8_t *out, uint32_t align, uint64_t log_id,
                      uint64_t seq, enum kvlog_type type, const void *key,
                      size_t klen, const void *val, size_t vlen);

/*
 * Decode the record at the start of buf (avail bytes readable there),
 * which must belong to log log_id and carry sequence number seq.
 * Returns 0 with *rec filled, -EAGAIN when the header is valid so far but
 * the record needs more than avail bytes (read more and call again; at
 * the end of the disk this means a torn record), or -EBADMSG for
 * anything else: the end of the log.
 */
int kvlog_rec_decode(const uint8_t *buf, size_t avail, uint32_t align,
                     uint64_t log_id, uint64_t seq, struct kvlog_rec *rec);

#endif /* KVSTORE_KVLOG_H */
