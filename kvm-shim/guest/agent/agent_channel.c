/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent_channel.c - frames of kvm-shim/agent_protocol.h on the host port
 * (see agent.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../../../common/util.h"
#include "agent.h"

int agent_channel_open(struct agent_channel *ch, const char *path, int timeout_ms, strata_error_t *err)
{
	int fd = -1;
	for (int waited = 0;; waited += 10) {
		fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || waited >= timeout_ms)
			break;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (fd < 0)
		return strata_error_errno(err, errno, "open the agent port `%s`", path);
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		/* The stream is binary: no echo (it would send the host's frames
		 * back), no line discipline, no CR/NL translation, no flow control. */
		cfmakeraw(&t);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		if (tcsetattr(fd, TCSANOW, &t) < 0) {
			int e = errno;
			close(fd);
			return strata_error_errno(err, e, "raw mode on `%s`", path);
		}
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		return strata_error_errno(err, e, "O_NONBLOCK on `%s`", path);
	}
	ch->fd = fd;
	ch->buf = NULL;
	ch->len = ch->cap = ch->consumed = 0;
	return 0;
}

/* Write all of buf to the non-blocking port, waiting with poll(2) when full. */
static int port_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct timespec ts = { 0, 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int agent_send(struct agent_channel *ch, uint32_t type, uint32_t id, const void *payload, size_t len)
{
	uint8_t hdr[AGENT_FRAME_HEADER_SIZE];
	if (len > AGENT_FRAME_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	agent_frame_header_encode(hdr, type, id, (uint32_t)len);
	if (port_write_all(ch->fd, hdr, sizeof(hdr)) < 0)
		return -1;
	return len > 0 ? port_write_all(ch->fd, payload, len) : 0;
}

int agent_send_u32(struct agent_channel *ch, uint32_t type, uint32_t id, uint32_t v)
{
	uint8_t p[4];
	agent_put_u32(p, v);
	return agent_send(ch, type, id, p, sizeof(p));
}

int agent_send_error(struct agent_channel *ch, uint32_t id, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	agent_log("error (id %u): %s", id, buf);
	return agent_send(ch, AGENT_MSG_ERROR, id, buf, (size_t)n);
}

ssize_t agent_channel_fill(struct agent_channel *ch)
{
	if (ch->consumed > 0) {
		memmove(ch->buf, ch->buf + ch->consumed, ch->len - ch->consumed);
		ch->len -= ch->consumed;
		ch->consumed = 0;
	}
	if (ch->cap - ch->len < 65536) {
		size_t cap = ch->cap == 0 ? 131072 : ch->cap * 2;
		if (cap > 2 * (AGENT_FRAME_MAX_PAYLOAD + AGENT_FRAME_HEADER_SIZE) + 262144) {
			errno = EMSGSIZE;
			return -1;
		}
		uint8_t *b = realloc(ch->buf, cap);
		if (b == NULL)
			return -1;
		ch->buf = b;
		ch->cap = cap;
	}
	ssize_t n = read(ch->fd, ch->buf + ch->len, ch->cap - ch->len);
	if (n > 0)
		ch->len += (size_t)n;
	return n;
}

int agent_channel_next(struct agent_channel *ch, struct agent_frame_header *h, const uint8_t **payload)
{
	size_t avail = ch->len - ch->consumed;
	const uint8_t *p = ch->buf + ch->consumed;
	if (avail < AGENT_FRAME_HEADER_SIZE)
		return 0;
	if (agent_frame_header_decode(p, h) < 0)
		return -1;
	if (avail - AGENT_FRAME_HEADER_SIZE < h->length)
		return 0;
	*payload = p + AGENT_FRAME_HEADER_SIZE;
	ch->consumed += AGENT_FRAME_HEADER_SIZE + h->length;
	return 1;
}
