// SPDX-License-Identifier: MIT
/*
 * lib/process.c - process creation in a unikernel: there is none.
 *
 * The domain is one process with one address space, so fork, vfork, the
 * exec family, system, popen and posix_spawn fail with ENOSYS (wait and
 * waitpid: ECHILD, there is never a child). Design choice: each of them
 * prints one console line the first time it is called, naming the call,
 * so a ported program that silently falls back (or gives up with a vague
 * message) still shows the porter what it tried; later calls stay
 * quiet. system(NULL) is 0: no command processor is available.
 * Reference: POSIX.1-2017 fork, exec, system, popen, wait.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/kfmt.h"
#include "xen/console.h"

enum proc_call {
    PROC_FORK,
    PROC_VFORK,
    PROC_EXECVE,
    PROC_EXECV,
    PROC_EXECVP,
    PROC_EXECVPE,
    PROC_EXECL,
    PROC_EXECLP,
    PROC_EXECLE,
    PROC_SYSTEM,
    PROC_POPEN,
    PROC_NR
};

static const char *const proc_names[PROC_NR] = {
    "fork",  "vfork",  "execve", "execv",  "execvp", "execvpe",
    "execl", "execlp", "execle", "system", "popen",
};

static unsigned int proc_reported; /* bit per enum proc_call */

/* errno = ENOSYS, and the console line the first time for this call. */
static void refuse(enum proc_call c)
{
    if (!(proc_reported & (1u << c))) {
        char line[96];
        int n = kfmt_snprintf(line, sizeof(line),
                              "[xenith] %s(): not supported (a unikernel "
                              "is one process): ENOSYS\n",
                              proc_names[c]);

        proc_reported |= 1u << c;
        console_write(line, (size_t)n);
    }
    errno = ENOSYS;
}

int fork(void)
{
    refuse(PROC_FORK);
    return -1;
}

pid_t vfork(void)
{
    refuse(PROC_VFORK);
    return -1;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path, (void)argv, (void)envp;
    refuse(PROC_EXECVE);
    return -1;
}

int execv(const char *path, char *const argv[])
{
    (void)path, (void)argv;
    refuse(PROC_EXECV);
    return -1;
}

int execvp(const char *file, char *const argv[])
{
    (void)file, (void)argv;
    refuse(PROC_EXECVP);
    return -1;
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    (void)file, (void)argv, (void)envp;
    refuse(PROC_EXECVPE);
    return -1;
}

int execl(const char *path, const char *arg, ...)
{
    (void)path, (void)arg;
    refuse(PROC_EXECL);
    return -1;
}

int execlp(const char *file, const char *arg, ...)
{
    (void)file, (void)arg;
    refuse(PROC_EXECLP);
    return -1;
}

int execle(const char *path, const char *arg, ...)
{
    (void)path, (void)arg;
    refuse(PROC_EXECLE);
    return -1;
}

int system(const char *command)
{
    if (!command)
        return 0; /* no command processor */
    refuse(PROC_SYSTEM);
    return -1;
}

FILE *popen(const char *command, const char *mode)
{
    (void)command, (void)mode;
    refuse(PROC_POPEN);
    return NULL;
}

int pclose(FILE *stream)
{
    (void)stream;
    errno = ECHILD;
    return -1;
}

pid_t wait(int *status)
{
    (void)status;
    errno = ECHILD;
    return -1;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    (void)pid, (void)status, (void)options;
    errno = ECHILD;
    return -1;
}
