// SPDX-License-Identifier: MIT
/*
 * test/fakes/fake_shared_info.c - the hypervisor side of shared_info for
 * host tests (see fake_shared_info.h). Reference: the 2-level set-pending
 * logic described in xen/include/public/xen.h (struct vcpu_info).
 */
#include "fake_shared_info.h"

#include <stdlib.h>
#include <string.h>

#define BPW (sizeof(xen_ulong_t) * 8)

shared_info_t *fake_shared_info_alloc(void)
{
    void *p = NULL;

    if (posix_memalign(&p, 4096, 4096))
        return NULL;
    memset(p, 0, 4096);
    return p;
}

void fake_shared_info_free(shared_info_t *s)
{
    free(s);
}

bool fake_xen_raise(shared_info_t *s, evtchn_port_t port)
{
    struct vcpu_info *v = &s->vcpu_info[0];
    xen_ulong_t bit = (xen_ulong_t)1 << (port % BPW);
    unsigned int word = port / BPW;

    if (__atomic_fetch_or(&s->evtchn_pending[word], bit, __ATOMIC_SEQ_CST) &
        bit)
        return false; /* already pending: no new edge */
    if (s->evtchn_mask[word] & bit)
        return false;
    __atomic_fetch_or(&v->evtchn_pending_sel, (xen_ulong_t)1 << word,
                      __ATOMIC_SEQ_CST);
    v->evtchn_upcall_pending = 1;
    return !v->evtchn_upcall_mask;
}

void fake_xen_set_time(shared_info_t *s, uint64_t ns)
{
    struct vcpu_time_info *t = &s->vcpu_info[0].time;

    t->version++;
    t->tsc_timestamp = 0;
    t->system_time = ns;
    t->tsc_to_system_mul = 0;
    t->tsc_shift = 0;
    t->version++;
}
