/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_env.c - the temporary world of one `strata compare` (compare.h):
 *
 *     TMP/bundle/config.json   the user's config, edited (args per workload)
 *     TMP/bench/               the workloads, small.txt, scratch/ (bind-mounted ro
 *                              at /dev/.strata-bench, or /.strata-bench without a /dev tmpfs)
 *     TMP/host-secret          a host file the probe tries to read from inside
 *     TMP/state-NAME/          the --root of each subject
 *
 * The user's bundle is only read.  The rootfs is referenced by its absolute
 * path, not copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "compare.h"

static const char *const WORKLOADS[] = { "bench-true", "bench-idle", "bench-getpid", "bench-open", "bench-seqread",
					 "bench-pipe", "bench-forkexec", "bench-probe", NULL };

char *compare_workloads_dir(const char *self_exe, strata_error_t *err)
{
	const char *env = getenv("STRATA_WORKLOADS_DIR");
	_cleanup_free_ char *copy = strdup(self_exe != NULL ? self_exe : "/proc/self/exe");
	if (copy == NULL) {
		strata_error_errno(err, ENOMEM, "workloads dir");
		return NULL;
	}
	const char *dir = dirname(copy);
	char cand[3][PATH_MAX];
	int n = 0;
	if (env != NULL && *env != '\0')
		snprintf(cand[n++], PATH_MAX, "%s", env);
	snprintf(cand[n++], PATH_MAX, "%s/workloads", dir);
	snprintf(cand[n++], PATH_MAX, "%s/../libexec/strata", dir);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *probe = NULL;
		if (asprintf(&probe, "%s/bench-probe", cand[i]) < 0) {
			probe = NULL;
			continue;
		}
		if (access(probe, X_OK) == 0) {
			char *r = realpath(cand[i], NULL);
			if (r == NULL)
				strata_error_errno(err, errno, "resolve `%s`", cand[i]);
			return r;
		}
	}
	strata_error_set(err, ENOENT,
			 "workloads not found (bench-probe in $STRATA_WORKLOADS_DIR, %s/workloads or "
			 "%s/../libexec/strata): run `make workloads`",
			 dir, dir);
	return NULL;
}

static int copy_file(const char *from, const char *to, mode_t mode, strata_error_t *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (read_file_at(AT_FDCWD, from, &data, &len, err) < 0)
		return -1;
	if (write_file_at(AT_FDCWD, to, data, len, mode, err) < 0)
		return -1;
	return chmod(to, mode) < 0 ? strata_error_errno(err, errno, "chmod `%s`", to) : 0;
}

static struct json_value *new_object(void)
{
	struct json_value *v = calloc(1, sizeof(*v));
	if (v != NULL)
		v->type = JSON_OBJECT;
	return v;
}

/* A mounts[] entry: {"destination","type","source","options"}. */
static struct json_value *new_mount(const char *dest, const char *type, const char *source, char *const *options,
				    strata_error_t *err)
{
	struct json_value *m = new_object();
	if (m == NULL) {
		strata_error_errno(err, ENOMEM, "mount entry");
		return NULL;
	}
	if (compare_config_set(m, "destination", compare_json_new_string(dest), err) < 0 ||
	    compare_config_set(m, "type", compare_json_new_string(type), err) < 0 ||
	    compare_config_set(m, "source", compare_json_new_string(source), err) < 0 ||
	    compare_config_set(m, "options", compare_json_new_strv(options), err) < 0) {
		json_free(m);
		return NULL;
	}
	return m;
}

static int array_append(struct json_value *arr, struct json_value *v, strata_error_t *err)
{
	if (v == NULL)
		return -1;
	struct json_value **n = reallocarray(arr->u.array.items, arr->u.array.len + 1, sizeof(void *));
	if (n == NULL) {
		json_free(v);
		return strata_error_errno(err, ENOMEM, "append a mount");
	}
	arr->u.array.items = n;
	arr->u.array.items[arr->u.array.len++] = v;
	return 0;
}

/* Edit the parsed config: absolute rootfs, no terminal, the two bench mounts. */
static int edit_config(struct compare_env *env, const char *user_bundle, strata_error_t *err)
{
	struct json_value *cfg = env->config;
	struct json_value *root = (struct json_value *)json_object_get(cfg, "root");
	const struct json_value *path = json_object_get(root, "path");
	if (path == NULL || path->type != JSON_STRING)
		return strata_error_set(err, EINVAL, "%s/config.json: root.path is missing", user_bundle);
	char joined[PATH_MAX];
	if (path->u.string.ptr[0] == '/')
		snprintf(joined, sizeof(joined), "%s", path->u.string.ptr);
	else
		snprintf(joined, sizeof(joined), "%s/%s", user_bundle, path->u.string.ptr);
	/* runc refuses a rootfs path that is a symlink: give every runtime the resolved one */
	_cleanup_free_ char *abs = realpath(joined, NULL);
	if (abs == NULL)
		return strata_error_errno(err, errno, "rootfs `%s`", joined);
	if (compare_config_set(root, "path", compare_json_new_string(abs), err) < 0)
		return -1;
	struct json_value *proc = (struct json_value *)json_object_get(cfg, "process");
	if (proc == NULL || proc->type != JSON_OBJECT)
		return strata_error_set(err, EINVAL, "%s/config.json: process is missing", user_bundle);
	if (compare_config_set(proc, "terminal", compare_json_new_bool(false), err) < 0)
		return -1;
	struct json_value *mounts = (struct json_value *)json_object_get(cfg, "mounts");
	if (mounts == NULL || mounts->type != JSON_ARRAY) {
		static char *const none[] = { NULL };
		if (compare_config_set(cfg, "mounts", compare_json_new_strv(none), err) < 0)
			return -1;
		mounts = (struct json_value *)json_object_get(cfg, "mounts");
	}
	/* The user's rootfs is not ours to change: put the mount point in the runtime's /dev tmpfs when there is one. */
	env->bench_mount = COMPARE_BENCH_MOUNT_TOP;
	for (size_t i = 0; i < mounts->u.array.len; i++) {
		const struct json_value *m = mounts->u.array.items[i];
		const struct json_value *dst = json_object_get(m, "destination"), *type = json_object_get(m, "type");
		if (dst != NULL && dst->type == JSON_STRING && strcmp(dst->u.string.ptr, "/dev") == 0 && type != NULL &&
		    type->type == JSON_STRING && strcmp(type->u.string.ptr, "tmpfs") == 0)
			env->bench_mount = COMPARE_BENCH_MOUNT_DEV;
	}
	/* read-only: a container must not be able to change the programs the next level runs */
	static char *const bind_opts[] = { "rbind", "ro", "nosuid", "nodev", NULL };
	static char *const tmpfs_opts[] = { "nosuid", "nodev", "mode=1777", "size=128m", NULL };
	char scratch[128];
	if (array_append(mounts, new_mount(env->bench_mount, "bind", env->bench_dir, bind_opts, err), err) < 0 ||
	    array_append(mounts, new_mount(compare_env_path(env, "scratch", scratch, sizeof(scratch)), "tmpfs", "tmpfs",
					   tmpfs_opts, err), err) < 0)
		return -1;
	return 0;
}

/* The probe's host targets: an idle child with a known name, a listening abstract socket. */
static int start_targets(struct compare_env *env, strata_error_t *err)
{
	env->target_comm = "strata-target";
	pid_t pid = fork();
	if (pid < 0)
		return strata_error_errno(err, errno, "fork the probe target");
	if (pid == 0) {
		prctl(PR_SET_NAME, "strata-target");
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	env->target_pid = pid;
	if (asprintf(&env->abstract_name, "strata-compare-%d", (int)env->self) < 0) {
		env->abstract_name = NULL;
		return strata_error_errno(err, ENOMEM, "socket name");
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(env->abstract_name);
	memcpy(sa.sun_path + 1, env->abstract_name, len);
	env->abstract_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (env->abstract_fd < 0)
		return strata_error_errno(err, errno, "socket");
	if (bind(env->abstract_fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) < 0 ||
	    listen(env->abstract_fd, 128) < 0)
		return strata_error_errno(err, errno, "listen on @%s", env->abstract_name);
	return 0;
}

int compare_env_setup(const char *user_bundle, const char *workloads_dir, struct compare_env *env,
		      strata_error_t *err)
{
	memset(env, 0, sizeof(*env));
	env->abstract_fd = -1;
	env->self = getpid();
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/config.json", user_bundle);
	if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
		return -1;
	_cleanup_free_ char *perr = NULL;
	if (json_parse(text, len, &env->config, &perr) < 0)
		return strata_error_set(err, EINVAL, "%s: %s", path, perr ? perr : "out of memory");
	/* the workloads run from here (bind-mounted): a noexec /tmp cannot hold them */
	struct statvfs vfs;
	bool tmp_noexec = statvfs("/tmp", &vfs) == 0 && (vfs.f_flag & ST_NOEXEC);
	char tmpl[] = "/var/tmp/strata-compare.XXXXXX";
	char *base = tmp_noexec ? tmpl : tmpl + 4; /* "/var/tmp/..." or "/tmp/..." */
	if (mkdtemp(base) == NULL)
		return strata_error_errno(err, errno, "mkdtemp `%s`", base);
	if ((env->tmp = strdup(base)) == NULL || asprintf(&env->bundle, "%s/bundle", base) < 0 ||
	    asprintf(&env->bench_dir, "%s/bench", base) < 0 || asprintf(&env->host_file, "%s/host-secret", base) < 0)
		goto nomem;
	/* The dir is 0700 from mkdtemp; runtimes run as root, and the rootless ones are not compared. */
	snprintf(path, sizeof(path), "%s/scratch", env->bench_dir);
	if (mkdir(env->bundle, 0700) < 0 || mkdir(env->bench_dir, 0755) < 0 || mkdir(path, 0755) < 0) {
		strata_error_errno(err, errno, "mkdir in `%s`", env->tmp);
		goto fail;
	}
	for (const char *const *w = WORKLOADS; *w != NULL; w++) {
		char from[PATH_MAX], to[PATH_MAX];
		snprintf(from, sizeof(from), "%s/%s", workloads_dir, *w);
		snprintf(to, sizeof(to), "%s/%s", env->bench_dir, *w);
		if (copy_file(from, to, 0755, err) < 0)
			goto fail;
	}
	char small[1024];
	memset(small, 'x', sizeof(small));
	snprintf(path, sizeof(path), "%s/small.txt", env->bench_dir);
	if (write_file_at(AT_FDCWD, path, small, sizeof(small), 0644, err) < 0)
		goto fail;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (asprintf(&env->token, "strata-host-secret-%d-%ld", (int)env->self, (long)ts.tv_nsec) < 0) {
		env->token = NULL;
		goto nomem;
	}
	if (write_file_at(AT_FDCWD, env->host_file, env->token, strlen(env->token), 0644, err) < 0)
		goto fail;
	const struct json_value *ver = json_object_get(env->config, "ociVersion");
	if (ver != NULL && ver->type == JSON_STRING && (env->oci_version = strdup(ver->u.string.ptr)) == NULL)
		goto nomem;
	if (edit_config(env, user_bundle, err) < 0 || start_targets(env, err) < 0)
		goto fail;
	return 0;
nomem:
	strata_error_errno(err, ENOMEM, "compare setup");
fail:
	compare_env_cleanup(env);
	return -1;
}

int compare_env_set_args(struct compare_env *env, char *const *args, const char *oci_version, strata_error_t *err)
{
	struct json_value *proc = (struct json_value *)json_object_get(env->config, "process");
	if (compare_config_set(proc, "args", compare_json_new_strv(args), err) < 0)
		return -1;
	const char *ver = oci_version != NULL ? oci_version : env->oci_version;
	if (ver != NULL && compare_config_set(env->config, "ociVersion", compare_json_new_string(ver), err) < 0)
		return -1;
	_cleanup_free_ char *text = compare_json_serialize(env->config);
	if (text == NULL)
		return strata_error_errno(err, ENOMEM, "serialise config.json");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", env->bundle);
	return write_file_atomic(path, text, strlen(text), 0644, err);
}

char *compare_env_path(const struct compare_env *env, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", env->bench_mount, name);
	return buf;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void compare_env_cleanup(struct compare_env *env)
{
	if (env->target_pid > 0) {
		kill(env->target_pid, SIGKILL);
		waitpid(env->target_pid, NULL, 0);
		env->target_pid = 0;
	}
	if (env->abstract_fd >= 0)
		close(env->abstract_fd);
	env->abstract_fd = -1;
	/* FTW_MOUNT: never descend into a mount, should a runtime have left one behind */
	if (env->tmp != NULL)
		nftw(env->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	json_free(env->config);
	free(env->tmp);
	free(env->bundle);
	free(env->bench_dir);
	free(env->host_file);
	free(env->token);
	free(env->abstract_name);
	free(env->oci_version);
	memset(env, 0, sizeof(*env));
	env->abstract_fd = -1;
}
