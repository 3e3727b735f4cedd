// SPDX-License-Identifier: MIT
/*
 * test/fuzz/fuzz_xenstore.c - libFuzzer target of the xenstore client's
 * wire parser and watch demux (xen/xenstore.c): the fuzzer is xenstored.
 *
 * Design choice: one input is one conversation. The client runs a
 * sequence of operations (chosen by the input) and each time it blocks
 * in transport.wait() the fake daemon swallows the requests and writes
 * the next few records of the input into the response ring: raw bytes,
 * framed replies (to the request in flight or to any id, of any type,
 * with a truthful or lying length), watch events for a registered or
 * unknown token, or corrupted ring indices. So replies, events and
 * garbage interleave with requests at every point of the stream. Time is
 * a counter advanced by wait(), so every timeout is bounded and fast.
 * Checked: results are >= 0 or -errno; read and directory results fit
 * the buffer and are NUL-terminated; watch events pop as C strings
 * within the size; the reassembly never exceeds XENSTORE_PAYLOAD_MAX;
 * once broken, every operation is -EIO.
 * Reference: xen/include/public/io/xs_wire.h.
 */
#include <errno.h>

#include "fuzz_common.h"
#include "xen/xenstore.h"

#define NW 3

static struct xenstore_domain_interface intf;
static struct xs_conn conn;
static struct xs_watch watches[NW];
static bool watch_on[NW];
static struct fuzz_in in;
static uint64_t clock_ns;

static void put(const void *p, size_t n)
{
    XENSTORE_RING_IDX prod = intf.rsp_prod;

    /* As much as fits; the daemon is hostile, not impossible. */
    for (size_t i = 0; i < n && prod - intf.rsp_cons < XENSTORE_RING_SIZE;
         i++, prod++)
        intf.rsp[MASK_XENSTORE_IDX(prod)] = ((const char *)p)[i];
    __atomic_store_n(&intf.rsp_prod, prod, __ATOMIC_RELEASE);
}

static void daemon_record(void)
{
    uint8_t kind = fuzz_u8(&in);
    char body[300];
    struct xsd_sockmsg h;
    size_t n;

    switch (kind & 3) {
    case 0: /* raw bytes */
        n = fuzz_bytes(&in, body, fuzz_u8(&in) % sizeof(body));
        put(body, n);
        break;
    case 1: /* a framed message */
        h.type = fuzz_u8(&in);
        if (kind & 4)
            h.type %= XS_TYPE_COUNT;
        h.req_id = kind & 8 ? conn.inflight_id : fuzz_u32(&in);
        h.tx_id = 0;
        n = fuzz_bytes(&in, body, fuzz_u8(&in));
        h.len = kind & 16 ? fuzz_u32(&in) : (uint32_t)n;
        put(&h, sizeof(h));
        put(body, n);
        break;
    case 2: { /* a watch event */
        struct xs_watch *w = &watches[(kind >> 2) % NW];
        size_t pl = fuzz_bytes(&in, body, fuzz_u8(&in) % 200);
        size_t tl = strlen(w->token) + 1;

        body[pl] = '\0';
        pl = strlen(body) + 1;
        if (kind & 32) /* an unknown token */
            memcpy(body + pl, "x", 2), tl = 2;
        else
            memcpy(body + pl, w->token, tl);
        h = (struct xsd_sockmsg){.type = XS_WATCH_EVENT,
                                 .len = (uint32_t)(pl + tl)};
        put(&h, sizeof(h));
        put(body, pl + tl);
        break;
    }
    default: /* hostile indices or the error field */
        if (kind & 4)
            intf.rsp_prod += fuzz_u16(&in);
        else if (kind & 8)
            intf.rsp_cons = fuzz_u32(&in);
        else if (kind & 16)
            intf.req_cons = intf.req_prod + fuzz_u16(&in);
        else {
            intf.server_features = XENSTORE_SERVER_FEATURE_ERROR;
            intf.error = fuzz_u8(&in) & 1;
        }
        break;
    }
}

static void t_notify(void *arg)
{
    (void)arg;
}

/* The daemon's turn: eat the requests, answer with input records. */
static int t_wait(void *arg, uint64_t deadline)
{
    (void)arg;
    clock_ns += 1000000;
    intf.req_cons = intf.req_prod;
    if (fuzz_left(&in)) {
        unsigned int n = fuzz_u8(&in) % 4 + 1;

        while (n--)
            daemon_record();
    }
    return clock_ns >= deadline ? -ETIMEDOUT : 0;
}

static void t_wake(void *arg)
{
    (void)arg;
}

static uint64_t t_now(void *arg)
{
    (void)arg;
    return clock_ns;
}

static void t_log(void *arg, const char *msg)
{
    (void)arg;
    FUZZ_CHECK(strlen(msg) < 4096, "log line");
}

static void check_rc(int rc)
{
    FUZZ_CHECK(rc >= -4095, "rc %d", rc);
    FUZZ_CHECK(!conn.broken || rc == -EIO || rc >= 0, "broken but rc %d", rc);
    FUZZ_CHECK(conn.in_hdr_got <= sizeof(conn.in_hdr), "header bytes %zu",
               conn.in_hdr_got);
    FUZZ_CHECK(conn.in_body_got <= XENSTORE_PAYLOAD_MAX, "body bytes %zu",
               conn.in_body_got);
}

static void one_op(void)
{
    static char buf[XENSTORE_PAYLOAD_MAX + 8];
    uint8_t op = fuzz_u8(&in);
    size_t size = (size_t)fuzz_u8(&in) * 16 + 1;
    struct xs_watch *w = &watches[(op >> 4) % NW];
    bool was_broken = conn.broken;
    unsigned long v;
    xs_tx_t tx;
    int rc = 0;

    memset(buf, 0x5a, sizeof(buf));
    switch (op & 15) {
    case 0:
        rc = xs_read(&conn, XS_TX_NONE, "a/b", buf, size);
        if (rc >= 0)
            FUZZ_CHECK((size_t)rc < size && buf[rc] == '\0', "read %d/%zu", rc,
                       size);
        break;
    case 1:
        rc = xs_read_uint(&conn, XS_TX_NONE, "a/n", &v);
        break;
    case 2:
        rc = xs_write(&conn, XS_TX_NONE, "a/b", "value");
        break;
    case 3:
        rc = xs_directory(&conn, XS_TX_NONE, "a", buf, size);
        if (rc >= 0) {
            size_t off = 0;

            for (int i = 0; i < rc; i++) {
                FUZZ_CHECK(off < size, "name %d outside the buffer", i);
                off += strnlen(buf + off, size - off) + 1;
                FUZZ_CHECK(off <= size, "name %d not terminated", i);
            }
        }
        break;
    case 4:
        if (!watch_on[w - watches]) {
            rc = xs_watch_add(&conn, w, "a/w");
            watch_on[w - watches] = rc == 0;
        }
        break;
    case 5:
        if (watch_on[w - watches]) {
            rc = xs_watch_remove(&conn, w);
            watch_on[w - watches] = false;
        }
        break;
    case 6:
        rc = xs_watch_next(w, buf, size);
        FUZZ_CHECK(rc == 0 || rc == 1, "watch_next %d", rc);
        if (rc == 1)
            FUZZ_CHECK(strnlen(buf, size) < size, "event not terminated");
        FUZZ_CHECK(w->q_len <= sizeof(w->queue), "queue %zu", w->q_len);
        return;
    case 7:
        rc = xs_transaction_start(&conn, &tx);
        if (rc == 0)
            rc = xs_transaction_end(&conn, tx, op & 16);
        break;
    case 8:
        rc = xs_watch_wait(&conn, w, buf, size, 3000000);
        break;
    case 9:
        rc = xs_rm(&conn, XS_TX_NONE, "a/b");
        break;
    default:
        rc = xs_poll(&conn);
        FUZZ_CHECK(rc == 0 || rc == -EIO, "poll %d", rc);
        break;
    }
    check_rc(rc);
    if (was_broken)
        FUZZ_CHECK(rc == -EIO || (op & 15) == 5 || (op & 15) == 4,
                   "op %u after broken: %d", op & 15, rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xs_transport t = {.notify = t_notify,
                             .wait = t_wait,
                             .wake = t_wake,
                             .now = t_now,
                             .log = t_log};
    char buf[64];

    memset(&intf, 0, sizeof(intf));
    memset(watches, 0, sizeof(watches));
    memset(watch_on, 0, sizeof(watch_on));
    in = (struct fuzz_in){data, size};
    clock_ns = 0;
    FUZZ_CHECK(xs_conn_init(&conn, &intf, &t) == 0, "init");
    conn.timeout_ns = 8000000; /* 8 daemon turns per wait */
    for (unsigned int i = 0; i < 64 && fuzz_left(&in); i++)
        one_op();
    if (conn.broken)
        FUZZ_CHECK(xs_read(&conn, XS_TX_NONE, "x", buf, sizeof(buf)) == -EIO,
                   "broken connection answered");
    return 0;
}
