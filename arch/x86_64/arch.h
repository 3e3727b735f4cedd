// SPDX-License-Identifier: MIT
/*
 * arch/x86_64/arch.h - what the architecture layer offers the kernel.
 *
 * The x86_64 layer owns the CPU: entry, exceptions, page tables, the raw
 * hypercall primitive and a few instructions (rdtsc, rdrand). Design
 * choice: the interface is neutral about PV vs PVH. What is common
 * (the crash reporter, the context switch, CPU helpers) sits in this
 * folder; each mode is a sibling folder implementing every function
 * below: arch/x86_64/pv/ (start_info from the PV builder, mmu_update page
 * tables, a trap table, the upcall callback) and arch/x86_64/pvh/ (the
 * 32-bit PHYS32 entry, hvm_start_info, page tables written in guest
 * memory, an IDT with IST stacks, the callback vector). An image links
 * exactly one of them (cmake/xenith.cmake, MODE), so the kernel, xen/
 * and the drivers never test which mode they run in. Both present the
 * kernel a start_info_t: PV's is the builder's, PVH's is filled from
 * hvm_start_info and the HVM params, frames being guest pfns. Xen
 * protocol logic does not belong here; typed hypercalls are in
 * xen/hypercall.h (the few calls below that place Xen's pages are memory
 * management, which is arch's business in either mode).
 * Reference: xen/include/public/arch-x86/xen-x86_64.h, arch-x86/hvm/
 * start_info.h, hvm/params.h, memory.h (XENMEM_add_to_physmap).
 */
#ifndef ARCH_X86_64_ARCH_H
#define ARCH_X86_64_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>

#define ARCH_PAGE_SHIFT 12
#define ARCH_PAGE_SIZE  (1UL << ARCH_PAGE_SHIFT)

/*
 * The frame every entry stub saves (entry.S builds it; keep in sync).
 * vector is the exception number, -1 for the event upcall and -2 for the
 * failsafe callback.
 */
struct arch_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    int64_t vector;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * The raw hypercall: call the hypercall page stub for `nr` with up to five
 * arguments. Returns Xen's result (0/positive or -errno), -ENOSYS for an
 * out-of-range nr. Only xen/hypercall.c and arch/ should call it.
 */
long arch_hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
                    unsigned long a3, unsigned long a4, unsigned long a5);

/* The page at which shared_info must be mapped (the upcall exit uses it). */
extern char arch_shared_info_page[];

/* ---- bring-up (called in this order by start_kernel) ---- */

/*
 * Register the trap table, the event and failsafe callbacks, and set
 * sane FPU/SSE defaults (FCW 0x37f, MXCSR 0x1f80). 0 or -errno.
 */
int arch_traps_init(void);

/* Free memory found by arch_mm_init(): mapped, RW, page aligned. */
struct arch_mem_region {
    void *start;
    size_t nr_pages;
};

/*
 * Map every page of the domain at VA == pseudo-physical address by
 * extending the builder's page tables, unmap page 0 and the boot stack
 * guard, make text read-only, rodata read-only + NX and data NX (when the
 * CPU has NX). Fills *free with the pages nobody uses yet. 0 or -errno.
 */
int arch_mm_init(const start_info_t *si, struct arch_mem_region *free);

/* ---- memory ---- */

/*
 * Unmap the page at va (page aligned, inside the domain's memory), so
 * that touching it faults: a stack guard. -EINVAL for a bad address,
 * -errno from Xen otherwise.
 */
int arch_guard_page(void *va);

/* Map the page at va again (RW, NX), e.g. before freeing a stack. */
int arch_unguard_page(void *va);

/* pfn <-> mfn through the p2m list and Xen's m2p table. */
unsigned long arch_pfn_to_mfn(unsigned long pfn);
unsigned long arch_mfn_to_pfn(unsigned long mfn);

/* Machine frame of a virtual address inside the domain's memory. */
unsigned long arch_virt_to_mfn(const void *va);

/*
 * Is [va, va + len) mapped (present in the page tables)? Used by the
 * crash reporter to walk frames without faulting again.
 */
bool arch_is_mapped(uintptr_t va, size_t len);

/* ---- Xen's pages in our address space ---- */

/*
 * Make shared_info appear at arch_shared_info_page (0 or -errno). PV:
 * map the machine frame start_info names there. PVH: put it at that
 * page's pfn with XENMEM_add_to_physmap(XENMAPSPACE_shared_info), and
 * (re)arm the event callback vector, which a restored domain lost.
 * After a resume this runs again.
 */
int arch_shared_info_map(const start_info_t *si);

/* Before a save: PV puts our own page back behind the address; PVH has
 * nothing to undo (the pfn is re-placed after the resume). */
int arch_shared_info_unmap(void);

/*
 * Make the domain's grant-table frames 0..nr-1 appear at va (nr pages
 * of ours, page aligned). PV: GNTTABOP_setup_table, then map each frame
 * over our page. PVH: XENMEM_add_to_physmap(XENMAPSPACE_grant_table) of
 * each frame at the pfn of our page. 0 or -errno.
 */
int arch_gnttab_map(void *va, unsigned int nr);

/* Before a save: PV maps our own pages back; PVH: nothing. */
int arch_gnttab_unmap(void *va, unsigned int nr);

/*
 * The CPU's half of the event mask, or NULL when Xen honours
 * vcpu_info.evtchn_upcall_mask by itself (PV). PVH: Xen injects the
 * callback vector whenever an upcall is pending and RFLAGS.IF is set,
 * whatever the mask says, so xen/evtchn.c calls this with true before
 * it masks and with false after it unmasked (cli / sti).
 */
extern void (*const arch_event_cpu_mask)(bool masked);

/* The faulting address of the last page fault (PV: Xen stores it in
 * vcpu_info; PVH: %cr2). */
uint64_t arch_fault_addr(void);

/* ---- save/restore ---- */

/*
 * Tell the toolstack where our p2m is: the frame-list-list and max_pfn
 * in shared_info's arch part, which xl save reads and xl restore
 * rewrites (the p2m's frames). At boot and after every restore (a new
 * shared_info, new frames). 0, -E2BIG (over 4 GiB), -EINVAL.
 */
int arch_p2m_publish(shared_info_t *s);

/*
 * The save protocol wants start_info's store and console frames as
 * pfns; a restore writes them back as the new mfns itself, a cancelled
 * suspend must undo the conversion (uncanonicalise).
 */
void arch_start_info_canonicalise(start_info_t *si);
void arch_start_info_uncanonicalise(start_info_t *si);

/*
 * After a real resume (a new domain): refresh what the toolstack may
 * have moved. PV: Xen rewrote start_info itself, nothing to do. PVH:
 * the store and console pfns and ports are read again from the HVM
 * params into our start_info.
 */
void arch_start_info_refresh(start_info_t *si);

/* What arch_wx_audit() found in our half of the page tables. */
struct arch_wx_report {
    unsigned long mapped;         /* present 4 KiB pages */
    unsigned long exec;           /* of them executable */
    unsigned long wx;             /* writable AND executable */
    unsigned long image_writable; /* text/rodata pages writable */
    unsigned long large;          /* large pages (not audited) */
    uintptr_t first_wx;           /* the first W+X page's address */
    bool nx;                      /* the CPU has NX */
};

/* Walk every mapping of the low half (the guest's) and count. */
void arch_wx_audit(struct arch_wx_report *r);

/* ---- CPU ---- */

static inline uint64_t arch_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* true and *out filled when the CPU has RDRAND and it delivered. */
bool arch_rdrand64(uint64_t *out);

/* Set the %fs base (thread pointer) for TLS. 0 or -errno. */
int arch_set_fs_base(uintptr_t base);

/* ---- crash reporting (arch/x86_64/traps.c) ---- */

/* Called by entry.S for every exception; reports and crashes. */
void trap_handle(struct arch_regs *regs);

/*
 * Print a symbolised frame-pointer backtrace starting at rbp (and rip
 * first) through print(). Stops at a NULL or unmapped frame, or depth 32.
 */
void arch_backtrace(uintptr_t rip, uintptr_t rbp,
                    void (*print)(const char *line));

/*
 * Symbol containing addr from the table embedded at link time; NULL when
 * unknown. *offset receives addr - symbol start.
 */
const char *arch_symbol(uintptr_t addr, uintptr_t *offset);

/*
 * The crash reporter's output and shutdown hooks, set by the kernel once
 * the console works (before that: Xen's emergency console_io).
 */
struct arch_crash_ops {
    void (*write)(const char *s, size_t len);
    void (*flush)(void);
    /* Extra lines (thread name ...). May be NULL. */
    void (*describe)(void (*print)(const char *line));
};
void arch_set_crash_ops(const struct arch_crash_ops *ops);

/*
 * The debugger's hook in the trap path (arch/x86_64/gdb.c, mailbox in
 * gdb_mbox.h): with a dom0 gdb stub attached, #BP/#DB park here until the
 * stub resumes them, then return true (leave the trap through r as the
 * stub edited it). A fatal fault parks too, then returns false (crash as
 * usual); unattached it only records the frame for a later attach.
 */
bool arch_gdb_trap(struct arch_regs *r, uint64_t cr2);

/* Shut the domain down with SHUTDOWN_crash; never returns. */
__attribute__((noreturn)) void arch_crash(void);

#endif /* ARCH_X86_64_ARCH_H */
