/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent_main.c - entry of the static guest agent binary and its event loop.
 *
 * One binary, two roles: as PID 1 (the guest's /init) it is the agent; run
 * as any other pid it is the strata CLI (runtime/main.c compiled in as
 * strata_cli_main), which the agent starts for `create`, `start`, `exec`
 * and `delete`, and which the runtime's sealed-copy re-execution
 * (runtime/native/cloned_binary.c) starts again.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../../../common/cleanup.h"
#include "agent.h"

/* runtime/main.c, compiled with -Dmain=strata_cli_main (guest/agent.mk). */
int strata_cli_main(int argc, char **argv);

static void handle_frame(struct agent *a, const struct agent_frame_header *h, const uint8_t *payload)
{
	switch (h->type) {
	case AGENT_MSG_CREATE:
		agent_handle_create(a, payload, h->length);
		break;
	case AGENT_MSG_START:
		agent_handle_start(a);
		break;
	case AGENT_MSG_EXEC:
	case AGENT_MSG_EXEC_STDIN:
		agent_handle_exec(a, h->id, payload, h->length, h->type == AGENT_MSG_EXEC_STDIN);
		break;
	case AGENT_MSG_SIGNAL:
		agent_handle_signal(a, h->id, payload, h->length);
		break;
	case AGENT_MSG_STDIN:
		agent_handle_stdin(a, h->id, payload, h->length);
		break;
	case AGENT_MSG_POWEROFF:
		agent_kill_all(a);
		agent_power_off(a->ch.fd);
	default:
		agent_send_error(&a->ch, h->id, "unexpected message type %u", h->type);
		break;
	}
}

/* Read the port and handle every complete frame.  Returns -1 when the
 * stream is lost (end, error, corrupt header). */
static int read_port(struct agent *a)
{
	ssize_t n = agent_channel_fill(&a->ch);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	for (;;) {
		struct agent_frame_header h;
		const uint8_t *payload = NULL;
		int r = agent_channel_next(&a->ch, &h, &payload);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		handle_frame(a, &h, payload);
	}
}

static void event_loop(struct agent *a)
{
	for (;;) {
		struct pollfd fds[2 + 3 * AGENT_PROCS_MAX];
		struct agent_proc *owner[2 + 3 * AGENT_PROCS_MAX];
		nfds_t n = 0;
		fds[n++] = (struct pollfd){ .fd = a->ch.fd, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = a->sigfd, .events = POLLIN };
		for (int i = 0; i < AGENT_PROCS_MAX; i++) {
			struct agent_proc *p = &a->procs[i];
			if (!p->used)
				continue;
			if (p->out_fd >= 0) {
				owner[n] = p;
				fds[n++] = (struct pollfd){ .fd = p->out_fd, .events = POLLIN };
			}
			if (p->err_fd >= 0) {
				owner[n] = p;
				fds[n++] = (struct pollfd){ .fd = p->err_fd, .events = POLLIN };
			}
			if (p->in_fd >= 0 && p->in_len > 0) {
				owner[n] = p;
				fds[n++] = (struct pollfd){ .fd = p->in_fd, .events = POLLOUT };
			}
		}
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			agent_log("poll: %s", strerror(errno));
			agent_power_off(a->ch.fd);
		}
		/* Output first, then exits: EXIT comes after the output it follows. */
		for (nfds_t i = 2; i < n; i++) {
			if (fds[i].revents == 0 || !owner[i]->used)
				continue;
			if (fds[i].events == POLLOUT)
				agent_flush_stdin(owner[i]);
			else
				agent_relay_output(a, owner[i], fds[i].fd == owner[i]->err_fd);
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			agent_reap(a);
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (read_port(a) < 0) {
				/* The host is gone: nothing may outlive it in the guest. */
				agent_log("the host port closed or sent a corrupt frame: powering off");
				agent_kill_all(a);
				agent_power_off(-1);
			}
		}
	}
}

/* Signals: the agent blocks SIGCHLD (read through a signalfd) and changes
 * no other disposition, since dispositions set to SIG_IGN would survive
 * execve into the container.  As PID 1 it gets no signal it has no handler
 * for (SIGPIPE from a closed stdin pipe included): write(2) returns EPIPE. */
static int agent_main(void)
{
	_cleanup_error_ strata_error_t err = NULL;
	struct agent a = { .sigfd = -1 };
	if (agent_boot(&err) < 0) {
		agent_log("boot: %s", err->msg);
		agent_power_off(-1);
	}
	_cleanup_free_ char *port = agent_port_path();
	if (port == NULL || agent_channel_open(&a.ch, port, 5000, &err) < 0) {
		agent_log("%s", err != NULL ? err->msg : "out of memory");
		agent_power_off(-1);
	}
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	a.sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (a.sigfd < 0) {
		agent_log("signalfd: %s", strerror(errno));
		agent_power_off(-1);
	}
	if (agent_send_u32(&a.ch, AGENT_MSG_READY, 0, AGENT_PROTOCOL_VERSION) < 0) {
		agent_log("send READY: %s", strerror(errno));
		agent_power_off(-1);
	}
	event_loop(&a);
	return 0;
}

int main(int argc, char **argv)
{
	if (getpid() != 1)
		return strata_cli_main(argc, argv);
	return agent_main();
}
