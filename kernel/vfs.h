// SPDX-License-Identifier: MIT
/*
 * kernel/vfs.h - the file system: one name space of in-memory nodes.
 *
 * Layers (docs/internals.md, "File system"): lib/fs_syscalls.c,
 * lib/dirent.c and lib/mman.c turn POSIX calls into the vfs_* calls
 * below; kernel/vfs.c resolves paths and changes the name space;
 * kernel/vfs_node.c owns nodes, their data and each file system's
 * memory quota; kernel/vfs_file.c is the open-file table (descriptors
 * VFS_FD_FIRST.., registered in kernel/fdtab); kernel/cpio.c fills a
 * file system from a cpio "newc" archive; kernel/vfs_boot.c (guest)
 * builds the root at boot. Design choice: every file system is a tree
 * of struct vfs_node in memory, so there is one implementation for the
 * read-only root (whose file data points into the archive, never copied)
 * and the tmpfs (data on the heap, charged to the mount's quota); a
 * mount hangs another tree's root on a directory. No operation blocks,
 * so with cooperative threads each call is atomic and no lock is taken.
 * Functions return 0 / a count, or -errno; nothing sets errno here.
 * Reference: POSIX.1-2017 XBD 4.13 (pathname resolution), XSH open,
 * rename, rmdir, stat.
 */
#ifndef KERNEL_VFS_H
#define KERNEL_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define VFS_NAME_MAX    255  /* bytes in one path component */
#define VFS_PATH_MAX    1024 /* bytes in a path, with its NUL (newlib's) */
#define VFS_SYMLOOP_MAX 40   /* symbolic links followed in one lookup */

struct vfs_node;

/* What a character-device node is (kernel/vfs_dev.c). */
enum vfs_dev {
    VFS_DEV_NONE,
    VFS_DEV_NULL,
    VFS_DEV_ZERO,
    VFS_DEV_RANDOM, /* random and urandom */
};

struct vfs_fs {
    const char *type; /* "rootfs", "tmpfs" */
    unsigned int id;  /* st_dev */
    bool read_only;   /* writes through the POSIX calls: EROFS */
    size_t quota;     /* bytes the fs may use; 0 = no limit */
    size_t used;      /* bytes charged: nodes, names, data */
    struct vfs_node *root;
    struct vfs_node *covered; /* the directory it is mounted on; NULL: / */
    unsigned long next_ino;
    unsigned int nodes; /* live nodes, the root included */
};

struct vfs_node {
    struct vfs_fs *fs;
    struct vfs_node *parent;   /* NULL for a file system's root */
    struct vfs_node *children; /* directory entries, newest first */
    struct vfs_node *next;     /* sibling in the parent's list */
    struct vfs_fs *mounted;    /* a file system mounted here */
    char *name;
    mode_t mode; /* S_IFREG / S_IFDIR / S_IFLNK + bits */
    unsigned long ino;
    unsigned int refs; /* open files and the cwd holding it */
    unsigned int nchildren;
    bool unlinked;       /* gone from the tree, freed at refs 0 */
    bool borrowed;       /* data points into an archive */
    unsigned char dev;   /* enum vfs_dev of an S_IFCHR node */
    unsigned char *data; /* file contents or symlink target */
    size_t size, cap;
    int64_t mtime; /* seconds since the epoch */
};

/* ---- nodes (kernel/vfs_node.c) ---- */

/* Wall-clock seconds for new nodes' mtime (default: always 0). */
void vfs_set_clock(int64_t (*now)(void));
int64_t vfs_now(void);

/*
 * A new, empty file system of `type` (static string) with quota bytes
 * (0: unlimited), its root a directory with mode 0755. NULL: no memory.
 */
struct vfs_fs *vfs_fs_create(const char *type, size_t quota, bool read_only);

/* Free fs and every node in it (nothing may be open or mounted in it). */
void vfs_fs_destroy(struct vfs_fs *fs);

/*
 * A new node `name` (len bytes, not NUL-terminated) of `mode` in
 * directory dir (no check that the name is free). The kernel's own
 * changes use it directly and are not refused on a read-only fs.
 * -ENOSPC (quota), -ENOMEM.
 */
int vfs_node_create(struct vfs_node *dir, const char *name, size_t len,
                    mode_t mode, struct vfs_node **out);

/* The entry `name` (len bytes) of dir, or NULL. */
struct vfs_node *vfs_node_find(struct vfs_node *dir, const char *name,
                               size_t len);

/* Take node out of its directory; freed now or at its last vfs_node_put. */
void vfs_node_unlink(struct vfs_node *node);

/* Move node into dir under a new name (len bytes). -ENOSPC, -ENOMEM. */
int vfs_node_move(struct vfs_node *node, struct vfs_node *dir, const char *name,
                  size_t len);

void vfs_node_get(struct vfs_node *node);
void vfs_node_put(struct vfs_node *node);

/*
 * Make the file's size len: grows with zeros, shrinks in place. The
 * fs's quota is charged for the capacity. -ENOSPC, -ENOMEM, -EFBIG.
 */
int vfs_node_resize(struct vfs_node *node, size_t len);

/* Point a node's contents at len bytes the caller keeps (an archive). */
void vfs_node_borrow(struct vfs_node *node, const void *data, size_t len);

/* ---- the name space (kernel/vfs.c) ---- */

/*
 * Make fs the root (read-only rootfs, tmpfs, ...). The cwd becomes /.
 * Whatever was the root before is forgotten (host tests: vfs_reset).
 */
void vfs_set_root(struct vfs_fs *fs);
struct vfs_fs *vfs_root_fs(void);

/* Forget the root, the cwd and every descriptor, freeing every file
 * system (host tests). */
void vfs_reset(void);
/* The name-space half of vfs_reset (kernel/vfs_file.c calls it). */
void vfs_root_forget(void);

#define VFS_FOLLOW 1 /* a final symbolic link is followed */

/*
 * Resolve path (relative ones from the cwd). ".." never leaves "/";
 * symbolic links are followed in the middle of a path always, at its
 * end with VFS_FOLLOW. *out is NOT referenced.
 * -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP, -EINVAL (NULL).
 */
int vfs_lookup(const char *path, int flags, struct vfs_node **out);

/*
 * Mount a new tmpfs of quota bytes on directory path. A missing
 * directory is created first, also in a read-only fs (the kernel's own
 * change, as /tmp in the root). -EBUSY (a mount point already, or /),
 * -ENOTDIR, -ENOENT (parent missing), -ENOMEM.
 */
int vfs_mount_tmpfs(const char *path, size_t quota);

int vfs_mkdir(const char *path, mode_t mode);
int vfs_rmdir(const char *path);
int vfs_unlink(const char *path);
int vfs_rename(const char *from, const char *to);
int vfs_symlink(const char *target, const char *path);
/* Bytes of the target copied into buf (no NUL), like readlink(2). */
ssize_t vfs_readlink(const char *path, char *buf, size_t len);
int vfs_stat(const char *path, struct stat *st, int flags);
void vfs_node_stat(const struct vfs_node *node, struct stat *st);
/* amode: F_OK or R_OK|W_OK|X_OK (values of <unistd.h>). */
int vfs_access(const char *path, int amode);
int vfs_chdir(const char *path);
int vfs_chdir_node(struct vfs_node *dir);
/* What ".." of directory n is (n itself for /). */
struct vfs_node *vfs_node_dotdot(struct vfs_node *n);
/* The cwd as an absolute path in buf; -ERANGE when it does not fit. */
int vfs_getcwd(char *buf, size_t len);

/*
 * Where the open-file layer creates files: resolves path's parent,
 * creates the file when asked (O_CREAT, O_EXCL), checks O_DIRECTORY,
 * O_NOFOLLOW, O_TRUNC, EISDIR, EROFS. *out is referenced.
 */
int vfs_open_node(const char *path, int flags, mode_t mode,
                  struct vfs_node **out);

/* ---- devices (kernel/vfs_dev.c) ---- */

/* Add /dev/{null,zero,random,urandom} to fs where missing. 0, -errno. */
int vfs_dev_populate(struct vfs_fs *fs);
/* Where /dev/random's bytes come from: fill(buf, len) returns 0. */
void vfs_dev_set_random(int (*fill)(void *buf, size_t len));
ssize_t vfs_dev_read(const struct vfs_node *n, void *buf, size_t len);
ssize_t vfs_dev_write(const struct vfs_node *n, size_t len);

/* ---- open files (kernel/vfs_file.c) ---- */

/* Descriptors of files and directories: above the console, the sockets
 * (3..202) and the block devices (208..239), outside select()'s
 * FD_SETSIZE (files are not pollable). */
#define VFS_FD_FIRST 256
#define VFS_FD_MAX   256

/* Register the descriptor range in kernel/fdtab. 0 or -errno. */
int vfs_file_init(void);

int vfs_open(const char *path, int flags, mode_t mode);
ssize_t vfs_read(int fd, void *buf, size_t len);
ssize_t vfs_write(int fd, const void *buf, size_t len);
ssize_t vfs_pread(int fd, void *buf, size_t len, off_t off);
ssize_t vfs_pwrite(int fd, const void *buf, size_t len, off_t off);
off_t vfs_lseek(int fd, off_t off, int whence);
int vfs_close(int fd);
int vfs_fstat(int fd, struct stat *st);
int vfs_fcntl(int fd, int cmd, int arg);
int vfs_ftruncate(int fd, off_t len);
int vfs_fchdir(int fd);
/* dup2 semantics inside the range: newfd is closed first. */
int vfs_dup2(int fd, int newfd);
bool vfs_is_fd(int fd);

/* One directory entry, for readdir(). */
struct vfs_dirent {
    unsigned long ino;
    unsigned char type; /* DT_* values: 4 dir, 8 reg, 10 lnk */
    char name[VFS_NAME_MAX + 1];
};

/* The next entry of directory fd ("." and ".." first): 1, 0 at the end. */
int vfs_readdir(int fd, struct vfs_dirent *ent);
/* Back to the first entry. */
int vfs_rewinddir(int fd);

/* The node behind fd (referenced by the descriptor), or NULL. */
struct vfs_node *vfs_fd_node(int fd);

#endif /* KERNEL_VFS_H */
