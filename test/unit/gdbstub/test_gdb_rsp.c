// SPDX-License-Identifier: MIT
/*
 * test/unit/gdbstub/test_gdb_rsp.c - tools/gdbstub/rsp.c, gdb's remote
 * protocol, against a fake target (memory, registers, a scripted stop):
 * framing and checksums, the 'g' layout, software breakpoints (int3 in
 * memory, hidden from reads, rip moved back and swbreak reported),
 * continue/stop/exit, interrupt, detach and kill, and malformed packets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tools/gdbstub/rsp.h"

#define BASE 0x100000ULL
#define SIZE 4096

static struct fake {
    uint8_t mem[SIZE];
    uint64_t regs[XN_GDB_NREGS];
    bool stopped_pending, step, detached, interrupted, resumed;
    struct rsp_stop next;
    char out[8192];
    size_t out_len;
} f;

static int f_read(void *t, uint64_t a, void *b, size_t n)
{
    (void)t;
    if (a < BASE || a + n > BASE + SIZE)
        return -14;
    memcpy(b, f.mem + (a - BASE), n);
    return 0;
}

static int f_write(void *t, uint64_t a, const void *b, size_t n)
{
    (void)t;
    if (a < BASE || a + n > BASE + SIZE)
        return -14;
    memcpy(f.mem + (a - BASE), b, n);
    return 0;
}

static int f_get(void *t, uint64_t r[XN_GDB_NREGS])
{
    (void)t;
    memcpy(r, f.regs, sizeof(f.regs));
    return 0;
}

static int f_set(void *t, const uint64_t r[XN_GDB_NREGS])
{
    (void)t;
    memcpy(f.regs, r, sizeof(f.regs));
    return 0;
}

static int f_resume(void *t, bool step)
{
    (void)t;
    f.step = step;
    f.resumed = true;
    return 0;
}

static int f_poll(void *t, struct rsp_stop *st)
{
    (void)t;
    if (!f.stopped_pending)
        return 0;
    f.stopped_pending = false;
    *st = f.next;
    return 1;
}

static int f_interrupt(void *t)
{
    (void)t;
    f.interrupted = true;
    return 0;
}

static int f_detach(void *t)
{
    (void)t;
    f.detached = true;
    return 0;
}

static const struct rsp_target_ops ops = {
    f_read, f_write, f_get, f_set, f_resume, f_poll, f_interrupt, f_detach,
};

static void f_send(void *arg, const void *d, size_t n)
{
    (void)arg;
    assert_true(f.out_len + n < sizeof(f.out));
    memcpy(f.out + f.out_len, d, n);
    f.out_len += n;
    f.out[f.out_len] = 0;
}

static struct rsp r;

static int setup(void **state)
{
    struct rsp_stop paused = {.kind = RSP_STOP_SIGNAL, .sig = 5,
                              .vector = -1};

    (void)state;
    memset(&f, 0, sizeof(f));
    for (unsigned int i = 0; i < SIZE; i++)
        f.mem[i] = (uint8_t)(i * 7 + 1);
    f.regs[XN_GDB_RAX] = 0x1122334455667788ULL;
    f.regs[XN_GDB_RIP] = BASE + 0x10;
    f.regs[XN_GDB_EFLAGS] = 0x246;
    rsp_init(&r, &ops, NULL, f_send, NULL, &paused);
    return 0;
}

/* Send one framed packet; return the reply payload (acks dropped). */
static const char *req(const char *payload)
{
    char buf[8192];
    unsigned int sum = 0;
    static char reply[8192];
    const char *d, *h;

    for (const char *p = payload; *p; p++)
        sum = (sum + (uint8_t)*p) & 0xff;
    snprintf(buf, sizeof(buf), "$%s#%02x", payload, sum);
    f.out_len = 0;
    f.out[0] = 0;
    rsp_feed(&r, buf, strlen(buf));
    assert_int_equal(f.out[0], '+');
    d = strchr(f.out, '$');
    if (!d)
        return NULL;
    h = strchr(d, '#');
    assert_non_null(h);
    /* the reply's own checksum is right */
    sum = 0;
    for (const char *p = d + 1; p < h; p++)
        sum = (sum + (uint8_t)*p) & 0xff;
    unsigned int got;
    assert_int_equal(sscanf(h + 1, "%2x", &got), 1);
    assert_int_equal(got, sum);
    memcpy(reply, d + 1, (size_t)(h - d - 1));
    reply[h - d - 1] = 0;
    return reply;
}

static void test_framing(void **state)
{
    (void)state;
    assert_string_equal(req("?"), "T05thread:1;");
    /* a wrong checksum is refused with '-' and not executed */
    f.out_len = 0;
    rsp_feed(&r, "$g#00", 5);
    assert_string_equal(f.out, "-");
    /* split across reads, noise and acks between packets */
    f.out_len = 0;
    rsp_feed(&r, "+", 1);
    rsp_feed(&r, "$q", 2);
    rsp_feed(&r, "C#b", 3);
    rsp_feed(&r, "4", 1);
    assert_string_equal(f.out, "+$QC1#c5");
    assert_string_equal(req("qSupported:swbreak+;xmlRegisters=i386"),
                        "PacketSize=1000;swbreak+");
    assert_string_equal(req("vMustReplyEmpty"), "");
}

static void test_registers(void **state)
{
    const char *g;
    char want[200];

    (void)state;
    g = req("g");
    /* 17 x 8 bytes + 3 x 4 bytes, little-endian hex */
    assert_int_equal(strlen(g), 2 * (17 * 8 + 3 * 4));
    assert_memory_equal(g, "8877665544332211", 16);
    snprintf(want, sizeof(want), "%s", "1000100000000000");
    assert_memory_equal(g + 16 * 16, want, 16); /* rip 0x100010 */
    assert_memory_equal(g + 16 * 17, "46020000", 8); /* eflags, 4 bytes */
    /* 'p' is refused (empty): gdb then reads everything with 'g' */
    assert_string_equal(req("p10"), "");
    /* P writes one register */
    assert_string_equal(req("P0=efbeadde00000000"), "OK");
    assert_int_equal(f.regs[XN_GDB_RAX], 0xdeadbeefULL);
    assert_string_equal(req("P99=00"), "E16");
    assert_string_equal(req("P0=zz"), "E16");
}

static void test_memory(void **state)
{
    (void)state;
    assert_string_equal(req("m100000,4"), "01080f16");
    assert_string_equal(req("M100000,2:aabb"), "OK");
    assert_int_equal(f.mem[0], 0xaa);
    assert_int_equal(f.mem[1], 0xbb);
    assert_string_equal(req("m10,4"), "E0e"); /* unmapped: -EFAULT */
    assert_string_equal(req("mzz"), "E16");
    assert_string_equal(req("M100000,2:abc"), "E16"); /* length mismatch */
    assert_string_equal(req("M100000,1:zz"), "E16");
}

static void test_breakpoint_hit(void **state)
{
    uint8_t orig = f.mem[0x20];
    const char *rep;

    (void)state;
    assert_string_equal(req("Z0,100020,1"), "OK");
    assert_int_equal(f.mem[0x20], 0xcc);
    /* reads show the saved byte, not our int3 */
    char want[8];
    snprintf(want, sizeof(want), "%02x", orig);
    assert_string_equal(req("m100020,1"), want);
    /* a write over it updates the saved byte and keeps the int3 */
    assert_string_equal(req("M100020,1:90"), "OK");
    assert_int_equal(f.mem[0x20], 0xcc);
    /* continue: no reply until the target stops */
    assert_null(req("c"));
    assert_true(f.resumed);
    assert_false(f.step);
    assert_false(rsp_poll(&r));
    /* #BP after our int3: rip back onto it, swbreak reported */
    f.regs[XN_GDB_RIP] = BASE + 0x21;
    f.next = (struct rsp_stop){.kind = RSP_STOP_SIGNAL, .sig = 5, .vector = 3};
    f.stopped_pending = true;
    f.out_len = 0;
    assert_true(rsp_poll(&r));
    assert_non_null(strstr(f.out, "T05thread:1;swbreak:;"));
    assert_int_equal(f.regs[XN_GDB_RIP], BASE + 0x20);
    /* removing it restores the (updated) byte */
    assert_string_equal(req("z0,100020,1"), "OK");
    assert_int_equal(f.mem[0x20], 0x90);
    /* a #BP that is not ours (an int3 in the code) is left alone */
    assert_null(req("s"));
    assert_true(f.step);
    f.regs[XN_GDB_RIP] = BASE + 0x41;
    f.stopped_pending = true;
    f.out_len = 0;
    assert_true(rsp_poll(&r));
    rep = strchr(f.out, '$');
    assert_non_null(rep);
    assert_null(strstr(rep, "swbreak"));
    assert_int_equal(f.regs[XN_GDB_RIP], BASE + 0x41);
    /* hardware breakpoints and watchpoints: unsupported (empty) */
    assert_string_equal(req("Z1,100020,1"), "");
    assert_string_equal(req("Z2,100020,4"), "");
    /* a breakpoint outside memory fails and is not recorded */
    assert_string_equal(req("Z0,10,1"), "E0e");
    assert_string_equal(req("z0,10,1"), "OK");
}

static void test_interrupt_and_exit(void **state)
{
    (void)state;
    assert_null(req("c"));
    /* packets other than 0x03 are not served while running */
    f.out_len = 0;
    rsp_feed(&r, "\x03", 1);
    assert_true(f.interrupted);
    f.next = (struct rsp_stop){.kind = RSP_STOP_SIGNAL, .sig = 2,
                               .vector = -1};
    f.stopped_pending = true;
    assert_true(rsp_poll(&r));
    assert_non_null(strstr(f.out, "$T02thread:1;#"));
    /* the guest powers off: W00, and resuming again only repeats it */
    assert_null(req("c"));
    f.next = (struct rsp_stop){.kind = RSP_STOP_EXITED, .code = 0};
    f.stopped_pending = true;
    f.out_len = 0;
    assert_true(rsp_poll(&r));
    assert_non_null(strstr(f.out, "$W00#"));
    f.resumed = false;
    assert_string_equal(req("c"), "W00");
    assert_false(f.resumed);
}

static void test_detach_and_kill(void **state)
{
    (void)state;
    assert_string_equal(req("Z0,100030,1"), "OK");
    assert_string_equal(req("D"), "OK");
    assert_true(f.detached);
    assert_true(r.done);
    assert_int_equal(f.mem[0x30], (uint8_t)(0x30 * 7 + 1));
    setup(NULL);
    assert_string_equal(req("Z0,100030,1"), "OK");
    assert_null(req("k"));
    assert_true(r.killed);
    assert_false(f.detached);
    assert_int_equal(f.mem[0x30], (uint8_t)(0x30 * 7 + 1));
}

static void test_oversized_and_garbage(void **state)
{
    static char big[9000];

    (void)state;
    /* a packet longer than the buffer is truncated, not overflowed */
    memset(big, 'm', sizeof(big) - 1);
    f.out_len = 0;
    rsp_feed(&r, "$", 1);
    rsp_feed(&r, big, strlen(big));
    rsp_feed(&r, "#00", 3);
    assert_int_equal(f.out[0], '-');
    /* a huge read is capped to what fits one reply */
    const char *m = req("m100000,ffffffff");
    assert_non_null(m);
    assert_true(strlen(m) <= RSP_PACKET_MAX);
    /* noise outside packets is ignored */
    f.out_len = 0;
    rsp_feed(&r, "xyz-+", 5);
    assert_int_equal(f.out_len, 0);
    assert_string_equal(req("c 100000"), "E16");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_framing, setup),
        cmocka_unit_test_setup(test_registers, setup),
        cmocka_unit_test_setup(test_memory, setup),
        cmocka_unit_test_setup(test_breakpoint_hit, setup),
        cmocka_unit_test_setup(test_interrupt_and_exit, setup),
        cmocka_unit_test_setup(test_detach_and_kill, setup),
        cmocka_unit_test_setup(test_oversized_and_garbage, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
