// SPDX-License-Identifier: MIT
/*
 * kernel/vfs_boot.c - the file system at boot, and xn_fs_mount_tmpfs().
 *
 * A boot stage of the kernel/devinit.h linker set (entry 01, before any
 * device: it waits on nothing), linked only into images that use files:
 * lib/fs_syscalls.c references it, so does xenith_add_image(... ROOTFS).
 * It builds the read-only root from ONE cpio newc archive: the PV
 * ramdisk module when the toolstack passed one (xl `ramdisk=`,
 * `./xenith run --rootfs DIR`; start_info mod_start/mod_len), else the
 * archive embedded in the image at build time (xn_rootfs_start ..
 * xn_rootfs_end, cmake/xenith.cmake), else an empty root. The archive is
 * validated first (kernel/cpio.c); a bad one is refused as a whole with
 * one console line naming the entry and the reason, and the domain boots
 * on an empty root (a refused root must not take the app down with it:
 * the app then sees ENOENT). File data stays where the archive is (the
 * ramdisk's pages are below the page allocator's region and never
 * reused). Then /etc defaults (kernel/vfs_etc.c), /dev/null, zero,
 * random and urandom (kernel/vfs_dev.c; random from RDRAND), a tmpfs on /tmp
 * with a quota of a quarter of the domain's memory, the descriptor range in
 * kernel/fdtab, and Xen's wall clock for mtimes.
 * Reference: xen/include/public/xen.h (start_info, SIF_MOD_START_PFN).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/arch.h"
#include "include/xenith.h"
#include "kernel/cpio.h"
#include "kernel/devinit.h"
#include "kernel/kfmt.h"
#include "kernel/mm.h"
#include "kernel/vfs.h"
#include "kernel/vfs_etc.h"
#include "xen/time.h"

#define PAGE_SHIFT 12

/* The archive cmake/xenith.cmake embeds for ROOTFS (absent: NULL). */
extern const unsigned char xn_rootfs_start[] __attribute__((weak));
extern const unsigned char xn_rootfs_end[] __attribute__((weak));

static int64_t wall_seconds(void)
{
    uint64_t sec;
    uint32_t nsec;

    time_wall(&sec, &nsec);
    return (int64_t)sec;
}

/* /dev/random's source: RDRAND (as getentropy), else -EIO. */
static int rdrand_fill(void *buf, size_t len)
{
    unsigned char *p = buf;

    while (len) {
        uint64_t v;
        size_t n = len < sizeof(v) ? len : sizeof(v);

        if (!arch_rdrand64(&v))
            return -EIO;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
    return 0;
}

/* The archive and where it came from; false when there is none. */
static bool find_archive(const start_info_t *si, const unsigned char **buf,
                         size_t *len, const char **from)
{
    if (si->mod_start && si->mod_len) {
        uintptr_t va = si->mod_start;

        /* VA == pseudo-physical address in this kernel. */
        if (si->flags & SIF_MOD_START_PFN)
            va <<= PAGE_SHIFT;
        *buf = (const unsigned char *)va;
        *len = si->mod_len;
        *from = "ramdisk";
        return true;
    }
    if (xn_rootfs_start &&
        (uintptr_t)xn_rootfs_end > (uintptr_t)xn_rootfs_start) {
        *buf = xn_rootfs_start;
        *len = (size_t)((uintptr_t)xn_rootfs_end - (uintptr_t)xn_rootfs_start);
        *from = "image";
        return true;
    }
    return false;
}

static struct vfs_fs *root_from(const unsigned char *buf, size_t len,
                                const char *from)
{
    struct vfs_fs *fs = vfs_fs_create("rootfs", 0, true);
    struct cpio_error err;
    unsigned int skipped;
    int rc;

    if (!fs)
        return NULL;
    rc = cpio_unpack(fs, buf, len, &skipped, &err);
    if (rc == 0) {
        kfmt_printf("[xenith] rootfs: %u entries from the %s (%zu bytes)%s\n",
                    fs->nodes - 1, from, len,
                    skipped ? ", special files skipped" : "");
        return fs;
    }
    if (rc == -EINVAL)
        kfmt_printf("[xenith] rootfs: refused the archive from the %s: "
                    "entry '%s' at offset %zu: %s; the root is empty\n",
                    from, err.entry, err.offset, err.why);
    else
        kfmt_printf("[xenith] rootfs: cannot unpack the archive from the "
                    "%s (%d); the root is empty\n",
                    from, rc);
    vfs_fs_destroy(fs);
    return vfs_fs_create("rootfs", 0, true);
}

static int fs_boot(const start_info_t *si, uint64_t timeout_ns)
{
    const unsigned char *buf;
    const char *from;
    struct vfs_fs *root;
    struct mm_stats ms;
    size_t len;
    int rc;

    (void)timeout_ns;
    vfs_set_clock(wall_seconds);
    if (find_archive(si, &buf, &len, &from))
        root = root_from(buf, len, from);
    else
        root = vfs_fs_create("rootfs", 0, true);
    if (!root)
        return -ENOMEM;
    rc = vfs_etc_defaults(root, (const char *)si->cmd_line);
    if (rc)
        kfmt_printf("[xenith] rootfs: /etc defaults not added (%d)\n", rc);
    vfs_dev_set_random(rdrand_fill);
    rc = vfs_dev_populate(root);
    if (rc)
        kfmt_printf("[xenith] rootfs: /dev nodes not added (%d)\n", rc);
    vfs_set_root(root);
    mm_stats(&ms);
    rc = vfs_mount_tmpfs("/tmp", ms.total_pages / 4 << PAGE_SHIFT);
    if (rc)
        kfmt_printf("[xenith] rootfs: no tmpfs on /tmp (%d)\n", rc);
    return vfs_file_init();
}

XN_DEVICE_INIT(fs, 01, fs_boot);

xn_result xn_fs_mount_tmpfs(const char *path, size_t quota_bytes)
{
    switch (vfs_mount_tmpfs(path, quota_bytes)) {
    case 0:
        return XN_OK;
    case -ENOMEM:
    case -ENOSPC:
        return XN_ERR_NOMEM;
    case -EBUSY:
        return XN_ERR_BUSY;
    default:
        return XN_ERR_INVAL;
    }
}
