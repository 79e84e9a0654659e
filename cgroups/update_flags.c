/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * update_flags.c - `strata update` flag parsing.  See update_flags.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "update_flags.h"

enum kind { K_SIZE, K_INT, K_UINT, K_STR, K_RDT };

struct flag {
	const char *name;
	enum kind kind;
	int field;
};

enum {
	F_RESOURCES, F_MEMORY, F_MEMORY_RESERVATION, F_MEMORY_SWAP, F_KERNEL_MEMORY, F_KERNEL_MEMORY_TCP, F_CPU_SHARES,
	F_CPU_QUOTA, F_CPU_PERIOD, F_CPU_BURST, F_CPU_RT_RUNTIME, F_CPU_RT_PERIOD, F_CPU_IDLE, F_CPUSET_CPUS,
	F_CPUSET_MEMS, F_PIDS_LIMIT, F_BLKIO_WEIGHT, F_RDT,
};

static const struct flag flags[] = {
	{ "resources", K_STR, F_RESOURCES },
	{ "r", K_STR, F_RESOURCES },
	{ "memory", K_SIZE, F_MEMORY },
	{ "memory-reservation", K_SIZE, F_MEMORY_RESERVATION },
	{ "memory-swap", K_SIZE, F_MEMORY_SWAP },
	{ "kernel-memory", K_SIZE, F_KERNEL_MEMORY },
	{ "kernel-memory-tcp", K_SIZE, F_KERNEL_MEMORY_TCP },
	{ "cpu-share", K_UINT, F_CPU_SHARES },
	{ "cpu-shares", K_UINT, F_CPU_SHARES },
	{ "cpu-quota", K_INT, F_CPU_QUOTA },
	{ "cpu-period", K_UINT, F_CPU_PERIOD },
	{ "cpu-burst", K_UINT, F_CPU_BURST },
	{ "cpu-rt-runtime", K_INT, F_CPU_RT_RUNTIME },
	{ "cpu-rt-period", K_UINT, F_CPU_RT_PERIOD },
	{ "cpu-idle", K_INT, F_CPU_IDLE },
	{ "cpuset-cpus", K_STR, F_CPUSET_CPUS },
	{ "cpuset-mems", K_STR, F_CPUSET_MEMS },
	{ "pids-limit", K_INT, F_PIDS_LIMIT },
	{ "blkio-weight", K_UINT, F_BLKIO_WEIGHT },
	{ "l3-cache-schema", K_RDT, F_RDT },
	{ "mem-bw-schema", K_RDT, F_RDT },
};

static int parse_int(const char *flag, const char *v, bool is_unsigned, int64_t *out, strata_error_t *err)
{
	char *end = NULL;
	errno = 0;
	if (is_unsigned) {
		if (v[0] == '-')
			return strata_error_set(err, EINVAL, "--%s: invalid value `%s`: must not be negative", flag, v);
		unsigned long long u = strtoull(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || u > INT64_MAX)
			return strata_error_set(err, EINVAL, "--%s: invalid value `%s`", flag, v);
		*out = (int64_t)u;
		return 0;
	}
	long long s = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0')
		return strata_error_set(err, EINVAL, "--%s: invalid value `%s`", flag, v);
	*out = s;
	return 0;
}

static int set_field(struct cgroup_update_flags *o, const struct flag *f, const char *v, strata_error_t *err)
{
	int64_t n = 0;
	switch (f->kind) {
	case K_RDT:
		return strata_error_set(err, ENOTSUP, "--%s: Intel RDT is not supported by strata", f->name);
	case K_SIZE:
		if (cgroup_parse_size(v, &n, err) < 0)
			return strata_error_wrap(err, "--%s", f->name);
		break;
	case K_INT:
	case K_UINT:
		if (parse_int(f->name, v, f->kind == K_UINT, &n, err) < 0)
			return -1;
		break;
	case K_STR:
		break;
	}
	if (f->field != F_RESOURCES)
		o->any = true;
	switch (f->field) {
	case F_RESOURCES: o->resources_file = v; break;
	case F_MEMORY: o->memory.has_limit = true; o->memory.limit = n; break;
	case F_MEMORY_RESERVATION: o->memory.has_reservation = true; o->memory.reservation = n; break;
	case F_MEMORY_SWAP: o->memory.has_swap = true; o->memory.swap = n; break;
	case F_KERNEL_MEMORY: o->memory.has_kernel = true; o->memory.kernel = n; break;
	case F_KERNEL_MEMORY_TCP: o->memory.has_kernel_tcp = true; o->memory.kernel_tcp = n; break;
	case F_CPU_SHARES: o->cpu.has_shares = true; o->cpu.shares = (uint64_t)n; break;
	case F_CPU_QUOTA: o->cpu.has_quota = true; o->cpu.quota = n; break;
	case F_CPU_PERIOD: o->cpu.has_period = true; o->cpu.period = (uint64_t)n; break;
	case F_CPU_BURST: o->cpu.has_burst = true; o->cpu.burst = (uint64_t)n; break;
	case F_CPU_RT_RUNTIME: o->cpu.has_realtime_runtime = true; o->cpu.realtime_runtime = n; break;
	case F_CPU_RT_PERIOD: o->cpu.has_realtime_period = true; o->cpu.realtime_period = (uint64_t)n; break;
	case F_CPU_IDLE: o->cpu.has_idle = true; o->cpu.idle = n; break;
	case F_CPUSET_CPUS: o->cpu.cpus = (char *)v; break;
	case F_CPUSET_MEMS: o->cpu.mems = (char *)v; break;
	case F_PIDS_LIMIT: o->res.has_pids_limit = true; o->res.pids_limit = n; break;
	case F_BLKIO_WEIGHT:
		if (n > 65535)
			return strata_error_set(err, EINVAL, "--blkio-weight: invalid value `%s`", v);
		o->block_io.has_weight = true;
		o->block_io.weight = (uint16_t)n;
		break;
	}
	return 0;
}

int cgroup_update_parse_flags(int argc, char **argv, struct cgroup_update_flags *o, strata_error_t *err)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || strcmp(a, "-") == 0) {
			if (o->id != NULL)
				return strata_error_set(err, EINVAL, "update: unexpected argument `%s` (one container ID)", a);
			o->id = a;
			continue;
		}
		const char *name = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		const struct flag *f = NULL;
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (strlen(flags[k].name) == nl && strncmp(flags[k].name, name, nl) == 0)
				f = &flags[k];
		if (f == NULL)
			return strata_error_set(err, EINVAL, "update: unknown flag `%s`", a);
		const char *v = eq ? eq + 1 : NULL;
		if (v == NULL) {
			if (i + 1 >= argc)
				return strata_error_set(err, EINVAL, "update: flag `%s` needs a value", a);
			v = argv[++i];
		}
		if (set_field(o, f, v, err) < 0)
			return -1;
	}
	if (o->id == NULL)
		return strata_error_set(err, EINVAL, "update: a container ID is required");
	bool mem = o->memory.has_limit || o->memory.has_reservation || o->memory.has_swap || o->memory.has_kernel ||
		   o->memory.has_kernel_tcp;
	bool cpu = o->cpu.has_shares || o->cpu.has_quota || o->cpu.has_period || o->cpu.has_burst ||
		   o->cpu.has_realtime_runtime || o->cpu.has_realtime_period || o->cpu.has_idle || o->cpu.cpus || o->cpu.mems;
	o->res.memory = mem ? &o->memory : NULL;
	o->res.cpu = cpu ? &o->cpu : NULL;
	o->res.block_io = o->block_io.has_weight ? &o->block_io : NULL;
	return 0;
}
