/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sync.c - parent/init setup messages over a SOCK_SEQPACKET pair (see sync.h).
 */
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct sync_hdr {
	uint32_t type;
	int32_t value;
	uint32_t len;
};

int sync_send(int fd, enum sync_msg_type type, int32_t value, const char *payload, size_t len)
{
	if (len > SYNC_MAX_PAYLOAD)
		len = SYNC_MAX_PAYLOAD;
	struct sync_hdr h = { .type = type, .value = value, .len = (uint32_t)len };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };
	for (;;) {
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int sync_recv(int fd, struct sync_msg *m)
{
	memset(m, 0, sizeof(*m));
	struct sync_hdr h;
	char *buf = malloc(SYNC_MAX_PAYLOAD + 1);
	if (buf == NULL)
		return -1;
	struct iovec iov[2] = { { &h, sizeof(h) }, { buf, SYNC_MAX_PAYLOAD } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;
	do {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		free(buf);
		return -1;
	}
	if (n == 0) {
		free(buf);
		m->type = SYNC_EOF;
		return 0;
	}
	if ((size_t)n < sizeof(h) || h.len != (size_t)n - sizeof(h) || h.type == SYNC_EOF || h.type > SYNC_ERROR) {
		free(buf);
		errno = EPROTO;
		return -1;
	}
	m->type = (enum sync_msg_type)h.type;
	m->value = h.value;
	if (h.len > 0) {
		buf[h.len] = '\0';
		m->payload = buf;
		m->len = h.len;
	} else {
		free(buf);
	}
	return 0;
}

const char *sync_msg_name(enum sync_msg_type t)
{
	static const char *const names[] = {
		[SYNC_EOF] = "EOF",
		[SYNC_INIT_PID] = "INIT_PID",
		[SYNC_CONTINUE] = "CONTINUE",
		[SYNC_TIMENS_REQUEST] = "TIMENS_REQUEST",
		[SYNC_TIMENS_DONE] = "TIMENS_DONE",
		[SYNC_HOOKS_REQUEST] = "HOOKS_REQUEST",
		[SYNC_HOOKS_DONE] = "HOOKS_DONE",
		[SYNC_READY] = "READY",
		[SYNC_ERROR] = "ERROR",
	};
	if ((unsigned)t < sizeof(names) / sizeof(names[0]) && names[t] != NULL)
		return names[t];
	return "?";
}

int sync_expect(int fd, enum sync_msg_type want, struct sync_msg *m, strata_error_t *err)
{
	if (sync_recv(fd, m) < 0)
		return strata_error_errno(err, errno, "read setup message");
	if (m->type == want)
		return 0;
	if (m->type == SYNC_ERROR) {
		strata_error_set(err, m->value, "%s", m->payload != NULL ? m->payload : "unknown error");
		sync_msg_clear(m);
		return -1;
	}
	enum sync_msg_type got = m->type;
	sync_msg_clear(m);
	if (got == SYNC_EOF)
		return strata_error_set(err, EPIPE, "setup peer exited before %s", sync_msg_name(want));
	return strata_error_set(err, EPROTO, "setup: expected %s, got %s", sync_msg_name(want), sync_msg_name(got));
}

void sync_send_error(int fd, const struct strata_error *e)
{
	const char *msg = e != NULL && e->msg != NULL ? e->msg : "unknown error";
	(void)sync_send(fd, SYNC_ERROR, e != NULL ? e->code : 0, msg, strlen(msg));
}

void sync_msg_clear(struct sync_msg *m)
{
	free(m->payload);
	m->payload = NULL;
	m->len = 0;
}
