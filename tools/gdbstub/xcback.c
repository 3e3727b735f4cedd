// SPDX-License-Identifier: MIT
/*
 * tools/gdbstub/xcback.c - the Xen target of the gdb stub: a xenith
 * domain seen from dom0 through libxenctrl, plus the guest's debugger
 * mailbox (arch/x86_64/gdb_mbox.h).
 *
 * Design choice: libxenctrl is opened with dlopen (libxenctrl.so.4.17,
 * from dom0's xen-utils) so the stub builds on a host that has only
 * libxen-dev's headers and runs in any dom0 of that Xen version. A stop
 * is one of: paused by us (xc_domain_pause; registers from
 * xc_vcpu_getcontext, read-only), parked by the guest in its #BP/#DB
 * handler (registers in the mailbox, writable, resumable and steppable),
 * or crashed (the frame the guest recorded, read-only). Memory goes
 * through xc_translate_foreign_address (the guest's own page tables, PV
 * or PVH) and a one-page foreign mapping at a time.
 * Reference: tools/include/xenctrl.h, xenctrl_compat.h (libxen-dev).
 */
#define _GNU_SOURCE
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include "xcback.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <xenctrl.h>
#include <xenctrl_compat.h>

#define PAGE 4096ULL

static struct {
    typeof(xc_interface_open) *open;
    typeof(xc_domain_getinfo) *getinfo;
    typeof(xc_domain_pause) *pause;
    typeof(xc_domain_unpause) *unpause;
    typeof(xc_vcpu_getcontext) *getcontext;
    typeof(xc_translate_foreign_address) *translate;
    typeof(xc_map_foreign_range) *map;
} xc;

enum mode { PAUSED, PARKED, RUNNING, CRASHED, GONE };

struct xcback {
    xc_interface *xch;
    uint32_t domid;
    uint64_t mbox_va;
    struct xn_gdb_mbox *m; /* inside mbox_page */
    void *mbox_page;
    enum mode mode;
    uint64_t stops_seen;
    bool we_paused;
};

static struct xcback self;

static int load_xenctrl(char *err, size_t cap)
{
    void *h = dlopen("libxenctrl.so.4.17", RTLD_NOW);

    if (!h)
        h = dlopen("libxenctrl.so", RTLD_NOW);
    if (!h) {
        snprintf(err, cap, "cannot load libxenctrl (xen-utils' "
                 "libxenctrl.so.4.17): %s", dlerror());
        return -ENOENT;
    }
#define SYM(f, name)                                                           \
    do {                                                                       \
        xc.f = (typeof(xc.f))dlsym(h, name);                                   \
        if (!xc.f) {                                                           \
            snprintf(err, cap, "libxenctrl has no %s", name);                  \
            return -ENOENT;                                                    \
        }                                                                      \
    } while (0)
    SYM(open, "xc_interface_open");
    SYM(getinfo, "xc_domain_getinfo");
    SYM(pause, "xc_domain_pause");
    SYM(unpause, "xc_domain_unpause");
    SYM(getcontext, "xc_vcpu_getcontext");
    SYM(translate, "xc_translate_foreign_address");
    SYM(map, "xc_map_foreign_range");
#undef SYM
    return 0;
}

/* 1 exists (info filled), 0 gone, <0 error. */
static int dominfo(struct xcback *b, xc_dominfo_t *info)
{
    int n = xc.getinfo(b->xch, b->domid, 1, info);

    if (n < 0)
        return -errno;
    return n == 1 && info->domid == b->domid;
}

static void *map_page(struct xcback *b, uint64_t va, int prot)
{
    unsigned long frame = xc.translate(b->xch, b->domid, 0, va & ~(PAGE - 1));

    if (!frame)
        return NULL;
    return xc.map(b->xch, b->domid, (int)PAGE, prot, frame);
}

static int mem_io(void *t, uint64_t addr, void *buf, const void *src,
                  size_t len)
{
    struct xcback *b = t;

    while (len) {
        size_t off = addr & (PAGE - 1), n = PAGE - off;
        uint8_t *p = map_page(b, addr, src ? PROT_READ | PROT_WRITE
                                           : PROT_READ);

        if (n > len)
            n = len;
        if (!p)
            return -EFAULT;
        if (src) {
            memcpy(p + off, src, n);
            src = (const uint8_t *)src + n;
        } else {
            memcpy(buf, p + off, n);
            buf = (uint8_t *)buf + n;
        }
        munmap(p, PAGE);
        addr += n;
        len -= n;
    }
    return 0;
}

static int read_mem(void *t, uint64_t addr, void *buf, size_t len)
{
    return mem_io(t, addr, buf, NULL, len);
}

static int write_mem(void *t, uint64_t addr, const void *buf, size_t len)
{
    return mem_io(t, addr, NULL, buf, len);
}

static int get_regs(void *t, uint64_t regs[XN_GDB_NREGS])
{
    struct xcback *b = t;
    vcpu_guest_context_any_t ctx;
    const struct cpu_user_regs_x86_64 *u;

    if (b->mode == PARKED || b->mode == CRASHED) {
        for (unsigned int i = 0; i < XN_GDB_NREGS; i++)
            regs[i] = b->m->regs[i];
        return 0;
    }
    if (b->mode != PAUSED)
        return -EBUSY;
    if (xc.getcontext(b->xch, b->domid, 0, &ctx))
        return -errno;
    u = &ctx.x64.user_regs;
    const uint64_t v[XN_GDB_NREGS] = {
        u->rax, u->rbx, u->rcx, u->rdx, u->rsi, u->rdi, u->rbp,
        u->rsp, u->r8,  u->r9,  u->r10, u->r11, u->r12, u->r13,
        u->r14, u->r15, u->rip, u->rflags, u->cs, u->ss,
    };
    memcpy(regs, v, sizeof(v));
    return 0;
}

static int set_regs(void *t, const uint64_t regs[XN_GDB_NREGS])
{
    struct xcback *b = t;

    if (b->mode != PARKED)
        return -EPERM; /* only a parked guest takes registers back */
    for (unsigned int i = 0; i < XN_GDB_NREGS; i++)
        b->m->regs[i] = regs[i];
    return 0;
}

static int resume(void *t, bool step)
{
    struct xcback *b = t;

    if (b->mode == CRASHED || b->mode == GONE)
        return -ESRCH;
    if (step && b->mode != PARKED)
        return -EPERM; /* stepping needs the guest's #DB: break first */
    b->m->step = step;
    b->m->attached = 1;
    __sync_synchronize();
    if (b->mode == PARKED) {
        b->m->state = XN_GDB_RESUME;
    } else if (b->we_paused) {
        if (xc.unpause(b->xch, b->domid))
            return -errno;
        b->we_paused = false;
    }
    b->mode = RUNNING;
    return 0;
}

static int signal_of(int64_t vector)
{
    switch (vector) {
    case 1:
    case 3:
        return 5; /* SIGTRAP */
    case 0:
    case 16:
    case 19:
        return 8; /* SIGFPE */
    case 6:
        return 4; /* SIGILL */
    default:
        return 11; /* SIGSEGV */
    }
}

static int poll_stop(void *t, struct rsp_stop *st)
{
    struct xcback *b = t;
    xc_dominfo_t info;
    int rc;

    if (b->mode == PAUSED) { /* interrupted */
        *st = (struct rsp_stop){.kind = RSP_STOP_SIGNAL, .sig = 2,
                                .vector = -1};
        return 1;
    }
    __sync_synchronize();
    if (b->m->state == XN_GDB_STOPPED && b->m->stops != b->stops_seen) {
        b->stops_seen = b->m->stops;
        b->mode = PARKED;
        *st = (struct rsp_stop){.kind = RSP_STOP_SIGNAL,
                                .sig = signal_of(b->m->vector),
                                .vector = (int)b->m->vector};
        return 1;
    }
    rc = dominfo(b, &info);
    if (rc < 0)
        return 0;
    if (rc == 0 || info.dying) {
        b->mode = GONE;
        *st = (struct rsp_stop){.kind = RSP_STOP_EXITED, .code = 0};
        return 1;
    }
    if (info.shutdown || info.crashed) {
        b->mode = GONE;
        /* exit(0) powers off; exit(n != 0) and faults end as crashes. */
        *st = (struct rsp_stop){.kind = RSP_STOP_EXITED,
                                .code = info.crashed ? 1 : 0};
        return 1;
    }
    return 0;
}

static int interrupt(void *t)
{
    struct xcback *b = t;

    if (b->mode != RUNNING)
        return 0;
    if (xc.pause(b->xch, b->domid))
        return -errno;
    b->we_paused = true;
    b->mode = PAUSED;
    return 0;
}

static int detach(void *t)
{
    struct xcback *b = t;

    b->m->attached = 0;
    b->m->step = 0;
    __sync_synchronize();
    if (b->mode == PARKED)
        b->m->state = XN_GDB_RESUME;
    if (b->we_paused && xc.unpause(b->xch, b->domid) == 0)
        b->we_paused = false;
    b->mode = RUNNING;
    return 0;
}

const struct rsp_target_ops xcback_ops = {
    .read_mem = read_mem,
    .write_mem = write_mem,
    .get_regs = get_regs,
    .set_regs = set_regs,
    .resume = resume,
    .poll_stop = poll_stop,
    .interrupt = interrupt,
    .detach = detach,
};

void *xcback_open(uint32_t domid, uint64_t mbox_va, struct rsp_stop *initial,
                  char *err, size_t cap)
{
    struct xcback *b = &self;
    xc_dominfo_t info;
    int rc = load_xenctrl(err, cap);

    if (rc)
        return NULL;
    memset(b, 0, sizeof(*b));
    b->domid = domid;
    b->mbox_va = mbox_va;
    b->xch = xc.open(NULL, NULL, 0);
    if (!b->xch) {
        snprintf(err, cap, "xc_interface_open: %s (run as root in dom0)",
                 strerror(errno));
        return NULL;
    }
    rc = dominfo(b, &info);
    if (rc <= 0) {
        snprintf(err, cap, "domain %u: %s", domid,
                 rc == 0 ? "no such domain" : strerror(-rc));
        return NULL;
    }
    /* libxenctrl reports a crash as crashed, not shutdown. */
    if (info.crashed)
        info.shutdown = 1;
    if (!info.shutdown) { /* stop it first: nothing runs while we look */
        if (xc.pause(b->xch, domid)) {
            snprintf(err, cap, "xc_domain_pause(%u): %s", domid,
                     strerror(errno));
            return NULL;
        }
        b->we_paused = true;
    }
    if ((mbox_va & (PAGE - 1)) + sizeof(struct xn_gdb_mbox) > PAGE ||
        !(b->mbox_page = map_page(b, mbox_va, PROT_READ | PROT_WRITE))) {
        snprintf(err, cap, "domain %u: cannot map the debugger mailbox at "
                 "0x%llx (wrong image, or not a xenith guest)", domid,
                 (unsigned long long)mbox_va);
        return NULL;
    }
    b->m = (struct xn_gdb_mbox *)((uint8_t *)b->mbox_page +
                                  (mbox_va & (PAGE - 1)));
    if (b->m->magic != XN_GDB_MAGIC || b->m->version != XN_GDB_VERSION) {
        snprintf(err, cap, "domain %u: no xenith debugger mailbox at 0x%llx "
                 "(magic %016llx): the image given is not the one running",
                 domid, (unsigned long long)mbox_va,
                 (unsigned long long)b->m->magic);
        return NULL;
    }
    b->stops_seen = b->m->stops;
    if (info.shutdown && b->m->state == XN_GDB_CRASHED) {
        b->mode = CRASHED; /* on_crash="preserve": the faulting frame */
        *initial = (struct rsp_stop){.kind = RSP_STOP_SIGNAL,
                                     .sig = signal_of(b->m->vector),
                                     .vector = (int)b->m->vector};
    } else if (info.shutdown) {
        b->mode = CRASHED;
        snprintf(err, cap, "domain %u has shut down without a recorded "
                 "fault (reason %u): nothing to debug", domid,
                 info.shutdown_reason);
        return NULL;
    } else {
        b->mode = PAUSED;
        *initial = (struct rsp_stop){.kind = RSP_STOP_SIGNAL, .sig = 5,
                                     .vector = -1};
    }
    return b;
}

void xcback_release(void *t)
{
    struct xcback *b = t;

    if (b && b->we_paused)
        detach(b);
}
