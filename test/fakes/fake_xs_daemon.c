// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_xs_daemon.c - an in-process xenstored for host tests.
 *
 * Design: the daemon side is driven synchronously from the client's
 * transport.wait(), so a single-threaded test is deterministic. Replies
 * go to an output queue first and are pushed into the response ring at
 * most rsp_chunk bytes per step; that models a slow daemon and makes the
 * client reassemble messages across steps and ring wrap-arounds. A bug
 * in the CLIENT's framing (bad request length) aborts the test, because
 * the fake cannot continue meaningfully. Reference: io/xs_wire.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_xs_daemon.h"

struct fake_xs_node {
    struct fake_xs_node *next;
    char *path;
    char *value;
};

struct fake_xs_watch {
    struct fake_xs_watch *next;
    char *path;
    char *token;
};

static char *xstrdup(const char *s)
{
    char *p = strdup(s);

    if (!p)
        abort();
    return p;
}

static void out_append(struct fake_xs *fx, const void *data, size_t len)
{
    if (fx->out_len + len > fx->out_cap) {
        size_t cap = (fx->out_len + len) * 2 + 64;

        fx->out = realloc(fx->out, cap);
        if (!fx->out)
            abort();
        fx->out_cap = cap;
    }
    memcpy(fx->out + fx->out_len, data, len);
    fx->out_len += len;
}

void fake_xs_inject(struct fake_xs *fx, const void *data, size_t len)
{
    out_append(fx, data, len);
}

void fake_xs_inject_msg(struct fake_xs *fx, uint32_t type, uint32_t req_id,
                        const void *payload, uint32_t len)
{
    struct xsd_sockmsg h = {.type = type, .req_id = req_id, .len = len};

    out_append(fx, &h, sizeof(h));
    if (len)
        out_append(fx, payload, len);
}

void fake_xs_inject_event(struct fake_xs *fx, const char *path,
                          const char *token)
{
    size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
    char buf[4096];

    if (pl + tl > sizeof(buf))
        abort();
    memcpy(buf, path, pl);
    memcpy(buf + pl, token, tl);
    fake_xs_inject_msg(fx, XS_WATCH_EVENT, 0, buf, (uint32_t)(pl + tl));
}

size_t fake_xs_pending(const struct fake_xs *fx)
{
    return fx->out_len;
}

/* ---- the tree ---- */

static struct fake_xs_node *node_find(struct fake_xs *fx, const char *path)
{
    for (struct fake_xs_node *n = fx->nodes; n; n = n->next)
        if (strcmp(n->path, path) == 0)
            return n;
    return NULL;
}

static void node_put(struct fake_xs *fx, const char *path, const char *value)
{
    struct fake_xs_node *n = node_find(fx, path);

    if (n) {
        free(n->value);
        n->value = xstrdup(value);
        return;
    }
    n = calloc(1, sizeof(*n));
    if (!n)
        abort();
    n->path = xstrdup(path);
    n->value = xstrdup(value);
    n->next = fx->nodes;
    fx->nodes = n;
}

/* Like xenstored, writing a node creates its missing ancestors. */
static void node_put_parents(struct fake_xs *fx, const char *path)
{
    char buf[4096];
    size_t len = strlen(path);

    if (len >= sizeof(buf))
        return;
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i < len; i++) {
        if (buf[i] != '/')
            continue;
        buf[i] = '\0';
        if (!node_find(fx, buf))
            node_put(fx, buf, "");
        buf[i] = '/';
    }
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static void node_rm(struct fake_xs *fx, const char *path)
{
    struct fake_xs_node **p = &fx->nodes;

    while (*p) {
        struct fake_xs_node *n = *p;

        if (strcmp(n->path, path) == 0 || under(n->path, path)) {
            *p = n->next;
            free(n->path);
            free(n->value);
            free(n);
        } else {
            p = &n->next;
        }
    }
}

static void fire(struct fake_xs *fx, const char *path)
{
    for (struct fake_xs_watch *w = fx->watches; w; w = w->next)
        if (strcmp(path, w->path) == 0 || under(path, w->path) ||
            under(w->path, path))
            fake_xs_inject_event(fx, path, w->token);
}

void fake_xs_set(struct fake_xs *fx, const char *path, const char *value)
{
    node_put_parents(fx, path);
    node_put(fx, path, value);
}

void fake_xs_set_fire(struct fake_xs *fx, const char *path, const char *value)
{
    fake_xs_set(fx, path, value);
    fire(fx, path);
}

const char *fake_xs_get(struct fake_xs *fx, const char *path)
{
    struct fake_xs_node *n = node_find(fx, path);

    return n ? n->value : NULL;
}

/* ---- request execution ---- */

static void reply(struct fake_xs *fx, const struct xsd_sockmsg *req,
                  uint32_t type, const void *payload, size_t len)
{
    struct xsd_sockmsg h = {.type = type,
                            .req_id = req->req_id,
                            .tx_id = req->tx_id,
                            .len = (uint32_t)len};

    out_append(fx, &h, sizeof(h));
    out_append(fx, payload, len);
}

static void reply_err(struct fake_xs *fx, const struct xsd_sockmsg *req,
                      const char *err)
{
    reply(fx, req, XS_ERROR, err, strlen(err) + 1);
}

static void reply_ok(struct fake_xs *fx, const struct xsd_sockmsg *req)
{
    reply(fx, req, req->type, "OK", 3);
}

static void do_directory(struct fake_xs *fx, const struct xsd_sockmsg *req,
                         const char *path)
{
    char buf[4096];
    size_t len = 0, plen = strlen(path);
    bool exists = node_find(fx, path) != NULL;

    for (struct fake_xs_node *n = fx->nodes; n; n = n->next) {
        const char *name;
        size_t nl;

        if (!under(n->path, path))
            continue;
        exists = true;
        name = n->path + plen + 1;
        if (strchr(name, '/'))
            continue; /* a grandchild */
        nl = strlen(name) + 1;
        if (len + nl > sizeof(buf))
            abort();
        memcpy(buf + len, name, nl);
        len += nl;
    }
    if (!exists) {
        reply_err(fx, req, "ENOENT");
        return;
    }
    reply(fx, req, XS_DIRECTORY, buf, len);
}

static void execute(struct fake_xs *fx, const struct xsd_sockmsg *req,
                    char *body)
{
    const char *path = body;
    size_t plen = strnlen(body, req->len);
    const char *arg = plen < req->len ? body + plen + 1 : "";
    struct fake_xs_node *n;
    char val[4097];

    fx->requests++;
    fx->last_type = req->type;
    fx->last_tx = req->tx_id;
    switch (req->type) {
    case XS_READ:
        n = node_find(fx, path);
        if (!n)
            reply_err(fx, req, "ENOENT");
        else
            reply(fx, req, XS_READ, n->value, strlen(n->value));
        break;
    case XS_WRITE: {
        size_t vlen = req->len - (plen + 1);

        memcpy(val, arg, vlen);
        val[vlen] = '\0';
        fake_xs_set(fx, path, val);
        reply_ok(fx, req);
        fire(fx, path);
        if (fx->on_write)
            fx->on_write(fx, path, val);
        break;
    }
    case XS_MKDIR:
        if (!node_find(fx, path))
            fake_xs_set(fx, path, "");
        reply_ok(fx, req);
        fire(fx, path);
        break;
    case XS_RM:
        if (!node_find(fx, path)) {
            reply_err(fx, req, "ENOENT");
            break;
        }
        node_rm(fx, path);
        reply_ok(fx, req);
        fire(fx, path);
        break;
    case XS_DIRECTORY:
        do_directory(fx, req, path);
        break;
    case XS_WATCH: {
        struct fake_xs_watch *w = calloc(1, sizeof(*w));

        if (!w)
            abort();
        w->path = xstrdup(path);
        w->token = xstrdup(arg);
        w->next = fx->watches;
        fx->watches = w;
        reply_ok(fx, req);
        /* xenstored fires every new watch once. */
        fake_xs_inject_event(fx, w->path, w->token);
        break;
    }
    case XS_UNWATCH:
        for (struct fake_xs_watch **p = &fx->watches; *p; p = &(*p)->next) {
            struct fake_xs_watch *w = *p;

            if (strcmp(w->path, path) == 0 && strcmp(w->token, arg) == 0) {
                *p = w->next;
                free(w->path);
                free(w->token);
                free(w);
                reply_ok(fx, req);
                return;
            }
        }
        reply_err(fx, req, "ENOENT");
        break;
    case XS_TRANSACTION_START:
        snprintf(val, sizeof(val), "%u", (unsigned)++fx->next_tx);
        reply(fx, req, XS_TRANSACTION_START, val, strlen(val) + 1);
        break;
    case XS_TRANSACTION_END:
        if (strcmp(path, "T") == 0) {
            fx->commits++;
            if (fx->fail_commits) {
                fx->fail_commits--;
                reply_err(fx, req, "EAGAIN");
                break;
            }
        }
        reply_ok(fx, req);
        break;
    default:
        reply_err(fx, req, "ENOSYS");
        break;
    }
}

static size_t ring_take(struct fake_xs *fx, void *dst, size_t len)
{
    struct xenstore_domain_interface *in = &fx->intf;
    size_t done = 0;

    while (done < len && in->req_cons != in->req_prod) {
        ((char *)dst)[done++] = in->req[MASK_XENSTORE_IDX(in->req_cons)];
        in->req_cons++;
    }
    return done;
}

static void consume_requests(struct fake_xs *fx)
{
    size_t budget = fx->req_chunk ? fx->req_chunk : (size_t)-1;

    while (budget) {
        struct xsd_sockmsg *h = (struct xsd_sockmsg *)fx->inbuf;
        size_t want = sizeof(*h);
        size_t got;

        if (fx->in_got >= sizeof(*h)) {
            if (h->len > XENSTORE_PAYLOAD_MAX) {
                fprintf(stderr, "fake_xs: client sent len %u\n", h->len);
                abort();
            }
            want += h->len;
        }
        if (fx->in_got < want) {
            size_t n = want - fx->in_got;

            if (n > budget)
                n = budget;
            got = ring_take(fx, fx->inbuf + fx->in_got, n);
            if (!got)
                return;
            fx->in_got += got;
            budget -= got;
            continue;
        }
        fx->inbuf[want] = '\0';
        execute(fx, h, (char *)fx->inbuf + sizeof(*h));
        fx->in_got = 0;
    }
}

static void push_responses(struct fake_xs *fx)
{
    struct xenstore_domain_interface *in = &fx->intf;
    size_t space = XENSTORE_RING_SIZE - (in->rsp_prod - in->rsp_cons);
    size_t n = fx->out_len < space ? fx->out_len : space;

    /*
     * Like xenstored, a daemon that filled the ring with more to send
     * sleeps until the client notifies it, having freed space.
     */
    if (fx->rsp_blocked && fx->notifies == fx->blocked_at_notify)
        return;
    fx->rsp_blocked = false;
    if (fx->rsp_chunk && n > fx->rsp_chunk)
        n = fx->rsp_chunk;
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        in->rsp[MASK_XENSTORE_IDX(in->rsp_prod)] = (char)fx->out[i];
        in->rsp_prod++;
    }
    memmove(fx->out, fx->out + n, fx->out_len - n);
    fx->out_len -= n;
    if (fx->out_len && in->rsp_prod - in->rsp_cons == XENSTORE_RING_SIZE) {
        fx->rsp_blocked = true;
        fx->blocked_at_notify = fx->notifies;
    }
}

void fake_xs_step(struct fake_xs *fx)
{
    if (fx->stalled)
        return;
    if (!fx->needs_notify || fx->notifies != fx->acted_at_notify) {
        fx->acted_at_notify = fx->notifies;
        consume_requests(fx);
    }
    push_responses(fx);
}

/* ---- transport ---- */

static void t_notify(void *arg)
{
    struct fake_xs *fx = arg;

    if (fx->lose_notifies) {
        fx->lose_notifies--;
        fx->lost_notifies++;
        return;
    }
    fx->notifies++;
}

static int t_wait(void *arg, uint64_t deadline)
{
    struct fake_xs *fx = arg;

    fx->waits++;
    fx->now_ns += fx->step_ns;
    if (fx->on_tick)
        fx->on_tick(fx);
    fake_xs_step(fx);
    return fx->now_ns >= deadline ? -ETIMEDOUT : 0;
}

static void t_wake(void *arg)
{
    ((struct fake_xs *)arg)->wakes++;
}

static uint64_t t_now(void *arg)
{
    return ((struct fake_xs *)arg)->now_ns;
}

static void t_log(void *arg, const char *msg)
{
    struct fake_xs *fx = arg;

    snprintf(fx->last_log, sizeof(fx->last_log), "%s", msg);
    fx->logs++;
}

struct xs_transport fake_xs_transport(struct fake_xs *fx)
{
    return (struct xs_transport){.notify = t_notify,
                                 .wait = t_wait,
                                 .wake = t_wake,
                                 .now = t_now,
                                 .log = t_log,
                                 .arg = fx};
}

void fake_xs_init(struct fake_xs *fx, uint32_t start_idx)
{
    memset(fx, 0, sizeof(*fx));
    fx->intf.req_cons = fx->intf.req_prod = start_idx;
    fx->intf.rsp_cons = fx->intf.rsp_prod = start_idx;
    fx->step_ns = 1000 * 1000; /* 1 ms per wait */
}

static void free_watches(struct fake_xs *fx)
{
    while (fx->watches) {
        struct fake_xs_watch *w = fx->watches;

        fx->watches = w->next;
        free(w->path);
        free(w->token);
        free(w);
    }
}

void fake_xs_new_connection(struct fake_xs *fx)
{
    free_watches(fx);
    fx->out_len = 0;
    fx->in_got = 0;
}

void fake_xs_fini(struct fake_xs *fx)
{
    while (fx->nodes) {
        struct fake_xs_node *n = fx->nodes;

        fx->nodes = n->next;
        free(n->path);
        free(n->value);
        free(n);
    }
    free_watches(fx);
    free(fx->out);
    fx->out = NULL;
}
