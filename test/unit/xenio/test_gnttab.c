// SPDX-License-Identifier: MIT
/*
 * test/unit/xenio/test_gnttab.c - host tests of grant table bookkeeping.
 *
 * The test plays Xen: it owns the grant_entry_v1_t array, sets
 * GTF_reading/GTF_writing as a mapping backend would, and observes the
 * entry at the moment of the write barrier (gnttab.c is built with
 * GNTTAB_TEST_WMB_HOOK=test_gnttab_wmb) to check that frame and domid are
 * written before flags. Reference: xen/include/public/grant_table.h.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xen/gnttab.h"

#define NR 16 /* 8 reserved + 8 usable */

static grant_entry_v1_t table[NR];
static grant_entry_v1_t at_barrier[NR];
static unsigned barriers;

void test_gnttab_wmb(void);
void test_gnttab_wmb(void)
{
    memcpy(at_barrier, table, sizeof(table));
    barriers++;
}

static int setup(void **state)
{
    (void)state;
    /* Reserved entries as the toolstack left them: must survive. */
    for (unsigned i = 0; i < NR; i++)
        table[i] = (grant_entry_v1_t){ .flags = GTF_permit_access,
                                       .domid = 0, .frame = 0x1000 + i };
    barriers = 0;
    return gnttab_init(table, NR);
}

static void init_rejects_bad_tables(void **state)
{
    (void)state;
    assert_int_equal(gnttab_init(NULL, NR), -EINVAL);
    assert_int_equal(gnttab_init(table, GNTTAB_NR_RESERVED_ENTRIES), -EINVAL);
}

static void reserved_refs_never_handed_out_and_exhaustion(void **state)
{
    int seen[NR] = { 0 };

    (void)state;
    assert_int_equal(gnttab_nr_free(), NR - GNTTAB_NR_RESERVED_ENTRIES);
    for (int i = 0; i < NR - GNTTAB_NR_RESERVED_ENTRIES; i++) {
        int ref = gnttab_grant_access(1, 0x500 + i, false);

        assert_true(ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < NR);
        assert_int_equal(seen[ref], 0);
        seen[ref] = 1;
    }
    assert_int_equal(gnttab_grant_access(1, 0x600, false), -ENOSPC);
    assert_int_equal(gnttab_nr_free(), 0);
    for (unsigned i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++) {
        assert_int_equal(table[i].frame, 0x1000 + i);
        assert_int_equal(table[i].flags, GTF_permit_access);
    }
}

static void grant_fills_entry(void **state)
{
    int rw, ro;

    (void)state;
    rw = gnttab_grant_access(3, 0xabcde, false);
    ro = gnttab_grant_access(7, 0x12345, true);
    assert_true(rw >= GNTTAB_NR_RESERVED_ENTRIES);
    assert_true(ro >= GNTTAB_NR_RESERVED_ENTRIES && ro != rw);
    assert_int_equal(table[rw].frame, 0xabcde);
    assert_int_equal(table[rw].domid, 3);
    assert_int_equal(table[rw].flags, GTF_permit_access);
    assert_int_equal(table[ro].domid, 7);
    assert_int_equal(table[ro].flags, GTF_permit_access | GTF_readonly);
}

static void grant_writes_flags_after_barrier(void **state)
{
    int ref;

    (void)state;
    ref = gnttab_grant_access(9, 0x777, true);
    assert_true(ref >= 0);
    assert_int_equal(barriers, 1);
    /* At the barrier the contents are in place and the entry is invalid. */
    assert_int_equal(at_barrier[ref].frame, 0x777);
    assert_int_equal(at_barrier[ref].domid, 9);
    assert_int_equal(at_barrier[ref].flags, 0);
    assert_int_equal(table[ref].flags, GTF_permit_access | GTF_readonly);
}

static void frame_beyond_32_bits_rejected(void **state)
{
    (void)state;
    assert_int_equal(gnttab_grant_access(1, 0x100000000UL, false), -EINVAL);
    assert_int_equal(gnttab_nr_free(), NR - GNTTAB_NR_RESERVED_ENTRIES);
}

static void end_access_refused_while_mapped(void **state)
{
    int ref;

    (void)state;
    ref = gnttab_grant_access(1, 0x42, false);
    assert_true(ref >= 0);

    table[ref].flags |= GTF_writing; /* the backend mapped it */
    assert_int_equal(gnttab_end_access(ref), -EBUSY);
    assert_int_equal(table[ref].flags, GTF_permit_access | GTF_writing);
    assert_int_equal(gnttab_free(ref), -EBUSY);

    table[ref].flags = GTF_permit_access | GTF_reading;
    assert_int_equal(gnttab_end_access(ref), -EBUSY);

    table[ref].flags = GTF_permit_access; /* unmapped */
    assert_int_equal(gnttab_end_access(ref), 0);
    assert_int_equal(table[ref].flags, 0);
    assert_int_equal(gnttab_end_access(ref), -EINVAL); /* already revoked */
    assert_int_equal(gnttab_free(ref), 0);
}

static void free_rejects_double_reserved_and_out_of_range(void **state)
{
    int ref;

    (void)state;
    ref = gnttab_grant_access(1, 0x42, false);
    assert_true(ref >= 0);
    assert_int_equal(gnttab_free(ref), -EBUSY); /* still granted */
    assert_int_equal(gnttab_end_access(ref), 0);
    assert_int_equal(gnttab_free(ref), 0);
    assert_int_equal(gnttab_free(ref), -EINVAL); /* double free */
    assert_int_equal(gnttab_end_access(ref), -EINVAL); /* not granted */
    assert_int_equal(gnttab_free(0), -EINVAL);
    assert_int_equal(gnttab_free(GNTTAB_NR_RESERVED_ENTRIES - 1), -EINVAL);
    assert_int_equal(gnttab_end_access(1), -EINVAL);
    assert_int_equal(gnttab_free(NR), -EINVAL);
    assert_int_equal(gnttab_end_access(NR), -EINVAL);
    assert_int_equal(gnttab_free(0xffffffffu), -EINVAL);
    assert_int_equal(gnttab_nr_free(), NR - GNTTAB_NR_RESERVED_ENTRIES);
}

static void freed_refs_are_reused(void **state)
{
    int refs[NR];
    unsigned n = NR - GNTTAB_NR_RESERVED_ENTRIES;

    (void)state;
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < n; i++) {
            refs[i] = gnttab_grant_access(2, i, false);
            assert_true(refs[i] >= 0);
        }
        assert_int_equal(gnttab_grant_access(2, 0, false), -ENOSPC);
        for (unsigned i = 0; i < n; i++) {
            assert_int_equal(gnttab_end_access(refs[i]), 0);
            assert_int_equal(gnttab_free(refs[i]), 0);
        }
        assert_int_equal(gnttab_nr_free(), n);
    }
}

static void frames_to_use_respects_max(void **state)
{
    (void)state;
    assert_int_equal(gnttab_frames_to_use(0, 4), 0);
    assert_int_equal(gnttab_frames_to_use(64, 4), 4);
    assert_int_equal(gnttab_frames_to_use(2, 4), 2);
    assert_int_equal(gnttab_frames_to_use(1024, 1000), GNTTAB_MAX_FRAMES);
    assert_int_equal(gnttab_frames_to_use(64, 0), 1);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(init_rejects_bad_tables),
        T(reserved_refs_never_handed_out_and_exhaustion),
        T(grant_fills_entry),
        T(grant_writes_flags_after_barrier),
        T(frame_beyond_32_bits_rejected),
        T(end_access_refused_while_mapped),
        T(free_rejects_double_reserved_and_out_of_range),
        T(freed_refs_are_reused),
        T(frames_to_use_respects_max),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
