// SPDX-License-Identifier: MIT
/*
 * test/unit/net/test_netdb_files.c - lib/net/netdb_files.c: hosts(5) and
 * services(5) text as the resolver reads it, including comments, blank
 * and malformed lines, aliases, case, overlong fields, a missing final
 * newline and absurd ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/net/netdb_files.h"

static const char hosts[] =
    "# comment line\n"
    "\n"
    "127.0.0.1\tlocalhost\n"
    "::1  localhost ip6-localhost   ip6-loopback # trailing comment\n"
    "10.0.0.7\n" /* no name: skipped */
    "   \t  \n"
    "10.0.0.8 Db.Example.LAN db\r\n"
    "10.0.0.9 "
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
    "fd00::77 last-no-newline";

static void test_hosts_entries(void **state)
{
    struct netdb_cursor c;
    struct netdb_host h;

    (void)state;
    netdb_cursor_init(&c, hosts, strlen(hosts));
    assert_true(netdb_next_host(&c, &h));
    assert_string_equal(h.addr, "127.0.0.1");
    assert_int_equal(h.nr_names, 1);
    assert_string_equal(h.names[0], "localhost");
    assert_true(netdb_next_host(&c, &h));
    assert_string_equal(h.addr, "::1");
    assert_int_equal(h.nr_names, 3);
    assert_string_equal(h.names[2], "ip6-loopback");
    assert_true(netdb_next_host(&c, &h));
    assert_string_equal(h.addr, "10.0.0.8");
    assert_string_equal(h.names[1], "db"); /* \r is a blank */
    assert_true(netdb_names_match(h.names, h.nr_names, "db.example.lan"));
    assert_true(netdb_names_match(h.names, h.nr_names, "DB"));
    assert_false(netdb_names_match(h.names, h.nr_names, "d"));
    assert_false(netdb_names_match(h.names, h.nr_names, "dbx"));
    /* the overlong name makes its line malformed: skipped */
    assert_true(netdb_next_host(&c, &h));
    assert_string_equal(h.addr, "fd00::77");
    assert_string_equal(h.names[0], "last-no-newline");
    assert_false(netdb_next_host(&c, &h));
    assert_false(netdb_next_host(&c, &h));
}

static void test_many_aliases_and_empty(void **state)
{
    static const char many[] = "1.2.3.4 a b c d e f g h i j k\n";
    struct netdb_cursor c;
    struct netdb_host h;

    (void)state;
    netdb_cursor_init(&c, many, strlen(many));
    assert_true(netdb_next_host(&c, &h));
    assert_int_equal(h.nr_names, NETDB_NAMES_MAX); /* the rest dropped */
    assert_string_equal(h.names[NETDB_NAMES_MAX - 1], "h");
    netdb_cursor_init(&c, NULL, 0);
    assert_false(netdb_next_host(&c, &h));
    netdb_cursor_init(&c, "", 0);
    assert_false(netdb_next_host(&c, &h));
}

static const char services[] = "# services\n"
                               "domain\t53/tcp\n"
                               "domain\t53/udp\n"
                               "http\t80/tcp www www-http\n"
                               "bad\t99999/tcp\n"
                               "bad2\t80\n"
                               "bad3\tx/tcp\n"
                               "bad4\t80/\n"
                               "syslog\t514/udp\n";

static void test_services(void **state)
{
    size_t n = strlen(services);

    (void)state;
    assert_int_equal(netdb_service_port(services, n, "http", "tcp"), 80);
    assert_int_equal(netdb_service_port(services, n, "WWW", NULL), 80);
    assert_int_equal(netdb_service_port(services, n, "http", "udp"), -1);
    assert_int_equal(netdb_service_port(services, n, "syslog", NULL), 514);
    assert_int_equal(netdb_service_port(services, n, "domain", "udp"), 53);
    assert_int_equal(netdb_service_port(services, n, "bad", NULL), -1);
    assert_int_equal(netdb_service_port(services, n, "bad2", NULL), -1);
    assert_int_equal(netdb_service_port(services, n, "bad3", NULL), -1);
    assert_int_equal(netdb_service_port(services, n, "bad4", NULL), -1);
    assert_int_equal(netdb_service_port(services, n, "nope", NULL), -1);
    /* numbers pass through, absurd ones do not */
    assert_int_equal(netdb_service_port(services, n, "8080", "tcp"), 8080);
    assert_int_equal(netdb_service_port(services, n, "65535", NULL), 65535);
    assert_int_equal(netdb_service_port(services, n, "65536", NULL), -1);
    assert_int_equal(netdb_service_port(services, n, "0000080", NULL), -1);
    assert_int_equal(netdb_service_port(services, n, "", NULL), -1);
    assert_int_equal(netdb_service_port(NULL, 0, "http", NULL), -1);
}

static void test_service_entries(void **state)
{
    struct netdb_cursor c;
    struct netdb_service s;

    (void)state;
    netdb_cursor_init(&c, services, strlen(services));
    assert_true(netdb_next_service(&c, &s));
    assert_string_equal(s.names[0], "domain");
    assert_string_equal(s.proto, "tcp");
    assert_true(netdb_next_service(&c, &s));
    assert_string_equal(s.proto, "udp");
    assert_true(netdb_next_service(&c, &s));
    assert_int_equal(s.port, 80);
    assert_int_equal(s.nr_names, 3);
    assert_string_equal(s.names[2], "www-http");
    assert_true(netdb_next_service(&c, &s)); /* the bad lines skipped */
    assert_string_equal(s.names[0], "syslog");
    assert_false(netdb_next_service(&c, &s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hosts_entries),
        cmocka_unit_test(test_many_aliases_and_empty),
        cmocka_unit_test(test_services),
        cmocka_unit_test(test_service_entries),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
