// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_kvlog.c - libFuzzer target of kvstore's log decoding
 * and recovery (apps/kvstore/kvlog.c, kvstore_open() in kvstore.c): the
 * fuzzer is the disk, i.e. whatever a crash, a torn write or a hostile
 * dom0 left on it.
 *
 * Design choice: the first byte picks the sector size and one of two
 * disk shapes. Raw: the input is the disk image. Built: a valid
 * superblock plus records encoded from the input (so recovery gets past
 * the CRCs), then input-chosen damage (bit flips at offsets, a torn
 * tail). Checked: a decoded record lies inside the bytes it was given;
 * an undamaged log is recovered completely; after any open that
 * succeeds, a put committed on top survives a reopen with its value and
 * exactly one more record (recovery cleared whatever followed the last
 * good record, so nothing stale is resurrected behind it).
 * Reference: apps/kvstore/kvlog.h (the on-disk format).
 */
#include <errno.h>

#include "fuzz_common.h"
#include "kvlog.h"
#include "kvstore.h"
#include "ramdisk.h"

#define DISK (64u * 1024u)

/* kvlog_rec_decode's promises, on the raw input. */
static void check_decode(const uint8_t *buf, size_t avail, uint32_t align)
{
    struct kvlog_rec r;
    int rc = kvlog_rec_decode(buf, avail, align, 7, 1, &r);

    FUZZ_CHECK(rc == 0 || rc == -EAGAIN || rc == -EBADMSG, "rc %d", rc);
    if (rc)
        return;
    FUZZ_CHECK(r.span <= avail && r.span % align == 0, "span %zu", r.span);
    FUZZ_CHECK(r.klen >= 1 && r.klen <= KVLOG_KEY_MAX, "klen %u", r.klen);
    FUZZ_CHECK(r.vlen <= KVLOG_VALUE_MAX, "vlen %u", r.vlen);
    FUZZ_CHECK(r.key >= buf && r.key + r.klen <= buf + avail, "key");
    FUZZ_CHECK(r.vlen == 0 || (r.val >= buf && r.val + r.vlen <= buf + avail),
               "value");
    FUZZ_CHECK(r.type == KVLOG_PUT || r.type == KVLOG_DEL, "type");
}

/* Records from the input; returns how many were written. */
static unsigned int build(struct fuzz_in *in, uint8_t *disk, uint32_t align,
                          uint64_t log_id)
{
    struct kvlog_sb sb = {.version = KVLOG_VERSION,
                          .align = align,
                          .log_id = log_id,
                          .created = 1,
                          .log_start = 4096u > align ? 4096u : align,
                          .disk_bytes = DISK};
    static uint8_t rec[KVLOG_VALUE_MAX + 1024];
    size_t pos = sb.log_start;
    unsigned int n = 0;

    kvlog_sb_encode(&sb, disk);
    while (fuzz_left(in) && n < 64) {
        uint8_t key[KVLOG_KEY_MAX], val[512];
        uint8_t op = fuzz_u8(in);
        size_t klen = fuzz_u8(in) % 16 + 1, vlen = fuzz_u16(in) % sizeof(val);
        long span;

        if (op == 0xff)
            break; /* the rest is damage */
        fuzz_bytes(in, key, klen);
        if (op & 1)
            vlen = 0; /* a DEL carries no value */
        memset(val, op, vlen);
        span = kvlog_rec_encode(rec, align, log_id, n + 1,
                                op & 1 ? KVLOG_DEL : KVLOG_PUT, key, klen, val,
                                vlen);
        FUZZ_CHECK(span > 0 &&
                       (size_t)span == kvlog_rec_span(klen, vlen, align),
                   "encode %ld", span);
        if (pos + (size_t)span > DISK)
            break;
        memcpy(disk + pos, rec, (size_t)span);
        pos += (size_t)span;
        n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ramdisk d;
    static struct kvstore s;
    struct fuzz_in in = {data, size};
    uint8_t mode = fuzz_u8(&in);
    uint32_t align = mode & 1 ? 4096 : 512;
    unsigned int built = 0, damage = 0;
    struct kvstore_dev dev;
    struct kvstore_stats st;
    const uint8_t *val;
    size_t vlen;
    uint64_t recovered;
    int rc;

    check_decode(in.p, in.n, align);
    ramdisk_init(&d, DISK, align);
    if (mode & 2) {
        built = build(&in, d.media, align, 7);
        while (fuzz_left(&in)) { /* damage: offset, xor */
            uint16_t off = fuzz_u16(&in);
            uint8_t x = fuzz_u8(&in);

            d.media[off % DISK] ^= x;
            damage += x != 0;
        }
    } else {
        fuzz_bytes(&in, d.media, DISK);
        damage = 1;
    }
    memcpy(d.cache, d.media, DISK);
    dev = ramdisk_dev(&d);
    rc = kvstore_open(&s, &dev, 9, 1);
    FUZZ_CHECK(rc == 0 || rc == -EILSEQ || rc == -EINVAL || rc == -ENOMEM,
               "open rc %d", rc);
    if (rc) {
        FUZZ_CHECK(damage, "undamaged store refused: %d", rc);
        goto out;
    }
    kvstore_stats(&s, &st);
    FUZZ_CHECK(st.log_bytes <= st.log_capacity, "log %llu of %llu",
               (unsigned long long)st.log_bytes,
               (unsigned long long)st.log_capacity);
    if (!damage)
        FUZZ_CHECK(st.recovered == built, "recovered %llu of %u",
                   (unsigned long long)st.recovered, built);
    recovered = st.recovered;
    /* A put on top must survive a reopen, alone behind the old log. */
    rc = kvstore_stage_put(&s, "zz-probe", 8, "value", 5);
    if (rc == 0)
        rc = kvstore_commit(&s);
    kvstore_close(&s);
    if (rc) {
        FUZZ_CHECK(rc == -ENOSPC, "put/commit rc %d", rc);
        goto out;
    }
    rc = kvstore_open(&s, &dev, 11, 2);
    FUZZ_CHECK(rc == 0, "reopen after commit: %d", rc);
    kvstore_stats(&s, &st);
    FUZZ_CHECK(st.recovered == recovered + 1, "recovered %llu, was %llu",
               (unsigned long long)st.recovered, (unsigned long long)recovered);
    FUZZ_CHECK(kvstore_get(&s, "zz-probe", 8, &val, &vlen) == 0 && vlen == 5 &&
                   memcmp(val, "value", 5) == 0,
               "committed put lost");
    kvstore_close(&s);
out:
    ramdisk_fini(&d);
    return 0;
}
