/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_exec_client.c - the caller's side of the vm level's exec socket (see
 * vm_exec_client.h and vm_exec_server.h).
 */
#include "vm_exec_client.h"

#include <errno.h>
#include <assert.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "../kvm-shim/agent_protocol.h"
#include "vm_exec_server.h"

int vm_exec_client_connect(int dir_fd, struct vm_exec_client *cl, strata_error_t *err)
{
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
	/* Through the directory fd: ROOT may be longer than sun_path allows. */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dir_fd, VM_EXEC_SOCKET);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return strata_error_errno(err, errno, "exec socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return strata_error_set(err, ESRCH, "cannot exec: the container's VMM does not answer on %s: "
						"container not running", VM_EXEC_SOCKET);
		return strata_error_errno(err, e, "connect to the VMM's %s", VM_EXEC_SOCKET);
	}
	cl->fd = fd;
	return 0;
}

void vm_exec_client_close(struct vm_exec_client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	cl->fd = -1;
	free(cl->buf);
	cl->buf = NULL;
	cl->len = cl->cap = 0;
}

static int send_frame(struct vm_exec_client *cl, uint32_t type, const void *payload, size_t len)
{
	uint8_t h[AGENT_FRAME_HEADER_SIZE];
	agent_frame_header_encode(h, type, 0, (uint32_t)len);
	struct iovec iov[2] = { { h, sizeof(h) }, { (void *)payload, len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };
	size_t total = sizeof(h) + len, done = 0;
	while (done < total) {
		ssize_t n = sendmsg(cl->fd, &m, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
		/* Advance the iovecs past what went out. */
		size_t k = (size_t)n;
		while (k > 0 && m.msg_iovlen > 0) {
			if (k >= m.msg_iov[0].iov_len) {
				k -= m.msg_iov[0].iov_len;
				m.msg_iov++;
				m.msg_iovlen--;
			} else {
				m.msg_iov[0].iov_base = (uint8_t *)m.msg_iov[0].iov_base + k;
				m.msg_iov[0].iov_len -= k;
				k = 0;
			}
		}
	}
	return 0;
}

/* Next whole buffered frame: 1 (payload: a NUL-terminated heap copy), 0 when
 * none is complete yet, -1 on a broken stream. */
static int next_frame(struct vm_exec_client *cl, struct agent_frame_header *h, char **payload)
{
	if (cl->len < AGENT_FRAME_HEADER_SIZE)
		return 0;
	if (agent_frame_header_decode(cl->buf, h) < 0)
		return -1;
	size_t total = AGENT_FRAME_HEADER_SIZE + (size_t)h->length;
	if (cl->len < total)
		return 0;
	char *p = malloc((size_t)h->length + 1);
	if (p == NULL)
		return -1;
	memcpy(p, cl->buf + AGENT_FRAME_HEADER_SIZE, h->length);
	p[h->length] = '\0';
	memmove(cl->buf, cl->buf + total, cl->len - total);
	cl->len -= total;
	*payload = p;
	return 1;
}

/* Read what the socket has: 1 bytes read, 0 EOF, -1 error. */
static int fill(struct vm_exec_client *cl)
{
	if (cl->cap - cl->len < 65536) {
		size_t cap = cl->cap ? cl->cap * 2 : 131072;
		if (cap > 4 * (AGENT_FRAME_HEADER_SIZE + (size_t)AGENT_FRAME_MAX_PAYLOAD))
			return -1;
		uint8_t *b = realloc(cl->buf, cap);
		if (b == NULL)
			return -1;
		cl->buf = b;
		cl->cap = cap;
	}
	for (;;) {
		ssize_t n = read(cl->fd, cl->buf + cl->len, cl->cap - cl->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		cl->len += (size_t)n;
		return n > 0;
	}
}

int vm_exec_client_start(struct vm_exec_client *cl, const char *json, size_t len, bool with_stdin,
			 strata_error_t *err)
{
	if (len == 0 || len > AGENT_FRAME_MAX_PAYLOAD)
		return strata_error_set(err, E2BIG, "the exec process JSON is empty or over %u bytes", AGENT_FRAME_MAX_PAYLOAD);
	if (send_frame(cl, with_stdin ? AGENT_MSG_EXEC_STDIN : AGENT_MSG_EXEC, json, len) < 0)
		return strata_error_errno(err, errno, "send the process to the VMM");
	for (;;) {
		struct agent_frame_header h;
		_cleanup_free_ char *p = NULL;
		int r = next_frame(cl, &h, &p);
		if (r < 0)
			return strata_error_set(err, EPROTO, "malformed frame from the VMM's exec socket");
		if (r == 0) {
			int f = fill(cl);
			if (f < 0)
				return strata_error_errno(err, errno, "read the VMM's exec socket");
			if (f == 0)
				return strata_error_set(err, EPIPE, "the VMM closed the exec socket before the process "
								   "started: container not running");
			continue;
		}
		switch (h.type) {
		case AGENT_MSG_STARTED:
			if (h.length < 4)
				return strata_error_set(err, EPROTO, "STARTED without a pid");
			cl->id = h.id;
			cl->guest_pid = agent_get_u32((uint8_t *)p);
			return 0;
		case AGENT_MSG_ERROR:
			return strata_error_set(err, EINVAL, "%s", p);
		default:
			/* Output cannot come before STARTED; anything else is not ours. */
			break;
		}
	}
}

/* Copy one read of in_fd to a STDIN frame; at EOF (or error) send the empty
 * STDIN that closes the process's stdin and stop (*in_fd = -1). */
static void relay_stdin(struct vm_exec_client *cl, int *in_fd)
{
	static_assert(VM_EXEC_STDIN_CHUNK <= AGENT_FRAME_MAX_PAYLOAD, "STDIN chunk fits a frame");
	uint8_t buf[VM_EXEC_STDIN_CHUNK];
	ssize_t n;
	do
		n = read(*in_fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		(void)send_frame(cl, AGENT_MSG_STDIN, buf, (size_t)n);
		return;
	}
	(void)send_frame(cl, AGENT_MSG_STDIN, NULL, 0);
	*in_fd = -1;
}

int vm_exec_client_relay(struct vm_exec_client *cl, int in_fd, int out_fd, int err_fd, const sigset_t *forward,
			 strata_error_t *err)
{
	_cleanup_close_ int sfd = forward != NULL ? signalfd(-1, forward, SFD_CLOEXEC | SFD_NONBLOCK) : -1;
	if (forward != NULL && sfd < 0)
		return strata_error_errno(err, errno, "signalfd");
	for (;;) {
		struct agent_frame_header h;
		_cleanup_free_ char *p = NULL;
		int r = next_frame(cl, &h, &p);
		if (r < 0)
			return strata_error_set(err, EPROTO, "malformed frame from the VMM's exec socket");
		if (r == 1) {
			switch (h.type) {
			case AGENT_MSG_STDOUT:
			case AGENT_MSG_STDERR:
				(void)write_all(h.type == AGENT_MSG_STDOUT ? out_fd : err_fd, p, h.length);
				break;
			case AGENT_MSG_EXIT:
				if (h.length < 4)
					return strata_error_set(err, EPROTO, "EXIT without a status");
				return (int)(agent_get_u32((uint8_t *)p) & 0xff);
			case AGENT_MSG_ERROR:
				/* A refused STDIN: the process closed its stdin (as a
				 * pipe's EPIPE: stop copying) or fell 4 MiB behind. */
				if (strstr(p, "dropped") != NULL)
					log_warning("exec: %s", p);
				else
					log_debug("exec: %s", p);
				in_fd = -1;
				break;
			default:
				break;
			}
			continue;
		}
		struct pollfd pf[3] = { { cl->fd, POLLIN, 0 }, { sfd, POLLIN, 0 }, { in_fd, POLLIN, 0 } };
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return strata_error_errno(err, errno, "poll");
		}
		if (in_fd >= 0 && (pf[2].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
			relay_stdin(cl, &in_fd);
		if (sfd >= 0 && (pf[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGCHLD || si.ssi_signo == SIGPIPE)
					continue;
				uint8_t b[4];
				agent_put_u32(b, si.ssi_signo);
				(void)send_frame(cl, AGENT_MSG_SIGNAL, b, 4);
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			int f = fill(cl);
			if (f < 0)
				return strata_error_errno(err, errno, "read the VMM's exec socket");
			if (f == 0 && cl->len == 0) {
				log_warning("exec: the container stopped while the process ran (the guest powered off)");
				return 128 + SIGKILL;
			}
			if (f == 0)
				return strata_error_set(err, EPROTO, "the VMM's exec socket closed in the middle of a frame");
		}
	}
}
