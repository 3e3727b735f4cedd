// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/traps.c - the crash reporter behind every exception.
 *
 * Design: an exception in a unikernel is a bug, so every vector reports
 * and crashes the domain (SHUTDOWN_crash) rather than trying to recover.
 * The report starts with "[xenith] CRASH" (the exit-status protocol in
 * docs/internals.md keys on it), names the fault, decodes a page fault's
 * error code and address (arch_fault_addr(): vcpu_info.arch.cr2 for PV
 * guests, %cr2 for PVH), dumps the registers and walks the frame-pointer chain,
 * naming each return address from the symbol table that the build embeds
 * in the image (.xnsyms, cmake/gensyms.py). The reporter formats numbers
 * itself and never calls libc or allocates: the heap or a libc lock may
 * be what broke. Every frame pointer is checked to be mapped before it is
 * read, and a fault during the report short-circuits to a one-line
 * message, so the reporter cannot loop. Reference: Intel SDM vol. 3
 * ch. 6 (vectors, #PF error code), xen.h (vcpu_info, SCHEDOP_shutdown).
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"

#include <xen/sched.h>
#include <xen/xen.h>

/* Embedded by the second link (weak: absent in the first). */
struct xn_sym {
    uint64_t addr;
    uint32_t name;
    uint32_t size;
};
extern const struct xn_sym xn_symtab[] __attribute__((weak));
extern const uint64_t xn_symtab_count __attribute__((weak));
extern const char xn_symtab_names[] __attribute__((weak));

extern char boot_stack_guard[];
extern char _text[], _etext[];

static const struct arch_crash_ops *crash_ops;
static volatile int crashing;

void arch_set_crash_ops(const struct arch_crash_ops *ops)
{
    crash_ops = ops;
}

__attribute__((noreturn)) void arch_crash(void)
{
    struct sched_shutdown sd = { .reason = SHUTDOWN_crash };

    for (;;)
        arch_hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
                       (unsigned long)&sd, 0, 0, 0);
}

static size_t slen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

static void out(const char *s)
{
    size_t n = slen(s);

    if (crash_ops && crash_ops->write)
        crash_ops->write(s, n);
    else /* Xen's emergency console; debug builds of Xen only. */
        arch_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, n,
                       (unsigned long)s, 0, 0);
}

/* A line buffer: each helper appends and never overflows. */
struct line {
    char buf[160];
    size_t len;
};

static void put_s(struct line *l, const char *s)
{
    while (*s && l->len < sizeof(l->buf) - 2)
        l->buf[l->len++] = *s++;
    l->buf[l->len] = '\0';
}

static void put_hex(struct line *l, uint64_t v, int digits)
{
    char tmp[17];

    for (int i = digits - 1; i >= 0; i--) {
        tmp[i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    }
    tmp[digits] = '\0';
    put_s(l, tmp);
}

static void put_dec(struct line *l, uint64_t v)
{
    char tmp[21];
    int i = 20;

    tmp[i] = '\0';
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put_s(l, tmp + i);
}

static void put_nl_and_flush(struct line *l)
{
    put_s(l, "\n");
    out(l->buf);
    l->len = 0;
    l->buf[0] = '\0';
}

const char *arch_symbol(uintptr_t addr, uintptr_t *offset)
{
    size_t lo = 0, hi;

    if (&xn_symtab_count == NULL || xn_symtab_count == 0)
        return NULL;
    hi = xn_symtab_count;
    /* The table is sorted by address: find the last entry <= addr. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (xn_symtab[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (xn_symtab[lo].addr > addr)
        return NULL;
    if (xn_symtab[lo].size && addr - xn_symtab[lo].addr >= xn_symtab[lo].size)
        return NULL;
    *offset = addr - xn_symtab[lo].addr;
    return xn_symtab_names + xn_symtab[lo].name;
}

static void put_sym(struct line *l, uintptr_t addr)
{
    uintptr_t off;
    const char *name = arch_symbol(addr, &off);

    put_hex(l, addr, 16);
    if (name) {
        put_s(l, " <");
        put_s(l, name);
        put_s(l, "+0x");
        put_hex(l, off, off > 0xfff ? 8 : 3);
        put_s(l, ">");
    }
}

void arch_backtrace(uintptr_t rip, uintptr_t rbp,
                    void (*print)(const char *line))
{
    struct line l = { .len = 0 };

    put_s(&l, "  #0  ");
    put_sym(&l, rip);
    put_s(&l, "\n");
    print(l.buf);
    for (int depth = 1; depth < 32 && rbp; depth++) {
        const uint64_t *frame = (const uint64_t *)rbp;

        /* A frame is [saved rbp, return address]; both must be readable. */
        if ((rbp & 7) || !arch_is_mapped(rbp, 16))
            break;
        if (frame[1] == 0)
            break;
        l.len = 0;
        put_s(&l, depth < 10 ? "  #" : " #");
        put_dec(&l, (uint64_t)depth);
        put_s(&l, "  ");
        put_sym(&l, frame[1] - 1); /* inside the call, not after it */
        put_s(&l, "\n");
        print(l.buf);
        /* Frames live on one stack and grow up as we unwind. */
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
}

static const char *vector_name(int64_t v)
{
    static const char *const names[] = {
        "divide error",
        "debug",
        "NMI",
        "breakpoint",
        "overflow",
        "bound range exceeded",
        "invalid opcode",
        "device not available",
        "double fault",
        "coprocessor segment overrun",
        "invalid TSS",
        "segment not present",
        "stack-segment fault",
        "general protection fault",
        "page fault",
        "reserved",
        "x87 floating-point error",
        "alignment check",
        "machine check",
        "SIMD floating-point exception",
    };

    if (v == -2)
        return "failsafe callback (Xen could not restore segments)";
    if (v >= 0 && v < (int64_t)(sizeof(names) / sizeof(names[0])))
        return names[v];
    return "unknown vector";
}

static void reg(struct line *l, const char *name, uint64_t v)
{
    put_s(l, name);
    put_s(l, "=");
    put_hex(l, v, 16);
    put_s(l, " ");
}

static void print_line(const char *s)
{
    out(s);
}

static void report_page_fault(const struct arch_regs *r, uint64_t cr2)
{
    struct line l = { .len = 0 };
    uintptr_t g = (uintptr_t)boot_stack_guard;

    put_s(&l, "  ");
    put_s(&l, (r->error_code & 2) ? "write to " : "read from ");
    if (r->error_code & 16)
        put_s(&l, "(instruction fetch) ");
    put_hex(&l, cr2, 16);
    put_s(&l, (r->error_code & 1) ? ": protection violation"
                                  : ": page not present");
    put_nl_and_flush(&l);
    if (cr2 < ARCH_PAGE_SIZE) {
        put_s(&l, "  NULL pointer dereference");
        put_nl_and_flush(&l);
    } else if (cr2 >= g && cr2 < g + ARCH_PAGE_SIZE) {
        put_s(&l, "  boot stack overflow (guard page hit)");
        put_nl_and_flush(&l);
    } else if (!(r->error_code & 1) && cr2 + 64 >= r->rsp &&
               cr2 <= r->rsp + 64) {
        put_s(&l, "  stack overflow? (fault next to rsp, guard page)");
        put_nl_and_flush(&l);
    }
}

void trap_handle(struct arch_regs *r)
{
    uint64_t cr2 = arch_fault_addr();
    struct line l = { .len = 0 };

    if (!crashing && arch_gdb_trap(r, cr2))
        return; /* a debugger stop, resumed */
    if (crashing++) {
        out("[xenith] CRASH: fault while reporting a crash\n");
        arch_crash();
    }
    put_s(&l, "[xenith] CRASH: ");
    put_s(&l, vector_name(r->vector));
    if (r->vector >= 0) {
        put_s(&l, " (vector ");
        put_dec(&l, (uint64_t)r->vector);
        put_s(&l, ", error code 0x");
        put_hex(&l, r->error_code, 4);
        put_s(&l, ")");
    }
    put_nl_and_flush(&l);
    put_s(&l, "  at ");
    put_sym(&l, r->rip);
    put_nl_and_flush(&l);
    if (r->vector == 14)
        report_page_fault(r, cr2);
    if (crash_ops && crash_ops->describe)
        crash_ops->describe(print_line);

    put_s(&l, "  ");
    reg(&l, "rip", r->rip);
    reg(&l, "rsp", r->rsp);
    reg(&l, "rbp", r->rbp);
    put_nl_and_flush(&l);
    put_s(&l, "  ");
    reg(&l, "rax", r->rax);
    reg(&l, "rbx", r->rbx);
    reg(&l, "rcx", r->rcx);
    put_nl_and_flush(&l);
    put_s(&l, "  ");
    reg(&l, "rdx", r->rdx);
    reg(&l, "rsi", r->rsi);
    reg(&l, "rdi", r->rdi);
    put_nl_and_flush(&l);
    put_s(&l, "  ");
    reg(&l, "r8 ", r->r8);
    reg(&l, "r9 ", r->r9);
    reg(&l, "r10", r->r10);
    put_nl_and_flush(&l);
    put_s(&l, "  ");
    reg(&l, "r11", r->r11);
    reg(&l, "r12", r->r12);
    reg(&l, "r13", r->r13);
    put_nl_and_flush(&l);
    put_s(&l, "  ");
    reg(&l, "r14", r->r14);
    reg(&l, "r15", r->r15);
    reg(&l, "cr2", cr2);
    put_nl_and_flush(&l);
    put_s(&l, "  ");
    reg(&l, "rflags", r->rflags);
    reg(&l, "cs", r->cs);
    reg(&l, "ss", r->ss);
    put_nl_and_flush(&l);
    /* A frameless leaf function leaves its caller only at [rsp]. */
    if (arch_is_mapped(r->rsp, 8)) {
        uint64_t top = *(const uint64_t *)r->rsp;
        uintptr_t off;

        if (top >= (uintptr_t)_text && top < (uintptr_t)_etext &&
            arch_symbol(top - 1, &off)) {
            put_s(&l, "  [rsp] (caller if #0 is a leaf): ");
            put_sym(&l, top - 1);
            put_nl_and_flush(&l);
        }
    }
    out("  backtrace:\n");
    arch_backtrace(r->rip, r->rbp, print_line);
    if (crash_ops && crash_ops->flush)
        crash_ops->flush();
    arch_crash();
}
