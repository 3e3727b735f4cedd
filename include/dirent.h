// SPDX-License-Identifier: MIT
/*
 * include/dirent.h - directory streams for xenith apps (compatibility).
 *
 * newlib for x86_64-xen-elf has no directory support: its <dirent.h>
 * includes a <sys/dirent.h> that stops the build with #error. This
 * header takes its place (include/ is searched before newlib's headers)
 * and declares the POSIX directory-stream interface, implemented by
 * lib/dirent.c over the file system's descriptors (kernel/vfs_file.c).
 * struct dirent has d_ino, d_off, d_reclen, d_type (the DT_* values
 * Linux uses) and d_name[NAME_MAX + 1]; "." and ".." are returned first.
 * readdir()'s entry is overwritten by the next call on the same stream.
 * Not there: scandir(), alphasort(), readdir_r() (deprecated).
 * Reference: POSIX.1-2017 <dirent.h>.
 */
#ifndef INCLUDE_DIRENT_H
#define INCLUDE_DIRENT_H

#ifndef XENITH_GUEST
/* Host builds (unit tests put include/ on their path) get the system's. */
#include_next <dirent.h>
#else

#include <limits.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

struct dirent {
    ino_t d_ino;
    off_t d_off;             /* telldir() position of the next entry */
    unsigned short d_reclen; /* sizeof(struct dirent) */
    unsigned char d_type;    /* DT_DIR, DT_REG or DT_LNK */
    char d_name[NAME_MAX + 1];
};

typedef struct xn_dir DIR;

DIR *opendir(const char *path);
DIR *fdopendir(int fd);
struct dirent *readdir(DIR *dir);
int closedir(DIR *dir);
void rewinddir(DIR *dir);
int dirfd(DIR *dir);
long telldir(DIR *dir);
void seekdir(DIR *dir, long pos);

#ifdef __cplusplus
}
#endif

#endif /* XENITH_GUEST */

#endif /* INCLUDE_DIRENT_H */
