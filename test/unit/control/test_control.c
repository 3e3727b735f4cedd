// SPDX-License-Identifier: MIT
/*
 * test/unit/control/test_control.c - host tests of kernel/control.c: the
 * toolstack's control/shutdown and control/sysrq requests.
 *
 * The pure decisions are checked value by value (exact words, case,
 * blanks, control bytes, overlong values; repeated and conflicting
 * requests). The handlers run against test/fakes/fake_xs_daemon.c
 * playing xenstored and the toolstack: each request must be acknowledged
 * by clearing its node, acted on exactly once, and refused with a
 * console line when it is not understood. The fake applies a
 * transaction's writes at once; the EAGAIN test models xenstored's
 * discard of a conflicting transaction in the daemon's write hook.
 * Reference: docs/misc/xenstore-paths.pandoc, Linux drivers/xen/manage.c.
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

#include "fake_xs_daemon.h"
#include "kernel/control.h"

#define SHUT  CONTROL_SHUTDOWN_PATH
#define SYSRQ CONTROL_SYSRQ_PATH

struct fx {
    struct fake_xs d;
    struct xs_conn c;
    struct control ctl;
    /* recorded effects */
    unsigned shutdowns;
    enum xn_shutdown_reason reason;
    unsigned suspends;
    int sysrq_keys[8];
    unsigned nsysrq;
    char lines[8][160];
    unsigned nlines;
    unsigned writes; /* XS_WRITEs the daemon applied */
    /* EAGAIN model */
    const char *rollback_to;
};

static void rec_shutdown(void *arg, enum xn_shutdown_reason r)
{
    struct fx *f = arg;

    f->shutdowns++;
    f->reason = r;
}

static int rec_suspend(void *arg)
{
    ((struct fx *)arg)->suspends++;
    return 0;
}

static int rec_sysrq(void *arg, int key)
{
    struct fx *f = arg;

    if (f->nsysrq < 8)
        f->sysrq_keys[f->nsysrq++] = key;
    return key == 'm' ? 0 : -EOPNOTSUPP;
}

static void rec_print(void *arg, const char *line)
{
    struct fx *f = arg;

    if (f->nlines < 8)
        snprintf(f->lines[f->nlines++], sizeof(f->lines[0]), "%s", line);
}

static void on_write(struct fake_xs *d, const char *path, const char *value)
{
    struct fx *f = d->hook_arg;

    (void)value;
    f->writes++;
    /* A commit about to fail: xenstored discards the transaction's
     * writes, so the node holds the toolstack's request again. */
    if (f->rollback_to && d->fail_commits && strcmp(path, SHUT) == 0)
        fake_xs_set(d, SHUT, f->rollback_to);
}

static struct control_ops ops_without_suspend(struct fx *f)
{
    return (struct control_ops){.shutdown = rec_shutdown,
                                .sysrq = rec_sysrq,
                                .print = rec_print,
                                .arg = f};
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xs_transport t;
    struct control_ops ops;

    if (!f)
        return -1;
    fake_xs_init(&f->d, 0);
    f->d.hook_arg = f;
    f->d.on_write = on_write;
    t = fake_xs_transport(&f->d);
    if (xs_conn_init(&f->c, &f->d.intf, &t))
        return -1;
    /* What libxl creates for every domain. */
    fake_xs_set(&f->d, SHUT, "");
    fake_xs_set(&f->d, SYSRQ, "");
    ops = ops_without_suspend(f);
    control_init(&f->ctl, &f->c, &ops);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    fake_xs_fini(&f->d);
    free(f);
    return 0;
}

static bool said(const struct fx *f, const char *needle)
{
    for (unsigned i = 0; i < f->nlines; i++)
        if (strstr(f->lines[i], needle))
            return true;
    return false;
}

/* ---- pure decisions ---- */

static enum control_req parse(const char *s)
{
    return control_parse_shutdown(s, (int)strlen(s));
}

static void parse_exact_words_only(void **state)
{
    (void)state;
    assert_int_equal(parse(""), CONTROL_REQ_NONE);
    assert_int_equal(parse("poweroff"), CONTROL_REQ_POWEROFF);
    assert_int_equal(parse("halt"), CONTROL_REQ_HALT);
    assert_int_equal(parse("reboot"), CONTROL_REQ_REBOOT);
    assert_int_equal(parse("suspend"), CONTROL_REQ_SUSPEND);
    assert_int_equal(parse("PowerOff"), CONTROL_REQ_UNKNOWN);
    assert_int_equal(parse("poweroff\n"), CONTROL_REQ_UNKNOWN);
    assert_int_equal(parse(" reboot"), CONTROL_REQ_UNKNOWN);
    assert_int_equal(parse("poweroffx"), CONTROL_REQ_UNKNOWN);
    assert_int_equal(parse("power"), CONTROL_REQ_UNKNOWN);
    assert_int_equal(parse("crash"), CONTROL_REQ_UNKNOWN);
    /* an embedded NUL: the length is what counts */
    assert_int_equal(control_parse_shutdown("halt\0xx", 7),
                     CONTROL_REQ_UNKNOWN);
    assert_int_equal(control_parse_shutdown("halt", -1), CONTROL_REQ_UNKNOWN);
    assert_int_equal(control_parse_shutdown(NULL, 0), CONTROL_REQ_UNKNOWN);
}

static void decide_is_idempotent(void **state)
{
    struct control_state st = {0};

    (void)state;
    assert_int_equal(control_decide(&st, CONTROL_REQ_NONE, false),
                     CONTROL_ACT_NONE);
    assert_false(st.shutting_down);
    assert_int_equal(control_decide(&st, CONTROL_REQ_UNKNOWN, false),
                     CONTROL_ACT_REFUSE);
    assert_int_equal(control_decide(&st, CONTROL_REQ_SUSPEND, false),
                     CONTROL_ACT_NOSUSPEND);
    assert_int_equal(control_decide(&st, CONTROL_REQ_SUSPEND, true),
                     CONTROL_ACT_SUSPEND);
    assert_false(st.shutting_down);
    assert_int_equal(control_decide(&st, CONTROL_REQ_REBOOT, false),
                     CONTROL_ACT_REBOOT);
    assert_true(st.shutting_down);
    assert_int_equal(st.reason, XN_SHUTDOWN_REBOOT);
    /* everything after the first accepted request changes nothing */
    assert_int_equal(control_decide(&st, CONTROL_REQ_REBOOT, false),
                     CONTROL_ACT_DUPLICATE);
    assert_int_equal(control_decide(&st, CONTROL_REQ_POWEROFF, false),
                     CONTROL_ACT_DUPLICATE);
    assert_int_equal(control_decide(&st, CONTROL_REQ_SUSPEND, true),
                     CONTROL_ACT_DUPLICATE);
    assert_int_equal(st.reason, XN_SHUTDOWN_REBOOT);
    /* halt is poweroff */
    memset(&st, 0, sizeof(st));
    assert_int_equal(control_decide(&st, CONTROL_REQ_HALT, false),
                     CONTROL_ACT_POWEROFF);
    assert_int_equal(st.reason, XN_SHUTDOWN_POWEROFF);
}

static void sysrq_parse(void **state)
{
    (void)state;
    assert_int_equal(control_parse_sysrq("", 0), 0);
    assert_int_equal(control_parse_sysrq("m", 1), 'm');
    assert_int_equal(control_parse_sysrq("~", 1), '~');
    assert_int_equal(control_parse_sysrq("mm", 2), -EINVAL);
    assert_int_equal(control_parse_sysrq(" ", 1), -EINVAL);
    assert_int_equal(control_parse_sysrq("\x01", 1), -EINVAL);
    assert_int_equal(control_parse_sysrq("\xe9", 1), -EINVAL);
    assert_int_equal(control_parse_sysrq("m", -1), -EINVAL);
    assert_int_equal(control_parse_sysrq(NULL, 1), -EINVAL);
}

/* ---- handlers against the fake xenstored ---- */

static void poweroff_is_acknowledged_then_acted_on(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, SHUT, "poweroff");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_POWEROFF);
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");
    assert_int_equal(f->shutdowns, 1);
    assert_int_equal(f->reason, XN_SHUTDOWN_POWEROFF);
    assert_true(said(f, "'poweroff' requested"));
    assert_int_equal(f->d.commits, 1);
}

static void reboot_and_halt(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, SHUT, "reboot");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_REBOOT);
    assert_int_equal(f->reason, XN_SHUTDOWN_REBOOT);
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");

    /* a fresh domain asked to halt */
    memset(&f->ctl.st, 0, sizeof(f->ctl.st));
    fake_xs_set(&f->d, SHUT, "halt");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_POWEROFF);
    assert_int_equal(f->reason, XN_SHUTDOWN_POWEROFF);
    assert_true(said(f, "(= poweroff)"));
    assert_int_equal(f->shutdowns, 2);
}

static void repeated_requests_act_once(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, SHUT, "poweroff");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_POWEROFF);
    /* the watch fires again for our own clear: nothing pending */
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_NONE);
    /* the operator runs xl shutdown again, then xl reboot */
    fake_xs_set(&f->d, SHUT, "poweroff");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_DUPLICATE);
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");
    fake_xs_set(&f->d, SHUT, "reboot");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_DUPLICATE);
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");
    assert_int_equal(f->shutdowns, 1);
    assert_int_equal(f->reason, XN_SHUTDOWN_POWEROFF);
    assert_true(said(f, "already in progress"));
    assert_int_equal(f->ctl.requests, 3);
}

static void empty_or_missing_node_writes_nothing(void **state)
{
    struct fx *f = *state;

    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_NONE);
    fake_xs_fini(&f->d); /* no node at all */
    fake_xs_init(&f->d, 0);
    f->d.hook_arg = f;
    f->d.on_write = on_write;
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_NONE);
    assert_null(fake_xs_get(&f->d, SHUT)); /* not created by us */
    assert_int_equal(f->writes, 0);
    assert_int_equal(f->shutdowns, 0);
    assert_int_equal(f->nlines, 0);
}

static void unknown_and_garbage_are_refused_and_cleared(void **state)
{
    struct fx *f = *state;
    char longv[CONTROL_VALUE_MAX + 20];

    fake_xs_set(&f->d, SHUT, "dance");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_REFUSE);
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");
    assert_true(said(f, "unknown request 'dance' refused"));

    fake_xs_set(&f->d, SHUT, "po\x1b[2Jweroff");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_REFUSE);
    assert_true(said(f, "'po?[2Jweroff'")); /* no raw escape on the console */
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");

    memset(longv, 'p', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    fake_xs_set(&f->d, SHUT, longv);
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_REFUSE);
    assert_true(said(f, "longer than"));
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");

    assert_int_equal(f->shutdowns, 0);
    assert_false(f->ctl.st.shutting_down);
    /* a valid request after garbage still works */
    fake_xs_set(&f->d, SHUT, "poweroff");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_POWEROFF);
    assert_int_equal(f->shutdowns, 1);
}

static void suspend_without_implementation(void **state)
{
    struct fx *f = *state;

    assert_int_equal(control_advertise(&f->ctl), 0);
    assert_string_equal(fake_xs_get(&f->d, "control/feature-poweroff"), "1");
    assert_string_equal(fake_xs_get(&f->d, "control/feature-reboot"), "1");
    assert_null(fake_xs_get(&f->d, "control/feature-suspend"));

    fake_xs_set(&f->d, SHUT, "suspend");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_NOSUSPEND);
    /* acknowledged (libxl: anything but "suspend" = acked), refused */
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");
    assert_true(said(f, "suspend is not supported by this build"));
    assert_int_equal(f->shutdowns, 0);
    assert_false(f->ctl.st.shutting_down);
}

static void suspend_plugs_in_at_one_place(void **state)
{
    struct fx *f = *state;
    struct control_ops ops = ops_without_suspend(f);

    ops.suspend = rec_suspend;
    control_init(&f->ctl, &f->c, &ops);
    assert_int_equal(control_advertise(&f->ctl), 0);
    assert_string_equal(fake_xs_get(&f->d, "control/feature-suspend"), "1");
    fake_xs_set(&f->d, SHUT, "suspend");
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_SUSPEND);
    assert_int_equal(f->suspends, 1);
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");
}

static void conflicting_commit_is_rerun(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, SHUT, "reboot");
    f->rollback_to = "reboot";
    f->d.fail_commits = 2;
    assert_int_equal(control_handle_shutdown(&f->ctl), CONTROL_ACT_REBOOT);
    assert_int_equal(f->d.commits, 3);
    assert_int_equal(f->shutdowns, 1);
    assert_string_equal(fake_xs_get(&f->d, SHUT), "");
}

static void xenstore_failure_acts_on_nothing(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, SHUT, "poweroff");
    f->c.timeout_ns = 50ULL * 1000 * 1000;
    f->d.stalled = true;
    assert_int_equal(control_handle_shutdown(&f->ctl), -ETIMEDOUT);
    assert_int_equal(f->shutdowns, 0);
    assert_int_equal(f->ctl.errors, 1);
    assert_true(said(f, "cannot read and clear control/shutdown"));
    assert_true(said(f, "not acted on"));
}

static void sysrq_answered_or_refused_never_ignored(void **state)
{
    struct fx *f = *state;

    fake_xs_set(&f->d, SYSRQ, "m");
    assert_int_equal(control_handle_sysrq(&f->ctl), 'm');
    assert_string_equal(fake_xs_get(&f->d, SYSRQ), "");
    assert_int_equal(f->nlines, 0); /* the handler printed the answer */

    fake_xs_set(&f->d, SYSRQ, "x");
    assert_int_equal(control_handle_sysrq(&f->ctl), 'x');
    assert_true(said(f, "sysrq 'x' not supported"));
    assert_string_equal(fake_xs_get(&f->d, SYSRQ), "");

    fake_xs_set(&f->d, SYSRQ, "ab");
    assert_int_equal(control_handle_sysrq(&f->ctl), -EINVAL);
    assert_true(said(f, "sysrq 'ab' refused"));
    assert_string_equal(fake_xs_get(&f->d, SYSRQ), "");

    /* the same key twice: answered twice (each write is a request) */
    fake_xs_set(&f->d, SYSRQ, "m");
    assert_int_equal(control_handle_sysrq(&f->ctl), 'm');
    assert_int_equal(control_handle_sysrq(&f->ctl), 0); /* cleared: none */
    assert_int_equal(f->nsysrq, 3);
    assert_int_equal(f->sysrq_keys[0], 'm');
    assert_int_equal(f->sysrq_keys[1], 'x');
    assert_int_equal(f->sysrq_keys[2], 'm');
    assert_int_equal(f->ctl.sysrqs, 4);
}

static void wait_reports_which_watch_fired(void **state)
{
    struct fx *f = *state;
    struct xs_watch ws, wq;
    struct xs_watch *const w[2] = {&ws, &wq};
    char path[64];
    unsigned logs;

    memset(&ws, 0, sizeof(ws));
    memset(&wq, 0, sizeof(wq));
    assert_int_equal(xs_watch_add(&f->c, &ws, SHUT), 0);
    assert_int_equal(xs_watch_add(&f->c, &wq, SYSRQ), 0);
    /* both fire once on registration */
    assert_int_equal(control_wait(&f->c, w, 2, f->d.now_ns + 1000000000), 3);
    while (xs_watch_next(&ws, path, sizeof(path)))
        ;
    while (xs_watch_next(&wq, path, sizeof(path)))
        ;
    /* nothing: the deadline ends the wait, silently */
    logs = f->d.logs;
    assert_int_equal(control_wait(&f->c, w, 2, f->d.now_ns + 20000000), 0);
    assert_int_equal(f->d.logs, logs);
    /* the toolstack writes sysrq */
    fake_xs_set_fire(&f->d, SYSRQ, "h");
    assert_int_equal(control_wait(&f->c, w, 2, f->d.now_ns + 1000000000), 2);
    assert_int_equal(control_handle_sysrq(&f->ctl), 'h');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_exact_words_only),
        cmocka_unit_test(decide_is_idempotent),
        cmocka_unit_test(sysrq_parse),
        cmocka_unit_test_setup_teardown(poweroff_is_acknowledged_then_acted_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(reboot_and_halt, setup, teardown),
        cmocka_unit_test_setup_teardown(repeated_requests_act_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(empty_or_missing_node_writes_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            unknown_and_garbage_are_refused_and_cleared, setup, teardown),
        cmocka_unit_test_setup_teardown(suspend_without_implementation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(suspend_plugs_in_at_one_place, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(conflicting_commit_is_rerun, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(xenstore_failure_acts_on_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sysrq_answered_or_refused_never_ignored,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(wait_reports_which_watch_fired, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
