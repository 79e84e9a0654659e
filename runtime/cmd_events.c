/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_events.c - `strata events [--stats] [--interval DURATION] ID`.
 *   --stats      print one {"type":"stats","id":ID,"data":{...}} line and exit
 *                (data: cgroups/stats.c, runc's shape, decoded by go-runc Stats)
 *   otherwise    every --interval (Go duration: "5s" default, "500ms", "1m30s";
 *                a bare number means seconds) print a stats line, and print
 *                {"type":"oom","id":ID} as soon as the OOM killer acts in the
 *                container's cgroup; stop when the container's init exits.
 * The container lock is held only while reading the state, so a long
 * `events` never blocks `delete`.
 * Source: client-contract.md §3.1, §3.3; runc events --help.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "container.h"
#include "options.h"

/* Go's time.ParseDuration subset; a bare number is seconds.  Milliseconds. */
static int parse_interval(const char *s, long long *ms, strata_error_t *err)
{
	double total = 0;
	const char *p = s;
	if (*p == '\0')
		return strata_error_set(err, EINVAL, "invalid interval `%s`", s);
	while (*p != '\0') {
		char *end = NULL;
		double v = strtod(p, &end);
		if (end == p || v < 0)
			return strata_error_set(err, EINVAL, "invalid interval `%s`", s);
		p = end;
		double unit = 1000;
		if (strncmp(p, "ns", 2) == 0) {
			unit = 1e-6;
			p += 2;
		} else if (strncmp(p, "us", 2) == 0 || strncmp(p, "\xc2\xb5s", 3) == 0) {
			unit = 1e-3;
			p += p[0] == 'u' ? 2 : 3;
		} else if (strncmp(p, "ms", 2) == 0) {
			unit = 1;
			p += 2;
		} else if (*p == 's') {
			p++;
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else if (*p != '\0') {
			return strata_error_set(err, EINVAL, "invalid interval `%s`", s);
		}
		total += v * unit;
	}
	if (total < 1)
		return strata_error_set(err, EINVAL, "invalid interval `%s`: must be at least 1ms", s);
	*ms = (long long)total;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int print_stats(struct cgroup_manager *m, const char *id, strata_error_t *err)
{
	_cleanup_free_ char *data = NULL;
	if (cgroup_stats_json(m, &data, err) < 0)
		return -1;
	printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
	fflush(stdout);
	return 0;
}

static void manager_freep(struct cgroup_manager **m)
{
	cgroup_manager_free(*m);
	*m = NULL;
}

int cmd_events(const struct strata_global_opts *g, int argc, char **argv)
{
	bool stats = false;
	const char *interval = "5s";
	const struct opt_spec specs[] = { { "stats", 0, OPT_BOOL, &stats },
					  { "interval", 0, OPT_STRING, &interval },
					  { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	__attribute__((cleanup(manager_freep))) struct cgroup_manager *m = NULL;
	_cleanup_free_ char *id = NULL;
	int first = 0;
	const char *arg = NULL;
	long long period = 0;
	pid_t pid = 0;
	unsigned long long start = 0;
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || (arg = opts_one_id("events", argc, argv, first, &err)) == NULL ||
	    parse_interval(interval, &period, &err) < 0)
		goto fail;
	{
		_cleanup_container_ struct container *c = NULL;
		if (container_load(g->root, arg, CONTAINER_LOCK_SHARED, &c, &err) < 0)
			goto fail;
		if (container_status(c) == CONTAINER_STOPPED) {
			strata_error_set(&err, EINVAL, "container with id %s is not running", arg);
			goto fail;
		}
		if (c->state.cgroup == NULL) {
			strata_error_set(&err, ENOTSUP, "container `%s` has no cgroup", arg);
			goto fail;
		}
		if (cgroup_manager_load(c->state.cgroup, &m, &err) < 0)
			goto fail;
		pid = c->state.pid;
		start = c->state.pid_start_time;
		id = strdup(arg);
		if (id == NULL) {
			strata_error_errno(&err, ENOMEM, "events");
			goto fail;
		}
	} /* lock released here */
	if (stats)
		return print_stats(m, id, &err) < 0 ? (log_error("%s", err->msg), 1) : 0;

	_cleanup_close_ int oomfd = -1;
	{
		_cleanup_error_ strata_error_t oerr = NULL;
		if (cgroup_oom_open(m, &oomfd, &oerr) < 0)
			log_warning("events: no OOM notifications: %s", oerr->msg);
	}
	uint64_t oom_count = cgroup_oom_count(m);
	long long next = now_ms() + period;
	for (;;) {
		/* Once the init exited, report a pending OOM (it may be what
		 * killed the init) and stop. */
		bool dead = proc_start_time(pid) != start;
		long long left = next - now_ms();
		if (left <= 0 && !dead) {
			if (print_stats(m, id, &err) < 0)
				goto fail;
			next += period;
			continue;
		}
		struct pollfd pfd = { .fd = oomfd, .events = POLLIN };
		int timeout = dead ? 0 : (int)(left < 200 ? left : 200);
		int r = poll(&pfd, oomfd >= 0 ? 1 : 0, timeout);
		if (r < 0 && errno != EINTR) {
			strata_error_errno(&err, errno, "poll");
			goto fail;
		}
		if (r > 0 && (pfd.revents & POLLIN)) {
			bool oom = false;
			if (cgroup_oom_consume(m, oomfd, &oom_count, &oom, &err) < 0)
				goto fail;
			if (oom) {
				printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
				fflush(stdout);
			}
		}
		if (dead)
			return 0;
	}
fail:
	log_error("%s", err->msg);
	return 1;
}
