// SPDX-License-Identifier: MIT
/*
 * xen/xenbus.h - xenbus device layer: find frontend devices, read their
 * backend, drive the frontend state machine.
 *
 * A PV device appears as device/<type>/<id> in our xenstore home, holding
 * `backend` (the backend's directory) and `backend-id` (its domain); both
 * ends publish a `state` node (io/xenbus.h). Design choice: the decision
 * "what must the frontend do for (its state, the backend's state)" is the
 * pure function xenbus_front_action(), so drivers (netfront_xs.c,
 * blkfront_xs.c) share one tested table and only implement the actions;
 * the xenstore side (enumerate, read/switch state, wait, orderly close)
 * is thin code over xen/xenstore.h. Everything read from the backend is
 * validated (numeric ids, states in range, backend path shape).
 * Reference: xen/include/public/io/xenbus.h, docs/misc/xenstore-paths.
 *
 * The frontend state table (rows: our state; columns: backend state;
 * U=Unknown I=Initialising IW=InitWait ID=Initialised C=Connected
 * CG=Closing CD=Closed RG=Reconfiguring RD=Reconfigured):
 *
 *   front \ back   U      I      IW     ID     C      CG     CD    RG/RD
 *   Unknown        RESET  RESET  RESET  RESET  RESET  RESET  RESET RESET
 *   Initialising   -      -      CONN   -      CONN   CLOSE  -     -
 *   InitWait       (as Initialising)
 *   Initialised    -      -      -      -      GO_C   CLOSE  GO_CD -
 *   Connected      BROKEN CLOSE  CLOSE  -      -      CLOSE  GO_CD -
 *   Closing        GO_CD  GO_CD  GO_CD  GO_CD  -      GO_CD  GO_CD -
 *   Closed         -      RESET  RESET  -      -      -      RESET -
 *   Reconfiguring  BROKEN in every column (frontends never use it)
 *   Reconfigured   BROKEN in every column
 *   any value > 8 on either side: BROKEN
 *
 * Reading: a backend in InitWait has published its features and waits
 * for our rings (CONNECT); Connected answers our Initialised (GO_CONNECTED);
 * a backend that closes, or resets under a live connection, makes us
 * close; once both are Closed we go back to Initialising so the backend
 * re-initialises and the device can reconnect; Closed with the backend
 * gone (Unknown) stays closed. A reconfiguring backend is waited for.
 */
#ifndef XEN_XENBUS_H
#define XEN_XENBUS_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/xenbus.h>

#include "xen/xenstore.h"

enum xenbus_action {
    XENBUS_ACT_NONE,         /* nothing to do: wait for the next change */
    XENBUS_ACT_CONNECT,      /* read features, publish rings and event
                                channels, switch to Initialised */
    XENBUS_ACT_GO_CONNECTED, /* switch to Connected and start I/O */
    XENBUS_ACT_CLOSE,        /* stop I/O, switch to Closing */
    XENBUS_ACT_GO_CLOSED,    /* release rings and grants, switch to Closed */
    XENBUS_ACT_RESET,        /* switch to Initialising (start over) */
    XENBUS_ACT_BROKEN,       /* impossible state: stop using the device */
};

/* The table above. Pure; any uint32 values are accepted. */
enum xenbus_action xenbus_front_action(uint32_t front, uint32_t back);

/* Printable name of a state ("Connected"), "invalid" when out of range. */
const char *xenbus_state_name(uint32_t state);

#define XENBUS_PATH_MAX 128
#define XENBUS_TYPE_MAX 8

struct xenbus_dev {
    char type[XENBUS_TYPE_MAX];     /* "vif", "vbd" */
    unsigned int id;                /* device/<type>/<id> */
    char nodename[XENBUS_PATH_MAX]; /* our directory: "device/vif/0" */
    char backend[XENBUS_PATH_MAX];  /* "/local/domain/0/backend/vif/5/0" */
    domid_t backend_id;
};

/*
 * List device/<type> (type "vif" or "vbd") into ids[0..max). Returns the
 * number of devices found (ids beyond max are counted but not stored), 0
 * when the directory does not exist. Non-numeric entries are skipped.
 */
int xenbus_enumerate(struct xs_conn *c, const char *type, unsigned int *ids,
                     unsigned int max);

/*
 * Fill dev for device/<type>/<id>: read and validate `backend` (an
 * absolute path) and `backend-id` (a domain id below DOMID_FIRST_RESERVED).
 * -ENOENT if the device has no backend yet, -EIO for invalid values.
 */
int xenbus_dev_init(struct xs_conn *c, struct xenbus_dev *dev, const char *type,
                    unsigned int id);

/* "<dir>/<key>" into buf; -ENAMETOOLONG when it does not fit. */
int xenbus_path(char *buf, size_t size, const char *dir, const char *key);

/*
 * Read <dir>/state. A missing node reads as XenbusStateUnknown; a value
 * that is not a number in 0..8 is -EIO.
 */
int xenbus_read_state(struct xs_conn *c, xs_tx_t tx, const char *dir,
                      XenbusState *out);

/* Write our own <nodename>/state. */
int xenbus_switch_state(struct xs_conn *c, const struct xenbus_dev *dev,
                        XenbusState state);

/*
 * Wait until the backend's state is in mask (bit 1 << state), with a
 * watch on <backend>/state. *out (may be NULL) receives the state seen.
 * -ETIMEDOUT, logged as "xenbus: timeout waiting for <backend>/state
 * ...", or -EIO for an invalid backend state.
 */
int xenbus_wait_backend_state(struct xs_conn *c, const struct xenbus_dev *dev,
                              unsigned int mask, uint64_t timeout_ns,
                              XenbusState *out);

/*
 * Key helpers shared by every frontend. <dir>/<key> = v in decimal;
 * remove <dir>/<key>, a missing node being fine; read <dir>/<key> as an
 * unsigned number: 1 present, 0 missing, -EINVAL malformed (not a
 * number, overflow, embedded garbage), other -errno.
 */
int xenbus_write_uint(struct xs_conn *c, xs_tx_t tx, const char *dir,
                      const char *key, unsigned long v);
int xenbus_rm_opt(struct xs_conn *c, xs_tx_t tx, const char *dir,
                  const char *key);
int xenbus_read_uint(struct xs_conn *c, xs_tx_t tx, const char *dir,
                     const char *key, unsigned long *out);

#define XENBUS_MASK(s) (1u << (s))

/*
 * Orderly close: switch to Closing and wait (timeout_ns per step) for the
 * backend to leave Connected; switch to Closed and wait for it to close
 * (or vanish, or re-initialise); then switch to Initialising so the device
 * can be connected again. If the backend does not answer the first step
 * we still switch to Closed; either way -ETIMEDOUT is returned.
 */
int xenbus_close(struct xs_conn *c, const struct xenbus_dev *dev,
                 uint64_t timeout_ns);

#endif /* XEN_XENBUS_H */
