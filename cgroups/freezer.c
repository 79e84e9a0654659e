/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * freezer.c - pause/resume: the v1 freezer (freezer.state FROZEN / FREEZING /
 * THAWED) and the v2 cgroup.freeze with the "frozen" key of cgroup.events.
 * Both return only once the kernel reports the state reached (bounded: 10 s).
 * Source: kernel Documentation/admin-guide/cgroup-v1/freezer-subsystem.rst,
 * cgroup-v2.rst (cgroup.freeze, cgroup.events).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "internal.h"

bool cgroup_v1_is_frozen(const struct cgroup_dir *freezer)
{
	_cleanup_free_ char *s = NULL;
	_cleanup_error_ strata_error_t e = NULL;
	if (cg_read(freezer->path, "freezer.state", &s, &e) < 0)
		return false;
	return strcmp(s, "FROZEN") == 0;
}

int cgroup_v1_freeze(const struct cgroup_dir *freezer, bool freeze, strata_error_t *err)
{
	const char *want = freeze ? "FROZEN" : "THAWED";
	/* The kernel passes through FREEZING; writing FROZEN again retries the
	 * tasks that were busy.  Bounded: 2000 x 5 ms = 10 s. */
	for (int i = 0; i < 2000; i++) {
		if (i % 20 == 0 && cg_write(freezer->path, "freezer.state", err, "%s", want) < 0)
			return strata_error_wrap(err, "%s", freeze ? "pause" : "resume");
		_cleanup_free_ char *s = NULL;
		if (cg_read(freezer->path, "freezer.state", &s, err) < 0)
			return -1;
		if (strcmp(s, want) == 0)
			return 0;
		usleep(5000);
	}
	if (freeze) {
		_cleanup_error_ strata_error_t e = NULL;
		cg_write(freezer->path, "freezer.state", &e, "THAWED");
	}
	return strata_error_set(err, EBUSY, "%s: `%s/freezer.state` did not reach %s in 10 s",
				freeze ? "pause" : "resume", freezer->path, want);
}

bool cgroup_v2_is_frozen(const struct cgroup_dir *d)
{
	_cleanup_free_ char *s = NULL;
	_cleanup_error_ strata_error_t e = NULL;
	if (cg_read(d->path, "cgroup.events", &s, &e) < 0)
		return false;
	uint64_t v = 0;
	return cg_keyed_u64(s, "frozen", &v) && v == 1;
}

int cgroup_v2_freeze(const struct cgroup_dir *d, bool freeze, strata_error_t *err)
{
	if (cg_write(d->path, "cgroup.freeze", err, "%d", freeze ? 1 : 0) < 0)
		return strata_error_wrap(err, "%s", freeze ? "pause" : "resume");
	/* cgroup.events "frozen" follows once every task stopped (or resumed).
	 * Bounded: 2000 x 5 ms = 10 s. */
	for (int i = 0; i < 2000; i++) {
		if (cgroup_v2_is_frozen(d) == freeze)
			return 0;
		usleep(5000);
	}
	if (freeze) {
		_cleanup_error_ strata_error_t e = NULL;
		cg_write(d->path, "cgroup.freeze", &e, "0");
	}
	return strata_error_set(err, EBUSY, "%s: `%s/cgroup.events` did not report frozen %d in 10 s",
				freeze ? "pause" : "resume", d->path, freeze ? 1 : 0);
}

/* The freezer: v1's freezer hierarchy, else the cgroup2 directory's
 * cgroup.freeze (unified, or a hybrid host without a v1 freezer). */
static const struct cgroup_dir *freezer_dir(const struct cgroup_manager *m, bool *v2)
{
	const struct cgroup_dir *d = m->mode == CGROUP_MODE_V2 ? NULL : cgroup_dir_for(m, "freezer");
	*v2 = d == NULL;
	if (d == NULL) {
		d = cgroup_dir_v2(m);
		if (d != NULL && !cg_exists(d->path, "cgroup.freeze"))
			d = NULL;
	}
	return d;
}

int cgroup_freeze(struct cgroup_manager *m, bool freeze, strata_error_t *err)
{
	bool v2 = false;
	const struct cgroup_dir *d = freezer_dir(m, &v2);
	if (d == NULL)
		return strata_error_set(err, ENOTSUP, "cannot %s: no cgroup freezer (v1 freezer or cgroup.freeze) is available",
					freeze ? "pause" : "resume");
	return v2 ? cgroup_v2_freeze(d, freeze, err) : cgroup_v1_freeze(d, freeze, err);
}

bool cgroup_is_frozen(struct cgroup_manager *m)
{
	bool v2 = false;
	const struct cgroup_dir *d = freezer_dir(m, &v2);
	if (d == NULL)
		return false;
	return v2 ? cgroup_v2_is_frozen(d) : cgroup_v1_is_frozen(d);
}
