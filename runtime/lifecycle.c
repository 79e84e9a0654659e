/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lifecycle.c - create / start / delete steps shared by the commands (see lifecycle.h).
 */
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "container_json.h"
#include "isolation.h"
#include "native/hooks.h"
#include "native/native.h"

#define ISOLATION_ANNOTATION "io.strata.isolation"

int isolation_level_choose(const struct strata_global_opts *g, const struct oci_config *config,
			   enum isolation_level_id *out, strata_error_t *err)
{
	if (g->has_isolation) {
		*out = g->isolation;
		return 0;
	}
	const char *a = oci_string_map_get(&config->annotations, ISOLATION_ANNOTATION);
	if (a != NULL) {
		int lv = container_level_parse(a);
		if (lv < 0)
			return strata_error_set(err, EINVAL,
						"config.json: .annotations[\"%s\"]: unknown isolation level `%s` (native, sentry or vm)",
						ISOLATION_ANNOTATION, a);
		*out = (enum isolation_level_id)lv;
		return 0;
	}
	*out = g->argv0_level;
	return 0;
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	char *s = NULL;
	if (asprintf(&s, "%s.%09ldZ", date, ts.tv_nsec) < 0)
		return NULL;
	return s;
}

static int copy_string_map(struct oci_string_map *dst, const struct oci_string_map *src)
{
	if (src->len == 0)
		return 0;
	dst->keys = calloc(src->len, sizeof(char *));
	dst->values = calloc(src->len, sizeof(char *));
	if (dst->keys == NULL || dst->values == NULL)
		return -1;
	for (size_t i = 0; i < src->len; i++) {
		dst->keys[i] = strdup(src->keys[i]);
		dst->values[i] = strdup(src->values[i]);
		dst->len++;
		if (dst->keys[i] == NULL || dst->values[i] == NULL)
			return -1;
	}
	return 0;
}

/* The absolute, existing rootfs directory of config (root.path relative to the bundle). */
static int resolve_rootfs(const char *bundle, const struct oci_config *config, char **out, strata_error_t *err)
{
	if (config->root == NULL || config->root->path == NULL)
		return strata_error_set(err, EINVAL, "config.json: .root.path: required");
	_cleanup_free_ char *joined = NULL;
	const char *p = config->root->path;
	if (p[0] != '/') {
		if (asprintf(&joined, "%s/%s", bundle, p) < 0)
			return strata_error_errno(err, ENOMEM, "rootfs");
		p = joined;
	}
	char *real = realpath(p, NULL);
	struct stat st;
	if (real == NULL || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return strata_error_set(err, ENOENT, "rootfs `%s` does not exist: no such file or directory", p);
	}
	*out = real;
	return 0;
}

int lifecycle_create(const struct strata_global_opts *g, const char *id, const struct create_opts *o,
		     struct container **out, strata_error_t *err)
{
	if (container_id_validate(id, err) < 0)
		return -1;
	const char *bundle_arg = o->bundle != NULL && o->bundle[0] != '\0' ? o->bundle : ".";
	_cleanup_free_ char *bundle = realpath(bundle_arg, NULL);
	if (bundle == NULL)
		return strata_error_errno(err, errno, "bundle `%s`", bundle_arg);
	_cleanup_free_ char *config_path = NULL;
	if (asprintf(&config_path, "%s/config.json", bundle) < 0)
		return strata_error_errno(err, ENOMEM, "bundle");
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (read_file_at(AT_FDCWD, config_path, &text, &len, err) < 0)
		return -1;
	struct oci_config *config = NULL;
	if (oci_config_parse("config.json", text, len, &config, err) < 0)
		return -1;
	int ret = -1;
	struct container *c = NULL;
	enum isolation_level_id level;
	_cleanup_free_ char *rootfs = NULL;
	bool created = false;

	if (isolation_level_choose(g, config, &level, err) < 0)
		goto out;
	const struct isolation_ops *ops = NULL;
	if (isolation_ops_get(level, &ops, err) < 0)
		goto out;
	if (resolve_rootfs(bundle, config, &rootfs, err) < 0)
		goto out;
	if (container_new(g->root, id, &c, err) < 0)
		goto out;
	/* The config as it was at create: later commands (exec, delete's
	 * poststop hooks) must not see edits made to the bundle since. */
	if (write_file_at(c->dir_fd, "config.json", text, len, 0600, err) < 0)
		goto out;
	c->state.bundle = steal_pointer(&bundle);
	c->state.rootfs = steal_pointer(&rootfs);
	c->state.created = now_rfc3339();
	c->state.level = level;
	if (c->state.created == NULL || copy_string_map(&c->state.annotations, &config->annotations) < 0) {
		strata_error_errno(err, ENOMEM, "container state");
		goto out;
	}
	struct native_create_opts no = {
		.console_socket = o->console_socket,
		.console_fd = o->console_fd,
		.no_pivot = o->no_pivot,
		.no_new_keyring = o->no_new_keyring,
		.preserve_fds = o->preserve_fds,
		.systemd_cgroup = g->systemd_cgroup,
		.rootless = g->rootless,
	};
	if (ops->create(c, config, &no, err) < 0)
		goto out;
	created = true;
	if (container_save(c, err) < 0)
		goto out;
	if (o->pid_file != NULL) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%d", (int)c->state.pid);
		/* runc writes the pid without a newline; clients read it right away. */
		if (write_file_atomic(o->pid_file, buf, (size_t)n, 0644, err) < 0)
			goto out;
	}
	c->config = steal_pointer(&config);
	*out = steal_pointer(&c);
	ret = 0;
out:
	if (ret < 0 && c != NULL) {
		_cleanup_error_ strata_error_t derr = NULL;
		if (created) {
			/* The init is our child: kill and reap it. */
			kill(c->state.pid, SIGKILL);
			while (waitpid(c->state.pid, NULL, 0) < 0 && errno == EINTR)
				;
			if (c->cgroup != NULL && cgroup_destroy(c->cgroup, &derr) < 0)
				log_warning("rollback: %s", derr->msg);
		}
		if (container_destroy_dir(c, &derr) < 0)
			log_warning("rollback: %s", derr->msg);
	}
	container_free(c);
	oci_config_free(config);
	return ret;
}

static void run_warn_hooks(struct container *c, bool poststart)
{
	const struct oci_config *config = NULL;
	_cleanup_error_ strata_error_t err = NULL;
	if (container_config(c, &config, &err) < 0) {
		log_warning("%s", err->msg);
		return;
	}
	if (config->hooks == NULL)
		return;
	const struct oci_hook *h = poststart ? config->hooks->poststart : config->hooks->poststop;
	size_t n = poststart ? config->hooks->poststart_len : config->hooks->poststop_len;
	if (n == 0)
		return;
	_cleanup_free_ char *state = container_hook_state_json(&c->state, poststart ? "running" : "stopped",
								poststart ? c->state.pid : 0);
	if (state == NULL)
		return;
	/* Failures of poststart and poststop hooks are warnings (config.md#posix-platform-hooks). */
	if (hooks_run(h, n, poststart ? "poststart" : "poststop", state, &err) < 0)
		log_warning("%s", err->msg);
}

int lifecycle_start(struct container *c, strata_error_t *err)
{
	switch (container_status(c)) {
	case CONTAINER_CREATED:
		break;
	case CONTAINER_STOPPED:
		return strata_error_set(err, EINVAL, "cannot start a container that has stopped");
	case CONTAINER_RUNNING:
		return strata_error_set(err, EINVAL, "cannot start an already running container");
	default:
		return strata_error_set(err, EINVAL, "container is not in created state");
	}
	const struct isolation_ops *ops = NULL;
	if (isolation_ops_get(c->state.level, &ops, err) < 0 || ops->start(c, err) < 0)
		return -1;
	run_warn_hooks(c, true);
	return 0;
}

int lifecycle_delete(struct container *c, bool force, strata_error_t *err)
{
	enum container_status s = container_status(c);
	if ((s == CONTAINER_RUNNING || s == CONTAINER_PAUSED) && !force)
		return strata_error_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", c->state.id,
					container_status_name(s));
	if (s != CONTAINER_STOPPED) {
		pid_t pid = container_init_pid(c);
		if (pid > 0)
			kill(pid, SIGKILL);
		/* A frozen process does not die until thawed. */
		if (s == CONTAINER_PAUSED && c->cgroup != NULL) {
			_cleanup_error_ strata_error_t ferr = NULL;
			if (cgroup_freeze(c->cgroup, false, &ferr) < 0)
				log_warning("%s", ferr->msg);
		}
		if (native_wait_gone(c, 10000) < 0)
			return strata_error_errno(err, ETIMEDOUT, "container %s init did not exit after SIGKILL", c->state.id);
	}
	if (c->cgroup != NULL && cgroup_destroy(c->cgroup, err) < 0)
		return -1;
	run_warn_hooks(c, false);
	return container_destroy_dir(c, err);
}

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },	    { "QUIT", SIGQUIT },     { "ILL", SIGILL },	      { "TRAP", SIGTRAP },
	{ "ABRT", SIGABRT }, { "IOT", SIGIOT },	    { "BUS", SIGBUS },	     { "FPE", SIGFPE },	      { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },   { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT },     { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },     { "URG", SIGURG },	      { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },  { "WINCH", SIGWINCH },   { "IO", SIGIO },
	{ "POLL", SIGPOLL }, { "PWR", SIGPWR },	    { "SYS", SIGSYS },
};

int signal_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return -1;
	char *end = NULL;
	long n = strtol(s, &end, 10);
	if (*end == '\0')
		return (n > 0 && n <= SIGRTMAX) ? (int)n : -1;
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (strcasecmp(name, signal_names[i].name) == 0)
			return signal_names[i].sig;
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool min = strncasecmp(name, "RTMIN", 5) == 0;
		long off = 0;
		if (name[5] != '\0') {
			off = strtol(name + 5, &end, 10);
			if (*end != '\0')
				return -1;
		}
		int sig = (int)(min ? SIGRTMIN + off : SIGRTMAX + off);
		return (sig >= SIGRTMIN && sig <= SIGRTMAX) ? sig : -1;
	}
	return -1;
}
