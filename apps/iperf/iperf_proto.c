// SPDX-License-Identifier: MIT
/*
 * iperf_proto.c - iperf3 parameter decoding and results encoding.
 *
 * The client's parameter object carries many optional members (iperf3
 * 3.12 sends only those that differ from defaults, plus "tcp", "time",
 * "parallel", "len", "client_version" ...); absent members take iperf3's
 * defaults and unknown ones are ignored, so newer clients keep working.
 * Members that change what the data streams carry (UDP, SCTP,
 * bidirectional) are refused explicitly rather than half-supported.
 */
#include "iperf_proto.h"

#include <errno.h>
#include <string.h>

#include "iperf_json.h"

/* Integer member key into *out; absent leaves *out. -EINVAL if bad. */
static int get_int(const char *json, size_t len, const char *key, int64_t min,
                   int64_t max, int64_t *out)
{
    struct json_value v;
    int r = json_object_get(json, len, key, &v);

    if (r == -ENOENT)
        return 0;
    if (r != 0 || v.type != JSON_NUMBER || !v.is_integer || v.integer < min ||
        v.integer > max)
        return -EINVAL;
    *out = v.integer;
    return 0;
}

/* Boolean member: true/false (iperf3 also writes 0/1 for some). */
static int get_flag(const char *json, size_t len, const char *key, int *out)
{
    struct json_value v;
    int r = json_object_get(json, len, key, &v);

    *out = 0;
    if (r == -ENOENT)
        return 0;
    if (r != 0)
        return -EINVAL;
    if (v.type == JSON_BOOL)
        *out = v.boolean;
    else if (v.type == JSON_NUMBER && v.is_integer)
        *out = v.integer != 0;
    else
        return -EINVAL;
    return 0;
}

int iperf_params_parse(const char *json, size_t len, struct iperf_params *p)
{
    int udp, sctp, bidir;
    int64_t parallel = 1;

    memset(p, 0, sizeof(*p));
    p->time = 10;
    p->blksize = IPERF_DEFAULT_BLKSIZE;
    if (json_validate(json, len) != 0)
        return -EINVAL;
    if (get_flag(json, len, "udp", &udp) ||
        get_flag(json, len, "sctp", &sctp) ||
        get_flag(json, len, "bidirectional", &bidir) ||
        get_flag(json, len, "reverse", &p->reverse) ||
        get_int(json, len, "time", 0, 86400, &p->time) ||
        get_int(json, len, "omit", 0, 86400, &p->omit) ||
        get_int(json, len, "num", 0, INT64_MAX / 2, &p->bytes) ||
        get_int(json, len, "blockcount", 0, INT64_MAX / 2, &p->blocks) ||
        get_int(json, len, "parallel", 1, 1000000, &parallel) ||
        get_int(json, len, "len", 0, INT64_MAX / 2, &p->blksize))
        return -EINVAL;
    if (udp || sctp || bidir)
        return -EOPNOTSUPP;
    if (parallel > IPERF_MAX_STREAMS || p->blksize > IPERF_MAX_BLKSIZE)
        return -EOPNOTSUPP;
    if (p->blksize == 0) /* iperf3 sends 0 for "the default" */
        p->blksize = IPERF_DEFAULT_BLKSIZE;
    p->parallel = (int)parallel;
    return 0;
}

int iperf_stream_id(int index)
{
    return index == 0 ? 1 : index + 2;
}

int iperf_results_write(char *buf, size_t cap,
                        const struct iperf_stream_result *streams, int n,
                        uint64_t duration_ns, int sender)
{
    struct json_writer w;
    int64_t end_us = (int64_t)(duration_ns / 1000u);

    json_writer_init(&w, buf, cap);
    json_begin_object(&w, NULL);
    json_fixed6(&w, "cpu_util_total", 0);
    json_fixed6(&w, "cpu_util_user", 0);
    json_fixed6(&w, "cpu_util_system", 0);
    /* 0: a sender that cannot count retransmits; -1: not the sender. */
    json_int(&w, "sender_has_retransmits", sender ? 0 : -1);
    json_begin_array(&w, "streams");
    for (int i = 0; i < n; i++) {
        json_begin_object(&w, NULL);
        json_int(&w, "id", streams[i].id);
        json_int(&w, "bytes", (int64_t)streams[i].bytes);
        json_int(&w, "retransmits", -1);
        json_fixed6(&w, "jitter", 0);
        json_int(&w, "errors", 0);
        json_int(&w, "omitted_errors", 0);
        json_int(&w, "packets", 0);
        json_int(&w, "omitted_packets", 0);
        json_fixed6(&w, "start_time", 0);
        json_fixed6(&w, "end_time", end_us);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    return json_writer_finish(&w);
}

int iperf_results_total(const char *json, size_t len, uint64_t *total)
{
    struct json_value arr, elem, bytes;
    size_t pos = 0;
    int r;

    *total = 0;
    if (json_object_get(json, len, "streams", &arr) != 0 ||
        arr.type != JSON_ARRAY)
        return -EINVAL;
    while ((r = json_array_next(&arr, &pos, &elem)) == 0) {
        if (elem.type != JSON_OBJECT ||
            json_object_get(elem.text, elem.len, "bytes", &bytes) != 0 ||
            bytes.type != JSON_NUMBER || !bytes.is_integer || bytes.integer < 0)
            return -EINVAL;
        *total += (uint64_t)bytes.integer;
    }
    return r == -ENOENT ? 0 : r;
}
