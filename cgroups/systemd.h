/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd.h - the --systemd-cgroup driver's checks.  The D-Bus driver itself
 * (StartTransientUnit) is later work: today the driver validates the
 * "slice:prefix:name" cgroupsPath and then fails clearly, never falling back
 * to cgroupfs in silence.
 * Source: runtime-spec config-linux.md#cgroups-path, sd_booted(3)
 * (systemd is running when /run/systemd/system/ exists).
 */
#ifndef STRATA_CGROUPS_SYSTEMD_H
#define STRATA_CGROUPS_SYSTEMD_H

#include <stdbool.h>

#include "../common/error.h"

/*
 * cgroup_systemd_parse - split "slice:prefix:name" (absent -> "system.slice",
 * "strata", id).  slice must be empty or end in ".slice" and hold no "/";
 * prefix and name must hold no "/".  The outputs are heap strings (caller
 * frees).  Errors: EINVAL naming the rule broken.
 */
int cgroup_systemd_parse(const char *cgroups_path, const char *id, char **slice, char **prefix, char **name,
			 strata_error_t *err);

/* cgroup_systemd_running - true when systemd is PID 1's init (sd_booted(3) test). */
bool cgroup_systemd_running(void);

/*
 * cgroup_systemd_check - validate cgroups_path for the systemd driver and
 * fail: ENOTSUP "systemd cgroup driver: systemd is not running on this host"
 * where systemd is not running, ENOTSUP "... not implemented" where it is.
 * Returns -1 always (EINVAL for a malformed path).
 */
int cgroup_systemd_check(const char *cgroups_path, const char *id, strata_error_t *err);

#endif
