// SPDX-License-Identifier: MIT
/*
 * apps/blkbench/main.c - a fio-like block benchmark and checker for
 * xenith's block API.
 *
 * Words on the command line are KEY=VALUE (sizes take K/M/G):
 *   dev=xvda  mode=read|write|randread|randwrite|randrw|verify|
 *             verifyread|info|rotest|survive  bs=4096  qd=32
 *             bytes=N | time=S  (randrw: each request a read or a
 *             write with even odds, fio's rw=randrw rwmixread=50)
 *   size=N (region, default the whole disk)  seed=N
 *   readsha=BYTES            sha256 of the disk's first BYTES
 *   writepattern=BYTES       pattern blocks (bs, seed) over the first
 *                            BYTES, flushed; prints their sha256
 *   mode=verify time=S       verify rounds (seed, seed+1, ...) for S s
 * Benchmarks keep qd requests in flight with the asynchronous API and
 * print one parseable line: "blkbench: mode=randread bs=4096 qd=32
 * bytes=... secs=... iops=... mibps=..." (MiB/s, 2^20 bytes, fio's
 * unit). Design choice: one engine (a
 * ring of qd slots whose completion callback issues the slot's next
 * request) serves the benchmarks, verify and survive, so the checker
 * exercises exactly the path that is measured. Exit status 0 only when
 * the run did what was asked (every block checked, no error).
 * Reference: include/xenith.h (block devices), fio's job terms.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern.h"
#include "sha256.h"
#include "xenith.h"

#define MAX_QD 256
#define NS     1000000000ull

struct opts {
    const char *dev, *mode;
    uint64_t bs, qd, bytes, secs, size, seed;
    uint64_t readsha, writepattern;
};

struct engine;

/* A block larger than the device's largest request (1 MiB blocks on a
 * 256 KiB device) is issued as several requests that complete together. */
#define MAX_PARTS 16

struct ioslot {
    struct xn_blk_req req[MAX_PARTS];
    unsigned int parts, pending;
    unsigned int next; /* first part not queued yet */
    bool stalled;      /* a part got XN_ERR_BUSY: queue the rest later */
    xn_result result;  /* first failure among the parts */
    uint8_t *buf;
    uint64_t block;
    struct engine *e;
};

struct engine {
    struct xn_blk *b;
    struct xn_blk_info info;
    enum xn_blk_req_op op;
    bool random, mix, fill_each, check;
    uint64_t bs, blocks, seed, rng;
    uint64_t next, total, deadline; /* total 0: until deadline */
    uint64_t issued, done, errors, bad, first_bad;
    enum pattern_result first_bad_why;
    xn_result first_err;
    unsigned int qd;
    struct ioslot slot[MAX_QD];
};

static uint64_t now_ns(void)
{
    return xn_time_monotonic_ns();
}

static const char *result_name(xn_result r)
{
    switch (r) {
    case XN_OK:
        return "ok";
    case XN_ERR_INVAL:
        return "invalid";
    case XN_ERR_NOMEM:
        return "no memory";
    case XN_ERR_TIMEOUT:
        return "timeout";
    case XN_ERR_BUSY:
        return "busy";
    case XN_ERR_IO:
        return "I/O error";
    case XN_ERR_ROFS:
        return "read-only";
    case XN_ERR_NODEV:
        return "no device";
    case XN_ERR_NOTSUP:
        return "not supported";
    }
    return "?";
}

/* ---- the engine ---- */

static bool more_work(const struct engine *e)
{
    if (e->total)
        return e->issued < e->total;
    return now_ns() < e->deadline;
}

static void issue(struct ioslot *s);
static void submit_parts(struct ioslot *s);

static void slot_finish(struct ioslot *s);

static void io_done(struct xn_blk_req *req, void *arg)
{
    struct ioslot *s = arg;

    if (req->result != XN_OK && s->result == XN_OK)
        s->result = req->result;
    if (--s->pending > 0)
        return; /* the block completes with its last part */
    slot_finish(s);
}

/* Every part of the slot's block is done: count it, issue the next. */
static void slot_finish(struct ioslot *s)
{
    struct engine *e = s->e;

    e->done++;
    if (s->result != XN_OK) {
        if (!e->errors)
            e->first_err = s->result;
        e->errors++;
    } else if (e->check) {
        enum pattern_result r = pattern_check(s->buf, e->bs, s->block, e->seed);

        if (r != PATTERN_OK && e->bad++ == 0) {
            e->first_bad = s->block;
            e->first_bad_why = r;
        }
    }
    if (more_work(e))
        issue(s);
}

static void issue(struct ioslot *s)
{
    struct engine *e = s->e;
    uint64_t chunk = e->info.max_request;
    enum xn_blk_req_op op = e->op;

    if (e->random)
        s->block = pattern_mix(&e->rng) % e->blocks;
    else
        s->block = e->next++ % e->blocks;
    if (e->mix)
        op = (pattern_mix(&e->rng) >> 32) & 1 ? XN_BLK_REQ_WRITE
                                               : XN_BLK_REQ_READ;
    if (e->fill_each)
        pattern_fill(s->buf, e->bs, s->block, e->seed);
    s->parts = (unsigned int)((e->bs + chunk - 1) / chunk);
    s->pending = s->parts;
    s->result = XN_OK;
    for (unsigned int i = 0; i < s->parts; i++) {
        uint64_t off = (uint64_t)i * chunk;

        s->req[i] = (struct xn_blk_req){
            .op = op,
            .offset = s->block * e->bs + off,
            .buf = s->buf + off,
            .len = e->bs - off < chunk ? e->bs - off : chunk,
            .done = io_done,
            .arg = s,
        };
    }
    e->issued++;
    s->next = 0;
    submit_parts(s);
}

/*
 * Queue the slot's parts from s->next on. XN_ERR_BUSY (every ring slot
 * or grant in use) is back-pressure, not a failure: the slot waits
 * (stalled) and engine_run queues the rest after completions.
 */
static void submit_parts(struct ioslot *s)
{
    struct engine *e = s->e;
    xn_result rc = XN_OK;

    s->stalled = false;
    while (s->next < s->parts) {
        rc = xn_blk_submit(e->b, &s->req[s->next]);
        if (rc == XN_ERR_BUSY) {
            s->stalled = true;
            return;
        }
        if (rc != XN_OK)
            break;
        s->next++;
    }
    if (rc == XN_OK)
        return;
    /* Parts not queued never complete: count them off now. */
    s->pending -= s->parts - s->next;
    if (s->result == XN_OK)
        s->result = rc;
    if (s->pending > 0)
        return; /* the queued parts finish the block */
    if (s->next > 0) {
        slot_finish(s); /* its queued parts completed already */
        return;
    }
    /* Nothing in flight for this block: a failed request right away. */
    e->issued--;
    if (!e->errors)
        e->first_err = rc;
    e->errors++;
    if (rc == XN_ERR_NODEV)
        xn_sleep_ns(NS / 100); /* backend away: do not spin */
}

/* Queue the rest of every stalled slot; true if one is still stalled. */
static bool retry_stalled(struct engine *e)
{
    bool any = false;

    for (unsigned int i = 0; i < e->qd; i++) {
        if (e->slot[i].stalled)
            submit_parts(&e->slot[i]);
        any |= e->slot[i].stalled;
    }
    return any;
}

/* Run until the work is done; 0, or -1 after a fatal wait error. */
static int engine_run(struct engine *e)
{
    for (unsigned int i = 0; i < e->qd; i++)
        if (more_work(e))
            issue(&e->slot[i]);
    for (;;) {
        bool stalled = retry_stalled(e);
        int n;

        if (xn_blk_inflight(e->b) == 0 && !stalled && !more_work(e))
            break;
        if (xn_blk_inflight(e->b) == 0) {
            if (stalled)
                xn_sleep_ns(NS / 100); /* busy with nothing of ours out */
            else /* every slot failed to submit (backend away): retry */
                issue(&e->slot[0]);
            continue;
        }
        n = xn_blk_wait(e->b, 5 * NS);
        if (n == XN_ERR_TIMEOUT) {
            printf("blkbench: no completion for 5 s (%u in flight)\n",
                   xn_blk_inflight(e->b));
        } else if (n < 0) {
            printf("blkbench: wait failed: %s\n", result_name(n));
            return -1;
        }
    }
    return 0;
}

static int engine_init(struct engine *e, struct xn_blk *b,
                       const struct xn_blk_info *info, const struct opts *o)
{
    uint64_t region = o->size ? o->size : info->size;

    memset(e, 0, sizeof(*e));
    e->b = b;
    e->info = *info;
    e->bs = o->bs;
    e->qd = (unsigned int)o->qd;
    e->seed = o->seed;
    e->rng = o->seed ^ 0x5eed;
    if (e->bs == 0 || e->bs % info->align || info->max_request == 0 ||
        info->max_request % info->align ||
        e->bs > (uint64_t)info->max_request * MAX_PARTS) {
        printf("blkbench: bs=%" PRIu64 " must be a multiple of %u and at "
               "most %u\n",
               e->bs, info->align, info->max_request * MAX_PARTS);
        return -1;
    }
    if (e->qd == 0 || e->qd > MAX_QD)
        e->qd = e->qd ? MAX_QD : 1;
    if (e->qd > info->queue_depth)
        e->qd = info->queue_depth;
    if (region > info->size)
        region = info->size;
    e->blocks = region / e->bs;
    if (e->blocks == 0) {
        printf("blkbench: region smaller than one block\n");
        return -1;
    }
    for (unsigned int i = 0; i < e->qd; i++) {
        e->slot[i].e = e;
        e->slot[i].buf = malloc(e->bs);
        if (!e->slot[i].buf) {
            printf("blkbench: out of memory for %u x %" PRIu64 " bytes\n",
                   e->qd, e->bs);
            return -1;
        }
        pattern_fill(e->slot[i].buf, e->bs, i, e->seed);
    }
    return 0;
}

static void engine_fini(struct engine *e)
{
    for (unsigned int i = 0; i < e->qd; i++)
        free(e->slot[i].buf);
}

/* ---- modes ---- */

static int bench(struct xn_blk *b, const struct xn_blk_info *info,
                 const struct opts *o)
{
    static struct engine e;
    const char *m = o->mode;
    uint64_t t0, t1;
    double secs;

    if (engine_init(&e, b, info, o) < 0)
        return 1;
    e.random = strncmp(m, "rand", 4) == 0;
    e.mix = strcmp(m, "randrw") == 0;
    e.op = strstr(m, "write") ? XN_BLK_REQ_WRITE : XN_BLK_REQ_READ;
    if ((e.op == XN_BLK_REQ_WRITE || e.mix) && info->read_only) {
        printf("blkbench: %s is read-only\n", info->name);
        return 1;
    }
    if (o->bytes)
        e.total = o->bytes / e.bs ? o->bytes / e.bs : 1;
    else if (o->secs == 0 && !e.random)
        e.total = e.blocks; /* one pass over the region */
    t0 = now_ns();
    e.deadline = t0 + (o->secs ? o->secs : 10) * NS;
    if (engine_run(&e) < 0)
        return 1;
    t1 = now_ns();
    secs = (double)(t1 - t0) / 1e9;
    printf("blkbench: mode=%s bs=%" PRIu64 " qd=%u bytes=%" PRIu64
           " secs=%.3f iops=%.0f mibps=%.2f errors=%" PRIu64 "\n",
           m, e.bs, e.qd, (e.done - e.errors) * e.bs, secs,
           (double)(e.done - e.errors) / secs,
           (double)((e.done - e.errors) * e.bs) / secs / 1048576.0, e.errors);
    engine_fini(&e);
    return e.errors ? 1 : 0;
}

/* verify: write the region with pattern blocks, flush, read it back. */
static int verify(struct xn_blk *b, const struct xn_blk_info *info,
                  const struct opts *o, bool write)
{
    static struct engine e;
    struct opts oo = *o;
    xn_result rc;

    if (!oo.size)
        oo.size = oo.bytes ? oo.bytes : 16u << 20;
    if (engine_init(&e, b, info, &oo) < 0)
        return 1;
    if (write) {
        e.op = XN_BLK_REQ_WRITE;
        e.fill_each = true;
        e.total = e.blocks;
        if (engine_run(&e) < 0 || e.errors) {
            printf("blkbench: verify: %" PRIu64 " write errors (first: %s)\n",
                   e.errors, result_name(e.first_err));
            return 1;
        }
        rc = xn_blk_flush(b);
        if (rc != XN_OK) {
            printf("blkbench: verify: flush failed: %s\n", result_name(rc));
            return 1;
        }
    }
    e.op = XN_BLK_REQ_READ;
    e.fill_each = false;
    e.check = true;
    e.next = e.issued = e.done = 0;
    e.total = e.blocks;
    if (engine_run(&e) < 0)
        return 1;
    if (e.errors || e.bad) {
        printf("blkbench: verify FAILED blocks=%" PRIu64 " errors=%" PRIu64
               " bad=%" PRIu64 " first_bad=%" PRIu64 " (%s)\n",
               e.blocks, e.errors, e.bad, e.first_bad,
               e.bad ? pattern_result_name(e.first_bad_why)
                     : result_name(e.first_err));
        return 1;
    }
    printf("blkbench: verify ok blocks=%" PRIu64 " bs=%" PRIu64 " seed=%" PRIu64
           " qd=%u\n",
           e.blocks, e.bs, e.seed, e.qd);
    engine_fini(&e);
    return 0;
}

#define CHUNK (1u << 20)

/* sha256 of the first `bytes` of the disk, read synchronously. */
static int readsha(struct xn_blk *b, const struct xn_blk_info *info,
                   uint64_t bytes)
{
    uint8_t *buf = malloc(CHUNK), digest[32];
    struct sha256 c;
    char hex[65];

    if (!buf || bytes > info->size || bytes % info->align) {
        printf("blkbench: readsha=%" PRIu64 ": must be a multiple of %u, "
               "at most %" PRIu64 "\n",
               bytes, info->align, info->size);
        return 1;
    }
    sha256_init(&c);
    for (uint64_t off = 0; off < bytes; off += CHUNK) {
        size_t n = bytes - off < CHUNK ? (size_t)(bytes - off) : CHUNK;
        xn_result rc = xn_blk_read(b, off, buf, n);

        if (rc != XN_OK) {
            printf("blkbench: read at %" PRIu64 " failed: %s\n", off,
                   result_name(rc));
            return 1;
        }
        sha256_update(&c, buf, n);
    }
    sha256_final(&c, digest);
    sha256_hex(digest, hex);
    printf("blkbench: sha256=%s bytes=%" PRIu64 "\n", hex, bytes);
    free(buf);
    return 0;
}

/*
 * verify with time=S: rounds of verify (each with the next seed, so
 * every round writes different data) until S seconds have passed - a
 * checker that keeps I/O in flight while a test saves and restores the
 * domain, or migrates it. Fails at the first round that fails.
 */
static int verify_rounds(struct xn_blk *b, const struct xn_blk_info *info,
                         const struct opts *o)
{
    uint64_t end = now_ns() + o->secs * NS, rounds = 0;
    struct opts oo = *o;

    oo.secs = 0;
    do {
        oo.seed = o->seed + rounds;
        if (verify(b, info, &oo, true))
            return 1;
        rounds++;
    } while (now_ns() < end);
    printf("blkbench: verify rounds=%" PRIu64 " all ok\n", rounds);
    return 0;
}

/* Pattern blocks over the first `bytes`, flushed; their sha256. */
static int writepattern(struct xn_blk *b, const struct xn_blk_info *info,
                        const struct opts *o)
{
    uint64_t bs = o->bs, bytes = o->writepattern;
    uint8_t *buf = malloc(bs), digest[32];
    struct sha256 c;
    xn_result rc;
    char hex[65];

    if (!buf || bs < PATTERN_MIN_BLOCK || bs % info->align || bytes % bs ||
        bytes > info->size) {
        printf("blkbench: writepattern=%" PRIu64 " bs=%" PRIu64
               ": bytes must be a multiple of bs, bs of %u\n",
               bytes, bs, info->align);
        return 1;
    }
    sha256_init(&c);
    for (uint64_t off = 0; off < bytes; off += bs) {
        pattern_fill(buf, bs, off / bs, o->seed);
        rc = xn_blk_write(b, off, buf, bs);
        if (rc != XN_OK) {
            printf("blkbench: write at %" PRIu64 " failed: %s\n", off,
                   result_name(rc));
            return 1;
        }
        sha256_update(&c, buf, bs);
    }
    rc = xn_blk_flush(b);
    if (rc != XN_OK) {
        printf("blkbench: flush failed: %s\n", result_name(rc));
        return 1;
    }
    sha256_final(&c, digest);
    sha256_hex(digest, hex);
    printf("blkbench: wrote bytes=%" PRIu64 " seed=%" PRIu64 " sha256=%s\n",
           bytes, o->seed, hex);
    free(buf);
    return 0;
}

/* A read-only disk: writes refused before the ring, reads work. */
static int rotest(struct xn_blk *b, const struct xn_blk_info *info)
{
    static uint8_t buf[4096];
    char path[32];
    xn_result w, r;
    int fd, fd_errno;

    w = xn_blk_write(b, 0, buf, info->align);
    r = xn_blk_read(b, 0, buf, info->align);
    snprintf(path, sizeof(path), "/dev/%s", info->name);
    fd = open(path, O_RDWR);
    fd_errno = errno;
    if (fd >= 0)
        close(fd);
    printf("blkbench: rotest read_only=%d write=%s read=%s "
           "open_rdwr=%s\n",
           info->read_only, result_name(w), result_name(r),
           fd >= 0 ? "opened" : strerror(fd_errno));
    return info->read_only && w == XN_ERR_ROFS && r == XN_OK && fd < 0 &&
                   fd_errno == EROFS
               ? 0
               : 1;
}

/*
 * Random reads for `secs` seconds whatever happens to the backend (a
 * test detaches and re-attaches the disk meanwhile), one status line a
 * second; then one more read must work.
 */
static int survive(struct xn_blk *b, const struct xn_blk_info *info,
                   const struct opts *o)
{
    static struct engine e;
    uint64_t end = now_ns() + (o->secs ? o->secs : 30) * NS, ok = 0;
    struct xn_blk_info now;
    static uint8_t buf[4096];
    xn_result rc;

    if (engine_init(&e, b, info, o) < 0)
        return 1;
    e.random = true;
    e.op = XN_BLK_REQ_READ;
    while (now_ns() < end) {
        e.issued = e.done = 0;
        e.errors = 0;
        e.total = 0;
        e.deadline = now_ns() + NS;
        engine_run(&e);
        ok += e.done - e.errors;
        xn_blk_get_info(b, &now);
        printf("blkbench: survive done=%" PRIu64 " errors=%" PRIu64
               " (%s) connected=%d\n",
               e.done, e.errors, e.errors ? result_name(e.first_err) : "-",
               now.connected);
    }
    rc = xn_blk_read(b, 0, buf, info->align);
    printf("blkbench: survive total_ok=%" PRIu64 " final_read=%s\n", ok,
           result_name(rc));
    engine_fini(&e);
    return rc == XN_OK ? 0 : 1;
}

/* ---- command line ---- */

static uint64_t parse_size(const char *s)
{
    char *end;
    uint64_t v = strtoull(s, &end, 0);

    switch (*end) {
    case 'k':
    case 'K':
        return v << 10;
    case 'm':
    case 'M':
        return v << 20;
    case 'g':
    case 'G':
        return v << 30;
    default:
        return v;
    }
}

static int parse(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.mode = "info", .bs = 4096, .qd = 1, .seed = 1};
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        const char *v;

        if (!eq) {
            printf("blkbench: expected KEY=VALUE, got '%s'\n", argv[i]);
            return -1;
        }
        *eq = '\0';
        v = eq + 1;
        if (!strcmp(argv[i], "dev"))
            o->dev = v;
        else if (!strcmp(argv[i], "mode"))
            o->mode = v;
        else if (!strcmp(argv[i], "bs"))
            o->bs = parse_size(v);
        else if (!strcmp(argv[i], "qd"))
            o->qd = parse_size(v);
        else if (!strcmp(argv[i], "bytes"))
            o->bytes = parse_size(v);
        else if (!strcmp(argv[i], "time"))
            o->secs = parse_size(v);
        else if (!strcmp(argv[i], "size"))
            o->size = parse_size(v);
        else if (!strcmp(argv[i], "seed"))
            o->seed = parse_size(v);
        else if (!strcmp(argv[i], "readsha"))
            o->readsha = parse_size(v), o->mode = "readsha";
        else if (!strcmp(argv[i], "writepattern"))
            o->writepattern = parse_size(v), o->mode = "writepattern";
        else {
            printf("blkbench: unknown option '%s'\n", argv[i]);
            return -1;
        }
    }
    return 0;
}

static void print_info(const struct xn_blk_info *in)
{
    printf("blkbench: dev=%s size=%" PRIu64 " sector=%u physical=%u "
           "align=%u max_request=%u queue_depth=%u ro=%d flush=%d "
           "discard=%d connected=%d\n",
           in->name, in->size, in->sector_size, in->physical_sector_size,
           in->align, in->max_request, in->queue_depth, in->read_only,
           in->can_flush, in->can_discard, in->connected);
}

int blkbench_fdtest(const char *dev, uint64_t seed);

int main(int argc, char **argv)
{
    struct xn_blk_info info;
    struct xn_blk *b;
    struct opts o;
    xn_result rc;
    int status;

    if (parse(argc, argv, &o) < 0)
        return 2;
    if (xn_blk_count() == 0) {
        printf("blkbench: no block device\n");
        return 3;
    }
    for (unsigned int i = 0; i < xn_blk_count(); i++)
        printf("blkbench: device %u: %s\n", i, xn_blk_name(i));
    if (!o.dev)
        o.dev = xn_blk_name(0);
    rc = xn_blk_open(o.dev, &b);
    if (rc != XN_OK) {
        printf("blkbench: open %s: %s\n", o.dev, result_name(rc));
        return 3;
    }
    xn_blk_get_info(b, &info);
    print_info(&info);
    if (!info.connected) {
        printf("blkbench: %s is not connected\n", o.dev);
        return 3;
    }
    if (!strcmp(o.mode, "info"))
        status = 0;
    else if (!strcmp(o.mode, "readsha"))
        status = readsha(b, &info, o.readsha);
    else if (!strcmp(o.mode, "writepattern"))
        status = writepattern(b, &info, &o);
    else if (!strcmp(o.mode, "verify") && o.secs)
        status = verify_rounds(b, &info, &o);
    else if (!strcmp(o.mode, "verify"))
        status = verify(b, &info, &o, true);
    else if (!strcmp(o.mode, "verifyread"))
        status = verify(b, &info, &o, false);
    else if (!strcmp(o.mode, "rotest"))
        status = rotest(b, &info);
    else if (!strcmp(o.mode, "survive"))
        status = survive(b, &info, &o);
    else if (!strcmp(o.mode, "fdtest"))
        status = blkbench_fdtest(o.dev, o.seed);
    else if (!strcmp(o.mode, "read") || !strcmp(o.mode, "write") ||
             !strcmp(o.mode, "randread") || !strcmp(o.mode, "randwrite") ||
             !strcmp(o.mode, "randrw"))
        status = bench(b, &info, &o);
    else {
        printf("blkbench: unknown mode '%s'\n", o.mode);
        status = 2;
    }
    xn_blk_close(b);
    return status;
}
