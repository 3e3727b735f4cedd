// SPDX-License-Identifier: MIT
/*
 * tools/gdbstub/rsp.c - gdb's remote serial protocol over struct
 * rsp_target_ops (see rsp.h for the design).
 *
 * Registers go as gdb's amd64 'g' layout without a target description:
 * 16 GPRs and rip as 8 bytes each, eflags, cs and ss as 4 bytes; gdb
 * marks what a short 'g' reply leaves out (ds..gs, x87, SSE) unavailable.
 */
#include "rsp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SIGTRAP_GDB 5

static const char hexd[] = "0123456789abcdef";

static int unhex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parse hex digits up to a delimiter (or the end); -1 if none or bad. */
static int parse_hex(const char **p, const char *end, uint64_t *v)
{
    int n = 0;

    *v = 0;
    while (*p < end && unhex(**p) >= 0 && n < 16) {
        *v = *v << 4 | (uint64_t)unhex(**p);
        (*p)++;
        n++;
    }
    return n ? 0 : -1;
}

/* Bytes as hex, two digits each. */
static void hex_bytes(char *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[b[i] >> 4];
        out[2 * i + 1] = hexd[b[i] & 15];
    }
}

/* 2n hex digits into n bytes; -1 on a bad digit. */
static int unhex_bytes(const char *p, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = unhex(p[2 * i]), lo = unhex(p[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* "ADDR,LEN" (then *p is after LEN). */
static int parse_addr_len(const char **p, const char *end, uint64_t *addr,
                          uint64_t *len)
{
    if (parse_hex(p, end, addr) || *p >= end || *(*p)++ != ',')
        return -1;
    return parse_hex(p, end, len);
}

static size_t put_hex_le(char *out, uint64_t v, unsigned int bytes)
{
    uint8_t b[8];

    for (unsigned int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    hex_bytes(out, b, bytes);
    return 2 * bytes;
}

static int reply_str(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (n >= cap)
        return 0;
    memcpy(out, s, n);
    return (int)n;
}

static int reply_err(char *out, size_t cap, int err)
{
    char buf[8];

    snprintf(buf, sizeof(buf), "E%02x", (unsigned int)(err & 0xff));
    return reply_str(out, cap, buf);
}

static unsigned int reg_bytes(unsigned int i)
{
    return i < XN_GDB_EFLAGS ? 8 : 4;
}

static struct rsp_bp *find_bp(struct rsp *r, uint64_t addr)
{
    for (unsigned int i = 0; i < RSP_MAX_BPS; i++)
        if (r->bps[i].used && r->bps[i].addr == addr)
            return &r->bps[i];
    return NULL;
}

static int insert_bp(struct rsp *r, uint64_t addr)
{
    static const uint8_t int3 = 0xcc;
    struct rsp_bp *free_bp = NULL;
    uint8_t orig;
    int rc;

    if (find_bp(r, addr))
        return 0;
    for (unsigned int i = 0; i < RSP_MAX_BPS && !free_bp; i++)
        if (!r->bps[i].used)
            free_bp = &r->bps[i];
    if (!free_bp)
        return -ENOSPC;
    rc = r->ops->read_mem(r->target, addr, &orig, 1);
    if (rc == 0)
        rc = r->ops->write_mem(r->target, addr, &int3, 1);
    if (rc)
        return rc;
    *free_bp = (struct rsp_bp){.addr = addr, .orig = orig, .used = true};
    return 0;
}

static int remove_bp(struct rsp *r, uint64_t addr)
{
    struct rsp_bp *bp = find_bp(r, addr);
    int rc;

    if (!bp)
        return 0;
    rc = r->ops->write_mem(r->target, addr, &bp->orig, 1);
    bp->used = false;
    return rc;
}

void rsp_clear_breakpoints(struct rsp *r)
{
    for (unsigned int i = 0; i < RSP_MAX_BPS; i++)
        if (r->bps[i].used)
            remove_bp(r, r->bps[i].addr);
}

/* Memory as gdb must see it: our int3s replaced by the saved bytes. */
static int read_shadowed(struct rsp *r, uint64_t addr, uint8_t *buf,
                         size_t len)
{
    int rc = r->ops->read_mem(r->target, addr, buf, len);

    if (rc)
        return rc;
    for (unsigned int i = 0; i < RSP_MAX_BPS; i++) {
        const struct rsp_bp *bp = &r->bps[i];

        if (bp->used && bp->addr >= addr && bp->addr - addr < len)
            buf[bp->addr - addr] = bp->orig;
    }
    return 0;
}

static int stop_reply(struct rsp *r, char *out, size_t cap)
{
    char buf[64];

    if (r->last.kind == RSP_STOP_EXITED) {
        snprintf(buf, sizeof(buf), "W%02x", (unsigned int)r->last.code & 0xff);
    } else {
        snprintf(buf, sizeof(buf), "T%02xthread:1;%s",
                 (unsigned int)r->last.sig & 0xff,
                 r->last.swbreak ? "swbreak:;" : "");
    }
    return reply_str(out, cap, buf);
}

/* A #BP stop after one of our int3s: rip back onto the breakpoint, and
 * the reply says swbreak (gdb then does not move the pc itself). */
static void settle_stop(struct rsp *r)
{
    uint64_t regs[XN_GDB_NREGS];

    r->last.swbreak = false;
    if (r->last.kind != RSP_STOP_SIGNAL || r->last.vector != 3 ||
        r->last.sig != SIGTRAP_GDB)
        return;
    if (r->ops->get_regs(r->target, regs) == 0 &&
        find_bp(r, regs[XN_GDB_RIP] - 1)) {
        regs[XN_GDB_RIP]--;
        r->last.swbreak = r->ops->set_regs(r->target, regs) == 0;
    }
}

void rsp_init(struct rsp *r, const struct rsp_target_ops *ops, void *target,
              void (*send)(void *, const void *, size_t), void *send_arg,
              const struct rsp_stop *initial)
{
    memset(r, 0, sizeof(*r));
    r->ops = ops;
    r->target = target;
    r->send = send;
    r->send_arg = send_arg;
    r->last = *initial;
    settle_stop(r);
}

static int cmd_g(struct rsp *r, char *out, size_t cap)
{
    uint64_t regs[XN_GDB_NREGS];
    size_t n = 0;
    int rc = r->ops->get_regs(r->target, regs);

    if (rc)
        return reply_err(out, cap, -rc);
    for (unsigned int i = 0; i < XN_GDB_NREGS; i++) {
        if (n + 2 * reg_bytes(i) >= cap)
            return reply_err(out, cap, ENOSPC);
        n += put_hex_le(out + n, regs[i], reg_bytes(i));
    }
    return (int)n;
}

/* Hex little-endian register value of `bytes` bytes. */
static int parse_le(const char *p, size_t avail, unsigned int bytes,
                    uint64_t *v)
{
    uint8_t b[8];

    if (avail < 2 * bytes || unhex_bytes(p, bytes, b))
        return -1;
    *v = 0;
    for (unsigned int i = 0; i < bytes; i++)
        *v |= (uint64_t)b[i] << (8 * i);
    return 0;
}

static int cmd_G(struct rsp *r, const char *p, const char *end, char *out,
                 size_t cap)
{
    uint64_t regs[XN_GDB_NREGS];
    int rc = r->ops->get_regs(r->target, regs);

    if (rc)
        return reply_err(out, cap, -rc);
    for (unsigned int i = 0; i < XN_GDB_NREGS && p < end; i++) {
        if (parse_le(p, (size_t)(end - p), reg_bytes(i), &regs[i]))
            return reply_err(out, cap, EINVAL);
        p += 2 * reg_bytes(i);
    }
    rc = r->ops->set_regs(r->target, regs);
    return rc ? reply_err(out, cap, -rc) : reply_str(out, cap, "OK");
}

static int cmd_P(struct rsp *r, const char *p, const char *end, char *out,
                 size_t cap)
{
    uint64_t regs[XN_GDB_NREGS], n;
    int rc;

    if (parse_hex(&p, end, &n) || p >= end || *p++ != '=' ||
        n >= XN_GDB_NREGS)
        return reply_err(out, cap, EINVAL);
    rc = r->ops->get_regs(r->target, regs);
    if (rc)
        return reply_err(out, cap, -rc);
    if (parse_le(p, (size_t)(end - p), reg_bytes((unsigned int)n),
                 &regs[n]))
        return reply_err(out, cap, EINVAL);
    rc = r->ops->set_regs(r->target, regs);
    return rc ? reply_err(out, cap, -rc) : reply_str(out, cap, "OK");
}

static int cmd_m(struct rsp *r, const char *p, const char *end, char *out,
                 size_t cap)
{
    uint64_t addr, len;
    uint8_t buf[RSP_PACKET_MAX / 2];
    int rc;

    if (parse_addr_len(&p, end, &addr, &len))
        return reply_err(out, cap, EINVAL);
    if (len > sizeof(buf) || 2 * len >= cap)
        len = (cap - 1) / 2 < sizeof(buf) ? (cap - 1) / 2 : sizeof(buf);
    rc = read_shadowed(r, addr, buf, (size_t)len);
    if (rc)
        return reply_err(out, cap, -rc);
    hex_bytes(out, buf, (size_t)len);
    return (int)(2 * len);
}

static int cmd_M(struct rsp *r, const char *p, const char *end, char *out,
                 size_t cap)
{
    uint64_t addr, len;
    uint8_t buf[RSP_PACKET_MAX / 2];
    int rc;

    if (parse_addr_len(&p, end, &addr, &len) || p >= end || *p++ != ':' ||
        len > sizeof(buf) || (size_t)(end - p) != 2 * len ||
        unhex_bytes(p, (size_t)len, buf))
        return reply_err(out, cap, EINVAL);
    /* A write over one of our breakpoints updates the saved byte. */
    for (size_t i = 0; i < len; i++) {
        struct rsp_bp *bp = find_bp(r, addr + i);

        if (bp) {
            bp->orig = buf[i];
            buf[i] = 0xcc;
        }
    }
    rc = len ? r->ops->write_mem(r->target, addr, buf, (size_t)len) : 0;
    return rc ? reply_err(out, cap, -rc) : reply_str(out, cap, "OK");
}

static int cmd_Z(struct rsp *r, bool insert, const char *p, const char *end,
                 char *out, size_t cap)
{
    uint64_t type, addr;
    int rc;

    if (parse_hex(&p, end, &type) || p >= end || *p++ != ',' ||
        parse_hex(&p, end, &addr))
        return reply_err(out, cap, EINVAL);
    if (type != 0)
        return 0; /* hardware breakpoints and watchpoints: unsupported */
    rc = insert ? insert_bp(r, addr) : remove_bp(r, addr);
    return rc ? reply_err(out, cap, -rc) : reply_str(out, cap, "OK");
}

static int resume(struct rsp *r, bool step, char *out, size_t cap)
{
    int rc;

    if (r->last.kind == RSP_STOP_EXITED)
        return stop_reply(r, out, cap);
    rc = r->ops->resume(r->target, step);
    if (rc)
        return reply_err(out, cap, -rc);
    r->running = true;
    return -1;
}

static bool starts(const char *pkt, size_t len, const char *s)
{
    size_t n = strlen(s);

    return len >= n && memcmp(pkt, s, n) == 0;
}

int rsp_handle(struct rsp *r, const char *pkt, size_t len, char *out,
               size_t cap)
{
    const char *end = pkt + len;

    if (len == 0)
        return 0;
    switch (pkt[0]) {
    case '?':
        return stop_reply(r, out, cap);
    case 'g':
        return cmd_g(r, out, cap);
    case 'G':
        return cmd_G(r, pkt + 1, end, out, cap);
    case 'p': /* empty = unsupported: gdb reads registers with 'g' */
        return 0;
    case 'P':
        return cmd_P(r, pkt + 1, end, out, cap);
    case 'm':
        return cmd_m(r, pkt + 1, end, out, cap);
    case 'M':
        return cmd_M(r, pkt + 1, end, out, cap);
    case 'Z':
    case 'z':
        return cmd_Z(r, pkt[0] == 'Z', pkt + 1, end, out, cap);
    case 'c':
    case 's':
        if (len > 1) /* "c ADDR": resume elsewhere - not supported */
            return reply_err(out, cap, EINVAL);
        return resume(r, pkt[0] == 's', out, cap);
    case 'H':
    case 'T':
        return reply_str(out, cap, "OK");
    case 'D':
        rsp_clear_breakpoints(r);
        if (r->last.kind != RSP_STOP_EXITED)
            r->ops->detach(r->target);
        r->done = true;
        return reply_str(out, cap, "OK");
    case 'k':
        rsp_clear_breakpoints(r);
        r->done = r->killed = true;
        return -1; /* no reply to 'k' */
    case 'q':
        if (starts(pkt, len, "qSupported"))
            return reply_str(out, cap, "PacketSize=1000;swbreak+");
        if (starts(pkt, len, "qAttached"))
            return reply_str(out, cap, "1");
        if (starts(pkt, len, "qC"))
            return reply_str(out, cap, "QC1");
        if (starts(pkt, len, "qfThreadInfo"))
            return reply_str(out, cap, "m1");
        if (starts(pkt, len, "qsThreadInfo"))
            return reply_str(out, cap, "l");
        return 0;
    default:
        return 0; /* unsupported: the empty reply */
    }
}

/* ---- framing ---- */

static void send_packet(struct rsp *r, const char *payload, size_t len)
{
    char buf[RSP_PACKET_MAX + 8];
    uint8_t sum = 0;

    if (len > RSP_PACKET_MAX)
        len = RSP_PACKET_MAX;
    buf[0] = '$';
    for (size_t i = 0; i < len; i++) {
        buf[1 + i] = payload[i];
        sum = (uint8_t)(sum + (uint8_t)payload[i]);
    }
    buf[1 + len] = '#';
    buf[2 + len] = hexd[sum >> 4];
    buf[3 + len] = hexd[sum & 15];
    r->send(r->send_arg, buf, len + 4);
}

static void packet_done(struct rsp *r)
{
    char out[RSP_PACKET_MAX];
    int n;

    if (r->sum != r->want) {
        r->send(r->send_arg, "-", 1);
        return;
    }
    r->send(r->send_arg, "+", 1);
    if (r->running) /* gdb sends nothing but 0x03 while we run */
        return;
    n = rsp_handle(r, r->pkt, r->pkt_len, out, sizeof(out));
    if (n >= 0)
        send_packet(r, out, (size_t)n);
}

void rsp_feed(struct rsp *r, const void *data, size_t len)
{
    const uint8_t *p = data;

    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        int h;

        switch (r->phase) {
        case 0:
            if (c == '$') {
                r->phase = 1;
                r->pkt_len = 0;
                r->sum = 0;
            } else if (c == 0x03 && r->running) {
                r->ops->interrupt(r->target);
            } /* '+', '-' and noise: ignored */
            break;
        case 1:
            if (c == '#') {
                r->phase = 2;
            } else {
                r->sum = (uint8_t)(r->sum + c);
                if (r->pkt_len < RSP_PACKET_MAX)
                    r->pkt[r->pkt_len++] = (char)c;
            }
            break;
        default:
            h = unhex(c);
            if (r->phase == 2) {
                r->want = (uint8_t)((h < 0 ? 0 : h) << 4);
                r->phase = h < 0 ? 0 : 3;
                if (h < 0)
                    r->send(r->send_arg, "-", 1);
            } else {
                r->phase = 0;
                if (h < 0) {
                    r->send(r->send_arg, "-", 1);
                    break;
                }
                r->want |= (uint8_t)h;
                packet_done(r);
            }
            break;
        }
    }
}

bool rsp_poll(struct rsp *r)
{
    char out[64];
    struct rsp_stop st;
    int n;

    if (!r->running || r->ops->poll_stop(r->target, &st) != 1)
        return false;
    r->running = false;
    r->last = st;
    settle_stop(r);
    n = stop_reply(r, out, sizeof(out));
    send_packet(r, out, (size_t)n);
    return true;
}
