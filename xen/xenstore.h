// SPDX-License-Identifier: MIT
/*
 * xen/xenstore.h - xenstore client over the shared ring page.
 *
 * The domain talks to xenstored through one page holding two 1024-byte
 * byte rings (requests, responses) with free-running 32-bit indices
 * masked by MASK_XENSTORE_IDX. Design choice: everything protocol-related
 * is pure code over a struct xenstore_domain_interface passed in, and the
 * only blocking point is one transport callback (wait), so a host test
 * can play xenstored inside that callback. One request is in flight per
 * connection at a time (xenstored answers in order anyway); replies are
 * matched by req_id, and watch events, which arrive interleaved with
 * replies in the response ring, are demultiplexed by type and token into
 * the watch's own bounded queue. Anything malformed read from the ring
 * (bad type, len > XENSTORE_PAYLOAD_MAX, inconsistent indices) marks the
 * connection broken: every later call returns -EIO; a byte stream without
 * framing cannot be resynchronised safely. Every wait is bounded by the
 * connection's timeout and its error message names the path.
 * Reference: xen/include/public/io/xs_wire.h, docs/misc/xenstore.txt.
 */
#ifndef XEN_XENSTORE_H
#define XEN_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/io/xs_wire.h>

/* A transaction id; XS_TX_NONE runs an operation outside any transaction. */
typedef uint32_t xs_tx_t;
#define XS_TX_NONE ((xs_tx_t)0)

/* Default bound on every wait (a request, ring space, a watch event). */
#define XS_DEFAULT_TIMEOUT_NS (10ULL * 1000 * 1000 * 1000)

/* Watched path and token sizes; events for longer paths are truncated. */
#define XS_WATCH_PATH_MAX  256
#define XS_WATCH_TOKEN_MAX 16
/* Bytes of queued event paths per watch (NUL-separated FIFO). */
#define XS_WATCH_QUEUE_BYTES 1024

/* Retries of xs_transaction_run() when xenstored answers EAGAIN. */
#define XS_TRANSACTION_TRIES 16

/*
 * The glue between the pure client and the kernel. On the guest, notify
 * kicks xenstored's event channel, wait blocks the thread on a wait queue
 * woken by that channel's handler, wake wakes that queue, now reads the
 * monotonic clock. A host test implements them to play xenstored.
 */
struct xs_transport {
    /* Tell xenstored that the request ring moved (send on the channel). */
    void (*notify)(void *arg);
    /*
     * Block until the response ring may have changed, wake() was called
     * or deadline_ns (monotonic) has passed. Returns 0 or -ETIMEDOUT;
     * spurious returns are fine, the caller re-checks.
     */
    int (*wait)(void *arg, uint64_t deadline_ns);
    /* Wake every thread blocked in wait() (a reply or event was queued). */
    void (*wake)(void *arg);
    /* Monotonic nanoseconds. */
    uint64_t (*now)(void *arg);
    /* Optional: one line of diagnostics (no trailing newline). */
    void (*log)(void *arg, const char *msg);
    void *arg;
};

/*
 * A registered watch. The caller owns the storage; it must stay valid
 * until xs_watch_remove(). Events are queued as paths in a bounded FIFO;
 * when it overflows, the queue keeps one event for the watched path
 * itself, so a consumer that re-reads its nodes loses nothing.
 */
struct xs_watch {
    struct xs_watch *next;
    char path[XS_WATCH_PATH_MAX];
    char token[XS_WATCH_TOKEN_MAX];
    char queue[XS_WATCH_QUEUE_BYTES];
    size_t q_len;         /* bytes used in queue */
    unsigned int q_count; /* events queued */
    bool overflowed;      /* events were coalesced */
};

struct xs_conn {
    struct xenstore_domain_interface *intf;
    struct xs_transport t;
    uint64_t timeout_ns;
    bool broken;

    /* request side: one request in flight */
    bool busy;
    uint32_t next_req_id;
    uint32_t inflight_id;
    bool inflight;
    bool reply_ready;
    struct xsd_sockmsg reply_hdr;
    char reply[XENSTORE_PAYLOAD_MAX + 1];

    /* response stream reassembly */
    struct xsd_sockmsg in_hdr;
    size_t in_hdr_got;
    size_t in_body_got;
    char in_body[XENSTORE_PAYLOAD_MAX + 1];

    struct xs_watch *watches;
    uint32_t next_watch_id;

    /* counters for diagnostics and tests */
    unsigned long dropped_replies; /* stale or unsolicited replies */
    unsigned long dropped_events;  /* malformed or unknown-token events */
    unsigned long renotified;      /* notifies repeated for a late reply */
    char last_error[160];
};

/* ---- pure ring helpers ---- */

/*
 * Copy up to len bytes into the request ring; returns the number written
 * (0 when full) or -EIO when the indices are inconsistent.
 */
int xs_ring_write(struct xenstore_domain_interface *intf, const void *data,
                  size_t len);

/*
 * Copy up to len bytes out of the response ring; returns the number read
 * (0 when empty) or -EIO when the indices are inconsistent.
 */
int xs_ring_read(struct xenstore_domain_interface *intf, void *data,
                 size_t len);

/*
 * Map an XS_ERROR payload ("ENOENT", "EAGAIN", ...) to -errno; unknown
 * strings give -EIO.
 */
int xs_error_to_errno(const char *s);

/*
 * Log one line through the transport and keep it in c->last_error
 * (truncated to its size). For xenbus and drivers naming their paths.
 */
void xs_log(struct xs_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- connection ---- */

/*
 * Adopt the ring page intf and the transport t (copied). Does not touch
 * the ring indices: xenstored owns them from domain creation. -EINVAL on
 * NULL arguments or a transport without wait/now.
 */
int xs_conn_init(struct xs_conn *c, struct xenstore_domain_interface *intf,
                 const struct xs_transport *t);

/*
 * Non-blocking: consume whatever the response ring holds, complete
 * messages, hand the awaited reply to its requester and queue watch
 * events. Returns 0, or -EIO when the stream is malformed (the
 * connection is then broken).
 */
int xs_poll(struct xs_conn *c);

/* ---- operations; all 0 / >=0 or -errno, and -EIO once broken ---- */

/*
 * Read path into buf (NUL-terminated, at most size-1 bytes of value).
 * Returns the value length, -ENOENT, -ERANGE when buf is too small,
 * -ETIMEDOUT, ...
 */
int xs_read(struct xs_conn *c, xs_tx_t tx, const char *path, char *buf,
            size_t size);

/* Read path as an unsigned decimal integer (-EINVAL if it is not one). */
int xs_read_uint(struct xs_conn *c, xs_tx_t tx, const char *path,
                 unsigned long *out);

int xs_write(struct xs_conn *c, xs_tx_t tx, const char *path,
             const char *value);
int xs_mkdir(struct xs_conn *c, xs_tx_t tx, const char *path);
int xs_rm(struct xs_conn *c, xs_tx_t tx, const char *path);

/*
 * List the children of path into buf as consecutive NUL-terminated
 * names. Returns the number of names, -ERANGE when buf is too small.
 */
int xs_directory(struct xs_conn *c, xs_tx_t tx, const char *path, char *buf,
                 size_t size);

/*
 * Register w on path (path copied). xenstored fires one event at once,
 * so a consumer always starts with an event to re-read its nodes.
 */
int xs_watch_add(struct xs_conn *c, struct xs_watch *w, const char *path);

/* Unregister w; it is unlinked even if xenstored's reply is an error. */
int xs_watch_remove(struct xs_conn *c, struct xs_watch *w);

/*
 * Suspend/resume. xs_suspend() waits (bounded) until no request is in
 * flight and then holds the request slot, so nothing is half-sent when
 * the domain is saved. xs_resume() releases it; for a restored domain
 * (not cancelled) it first drops what the response ring still holds and
 * then registers every watch again, because the new xenstored connection
 * knows none. 0 or -errno (the first watch that failed).
 */
int xs_suspend(struct xs_conn *c);
int xs_resume(struct xs_conn *c, bool cancelled);

/*
 * Pop one queued event path into buf (truncated to size-1). Returns 1
 * when an event was popped, 0 when the queue is empty.
 */
int xs_watch_next(struct xs_watch *w, char *buf, size_t size);

/*
 * Like xs_watch_next() but wait up to timeout_ns for an event. Returns
 * 1, -ETIMEDOUT (logged with the watched path) or -EIO.
 */
int xs_watch_wait(struct xs_conn *c, struct xs_watch *w, char *buf, size_t size,
                  uint64_t timeout_ns);

int xs_transaction_start(struct xs_conn *c, xs_tx_t *tx);

/*
 * Commit (abort false) or abort a transaction. -EAGAIN means xenstored
 * saw a conflict and discarded it: run it again.
 */
int xs_transaction_end(struct xs_conn *c, xs_tx_t tx, bool abort);

/*
 * Run body(c, tx, arg) inside a transaction, re-running it from scratch
 * while the commit (or the body) fails with -EAGAIN, up to
 * XS_TRANSACTION_TRIES times. A body error aborts the transaction and is
 * returned. Returns 0, the body's error, or -EAGAIN when retries ran out.
 */
int xs_transaction_run(struct xs_conn *c,
                       int (*body)(struct xs_conn *c, xs_tx_t tx, void *arg),
                       void *arg);

/* ---- the guest's connection (xen/xenstore_glue.c, guest only) ---- */

/*
 * Connect to xenstored through start_info's store_mfn and store_evtchn:
 * bind the channel and adopt the (already mapped) ring page. Needs
 * evtchn, sched and time. 0 or -errno.
 */
int xenstore_init(unsigned long store_mfn, evtchn_port_t port);

/* The domain's connection, NULL before xenstore_init() succeeded. */
struct xs_conn *xenstore_conn(void);

/* Guest only: xs_suspend()/xs_resume() on the domain's connection; a
 * restored domain's store page has a new frame and port (start_info).
 * No-ops before xenstore_init(). */
int xenstore_suspend(void);
int xenstore_resume(bool cancelled, unsigned long store_mfn,
                    evtchn_port_t port);

#endif /* XEN_XENSTORE_H */
