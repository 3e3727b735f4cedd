// SPDX-License-Identifier: MIT
/*
 * apps/kvstore/kvlog.c - encode and decode the kvstore's superblock and
 * log records, and the CRC32C that guards them.
 *
 * Pure functions over byte buffers (format described in kvlog.h). The
 * decoder trusts nothing it reads: every length is bounded before it is
 * used, the checksum is verified before any field is acted on, and a
 * record of another log or with an unexpected sequence number ends the
 * log exactly like garbage does. CRC32C (polynomial 0x1EDC6F41, reflected
 * 0x82F63B78, initial and final XOR ~0, RFC 3720 appendix B.4) is
 * computed bytewise from a 256-entry table built on first use; it is not
 * the bottleneck next to a disk flush.
 */
#include "kvlog.h"

#include <errno.h>
#include <string.h>

static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;

        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = 1;
}

uint32_t kvlog_crc32c(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (!crc_ready)
        crc_init();
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* Little-endian accessors: the format does not depend on the host. */
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int align_ok(uint32_t align)
{
    return align >= KVLOG_ALIGN_MIN && align <= KVLOG_ALIGN_MAX &&
           (align & (align - 1)) == 0;
}

size_t kvlog_rec_span(size_t klen, size_t vlen, uint32_t align)
{
    size_t n = KVLOG_HDR_SIZE + klen + vlen;

    return (n + align - 1) & ~((size_t)align - 1);
}

void kvlog_sb_encode(const struct kvlog_sb *sb, uint8_t *out)
{
    memset(out, 0, KVLOG_SB_SIZE);
    put32(out, KVLOG_SB_MAGIC);
    put32(out + 8, sb->version);
    put32(out + 12, sb->align);
    put64(out + 16, sb->log_id);
    put64(out + 24, sb->created);
    put64(out + 32, sb->log_start);
    put64(out + 40, sb->disk_bytes);
    put32(out + 4, kvlog_crc32c(0, out + 8, KVLOG_SB_SIZE - 8));
}

int kvlog_sb_decode(const uint8_t *in, struct kvlog_sb *sb)
{
    if (get32(in) != KVLOG_SB_MAGIC)
        return -ENOENT;
    if (get32(in + 4) != kvlog_crc32c(0, in + 8, KVLOG_SB_SIZE - 8))
        return -EILSEQ;
    sb->version = get32(in + 8);
    sb->align = get32(in + 12);
    sb->log_id = get64(in + 16);
    sb->created = get64(in + 24);
    sb->log_start = get64(in + 32);
    sb->disk_bytes = get64(in + 40);
    /* A checksummed superblock with impossible fields is a bug or a newer
     * format: refuse rather than guess. */
    if (sb->version != KVLOG_VERSION || !align_ok(sb->align) ||
        sb->log_start < KVLOG_SB_SIZE || sb->log_start % sb->align != 0)
        return -EILSEQ;
    return 0;
}

long kvlog_rec_encode(uint8_t *out, uint32_t align, uint64_t log_id,
                      uint64_t seq, enum kvlog_type type, const void *key,
                      size_t klen, const void *val, size_t vlen)
{
    size_t span;

    if (!align_ok(align) || (type != KVLOG_PUT && type != KVLOG_DEL) ||
        klen == 0 || klen > KVLOG_KEY_MAX || vlen > KVLOG_VALUE_MAX ||
        (type == KVLOG_DEL && vlen != 0))
        return -EINVAL;
    span = kvlog_rec_span(klen, vlen, align);
    memset(out, 0, span);
    put32(out, KVLOG_REC_MAGIC);
    put64(out + 8, log_id);
    put64(out + 16, seq);
    out[24] = (uint8_t)type;
    put16(out + 26, (uint16_t)klen);
    put32(out + 28, (uint32_t)vlen);
    memcpy(out + KVLOG_HDR_SIZE, key, klen);
    if (vlen)
        memcpy(out + KVLOG_HDR_SIZE + klen, val, vlen);
    put32(out + 4, kvlog_crc32c(0, out + 8, KVLOG_HDR_SIZE - 8 + klen + vlen));
    return (long)span;
}

int kvlog_rec_decode(const uint8_t *buf, size_t avail, uint32_t align,
                     uint64_t log_id, uint64_t seq, struct kvlog_rec *rec)
{
    uint16_t klen;
    uint32_t vlen;
    uint8_t type;

    if (avail < KVLOG_HDR_SIZE)
        return -EAGAIN;
    /* Cheap checks first: a zeroed or foreign sector fails here without
     * a checksum over a length we could not trust yet. */
    if (get32(buf) != KVLOG_REC_MAGIC || get64(buf + 8) != log_id ||
        get64(buf + 16) != seq)
        return -EBADMSG;
    type = buf[24];
    klen = get16(buf + 26);
    vlen = get32(buf + 28);
    if ((type != KVLOG_PUT && type != KVLOG_DEL) || buf[25] != 0 || klen == 0 ||
        klen > KVLOG_KEY_MAX || vlen > KVLOG_VALUE_MAX ||
        (type == KVLOG_DEL && vlen != 0))
        return -EBADMSG;
    if (avail < KVLOG_HDR_SIZE + (size_t)klen + vlen)
        return -EAGAIN;
    if (get32(buf + 4) !=
        kvlog_crc32c(0, buf + 8, KVLOG_HDR_SIZE - 8 + (size_t)klen + vlen))
        return -EBADMSG;
    rec->seq = seq;
    rec->type = (enum kvlog_type)type;
    rec->key = buf + KVLOG_HDR_SIZE;
    rec->klen = klen;
    rec->val = buf + KVLOG_HDR_SIZE + klen;
    rec->vlen = vlen;
    rec->span = kvlog_rec_span(klen, vlen, align);
    return 0;
}
