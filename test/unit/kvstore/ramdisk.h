// SPDX-License-Identifier: MIT
/*
 * test/unit/kvstore/ramdisk.h - a RAM disk for the kvstore tests that
 * models a volatile write cache, crashes and failing I/O.
 *
 * Writes land in `cache`; a flush copies the cache to `media`, which is
 * what survives a crash (ramdisk_crash() drops the cache). Alignment is
 * enforced like blkfront does (-EINVAL), and a read, write or flush can
 * be made to fail after a number of successful calls.
 */
#ifndef KVSTORE_RAMDISK_H
#define KVSTORE_RAMDISK_H

#include <stddef.h>
#include <stdint.h>

#include "kvstore.h"

struct ramdisk {
    uint8_t *cache, *media;
    size_t size;
    uint32_t align;
    /* Fault injection: fail the call once this many more succeeded
     * (-1: never). */
    long fail_read_after, fail_write_after, fail_flush_after;
    unsigned long reads, writes, flushes;
    uint64_t bytes_written;
};

void ramdisk_init(struct ramdisk *d, size_t size, uint32_t align);
void ramdisk_fini(struct ramdisk *d);
/* The kvstore_dev for d. */
struct kvstore_dev ramdisk_dev(struct ramdisk *d);
/* Lose every write since the last flush. */
void ramdisk_crash(struct ramdisk *d);

#endif /* KVSTORE_RAMDISK_H */
