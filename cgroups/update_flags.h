/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * update_flags.h - `strata update`'s command line, runc's flags:
 *   --resources|-r FILE|-   (also --resources=FILE) linux.resources JSON;
 *                           when given, the per-resource flags are ignored (runc)
 *   --memory, --memory-reservation, --memory-swap, --kernel-memory,
 *   --kernel-memory-tcp     sizes: bytes, "128M", "1g", -1 = unlimited
 *   --cpu-share (runc's name) / --cpu-shares, --cpu-quota, --cpu-period,
 *   --cpu-burst, --cpu-rt-runtime, --cpu-rt-period, --cpu-idle,
 *   --cpuset-cpus, --cpuset-mems, --pids-limit, --blkio-weight
 *   --l3-cache-schema, --mem-bw-schema: Intel RDT, an error (not supported)
 * Every flag takes "--flag value" or "--flag=value".  The ID is the one
 * positional argument.
 * Source: runc update --help (1.1); runtime-spec config-linux.md.
 */
#ifndef STRATA_CGROUPS_UPDATE_FLAGS_H
#define STRATA_CGROUPS_UPDATE_FLAGS_H

#include "../common/error.h"
#include "../oci-spec/config.h"

/* The parsed command line.  res's pointers point into this struct and argv. */
struct cgroup_update_flags {
	const char *id;
	const char *resources_file; /* --resources value, "-" = stdin; NULL if absent */
	struct oci_resources res;   /* from the per-resource flags */
	struct oci_memory memory;
	struct oci_cpu cpu;
	struct oci_block_io block_io;
	bool any;                   /* at least one per-resource flag given */
};

/*
 * cgroup_update_parse_flags - parse argv[1..argc-1] of `update`.
 * Errors: EINVAL naming the flag ("--memory: invalid size `12Q`"), a missing
 * or extra ID, an unknown flag; ENOTSUP for the Intel RDT flags.
 */
int cgroup_update_parse_flags(int argc, char **argv, struct cgroup_update_flags *out, strata_error_t *err);

#endif
