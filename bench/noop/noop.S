/* SPDX-License-Identifier: MIT */
/*
 * noop: the smallest useful Xen x86_64 PV guest, the toolstack baseline
 * for `./xenith bench` (xl create time, time to the first console line).
 *
 * It prints one line through the PV console ring, waits (bounded) for
 * xenconsoled to drain it, and powers off.  No C, no stack beyond the
 * one it declares, no page-table work: the builder's initial mapping
 * covers start_info and the console page.  The console page is found
 * from its MFN through the read-only M2P table Xen maps for PV guests
 * (machine_to_phys_mapping at HYPERVISOR_VIRT_START), and the kernel is
 * linked at virtual address 0 so that virt = pfn << 12.
 *
 * References: xen/include/public/xen.h (start_info, hypercall numbers),
 * io/console.h (xencons_interface), elfnote.h (the notes below).
 */
#define HYPERCALL(n)   (hypercall_page + (n) * 32)
#define HC_SCHED_OP    29
#define HC_EVTCHN_OP   32
#define SCHEDOP_yield  0
#define SCHEDOP_shutdown 2
#define EVTCHNOP_send  4
#define M2P_BASE       0xFFFF800000000000
#define SI_CONSOLE_MFN 0x48   /* start_info.console.domU.mfn   */
#define SI_CONSOLE_EVT 0x50   /* start_info.console.domU.evtchn */
#define CONS_OUT       1024   /* xencons_interface.out[2048]   */
#define CONS_OUT_CONS  3080   /* out_cons (after in_cons/in_prod) */
#define CONS_OUT_PROD  3084

    .section .note.Xen, "a", @note
    .macro xennote_begin type
    .balign 4
    .long 4, 2f - 1f, \type
    .asciz "Xen"
1:
    .endm
    .macro xennote_end
2:  .balign 4
    .endm
    xennote_begin 6                         /* GUEST_OS       */
    .asciz "xenith-noop"
    xennote_end
    xennote_begin 5                         /* XEN_VERSION    */
    .asciz "xen-3.0"
    xennote_end
    xennote_begin 8                         /* LOADER         */
    .asciz "generic"
    xennote_end
    xennote_begin 3                         /* VIRT_BASE      */
    .quad 0
    xennote_end
    xennote_begin 4                         /* PADDR_OFFSET   */
    .quad 0
    xennote_end
    xennote_begin 1                         /* ENTRY          */
    .quad _start
    xennote_end
    xennote_begin 2                         /* HYPERCALL_PAGE */
    .quad hypercall_page
    xennote_end

    .text
    .globl _start
_start:
    lea     stack_top(%rip), %rsp
    /* console page: pfn = m2p[mfn], virt = pfn << 12 */
    mov     SI_CONSOLE_MFN(%rsi), %rax
    movabs  $M2P_BASE, %rcx
    mov     (%rcx,%rax,8), %rbx
    shl     $12, %rbx
    mov     SI_CONSOLE_EVT(%rsi), %eax
    mov     %eax, evt_port(%rip)

    /* copy the message into out[] at out_prod (the ring is empty) */
    mov     CONS_OUT_PROD(%rbx), %r8d
    lea     msg(%rip), %rsi
    mov     $msg_len, %ecx
1:  mov     %r8d, %edx
    and     $2047, %edx
    movb    (%rsi), %al
    movb    %al, CONS_OUT(%rbx,%rdx)
    inc     %rsi
    inc     %r8d
    dec     %ecx
    jnz     1b
    sfence                          /* data before the producer index */
    mov     %r8d, CONS_OUT_PROD(%rbx)

    mov     $EVTCHNOP_send, %edi
    lea     evt_port(%rip), %rsi
    call    HYPERCALL(HC_EVTCHN_OP)

    /* let xenconsoled drain the ring (bounded), then power off */
    mov     $100000, %r12d
2:  mov     CONS_OUT_CONS(%rbx), %eax
    cmp     CONS_OUT_PROD(%rbx), %eax
    je      3f
    mov     $SCHEDOP_yield, %edi
    xor     %esi, %esi
    call    HYPERCALL(HC_SCHED_OP)
    dec     %r12d
    jnz     2b
3:  mov     $SCHEDOP_shutdown, %edi
    lea     shutdown_reason(%rip), %rsi
    call    HYPERCALL(HC_SCHED_OP)
    ud2

    .data
    .balign 8
evt_port:        .long 0
shutdown_reason: .long 0            /* SHUTDOWN_poweroff */
msg:    .ascii "xenith-noop: first line\r\n"
    .set msg_len, . - msg

    .bss
    .balign 16
    .space 8192
stack_top:

    .section .text.hypercall_page, "ax"
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .space 4096
