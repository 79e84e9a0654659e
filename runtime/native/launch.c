/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * launch.c - the parent side of `create` at the native level (see native.h):
 * clone the init, write its id maps, put it in its cgroup, answer its setup
 * messages, and undo everything when any step fails.
 */
#include "native.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "../../common/util.h"
#include "../container_json.h"
#include "../rootless.h"
#include "hooks.h"
#include "init.h"
#include "namespaces.h"
#include "sync.h"

/* fork-like clone(2): no new stack, the child continues here with a copy of memory. */
static pid_t clone_process(int flags)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/*
 * The same through clone3(2) with CLONE_INTO_CGROUP: the child starts in the
 * cgroup v2 directory cgroup_fd (see cgroup_clone_into_fd).  -1 with errno
 * when the kernel cannot (ENOSYS, E2BIG before Linux 5.7) or may not (EACCES,
 * EPERM, EBUSY) do it; the caller then clones plainly and joins the cgroup
 * by writing cgroup.procs.
 */
static pid_t clone_process_into_cgroup(int flags, int cgroup_fd)
{
	struct clone_args_v2 { /* struct clone_args of <linux/sched.h>, CLONE_ARGS_SIZE_VER2 */
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
		uint64_t set_tid, set_tid_size, cgroup;
	} args = {
		.flags = (uint64_t)(unsigned)flags | 0x200000000ULL /* CLONE_INTO_CGROUP */,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Move fd to a number >= min (close-on-exec), so it never sits in the range
 * of fds handed to the container (3 .. 3+preserve_fds+LISTEN_FDS-1). */
static int fd_move_above(int fd, int min)
{
	if (fd < 0 || fd >= min)
		return fd;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);
	close(fd);
	return nfd;
}

static int connect_console(const char *path, strata_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return strata_error_set(err, ENAMETOOLONG, "console socket path `%s` is too long", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return strata_error_errno(err, errno, "console socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return strata_error_errno(err, e, "connect console socket `%s`", path);
	}
	return fd;
}

static int write_id_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n, strata_error_t *err)
{
	if (n == 0)
		return 0;
	size_t cap = n * 40 + 1, used = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (buf == NULL)
		return strata_error_errno(err, ENOMEM, "%s", file);
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
					 m[i].container_id, m[i].host_id, m[i].size);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	/* The map must be written in one write(2): the kernel takes only the first. */
	if (fd < 0 || write(fd, buf, used) != (ssize_t)used)
		return strata_error_errno(err, errno, "write %s", path);
	return 0;
}

static int write_time_offsets(pid_t pid, const struct oci_linux *l, strata_error_t *err)
{
	char buf[256];
	size_t used = 0;
	for (size_t i = 0; i < l->time_offsets_len && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s %" PRId64 " %" PRIu32 "\n",
					 l->time_offsets[i].clock, l->time_offsets[i].secs, l->time_offsets[i].nanosecs);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/timens_offsets", (int)pid);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, used) != (ssize_t)used)
		return strata_error_errno(err, errno, "write %s", path);
	return 0;
}

/* The host uid/gid that container id 0 maps to (for the exec fifo's owner). */
static uint32_t host_id_of_root(const struct oci_id_mapping *m, size_t n, uint32_t dflt)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0 && m[i].size > 0)
			return m[i].host_id;
	return dflt;
}

/*
 * Start the init.  Without joins, clone it directly.  With joins, a helper
 * process joins the namespaces and clones the init with CLONE_PARENT so the
 * init is still our child; the helper reports the pid (in our pid namespace:
 * setns to a pid namespace changes only the helper's children) and exits.
 */
static int spawn_init(struct init_ctx *ctx, int parent_fd, int cgroup_fd, pid_t *out, bool *in_cgroup,
		      strata_error_t *err)
{
	const struct ns_plan *plan = ctx->plan;
	*in_cgroup = false;
	if (!ns_plan_has_joins(plan)) {
		pid_t pid = -1;
		if (cgroup_fd >= 0) {
			pid = clone_process_into_cgroup(plan->clone_flags, cgroup_fd);
			if (pid < 0)
				log_debug("clone3 into the cgroup: %s; joining it afterwards", strerror(errno));
			else
				*in_cgroup = true;
		}
		if (pid < 0)
			pid = clone_process(plan->clone_flags);
		if (pid < 0)
			return strata_error_errno(err, errno, "clone container init");
		if (pid == 0) {
			close(parent_fd);
			close(ctx->lock_fd);
			/* A host cgroup directory must not reach the container (the
			 * CVE-2024-21626 class: a leaked directory fd as process.cwd). */
			if (cgroup_fd >= 0)
				close(cgroup_fd);
			native_init_run(ctx);
		}
		*out = pid;
		return 0;
	}
	pid_t helper = fork();
	if (helper < 0)
		return strata_error_errno(err, errno, "fork");
	if (helper == 0) {
		close(parent_fd);
		close(ctx->lock_fd);
		if (cgroup_fd >= 0) /* not used on this path; must not reach the init */
			close(cgroup_fd);
		_cleanup_error_ strata_error_t herr = NULL;
		if (ns_join_all(plan, &herr) < 0) {
			sync_send_error(ctx->sync_fd, herr);
			_exit(1);
		}
		pid_t pid = clone_process(plan->clone_flags | CLONE_PARENT);
		if (pid < 0) {
			strata_error_errno(&herr, errno, "clone container init");
			sync_send_error(ctx->sync_fd, herr);
			_exit(1);
		}
		if (pid == 0)
			native_init_run(ctx);
		if (sync_send(ctx->sync_fd, SYNC_INIT_PID, pid, NULL, 0) < 0) {
			kill(pid, SIGKILL);
			_exit(1);
		}
		_exit(0);
	}
	struct sync_msg m;
	int rc = sync_expect(parent_fd, SYNC_INIT_PID, &m, err);
	int status;
	while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0)
		return -1;
	*out = m.value;
	return 0;
}

/* The state JSON hooks receive on stdin (runtime.md#state), status "creating". */
static char *hook_state(struct container *c, pid_t pid)
{
	return container_hook_state_json(&c->state, "creating", pid);
}

static int run_parent_hooks(struct container *c, const struct oci_config *config, pid_t pid, char **state_out,
			    strata_error_t *err)
{
	_cleanup_free_ char *state = hook_state(c, pid);
	if (state == NULL)
		return strata_error_errno(err, ENOMEM, "state for hooks");
	const struct oci_hooks *h = config->hooks;
	if (h != NULL) {
		/* prestart is deprecated but still run, before createRuntime, in the
		 * runtime's namespaces (runtime-spec config.md#prestart). */
		if (hooks_run(h->prestart, h->prestart_len, "prestart", state, err) < 0)
			return -1;
		if (hooks_run(h->create_runtime, h->create_runtime_len, "createRuntime", state, err) < 0)
			return -1;
	}
	*state_out = steal_pointer(&state);
	return 0;
}

/* Answer the init's messages until READY. */
static int serve_init(struct container *c, const struct oci_config *config, int fd, pid_t pid, strata_error_t *err)
{
	for (;;) {
		struct sync_msg m;
		if (sync_recv(fd, &m) < 0)
			return strata_error_errno(err, errno, "read setup message from container init");
		enum sync_msg_type t = m.type;
		log_debug("init setup message %s", sync_msg_name(t));
		switch (t) {
		case SYNC_READY:
			return 0;
		case SYNC_ERROR:
			strata_error_set(err, m.value, "%s", m.payload != NULL ? m.payload : "container init failed");
			sync_msg_clear(&m);
			return -1;
		case SYNC_EOF: {
			int status = 0;
			if (waitpid(pid, &status, WNOHANG) == pid && WIFSIGNALED(status))
				return strata_error_set(err, ECHILD, "container init was killed by signal %d during setup",
							WTERMSIG(status));
			return strata_error_set(err, ECHILD, "container init exited during setup");
		}
		case SYNC_TIMENS_REQUEST:
			if (write_time_offsets(pid, config->linux_, err) < 0)
				return -1;
			if (sync_send(fd, SYNC_TIMENS_DONE, 0, NULL, 0) < 0)
				return strata_error_errno(err, errno, "send TIMENS_DONE");
			break;
		case SYNC_HOOKS_REQUEST: {
			_cleanup_free_ char *state = NULL;
			if (run_parent_hooks(c, config, pid, &state, err) < 0)
				return -1;
			if (sync_send(fd, SYNC_HOOKS_DONE, 0, state, strlen(state)) < 0)
				return strata_error_errno(err, errno, "send HOOKS_DONE");
			break;
		}
		default:
			sync_msg_clear(&m);
			return strata_error_set(err, EPROTO, "unexpected setup message %s from container init",
						sync_msg_name(t));
		}
		sync_msg_clear(&m);
	}
}

/* Validation that needs no process: fail before anything is made. */
static int check_config(const struct oci_config *config, const struct ns_plan *plan,
			const struct native_create_opts *o, strata_error_t *err)
{
	if (config->process == NULL)
		return strata_error_set(err, EINVAL, "config.json: .process: required to create a container");
	if (config->process->args == NULL || config->process->args_len == 0)
		return strata_error_set(err, EINVAL, "config.json: .process.args: must not be empty");
	if (config->process->terminal && o->console_socket == NULL && o->console_fd < 0)
		return strata_error_set(err, EINVAL, "cannot allocate tty if strata will detach without setting console socket");
	if (!config->process->terminal && (o->console_socket != NULL))
		return strata_error_set(err, EINVAL, "cannot use console socket if strata will not detach or allocate tty");
	if (!plan->new_ns[OCI_NS_MOUNT] && !plan->join_ns[OCI_NS_MOUNT])
		return strata_error_set(err, EINVAL, "config.json: .linux.namespaces: a mount namespace is required");
	if (config->hostname != NULL && config->hostname[0] != '\0' && !plan->new_ns[OCI_NS_UTS] &&
	    !plan->join_ns[OCI_NS_UTS])
		return strata_error_set(err, EINVAL, "unable to set hostname without a private UTS namespace");
	if (config->domainname != NULL && config->domainname[0] != '\0' && !plan->new_ns[OCI_NS_UTS] &&
	    !plan->join_ns[OCI_NS_UTS])
		return strata_error_set(err, EINVAL, "unable to set domainname without a private UTS namespace");
	if (config->linux_ != NULL && config->linux_->time_offsets_len > 0 && !plan->new_ns[OCI_NS_TIME])
		return strata_error_set(err, EINVAL, "config.json: .linux.timeOffsets: requires a new time namespace");
	if (plan->new_ns[OCI_NS_USER] &&
	    (config->linux_->uid_mappings_len == 0 || config->linux_->gid_mappings_len == 0))
		return strata_error_set(err, EINVAL,
					"config.json: .linux.uidMappings/gidMappings: required with a new user namespace");
	return 0;
}

/*
 * Rootless (--rootless): a cgroup the caller may not create, write or join is
 * a warning, and the container runs without it, as with runc, unless the
 * config asks for resource limits (those are never dropped silently).
 * Returns true when the error in *err was taken: the cgroup is removed as far
 * as it exists and c->cgroup is dropped.
 */
static bool drop_cgroup_if_rootless(struct container *c, bool rootless, const struct oci_resources *res,
				    strata_error_t *err)
{
	if (*err == NULL || !rootless_cgroup_error_ignorable(rootless, (*err)->code, res))
		return false;
	log_warning("rootless: the container runs without a cgroup: %s", (*err)->msg);
	strata_error_free(err);
	_cleanup_error_ strata_error_t derr = NULL;
	if (cgroup_destroy(c->cgroup, &derr) < 0)
		log_debug("rootless: remove the partial cgroup: %s", derr->msg);
	cgroup_manager_free(c->cgroup);
	c->cgroup = NULL;
	return true;
}

/* LISTEN_FDS of the runtime's environment (systemd socket activation), 0 if unset or bad. */
static int listen_fds_count(void)
{
	const char *s = getenv("LISTEN_FDS");
	if (s == NULL)
		return 0;
	char *end = NULL;
	long n = strtol(s, &end, 10);
	return (*s != '\0' && *end == '\0' && n > 0 && n < 1024) ? (int)n : 0;
}

int native_create(struct container *c, const struct oci_config *config, const struct native_create_opts *o,
		  strata_error_t *err)
{
	int ret = -1;
	pid_t pid = -1;
	bool cgroup_made = false;
	int pair[2] = { -1, -1 };
	_cleanup_close_ int console_fd = -1;
	_cleanup_close_ int fifo_fd = -1;
	_cleanup_close_ int cgroup_fd = -1;
	bool in_cgroup = false;
	_cleanup_free_ int *tasks_fds = NULL;
	size_t tasks_n = 0;
	_cleanup_free_ char *fifo_path = NULL;
	struct ns_plan plan;

	if (ns_plan_make(config, &plan, err) < 0)
		return -1;
	if (check_config(config, &plan, o, err) < 0)
		goto out;
	int listen_fds = listen_fds_count();
	int min_fd = 3 + o->preserve_fds + listen_fds;

	/* The start gate. 0622: the init, possibly an unprivileged user in a user
	 * namespace, opens it for writing; only `start` (root) reads it. */
	if (asprintf(&fifo_path, "%s/%s", c->dir, NATIVE_EXEC_FIFO) < 0) {
		fifo_path = NULL;
		strata_error_errno(err, ENOMEM, "exec fifo");
		goto out;
	}
	if (mkfifoat(c->dir_fd, NATIVE_EXEC_FIFO, 0622) < 0) {
		strata_error_errno(err, errno, "mkfifo `%s`", fifo_path);
		goto out;
	}
	if (plan.new_ns[OCI_NS_USER]) {
		uid_t u = host_id_of_root(config->linux_->uid_mappings, config->linux_->uid_mappings_len, 0);
		gid_t g = host_id_of_root(config->linux_->gid_mappings, config->linux_->gid_mappings_len, 0);
		if (fchownat(c->dir_fd, NATIVE_EXEC_FIFO, u, g, 0) < 0) {
			strata_error_errno(err, errno, "chown `%s`", fifo_path);
			goto out;
		}
	}

	fifo_fd = fd_move_above(openat(c->dir_fd, NATIVE_EXEC_FIFO, O_PATH | O_CLOEXEC), min_fd);
	if (fifo_fd < 0) {
		strata_error_errno(err, errno, "open `%s`", fifo_path);
		goto out;
	}

	/* The container's cgroup exists (with its limits) before any of its code runs. */
	const char *cgpath = config->linux_ != NULL ? config->linux_->cgroups_path : NULL;
	const struct oci_resources *res = config->linux_ != NULL ? config->linux_->resources : NULL;
	if (cgroup_manager_new(c->state.id, cgpath, o->systemd_cgroup, &c->cgroup, err) < 0)
		goto out;
	if (cgroup_create(c->cgroup, res, err) < 0) {
		if (!drop_cgroup_if_rootless(c, o->rootless, res, err))
			goto out;
	} else {
		cgroup_made = true;
	}
	c->state.systemd_cgroup = o->systemd_cgroup;
	if (c->cgroup != NULL) {
		c->state.cgroup = cgroup_manager_serialize(c->cgroup);
		if (c->state.cgroup == NULL) {
			strata_error_errno(err, ENOMEM, "cgroup state");
			goto out;
		}
	}

	if (o->console_socket != NULL) {
		console_fd = connect_console(o->console_socket, err);
		if (console_fd < 0)
			goto out;
		console_fd = fd_move_above(console_fd, min_fd);
	} else if (o->console_fd >= 0) {
		console_fd = fcntl(o->console_fd, F_DUPFD_CLOEXEC, min_fd);
		if (console_fd < 0) {
			strata_error_errno(err, errno, "dup console socket");
			goto out;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		strata_error_errno(err, errno, "socketpair");
		goto out;
	}
	pair[0] = fd_move_above(pair[0], min_fd);
	pair[1] = fd_move_above(pair[1], min_fd);
	if (pair[0] < 0 || pair[1] < 0) {
		strata_error_errno(err, errno, "move setup socket");
		goto out;
	}

	struct init_ctx ctx = {
		.config = config,
		.id = c->state.id,
		.rootfs = c->state.rootfs,
		.fifo_path = fifo_path,
		.fifo_fd = fifo_fd,
		.level = c->state.level,
		.opts = o,
		.plan = &plan,
		.sync_fd = pair[1],
		.console_fd = console_fd,
		.listen_fds = listen_fds,
		.lock_fd = c->lock_fd,
	};
	/* Join the cgroup without cgroup_enter's RCU grace period (cgroup.h):
	 * the init is cloned into the cgroup v2 directory and joins the v1
	 * hierarchies itself.  Rootless keeps cgroup_enter, whose failure may be
	 * forgiven (drop_cgroup_if_rootless); any other failure here falls back
	 * to it too. */
	bool v2_pending = false, v1_by_init = false;
	if (c->cgroup != NULL) {
		_cleanup_error_ strata_error_t cerr = NULL;
		cgroup_fd = cgroup_clone_into_fd(c->cgroup, &cerr);
		/* ENOTSUP: no cgroup v2 directory to join; any other failure
		 * (the fd move included) leaves the join to cgroup_enter. */
		v2_pending = cgroup_fd >= 0 || cerr->code != ENOTSUP;
		cgroup_fd = fd_move_above(cgroup_fd, min_fd);
		_cleanup_error_ strata_error_t terr = NULL;
		if (!o->rootless && cgroup_v1_tasks_open(c->cgroup, &tasks_fds, &tasks_n, &terr) == 0) {
			v1_by_init = true;
			for (size_t i = 0; i < tasks_n; i++) {
				tasks_fds[i] = fd_move_above(tasks_fds[i], min_fd);
				v1_by_init = v1_by_init && tasks_fds[i] >= 0;
			}
			if (v1_by_init) {
				ctx.cgroup_tasks_fds = tasks_fds;
				ctx.cgroup_tasks_n = tasks_n;
			} else { /* out of fds: cgroup_enter joins v1 too */
				for (size_t i = 0; i < tasks_n; i++)
					if (tasks_fds[i] >= 0)
						close(tasks_fds[i]);
				tasks_n = 0;
			}
		} else if (terr != NULL) {
			log_debug("cgroup v1 tasks: %s; joining through cgroup.procs", terr->msg);
		}
	}
	if (spawn_init(&ctx, pair[0], cgroup_fd, &pid, &in_cgroup, err) < 0) {
		pid = -1;
		goto out;
	}
	if (in_cgroup)
		v2_pending = false;
	for (size_t i = 0; i < tasks_n; i++)
		close(tasks_fds[i]);
	tasks_n = 0;
	close(pair[1]);
	pair[1] = -1;
	log_debug("container %s: init pid %d", c->state.id, (int)pid);

	if (plan.new_ns[OCI_NS_USER]) {
		/* An unprivileged caller may only write gid_map after denying
		 * setgroups (user_namespaces(7)); root keeps setgroups allowed, or
		 * process.user.additionalGids could not be applied. */
		if (geteuid() != 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
			if (write_file_at(AT_FDCWD, path, "deny", 4, 0, err) < 0)
				goto out;
		}
		if (write_id_map(pid, "uid_map", config->linux_->uid_mappings, config->linux_->uid_mappings_len, err) < 0 ||
		    write_id_map(pid, "gid_map", config->linux_->gid_mappings, config->linux_->gid_mappings_len, err) < 0)
			goto out;
	}
	if (c->cgroup != NULL && (v2_pending || !v1_by_init) && cgroup_enter(c->cgroup, pid, err) < 0) {
		if (!drop_cgroup_if_rootless(c, o->rootless, res, err))
			goto out;
		cgroup_made = false;
		free(c->state.cgroup);
		c->state.cgroup = NULL;
	}
	if (sync_send(pair[0], SYNC_CONTINUE, 0, NULL, 0) < 0) {
		strata_error_errno(err, errno, "send CONTINUE to container init");
		goto out;
	}
	if (serve_init(c, config, pair[0], pid, err) < 0)
		goto out;

	c->state.pid = pid;
	c->state.pid_start_time = proc_start_time(pid);
	if (c->state.pid_start_time == 0) {
		strata_error_set(err, ECHILD, "container init exited during setup");
		goto out;
	}
	ret = 0;
out:
	if (ret < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		if (cgroup_made) {
			_cleanup_error_ strata_error_t cerr = NULL;
			if (cgroup_destroy(c->cgroup, &cerr) < 0)
				log_warning("rollback: %s", cerr->msg);
		}
		if (fifo_path != NULL)
			unlinkat(c->dir_fd, NATIVE_EXEC_FIFO, 0);
		c->state.pid = 0;
	}
	for (size_t i = 0; i < tasks_n; i++)
		close(tasks_fds[i]);
	if (pair[0] >= 0)
		close(pair[0]);
	if (pair[1] >= 0)
		close(pair[1]);
	ns_plan_close(&plan);
	return ret;
}

int native_wait_gone(struct container *c, int timeout_ms)
{
	for (int waited = 0;; waited += 10) {
		if (container_init_pid(c) == 0)
			return 0;
		if (waited >= timeout_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int native_start(struct container *c, strata_error_t *err)
{
	/* O_NONBLOCK: the open returns at once; the init's blocked open for
	 * writing then completes and it writes its byte. */
	_cleanup_close_ int fd = openat(c->dir_fd, NATIVE_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open exec fifo");
	/* Read the init's byte, then wait for EOF: the init keeps its end open
	 * (close-on-exec) until execve, so EOF means the container's program
	 * runs.  Text after the byte is the init's error (init.c). */
	bool got = false;
	char why[1024];
	size_t why_len = 0;
	for (;;) {
		char buf[256];
		ssize_t n = read(fd, buf, got ? sizeof(buf) : 1);
		if (n > 0) {
			size_t skip = got ? 0 : 1;
			got = true;
			size_t take = (size_t)n - skip;
			if (take > sizeof(why) - 1 - why_len)
				take = sizeof(why) - 1 - why_len;
			memcpy(why + why_len, buf + skip, take);
			why_len += take;
			continue;
		}
		if (n == 0 && got)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return strata_error_errno(err, errno, "read exec fifo");
		if (container_init_pid(c) == 0) {
			if (got)
				break;
			return strata_error_set(err, ESRCH, "container init exited before start");
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		poll(&pfd, 1, got ? 10 : 50);
	}
	if (unlinkat(c->dir_fd, NATIVE_EXEC_FIFO, 0) < 0 && errno != ENOENT)
		return strata_error_errno(err, errno, "remove exec fifo");
	if (why_len > 0) {
		why[why_len] = '\0';
		return strata_error_set(err, EINVAL, "unable to start container process: %s", why);
	}
	return 0;
}
