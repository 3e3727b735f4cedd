// SPDX-License-Identifier: MIT
/*
 * test/unit/test_evtchn.c - host tests of xen/evtchn.c against a fake
 * shared_info in plain memory, the test playing Xen: dispatch across
 * selector words, masked ports not dispatched, the lost-edge re-check on
 * unmask, evtchn_upcall_pending cleared before the scan, handlers run
 * masked, the irq save/restore nesting and the EVTCHNOP_* plumbing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_hypercall.h"
#include "fake_shared_info.h"
#include "xen/evtchn.h"

#define MAX_CALLS 16

static shared_info_t *s;
static struct vcpu_info *v;

static struct {
    unsigned int n;
    evtchn_port_t port[MAX_CALLS];
    void *arg[MAX_CALLS];
    uint8_t mask_seen[MAX_CALLS];
    uint8_t upcall_pending_seen[MAX_CALLS];
} calls;

static int setup(void **state)
{
    (void)state;
    s = fake_shared_info_alloc();
    v = &s->vcpu_info[0];
    fake_hypercall_reset();
    memset(&calls, 0, sizeof(calls));
    return evtchn_init(s, v);
}

static int teardown(void **state)
{
    (void)state;
    fake_shared_info_free(s);
    return 0;
}

static void record(evtchn_port_t port, void *arg)
{
    if (calls.n < MAX_CALLS) {
        calls.port[calls.n] = port;
        calls.arg[calls.n] = arg;
        calls.mask_seen[calls.n] = v->evtchn_upcall_mask;
        calls.upcall_pending_seen[calls.n] = v->evtchn_upcall_pending;
    }
    calls.n++;
}

/* Xen delivering the callback: it sets the mask, then enters the guest. */
static void deliver(void)
{
    v->evtchn_upcall_mask = 1;
    evtchn_do_upcall(NULL);
    v->evtchn_upcall_mask = 0;
}

static void init_masks_everything(void **state)
{
    unsigned int i;

    (void)state;
    for (i = 0; i < sizeof(s->evtchn_mask) / sizeof(s->evtchn_mask[0]); i++)
        assert_true(s->evtchn_mask[i] == ~(xen_ulong_t)0);
    assert_int_equal(evtchn_init(NULL, v), -EINVAL);
}

static void bind_validates(void **state)
{
    (void)state;
    assert_int_equal(evtchn_bind(EVTCHN_NR_PORTS, record, NULL), -EINVAL);
    assert_int_equal(evtchn_bind(5, NULL, NULL), -EINVAL);
    assert_int_equal(evtchn_bind(5, record, NULL), 0);
    assert_int_equal(s->evtchn_mask[0] & (1ul << 5), 0);
    assert_int_equal(evtchn_bind(5, record, NULL), -EBUSY);
    evtchn_unbind(5);
    assert_true(s->evtchn_mask[0] & (1ul << 5));
    assert_int_equal(evtchn_bind(5, record, NULL), 0);
}

static void dispatch_across_selector_words(void **state)
{
    int a, b, c;

    (void)state;
    assert_int_equal(evtchn_bind(3, record, &a), 0);
    assert_int_equal(evtchn_bind(64 + 5, record, &b), 0);
    assert_int_equal(evtchn_bind(EVTCHN_NR_PORTS - 1, record, &c), 0);
    evtchn_irq_disable();
    assert_false(fake_xen_raise(s, EVTCHN_NR_PORTS - 1));
    assert_false(fake_xen_raise(s, 64 + 5));
    assert_false(fake_xen_raise(s, 3));
    assert_int_equal(calls.n, 0);
    evtchn_do_upcall(NULL); /* still masked: Xen would deliver like this */
    assert_int_equal(calls.n, 3);
    assert_int_equal(calls.port[0], 3);
    assert_ptr_equal(calls.arg[0], &a);
    assert_int_equal(calls.port[1], 64 + 5);
    assert_ptr_equal(calls.arg[1], &b);
    assert_int_equal(calls.port[2], EVTCHN_NR_PORTS - 1);
    assert_ptr_equal(calls.arg[2], &c);
    assert_int_equal(s->evtchn_pending[0], 0);
    assert_int_equal(s->evtchn_pending[1], 0);
    assert_int_equal(s->evtchn_pending[63], 0);
    assert_int_equal(v->evtchn_pending_sel, 0);
    assert_int_equal(v->evtchn_upcall_pending, 0);
    evtchn_irq_enable();
}

static void masked_port_is_not_dispatched(void **state)
{
    (void)state;
    assert_int_equal(evtchn_bind(7, record, NULL), 0);
    assert_int_equal(evtchn_bind(8, record, NULL), 0);
    evtchn_mask(7);
    evtchn_irq_disable();
    fake_xen_raise(s, 7); /* pending, but masked: no selector */
    fake_xen_raise(s, 8); /* same word, raises the selector */
    deliver();
    assert_int_equal(calls.n, 1);
    assert_int_equal(calls.port[0], 8);
    /* The masked port keeps its pending bit for later. */
    assert_true(evtchn_is_pending(7));
    evtchn_irq_restore(0);
    assert_int_equal(calls.n, 1);
}

static void unmask_recovers_edge_lost_while_masked(void **state)
{
    (void)state;
    assert_int_equal(evtchn_bind(130, record, NULL), 0);
    evtchn_mask(130);
    assert_false(fake_xen_raise(s, 130));
    assert_int_equal(v->evtchn_upcall_pending, 0); /* Xen dropped the edge */
    evtchn_unmask(130); /* events enabled: delivered right here */
    assert_int_equal(calls.n, 1);
    assert_int_equal(calls.port[0], 130);
    assert_int_equal(calls.mask_seen[0], 1);
    assert_false(evtchn_is_pending(130));
    assert_int_equal(v->evtchn_upcall_mask, 0);
}

static void unmask_while_disabled_defers_to_restore(void **state)
{
    unsigned long flags;

    (void)state;
    assert_int_equal(evtchn_bind(200, record, NULL), 0);
    evtchn_mask(200);
    fake_xen_raise(s, 200);
    flags = evtchn_irq_save();
    assert_int_equal(flags, 0);
    evtchn_unmask(200);
    assert_int_equal(calls.n, 0); /* events masked: not now... */
    assert_int_equal(v->evtchn_upcall_pending, 1);
    assert_true(v->evtchn_pending_sel & (1ul << (200 / 64)));
    evtchn_irq_restore(flags);
    assert_int_equal(calls.n, 1); /* ...but on re-enable */
    assert_int_equal(calls.mask_seen[0], 1);
}

static bool raise_b;

static void raises_another(evtchn_port_t port, void *arg)
{
    record(port, arg);
    if (raise_b) {
        raise_b = false;
        fake_xen_raise(s, 300); /* Xen sets the flag again mid-scan */
    }
}

static void upcall_pending_cleared_before_scan(void **state)
{
    (void)state;
    assert_int_equal(evtchn_bind(10, raises_another, NULL), 0);
    assert_int_equal(evtchn_bind(300, record, NULL), 0);
    evtchn_irq_disable();
    fake_xen_raise(s, 10);
    raise_b = true;
    evtchn_do_upcall(NULL);
    assert_int_equal(calls.upcall_pending_seen[0], 0);
    /*
     * The event raised during the scan is either handled or still flagged
     * for the next upcall; clearing the flag after the scan would lose it.
     */
    assert_true((calls.n == 2 && calls.port[1] == 300) ||
                v->evtchn_upcall_pending);
    evtchn_irq_enable();
    assert_int_equal(calls.n, 2);
}

/* A backend that re-notifies as fast as we handle: every dispatch raises
 * the port again. */
static unsigned int storm_calls;

static void storm(evtchn_port_t port, void *arg)
{
    (void)arg;
    storm_calls++;
    fake_xen_raise(s, port);
}

static void event_storm_is_bounded_and_deferred(void **state)
{
    struct evtchn_stats st;

    (void)state;
    storm_calls = 0;
    assert_int_equal(evtchn_bind(33, storm, NULL), 0);
    assert_int_equal(evtchn_bind(70, record, NULL), 0);
    fake_xen_raise(s, 33);
    fake_xen_raise(s, 70);
    /* Re-enabling events forces the callback: it must return, bounded. */
    evtchn_irq_restore(0);
    assert_true(storm_calls > 0 && storm_calls <= EVTCHN_STORM_LIMIT);
    assert_int_equal(calls.n, 1); /* the quiet port was served too */
    /* Xen keeps delivering: each upcall is bounded, and the port stops
     * at its limit until threads have run. */
    for (int i = 0; i < 100; i++)
        deliver();
    assert_int_equal(storm_calls, EVTCHN_STORM_LIMIT);
    assert_true(s->evtchn_mask[0] & (1ul << 33)); /* throttled */
    assert_true(s->evtchn_pending[0] & (1ul << 33)); /* not lost */
    evtchn_get_stats(&st);
    assert_int_equal(st.throttled, 1);
    /* Threads ran: the port is unmasked, its pending event delivered,
     * and again bounded. */
    storm_calls = 0;
    evtchn_storm_tick();
    assert_true(storm_calls > 0 && storm_calls <= EVTCHN_STORM_LIMIT);
    evtchn_unbind(33);
    evtchn_storm_tick();
}

static void unbound_port_counts_spurious(void **state)
{
    struct evtchn_stats st;

    (void)state;
    evtchn_unmask(40); /* unmasked but no handler */
    fake_xen_raise(s, 40);
    /* Garbage selector bits for words with nothing pending are harmless. */
    v->evtchn_pending_sel |= 0xf0f0ul;
    deliver();
    evtchn_get_stats(&st);
    assert_int_equal(st.spurious, 1);
    assert_int_equal(st.dispatched, 0);
    assert_false(evtchn_is_pending(40));
}

static void irq_save_restore_nests(void **state)
{
    unsigned long outer, inner;

    (void)state;
    assert_false(evtchn_irqs_disabled());
    outer = evtchn_irq_save();
    inner = evtchn_irq_save();
    assert_int_equal(outer, 0);
    assert_int_equal(inner, 1);
    evtchn_irq_restore(inner);
    assert_true(evtchn_irqs_disabled());
    evtchn_irq_restore(outer);
    assert_false(evtchn_irqs_disabled());
}

static void channel_ops_use_the_hypervisor(void **state)
{
    evtchn_port_t p = 0;

    (void)state;
    fake_hc.next_port = 9;
    assert_int_equal(evtchn_bind_virq(VIRQ_TIMER, &p), 0);
    assert_int_equal(p, 9);
    assert_int_equal(fake_hc.evtchn_cmds[0], EVTCHNOP_bind_virq);
    assert_int_equal(evtchn_alloc_unbound(0, &p), 0);
    assert_int_equal(p, 10);
    assert_int_equal(fake_hc.evtchn_cmds[1], EVTCHNOP_alloc_unbound);
    assert_int_equal(evtchn_bind_interdomain(0, 33, &p), 0);
    assert_int_equal(p, 11);
    assert_int_equal(fake_hc.last_remote_port, 33);
    assert_int_equal(evtchn_send(11), 0);
    assert_int_equal(fake_hc.last_send, 11);
    assert_int_equal(evtchn_bind(11, record, NULL), 0);
    assert_int_equal(evtchn_close(11), 0);
    assert_int_equal(fake_hc.last_close, 11);
    assert_true(s->evtchn_mask[0] & (1ul << 11));
    assert_int_equal(evtchn_bind(11, record, NULL), 0); /* slot freed */
    assert_int_equal(evtchn_send(EVTCHN_NR_PORTS), -EINVAL);
    assert_int_equal(evtchn_bind_virq(VIRQ_TIMER, NULL), -EINVAL);
}

static void open_unbound_binds_or_closes(void **state)
{
    evtchn_port_t p = 0;

    (void)state;
    fake_hc.next_port = 12;
    assert_int_equal(evtchn_open_unbound(0, record, NULL, &p), 0);
    assert_int_equal(p, 12);
    assert_int_equal(fake_hc.evtchn_cmds[0], EVTCHNOP_alloc_unbound);
    /* the handler is bound: binding the port again is refused */
    assert_int_equal(evtchn_bind(12, record, NULL), -EBUSY);
    /* a port Xen hands out that is already bound: closed again */
    fake_hc.next_port = 12;
    assert_int_equal(evtchn_open_unbound(0, record, NULL, &p), -EBUSY);
    assert_int_equal(fake_hc.last_close, 12);
    /* the hypervisor refusing: nothing to undo */
    fake_hc.evtchn_rc = -ENOSPC;
    assert_int_equal(evtchn_open_unbound(0, record, NULL, &p), -ENOSPC);
    fake_hc.evtchn_rc = 0;
}

static void hypervisor_errors_and_bad_ports(void **state)
{
    evtchn_port_t p = 77;

    (void)state;
    fake_hc.evtchn_rc = -ENOSPC;
    assert_int_equal(evtchn_alloc_unbound(0, &p), -ENOSPC);
    assert_int_equal(p, 77);
    fake_hc.evtchn_rc = 0;
    fake_hc.next_port = EVTCHN_NR_PORTS + 3; /* outside the 2L ABI */
    assert_int_equal(evtchn_bind_virq(VIRQ_TIMER, &p), -EIO);
    assert_int_equal(evtchn_bind_interdomain(0, 1, &p), -EIO);
    assert_int_equal(p, 77);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(init_masks_everything),
        T(bind_validates),
        T(open_unbound_binds_or_closes),
        T(dispatch_across_selector_words),
        T(masked_port_is_not_dispatched),
        T(unmask_recovers_edge_lost_while_masked),
        T(unmask_while_disabled_defers_to_restore),
        T(upcall_pending_cleared_before_scan),
        T(unbound_port_counts_spurious),
        T(event_storm_is_bounded_and_deferred),
        T(irq_save_restore_nests),
        T(channel_ops_use_the_hypervisor),
        T(hypervisor_errors_and_bad_ports),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
