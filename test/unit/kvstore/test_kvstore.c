// SPDX-License-Identifier: MIT
/*
 * test/unit/kvstore/test_kvstore.c - recovery and group commit of the
 * kvstore over a RAM disk that loses unflushed writes on a crash
 * (ramdisk.c): acknowledged data survives, torn / zeroed / garbage tails
 * are cut off, a corrupted middle record ends the log there, a stale
 * record behind a torn one is never resurrected, overwrite and delete
 * semantics hold across reopen, a full disk and failing I/O are errors,
 * and keys and values at their limits round-trip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvstore.h"
#include "ramdisk.h"

#define MiB  (1024u * 1024u)
#define LOG0 4096u /* first record of a store formatted at align <= 4096 */

static struct ramdisk disk;
static struct kvstore kv;
static uint64_t next_id = 100;

static int kv_open(void)
{
    struct kvstore_dev dev = ramdisk_dev(&disk);

    return kvstore_open(&kv, &dev, next_id++, 1700000000);
}

/* Crash (drop the write cache), then open the store again. */
static void crash_reopen(void)
{
    kvstore_close(&kv);
    ramdisk_crash(&disk);
    assert_int_equal(kv_open(), 0);
}

static void put(const char *k, const char *v)
{
    assert_int_equal(kvstore_stage_put(&kv, k, strlen(k), v, strlen(v)), 0);
    assert_int_equal(kvstore_commit(&kv), 0);
}

static void expect(const char *k, const char *v)
{
    const uint8_t *val;
    size_t vlen;
    int rc = kvstore_get(&kv, k, strlen(k), &val, &vlen);

    if (!v) {
        assert_int_equal(rc, -ENOENT);
        return;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(vlen, strlen(v));
    assert_memory_equal(val, v, vlen);
}

static uint64_t keys(void)
{
    struct kvstore_stats st;

    kvstore_stats(&kv, &st);
    return st.keys;
}

static int setup(void **state)
{
    (void)state;
    ramdisk_init(&disk, 8 * MiB, 512);
    assert_int_equal(kv_open(), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kvstore_close(&kv);
    ramdisk_fini(&disk);
    return 0;
}

static void formats_empty_disk_and_reopens_empty(void **state)
{
    struct kvstore_stats st;

    (void)state;
    kvstore_stats(&kv, &st);
    assert_int_equal(st.formatted, 1);
    assert_int_equal(st.keys, 0);
    assert_int_equal(st.log_bytes, 0);
    assert_int_equal(st.log_capacity, 8 * MiB - LOG0);
    crash_reopen(); /* the format itself was flushed */
    kvstore_stats(&kv, &st);
    assert_int_equal(st.formatted, 0);
    assert_int_equal(st.keys, 0);
}

static void acknowledged_puts_survive_a_crash(void **state)
{
    char k[32], v[64];

    (void)state;
    for (int i = 0; i < 3000; i++) {
        snprintf(k, sizeof(k), "key%d", i);
        snprintf(v, sizeof(v), "value-%d-%d", i, i * 31);
        assert_int_equal(kvstore_stage_put(&kv, k, strlen(k), v, strlen(v)), 0);
        if (i % 7 == 6) /* batches of 7 */
            assert_int_equal(kvstore_commit(&kv), 0);
    }
    /* The last 4 were staged only: never acknowledged, gone on a crash. */
    crash_reopen();
    assert_int_equal(keys(), 3000 - 3000 % 7);
    for (int i = 0; i < 3000; i++) {
        snprintf(k, sizeof(k), "key%d", i);
        snprintf(v, sizeof(v), "value-%d-%d", i, i * 31);
        expect(k, i < 3000 - 3000 % 7 ? v : NULL);
    }
}

static void staged_writes_are_invisible_until_commit(void **state)
{
    (void)state;
    put("a", "1");
    assert_int_equal(kvstore_stage_put(&kv, "a", 1, "2", 1), 0);
    assert_int_equal(kvstore_stage_put(&kv, "b", 1, "3", 1), 0);
    assert_int_equal(kvstore_staged(&kv), 2);
    expect("a", "1");
    expect("b", NULL);
    /* Nothing reached even the write cache before the commit. */
    unsigned long w = disk.writes;
    assert_int_equal(kvstore_commit(&kv), 0);
    assert_int_equal(disk.writes, w + 1); /* one write per batch */
    assert_int_equal(disk.flushes > 0, 1);
    expect("a", "2");
    expect("b", "3");
}

static void commit_is_one_write_and_one_flush(void **state)
{
    unsigned long w = disk.writes, f = disk.flushes;

    (void)state;
    for (int i = 0; i < 100; i++)
        assert_int_equal(kvstore_stage_put(&kv, &i, sizeof(i), "v", 1), 0);
    assert_int_equal(kvstore_commit(&kv), 0);
    assert_int_equal(disk.writes, w + 1);
    assert_int_equal(disk.flushes, f + 1);
    assert_int_equal(kvstore_commit(&kv), 0); /* empty: no I/O */
    assert_int_equal(disk.writes, w + 1);
    assert_int_equal(disk.flushes, f + 1);
}

static void overwrite_and_delete_semantics(void **state)
{
    (void)state;
    put("a", "1");
    put("a", "22");
    put("b", "x");
    assert_int_equal(kvstore_stage_del(&kv, "nope", 4), -ENOENT);
    assert_int_equal(kvstore_staged(&kv), 0); /* no record for a miss */
    assert_int_equal(kvstore_stage_del(&kv, "b", 1), 0);
    assert_int_equal(kvstore_commit(&kv), 0);
    expect("a", "22");
    expect("b", NULL);
    assert_int_equal(keys(), 1);
    /* In one batch: put, delete, put again; delete sees staged puts. */
    assert_int_equal(kvstore_stage_put(&kv, "c", 1, "1", 1), 0);
    assert_int_equal(kvstore_stage_del(&kv, "c", 1), 0);
    assert_int_equal(kvstore_stage_del(&kv, "c", 1), -ENOENT);
    assert_int_equal(kvstore_stage_put(&kv, "c", 1, "3", 1), 0);
    assert_int_equal(kvstore_stage_del(&kv, "a", 1), 0);
    assert_int_equal(kvstore_stage_del(&kv, "a", 1), -ENOENT);
    assert_int_equal(kvstore_commit(&kv), 0);
    expect("c", "3");
    expect("a", NULL);
    crash_reopen();
    expect("a", NULL);
    expect("b", NULL);
    expect("c", "3");
    assert_int_equal(keys(), 1);
    /* Delete after reopen, of a key that only the replay knows. */
    assert_int_equal(kvstore_stage_del(&kv, "c", 1), 0);
    assert_int_equal(kvstore_commit(&kv), 0);
    crash_reopen();
    assert_int_equal(keys(), 0);
}

/* Offset of record n (0-based) when every record is one sector. */
static uint64_t rec_off(unsigned int n)
{
    return LOG0 + (uint64_t)n * 512;
}

static void put_ten_one_sector_records(void)
{
    char k[16];

    for (int i = 0; i < 10; i++) {
        snprintf(k, sizeof(k), "k%d", i);
        put(k, "v");
    }
}

static void check_first(int n)
{
    char k[16];

    assert_int_equal(keys(), n);
    for (int i = 0; i < 10; i++) {
        snprintf(k, sizeof(k), "k%d", i);
        expect(k, i < n ? "v" : NULL);
    }
}

static void torn_last_record_is_ignored(void **state)
{
    (void)state;
    enum { BAD_CRC, ZEROED, TRUNCATED, GARBAGE, HEADER_ONLY, NKINDS };

    for (int kind = 0; kind < NKINDS; kind++) {
        kvstore_close(&kv);
        memset(disk.cache, 0, disk.size);
        memset(disk.media, 0, disk.size);
        assert_int_equal(kv_open(), 0);
        put_ten_one_sector_records();
        kvstore_close(&kv);
        uint8_t *last = disk.media + rec_off(9);
        switch (kind) {
        case BAD_CRC:
            last[KVLOG_HDR_SIZE + 2] ^= 0x20; /* the value byte */
            break;
        case ZEROED:
            memset(last, 0, 512);
            break;
        case TRUNCATED: /* only the first 16 bytes made it */
            memset(last + 16, 0, 512 - 16);
            break;
        case GARBAGE:
            for (int i = 0; i < 512; i++)
                last[i] = (uint8_t)(i * 13 + 5);
            break;
        case HEADER_ONLY: /* header kept, payload from an older write */
            memset(last + KVLOG_HDR_SIZE, 0xee, 512 - KVLOG_HDR_SIZE);
            break;
        }
        ramdisk_crash(&disk);
        assert_int_equal(kv_open(), 0);
        check_first(9);
        /* Appending reuses the torn record's place and survives. */
        put("new", "yes");
        crash_reopen();
        expect("new", "yes");
        kvstore_stage_del(&kv, "new", 3);
        assert_int_equal(kvstore_commit(&kv), 0);
        check_first(9);
    }
}

static void corrupt_middle_record_ends_the_log(void **state)
{
    (void)state;
    put_ten_one_sector_records();
    kvstore_close(&kv);
    disk.media[rec_off(4) + 33] ^= 1; /* the key: stop at record 4 */
    ramdisk_crash(&disk);
    assert_int_equal(kv_open(), 0);
    check_first(4);
}

static void stale_record_behind_torn_one_is_not_resurrected(void **state)
{
    struct kvstore_dev dev = ramdisk_dev(&disk);
    uint8_t rec[512];
    struct kvlog_sb s;

    (void)state;
    put_ten_one_sector_records();
    kvstore_close(&kv);
    assert_int_equal(kvlog_sb_decode(disk.media, &s), 0);
    /* A crashed batch: record 11 torn (bad checksum), record 12 complete
     * and holding an old value of k0 that was never acknowledged. */
    kvlog_rec_encode(rec, 512, s.log_id, 11, KVLOG_PUT, "x", 1, "1", 1);
    rec[KVLOG_HDR_SIZE + 1] ^= 0xff; /* its value */
    memcpy(disk.media + rec_off(10), rec, 512);
    kvlog_rec_encode(rec, 512, s.log_id, 12, KVLOG_PUT, "k0", 2, "OLD", 3);
    memcpy(disk.media + rec_off(11), rec, 512);
    ramdisk_crash(&disk);
    assert_int_equal(kvstore_open(&kv, &dev, 1, 1), 0);
    check_first(10);
    /* Record 11 is now written anew, exactly where the torn one was: the
     * stale record 12 right behind it must not come back. */
    put("y", "2");
    crash_reopen();
    expect("k0", "v");
    expect("y", "2");
    assert_int_equal(keys(), 11);
}

static void old_log_generation_is_not_replayed(void **state)
{
    (void)state;
    put_ten_one_sector_records();
    kvstore_close(&kv);
    /* Reformat (superblock wiped): the old records are still there. */
    memset(disk.media, 0, 512);
    ramdisk_crash(&disk);
    assert_int_equal(kv_open(), 0);
    assert_int_equal(keys(), 0);
    put("z", "1");
    crash_reopen();
    assert_int_equal(keys(), 1);
    expect("k0", NULL);
}

static void damaged_superblock_is_refused_not_formatted(void **state)
{
    (void)state;
    put("a", "1");
    kvstore_close(&kv);
    disk.media[20] ^= 1;
    ramdisk_crash(&disk);
    assert_int_equal(kv_open(), -EILSEQ);
    /* Nothing was written over the store. */
    disk.media[20] ^= 1;
    ramdisk_crash(&disk);
    assert_int_equal(kv_open(), 0);
    expect("a", "1");
}

static void full_disk_is_an_error(void **state)
{
    char k[16];
    int n = 0, rc;

    (void)state;
    kvstore_close(&kv);
    ramdisk_fini(&disk);
    ramdisk_init(&disk, LOG0 + 20 * 512, 512); /* room for 20 records */
    assert_int_equal(kv_open(), 0);
    for (;;) {
        snprintf(k, sizeof(k), "k%d", n);
        rc = kvstore_stage_put(&kv, k, strlen(k), "v", 1);
        if (rc)
            break;
        if (++n % 3 == 0)
            assert_int_equal(kvstore_commit(&kv), 0);
    }
    assert_int_equal(rc, -ENOSPC);
    assert_int_equal(n, 20);
    assert_int_equal(kvstore_commit(&kv), 0);
    assert_int_equal(kvstore_stage_del(&kv, "k0", 2), -ENOSPC);
    crash_reopen();
    assert_int_equal(keys(), 20);
    assert_int_equal(kvstore_stage_put(&kv, "k0", 2, "v", 1), -ENOSPC);
    expect("k19", "v");
}

static void failed_flush_breaks_the_store(void **state)
{
    (void)state;
    put("a", "1");
    disk.fail_flush_after = 0;
    assert_int_equal(kvstore_stage_put(&kv, "a", 1, "2", 1), 0);
    assert_int_equal(kvstore_commit(&kv), -EIO);
    expect("a", "1"); /* never acknowledged, never visible */
    assert_int_equal(kvstore_stage_put(&kv, "b", 1, "2", 1), -EROFS);
    assert_int_equal(kvstore_stage_del(&kv, "a", 1), -EROFS);
    crash_reopen();
    expect("a", "1");
    put("b", "2");
    expect("b", "2");
}

static void failed_write_breaks_the_store(void **state)
{
    (void)state;
    disk.fail_write_after = 0;
    assert_int_equal(kvstore_stage_put(&kv, "a", 1, "1", 1), 0);
    assert_int_equal(kvstore_commit(&kv), -EIO);
    expect("a", NULL);
    assert_int_equal(kvstore_stage_put(&kv, "a", 1, "1", 1), -EROFS);
    assert_int_equal(kvstore_staged(&kv), 0);
}

static void failing_reads_fail_open(void **state)
{
    (void)state;
    put_ten_one_sector_records();
    kvstore_close(&kv);
    disk.fail_read_after = 0; /* the superblock */
    assert_int_equal(kv_open(), -EIO);
    disk.fail_read_after = 1; /* the log */
    assert_int_equal(kv_open(), -EIO);
    assert_int_equal(kv_open(), 0);
    check_first(10);
}

static void limits_round_trip(void **state)
{
    static char key[KVLOG_KEY_MAX + 1], val[KVLOG_VALUE_MAX + 2];
    const uint8_t *v;
    size_t vlen;

    (void)state;
    memset(key, 'K', sizeof(key) - 1);
    for (size_t i = 0; i < sizeof(val) - 1; i++)
        val[i] = (char)('a' + i % 26);
    assert_int_equal(kvstore_stage_put(&kv, key, KVLOG_KEY_MAX + 1, "v", 1),
                     -EINVAL);
    assert_int_equal(kvstore_stage_put(&kv, key, 0, "v", 1), -EINVAL);
    assert_int_equal(kvstore_stage_put(&kv, "k", 1, val, KVLOG_VALUE_MAX + 1),
                     -EINVAL);
    assert_int_equal(kvstore_stage_del(&kv, key, KVLOG_KEY_MAX + 1), -EINVAL);
    assert_int_equal(kvstore_staged(&kv), 0);
    assert_int_equal(
        kvstore_stage_put(&kv, key, KVLOG_KEY_MAX, val, KVLOG_VALUE_MAX), 0);
    assert_int_equal(kvstore_stage_put(&kv, "empty", 5, "", 0), 0);
    assert_int_equal(kvstore_commit(&kv), 0);
    crash_reopen();
    assert_int_equal(kvstore_get(&kv, key, KVLOG_KEY_MAX, &v, &vlen), 0);
    assert_int_equal(vlen, KVLOG_VALUE_MAX);
    assert_memory_equal(v, val, KVLOG_VALUE_MAX);
    assert_int_equal(kvstore_get(&kv, "empty", 5, &v, &vlen), 0);
    assert_int_equal(vlen, 0);
    assert_int_equal(kvstore_get(&kv, key, KVLOG_KEY_MAX + 1, &v, &vlen),
                     -ENOENT);
}

static void full_batch_asks_for_a_commit(void **state)
{
    static char val[KVLOG_VALUE_MAX];
    int n = 0, rc;

    (void)state;
    memset(val, 'x', sizeof(val));
    while ((rc = kvstore_stage_put(&kv, &n, sizeof(n), val, sizeof(val))) == 0)
        n++;
    assert_int_equal(rc, -EAGAIN);
    assert_true((size_t)n * 16896 <= KVSTORE_BATCH_MAX);
    assert_true((size_t)(n + 1) * 16896 > KVSTORE_BATCH_MAX);
    assert_int_equal(kvstore_commit(&kv), 0);
    assert_int_equal(kvstore_stage_put(&kv, &n, sizeof(n), val, sizeof(val)),
                     0);
    assert_int_equal(kvstore_commit(&kv), 0);
    crash_reopen();
    assert_int_equal(keys(), n + 1);
}

/* Records of every size, across the recovery window's 1 MiB edges. */
static void recovery_across_scan_windows(void **state)
{
    static char val[KVLOG_VALUE_MAX];
    struct kvstore_stats st;
    char k[16];
    int n = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(val); i++)
        val[i] = (char)('A' + i % 50);
    for (size_t vl = 0; vl <= KVLOG_VALUE_MAX; vl += 97, n++) {
        snprintf(k, sizeof(k), "s%d", n);
        assert_int_equal(kvstore_stage_put(&kv, k, strlen(k), val, vl), 0);
        if (n % 5 == 4)
            assert_int_equal(kvstore_commit(&kv), 0);
    }
    assert_int_equal(kvstore_commit(&kv), 0);
    kvstore_stats(&kv, &st);
    assert_true(st.log_bytes > MiB); /* at least one window edge */
    crash_reopen();
    assert_int_equal(keys(), n);
    n = 0;
    for (size_t vl = 0; vl <= KVLOG_VALUE_MAX; vl += 97, n++) {
        const uint8_t *v;
        size_t got;

        snprintf(k, sizeof(k), "s%d", n);
        assert_int_equal(kvstore_get(&kv, k, strlen(k), &v, &got), 0);
        assert_int_equal(got, vl);
        if (vl)
            assert_memory_equal(v, val, vl);
    }
}

static void sector_4k_disk(void **state)
{
    struct kvstore_stats st;

    (void)state;
    kvstore_close(&kv);
    ramdisk_fini(&disk);
    ramdisk_init(&disk, 4 * MiB, 4096);
    assert_int_equal(kv_open(), 0);
    put("a", "1");
    put("b", "2");
    kvstore_stats(&kv, &st);
    assert_int_equal(st.log_bytes, 2 * 4096); /* a sector per record */
    crash_reopen();
    expect("a", "1");
    expect("b", "2");
    kvstore_close(&kv);
    /* The same image seen with 512-byte sectors still works, ... */
    disk.align = 512;
    assert_int_equal(kv_open(), 0);
    expect("b", "2");
    put("c", "3");
    kvstore_close(&kv);
    /* ... but a store made for 512-byte sectors cannot move to 4 KiB. */
    ramdisk_fini(&disk);
    ramdisk_init(&disk, 4 * MiB, 512);
    assert_int_equal(kv_open(), 0);
    kvstore_close(&kv);
    disk.align = 4096;
    assert_int_equal(kv_open(), -EILSEQ);
    disk.align = 512;
    assert_int_equal(kv_open(), 0);
}

static void bad_geometry_is_refused(void **state)
{
    struct kvstore_dev dev;

    (void)state;
    kvstore_close(&kv);
    dev = ramdisk_dev(&disk);
    dev.align = 1000;
    assert_int_equal(kvstore_open(&kv, &dev, 1, 1), -EINVAL);
    dev = ramdisk_dev(&disk);
    dev.size = 512;
    assert_int_equal(kvstore_open(&kv, &dev, 1, 1), -EINVAL);
    dev = ramdisk_dev(&disk);
    dev.size = LOG0; /* the store no longer fits: refused, not reformatted */
    assert_int_equal(kvstore_open(&kv, &dev, 1, 1), -EILSEQ);
    memset(disk.cache, 0, disk.size);
    assert_int_equal(kvstore_open(&kv, &dev, 1, 1), -EINVAL); /* format */
    assert_int_equal(kv_open(), 0);
}

static void many_keys_grow_the_index(void **state)
{
    char k[32];

    (void)state;
    for (int i = 0; i < 10000; i++) {
        snprintf(k, sizeof(k), "user:%d", i);
        assert_int_equal(kvstore_stage_put(&kv, k, strlen(k), k, 5), 0);
        if (i % 500 == 499)
            assert_int_equal(kvstore_commit(&kv), 0);
    }
    crash_reopen();
    assert_int_equal(keys(), 10000);
    for (int i = 0; i < 10000; i += 37) {
        snprintf(k, sizeof(k), "user:%d", i);
        expect(k, "user:");
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(formats_empty_disk_and_reopens_empty),
        T(acknowledged_puts_survive_a_crash),
        T(staged_writes_are_invisible_until_commit),
        T(commit_is_one_write_and_one_flush),
        T(overwrite_and_delete_semantics),
        T(torn_last_record_is_ignored),
        T(corrupt_middle_record_ends_the_log),
        T(stale_record_behind_torn_one_is_not_resurrected),
        T(old_log_generation_is_not_replayed),
        T(damaged_superblock_is_refused_not_formatted),
        T(full_disk_is_an_error),
        T(failed_flush_breaks_the_store),
        T(failed_write_breaks_the_store),
        T(failing_reads_fail_open),
        T(limits_round_trip),
        T(full_batch_asks_for_a_commit),
        T(recovery_across_scan_windows),
        T(sector_4k_disk),
        T(bad_geometry_is_refused),
        T(many_keys_grow_the_index),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
