// SPDX-License-Identifier: MIT
/*
 * lib/mman.c - mmap()/munmap(): anonymous memory and file snapshots.
 *
 * A single address space with the heap mapped read-write and never
 * executable (W^X, docs/internals.md) can give a program page-aligned
 * memory, but not share pages with a file or change their protection.
 * So: MAP_ANONYMOUS mappings are zeroed page-aligned heap blocks
 * (memalign); a file mapping is such a block filled, at mmap() time,
 * with the file's bytes from the page-aligned offset (zeros past the
 * end), which is exactly what a reader of a read-only mapping (or the
 * owner of a private one) can observe as long as the file does not
 * change afterwards. Everything else is refused (include/sys/mman.h).
 * Mappings are kept in a list so munmap() can check what it frees.
 * Reference: POSIX.1-2017 mmap, munmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/vfs.h"

#define PAGE 4096u

struct mapping {
    void *addr;
    size_t len;
    struct mapping *next;
};

static struct mapping *mappings;

static void *fail(int e)
{
    errno = e;
    return MAP_FAILED;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    int type = flags & (MAP_SHARED | MAP_PRIVATE);
    struct mapping *m;
    size_t size;
    void *p;

    (void)addr; /* a hint only */
    if (len == 0 || len > SIZE_MAX - PAGE ||
        (type != MAP_SHARED && type != MAP_PRIVATE))
        return fail(EINVAL);
    if (flags & MAP_FIXED)
        return fail(EINVAL);
    if (prot & PROT_EXEC)
        return fail(ENOTSUP);
    if (!(flags & MAP_ANONYMOUS)) {
        struct vfs_node *n = vfs_fd_node(fd);
        int fl;

        if (!n)
            return fail(fd >= 0 && fd <= 2 ? ENODEV : EBADF);
        if (!S_ISREG(n->mode))
            return fail(ENODEV);
        if (off < 0 || off % PAGE)
            return fail(EINVAL);
        fl = vfs_fcntl(fd, F_GETFL, 0);
        if ((fl & O_ACCMODE) == O_WRONLY)
            return fail(EACCES);
        if (type == MAP_SHARED && (prot & PROT_WRITE))
            return fail(ENOTSUP);
    }
    size = (len + PAGE - 1) / PAGE * PAGE;
    m = malloc(sizeof(*m));
    p = m ? memalign(PAGE, size) : NULL;
    if (!p) {
        free(m);
        return fail(ENOMEM);
    }
    memset(p, 0, size);
    if (!(flags & MAP_ANONYMOUS)) {
        ssize_t got = vfs_pread(fd, p, len, off);

        if (got < 0) {
            free(p);
            free(m);
            return fail((int)-got);
        }
    }
    m->addr = p;
    m->len = size;
    m->next = mappings;
    mappings = m;
    return p;
}

int munmap(void *addr, size_t len)
{
    struct mapping **pp = &mappings;
    size_t size = (len + PAGE - 1) / PAGE * PAGE;

    for (; *pp; pp = &(*pp)->next) {
        struct mapping *m = *pp;

        if (m->addr == addr) {
            if (size != m->len) {
                errno = EINVAL; /* only whole mappings */
                return -1;
            }
            *pp = m->next;
            free(m->addr);
            free(m);
            return 0;
        }
    }
    errno = EINVAL;
    return -1;
}
