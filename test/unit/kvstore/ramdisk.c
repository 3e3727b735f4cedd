// SPDX-License-Identifier: MIT
/*
 * test/unit/kvstore/ramdisk.c - RAM disk with a volatile cache and fault
 * injection for the kvstore tests (see ramdisk.h). Reads see the cache,
 * as a real disk returns its cached data; only a flush makes it durable.
 */
#include "ramdisk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int check(struct ramdisk *d, uint64_t off, size_t len)
{
    if (off % d->align || len % d->align || off > d->size ||
        len > d->size - off)
        return -EINVAL;
    return 0;
}

static int fault(long *after)
{
    if (*after < 0)
        return 0;
    if ((*after)-- == 0)
        return -EIO;
    return 0;
}

static int rd_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    struct ramdisk *d = ctx;
    int rc = check(d, off, len);

    if (rc == 0)
        rc = fault(&d->fail_read_after);
    if (rc)
        return rc;
    d->reads++;
    memcpy(buf, d->cache + off, len);
    return 0;
}

static int rd_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
    struct ramdisk *d = ctx;
    int rc = check(d, off, len);

    if (rc == 0)
        rc = fault(&d->fail_write_after);
    if (rc)
        return rc;
    d->writes++;
    d->bytes_written += len;
    memcpy(d->cache + off, buf, len);
    return 0;
}

static int rd_flush(void *ctx)
{
    struct ramdisk *d = ctx;
    int rc = fault(&d->fail_flush_after);

    if (rc)
        return rc;
    d->flushes++;
    memcpy(d->media, d->cache, d->size);
    return 0;
}

void ramdisk_init(struct ramdisk *d, size_t size, uint32_t align)
{
    memset(d, 0, sizeof(*d));
    d->cache = calloc(1, size);
    d->media = calloc(1, size);
    d->size = size;
    d->align = align;
    d->fail_read_after = d->fail_write_after = d->fail_flush_after = -1;
}

void ramdisk_fini(struct ramdisk *d)
{
    free(d->cache);
    free(d->media);
}

struct kvstore_dev ramdisk_dev(struct ramdisk *d)
{
    return (struct kvstore_dev){
        .ctx = d,
        .size = d->size,
        .align = d->align,
        .read = rd_read,
        .write = rd_write,
        .flush = rd_flush,
    };
}

void ramdisk_crash(struct ramdisk *d)
{
    memcpy(d->cache, d->media, d->size);
}
