// SPDX-License-Identifier: MIT
/*
 * test/unit/net/test_net_config.c - the network words of the command
 * line (lib/net/net_config.c): every accepted form, and malformed values
 * rejected as a whole with the offending word reported.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/net/net_config.h"

static void ip_eq(const uint8_t *got, uint8_t a, uint8_t b, uint8_t c,
                  uint8_t d)
{
    const uint8_t want[4] = {a, b, c, d};

    assert_memory_equal(got, want, 4);
}

static void no_words_means_dhcp(void **state)
{
    struct net_config c;

    (void)state;
    assert_int_equal(net_config_parse("hello world exit=3", &c, NULL, 0), 0);
    assert_true(c.dhcp);
    assert_false(c.off);
    assert_false(c.have_gw);
    assert_int_equal(c.nr_dns, 0);
    assert_int_equal(net_config_parse(NULL, &c, NULL, 0), 0);
    assert_true(c.dhcp);
}

static void static_address_gateway_dns(void **state)
{
    struct net_config c;

    (void)state;
    assert_int_equal(net_config_parse("  a ip=10.0.0.20/16\tgw=10.0.0.1 "
                                      "dns=8.8.8.8,1.1.1.1 -- x",
                                      &c, NULL, 0),
                     0);
    assert_false(c.dhcp);
    ip_eq(c.ip, 10, 0, 0, 20);
    assert_int_equal(c.prefix, 16);
    assert_true(c.have_gw);
    ip_eq(c.gw, 10, 0, 0, 1);
    assert_int_equal(c.nr_dns, 2);
    ip_eq(c.dns[0], 8, 8, 8, 8);
    ip_eq(c.dns[1], 1, 1, 1, 1);
}

static void prefix_defaults_and_edges(void **state)
{
    struct net_config c;

    (void)state;
    assert_int_equal(net_config_parse("ip=192.168.1.2", &c, NULL, 0), 0);
    assert_int_equal(c.prefix, 24);
    assert_int_equal(net_config_parse("ip=1.2.3.4/0", &c, NULL, 0), 0);
    assert_int_equal(c.prefix, 0);
    assert_int_equal(net_config_parse("ip=1.2.3.4/32", &c, NULL, 0), 0);
    assert_int_equal(c.prefix, 32);
    assert_int_equal(net_config_parse("ip=255.255.255.255/8", &c, NULL, 0), 0);
    ip_eq(c.ip, 255, 255, 255, 255);
}

static void dhcp_and_off(void **state)
{
    struct net_config c;

    (void)state;
    assert_int_equal(net_config_parse("ip=1.2.3.4 ip=dhcp", &c, NULL, 0), 0);
    assert_true(c.dhcp);
    assert_int_equal(net_config_parse("net=off", &c, NULL, 0), 0);
    assert_true(c.off);
    /* Only the exact word: net=offline is the app's business. */
    assert_int_equal(net_config_parse("net=offline", &c, NULL, 0), 0);
    assert_false(c.off);
}

static void malformed_is_rejected_whole(void **state)
{
    static const char *bad[] = {
        "ip=10.0.0",      "ip=10.0.0.1.2", "ip=256.0.0.1",
        "ip=10.0.0.1/33", "ip=10.0.0.1/",  "ip=10.0.0.1/2x",
        "ip=1..2.3",      "ip=",           "ip=a.b.c.d",
        "ip=0001.2.3.4",  "gw=10.0.0.1x",  "gw=",
        "dns=1.2.3.4,",   "dns=",          "dns=1.1.1.1,2.2.2.2,3.3.3.3",
        "ip=10.0.0.1/-1", "ip= 10.0.0.1",
    };
    struct net_config c;
    char word[64];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char line[128];

        snprintf(line, sizeof(line), "gw=9.9.9.9 %s x", bad[i]);
        /* "ip= 10.0.0.1" splits into "ip=" + an app word: still bad. */
        assert_int_equal(net_config_parse(line, &c, word, sizeof(word)),
                         -EINVAL);
        assert_true(c.dhcp);
        assert_false(c.have_gw); /* nothing half-applied */
        assert_int_equal(strncmp(word, bad[i], strlen(word)), 0);
        assert_true(strlen(word) > 0);
    }
}

static void bad_word_is_truncated_safely(void **state)
{
    struct net_config c;
    char word[6];

    (void)state;
    assert_int_equal(net_config_parse("ip=300.1.1.1", &c, word, sizeof(word)),
                     -EINVAL);
    assert_string_equal(word, "ip=30");
}

static void parse_ip4_exact_length(void **state)
{
    uint8_t ip[4];

    (void)state;
    /* The length bounds the parse: trailing bytes beyond it are ignored. */
    assert_int_equal(net_config_parse_ip4("10.1.2.3/24", 8, ip), 0);
    ip_eq(ip, 10, 1, 2, 3);
    /* ... and a cut inside the address leaves an empty last octet. */
    assert_int_equal(net_config_parse_ip4("10.1.2.3", 7, ip), -EINVAL);
    assert_int_equal(net_config_parse_ip4("", 0, ip), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_words_means_dhcp),
        cmocka_unit_test(static_address_gateway_dns),
        cmocka_unit_test(prefix_defaults_and_edges),
        cmocka_unit_test(dhcp_and_off),
        cmocka_unit_test(malformed_is_rejected_whole),
        cmocka_unit_test(bad_word_is_truncated_safely),
        cmocka_unit_test(parse_ip4_exact_length),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
