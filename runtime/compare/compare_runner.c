/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_runner.c - run a workload, or the idle container, in one subject
 * (a strata isolation level or a peer runtime), the way a user would: the
 * runtime's own `run`, or `create` + `start` + `kill` + `delete` (compare.h).
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "compare.h"

/* Per-command time limit of the lifecycle commands (create, start, kill, delete), ms. */
#define LIFECYCLE_TIMEOUT_MS 30000

static void force_delete(struct compare_subject *s, const char *id);

char **compare_subject_argv(const struct compare_subject *s, const char *verb, char *const *extra)
{
	const char *head[8];
	size_t h = 0;
	head[h++] = s->exe;
	head[h++] = "--root";
	head[h++] = s->state_root;
	if (s->kind == COMPARE_LEVEL) {
		head[h++] = "--isolation";
		head[h++] = s->name;
	} else if (strcmp(s->name, "crun") == 0) {
		head[h++] = "--cgroup-manager=disabled";
	} else if (strcmp(s->name, "runsc") == 0) {
		head[h++] = "--network=none"; /* the sandbox gets only loopback, like the others' empty netns */
		head[h++] = "--ignore-cgroups";
	}
	head[h++] = verb;
	size_t n = 0;
	while (extra[n] != NULL)
		n++;
	char **v = calloc(h + n + 1, sizeof(char *));
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < h + n; i++) {
		v[i] = strdup(i < h ? head[i] : extra[i - h]);
		if (v[i] == NULL) {
			cleanup_strvp(&v);
			return NULL;
		}
	}
	return v;
}

void compare_sweep(struct compare_subject *s, pid_t self)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "strata-compare-%d-", (int)self);
	_cleanup_closedir_ DIR *d = opendir(s->state_root);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		/* runtimes name their state entries after the id, some with a prefix or suffix */
		const char *at = strstr(de->d_name, prefix);
		if (at == NULL)
			continue;
		char id[128];
		size_t n = strlen(prefix);
		while (n < sizeof(id) - 1 && at[n] >= '0' && at[n] <= '9')
			n++;
		snprintf(id, sizeof(id), "%.*s", (int)n, at);
		force_delete(s, id);
	}
}

void compare_reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int compare_result_value(const char *out, const char *name, double *value)
{
	size_t nl = strlen(name);
	for (const char *p = out; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, "strata-bench ", 13) == 0 && strncmp(p + 13, name, nl) == 0 && p[13 + nl] == ' ') {
			char *end;
			double v = strtod(p + 14 + nl, &end);
			if (end != p + 14 + nl) {
				*value = v;
				return 0;
			}
		}
	}
	return -1;
}

static bool is_crun(const struct compare_subject *s)
{
	return s->kind == COMPARE_PEER && strcmp(s->name, "crun") == 0;
}

/*
 * crun 1.8 accepts only ociVersion 1.0.x ("unknown version specified"); the
 * fields the bundle uses are the same in 1.0.2, so crun gets that version.
 */
static const char *oci_version_for(const struct compare_subject *s, const struct compare_env *env)
{
	if (is_crun(s) && (env->oci_version == NULL || strncmp(env->oci_version, "1.0.", 4) != 0))
		return "1.0.2";
	return NULL;
}

/* Run one lifecycle verb on id; on failure *err holds its last stderr line. */
static int lifecycle(struct compare_subject *s, const char *verb, char *const *extra, int *keep_out,
		     struct compare_output *o, strata_error_t *err)
{
	_cleanup_strv_ char **argv = compare_subject_argv(s, verb, extra);
	if (argv == NULL)
		return strata_error_errno(err, ENOMEM, "%s argv", verb);
	if (compare_spawn_run(argv, is_crun(s), LIFECYCLE_TIMEOUT_MS, o, keep_out, err) < 0)
		return -1;
	return 0;
}

const char *compare_last_line(const char *text, char *buf, size_t n)
{
	const char *end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(buf, n, "%.*s", (int)(end - start), start);
	/* runc-style log lines (time="..." level=error msg="..."): keep the message */
	char *msg = strstr(buf, " msg=\"");
	if (msg != NULL) {
		msg += 6;
		size_t len = strlen(msg);
		if (len > 0 && msg[len - 1] == '"')
			msg[--len] = '\0';
		memmove(buf, msg, len + 1);
	}
	return buf;
}

/* Best-effort removal of a container after a failure. */
static void force_delete(struct compare_subject *s, const char *id)
{
	char *const extra[] = { "--force", (char *)id, NULL };
	struct compare_output o;
	_cleanup_error_ strata_error_t e = NULL;
	if (lifecycle(s, "delete", extra, NULL, &o, &e) == 0)
		compare_output_free(&o);
	compare_reap();
}

int compare_run_workload(struct compare_subject *s, struct compare_env *env, const char *id, char *const *args,
			 int timeout_ms, struct compare_output *o, strata_error_t *err)
{
	if (compare_env_set_args(env, args, oci_version_for(s, env), err) < 0)
		return -1;
	char *const extra[] = { "--bundle", env->bundle, (char *)id, NULL };
	_cleanup_strv_ char **argv = compare_subject_argv(s, "run", extra);
	if (argv == NULL)
		return strata_error_errno(err, ENOMEM, "run argv");
	int r = compare_spawn_run(argv, is_crun(s), timeout_ms, o, NULL, err);
	compare_reap();
	if (r == 0 && o->status != 0) {
		force_delete(s, id);
		const pid_t target_only[] = { env->target_pid, 0 };
		compare_kill_strays(env->self, target_only);
	}
	return r;
}

/* Wait up to timeout_ms for a line "strata-bench idle_ready" on fd. */
static int wait_ready(int fd, int timeout_ms)
{
	char buf[4096];
	size_t len = 0;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		long el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= timeout_ms)
			return -1;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)(timeout_ms - el)) <= 0)
			continue;
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "strata-bench idle_ready") != NULL)
			return 0;
		if (len == sizeof(buf) - 1)
			len = 0;
	}
}

int compare_run_idle(struct compare_subject *s, struct compare_env *env, const char *id, double *mib,
		     strata_error_t *err)
{
	char prog[128];
	char *const args[] = { compare_env_path(env, "bench-idle", prog, sizeof(prog)), NULL };
	char line[512];
	if (compare_env_set_args(env, args, oci_version_for(s, env), err) < 0)
		return -1;
	struct compare_output o;
	_cleanup_close_ int out = -1;
	char *const create_extra[] = { "--bundle", env->bundle, (char *)id, NULL };
	if (lifecycle(s, "create", create_extra, &out, &o, err) < 0)
		return -1;
	if (o.status != 0) {
		strata_error_set(err, EIO, "create: %s", compare_last_line(o.err, line, sizeof(line)));
		compare_output_free(&o);
		force_delete(s, id);
		const pid_t target_only[] = { env->target_pid, 0 };
		compare_kill_strays(env->self, target_only);
		return -1;
	}
	compare_output_free(&o);
	char *const id_only[] = { (char *)id, NULL };
	const pid_t exclude[] = { env->target_pid, 0 };
	int r = -1;
	if (lifecycle(s, "start", id_only, NULL, &o, err) < 0)
		goto out;
	if (o.status != 0) {
		strata_error_set(err, EIO, "start: %s", compare_last_line(o.err, line, sizeof(line)));
		compare_output_free(&o);
		goto out;
	}
	compare_output_free(&o);
	if (wait_ready(out, 60000) < 0) {
		strata_error_set(err, ETIMEDOUT, "the idle container printed no ready line within 60 s");
		goto out;
	}
	r = compare_pss_runtime_mib(env->self, exclude, "bench-idle", mib, err);
out:;
	char *const kill_extra[] = { (char *)id, "KILL", NULL };
	if (lifecycle(s, "kill", kill_extra, NULL, &o, NULL) == 0)
		compare_output_free(&o);
	force_delete(s, id);
	compare_kill_strays(env->self, exclude);
	return r;
}
