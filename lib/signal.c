// SPDX-License-Identifier: MIT
/*
 * lib/signal.c - POSIX signals in a unikernel: accepted, and delivered
 * only synchronously.
 *
 * Nothing outside the program ever sends a signal: there is no terminal
 * (no SIGINT), no child (no SIGCHLD), no timer signal (no SIGALRM), lwIP
 * reports a closed socket with EPIPE (no SIGPIPE), and `xl shutdown`
 * reaches xn_on_shutdown() hooks, not SIGTERM. What is delivered is
 * what the program raises itself: raise(), kill() of its own pid (1, 0
 * or -1), pthread_kill() and abort(). Delivery happens in the calling
 * thread, before the call returns; a blocked signal stays pending until
 * sigprocmask() unblocks it. The disposition table and the mask are
 * process-wide (pthread_sigmask changes the one mask). Default actions:
 * SIGCHLD, SIGURG, SIGWINCH, SIGCONT and the stop signals are ignored;
 * every other signal ends the domain with "[xenith] signal N: ..." and
 * exit status 128 + N (abort(): 134), as a shell reports it. newlib's
 * signal()/raise() keep one table per thread's struct _reent, so both
 * are replaced here. Reference: POSIX.1-2017 XSH 2.4 (Signal Concepts),
 * sigaction, sigprocmask, raise, kill.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "kernel/kfmt.h"
#include "xen/console.h"

void _exit(int status) __attribute__((noreturn));

#define SIG_BIT(sig) (1UL << (sig))
/* Never blocked, never caught. */
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

static struct sigaction actions[NSIG];
static sigset_t blocked, pending;

static int sig_valid(int sig)
{
    return sig > 0 && sig < NSIG;
}

static int default_ignores(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
    case SIGCONT:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return 1;
    default:
        return 0;
    }
}

static const char *sig_name(int sig)
{
    switch (sig) {
    case SIGABRT:
        return "SIGABRT";
    case SIGSEGV:
        return "SIGSEGV";
    case SIGFPE:
        return "SIGFPE";
    case SIGILL:
        return "SIGILL";
    case SIGBUS:
        return "SIGBUS";
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    case SIGHUP:
        return "SIGHUP";
    case SIGKILL:
        return "SIGKILL";
    case SIGPIPE:
        return "SIGPIPE";
    case SIGALRM:
        return "SIGALRM";
    case SIGUSR1:
        return "SIGUSR1";
    case SIGUSR2:
        return "SIGUSR2";
    case SIGQUIT:
        return "SIGQUIT";
    default:
        return "signal";
    }
}

static void deliver_pending(void);

/* Act on an unblocked signal, in the calling thread. */
static void act(int sig)
{
    struct sigaction *sa = &actions[sig];
    void (*handler)(int) = sa->sa_handler;
    sigset_t saved;

    if (handler == SIG_IGN)
        return;
    if (handler == SIG_DFL || sig == SIGKILL || sig == SIGSTOP) {
        char line[80];
        int n;

        if (default_ignores(sig))
            return;
        n = kfmt_snprintf(line, sizeof(line),
                          "[xenith] signal %d (%s): default action ends "
                          "the domain\n",
                          sig, sig_name(sig));
        console_write(line, (size_t)n);
        _exit(128 + sig);
    }
    saved = blocked;
    blocked |= sa->sa_mask;
    if (!(sa->sa_flags & SA_NODEFER))
        blocked |= SIG_BIT(sig);
    blocked &= ~SIG_UNBLOCKABLE;
    if (sa->sa_flags & SA_RESETHAND)
        sa->sa_handler = SIG_DFL;
    handler(sig);
    blocked = saved;
    deliver_pending();
}

static int deliver(int sig)
{
    if (!sig_valid(sig) && sig != 0) {
        errno = EINVAL;
        return -1;
    }
    if (sig == 0)
        return 0;
    if (blocked & SIG_BIT(sig) & ~SIG_UNBLOCKABLE) {
        pending |= SIG_BIT(sig);
        return 0;
    }
    act(sig);
    return 0;
}

static void deliver_pending(void)
{
    for (int sig = 1; sig < NSIG; sig++) {
        if ((pending & SIG_BIT(sig)) && !(blocked & SIG_BIT(sig))) {
            pending &= ~SIG_BIT(sig);
            act(sig);
        }
    }
}

int sigaction(int sig, const struct sigaction *act_in, struct sigaction *old)
{
    if (!sig_valid(sig) || (act_in && (sig == SIGKILL || sig == SIGSTOP))) {
        errno = EINVAL;
        return -1;
    }
    if (old)
        *old = actions[sig];
    if (act_in) {
        actions[sig] = *act_in;
        /* Ignoring a pending signal discards it. */
        if (act_in->sa_handler == SIG_IGN)
            pending &= ~SIG_BIT(sig);
    }
    return 0;
}

_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
    struct sigaction sa, old;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    if (sigaction(sig, &sa, &old))
        return SIG_ERR;
    return old.sa_handler;
}

int raise(int sig)
{
    return deliver(sig);
}

int kill(int pid, int sig)
{
    /* Our own process is 1 (getpid); 0 and -1 include it. */
    if (pid != 1 && pid != 0 && pid != -1) {
        errno = ESRCH;
        return -1;
    }
    return deliver(sig);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    if (old)
        *old = blocked;
    if (!set)
        return 0;
    switch (how) {
    case SIG_BLOCK:
        blocked |= *set;
        break;
    case SIG_UNBLOCK:
        blocked &= ~*set;
        break;
    case SIG_SETMASK:
        blocked = *set;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    blocked &= ~SIG_UNBLOCKABLE;
    deliver_pending();
    return 0;
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    return sigprocmask(how, set, old) ? errno : 0;
}

int sigpending(sigset_t *set)
{
    *set = pending;
    return 0;
}

/* newlib defines these as macros too; the functions exist for &f. */
int(sigemptyset)(sigset_t *set)
{
    *set = 0;
    return 0;
}

int(sigfillset)(sigset_t *set)
{
    *set = ~(sigset_t)0;
    return 0;
}

int(sigaddset)(sigset_t *set, const int sig)
{
    if (!sig_valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    *set |= SIG_BIT(sig);
    return 0;
}

int(sigdelset)(sigset_t *set, const int sig)
{
    if (!sig_valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    *set &= ~SIG_BIT(sig);
    return 0;
}

int(sigismember)(const sigset_t *set, int sig)
{
    if (!sig_valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    return (*set & SIG_BIT(sig)) != 0;
}
