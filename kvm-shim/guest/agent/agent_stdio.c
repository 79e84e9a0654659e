/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent_stdio.c - the relayed processes' stdio: STDIN frames into their stdin
 * pipe, their stdout/stderr pipes into STDOUT/STDERR frames (see agent.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

void agent_handle_stdin(struct agent *a, uint32_t id, const uint8_t *payload, size_t len)
{
	struct agent_proc *p = agent_proc_find(a, id);
	if (p == NULL || p->in_fd < 0 || p->in_eof) {
		agent_send_error(&a->ch, id, "process %u takes no stdin (CREATE without AGENT_CREATE_STDIN, or closed)", id);
		return;
	}
	if (len == 0) {
		p->in_eof = true;
	} else {
		if (p->in_len + len > AGENT_STDIN_BUFFER_MAX) {
			agent_send_error(&a->ch, id, "stdin: more than %u bytes unread: dropped %zu bytes",
					 AGENT_STDIN_BUFFER_MAX, len);
			return;
		}
		uint8_t *b = realloc(p->in_buf, p->in_len + len);
		if (b == NULL) {
			agent_send_error(&a->ch, id, "stdin: out of memory");
			return;
		}
		memcpy(b + p->in_len, payload, len);
		p->in_buf = b;
		p->in_len += len;
	}
	agent_flush_stdin(p);
}

void agent_flush_stdin(struct agent_proc *p)
{
	while (p->in_fd >= 0 && p->in_len > 0) {
		ssize_t n = write(p->in_fd, p->in_buf, p->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return; /* poll(2) tells when the process has read some */
		if (n < 0) { /* EPIPE: nobody reads any more; drop the rest */
			p->in_len = 0;
			p->in_eof = true;
			break;
		}
		memmove(p->in_buf, p->in_buf + n, p->in_len - (size_t)n);
		p->in_len -= (size_t)n;
	}
	if (p->in_fd >= 0 && p->in_len == 0 && p->in_eof) {
		close(p->in_fd);
		p->in_fd = -1;
	}
}

void agent_relay_output(struct agent *a, struct agent_proc *p, bool err_stream)
{
	int *fd = err_stream ? &p->err_fd : &p->out_fd;
	uint8_t buf[AGENT_OUTPUT_CHUNK];
	for (;;) {
		ssize_t n = read(*fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			agent_send(&a->ch, err_stream ? AGENT_MSG_STDERR : AGENT_MSG_STDOUT, p->id, buf, (size_t)n);
			if ((size_t)n == sizeof(buf))
				continue;
			return;
		}
		if (n < 0 && errno == EAGAIN)
			return;
		close(*fd); /* EOF or error */
		*fd = -1;
		return;
	}
}
