/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resources_v2.c - linux.resources written to cgroup v2 interface files,
 * with the v1 -> v2 conversions of convert.h.
 *   memory.limit -> memory.max, reservation -> memory.low,
 *   swap (memory+swap) -> memory.swap.max (swap only), cpu.shares -> cpu.weight,
 *   quota/period -> cpu.max "QUOTA PERIOD", burst -> cpu.max.burst,
 *   cpus/mems -> cpuset.cpus/.mems, idle -> cpu.idle, pids -> pids.max,
 *   blockIO weight -> io.bfq.weight (as is) or io.weight (converted),
 *   throttle* -> io.max "MAJ:MIN rbps=|wbps=|riops=|wiops=", hugepageLimits ->
 *   hugetlb.SIZE.max, rdma -> rdma.max, devices -> an eBPF program
 *   (devices_ebpf.c), unified -> raw files.
 * Not available on v2 (an error if set): realtime cpu, kernel memory limits
 * (ignored with a warning, as runc), swappiness/disableOOMKiller (warned),
 * network classID/priorities (no net_cls/net_prio on v2).
 * Source: kernel Documentation/admin-guide/cgroup-v2.rst; runtime-spec
 * config-linux.md#unified.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "convert.h"
#include "devices_ebpf.h"
#include "internal.h"

static int write_max(const char *dir, const char *file, int64_t v, strata_error_t *err)
{
	if (v < 0)
		return cg_write(dir, file, err, "max");
	return cg_write(dir, file, err, "%lld", (long long)v);
}

static int apply_memory(const char *dir, const struct oci_memory *mem, bool update, strata_error_t *err)
{
	if (mem == NULL)
		return 0;
	if (update && mem->has_limit && mem->limit > 0 && mem->has_check_before_update && mem->check_before_update) {
		uint64_t usage = 0;
		if (cg_read_u64(dir, "memory.current", &usage, err) < 0)
			return -1;
		if ((uint64_t)mem->limit < usage)
			return strata_error_set(err, EINVAL,
						"rejecting memory limit %lld: it is below the current usage %" PRIu64
						" (checkBeforeUpdate)",
						(long long)mem->limit, usage);
	}
	if (mem->has_swap || (mem->has_limit && mem->limit == -1)) {
		int64_t sw = 0;
		if (cgroup_swap_to_v2(mem->has_swap ? mem->swap : 0, mem->has_limit ? mem->limit : 0, &sw, err) < 0)
			return -1;
		/* memory.swap.max is absent when swap accounting is off. */
		if (sw != 0 && !cg_exists(dir, "memory.swap.max")) {
			if (sw > 0)
				return strata_error_set(err, ENOTSUP,
							"linux.resources.memory.swap is set, but this host has no memory.swap.max");
		} else if (sw != 0 && write_max(dir, "memory.swap.max", sw, err) < 0) {
			return -1;
		}
	}
	if (mem->has_limit && mem->limit != 0 && write_max(dir, "memory.max", mem->limit, err) < 0)
		return -1;
	if (mem->has_reservation && mem->reservation != 0 && write_max(dir, "memory.low", mem->reservation, err) < 0)
		return -1;
	if ((mem->has_kernel && mem->kernel != 0) || (mem->has_kernel_tcp && mem->kernel_tcp != 0))
		log_warning("linux.resources.memory.kernel/kernelTCP are not supported on cgroup v2 and are ignored");
	if (mem->has_swappiness)
		log_warning("linux.resources.memory.swappiness is not supported on cgroup v2 and is ignored");
	if (mem->has_disable_oom_killer && mem->disable_oom_killer)
		log_warning("linux.resources.memory.disableOOMKiller is not supported on cgroup v2 and is ignored");
	return 0;
}

static int apply_cpu(const char *dir, const struct oci_cpu *cpu, strata_error_t *err)
{
	if (cpu == NULL)
		return 0;
	if ((cpu->has_realtime_period && cpu->realtime_period != 0) ||
	    (cpu->has_realtime_runtime && cpu->realtime_runtime != 0))
		return strata_error_set(err, ENOTSUP,
					"linux.resources.cpu.realtimePeriod/realtimeRuntime are not supported on cgroup v2");
	if (cpu->has_shares && cpu->shares != 0 &&
	    cg_write(dir, "cpu.weight", err, "%" PRIu64, cgroup_shares_to_weight(cpu->shares)) < 0)
		return -1;
	if ((cpu->has_quota && cpu->quota != 0) || (cpu->has_period && cpu->period != 0)) {
		char quota[32] = "max";
		uint64_t period = cpu->has_period && cpu->period != 0 ? cpu->period : 0;
		if (cpu->has_quota && cpu->quota > 0)
			snprintf(quota, sizeof(quota), "%lld", (long long)cpu->quota);
		if (!(cpu->has_quota && cpu->quota != 0)) {
			/* Only the period changes: keep the current quota. */
			_cleanup_free_ char *cur = NULL;
			if (cg_read(dir, "cpu.max", &cur, err) < 0)
				return -1;
			sscanf(cur, "%31s", quota);
		}
		if (period == 0) {
			_cleanup_free_ char *cur = NULL;
			if (cg_read(dir, "cpu.max", &cur, err) < 0)
				return -1;
			if (sscanf(cur, "%*s %" SCNu64, &period) != 1)
				period = 100000;
		}
		if (cg_write(dir, "cpu.max", err, "%s %" PRIu64, quota, period) < 0)
			return -1;
	}
	if (cpu->has_burst && cg_write(dir, "cpu.max.burst", err, "%" PRIu64, cpu->burst) < 0)
		return -1;
	if (cpu->has_idle && cg_write(dir, "cpu.idle", err, "%lld", (long long)cpu->idle) < 0)
		return -1;
	if (cpu->cpus && cpu->cpus[0] && cg_write(dir, "cpuset.cpus", err, "%s", cpu->cpus) < 0)
		return -1;
	if (cpu->mems && cpu->mems[0] && cg_write(dir, "cpuset.mems", err, "%s", cpu->mems) < 0)
		return -1;
	return 0;
}

static int write_io_max(const char *dir, const char *key, const struct oci_throttle_device *t, size_t n,
			strata_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (cg_write(dir, "io.max", err, "%lld:%lld %s=%" PRIu64, (long long)t[i].major, (long long)t[i].minor, key,
			     t[i].rate) < 0)
			return -1;
	return 0;
}

static int apply_io(const char *dir, const struct oci_block_io *b, strata_error_t *err)
{
	if (b == NULL)
		return 0;
	bool bfq = cg_exists(dir, "io.bfq.weight");
	if (b->has_weight && b->weight != 0) {
		int r = bfq ? cg_write(dir, "io.bfq.weight", err, "%u", (unsigned)b->weight)
			    : cg_write(dir, "io.weight", err, "default %" PRIu64,
				       cgroup_blkio_weight_to_io_weight(b->weight));
		if (r < 0)
			return -1;
	}
	if (b->has_leaf_weight && b->leaf_weight != 0)
		log_warning("linux.resources.blockIO.leafWeight is not supported on cgroup v2 and is ignored");
	for (size_t i = 0; i < b->weight_device_len; i++) {
		const struct oci_weight_device *w = &b->weight_device[i];
		if (!w->has_weight)
			continue;
		int r = bfq ? cg_write(dir, "io.bfq.weight", err, "%lld:%lld %u", (long long)w->major, (long long)w->minor,
				       (unsigned)w->weight)
			    : cg_write(dir, "io.weight", err, "%lld:%lld %" PRIu64, (long long)w->major,
				       (long long)w->minor, cgroup_blkio_weight_to_io_weight(w->weight));
		if (r < 0)
			return -1;
	}
	if (write_io_max(dir, "rbps", b->throttle_read_bps_device, b->throttle_read_bps_device_len, err) < 0 ||
	    write_io_max(dir, "wbps", b->throttle_write_bps_device, b->throttle_write_bps_device_len, err) < 0 ||
	    write_io_max(dir, "riops", b->throttle_read_iops_device, b->throttle_read_iops_device_len, err) < 0 ||
	    write_io_max(dir, "wiops", b->throttle_write_iops_device, b->throttle_write_iops_device_len, err) < 0)
		return -1;
	return 0;
}

int cgroup_v2_apply_unified(const struct cgroup_dir *d, const struct oci_string_map *unified, strata_error_t *err)
{
	for (size_t i = 0; i < unified->len; i++) {
		const char *k = unified->keys[i];
		/* Security: a key names a file in the container's own cgroup
		 * directory; it must not reach a parent or a child cgroup. */
		if (k == NULL || k[0] == '\0' || strchr(k, '/') != NULL || strcmp(k, ".") == 0 || strcmp(k, "..") == 0)
			return strata_error_set(err, EINVAL, "linux.resources.unified: invalid key `%s`", k ? k : "");
		if (!cg_exists(d->path, k))
			return strata_error_set(err, ENOENT,
						"linux.resources.unified: `%s` does not exist in `%s` (controller not enabled?)",
						k, d->path);
		if (cg_write(d->path, k, err, "%s", unified->values[i]) < 0)
			return -1;
	}
	return 0;
}

static int v2_apply(const struct cgroup_manager *m, const struct cgroup_dir *d, const struct oci_resources *r,
		    bool update, strata_error_t *err);

int cgroup_v2_apply(const struct cgroup_manager *m, const struct cgroup_dir *d, const struct oci_resources *r,
		    bool update, strata_error_t *err)
{
	if (v2_apply(m, d, r, update, err) == 0)
		return 0;
	/* A controller's files exist only where the parent enabled it. */
	if (*err != NULL && (*err)->code == ENOENT)
		strata_error_wrap(err, "cgroup v2 (is the controller listed in the parent's cgroup.subtree_control?)");
	return -1;
}

static int v2_apply(const struct cgroup_manager *m, const struct cgroup_dir *d, const struct oci_resources *r,
		    bool update, strata_error_t *err)
{
	if (d == NULL)
		return strata_error_set(err, ENOENT, "no cgroup v2 directory");
	if (!update) {
		_cleanup_free_ struct oci_device_cgroup *rules = NULL;
		size_t n = 0;
		if (cgroup_devices_effective(m, r, &rules, &n, err) < 0 || cgroup_ebpf_devices_apply(d->path, rules, n, err) < 0)
			return strata_error_wrap(err, "device cgroup (eBPF)");
	}
	if (r == NULL)
		return 0;
	if (apply_memory(d->path, r->memory, update, err) < 0 || apply_cpu(d->path, r->cpu, err) < 0)
		return -1;
	if (r->has_pids_limit && write_max(d->path, "pids.max", r->pids_limit > 0 ? r->pids_limit : -1, err) < 0)
		return -1;
	if (apply_io(d->path, r->block_io, err) < 0)
		return -1;
	for (size_t i = 0; i < r->hugepage_limits_len; i++) {
		const char *ps = r->hugepage_limits[i].page_size ? r->hugepage_limits[i].page_size : "";
		_cleanup_free_ char *file = NULL;
		if (strchr(ps, '/') != NULL || asprintf(&file, "hugetlb.%s.max", ps) < 0)
			return strata_error_set(err, EINVAL, "linux.resources.hugepageLimits: invalid pageSize `%s`", ps);
		if (cg_write(d->path, file, err, "%" PRIu64, r->hugepage_limits[i].limit) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->rdma_len; i++) {
		const struct oci_rdma_limit *l = &r->rdma[i];
		char handles[40] = "", objects[40] = "";
		if (l->has_hca_handles)
			snprintf(handles, sizeof(handles), " hca_handle=%u", l->hca_handles);
		if (l->has_hca_objects)
			snprintf(objects, sizeof(objects), " hca_object=%u", l->hca_objects);
		if (cg_write(d->path, "rdma.max", err, "%s%s%s", l->device, handles, objects) < 0)
			return -1;
	}
	if (r->network != NULL && (r->network->has_class_id || r->network->priorities_len > 0))
		return strata_error_set(err, ENOTSUP,
					"linux.resources.network is not supported on cgroup v2 (no net_cls/net_prio controllers)");
	return cgroup_v2_apply_unified(d, &r->unified, err);
}
