/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootless.c - the --rootless decision (see rootless.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../common/cleanup.h"
#include "rootless.h"

int rootless_mode_parse(const char *value, enum rootless_mode *out, strata_error_t *err)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True", NULL };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False", NULL };
	if (value == NULL || value[0] == '\0' || strcasecmp(value, "auto") == 0) {
		*out = ROOTLESS_AUTO;
		return 0;
	}
	for (size_t i = 0; yes[i] != NULL; i++)
		if (strcmp(value, yes[i]) == 0) {
			*out = ROOTLESS_TRUE;
			return 0;
		}
	for (size_t i = 0; no[i] != NULL; i++)
		if (strcmp(value, no[i]) == 0) {
			*out = ROOTLESS_FALSE;
			return 0;
		}
	return strata_error_set(err, EINVAL, "invalid --rootless value `%s`: use true, false or auto", value);
}

bool rootless_in_user_namespace(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	if (f == NULL)
		return false;
	unsigned long inside, outside, count;
	if (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) != 3)
		return false;
	/* the initial namespace maps every id to itself, in one line */
	return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

bool rootless_resolve(enum rootless_mode mode, uid_t euid, bool in_userns)
{
	switch (mode) {
	case ROOTLESS_TRUE:
		return true;
	case ROOTLESS_FALSE:
		return false;
	case ROOTLESS_AUTO:
		break;
	}
	return euid != 0 || in_userns;
}

bool rootless_resources_set(const struct oci_resources *r)
{
	if (r == NULL)
		return false;
	return r->memory != NULL || r->cpu != NULL || r->has_pids_limit || r->block_io != NULL ||
	       r->hugepage_limits_len > 0 || r->network != NULL || r->rdma_len > 0 || r->unified.len > 0;
}

bool rootless_cgroup_error_ignorable(bool rootless, int code, const struct oci_resources *r)
{
	if (!rootless)
		return false;
	if (code != EACCES && code != EPERM && code != EROFS)
		return false;
	return !rootless_resources_set(r);
}
