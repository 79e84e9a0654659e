/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_ps.c - `strata ps [--format|-f table|json] ID [PS-ARGS...]`.
 *   json:  a JSON array of the host pids in the container's cgroup, e.g.
 *          [12854] (containerd's shim maps them to exec ids).
 *   table: runs the host's `ps PS-ARGS` (default `-ef`), finds the PID
 *          column in its header and prints the header plus the lines whose
 *          PID is in the cgroup (what go-runc's Top parses).
 * Source: client-contract.md §3.1 and §3.3; ps(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "commands.h"
#include "container.h"
#include "options.h"

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Run `ps args...` and return its stdout (heap). */
static int run_ps(int nargs, char **args, char **out, strata_error_t *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return strata_error_errno(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return strata_error_errno(err, errno, "fork");
	}
	if (pid == 0) {
		dup2(p[1], 1);
		/* podman runs the runtime without PATH: give ps a usual one. */
		if (getenv("PATH") == NULL)
			setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
		char **argv = calloc((size_t)nargs + 3, sizeof(char *));
		if (argv == NULL)
			_exit(127);
		argv[0] = (char *)"ps";
		if (nargs == 0)
			argv[1] = (char *)"-ef";
		for (int i = 0; i < nargs; i++)
			argv[i + 1] = args[i];
		execvp("ps", argv);
		_exit(127);
	}
	close(p[1]);
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (buf == NULL)
			break;
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(p[0], buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(p[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (buf == NULL)
		return strata_error_errno(err, ENOMEM, "read ps output");
	buf[len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(buf);
		return strata_error_set(err, EIO, "ps: exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	}
	*out = buf;
	return 0;
}

static int print_table(const pid_t *pids, size_t n, int nargs, char **args, strata_error_t *err)
{
	_cleanup_free_ char *out = NULL;
	if (run_ps(nargs, args, &out, err) < 0)
		return -1;
	char *save = NULL;
	char *header = strtok_r(out, "\n", &save);
	if (header == NULL)
		return strata_error_set(err, EIO, "ps printed nothing");
	int col = -1, k = 0;
	{
		_cleanup_free_ char *h = strdup(header);
		if (h == NULL)
			return strata_error_errno(err, ENOMEM, "ps");
		for (char *s2 = NULL, *t = strtok_r(h, " \t", &s2); t != NULL; t = strtok_r(NULL, " \t", &s2), k++)
			if (strcmp(t, "PID") == 0) {
				col = k;
				break;
			}
	}
	if (col < 0)
		return strata_error_set(err, EINVAL, "couldn't find PID field in ps output");
	printf("%s\n", header);
	for (char *line = strtok_r(NULL, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *l = strdup(line);
		if (l == NULL)
			return strata_error_errno(err, ENOMEM, "ps");
		k = 0;
		long pid = -1;
		for (char *s2 = NULL, *t = strtok_r(l, " \t", &s2); t != NULL; t = strtok_r(NULL, " \t", &s2), k++)
			if (k == col) {
				pid = strtol(t, NULL, 10);
				break;
			}
		if (has_pid(pids, n, pid))
			printf("%s\n", line);
	}
	return 0;
}

int cmd_ps(const struct strata_global_opts *g, int argc, char **argv)
{
	const char *format = "table";
	const struct opt_spec specs[] = { { "format", 'f', OPT_STRING, &format }, { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int first = 0;
	if (opts_parse(specs, argc, argv, &first, &err) < 0)
		goto fail;
	if (first >= argc) {
		strata_error_set(&err, EINVAL, "`ps` requires a minimum of 1 argument(s)");
		goto fail;
	}
	if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
		strata_error_set(&err, EINVAL, "invalid format option");
		goto fail;
	}
	if (container_load(g->root, argv[first], CONTAINER_LOCK_SHARED, &c, &err) < 0)
		goto fail;
	if (c->cgroup != NULL && cgroup_pids(c->cgroup, &pids, &n, &err) < 0)
		goto fail;
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	if (print_table(pids, n, argc - first - 1, argv + first + 1, &err) < 0)
		goto fail;
	return 0;
fail:
	log_error("%s", err->msg);
	return 1;
}
