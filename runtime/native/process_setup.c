/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_setup.c - rlimits, oomScoreAdj, executable lookup (see process_setup.h).
 */
#include "process_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },	     { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },	     { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },	     { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },    { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },    { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

int rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (strcmp(rlimit_names[i].name, name) == 0)
			return rlimit_names[i].resource;
	return -1;
}

int rlimits_apply(const struct oci_process *p, strata_error_t *err)
{
	for (size_t i = 0; i < p->rlimits_len; i++) {
		const struct oci_rlimit *r = &p->rlimits[i];
		int res = rlimit_from_name(r->type);
		if (res < 0)
			return strata_error_set(err, EINVAL, "unknown rlimit `%s`", r->type);
		struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };
		if (setrlimit(res, &rl) < 0)
			return strata_error_errno(err, errno, "error setting rlimit type %d (%s)", res, r->type);
	}
	return 0;
}

int oom_score_adj_apply(const struct oci_process *p, strata_error_t *err)
{
	if (!p->has_oom_score_adj)
		return 0;
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)p->oom_score_adj);
	_cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, buf, (size_t)n) < 0)
		return strata_error_errno(err, errno, "failed to update /proc/self/oom_score_adj");
	return 0;
}

const char *env_lookup(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (char *const *e = env; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* 0 when path is an executable regular file; else -1 with errno. */
static int check_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

int exec_path_resolve(const char *arg0, char *const *env, char **out, strata_error_t *err)
{
	if (arg0 == NULL || arg0[0] == '\0')
		return strata_error_set(err, EINVAL, "process.args must not be empty");
	if (strchr(arg0, '/') != NULL) {
		if (check_executable(arg0) < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				return strata_error_set(err, ENOENT, "exec: \"%s\": stat %s: no such file or directory", arg0,
							arg0);
			if (errno == EISDIR)
				return strata_error_set(err, EACCES, "exec: \"%s\": is a directory", arg0);
			return strata_error_set(err, EACCES, "exec: \"%s\": permission denied", arg0);
		}
		*out = strdup(arg0);
		return *out != NULL ? 0 : strata_error_errno(err, ENOMEM, "exec");
	}
	const char *path = env_lookup(env, "PATH");
	if (path != NULL) {
		_cleanup_free_ char *copy = strdup(path);
		if (copy == NULL)
			return strata_error_errno(err, ENOMEM, "exec");
		char *save = NULL;
		/* An empty PATH element means the current directory, as in execvp(3). */
		for (char *dir = copy; dir != NULL; dir = save) {
			save = strchr(dir, ':');
			if (save != NULL)
				*save++ = '\0';
			_cleanup_free_ char *cand = NULL;
			if (asprintf(&cand, "%s/%s", dir[0] != '\0' ? dir : ".", arg0) < 0)
				return strata_error_errno(err, ENOMEM, "exec");
			if (check_executable(cand) == 0) {
				*out = steal_pointer(&cand);
				return 0;
			}
		}
	}
	return strata_error_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
}

char *passwd_home(uid_t uid)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *fields[7] = { 0 };
		char *p = line;
		int n = 0;
		for (char *tok = strsep(&p, ":"); tok != NULL && n < 7; tok = strsep(&p, ":"))
			fields[n++] = tok;
		if (n >= 6 && strtoul(fields[2], NULL, 10) == uid) {
			fields[5][strcspn(fields[5], "\n")] = '\0';
			return strdup(fields[5][0] != '\0' ? fields[5] : "/");
		}
	}
	return strdup("/");
}
