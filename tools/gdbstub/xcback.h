// SPDX-License-Identifier: MIT
/*
 * tools/gdbstub/xcback.h - the Xen target of the gdb stub (xcback.c): a
 * xenith domain reached from dom0 through libxenctrl and the guest's
 * debugger mailbox.
 */
#ifndef TOOLS_GDBSTUB_XCBACK_H
#define TOOLS_GDBSTUB_XCBACK_H

#include <stddef.h>
#include <stdint.h>

#include "rsp.h"

extern const struct rsp_target_ops xcback_ops;

/* Attach to domid (paused from here on, unless it has shut down) whose
 * mailbox symbol xn_gdb_mbox is at mbox_va; *initial = the stop gdb
 * sees first. NULL with a message naming the cause in err. */
void *xcback_open(uint32_t domid, uint64_t mbox_va, struct rsp_stop *initial,
                  char *err, size_t cap);

/* Undo our pause if gdb went away without detaching. */
void xcback_release(void *target);

#endif /* TOOLS_GDBSTUB_XCBACK_H */
