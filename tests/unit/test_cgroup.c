/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cgroup.c - cgroups/ without the host's v1 hierarchy: cgroupsPath
 * resolution, layout detection from mountinfo text, save/load, the v1<->v2
 * conversions, runc's size strings and update flags, the v2 file mapping
 * against a temporary directory that mimics a cgroup2 hierarchy, and the
 * eBPF device program (generated, loaded with bpf(2), attached to a real
 * cgroup2 directory and checked by opening devices from inside it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "cgroups/convert.h"
#include "cgroups/devices_ebpf.h"
#include "cgroups/internal.h"
#include "cgroups/systemd.h"
#include "cgroups/update_flags.h"
#include "common/util.h"

static char *resolve(const char *p, const char *id, const char *own)
{
	char *out = NULL;
	strata_error_t err = NULL;
	if (cgroup_path_resolve(p, id, own, &out, &err) < 0) {
		strata_error_free(&err);
		return NULL;
	}
	return out;
}

static void test_path_resolve(void **state)
{
	(void)state;
	char *s;
	s = resolve(NULL, "abc", "/user.slice");
	assert_string_equal(s, "/strata/abc");
	free(s);
	s = resolve("", "abc", "/");
	assert_string_equal(s, "/strata/abc");
	free(s);
	s = resolve("/default/ctr1", "abc", "/user.slice");
	assert_string_equal(s, "/default/ctr1");
	free(s);
	s = resolve("kubepods/pod1/ctr", "abc", "/user.slice/x");
	assert_string_equal(s, "/user.slice/x/kubepods/pod1/ctr");
	free(s);
	s = resolve("//a/./b//", "abc", "/");
	assert_string_equal(s, "/a/b");
	free(s);
	/* ".." never climbs above the hierarchy root */
	s = resolve("/../../etc/x", "abc", "/");
	assert_string_equal(s, "/etc/x");
	free(s);
	s = resolve("../../..", "abc", "/a");
	assert_null(s); /* the root cgroup itself is refused */
	assert_null(resolve("/a\nb", "abc", "/"));
}

static void test_systemd_path(void **state)
{
	(void)state;
	char *sl = NULL, *pr = NULL, *n = NULL;
	strata_error_t err = NULL;
	assert_int_equal(cgroup_systemd_parse("system.slice:docker:abc", "x", &sl, &pr, &n, &err), 0);
	assert_string_equal(sl, "system.slice");
	assert_string_equal(pr, "docker");
	assert_string_equal(n, "abc");
	free(sl), free(pr), free(n);
	assert_int_equal(cgroup_systemd_parse(":strata:abc", "x", &sl, &pr, &n, &err), 0);
	assert_string_equal(sl, "system.slice");
	free(sl), free(pr), free(n);
	assert_int_equal(cgroup_systemd_parse("/a/b", "x", &sl, &pr, &n, &err), -1);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);
	assert_int_equal(cgroup_systemd_parse("foo:a:b", "x", &sl, &pr, &n, &err), -1);
	strata_error_free(&err);
	/* This host has no systemd: a clear error, never a silent cgroupfs fallback. */
	struct cgroup_manager *m = NULL;
	if (!cgroup_systemd_running()) {
		assert_int_equal(cgroup_manager_new("x", "system.slice:strata:x", true, &m, &err), -1);
		assert_int_equal(err->code, ENOTSUP);
		assert_non_null(strstr(err->msg, "systemd is not running"));
		strata_error_free(&err);
	}
}

static const char hybrid_mountinfo[] =
	"25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"32 25 0:27 / /sys/fs/cgroup rw shared:9 - tmpfs tmpfs rw,mode=755\n"
	"33 32 0:28 / /sys/fs/cgroup/unified rw shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
	"34 32 0:29 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
	"35 32 0:30 / /sys/fs/cgroup/cpu,cpuacct rw shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
	"36 32 0:31 / /sys/fs/cgroup/memory rw shared:13 - cgroup cgroup rw,memory\n"
	"37 32 0:32 /sub /mnt/mem rw shared:14 - cgroup cgroup rw,memory\n";
static const char hybrid_proc_cgroup[] = "4:memory:/process_api/abc\n3:cpu,cpuacct:/\n1:name=systemd:/init.scope\n0::/init.scope\n";

/* Over-mounted hierarchies: the last mount on a mount point wins, and a mount
 * on a hidden parent (the first /sys/fs/cgroup tmpfs here) is hidden too.
 * Lines are in mountinfo order; the root mount is listed after its children,
 * as some hosts show it. */
static const char overmounted_mountinfo[] =
	"25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw\n"
	"30 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	"32 25 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
	"33 32 0:28 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
	"34 32 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"35 34 0:40 / /sys/fs/cgroup/memory rw - tmpfs tmpfs rw\n"
	"36 32 0:30 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
	"37 36 0:31 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu,cpuacct\n"
	"38 32 0:32 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	"39 30 0:33 / /mnt/blk rw - cgroup cgroup rw,blkio\n"
	"40 30 0:34 / /mnt/blk rw - cgroup cgroup rw,devices\n";

static void test_layout_overmounted(void **state)
{
	(void)state;
	struct cgroup_layout l = { 0 };
	strata_error_t err = NULL;
	assert_int_equal(cgroup_layout_parse(overmounted_mountinfo, "0::/\n", &l, &err), 0);
	/* pids; memory is covered by a tmpfs; cpu by cpu,cpuacct; blkio by devices */
	assert_int_equal(l.mode, CGROUP_MODE_HYBRID);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.h[0].controllers, "pids");
	assert_string_equal(l.h[1].controllers, "cpu,cpuacct");
	assert_string_equal(l.h[1].mount, "/sys/fs/cgroup/cpu");
	assert_string_equal(l.h[2].controllers, "devices");
	assert_string_equal(l.h[2].mount, "/mnt/blk");
	assert_null(l.h[3].controllers);
	cgroup_layout_free(&l);

	/* A second tmpfs on /sys/fs/cgroup hides every hierarchy under the first;
	 * the ones mounted on the new tmpfs are used. */
	static const char hidden_tree[] =
		"32 25 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
		"33 32 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"34 32 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		"40 32 0:40 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
		"41 40 0:41 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
	assert_int_equal(cgroup_layout_parse(hidden_tree, "", &l, &err), 0);
	assert_int_equal(l.mode, CGROUP_MODE_V1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.h[0].controllers, "pids");
	cgroup_layout_free(&l);

	/* Everything covered: no usable hierarchy */
	assert_int_equal(cgroup_layout_parse("30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
					     "31 30 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n",
					     "0::/\n", &l, &err),
			 -1);
	assert_int_equal(err->code, ENOENT);
	strata_error_free(&err);
}

static void test_layout_parse(void **state)
{
	(void)state;
	struct cgroup_layout l = { 0 };
	strata_error_t err = NULL;
	assert_int_equal(cgroup_layout_parse(hybrid_mountinfo, hybrid_proc_cgroup, &l, &err), 0);
	assert_int_equal(l.mode, CGROUP_MODE_HYBRID);
	assert_int_equal(l.n, 4); /* systemd, cpu+cpuacct, memory (first mount only), unified */
	assert_string_equal(l.h[0].controllers, "name=systemd");
	assert_string_equal(l.h[0].own, "/init.scope");
	assert_string_equal(l.h[1].controllers, "cpu,cpuacct");
	assert_string_equal(l.h[2].controllers, "memory");
	assert_string_equal(l.h[2].own, "/process_api/abc");
	assert_null(l.h[3].controllers);
	assert_string_equal(l.h[3].mount, "/sys/fs/cgroup/unified");

	/* relative cgroupsPath: under the caller's cgroup in each hierarchy */
	struct cgroup_manager *m = NULL;
	assert_int_equal(cgroup_manager_new_with_layout("c1", "pod/c1", false, &l, &m, &err), 0);
	assert_string_equal(cgroup_dir_for(m, "memory")->path, "/sys/fs/cgroup/memory/process_api/abc/pod/c1");
	assert_string_equal(cgroup_dir_for(m, "cpuacct")->path, "/sys/fs/cgroup/cpu,cpuacct/pod/c1");
	assert_string_equal(cgroup_dir_v2(m)->path, "/sys/fs/cgroup/unified/init.scope/pod/c1");
	/* save and load keep every directory */
	char *saved = cgroup_manager_serialize(m);
	struct cgroup_manager *m2 = NULL;
	assert_int_equal(cgroup_manager_load(saved, &m2, &err), 0);
	char *again = cgroup_manager_serialize(m2);
	assert_string_equal(saved, again);
	assert_int_equal(m2->n, 4);
	assert_int_equal(m2->mode, CGROUP_MODE_HYBRID);
	free(saved);
	free(again);
	cgroup_manager_free(m2);
	cgroup_manager_free(m);
	assert_int_equal(cgroup_manager_load("garbage", &m2, &err), -1);
	strata_error_free(&err);
	cgroup_layout_free(&l);

	/* pure v2 */
	assert_int_equal(cgroup_layout_parse("30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/user.slice\n", &l, &err), 0);
	assert_int_equal(l.mode, CGROUP_MODE_V2);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.h[0].own, "/user.slice");
	cgroup_layout_free(&l);
	assert_int_equal(cgroup_layout_parse("25 30 0:23 / /sys rw - sysfs sysfs rw\n", "", &l, &err), -1);
	assert_int_equal(err->code, ENOENT);
	strata_error_free(&err);
}

static void test_host_layout(void **state)
{
	(void)state;
	struct cgroup_layout l = { 0 };
	strata_error_t err = NULL;
	assert_int_equal(cgroup_layout_detect(&l, &err), 0);
	assert_true(l.n >= 1);
	cgroup_layout_free(&l);
}

static void test_conversions(void **state)
{
	(void)state;
	assert_int_equal(cgroup_shares_to_weight(0), 0);
	assert_int_equal(cgroup_shares_to_weight(2), 1);
	assert_int_equal(cgroup_shares_to_weight(1024), 100);
	assert_int_equal(cgroup_shares_to_weight(262144), 10000);
	assert_int_equal(cgroup_shares_to_weight(2000), 170);
	assert_int_equal(cgroup_shares_to_weight(512), 59);
	assert_int_equal(cgroup_shares_to_weight(100), 17);
	assert_int_equal(cgroup_shares_to_weight(1), 1);	    /* clamped */
	assert_int_equal(cgroup_shares_to_weight(1000000), 10000); /* clamped */
	/* monotonic over the whole range */
	uint64_t prev = 0;
	for (uint64_t s = 2; s <= 262144; s += 97) {
		uint64_t w = cgroup_shares_to_weight(s);
		assert_true(w >= prev && w >= 1 && w <= 10000);
		prev = w;
	}
	assert_int_equal(cgroup_blkio_weight_to_io_weight(0), 0);
	assert_int_equal(cgroup_blkio_weight_to_io_weight(10), 1);
	assert_int_equal(cgroup_blkio_weight_to_io_weight(500), 4950);
	assert_int_equal(cgroup_blkio_weight_to_io_weight(1000), 10000);

	int64_t sw = 0;
	strata_error_t err = NULL;
	assert_int_equal(cgroup_swap_to_v2(256 << 20, 128 << 20, &sw, &err), 0);
	assert_int_equal(sw, 128 << 20);
	assert_int_equal(cgroup_swap_to_v2(-1, 128 << 20, &sw, &err), 0);
	assert_int_equal(sw, -1);
	assert_int_equal(cgroup_swap_to_v2(0, -1, &sw, &err), 0);
	assert_int_equal(sw, -1);
	assert_int_equal(cgroup_swap_to_v2(64 << 20, 128 << 20, &sw, &err), -1);
	strata_error_free(&err);
	assert_int_equal(cgroup_swap_to_v2(64 << 20, 0, &sw, &err), -1);
	strata_error_free(&err);
}

static void test_parse_size(void **state)
{
	(void)state;
	int64_t v = 0;
	strata_error_t err = NULL;
	assert_int_equal(cgroup_parse_size("128M", &v, &err), 0);
	assert_int_equal(v, 134217728);
	assert_int_equal(cgroup_parse_size("1g", &v, &err), 0);
	assert_int_equal(v, 1073741824);
	assert_int_equal(cgroup_parse_size("1.5k", &v, &err), 0);
	assert_int_equal(v, 1536);
	assert_int_equal(cgroup_parse_size("64MiB", &v, &err), 0);
	assert_int_equal(v, 64 << 20);
	assert_int_equal(cgroup_parse_size("100mb", &v, &err), 0);
	assert_int_equal(v, 100 << 20);
	assert_int_equal(cgroup_parse_size("4096", &v, &err), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(cgroup_parse_size("-1", &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(cgroup_parse_size("12Q", &v, &err), -1);
	strata_error_free(&err);
	assert_int_equal(cgroup_parse_size("", &v, &err), -1);
	strata_error_free(&err);
	assert_int_equal(cgroup_parse_size("99999999999p", &v, &err), -1);
	strata_error_free(&err);
}

static void test_update_flags(void **state)
{
	(void)state;
	struct cgroup_update_flags f;
	strata_error_t err = NULL;
	char *a1[] = { "update", "--memory", "128M", "--memory-swap=256m", "--cpu-share", "512", "--cpu-quota=-1",
		       "--cpuset-cpus", "0-1", "--pids-limit", "20", "--blkio-weight", "300", "ctr", NULL };
	assert_int_equal(cgroup_update_parse_flags(14, a1, &f, &err), 0);
	assert_string_equal(f.id, "ctr");
	assert_non_null(f.res.memory);
	assert_int_equal(f.res.memory->limit, 134217728);
	assert_int_equal(f.res.memory->swap, 268435456);
	assert_int_equal(f.res.cpu->shares, 512);
	assert_int_equal(f.res.cpu->quota, -1);
	assert_string_equal(f.res.cpu->cpus, "0-1");
	assert_true(f.res.has_pids_limit);
	assert_int_equal(f.res.pids_limit, 20);
	assert_int_equal(f.res.block_io->weight, 300);
	assert_null(f.resources_file);

	char *a2[] = { "update", "--resources", "-", "ctr", NULL };
	assert_int_equal(cgroup_update_parse_flags(4, a2, &f, &err), 0);
	assert_string_equal(f.resources_file, "-");
	assert_null(f.res.memory);
	char *a3[] = { "update", "--resources=/tmp/r.json", "ctr", NULL };
	assert_int_equal(cgroup_update_parse_flags(3, a3, &f, &err), 0);
	assert_string_equal(f.resources_file, "/tmp/r.json");
	char *a4[] = { "update", "-r", "/tmp/r.json", "ctr", NULL };
	assert_int_equal(cgroup_update_parse_flags(4, a4, &f, &err), 0);
	assert_string_equal(f.resources_file, "/tmp/r.json");

	char *bad1[] = { "update", "--memory", "12Q", "ctr", NULL };
	assert_int_equal(cgroup_update_parse_flags(4, bad1, &f, &err), -1);
	assert_non_null(strstr(err->msg, "--memory"));
	strata_error_free(&err);
	char *bad2[] = { "update", "--l3-cache-schema", "L3:0=f", "ctr", NULL };
	assert_int_equal(cgroup_update_parse_flags(4, bad2, &f, &err), -1);
	assert_int_equal(err->code, ENOTSUP);
	strata_error_free(&err);
	char *bad3[] = { "update", "--memory", "1g", NULL };
	assert_int_equal(cgroup_update_parse_flags(3, bad3, &f, &err), -1);
	strata_error_free(&err);
	char *bad4[] = { "update", "--no-such-flag", "1", "ctr", NULL };
	assert_int_equal(cgroup_update_parse_flags(4, bad4, &f, &err), -1);
	strata_error_free(&err);
}

/* ---- v2 mapping against a temporary tree that mimics cgroup2 ---- */

static void touch(const char *dir, const char *file, const char *content)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static char *slurp(const char *dir, const char *file)
{
	char *s = NULL;
	strata_error_t err = NULL;
	if (cg_read(dir, file, &s, &err) < 0) {
		strata_error_free(&err);
		return strdup("<missing>");
	}
	return s;
}

#define ASSERT_FILE(dir, file, want)                 \
	do {                                         \
		char *_s = slurp(dir, file);         \
		assert_string_equal(_s, want);       \
		free(_s);                            \
	} while (0)

static void test_v2_mapping(void **state)
{
	(void)state;
	char root[] = "/tmp/strata-cg2-XXXXXX";
	assert_non_null(mkdtemp(root));
	char leaf[4096], mid[4096];
	snprintf(mid, sizeof(mid), "%s/strata", root);
	snprintf(leaf, sizeof(leaf), "%s/strata/t1", root);
	assert_int_equal(mkdir(mid, 0755), 0);
	assert_int_equal(mkdir(leaf, 0755), 0);
	touch(root, "cgroup.controllers", "memory");
	touch(root, "cgroup.subtree_control", "");
	touch(mid, "cgroup.controllers", "memory");
	touch(mid, "cgroup.subtree_control", "");
	static const char *const files[] = { "memory.max", "memory.low", "memory.swap.max", "memory.current", "cpu.weight",
					     "cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems",
					     "pids.max", "io.weight", "io.max", "hugetlb.2MB.max", "rdma.max",
					     "memory.oom.group", NULL };
	for (size_t i = 0; files[i]; i++)
		touch(leaf, files[i], "");
	touch(leaf, "cpu.max", "max 100000");
	touch(leaf, "memory.current", "1048576");

	struct cgroup_hierarchy h = { .controllers = NULL, .mount = root, .mount_root = "/", .own = "/" };
	struct cgroup_layout l = { .mode = CGROUP_MODE_V2, .h = &h, .n = 1 };
	struct cgroup_manager *m = NULL;
	strata_error_t err = NULL;
	assert_int_equal(cgroup_manager_new_with_layout("t1", NULL, false, &l, &m, &err), 0);
	const struct cgroup_dir *d = cgroup_dir_v2(m);
	assert_string_equal(d->path, leaf);
	assert_null(cgroup_dir_for(m, "memory"));

	/* the controllers are enabled down the path */
	assert_int_equal(cgroup_v2_create_dir(d, true, &err), 0);
	ASSERT_FILE(root, "cgroup.subtree_control", "+memory");
	ASSERT_FILE(mid, "cgroup.subtree_control", "+memory");

	struct oci_memory mem = { .has_limit = true, .limit = 128 << 20, .has_swap = true, .swap = 256 << 20,
				  .has_reservation = true, .reservation = 64 << 20 };
	struct oci_cpu cpu = { .has_shares = true, .shares = 1024, .has_quota = true, .quota = 50000, .has_burst = true,
			       .burst = 1000, .cpus = "0-1", .mems = "0", .has_idle = true, .idle = 1 };
	struct oci_block_io bio = { .has_weight = true, .weight = 500 };
	struct oci_throttle_device thr = { .major = 8, .minor = 0, .rate = 1048576 };
	bio.throttle_read_bps_device = &thr;
	bio.throttle_read_bps_device_len = 1;
	struct oci_hugepage_limit hp = { .page_size = "2MB", .limit = 4 << 21 };
	struct oci_rdma_limit rdma = { .device = "mlx5_1", .has_hca_handles = true, .hca_handles = 3 };
	char *ukeys[] = { "memory.oom.group" }, *uvals[] = { "1" };
	struct oci_resources r = { .memory = &mem, .cpu = &cpu, .has_pids_limit = true, .pids_limit = 42,
				   .block_io = &bio, .hugepage_limits = &hp, .hugepage_limits_len = 1, .rdma = &rdma,
				   .rdma_len = 1, .unified = { .keys = ukeys, .values = uvals, .len = 1 } };
	assert_int_equal(cgroup_v2_apply(m, d, &r, true, &err), 0);
	ASSERT_FILE(leaf, "memory.max", "134217728");
	ASSERT_FILE(leaf, "memory.swap.max", "134217728"); /* 256M mem+swap - 128M mem */
	ASSERT_FILE(leaf, "memory.low", "67108864");
	ASSERT_FILE(leaf, "cpu.weight", "100"); /* 1024 shares */
	ASSERT_FILE(leaf, "cpu.max", "50000 100000"); /* period kept */
	ASSERT_FILE(leaf, "cpu.max.burst", "1000");
	ASSERT_FILE(leaf, "cpu.idle", "1");
	ASSERT_FILE(leaf, "cpuset.cpus", "0-1");
	ASSERT_FILE(leaf, "cpuset.mems", "0");
	ASSERT_FILE(leaf, "pids.max", "42");
	ASSERT_FILE(leaf, "io.weight", "default 4950");
	ASSERT_FILE(leaf, "io.max", "8:0 rbps=1048576");
	ASSERT_FILE(leaf, "hugetlb.2MB.max", "8388608");
	ASSERT_FILE(leaf, "rdma.max", "mlx5_1 hca_handle=3");
	ASSERT_FILE(leaf, "memory.oom.group", "1");

	/* unlimited values become "max" */
	touch(leaf, "memory.max", "");
	touch(leaf, "pids.max", "");
	struct oci_memory unl = { .has_limit = true, .limit = -1 };
	struct oci_resources r2 = { .memory = &unl, .has_pids_limit = true, .pids_limit = 0 };
	assert_int_equal(cgroup_v2_apply(m, d, &r2, true, &err), 0);
	ASSERT_FILE(leaf, "memory.max", "max");
	ASSERT_FILE(leaf, "pids.max", "max");

	/* checkBeforeUpdate refuses a limit under the current usage (1 MiB) */
	struct oci_memory low = { .has_limit = true, .limit = 4096, .has_check_before_update = true,
				  .check_before_update = true };
	struct oci_resources r3 = { .memory = &low };
	assert_int_equal(cgroup_v2_apply(m, d, &r3, true, &err), -1);
	assert_non_null(strstr(err->msg, "below the current usage"));
	strata_error_free(&err);

	/* what v2 cannot do is an error */
	struct oci_cpu rt = { .has_realtime_runtime = true, .realtime_runtime = 1000 };
	struct oci_resources r4 = { .cpu = &rt };
	assert_int_equal(cgroup_v2_apply(m, d, &r4, true, &err), -1);
	strata_error_free(&err);
	struct oci_network net = { .has_class_id = true, .class_id = 7 };
	struct oci_resources r5 = { .network = &net };
	assert_int_equal(cgroup_v2_apply(m, d, &r5, true, &err), -1);
	strata_error_free(&err);
	/* unified keys cannot leave the directory */
	char *bk[] = { "../cgroup.procs" }, *bv[] = { "1" };
	struct oci_resources r6 = { .unified = { .keys = bk, .values = bv, .len = 1 } };
	assert_int_equal(cgroup_v2_apply(m, d, &r6, true, &err), -1);
	assert_int_equal(err->code, EINVAL);
	strata_error_free(&err);

	/* stats read the same files */
	touch(leaf, "memory.max", "134217728");
	touch(leaf, "memory.stat", "anon 4096\nfile 8192\n");
	touch(leaf, "cpu.stat", "usage_usec 7\nuser_usec 5\nsystem_usec 2\nnr_periods 3\nnr_throttled 1\nthrottled_usec 9\n");
	touch(leaf, "pids.current", "2");
	touch(leaf, "pids.max", "max");
	char *json = NULL;
	assert_int_equal(cgroup_stats_json(m, &json, &err), 0);
	assert_non_null(strstr(json, "\"usage\":{\"total\":7000,"));
	assert_non_null(strstr(json, "\"throttledPeriods\":1"));
	assert_non_null(strstr(json, "\"cache\":8192"));
	assert_non_null(strstr(json, "\"limit\":134217728,\"usage\":1048576"));
	assert_non_null(strstr(json, "\"pids\":{\"current\":2,\"limit\":0}"));
	assert_non_null(strstr(json, "\"raw\":{\"anon\":4096,\"file\":8192}"));
	free(json);

	cgroup_manager_free(m);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* ---- the eBPF device program ---- */

static struct oci_device_cgroup rule(bool allow, const char *type, int64_t ma, int64_t mi, const char *acc)
{
	struct oci_device_cgroup r = { .allow = allow, .type = (char *)type, .has_major = ma >= 0, .major = ma,
				       .has_minor = mi >= 0, .minor = mi, .access = (char *)acc };
	return r;
}

static void test_ebpf_generate(void **state)
{
	(void)state;
	struct bpf_insn *insns = NULL;
	size_t n = 0;
	strata_error_t err = NULL;
	/* deny all, allow c 1:3 rwm */
	struct oci_device_cgroup rules[] = { rule(false, "a", -1, -1, "rwm"), rule(true, "c", 1, 3, "rwm") };
	assert_int_equal(cgroup_ebpf_devices_program(rules, 2, &insns, &n, &err), 0);
	/* prologue 6, allow block (type, major, minor, mov, exit) 5, deny-all block 2 */
	assert_int_equal(n, 13);
	assert_int_equal(insns[0].code, BPF_LDX | BPF_W | BPF_MEM);
	assert_int_equal(insns[6].code, BPF_JMP | BPF_JNE | BPF_K); /* type != char */
	assert_int_equal(insns[6].imm, BPF_DEVCG_DEV_CHAR);
	assert_int_equal(insns[6].off, 4);			/* skip to the next block */
	assert_int_equal(insns[7].imm, 1);			/* major */
	assert_int_equal(insns[8].imm, 3);			/* minor */
	assert_int_equal(insns[9].imm, 1);			/* r0 = 1: allow */
	assert_int_equal(insns[10].code, BPF_JMP | BPF_EXIT);
	assert_int_equal(insns[11].imm, 0);			/* deny all */
	assert_int_equal(insns[12].code, BPF_JMP | BPF_EXIT);
	free(insns);
	/* an unconditional rule ends the program: nothing unreachable after it */
	struct oci_device_cgroup r2[] = { rule(true, "c", 1, 3, "rw"), rule(true, "a", -1, -1, "rwm") };
	assert_int_equal(cgroup_ebpf_devices_program(r2, 2, &insns, &n, &err), 0);
	assert_int_equal(n, 8);
	free(insns);
	struct oci_device_cgroup bad[] = { rule(true, "x", 1, 3, "rw") };
	assert_int_equal(cgroup_ebpf_devices_program(bad, 1, &insns, &n, &err), -1);
	strata_error_free(&err);
	struct oci_device_cgroup bad2[] = { rule(true, "c", 1, 3, "rwz") };
	assert_int_equal(cgroup_ebpf_devices_program(bad2, 1, &insns, &n, &err), -1);
	strata_error_free(&err);
}

/* Open path for reading in a child placed in cgroup dir; returns the child's errno (0 = opened). */
static int open_in_cgroup(const char *dir, const char *path, int flags)
{
	pid_t pid = fork();
	if (pid == 0) {
		char procs[4200], me[32];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		int fd = open(procs, O_WRONLY);
		int l = snprintf(me, sizeof(me), "%d", getpid());
		if (fd < 0 || write(fd, me, (size_t)l) < 0)
			_exit(200);
		close(fd);
		int d = open(path, flags);
		_exit(d >= 0 ? 0 : errno);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

static void test_ebpf_load_and_enforce(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	struct bpf_insn *insns = NULL;
	size_t n = 0;
	struct oci_device_cgroup rules[] = { rule(false, "a", -1, -1, "rwm"), rule(true, "c", 1, 3, "rwm"),
					     rule(true, "c", 1, 5, "r") };
	assert_int_equal(cgroup_ebpf_devices_program(rules, 3, &insns, &n, &err), 0);
	int prog = -1;
	int r = cgroup_ebpf_load(insns, n, &prog, &err);
	free(insns);
	if (r < 0)
		fail_msg("BPF_PROG_LOAD: %s", err->msg);
	/* Enforcement needs a cgroup2 directory: the host's unified mount (hybrid)
	 * or /sys/fs/cgroup (unified).  No controller is needed for device programs. */
	const char *mnt = access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) == 0 ? "/sys/fs/cgroup/unified"
		      : access("/sys/fs/cgroup/cgroup.procs", F_OK) == 0	  ? "/sys/fs/cgroup"
										  : NULL;
	if (mnt == NULL) {
		close(prog);
		skip();
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/strata-test-ebpf-%d", mnt, getpid());
	assert_int_equal(mkdir(dir, 0755), 0);
	int cg = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(cg >= 0);
	assert_int_equal(cgroup_ebpf_attach_replace(cg, prog, &err), 0);
	close(prog);
	assert_int_equal(open_in_cgroup(dir, "/dev/null", O_RDWR), 0);
	assert_int_equal(open_in_cgroup(dir, "/dev/zero", O_RDONLY), 0);
	assert_int_equal(open_in_cgroup(dir, "/dev/zero", O_RDWR), EPERM); /* only "r" allowed */
	assert_int_equal(open_in_cgroup(dir, "/dev/full", O_RDONLY), EPERM);

	/* replace: the new program allows /dev/full, and it is the only one attached */
	assert_int_equal(cgroup_ebpf_devices_apply(dir, (struct oci_device_cgroup[]){ rule(false, "a", -1, -1, "rwm"),
										   rule(true, "c", 1, 7, "rwm") },
						   2, &err),
			 0);
	assert_int_equal(open_in_cgroup(dir, "/dev/full", O_RDONLY), 0);
	assert_int_equal(open_in_cgroup(dir, "/dev/null", O_RDONLY), EPERM);
	uint32_t ids[8];
	union bpf_attr q;
	memset(&q, 0, sizeof(q));
	q.query.target_fd = (uint32_t)cg;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	q.query.prog_ids = (uint64_t)(uintptr_t)ids;
	q.query.prog_cnt = 8;
	assert_int_equal(syscall(SYS_bpf, BPF_PROG_QUERY, &q, sizeof(q)), 0);
	assert_int_equal(q.query.prog_cnt, 1);
	close(cg);
	assert_int_equal(rmdir(dir), 0);
}

/* ---- the real cgroup2 mount: mkdir, cgroup.procs, cgroup.freeze, cgroup.kill ---- */

static void test_v2_real_freeze_kill(void **state)
{
	(void)state;
	const char *mnt = access("/sys/fs/cgroup/unified/cgroup.freeze", F_OK) == 0 ? "/sys/fs/cgroup/unified" : NULL;
	if (mnt == NULL) {
		/* a unified mount without cgroup.freeze at its root: try /sys/fs/cgroup */
		if (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) == 0)
			mnt = "/sys/fs/cgroup/unified";
		else if (access("/sys/fs/cgroup/cgroup.procs", F_OK) == 0 && access("/sys/fs/cgroup/memory", F_OK) != 0)
			mnt = "/sys/fs/cgroup";
		else
			skip();
	}
	char own[64];
	snprintf(own, sizeof(own), "/strata-test-%d", getpid());
	struct cgroup_hierarchy h = { .controllers = NULL, .mount = (char *)mnt, .mount_root = "/", .own = own };
	struct cgroup_layout l = { .mode = CGROUP_MODE_V2, .h = &h, .n = 1 };
	struct cgroup_manager *m = NULL;
	strata_error_t err = NULL;
	assert_int_equal(cgroup_manager_new_with_layout("k1", "k1", false, &l, &m, &err), 0);
	const struct cgroup_dir *d = cgroup_dir_v2(m);
	/* no subtree_control changes on the host's mount */
	assert_int_equal(cgroup_v2_create_dir(d, false, &err), 0);
	/* cgroup_v2_apply at create attaches the eBPF program of the default
	 * device rules (deny all + runc's allow list) */
	struct oci_device_cgroup deny_all = rule(false, "a", -1, -1, "rwm");
	struct oci_resources res = { .devices = &deny_all, .devices_len = 1 };
	if (cgroup_v2_apply(m, d, &res, false, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(open_in_cgroup(d->path, "/dev/null", O_RDWR), 0);
	assert_int_equal(open_in_cgroup(d->path, "/dev/urandom", O_RDONLY), 0);
	if (access("/dev/kmsg", F_OK) == 0)
		assert_int_equal(open_in_cgroup(d->path, "/dev/kmsg", O_RDONLY), EPERM); /* c 1:11 */
	if (access("/dev/loop0", F_OK) == 0)
		assert_int_equal(open_in_cgroup(d->path, "/dev/loop0", O_RDONLY), EPERM); /* b 7:0 */
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t child = fork();
	if (child == 0) {
		close(p[0]);
		/* a counter: writes a byte every 10 ms */
		for (;;) {
			if (write(p[1], "x", 1) < 0)
				_exit(1);
			usleep(10000);
		}
	}
	close(p[1]);
	assert_int_equal(cgroup_enter(m, child, &err), 0);
	pid_t *pids = NULL;
	size_t n = 0;
	assert_int_equal(cgroup_pids(m, &pids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], child);
	free(pids);
	if (cg_exists(d->path, "cgroup.freeze")) {
		assert_int_equal(cgroup_freeze(m, true, &err), 0);
		assert_true(cgroup_is_frozen(m));
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		char buf[4096];
		usleep(50000);
		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		usleep(100000);
		assert_int_equal(read(p[0], buf, sizeof(buf)), -1); /* nothing written while frozen */
		assert_int_equal(cgroup_freeze(m, false, &err), 0);
		assert_false(cgroup_is_frozen(m));
		usleep(100000);
		assert_true(read(p[0], buf, sizeof(buf)) > 0); /* counting again */
	}
	assert_int_equal(cgroup_kill_all(m, SIGKILL, &err), 0); /* cgroup.kill */
	int st = 0;
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(cgroup_destroy(m, &err), 0);
	assert_int_equal(access(d->path, F_OK), -1);
	close(p[0]);
	cgroup_manager_free(m);
	char parent[4200];
	snprintf(parent, sizeof(parent), "%s%s", mnt, own);
	rmdir(parent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_resolve),	    cmocka_unit_test(test_systemd_path),
		cmocka_unit_test(test_layout_parse),	    cmocka_unit_test(test_layout_overmounted),
		cmocka_unit_test(test_host_layout),
		cmocka_unit_test(test_conversions),	    cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_update_flags),	    cmocka_unit_test(test_v2_mapping),
		cmocka_unit_test(test_ebpf_generate),	    cmocka_unit_test(test_ebpf_load_and_enforce),
		cmocka_unit_test(test_v2_real_freeze_kill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
