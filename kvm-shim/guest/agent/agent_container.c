/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent_container.c - the container inside the guest and the processes the
 * agent relays (see agent.h).  The setup itself is the native runtime of
 * the tree: the agent runs its own binary as the strata CLI (`create`,
 * `start`, `exec`, `delete` with --root AGENT_STATE_ROOT), so namespaces,
 * the cgroup v2 manager, rlimits, user, caps and seccomp are the very code
 * of the native level.  The init is re-parented to the agent (PID 1) when
 * `create` exits, so the agent reaps it and knows its exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../../common/cleanup.h"
#include "../../../common/util.h"
#include "agent.h"

struct agent_proc *agent_proc_find(struct agent *a, uint32_t id)
{
	for (int i = 0; i < AGENT_PROCS_MAX; i++) {
		if (a->procs[i].used && a->procs[i].id == id)
			return &a->procs[i];
	}
	return NULL;
}

static struct agent_proc *proc_new(struct agent *a, uint32_t id)
{
	for (int i = 0; i < AGENT_PROCS_MAX; i++) {
		struct agent_proc *p = &a->procs[i];
		if (!p->used) {
			*p = (struct agent_proc){ .used = true, .id = id, .out_fd = -1, .err_fd = -1, .in_fd = -1 };
			return p;
		}
	}
	return NULL;
}

static void proc_close(struct agent_proc *p)
{
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	if (p->in_fd >= 0)
		close(p->in_fd);
	free(p->in_buf);
	p->in_buf = NULL;
	p->used = false;
}

/* Two pipes for a process's stdout and stderr: r[] (agent side, CLOEXEC,
 * non-blocking) and w[] (the process's side). */
static int output_pipes(int r[2], int w[2])
{
	int o[2], e[2];
	if (pipe2(o, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(e, O_CLOEXEC) < 0) {
		close(o[0]);
		close(o[1]);
		return -1;
	}
	r[0] = o[0], w[0] = o[1], r[1] = e[0], w[1] = e[1];
	(void)fcntl(r[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(r[1], F_SETFL, O_NONBLOCK);
	return 0;
}

static void unmount_shares(struct agent *a)
{
	while (a->n_mounts > 0) {
		char *path = a->mounts[--a->n_mounts];
		if (umount2(path, MNT_DETACH) < 0)
			agent_log("unmount `%s`: %s", path, strerror(errno));
		free(path);
	}
}

/* Whether any component of path is `..`. */
static bool has_dotdot(const char *path)
{
	for (const char *c = path; *c != '\0';) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return true;
		c += n;
		c += *c == '/';
	}
	return false;
}

/* Mount one CREATE share: 9p tag at a guest path (relative: in the bundle). */
static int mount_share(struct agent *a, const struct agent_share *s, strata_error_t *err)
{
	char tag[AGENT_SHARE_TAG_MAX + 1];
	memcpy(tag, s->tag, s->tag_len);
	tag[s->tag_len] = '\0';
	_cleanup_free_ char *path = NULL;
	if (s->path[0] == '/') {
		path = strndup(s->path, s->path_len);
	} else if (asprintf(&path, AGENT_BUNDLE_DIR "/%.*s", (int)s->path_len, s->path) < 0) {
		path = NULL;
	}
	if (path == NULL)
		return strata_error_errno(err, ENOMEM, "share path");
	/* Paths come from the host, which owns the guest anyway; still refuse
	 * `..` so a share cannot land on the agent's own directories. */
	if (has_dotdot(path))
		return strata_error_set(err, EINVAL, "share path `%s` has `..`", path);
	if (mkdir_p(path, 0755, err) < 0)
		return -1;
	/* msize: 9p payload per request; larger is fewer round trips. */
	if (mount(tag, path, "9p", MS_NOSUID | MS_NODEV, "trans=virtio,version=9p2000.L,msize=262144,access=client") < 0)
		return strata_error_errno(err, errno, "mount 9p share `%s` on `%s`", tag, path);
	a->mounts[a->n_mounts++] = steal_pointer(&path);
	return 0;
}

void agent_handle_create(struct agent *a, const uint8_t *payload, size_t len)
{
	_cleanup_error_ strata_error_t err = NULL;
	struct agent_create c;
	if (a->have_container) {
		agent_send_error(&a->ch, 0, "a container already exists in this guest");
		return;
	}
	if (agent_create_decode(payload, len, &c) < 0) {
		agent_send_error(&a->ch, 0, "malformed CREATE payload");
		return;
	}
	for (uint32_t i = 0; i < c.n_shares; i++) {
		if (mount_share(a, &c.shares[i], &err) < 0) {
			agent_send_error(&a->ch, 0, "%s", err->msg);
			unmount_shares(a);
			return;
		}
	}
	if (write_file_at(AT_FDCWD, AGENT_BUNDLE_DIR "/config.json", c.config, c.config_len, 0600, &err) < 0) {
		agent_send_error(&a->ch, 0, "%s", err->msg);
		unmount_shares(a);
		return;
	}
	int r[2], w[2];
	if (output_pipes(r, w) < 0) {
		agent_send_error(&a->ch, 0, "pipe: %s", strerror(errno));
		unmount_shares(a);
		return;
	}
	/* stdin: a pipe the agent feeds from STDIN frames, or /dev/null. */
	int in[2] = { -1, -1 };
	if ((c.flags & AGENT_CREATE_STDIN) && pipe2(in, O_CLOEXEC) < 0) {
		agent_send_error(&a->ch, 0, "pipe: %s", strerror(errno));
		close(r[0]), close(r[1]), close(w[0]), close(w[1]);
		unmount_shares(a);
		return;
	}
	if (in[1] >= 0)
		(void)fcntl(in[1], F_SETFL, O_NONBLOCK);
	_cleanup_close_ int null = in[0] >= 0 ? in[0] : open("/dev/null", O_RDONLY | O_CLOEXEC);
	const char *pid_file = AGENT_RUN_DIR "/init.pid";
	(void)unlink(pid_file);
	const char *args[] = { "create", "--bundle", AGENT_BUNDLE_DIR, "--pid-file", pid_file, AGENT_CONTAINER_ID, NULL };
	/* The init inherits the create's stdio: stdin /dev/null, stdout and
	 * stderr the pipes the agent relays (runc's pass-through mode). */
	pid_t pid = null < 0 ? -1 : agent_cli_spawn(AGENT_RUN_DIR "/create.log", args, null, w[0], w[1]);
	close(w[0]);
	close(w[1]);
	int code = pid < 0 ? 255 : agent_cli_wait(pid);
	pid_t init = agent_read_pid_file(pid_file);
	if (code != 0 || init <= 0) {
		char msg[1024];
		agent_cli_log_tail(AGENT_RUN_DIR "/create.log", msg, sizeof(msg));
		agent_send_error(&a->ch, 0, "create: %s", msg);
		close(r[0]);
		close(r[1]);
		if (in[1] >= 0)
			close(in[1]);
		char ignored[16];
		const char *del[] = { "delete", "--force", AGENT_CONTAINER_ID, NULL };
		(void)agent_cli_run("delete", del, ignored, sizeof(ignored));
		unmount_shares(a);
		return;
	}
	struct agent_proc *p = proc_new(a, 0); /* never NULL: no container, so no processes */
	p->wait_pid = init;
	p->pid = init;
	p->out_fd = r[0];
	p->err_fd = r[1];
	p->in_fd = in[1];
	a->have_container = true;
	a->started = false;
	a->flags = c.flags;
	agent_send_u32(&a->ch, AGENT_MSG_CREATED, 0, (uint32_t)init);
}

void agent_handle_start(struct agent *a)
{
	struct agent_proc *init = agent_proc_find(a, 0);
	if (!a->have_container || init == NULL || a->started) {
		agent_send_error(&a->ch, 0, a->started ? "the container was started already" : "no container to start");
		return;
	}
	char msg[1024];
	const char *args[] = { "start", AGENT_CONTAINER_ID, NULL };
	if (agent_cli_run("start", args, msg, sizeof(msg)) != 0) {
		agent_send_error(&a->ch, 0, "start: %s", msg);
		return;
	}
	a->started = true;
	agent_send_u32(&a->ch, AGENT_MSG_STARTED, 0, (uint32_t)init->pid);
}

void agent_handle_exec(struct agent *a, uint32_t id, const uint8_t *payload, size_t len, bool with_stdin)
{
	_cleanup_error_ strata_error_t err = NULL;
	struct agent_proc *init = agent_proc_find(a, 0);
	if (id == 0 || agent_proc_find(a, id) != NULL) {
		agent_send_error(&a->ch, id, "EXEC id %u is in use", id);
		return;
	}
	if (!a->started || init == NULL || init->reaped) {
		agent_send_error(&a->ch, id, "the container is not running");
		return;
	}
	char proc_file[128], pid_file[128], log[128];
	snprintf(proc_file, sizeof(proc_file), AGENT_RUN_DIR "/exec-%u.json", id);
	snprintf(pid_file, sizeof(pid_file), AGENT_RUN_DIR "/exec-%u.pid", id);
	snprintf(log, sizeof(log), AGENT_RUN_DIR "/exec-%u.log", id);
	(void)unlink(pid_file);
	if (write_file_at(AT_FDCWD, proc_file, payload, len, 0600, &err) < 0) {
		agent_send_error(&a->ch, id, "%s", err->msg);
		return;
	}
	struct agent_proc *p = proc_new(a, id);
	int r[2], w[2];
	if (p == NULL || output_pipes(r, w) < 0) {
		if (p != NULL)
			p->used = false;
		agent_send_error(&a->ch, id, "too many processes or no pipe: %s", strerror(errno));
		return;
	}
	/* stdin: a pipe the agent feeds from STDIN(k) frames, or /dev/null. */
	int in[2] = { -1, -1 };
	if (with_stdin && pipe2(in, O_CLOEXEC) == 0)
		(void)fcntl(in[1], F_SETFL, O_NONBLOCK);
	_cleanup_close_ int null = in[0] >= 0 ? in[0] : with_stdin ? -1 : open("/dev/null", O_RDONLY | O_CLOEXEC);
	const char *args[] = { "exec", "--process", proc_file, "--pid-file", pid_file, AGENT_CONTAINER_ID, NULL };
	pid_t pid = null < 0 ? -1 : agent_cli_spawn(log, args, null, w[0], w[1]);
	close(w[0]);
	close(w[1]);
	p->out_fd = r[0];
	p->err_fd = r[1];
	p->in_fd = in[1];
	if (pid < 0) {
		proc_close(p);
		agent_send_error(&a->ch, id, "fork: %s", strerror(errno));
		return;
	}
	p->wait_pid = pid;
	/* STARTED carries the process's pid: wait (bounded) for the runtime's
	 * pid file, or for the runtime to fail (then agent_reap reports it). */
	for (int i = 0; i < 2000; i++) {
		p->pid = agent_read_pid_file(pid_file);
		if (p->pid > 0)
			break;
		siginfo_t si = { 0 };
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
			return;
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (p->pid > 0)
		agent_send_u32(&a->ch, AGENT_MSG_STARTED, id, (uint32_t)p->pid);
}

void agent_handle_signal(struct agent *a, uint32_t id, const uint8_t *payload, size_t len)
{
	struct agent_proc *p = agent_proc_find(a, id);
	if (len != 4) {
		agent_send_error(&a->ch, id, "SIGNAL needs a u32 signal number");
		return;
	}
	uint32_t sig = agent_get_u32(payload);
	if (p == NULL || p->pid <= 0 || p->reaped) {
		agent_send_error(&a->ch, id, "no running process with id %u", id);
		return;
	}
	if (sig == 0 || sig >= (uint32_t)NSIG || kill(p->pid, (int)sig) < 0)
		agent_send_error(&a->ch, id, "signal %u to pid %d: %s", sig, (int)p->pid,
				 sig == 0 || sig >= (uint32_t)NSIG ? "invalid signal" : strerror(errno));
}

/* After the init is gone: remove the container, its shares; maybe power off. */
static void container_done(struct agent *a)
{
	/* Powering off: the guest's cgroup, mounts and state go with it, and
	 * 9p writes are synchronous, so there is nothing to delete first. */
	if (a->flags & AGENT_CREATE_POWEROFF_ON_EXIT)
		agent_power_off(a->ch.fd);
	char msg[1024];
	const char *args[] = { "delete", "--force", AGENT_CONTAINER_ID, NULL };
	if (agent_cli_run("delete", args, msg, sizeof(msg)) != 0)
		agent_log("delete: %s", msg);
	unmount_shares(a);
	a->have_container = false;
	a->started = false;
}

void agent_reap(struct agent *a)
{
	for (;;) {
		int st = 0;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			break;
		for (int i = 0; i < AGENT_PROCS_MAX; i++) {
			struct agent_proc *p = &a->procs[i];
			if (p->used && !p->reaped && p->wait_pid == pid) {
				p->reaped = true;
				p->status = agent_status_code(st);
			}
		}
	}
	bool init_done = false;
	for (int i = 0; i < AGENT_PROCS_MAX; i++) {
		struct agent_proc *p = &a->procs[i];
		if (!p->used || !p->reaped)
			continue;
		/* Everything it wrote before it exited is in the pipes: forward
		 * it before EXIT, so EXIT is the last frame about this id. */
		if (p->out_fd >= 0)
			agent_relay_output(a, p, false);
		if (p->err_fd >= 0)
			agent_relay_output(a, p, true);
		if (p->id != 0 && p->pid <= 0) {
			char msg[1024], log[128];
			snprintf(log, sizeof(log), AGENT_RUN_DIR "/exec-%u.log", p->id);
			agent_cli_log_tail(log, msg, sizeof(msg));
			agent_send_error(&a->ch, p->id, "exec: %s", msg);
		}
		agent_send_u32(&a->ch, AGENT_MSG_EXIT, p->id, (uint32_t)p->status);
		if (p->id == 0)
			init_done = true;
		proc_close(p);
	}
	if (init_done)
		container_done(a);
}

void agent_kill_all(struct agent *a)
{
	for (int i = 0; i < AGENT_PROCS_MAX; i++) {
		struct agent_proc *p = &a->procs[i];
		if (p->used && !p->reaped && p->pid > 0)
			(void)kill(p->pid, SIGKILL);
	}
}
