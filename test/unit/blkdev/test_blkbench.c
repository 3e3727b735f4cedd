// SPDX-License-Identifier: MIT
/*
 * test/unit/blkdev/test_blkbench.c - blkbench's SHA-256 and test blocks.
 *
 * SHA-256 against the standard's examples ("abc", the two-block
 * message, one million 'a') fed in every split, and the empty message;
 * test blocks: a filled block checks, and every single-byte change, a
 * wrong block number, a wrong seed, a block of zeros and bad sizes are
 * each reported as such. Reference: FIPS 180-4 / NIST example values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apps/blkbench/pattern.h"
#include "apps/blkbench/sha256.h"

static void hex_of(const void *msg, size_t len, size_t split, char hex[65])
{
    struct sha256 c;
    uint8_t d[32];

    sha256_init(&c);
    sha256_update(&c, msg, split);
    sha256_update(&c, (const char *)msg + split, len - split);
    sha256_final(&c, d);
    sha256_hex(d, hex);
}

static void sha256_standard_examples(void **state)
{
    static const char two[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[65];

    (void)state;
    hex_of("", 0, 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                             "27ae41e4649b934ca495991b7852b855");
    for (size_t split = 0; split <= 3; split++) {
        hex_of("abc", 3, split, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                                 "b00361a396177a9cb410ff61f20015ad");
    }
    for (size_t split = 0; split <= sizeof(two) - 1; split++) {
        hex_of(two, sizeof(two) - 1, split, hex);
        assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
                                 "a33ce45964ff2167f6ecedd419db06c1");
    }
}

static void sha256_million_a(void **state)
{
    static char a[1001];
    struct sha256 c;
    uint8_t d[32];
    char hex[65];

    (void)state;
    memset(a, 'a', sizeof(a));
    sha256_init(&c);
    for (int i = 0; i < 1000; i++)
        sha256_update(&c, a, i % 2 ? 999 : 1001); /* odd chunk sizes */
    sha256_final(&c, d);
    sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
                             "f1809a48a497200e046d39ccc7112cd0");
}

static void pattern_round_trip_and_every_byte(void **state)
{
    static uint8_t b[512];

    (void)state;
    assert_int_equal(pattern_fill(b, sizeof(b), 77, 5), PATTERN_OK);
    assert_int_equal(pattern_check(b, sizeof(b), 77, 5), PATTERN_OK);
    for (size_t i = 0; i < sizeof(b); i++) {
        b[i] ^= 0x10;
        assert_int_not_equal(pattern_check(b, sizeof(b), 77, 5), PATTERN_OK);
        b[i] ^= 0x10;
    }
    assert_int_equal(pattern_check(b, sizeof(b), 78, 5), PATTERN_BAD_BLOCK);
    assert_int_equal(pattern_check(b, sizeof(b), 77, 6), PATTERN_BAD_SEED);
    b[100] ^= 1;
    assert_int_equal(pattern_check(b, sizeof(b), 77, 5), PATTERN_BAD_SUM);
}

static void pattern_blocks_differ_and_zeros_are_not_ours(void **state)
{
    static uint8_t a[4096], b[4096], z[4096];

    (void)state;
    pattern_fill(a, sizeof(a), 1, 5);
    pattern_fill(b, sizeof(b), 2, 5);
    assert_memory_not_equal(a + 32, b + 32, sizeof(a) - 32);
    pattern_fill(b, sizeof(b), 1, 6);
    assert_memory_not_equal(a + 32, b + 32, sizeof(a) - 32);
    assert_int_equal(pattern_check(z, sizeof(z), 0, 0), PATTERN_BAD_MAGIC);
    assert_int_equal(pattern_fill(a, 56, 0, 0), PATTERN_BAD_SIZE);
    assert_int_equal(pattern_fill(a, 100, 0, 0), PATTERN_BAD_SIZE);
    assert_int_equal(pattern_check(a, 60, 0, 0), PATTERN_BAD_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_standard_examples),
        cmocka_unit_test(sha256_million_a),
        cmocka_unit_test(pattern_round_trip_and_every_byte),
        cmocka_unit_test(pattern_blocks_differ_and_zeros_are_not_ours),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
