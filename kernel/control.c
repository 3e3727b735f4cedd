// SPDX-License-Identifier: MIT
/*
 * kernel/control.c - control/shutdown and control/sysrq requests:
 * parsing, decisions, acknowledgement and the wait for them (contract in
 * kernel/control.h).
 *
 * Design choice: read + clear happen in one xenstore transaction, so a
 * request the toolstack writes between our read and our clear is not
 * wiped unseen (the commit then fails with EAGAIN and the body reruns,
 * reading the new value). Only after the commit does the guest act, so
 * a request is acted on exactly once even when the watch fires several
 * times (the initial event, our own clear, coalesced events).
 * Reference: Linux drivers/xen/manage.c (shutdown_handler,
 * sysrq_handler), docs/misc/xenstore-paths.pandoc.
 */
#include "kernel/control.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "kernel/kfmt.h"

enum control_req control_parse_shutdown(const char *value, int len)
{
    static const struct {
        const char *word;
        enum control_req req;
    } words[] = {
        {"poweroff", CONTROL_REQ_POWEROFF},
        {"halt", CONTROL_REQ_HALT},
        {"reboot", CONTROL_REQ_REBOOT},
        {"suspend", CONTROL_REQ_SUSPEND},
    };

    if (len < 0 || !value)
        return CONTROL_REQ_UNKNOWN;
    if (len == 0)
        return CONTROL_REQ_NONE;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if ((size_t)len == strlen(words[i].word) &&
            memcmp(value, words[i].word, (size_t)len) == 0)
            return words[i].req;
    return CONTROL_REQ_UNKNOWN;
}

enum control_act control_decide(struct control_state *st, enum control_req req,
                                bool can_suspend)
{
    switch (req) {
    case CONTROL_REQ_NONE:
        return CONTROL_ACT_NONE;
    case CONTROL_REQ_POWEROFF:
    case CONTROL_REQ_HALT:
    case CONTROL_REQ_REBOOT:
        if (st->shutting_down)
            return CONTROL_ACT_DUPLICATE;
        st->shutting_down = true;
        st->reason = req == CONTROL_REQ_REBOOT ? XN_SHUTDOWN_REBOOT
                                               : XN_SHUTDOWN_POWEROFF;
        return req == CONTROL_REQ_REBOOT ? CONTROL_ACT_REBOOT
                                         : CONTROL_ACT_POWEROFF;
    case CONTROL_REQ_SUSPEND:
        if (st->shutting_down)
            return CONTROL_ACT_DUPLICATE;
        return can_suspend ? CONTROL_ACT_SUSPEND : CONTROL_ACT_NOSUSPEND;
    case CONTROL_REQ_UNKNOWN:
    default:
        return CONTROL_ACT_REFUSE;
    }
}

int control_parse_sysrq(const char *value, int len)
{
    if (!value || len < 0)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (len != 1 || value[0] <= ' ' || value[0] > '~')
        return -EINVAL;
    return (unsigned char)value[0];
}

void control_init(struct control *c, struct xs_conn *xs,
                  const struct control_ops *ops)
{
    memset(c, 0, sizeof(*c));
    c->xs = xs;
    c->ops = *ops;
}

static void say(struct control *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct control *c, const char *fmt, ...)
{
    char line[160];
    va_list ap;

    if (!c->ops.print)
        return;
    va_start(ap, fmt);
    kfmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    c->ops.print(c->ops.arg, line);
}

/* The value as it may be shown: printable ASCII, others as '?'. */
static void sanitize(char *out, size_t size, const char *v, int len)
{
    size_t n = 0;

    for (int i = 0; i < len && n + 1 < size; i++)
        out[n++] = (v[i] >= ' ' && v[i] <= '~') ? v[i] : '?';
    out[n] = '\0';
}

int control_advertise(struct control *c)
{
    static const char *const always[] = {"control/feature-poweroff",
                                         "control/feature-reboot"};
    int first = 0;

    for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
        int rc = xs_write(c->xs, XS_TX_NONE, always[i], "1");

        if (rc < 0 && !first)
            first = rc;
    }
    if (c->ops.suspend) {
        int rc = xs_write(c->xs, XS_TX_NONE, "control/feature-suspend", "1");

        if (rc < 0 && !first)
            first = rc;
    }
    if (first)
        say(c, "[xenith] control: cannot advertise features (%d)", first);
    return first;
}

/* Read-and-clear of one node, the body of a transaction. */
struct take {
    const char *path;
    char value[CONTROL_VALUE_MAX + 1];
    int len; /* -1: did not fit */
};

static int take_body(struct xs_conn *xs, xs_tx_t tx, void *arg)
{
    struct take *t = arg;
    int rc = xs_read(xs, tx, t->path, t->value, sizeof(t->value));

    if (rc == -ENOENT) {
        t->len = 0;
        t->value[0] = '\0';
        return 0;
    }
    if (rc == -ERANGE) {
        t->len = -1;
        t->value[0] = '\0';
    } else if (rc < 0) {
        return rc;
    } else {
        t->len = rc;
    }
    if (t->len == 0)
        return 0; /* nothing pending; commit the read-only transaction */
    return xs_write(xs, tx, t->path, "");
}

static int take(struct control *c, struct take *t, const char *path)
{
    int rc;

    t->path = path;
    rc = xs_transaction_run(c->xs, take_body, t);
    if (rc < 0) {
        c->errors++;
        /* -EACCES: dom0 re-created the node read-only for us (after
         * someone removed it); Linux does not act without the ack
         * either. */
        say(c,
            "[xenith] control: cannot read and clear %s (%d%s); "
            "request not acted on",
            path, rc, rc == -EACCES ? ": not writable by this domain" : "");
    }
    return rc;
}

int control_handle_shutdown(struct control *c)
{
    struct take t;
    char shown[CONTROL_VALUE_MAX + 1];
    enum control_act act;
    int rc = take(c, &t, CONTROL_SHUTDOWN_PATH);

    if (rc < 0)
        return rc;
    if (t.len != 0)
        c->requests++;
    act = control_decide(&c->st, control_parse_shutdown(t.value, t.len),
                         c->ops.suspend != NULL);
    sanitize(shown, sizeof(shown), t.value, t.len < 0 ? 0 : t.len);
    switch (act) {
    case CONTROL_ACT_NONE:
        break;
    case CONTROL_ACT_POWEROFF:
    case CONTROL_ACT_REBOOT:
        say(c, "[xenith] control: '%s' requested by the toolstack%s", shown,
            strcmp(shown, "halt") == 0 ? " (= poweroff)" : "");
        if (c->ops.shutdown)
            c->ops.shutdown(c->ops.arg, c->st.reason);
        break;
    case CONTROL_ACT_SUSPEND:
        say(c, "[xenith] control: suspend requested by the toolstack");
        rc = c->ops.suspend(c->ops.arg);
        if (rc != 0)
            say(c, "[xenith] control: suspend %s (%d)",
                rc == 1 ? "cancelled" : "failed", rc);
        break;
    case CONTROL_ACT_NOSUSPEND:
        say(c, "[xenith] control: suspend is not supported by this build; "
               "request refused (acknowledged, domain keeps running)");
        break;
    case CONTROL_ACT_DUPLICATE:
        say(c,
            "[xenith] control: '%s' ignored: shutdown already in "
            "progress",
            shown);
        break;
    case CONTROL_ACT_REFUSE:
    default:
        if (t.len < 0)
            say(c,
                "[xenith] control: request longer than %d bytes "
                "refused",
                CONTROL_VALUE_MAX);
        else
            say(c, "[xenith] control: unknown request '%s' refused", shown);
        break;
    }
    return (int)act;
}

int control_handle_sysrq(struct control *c)
{
    struct take t;
    int key, rc = take(c, &t, CONTROL_SYSRQ_PATH);

    if (rc < 0)
        return rc;
    key = control_parse_sysrq(t.value, t.len);
    if (key == 0)
        return 0;
    c->sysrqs++;
    if (key < 0) {
        char shown[CONTROL_VALUE_MAX + 1];

        sanitize(shown, sizeof(shown), t.value, t.len < 0 ? 0 : t.len);
        say(c, "[xenith] sysrq '%s' refused: not one printable key%s", shown,
            t.len < 0 ? " (too long)" : "");
        return -EINVAL;
    }
    if (!c->ops.sysrq || c->ops.sysrq(c->ops.arg, key) < 0)
        say(c, "[xenith] sysrq '%c' not supported (try 'h')", key);
    return key;
}

int control_wait(struct xs_conn *xs, struct xs_watch *const *w, unsigned int n,
                 uint64_t deadline_ns)
{
    if (n > 8)
        return -EINVAL;
    for (;;) {
        int mask = 0, rc = xs_poll(xs);

        if (rc < 0)
            return rc;
        for (unsigned int i = 0; i < n; i++)
            if (w[i]->q_count > 0)
                mask |= 1 << i;
        if (mask)
            return mask;
        if (xs->t.now(xs->t.arg) >= deadline_ns)
            return 0;
        rc = xs->t.wait(xs->t.arg, deadline_ns);
        if (rc < 0 && rc != -ETIMEDOUT)
            return rc;
    }
}
