// SPDX-License-Identifier: MIT
/*
 * test/unit/kvstore/test_kvlog.c - the kvstore's on-disk format: CRC32C
 * against published vectors, superblock and record round trips, and a
 * decoder that rejects every torn, flipped, foreign or hand-crafted
 * record (valid checksum, impossible fields) instead of trusting it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvlog.h"

#define ID 0x1122334455667788ull

static void crc32c_known_vectors(void **state)
{
    uint8_t buf[32];

    (void)state;
    assert_int_equal(kvlog_crc32c(0, "123456789", 9), 0xe3069283u);
    /* RFC 3720 B.4: 32 zero bytes, 32 0xff bytes, 0..31 ascending. */
    memset(buf, 0, sizeof(buf));
    assert_int_equal(kvlog_crc32c(0, buf, 32), 0x8a9136aau);
    memset(buf, 0xff, sizeof(buf));
    assert_int_equal(kvlog_crc32c(0, buf, 32), 0x62a8ab43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    assert_int_equal(kvlog_crc32c(0, buf, 32), 0x46dd794eu);
    /* Continuation equals one pass. */
    assert_int_equal(kvlog_crc32c(kvlog_crc32c(0, buf, 13), buf + 13, 19),
                     0x46dd794eu);
    assert_int_equal(kvlog_crc32c(0, buf, 0), 0);
}

static struct kvlog_sb good_sb(void)
{
    return (struct kvlog_sb){.version = KVLOG_VERSION,
                             .align = 512,
                             .log_id = ID,
                             .created = 1700000000,
                             .log_start = 4096,
                             .disk_bytes = 64 << 20};
}

static void sb_round_trip_and_damage(void **state)
{
    struct kvlog_sb sb = good_sb(), out;
    uint8_t b[KVLOG_SB_SIZE];

    (void)state;
    kvlog_sb_encode(&sb, b);
    assert_int_equal(kvlog_sb_decode(b, &out), 0);
    assert_memory_equal(&sb, &out, sizeof(sb));

    /* Every single flipped bit is caught (ENOENT in the magic). */
    for (size_t i = 0; i < KVLOG_SB_SIZE * 8; i++) {
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(kvlog_sb_decode(b, &out), i < 32 ? -ENOENT : -EILSEQ);
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    memset(b, 0, sizeof(b));
    assert_int_equal(kvlog_sb_decode(b, &out), -ENOENT);
}

static void sb_checksummed_but_impossible(void **state)
{
    struct kvlog_sb bad[] = {good_sb(), good_sb(), good_sb(), good_sb(),
                             good_sb()};
    uint8_t b[KVLOG_SB_SIZE];
    struct kvlog_sb out;

    (void)state;
    bad[0].version = 2;
    bad[1].align = 768;                /* not a power of two */
    bad[2].align = 256;                /* too small */
    bad[3].log_start = 0;              /* over the superblock */
    bad[4].log_start = 4096 + 512 / 2; /* not aligned */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kvlog_sb_encode(&bad[i], b);
        assert_int_equal(kvlog_sb_decode(b, &out), -EILSEQ);
    }
}

static uint8_t rec[KVLOG_ALIGN_MAX];

static void record_round_trip_at_limits(void **state)
{
    static uint8_t key[KVLOG_KEY_MAX], val[KVLOG_VALUE_MAX];
    const size_t ks[] = {1, KVLOG_KEY_MAX}, vs[] = {0, 1, KVLOG_VALUE_MAX};
    struct kvlog_rec r;

    (void)state;
    for (size_t i = 0; i < sizeof(val); i++)
        val[i] = (uint8_t)(i * 7 + 1);
    memset(key, 'k', sizeof(key));
    for (int a = 0; a < 2; a++) {
        uint32_t align = a ? 4096 : 512;

        for (size_t i = 0; i < 2; i++) {
            for (size_t j = 0; j < 3; j++) {
                long n = kvlog_rec_encode(rec, align, ID, 42, KVLOG_PUT, key,
                                          ks[i], val, vs[j]);

                assert_int_equal(n, kvlog_rec_span(ks[i], vs[j], align));
                assert_int_equal(n % align, 0);
                assert_true((size_t)n >= KVLOG_HDR_SIZE + ks[i] + vs[j]);
                /* Padding is zero, so stale bytes never reach the disk. */
                for (size_t p = KVLOG_HDR_SIZE + ks[i] + vs[j]; p < (size_t)n;
                     p++)
                    assert_int_equal(rec[p], 0);
                assert_int_equal(
                    kvlog_rec_decode(rec, (size_t)n, align, ID, 42, &r), 0);
                assert_int_equal(r.span, n);
                assert_int_equal(r.klen, ks[i]);
                assert_int_equal(r.vlen, vs[j]);
                assert_int_equal(r.type, KVLOG_PUT);
                assert_memory_equal(r.key, key, ks[i]);
                if (vs[j])
                    assert_memory_equal(r.val, val, vs[j]);
            }
        }
    }
    assert_int_equal(
        kvlog_rec_encode(rec, 512, ID, 7, KVLOG_DEL, "k", 1, NULL, 0), 512);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 7, &r), 0);
    assert_int_equal(r.type, KVLOG_DEL);
}

static void encode_rejects_bad_input(void **state)
{
    static uint8_t big[KVLOG_VALUE_MAX + 1];

    (void)state;
    assert_int_equal(
        kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, "", 0, "v", 1), -EINVAL);
    assert_int_equal(kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, big,
                                      KVLOG_KEY_MAX + 1, "v", 1),
                     -EINVAL);
    assert_int_equal(kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, "k", 1, big,
                                      KVLOG_VALUE_MAX + 1),
                     -EINVAL);
    assert_int_equal(
        kvlog_rec_encode(rec, 512, ID, 1, KVLOG_DEL, "k", 1, "v", 1), -EINVAL);
    assert_int_equal(
        kvlog_rec_encode(rec, 512, ID, 1, (enum kvlog_type)3, "k", 1, "v", 1),
        -EINVAL);
    assert_int_equal(
        kvlog_rec_encode(rec, 1000, ID, 1, KVLOG_PUT, "k", 1, "v", 1), -EINVAL);
}

static void decode_needs_whole_record(void **state)
{
    static uint8_t val[2000];
    struct kvlog_rec r;
    long n;

    (void)state;
    memset(val, 'v', sizeof(val));
    n = kvlog_rec_encode(rec, 512, ID, 3, KVLOG_PUT, "key", 3, val,
                         sizeof(val));
    assert_int_equal(n, 2048);
    for (size_t avail = 0; avail < KVLOG_HDR_SIZE + 3 + sizeof(val); avail++)
        assert_int_equal(kvlog_rec_decode(rec, avail, 512, ID, 3, &r), -EAGAIN);
    assert_int_equal(
        kvlog_rec_decode(rec, KVLOG_HDR_SIZE + 3 + sizeof(val), 512, ID, 3, &r),
        0);
}

static void decode_rejects_every_flipped_bit(void **state)
{
    struct kvlog_rec r;
    size_t used = KVLOG_HDR_SIZE + 5 + 9;

    (void)state;
    kvlog_rec_encode(rec, 512, ID, 9, KVLOG_PUT, "hello", 5, "the value", 9);
    for (size_t i = 0; i < used * 8; i++) {
        rec[i / 8] ^= (uint8_t)(1u << (i % 8));
        int rc = kvlog_rec_decode(rec, 512, 512, ID, 9, &r);

        /* A flip in a length field may make it ask for more bytes than
         * a sector holds; either way the record is not accepted. */
        assert_true(rc == -EBADMSG || rc == -EAGAIN);
        rec[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 9, &r), 0);
}

static void decode_rejects_foreign_and_garbage(void **state)
{
    struct kvlog_rec r;

    (void)state;
    kvlog_rec_encode(rec, 512, ID, 9, KVLOG_PUT, "k", 1, "v", 1);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID + 1, 9, &r), -EBADMSG);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 8, &r), -EBADMSG);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 10, &r), -EBADMSG);
    memset(rec, 0, 512);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 9, &r), -EBADMSG);
    srand(1);
    for (int t = 0; t < 1000; t++) {
        for (int i = 0; i < 512; i++)
            rec[i] = (uint8_t)rand();
        if (t & 1) /* garbage behind a valid magic */
            memcpy(rec, "KVR1", 4);
        int rc = kvlog_rec_decode(rec, 512, 512, ID, 9, &r);

        assert_true(rc == -EBADMSG || rc == -EAGAIN);
    }
}

/* Fix up the checksum after editing a field, as a buggy or hostile
 * writer could: the decoder must still refuse impossible fields. */
static void rechecksum(uint8_t *b, size_t covered)
{
    uint32_t c = kvlog_crc32c(0, b + 8, covered - 8);

    for (int i = 0; i < 4; i++)
        b[4 + i] = (uint8_t)(c >> (8 * i));
}

static void decode_rejects_checksummed_impossible_fields(void **state)
{
    struct kvlog_rec r;

    (void)state;
    /* Type 3. */
    kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, "k", 1, "v", 1);
    rec[24] = 3;
    rechecksum(rec, KVLOG_HDR_SIZE + 2);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 1, &r), -EBADMSG);
    /* Reserved byte set. */
    kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, "k", 1, "v", 1);
    rec[25] = 1;
    rechecksum(rec, KVLOG_HDR_SIZE + 2);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 1, &r), -EBADMSG);
    /* DEL carrying a value. */
    kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, "k", 1, "v", 1);
    rec[24] = KVLOG_DEL;
    rechecksum(rec, KVLOG_HDR_SIZE + 2);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 1, &r), -EBADMSG);
    /* Empty key. */
    kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, "k", 1, "v", 1);
    rec[26] = 0;
    rechecksum(rec, KVLOG_HDR_SIZE + 1);
    assert_int_equal(kvlog_rec_decode(rec, 512, 512, ID, 1, &r), -EBADMSG);
    /* Key and value lengths beyond the limits. */
    kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, "k", 1, "v", 1);
    rec[26] = 0;
    rec[27] = 1; /* klen 256 */
    rechecksum(rec, KVLOG_HDR_SIZE + 256 + 1);
    assert_int_equal(kvlog_rec_decode(rec, sizeof(rec), 512, ID, 1, &r),
                     -EBADMSG);
    kvlog_rec_encode(rec, 512, ID, 1, KVLOG_PUT, "k", 1, "v", 1);
    rec[28] = 0x01;
    rec[29] = 0x40; /* vlen 16385 */
    rechecksum(rec, KVLOG_HDR_SIZE + 1 + 16385);
    assert_int_equal(kvlog_rec_decode(rec, sizeof(rec), 512, ID, 1, &r),
                     -EBADMSG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32c_known_vectors),
        cmocka_unit_test(sb_round_trip_and_damage),
        cmocka_unit_test(sb_checksummed_but_impossible),
        cmocka_unit_test(record_round_trip_at_limits),
        cmocka_unit_test(encode_rejects_bad_input),
        cmocka_unit_test(decode_needs_whole_record),
        cmocka_unit_test(decode_rejects_every_flipped_bit),
        cmocka_unit_test(decode_rejects_foreign_and_garbage),
        cmocka_unit_test(decode_rejects_checksummed_impossible_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
