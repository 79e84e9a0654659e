/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sync.h - the one typed message protocol between `create` (the parent) and
 * the container's init process (the child) during setup.
 *
 * Transport: one AF_UNIX SOCK_SEQPACKET socketpair, so each message arrives
 * whole.  A message is a header (type, a 32-bit value, payload length) and an
 * optional payload of at most SYNC_MAX_PAYLOAD bytes.  The exchange, in order:
 *
 *   (helper)  -> parent  SYNC_INIT_PID      value = host pid of the init (only when an
 *                                           intermediate process joined namespaces by path)
 *   parent    -> init    SYNC_CONTINUE      id maps written, init is in its cgroup
 *   init      -> parent  SYNC_TIMENS_REQUEST  new time namespace unshared: write offsets
 *   parent    -> init    SYNC_TIMENS_DONE
 *   init      -> parent  SYNC_HOOKS_REQUEST mounts done: run prestart + createRuntime hooks
 *   parent    -> init    SYNC_HOOKS_DONE    payload = the state JSON the init's hooks get
 *   init      -> parent  SYNC_READY         init is at the start gate; create may return
 *   init      -> parent  SYNC_ERROR         value = errno, payload = message; init then exits
 *
 * A closed socket (EOF) means the other side died.
 */
#ifndef STRATA_RUNTIME_NATIVE_SYNC_H
#define STRATA_RUNTIME_NATIVE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/error.h"

#define SYNC_MAX_PAYLOAD (128 * 1024)

enum sync_msg_type {
	SYNC_EOF = 0, /* not sent: sync_recv reports the peer closed the socket */
	SYNC_INIT_PID,
	SYNC_CONTINUE,
	SYNC_TIMENS_REQUEST,
	SYNC_TIMENS_DONE,
	SYNC_HOOKS_REQUEST,
	SYNC_HOOKS_DONE,
	SYNC_READY,
	SYNC_ERROR,
};

struct sync_msg {
	enum sync_msg_type type;
	int32_t value;
	char *payload; /* heap, NUL-terminated, owned by the message (sync_msg_clear); NULL when empty */
	size_t len;    /* payload bytes without the NUL */
};

/* sync_send - send one message. Returns 0, or -1 with errno set. */
int sync_send(int fd, enum sync_msg_type type, int32_t value, const char *payload, size_t len);

/*
 * sync_recv - receive one message into *m (type SYNC_EOF when the peer
 * closed its end).  Returns 0, or -1 with errno set (EPROTO for a malformed message).
 */
int sync_recv(int fd, struct sync_msg *m);

/* sync_expect - receive and require type `want`; a SYNC_ERROR becomes *err with the peer's text. */
int sync_expect(int fd, enum sync_msg_type want, struct sync_msg *m, strata_error_t *err);

/* sync_send_error - send e (or "unknown error") as SYNC_ERROR; errors are ignored. */
void sync_send_error(int fd, const struct strata_error *e);

/* sync_msg_clear - free the payload. */
void sync_msg_clear(struct sync_msg *m);

/* sync_msg_name - the message type's name, for errors and debug logs. */
const char *sync_msg_name(enum sync_msg_type t);

#endif
