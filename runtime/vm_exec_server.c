/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_exec_server.c - the VMM's exec socket (see vm_exec_server.h).
 */
#include "vm_exec_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/log.h"

struct exec_client {
	bool used;
	int fd;              /* -1 once the client is gone (the slot lives on until EXIT) */
	uint32_t id;         /* agent id k, 0 until EXEC was sent */
	bool started;        /* STARTED(k) seen */
	bool done;           /* EXIT(k) or a final ERROR(k) seen: close after the flush */
	bool stdin_open;     /* EXEC_STDIN sent and no empty STDIN yet */
	uint8_t *in;         /* request bytes not yet a whole frame */
	size_t in_len, in_cap;
	uint8_t *out;        /* frames not yet written to the client */
	size_t out_len, out_cap;
};

struct vm_exec_server {
	int dir_fd;
	int listen_fd;
	uint32_t next_id;
	struct exec_client c[VM_EXEC_CLIENTS_MAX];
};

/* ROOT/ID/NAME through the directory fd: no sun_path length limit on ROOT. */
static void sock_addr(int dir_fd, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dir_fd, VM_EXEC_SOCKET);
}

int vm_exec_server_open(int dir_fd, struct vm_exec_server **out, strata_error_t *err)
{
	struct sockaddr_un sa;
	sock_addr(dir_fd, &sa);
	struct vm_exec_server *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return strata_error_errno(err, ENOMEM, "exec server");
	s->dir_fd = dir_fd;
	s->next_id = 1;
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0) {
		int e = errno;
		free(s);
		return strata_error_errno(err, e, "exec socket");
	}
	(void)unlinkat(dir_fd, VM_EXEC_SOCKET, 0);
	/* Security: only the container's owner may run processes in it; the
	 * umask makes the socket 0600 from the moment it exists. */
	mode_t old = umask(0177);
	int r = bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	umask(old);
	if (r < 0 || listen(s->listen_fd, 16) < 0) {
		if (r == 0)
			e = errno;
		close(s->listen_fd);
		free(s);
		return strata_error_errno(err, e, "listen on the exec socket `%s`", VM_EXEC_SOCKET);
	}
	*out = s;
	return 0;
}

/* Queue one frame for client c; disconnects a client that stopped reading. */
static void client_queue(struct exec_client *c, uint32_t type, uint32_t id, const void *payload, size_t len)
{
	if (c->fd < 0)
		return;
	size_t need = c->out_len + AGENT_FRAME_HEADER_SIZE + len;
	if (need > VM_EXEC_CLIENT_BUFFER_MAX) {
		log_warning("exec %u: the client does not read its output: disconnected", c->id);
		close(c->fd);
		c->fd = -1;
		return;
	}
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 65536;
		while (cap < need)
			cap *= 2;
		uint8_t *b = realloc(c->out, cap);
		if (b == NULL) {
			close(c->fd);
			c->fd = -1;
			return;
		}
		c->out = b;
		c->out_cap = cap;
	}
	agent_frame_header_encode(c->out + c->out_len, type, id, (uint32_t)len);
	if (len > 0)
		memcpy(c->out + c->out_len + AGENT_FRAME_HEADER_SIZE, payload, len);
	c->out_len = need;
}

static void client_free(struct exec_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Write what the socket takes now; after the last frame, close and free. */
static void client_flush(struct exec_client *c)
{
	while (c->fd >= 0 && c->out_len > 0) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) { /* the client is gone: its process runs on */
			close(c->fd);
			c->fd = -1;
			c->out_len = 0;
			break;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	if (c->done && (c->fd < 0 || c->out_len == 0))
		client_free(c);
	else if (c->fd < 0 && c->id == 0)
		client_free(c); /* left before asking for anything */
}

static void client_error(struct exec_client *c, const char *msg)
{
	client_queue(c, AGENT_MSG_ERROR, c->id, msg, strlen(msg));
	c->done = true;
	client_flush(c);
}

size_t vm_exec_server_pollfds(struct vm_exec_server *s, struct pollfd *pf)
{
	size_t n = 0;
	pf[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
	for (int i = 0; i < VM_EXEC_CLIENTS_MAX; i++) {
		struct exec_client *c = &s->c[i];
		if (c->used && c->fd >= 0)
			pf[n++] = (struct pollfd){ .fd = c->fd, .events = (short)(POLLIN | (c->out_len > 0 ? POLLOUT : 0)) };
	}
	return n;
}

static void accept_clients(struct vm_exec_server *s)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		struct exec_client *c = NULL;
		for (int i = 0; i < VM_EXEC_CLIENTS_MAX && c == NULL; i++)
			if (!s->c[i].used)
				c = &s->c[i];
		if (c == NULL) {
			uint8_t f[AGENT_FRAME_HEADER_SIZE + 64];
			int len = snprintf((char *)f + AGENT_FRAME_HEADER_SIZE, 64, "too many concurrent exec processes (%d)",
					   VM_EXEC_CLIENTS_MAX);
			agent_frame_header_encode(f, AGENT_MSG_ERROR, 0, (uint32_t)len);
			(void)!send(fd, f, AGENT_FRAME_HEADER_SIZE + (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->used = true;
		c->fd = fd;
	}
}

/* One whole request frame from client c: NULL, or the final error to answer. */
static const char *client_request(struct vm_exec_server *s, struct exec_client *c, const struct agent_frame_header *h,
			   const uint8_t *p, bool running, vm_exec_send_fn send, void *ctx)
{
	switch (h->type) {
	case AGENT_MSG_EXEC:
	case AGENT_MSG_EXEC_STDIN:
		if (c->id != 0 || c->done)
			return "one EXEC per connection";
		if (!running)
			return "cannot exec in a container that is not running: container not running";
		if (h->length == 0)
			return "EXEC without a process";
		c->id = s->next_id++;
		if (s->next_id == 0)
			s->next_id = 1;
		if (send(ctx, h->type, c->id, p, h->length) < 0)
			return "the guest agent does not take requests";
		c->stdin_open = h->type == AGENT_MSG_EXEC_STDIN;
		return NULL;
	case AGENT_MSG_STDIN:
		if (c->stdin_open && !c->done) {
			(void)send(ctx, AGENT_MSG_STDIN, c->id, p, h->length);
			c->stdin_open = h->length > 0;
		}
		return NULL;
	case AGENT_MSG_SIGNAL:
		/* Before STARTED the agent knows no pid for k yet: nothing to signal. */
		if (c->started && !c->done && h->length == 4)
			(void)send(ctx, AGENT_MSG_SIGNAL, c->id, p, 4);
		return NULL;
	default:
		return "unexpected request on the exec socket";
	}
}

static void client_read(struct vm_exec_server *s, struct exec_client *c, bool running, vm_exec_send_fn send,
			void *ctx)
{
	for (;;) {
		if (c->in_cap - c->in_len < 4096) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
			uint8_t *b = cap <= 2 * (AGENT_FRAME_HEADER_SIZE + AGENT_FRAME_MAX_PAYLOAD) ? realloc(c->in, cap) : NULL;
			if (b == NULL) {
				client_error(c, "request too large");
				return;
			}
			c->in = b;
			c->in_cap = cap;
		}
		ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			/* Gone (or shut its side): the process, if any, runs on. */
			close(c->fd);
			c->fd = -1;
			c->out_len = 0;
			client_flush(c);
			return;
		}
		c->in_len += (size_t)n;
		/* Stop at the first whole frame: a client streaming stdin
		 * faster than the guest takes it would otherwise grow the
		 * buffer until "request too large" (poll brings us back). */
		struct agent_frame_header fh;
		if (c->in_len >= AGENT_FRAME_HEADER_SIZE && agent_frame_header_decode(c->in, &fh) == 0 &&
		    c->in_len >= AGENT_FRAME_HEADER_SIZE + (size_t)fh.length)
			break;
	}
	while (c->used && c->fd >= 0 && c->in_len >= AGENT_FRAME_HEADER_SIZE) {
		struct agent_frame_header h;
		if (agent_frame_header_decode(c->in, &h) < 0) {
			client_error(c, "malformed frame");
			return;
		}
		size_t total = AGENT_FRAME_HEADER_SIZE + (size_t)h.length;
		if (c->in_len < total)
			break;
		const char *bad = client_request(s, c, &h, c->in + AGENT_FRAME_HEADER_SIZE, running, send, ctx);
		if (bad != NULL) {
			client_error(c, bad);
			return;
		}
		memmove(c->in, c->in + total, c->in_len - total);
		c->in_len -= total;
	}
}

void vm_exec_server_handle(struct vm_exec_server *s, const struct pollfd *pf, size_t n, bool running,
			   vm_exec_send_fn send, void *ctx)
{
	for (size_t i = 1; i < n; i++) {
		if (pf[i].revents == 0)
			continue;
		struct exec_client *c = NULL;
		for (int j = 0; j < VM_EXEC_CLIENTS_MAX && c == NULL; j++)
			if (s->c[j].used && s->c[j].fd == pf[i].fd)
				c = &s->c[j];
		if (c == NULL)
			continue;
		if (pf[i].revents & POLLOUT)
			client_flush(c);
		if (c->used && c->fd >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
			client_read(s, c, running, send, ctx);
	}
	/* A client gone before closing the stdin of its process: close it,
	 * so a process reading stdin sees EOF instead of waiting forever. */
	for (int j = 0; j < VM_EXEC_CLIENTS_MAX; j++) {
		struct exec_client *c = &s->c[j];
		if (c->used && c->fd < 0 && c->stdin_open && !c->done) {
			(void)send(ctx, AGENT_MSG_STDIN, c->id, NULL, 0);
			c->stdin_open = false;
		}
	}
	if (n > 0 && (pf[0].revents & POLLIN))
		accept_clients(s);
}

bool vm_exec_server_agent_frame(struct vm_exec_server *s, const struct agent_frame_header *h, const uint8_t *payload)
{
	if (h->id == 0)
		return false;
	struct exec_client *c = NULL;
	for (int i = 0; i < VM_EXEC_CLIENTS_MAX && c == NULL; i++)
		if (s->c[i].used && s->c[i].id == h->id)
			c = &s->c[i];
	if (c == NULL || c->done)
		return true; /* e.g. the EXIT after a final ERROR */
	switch (h->type) {
	case AGENT_MSG_STARTED:
		c->started = true;
		break;
	case AGENT_MSG_ERROR:
		/* Before STARTED the exec failed; later ones are about a
		 * SIGNAL and only informative. */
		if (!c->started)
			c->done = true;
		break;
	case AGENT_MSG_EXIT:
		c->done = true;
		break;
	case AGENT_MSG_STDOUT:
	case AGENT_MSG_STDERR:
		break;
	default:
		return true;
	}
	client_queue(c, h->type, h->id, payload, h->length);
	client_flush(c);
	return true;
}

void vm_exec_server_close(struct vm_exec_server *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < VM_EXEC_CLIENTS_MAX; i++) {
		struct exec_client *c = &s->c[i];
		if (!c->used)
			continue;
		c->done = true;
		client_flush(c);
		if (c->used)
			client_free(c);
	}
	close(s->listen_fd);
	(void)unlinkat(s->dir_fd, VM_EXEC_SOCKET, 0);
	free(s);
}
