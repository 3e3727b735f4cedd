// SPDX-License-Identifier: MIT
/*
 * kernel/cpio.h - the root file system's archive: cpio "newc".
 *
 * Format (what `cpio -H newc` and Linux's initramfs use): per entry a
 * 110-byte ASCII header ("070701", then 13 fields of 8 hex digits: ino,
 * mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
 * rdevminor, namesize, check), the NUL-terminated name (namesize bytes
 * with the NUL), padding to a multiple of 4, the data, padding to 4; the
 * entry named "TRAILER!!!" ends the archive. "070702" (the same with a
 * checksum) is read too; the checksum is not verified.
 * The archive is untrusted input (a --rootfs DIR from the command line,
 * a ramdisk module any toolstack may pass): every field is checked by
 * code that is always compiled in, before the first node is made.
 * Reference: the cpio(5) manual ("New ASCII Format"), Linux
 * Documentation/driver-api/early-userspace/buffer-format.rst.
 */
#ifndef KERNEL_CPIO_H
#define KERNEL_CPIO_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/vfs.h"

#define CPIO_HEADER_LEN 110

struct cpio_entry {
    char path[VFS_PATH_MAX]; /* normalised: no leading "/" or "./" */
    uint32_t mode;
    uint32_t mtime;
    uint32_t nlink;
    const unsigned char *data; /* inside the archive */
    size_t size;
};

/* Why an archive was refused, for the console line. */
struct cpio_error {
    char entry[80]; /* the entry's name (printable, cut), or "#N" */
    char why[64];
    size_t offset;      /* of the entry's header */
    unsigned int index; /* entries read so far (the caller zeroes it) */
};

/*
 * Parse the entry at *off. 1: *e filled and *off moved past it; 0: the
 * trailer (end); -EINVAL: malformed, err filled. A path of "" is the
 * archive's "." (the root itself).
 */
int cpio_next(const unsigned char *buf, size_t len, size_t *off,
              struct cpio_entry *e, struct cpio_error *err);

/*
 * Check the whole archive, then create its entries in fs (directories,
 * regular files and symbolic links; file data is borrowed from buf,
 * which must outlive fs; missing parent directories are created; other
 * types are skipped and counted in *skipped). 0, -EINVAL (err says
 * which entry and why; nothing was created if the archive itself is
 * malformed, a conflict between entries, such as a file where a later
 * entry needs a directory, may leave earlier entries: the caller
 * discards fs), -ENOSPC/-ENOMEM.
 */
int cpio_unpack(struct vfs_fs *fs, const void *buf, size_t len,
                unsigned int *skipped, struct cpio_error *err);

#endif /* KERNEL_CPIO_H */
