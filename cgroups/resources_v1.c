/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resources_v1.c - linux.resources written to cgroup v1 controller files.
 * A resource whose controller is not mounted is an error naming both (never
 * silently skipped).  `update` changes only the fields it is given and
 * leaves the device rules alone (runc's update does not touch devices).
 * Source: runtime-spec config-linux.md#control-groups; kernel
 * Documentation/admin-guide/cgroup-v1/{memory,cpuacct,cpusets,pids,blkio-controller,
 * hugetlb,net_cls,net_prio,rdma,devices}.rst and scheduler/sched-bwc.rst,
 * sched-rt-group.rst (cpu.cfs_*, cpu.rt_*).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "internal.h"

static const char *need(const struct cgroup_manager *m, const char *ctrl, const char *field, strata_error_t *err)
{
	const struct cgroup_dir *d = cgroup_dir_for(m, ctrl);
	if (d == NULL) {
		strata_error_set(err, ENOTSUP, "%s is set, but the cgroup v1 `%s` controller is not mounted on this host",
				 field, ctrl);
		return NULL;
	}
	return d->path;
}

static bool memory_set(const struct oci_memory *mem)
{
	return mem != NULL && (mem->has_limit || mem->has_reservation || mem->has_swap || mem->has_kernel ||
			       mem->has_kernel_tcp || mem->has_swappiness || mem->has_disable_oom_killer ||
			       mem->has_use_hierarchy);
}

/* memory.limit_in_bytes and memory.memsw.limit_in_bytes: the kernel requires
 * memsw >= limit at every moment, so the order of the two writes matters. */
static int apply_limit_and_swap(const char *dir, const struct oci_memory *mem, strata_error_t *err)
{
	bool has_swap = mem->has_swap && mem->swap != 0;
	if (has_swap && !cg_exists(dir, "memory.memsw.limit_in_bytes")) {
		/* Without swap accounting "no swap beyond the limit" (swap ==
		 * limit, what the CRI always sends) and "unlimited" need no
		 * file; any other swap limit cannot be enforced. */
		if (mem->swap == -1 || (mem->has_limit && mem->swap == mem->limit))
			has_swap = false;
		else
			return strata_error_set(err, ENOTSUP,
						"linux.resources.memory.swap is set, but swap accounting is off on this host "
						"(no memory.memsw.limit_in_bytes)");
	}
	if (!has_swap) {
		if (mem->has_limit && cg_write(dir, "memory.limit_in_bytes", err, "%lld", (long long)mem->limit) < 0)
			return -1;
		return 0;
	}
	uint64_t cur_limit = 0;
	if (cg_read_u64(dir, "memory.limit_in_bytes", &cur_limit, err) < 0)
		return -1;
	bool swap_first = mem->swap == -1 || (uint64_t)mem->swap >= cur_limit;
	if (swap_first && cg_write(dir, "memory.memsw.limit_in_bytes", err, "%lld", (long long)mem->swap) < 0)
		return -1;
	if (mem->has_limit && cg_write(dir, "memory.limit_in_bytes", err, "%lld", (long long)mem->limit) < 0)
		return -1;
	if (!swap_first && cg_write(dir, "memory.memsw.limit_in_bytes", err, "%lld", (long long)mem->swap) < 0)
		return -1;
	return 0;
}

static int apply_memory(const struct cgroup_manager *m, const struct oci_memory *mem, bool update,
			strata_error_t *err)
{
	if (!memory_set(mem))
		return 0;
	const char *dir = need(m, "memory", "linux.resources.memory", err);
	if (dir == NULL)
		return -1;
	if (update && mem->has_limit && mem->limit > 0 && mem->has_check_before_update && mem->check_before_update) {
		uint64_t usage = 0;
		if (cg_read_u64(dir, "memory.usage_in_bytes", &usage, err) < 0)
			return -1;
		if ((uint64_t)mem->limit < usage)
			return strata_error_set(err, EINVAL,
						"rejecting memory limit %lld: it is below the current usage %" PRIu64
						" (checkBeforeUpdate)",
						(long long)mem->limit, usage);
	}
	if (apply_limit_and_swap(dir, mem, err) < 0)
		return -1;
	if (mem->has_reservation &&
	    cg_write(dir, "memory.soft_limit_in_bytes", err, "%lld", (long long)mem->reservation) < 0)
		return -1;
	if (mem->has_kernel && mem->kernel != 0)
		log_warning("linux.resources.memory.kernel is deprecated and ignored (the kernel no longer supports it)");
	if (mem->has_kernel_tcp &&
	    cg_write(dir, "memory.kmem.tcp.limit_in_bytes", err, "%lld", (long long)mem->kernel_tcp) < 0)
		return -1;
	if (mem->has_swappiness) {
		if (mem->swappiness > 100)
			return strata_error_set(err, EINVAL, "linux.resources.memory.swappiness %" PRIu64 " is not in 0..100",
						mem->swappiness);
		if (cg_write(dir, "memory.swappiness", err, "%" PRIu64, mem->swappiness) < 0)
			return -1;
	}
	if (mem->has_disable_oom_killer && mem->disable_oom_killer &&
	    cg_write(dir, "memory.oom_control", err, "1") < 0)
		return -1;
	if (mem->has_use_hierarchy) {
		_cleanup_error_ strata_error_t herr = NULL;
		if (cg_write(dir, "memory.use_hierarchy", &herr, "%d", mem->use_hierarchy ? 1 : 0) < 0) {
			/* Linux >= 6.x keeps hierarchical accounting always on and
			 * refuses 0: say so instead of failing the container. */
			if (mem->use_hierarchy || herr->code != EINVAL)
				return strata_error_set(err, herr->code, "%s", herr->msg);
			log_warning("linux.resources.memory.useHierarchy false is refused by this kernel "
				    "(hierarchical accounting is always on); ignored");
		}
	}
	return 0;
}

static int apply_cpu(const struct cgroup_manager *m, const struct oci_cpu *cpu, strata_error_t *err)
{
	if (cpu == NULL)
		return 0;
	if (cpu->has_shares || cpu->has_quota || cpu->has_period || cpu->has_burst || cpu->has_realtime_period ||
	    cpu->has_realtime_runtime || cpu->has_idle) {
		const char *dir = need(m, "cpu", "linux.resources.cpu", err);
		if (dir == NULL)
			return -1;
		if (cpu->has_shares && cpu->shares != 0 && cg_write(dir, "cpu.shares", err, "%" PRIu64, cpu->shares) < 0)
			return -1;
		/* The kernel checks quota against period: if the new period is
		 * refused with the old quota, write the quota first. */
		if (cpu->has_period && cpu->period != 0) {
			_cleanup_error_ strata_error_t perr = NULL;
			if (cg_write(dir, "cpu.cfs_period_us", &perr, "%" PRIu64, cpu->period) < 0) {
				if (perr->code != EINVAL || !cpu->has_quota)
					return strata_error_set(err, perr->code, "%s", perr->msg);
				if (cg_write(dir, "cpu.cfs_quota_us", err, "%lld", (long long)cpu->quota) < 0)
					return -1;
				if (cg_write(dir, "cpu.cfs_period_us", err, "%" PRIu64, cpu->period) < 0)
					return -1;
			}
		}
		if (cpu->has_quota && cpu->quota != 0 &&
		    cg_write(dir, "cpu.cfs_quota_us", err, "%lld", (long long)cpu->quota) < 0)
			return -1;
		if (cpu->has_burst && cg_write(dir, "cpu.cfs_burst_us", err, "%" PRIu64, cpu->burst) < 0)
			return -1;
		if (cpu->has_realtime_period && cpu->realtime_period != 0 &&
		    cg_write(dir, "cpu.rt_period_us", err, "%" PRIu64, cpu->realtime_period) < 0)
			return -1;
		if (cpu->has_realtime_runtime && cpu->realtime_runtime != 0 &&
		    cg_write(dir, "cpu.rt_runtime_us", err, "%lld", (long long)cpu->realtime_runtime) < 0)
			return -1;
		if (cpu->has_idle && cg_write(dir, "cpu.idle", err, "%lld", (long long)cpu->idle) < 0)
			return -1;
	}
	if ((cpu->cpus && cpu->cpus[0]) || (cpu->mems && cpu->mems[0])) {
		const char *dir = need(m, "cpuset", "linux.resources.cpu.cpus/mems", err);
		if (dir == NULL)
			return -1;
		if (cpu->cpus && cpu->cpus[0] && cg_write(dir, "cpuset.cpus", err, "%s", cpu->cpus) < 0)
			return -1;
		if (cpu->mems && cpu->mems[0] && cg_write(dir, "cpuset.mems", err, "%s", cpu->mems) < 0)
			return -1;
	}
	return 0;
}

static int write_throttle(const char *dir, const char *file, const struct oci_throttle_device *t, size_t n,
			  strata_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (cg_write(dir, file, err, "%lld:%lld %" PRIu64, (long long)t[i].major, (long long)t[i].minor,
			     t[i].rate) < 0)
			return -1;
	return 0;
}

static int apply_blkio(const struct cgroup_manager *m, const struct oci_block_io *b, strata_error_t *err)
{
	if (b == NULL)
		return 0;
	if (!b->has_weight && !b->has_leaf_weight && b->weight_device_len == 0 && b->throttle_read_bps_device_len == 0 &&
	    b->throttle_write_bps_device_len == 0 && b->throttle_read_iops_device_len == 0 &&
	    b->throttle_write_iops_device_len == 0)
		return 0;
	const char *dir = need(m, "blkio", "linux.resources.blockIO", err);
	if (dir == NULL)
		return -1;
	/* CFQ's blkio.weight, or BFQ's blkio.bfq.weight on newer kernels. */
	const char *wfile = cg_exists(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
	const char *wdfile = cg_exists(dir, "blkio.weight_device") ? "blkio.weight_device" : "blkio.bfq.weight_device";
	if ((b->has_weight || b->weight_device_len > 0) && !cg_exists(dir, wfile))
		return strata_error_set(err, ENOTSUP,
					"linux.resources.blockIO weight is set, but no I/O scheduler on this host "
					"offers blkio weights (no blkio.weight or blkio.bfq.weight)");
	if (b->has_weight && b->weight != 0 && cg_write(dir, wfile, err, "%u", (unsigned)b->weight) < 0)
		return -1;
	if (b->has_leaf_weight && b->leaf_weight != 0) {
		if (!cg_exists(dir, "blkio.leaf_weight"))
			return strata_error_set(err, ENOTSUP,
						"linux.resources.blockIO.leafWeight is set, but this kernel has no blkio.leaf_weight");
		if (cg_write(dir, "blkio.leaf_weight", err, "%u", (unsigned)b->leaf_weight) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->weight_device_len; i++) {
		const struct oci_weight_device *w = &b->weight_device[i];
		if (w->has_weight && cg_write(dir, wdfile, err, "%lld:%lld %u", (long long)w->major, (long long)w->minor,
					      (unsigned)w->weight) < 0)
			return -1;
		if (w->has_leaf_weight && cg_write(dir, "blkio.leaf_weight_device", err, "%lld:%lld %u",
						   (long long)w->major, (long long)w->minor, (unsigned)w->leaf_weight) < 0)
			return -1;
	}
	if (write_throttle(dir, "blkio.throttle.read_bps_device", b->throttle_read_bps_device,
			   b->throttle_read_bps_device_len, err) < 0 ||
	    write_throttle(dir, "blkio.throttle.write_bps_device", b->throttle_write_bps_device,
			   b->throttle_write_bps_device_len, err) < 0 ||
	    write_throttle(dir, "blkio.throttle.read_iops_device", b->throttle_read_iops_device,
			   b->throttle_read_iops_device_len, err) < 0 ||
	    write_throttle(dir, "blkio.throttle.write_iops_device", b->throttle_write_iops_device,
			   b->throttle_write_iops_device_len, err) < 0)
		return -1;
	return 0;
}

static int apply_hugetlb(const struct cgroup_manager *m, const struct oci_resources *r, strata_error_t *err)
{
	if (r->hugepage_limits_len == 0)
		return 0;
	const char *dir = need(m, "hugetlb", "linux.resources.hugepageLimits", err);
	if (dir == NULL)
		return -1;
	for (size_t i = 0; i < r->hugepage_limits_len; i++) {
		_cleanup_free_ char *file = NULL;
		const char *ps = r->hugepage_limits[i].page_size ? r->hugepage_limits[i].page_size : "";
		if (strchr(ps, '/') != NULL || asprintf(&file, "hugetlb.%s.limit_in_bytes", ps) < 0)
			return strata_error_set(err, EINVAL, "linux.resources.hugepageLimits: invalid pageSize `%s`", ps);
		if (cg_write(dir, file, err, "%" PRIu64, r->hugepage_limits[i].limit) < 0)
			return -1;
	}
	return 0;
}

static int apply_network(const struct cgroup_manager *m, const struct oci_network *net, strata_error_t *err)
{
	if (net == NULL)
		return 0;
	if (net->has_class_id) {
		const char *dir = need(m, "net_cls", "linux.resources.network.classID", err);
		if (dir == NULL)
			return -1;
		if (cg_write(dir, "net_cls.classid", err, "%u", net->class_id) < 0)
			return -1;
	}
	if (net->priorities_len > 0) {
		const char *dir = need(m, "net_prio", "linux.resources.network.priorities", err);
		if (dir == NULL)
			return -1;
		for (size_t i = 0; i < net->priorities_len; i++)
			if (cg_write(dir, "net_prio.ifpriomap", err, "%s %u", net->priorities[i].name,
				     net->priorities[i].priority) < 0)
				return -1;
	}
	return 0;
}

static int apply_rdma(const struct cgroup_manager *m, const struct oci_resources *r, strata_error_t *err)
{
	if (r->rdma_len == 0)
		return 0;
	const char *dir = need(m, "rdma", "linux.resources.rdma", err);
	if (dir == NULL)
		return -1;
	for (size_t i = 0; i < r->rdma_len; i++) {
		const struct oci_rdma_limit *l = &r->rdma[i];
		char handles[40] = "", objects[40] = "";
		if (l->has_hca_handles)
			snprintf(handles, sizeof(handles), " hca_handle=%u", l->hca_handles);
		if (l->has_hca_objects)
			snprintf(objects, sizeof(objects), " hca_object=%u", l->hca_objects);
		if (cg_write(dir, "rdma.max", err, "%s%s%s", l->device, handles, objects) < 0)
			return -1;
	}
	return 0;
}

int cgroup_v1_apply(const struct cgroup_manager *m, const struct oci_resources *r, bool update, strata_error_t *err)
{
	if (!update) {
		const char *ddir = need(m, "devices", "the device cgroup", err);
		if (ddir == NULL)
			return -1;
		_cleanup_free_ struct oci_device_cgroup *rules = NULL;
		size_t n = 0;
		if (cgroup_devices_effective(m, r, &rules, &n, err) < 0 || cgroup_v1_apply_devices(ddir, rules, n, err) < 0)
			return strata_error_wrap(err, "device cgroup");
	}
	if (r == NULL)
		return 0;
	if (apply_memory(m, r->memory, update, err) < 0 || apply_cpu(m, r->cpu, err) < 0)
		return -1;
	if (r->has_pids_limit) {
		const char *dir = need(m, "pids", "linux.resources.pids", err);
		if (dir == NULL)
			return -1;
		int w = r->pids_limit > 0 ? cg_write(dir, "pids.max", err, "%lld", (long long)r->pids_limit)
					  : cg_write(dir, "pids.max", err, "max");
		if (w < 0)
			return -1;
	}
	if (apply_blkio(m, r->block_io, err) < 0 || apply_hugetlb(m, r, err) < 0 || apply_network(m, r->network, err) < 0 ||
	    apply_rdma(m, r, err) < 0)
		return -1;
	return 0;
}
