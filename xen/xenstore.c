// SPDX-License-Identifier: MIT
/*
 * xen/xenstore.c - xenstore client: ring I/O, message framing, reply and
 * watch-event demultiplexing, operations and transactions.
 *
 * Pure protocol code over the ring page and a struct xs_transport; it
 * never blocks except inside transport.wait(), and never trusts what
 * xenstored wrote: indices are range-checked, headers validated before a
 * byte of payload is stored, payloads NUL-terminated by us. The response
 * ring is only consumed by xs_poll(), which any waiter (a requester or a
 * watch consumer) calls, so whichever thread runs first routes a reply to
 * its requester and events to their watches. Under the kernel's
 * cooperative scheduler nothing here is re-entered, as only wait() yields.
 * Reference: xen/include/public/io/xs_wire.h, docs/misc/xenstore.txt.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xen/xenstore.h"

/*
 * Index loads are acquire (data after the producer index is read after
 * it), index stores are release (data is written / consumed before the
 * index moves). This is the xen_rmb/xen_wmb/xen_mb pairing of xs_wire.h
 * rings, expressed once.
 */
static uint32_t idx_load(const XENSTORE_RING_IDX *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void idx_store(XENSTORE_RING_IDX *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int xs_ring_write(struct xenstore_domain_interface *intf, const void *data,
                  size_t len)
{
    uint32_t cons = idx_load(&intf->req_cons);
    uint32_t prod = intf->req_prod;
    const char *src = data;
    size_t done = 0;

    /* Unsigned distance: more than a ring's worth means corrupt indices. */
    if (prod - cons > XENSTORE_RING_SIZE)
        return -EIO;
    while (done < len && prod - cons < XENSTORE_RING_SIZE) {
        size_t off = MASK_XENSTORE_IDX(prod);
        size_t room = XENSTORE_RING_SIZE - (prod - cons);
        size_t chunk = XENSTORE_RING_SIZE - off; /* up to the wrap point */

        if (chunk > room)
            chunk = room;
        if (chunk > len - done)
            chunk = len - done;
        memcpy(intf->req + off, src + done, chunk);
        done += chunk;
        prod += (uint32_t)chunk;
    }
    idx_store(&intf->req_prod, prod);
    return (int)done;
}

int xs_ring_read(struct xenstore_domain_interface *intf, void *data, size_t len)
{
    uint32_t prod = idx_load(&intf->rsp_prod);
    uint32_t cons = intf->rsp_cons;
    char *dst = data;
    size_t done = 0;

    if (prod - cons > XENSTORE_RING_SIZE)
        return -EIO;
    while (done < len && cons != prod) {
        size_t off = MASK_XENSTORE_IDX(cons);
        size_t avail = prod - cons;
        size_t chunk = XENSTORE_RING_SIZE - off;

        if (chunk > avail)
            chunk = avail;
        if (chunk > len - done)
            chunk = len - done;
        memcpy(dst + done, intf->rsp + off, chunk);
        done += chunk;
        cons += (uint32_t)chunk;
    }
    /* Release: our copies complete before xenstored may reuse the space. */
    idx_store(&intf->rsp_cons, cons);
    return (int)done;
}

int xs_error_to_errno(const char *s)
{
    /* xsd_errors comes from xs_wire.h (defined there when EINVAL is). */
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (strcmp(s, xsd_errors[i].errstring) == 0)
            return -xsd_errors[i].errnum;
    return -EIO;
}

void xs_log(struct xs_conn *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->last_error, sizeof(c->last_error), fmt, ap);
    va_end(ap);
    if (c->t.log)
        c->t.log(c->t.arg, c->last_error);
}

static int xs_break(struct xs_conn *c, const char *why)
{
    if (!c->broken)
        xs_log(c, "xenstore: connection broken: %s", why);
    c->broken = true;
    if (c->t.wake)
        c->t.wake(c->t.arg);
    return -EIO;
}

int xs_conn_init(struct xs_conn *c, struct xenstore_domain_interface *intf,
                 const struct xs_transport *t)
{
    if (!c || !intf || !t || !t->wait || !t->now)
        return -EINVAL;
    memset(c, 0, sizeof(*c));
    c->intf = intf;
    c->t = *t;
    c->timeout_ns = XS_DEFAULT_TIMEOUT_NS;
    c->next_req_id = 1;
    return 0;
}

/* ---- watch queues ---- */

static void watch_enqueue(struct xs_conn *c, struct xs_watch *w,
                          const char *path)
{
    size_t n = strnlen(path, XS_WATCH_PATH_MAX - 1);

    if (w->q_len + n + 1 > sizeof(w->queue)) {
        /*
         * Coalesce: drop the queue and keep one event for the watched
         * path itself; consumers re-read their nodes on any event.
         */
        n = strlen(w->path);
        memcpy(w->queue, w->path, n + 1);
        w->q_len = n + 1;
        w->q_count = 1;
        w->overflowed = true;
        c->dropped_events++;
        return;
    }
    memcpy(w->queue + w->q_len, path, n);
    w->queue[w->q_len + n] = '\0';
    w->q_len += n + 1;
    w->q_count++;
}

int xs_watch_next(struct xs_watch *w, char *buf, size_t size)
{
    size_t n;

    if (!w || w->q_count == 0)
        return 0;
    n = strlen(w->queue); /* entries are NUL-terminated by watch_enqueue */
    if (buf && size) {
        size_t copy = n < size - 1 ? n : size - 1;
        memcpy(buf, w->queue, copy);
        buf[copy] = '\0';
    }
    memmove(w->queue, w->queue + n + 1, w->q_len - (n + 1));
    w->q_len -= n + 1;
    w->q_count--;
    return 1;
}

/* An XS_WATCH_EVENT payload is "path\0token\0". */
static void dispatch_event(struct xs_conn *c, const char *body, size_t len)
{
    const char *path = body;
    size_t plen = strnlen(body, len);
    const char *token;
    struct xs_watch *w;

    if (plen == len) {
        c->dropped_events++; /* no terminator after the path */
        return;
    }
    token = body + plen + 1;
    /* in_body is NUL-terminated at len, so token is a C string. */
    for (w = c->watches; w; w = w->next) {
        if (strcmp(w->token, token) == 0) {
            watch_enqueue(c, w, path);
            if (c->t.wake)
                c->t.wake(c->t.arg);
            return;
        }
    }
    /* Late event for a removed watch: harmless. */
    c->dropped_events++;
}

static void dispatch(struct xs_conn *c)
{
    const struct xsd_sockmsg *h = &c->in_hdr;

    c->in_body[h->len] = '\0';
    if (h->type == XS_WATCH_EVENT) {
        dispatch_event(c, c->in_body, h->len);
        return;
    }
    if (!c->inflight || c->reply_ready || h->req_id != c->inflight_id) {
        /* A reply to a request that timed out, or one never sent. */
        c->dropped_replies++;
        return;
    }
    c->reply_hdr = *h;
    memcpy(c->reply, c->in_body, h->len + 1);
    c->reply_ready = true;
    if (c->t.wake)
        c->t.wake(c->t.arg);
}

static int poll_ring(struct xs_conn *c)
{
    struct xenstore_domain_interface *intf = c->intf;

    if (c->broken)
        return -EIO;
    /*
     * The error field is only meaningful when xenstored advertises it;
     * a set error means it has given up on this ring.
     */
    if ((__atomic_load_n(&intf->server_features, __ATOMIC_RELAXED) &
         XENSTORE_SERVER_FEATURE_ERROR) &&
        __atomic_load_n(&intf->error, __ATOMIC_RELAXED) != XENSTORE_ERROR_NONE)
        return xs_break(c, "xenstored reported a ring error");

    for (;;) {
        int n;

        if (c->in_hdr_got < sizeof(c->in_hdr)) {
            n = xs_ring_read(intf, (char *)&c->in_hdr + c->in_hdr_got,
                             sizeof(c->in_hdr) - c->in_hdr_got);
            if (n < 0)
                return xs_break(c, "response ring indices out of range");
            if (n == 0)
                return 0;
            c->in_hdr_got += (size_t)n;
            if (c->in_hdr_got < sizeof(c->in_hdr))
                return 0;
            /* Validate the header before storing any payload. */
            if (c->in_hdr.len > XENSTORE_PAYLOAD_MAX)
                return xs_break(c, "reply longer than XENSTORE_PAYLOAD_MAX");
            if (c->in_hdr.type >= XS_TYPE_COUNT)
                return xs_break(c, "reply of unknown type");
            c->in_body_got = 0;
        }
        if (c->in_body_got < c->in_hdr.len) {
            n = xs_ring_read(intf, c->in_body + c->in_body_got,
                             c->in_hdr.len - c->in_body_got);
            if (n < 0)
                return xs_break(c, "response ring indices out of range");
            c->in_body_got += (size_t)n;
            if (c->in_body_got < c->in_hdr.len)
                return 0;
        }
        dispatch(c);
        c->in_hdr_got = 0;
        c->in_body_got = 0;
    }
}

int xs_poll(struct xs_conn *c)
{
    uint32_t cons = c->intf->rsp_cons;
    int rc = poll_ring(c);

    /*
     * Space we freed must be announced: xenstored with more to send than
     * fitted (a burst of watch events ahead of a reply) sleeps until this
     * domain's event channel fires, and nothing else may fire it while
     * we wait for that reply.
     */
    if (!c->broken && c->intf->rsp_cons != cons && c->t.notify)
        c->t.notify(c->t.arg);
    return rc;
}

/* ---- requests ---- */

struct xs_iov {
    const void *base;
    size_t len;
};

static const char *const op_names[] = {
    [XS_DIRECTORY] = "listing",
    [XS_READ] = "reading",
    [XS_WATCH] = "watching",
    [XS_UNWATCH] = "unwatching",
    [XS_TRANSACTION_START] = "starting a transaction for",
    [XS_TRANSACTION_END] = "ending a transaction for",
    [XS_WRITE] = "writing",
    [XS_MKDIR] = "creating",
    [XS_RM] = "removing",
};

static const char *op_name(uint32_t type)
{
    if (type < sizeof(op_names) / sizeof(op_names[0]) && op_names[type])
        return op_names[type];
    return "accessing";
}

/*
 * While a request of ours is unanswered, xenstored is told again 0.2 s
 * after it was sent, then after gaps of 0.4, 0.8 and 1.6 s (and every
 * 1.6 s from then on), and the response ring is read after each: an
 * event lost on either side, or one xenstored did not act on, then costs
 * a delay instead of the request. Extra notifies are harmless to
 * xenstored (it only looks at the ring indices).
 */
#define XS_KICK_FIRST_NS (200ull * 1000 * 1000)
#define XS_KICK_MAX_NS (1600ull * 1000 * 1000)
#define XS_KICK_LOG_NS (1000ull * 1000 * 1000)

struct xs_kick {
    uint64_t next; /* when to notify again */
    uint64_t gap;
    unsigned int count;
};

static void kick_start(struct xs_conn *c, struct xs_kick *k)
{
    k->gap = XS_KICK_FIRST_NS;
    k->next = c->t.now(c->t.arg) + k->gap;
    k->count = 0;
}

/* Wait until deadline, or for a kick's turn; notify when it has come. */
static int kick_wait(struct xs_conn *c, struct xs_kick *k, uint64_t deadline)
{
    int rc = c->t.wait(c->t.arg, k && k->next < deadline ? k->next : deadline);
    uint64_t now = c->t.now(c->t.arg);

    if (k && now >= k->next && now < deadline) {
        if (c->t.notify)
            c->t.notify(c->t.arg);
        k->count++;
        if (k->gap < XS_KICK_MAX_NS)
            k->gap *= 2;
        k->next = now + k->gap;
    }
    return rc;
}

/*
 * Wait until pred(c) holds; -ETIMEDOUT at deadline, -EIO when broken.
 * k (NULL: none) re-notifies xenstored while we wait.
 */
static int wait_until(struct xs_conn *c, bool (*pred)(struct xs_conn *),
                      uint64_t deadline, struct xs_kick *k)
{
    for (;;) {
        int rc = xs_poll(c);

        if (rc < 0)
            return rc;
        if (pred(c))
            return 0;
        if (c->t.now(c->t.arg) >= deadline)
            return -ETIMEDOUT;
        rc = kick_wait(c, k, deadline);
        if (rc < 0 && rc != -ETIMEDOUT)
            return rc;
    }
}

static bool not_busy(struct xs_conn *c)
{
    return !c->busy;
}
static bool have_reply(struct xs_conn *c)
{
    return c->reply_ready;
}

/* Write all of iov to the request ring, waiting for space until deadline. */
static int send_all(struct xs_conn *c, const struct xs_iov *iov, size_t n,
                    uint64_t deadline, struct xs_kick *k)
{
    for (size_t i = 0; i < n; i++) {
        size_t off = 0;

        while (off < iov[i].len) {
            int w = xs_ring_write(c->intf, (const char *)iov[i].base + off,
                                  iov[i].len - off);

            if (w < 0)
                return xs_break(c, "request ring indices out of range");
            off += (size_t)w;
            if (w > 0 && c->t.notify)
                c->t.notify(c->t.arg);
            if (off == iov[i].len)
                break;
            /* Ring full: xenstored consumes and signals us. */
            if (c->t.now(c->t.arg) >= deadline)
                return -ETIMEDOUT;
            w = kick_wait(c, k, deadline);
            if (w < 0 && w != -ETIMEDOUT)
                return w;
        }
    }
    return 0;
}

/*
 * Send one request and wait for its reply, which is left in c->reply
 * (NUL-terminated) with its length returned. path only names the node in
 * error messages.
 */
static int xs_request(struct xs_conn *c, uint32_t type, xs_tx_t tx,
                      const struct xs_iov *iov, size_t n, const char *path)
{
    struct xsd_sockmsg h = {.type = type, .tx_id = tx};
    struct xs_iov all[4];
    struct xs_kick kick;
    uint64_t deadline, start;
    size_t len = 0;
    int rc;

    if (c->broken)
        return -EIO;
    for (size_t i = 0; i < n; i++)
        len += iov[i].len;
    if (len > XENSTORE_PAYLOAD_MAX || n + 1 > sizeof(all) / sizeof(all[0]))
        return -E2BIG;
    start = c->t.now(c->t.arg);
    deadline = start + c->timeout_ns;

    /* Another thread's request may be in flight: one at a time. */
    rc = wait_until(c, not_busy, deadline, NULL);
    if (rc < 0)
        goto fail;
    c->busy = true;
    h.req_id = c->next_req_id++;
    h.len = (uint32_t)len;
    c->inflight_id = h.req_id;
    c->inflight = true;
    c->reply_ready = false;

    all[0] = (struct xs_iov){&h, sizeof(h)};
    memcpy(all + 1, iov, n * sizeof(*iov));
    kick_start(c, &kick);
    rc = send_all(c, all, n + 1, deadline, &kick);
    if (rc == -ETIMEDOUT) {
        /* A half-written request desynchronises the stream for good. */
        xs_break(c, "request ring stayed full");
    }
    if (rc == 0)
        rc = wait_until(c, have_reply, deadline, &kick);
    c->renotified += kick.count;
    /* Only a slow answer is worth a line: xenstored under load often
     * takes longer than the first gap. */
    if (rc == 0 && c->t.now(c->t.arg) - start >= XS_KICK_LOG_NS)
        xs_log(c, "xenstore: %s %s answered after %u re-notification(s), "
               "%llu ms", op_name(type), path, kick.count,
               (unsigned long long)((c->t.now(c->t.arg) - start) / 1000000));
    c->inflight = false;
    c->busy = false;
    if (c->t.wake)
        c->t.wake(c->t.arg); /* let the next requester in */
    if (rc < 0)
        goto fail;

    c->reply_ready = false;
    if (c->reply_hdr.type == XS_ERROR)
        return xs_error_to_errno(c->reply);
    if (c->reply_hdr.type != type) {
        xs_log(c, "xenstore: reply of type %u to request %u on %s",
               (unsigned)c->reply_hdr.type, (unsigned)type, path);
        return -EIO;
    }
    return (int)c->reply_hdr.len;

fail:
    if (rc == -ETIMEDOUT)
        xs_log(c, "xenstore: timeout %s %s", op_name(type), path);
    return rc;
}

/* Request with "path\0" as the whole payload. */
static int xs_path_request(struct xs_conn *c, uint32_t type, xs_tx_t tx,
                           const char *path)
{
    struct xs_iov iov = {path, strlen(path) + 1};

    if (iov.len > XENSTORE_ABS_PATH_MAX + 1)
        return -ENAMETOOLONG;
    return xs_request(c, type, tx, &iov, 1, path);
}

/* Requests answered by "OK": its content carries no information. */
static int expect_ok(int rc)
{
    return rc < 0 ? rc : 0;
}

int xs_read(struct xs_conn *c, xs_tx_t tx, const char *path, char *buf,
            size_t size)
{
    int n = xs_path_request(c, XS_READ, tx, path);

    if (n < 0)
        return n;
    if (!buf || (size_t)n + 1 > size)
        return -ERANGE;
    /* Values may hold NULs; we copy bytes and terminate ourselves. */
    memcpy(buf, c->reply, (size_t)n);
    buf[n] = '\0';
    return n;
}

int xs_read_uint(struct xs_conn *c, xs_tx_t tx, const char *path,
                 unsigned long *out)
{
    char buf[24];
    unsigned long v = 0;
    int n = xs_read(c, tx, path, buf, sizeof(buf));

    if (n == -ERANGE)
        return -EINVAL;
    if (n < 0)
        return n;
    if (n == 0)
        return -EINVAL;
    for (int i = 0; i < n; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return -EINVAL;
        if (v > (~0UL - 9) / 10)
            return -EINVAL; /* overflow */
        v = v * 10 + (unsigned long)(buf[i] - '0');
    }
    *out = v;
    return 0;
}

int xs_write(struct xs_conn *c, xs_tx_t tx, const char *path, const char *value)
{
    /* XS_WRITE payload: "path\0" then the value bytes, unterminated. */
    struct xs_iov iov[2] = {{path, strlen(path) + 1}, {value, strlen(value)}};

    if (iov[0].len > XENSTORE_ABS_PATH_MAX + 1)
        return -ENAMETOOLONG;
    return expect_ok(xs_request(c, XS_WRITE, tx, iov, 2, path));
}

int xs_mkdir(struct xs_conn *c, xs_tx_t tx, const char *path)
{
    return expect_ok(xs_path_request(c, XS_MKDIR, tx, path));
}

int xs_rm(struct xs_conn *c, xs_tx_t tx, const char *path)
{
    return expect_ok(xs_path_request(c, XS_RM, tx, path));
}

int xs_directory(struct xs_conn *c, xs_tx_t tx, const char *path, char *buf,
                 size_t size)
{
    int n = xs_path_request(c, XS_DIRECTORY, tx, path);
    int count = 0;

    if (n < 0)
        return n;
    if (!buf || (size_t)n + 1 > size)
        return -ERANGE;
    memcpy(buf, c->reply, (size_t)n);
    /*
     * Each name should end in NUL; terminate a trailing unterminated one
     * ourselves rather than trusting the reply.
     */
    buf[n] = '\0';
    for (int i = 0; i < n; i++)
        if (buf[i] == '\0')
            count++;
    if (n > 0 && c->reply[n - 1] != '\0')
        count++;
    return count;
}

static void watch_unlink(struct xs_conn *c, struct xs_watch *w)
{
    for (struct xs_watch **p = &c->watches; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            break;
        }
    }
    w->next = NULL;
}

int xs_watch_add(struct xs_conn *c, struct xs_watch *w, const char *path)
{
    struct xs_iov iov[2];
    int rc;

    if (!w || !path || strlen(path) >= sizeof(w->path))
        return -EINVAL;
    memset(w, 0, sizeof(*w));
    strcpy(w->path, path);
    snprintf(w->token, sizeof(w->token), "xnw%lu",
             (unsigned long)c->next_watch_id++);
    /* Link first: the initial event may arrive before the reply. */
    w->next = c->watches;
    c->watches = w;
    iov[0] = (struct xs_iov){w->path, strlen(w->path) + 1};
    iov[1] = (struct xs_iov){w->token, strlen(w->token) + 1};
    rc = xs_request(c, XS_WATCH, XS_TX_NONE, iov, 2, w->path);
    if (rc < 0) {
        watch_unlink(c, w);
        return rc;
    }
    return 0;
}

int xs_suspend(struct xs_conn *c)
{
    uint64_t deadline = c->t.now(c->t.arg) + c->timeout_ns;
    int rc = wait_until(c, not_busy, deadline, NULL);

    if (rc < 0) {
        xs_log(c, "xenstore: a request is still in flight, cannot suspend");
        return rc;
    }
    c->busy = true; /* nobody starts a request until xs_resume() */
    return 0;
}

/* The i-th registered watch, looked up afresh (the list may change
 * while a request blocks). */
static struct xs_watch *watch_at(struct xs_conn *c, unsigned int i)
{
    struct xs_watch *w = c->watches;

    while (w && i--)
        w = w->next;
    return w;
}

int xs_resume(struct xs_conn *c, bool cancelled)
{
    int rc = 0;

    if (!cancelled) {
        /* A new xenstored connection: whatever half-read response the
         * ring still holds belongs to the old one. */
        __atomic_store_n(&c->intf->rsp_cons,
                         __atomic_load_n(&c->intf->rsp_prod, __ATOMIC_SEQ_CST),
                         __ATOMIC_SEQ_CST);
        c->in_hdr_got = 0;
        c->in_body_got = 0;
        c->inflight = false;
        c->reply_ready = false;
    }
    c->busy = false;
    if (c->t.wake)
        c->t.wake(c->t.arg);
    if (cancelled)
        return 0; /* xenstored still knows our watches */
    /* xenstored forgot our watches: register each again (same token);
     * its initial event makes every waiter look again. */
    for (unsigned int i = 0;; i++) {
        struct xs_watch *w = watch_at(c, i);
        struct xs_iov iov[2];
        int r;

        if (!w)
            break;
        iov[0] = (struct xs_iov){w->path, strlen(w->path) + 1};
        iov[1] = (struct xs_iov){w->token, strlen(w->token) + 1};
        r = expect_ok(xs_request(c, XS_WATCH, XS_TX_NONE, iov, 2, w->path));
        if (r < 0 && rc == 0)
            rc = r;
    }
    return rc;
}

int xs_watch_remove(struct xs_conn *c, struct xs_watch *w)
{
    struct xs_iov iov[2] = {{w->path, strlen(w->path) + 1},
                            {w->token, strlen(w->token) + 1}};
    int rc = xs_request(c, XS_UNWATCH, XS_TX_NONE, iov, 2, w->path);

    /* Unlink regardless: late events for the token are then dropped. */
    watch_unlink(c, w);
    return expect_ok(rc);
}

int xs_watch_wait(struct xs_conn *c, struct xs_watch *w, char *buf, size_t size,
                  uint64_t timeout_ns)
{
    uint64_t deadline = c->t.now(c->t.arg) + timeout_ns;

    for (;;) {
        int rc = xs_poll(c);

        if (rc < 0)
            return rc;
        if (xs_watch_next(w, buf, size))
            return 1;
        if (c->t.now(c->t.arg) >= deadline) {
            xs_log(c, "xenstore: timeout waiting for a change of %s", w->path);
            return -ETIMEDOUT;
        }
        rc = c->t.wait(c->t.arg, deadline);
        if (rc < 0 && rc != -ETIMEDOUT)
            return rc;
    }
}

int xs_transaction_start(struct xs_conn *c, xs_tx_t *tx)
{
    /* Payload is an empty string; the reply is the id in decimal. */
    struct xs_iov iov = {"", 1};
    unsigned long v = 0;
    int n = xs_request(c, XS_TRANSACTION_START, XS_TX_NONE, &iov, 1, "/");

    if (n < 0)
        return n;
    if (n == 0 || c->reply[0] == '\0')
        return -EIO;
    for (int i = 0; i < n && c->reply[i]; i++) {
        if (c->reply[i] < '0' || c->reply[i] > '9' || v > 0xffffffffUL / 10)
            return -EIO;
        v = v * 10 + (unsigned long)(c->reply[i] - '0');
    }
    if (v == 0 || v > 0xffffffffUL)
        return -EIO; /* 0 would mean "no transaction" */
    *tx = (xs_tx_t)v;
    return 0;
}

int xs_transaction_end(struct xs_conn *c, xs_tx_t tx, bool abort)
{
    struct xs_iov iov = {abort ? "F" : "T", 2};

    return expect_ok(xs_request(c, XS_TRANSACTION_END, tx, &iov, 1, "/"));
}

int xs_transaction_run(struct xs_conn *c,
                       int (*body)(struct xs_conn *c, xs_tx_t tx, void *arg),
                       void *arg)
{
    int rc = -EAGAIN;

    for (unsigned int i = 0; i < XS_TRANSACTION_TRIES; i++) {
        xs_tx_t tx;

        rc = xs_transaction_start(c, &tx);
        if (rc < 0)
            return rc;
        rc = body(c, tx, arg);
        if (rc < 0) {
            /* Abort errors are secondary to the body's own. */
            (void)xs_transaction_end(c, tx, true);
            if (rc == -EAGAIN)
                continue;
            return rc;
        }
        rc = xs_transaction_end(c, tx, false);
        if (rc != -EAGAIN)
            return rc;
    }
    xs_log(c, "xenstore: transaction still conflicting after %d tries",
           XS_TRANSACTION_TRIES);
    return rc;
}
