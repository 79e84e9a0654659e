/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.c - `events --stats` data: runc's JSON shape (the one go-runc's
 * Stats type decodes):
 *   {"cpu":{"usage":{"total","percpu":[..],"kernel","user"},
 *           "throttling":{"periods","throttledPeriods","throttledTime"}},
 *    "cpuset":{"cpus":[..],"mems":[..]},
 *    "memory":{"cache","usage":{"limit","usage","max","failcnt"},"swap":{..},
 *              "kernel":{..},"kernelTCP":{..},"raw":{memory.stat}},
 *    "pids":{"current","limit"},
 *    "blkio":{"ioServiceBytesRecursive":[{"major","minor","op","value"}],"ioServicedRecursive":[..]},
 *    "hugetlb":{"2MB":{"usage","max","failcnt"}}}
 * Units: cpu times in nanoseconds, memory in bytes.  A missing file (a
 * controller that is not mounted) reads as 0; an unlimited limit is
 * 18446744073709551615 on v2 ("max") and the kernel's value on v1.
 * Source: kernel cgroup-v1/{cpuacct,memory,pids,blkio-controller}.rst,
 * sched-bwc.rst (cpu.stat), cgroup-v2.rst (cpu.stat, memory.*, io.stat,
 * hugetlb.*); runc's types/events.go (names only).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl_gen.h>

#include "../common/cleanup.h"
#include "internal.h"

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_u64(yajl_gen g, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
	yajl_gen_number(g, buf, (size_t)n);
}

static void kv_u64(yajl_gen g, const char *k, uint64_t v)
{
	gen_str(g, k);
	gen_u64(g, v);
}

/* DIR/FILE as a number, 0 when the directory or file is missing. */
static uint64_t rd(const struct cgroup_dir *d, const char *file)
{
	if (d == NULL)
		return 0;
	uint64_t v = 0;
	_cleanup_error_ strata_error_t e = NULL;
	if (cg_read_u64(d->path, file, &v, &e) < 0)
		return 0;
	return v;
}

static char *rds(const struct cgroup_dir *d, const char *file)
{
	if (d == NULL)
		return NULL;
	char *s = NULL;
	_cleanup_error_ strata_error_t e = NULL;
	if (cg_read(d->path, file, &s, &e) < 0)
		return NULL;
	return s;
}

static uint64_t keyed(const char *content, const char *key)
{
	uint64_t v = 0;
	if (content != NULL)
		cg_keyed_u64(content, key, &v);
	return v;
}

/* A cpu/mem list "0-3,7" as a JSON array of numbers. */
static void gen_list(yajl_gen g, const char *list)
{
	yajl_gen_array_open(g);
	for (const char *p = list; p != NULL && *p != '\0';) {
		char *end = NULL;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (end == p)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (unsigned long i = a; i <= b && i - a < 65536; i++)
			gen_u64(g, i);
		p = *end == ',' ? end + 1 : NULL;
	}
	yajl_gen_array_close(g);
}

/* "key value" lines as a JSON object of numbers. */
static void gen_raw(yajl_gen g, const char *content)
{
	yajl_gen_map_open(g);
	_cleanup_free_ char *copy = content ? strdup(content) : NULL;
	for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		kv_u64(g, line, strtoull(sp + 1, NULL, 10));
	}
	yajl_gen_map_close(g);
}

static void gen_mem_entry(yajl_gen g, const char *name, uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
	gen_str(g, name);
	yajl_gen_map_open(g);
	kv_u64(g, "limit", limit);
	kv_u64(g, "usage", usage);
	kv_u64(g, "max", max);
	kv_u64(g, "failcnt", failcnt);
	yajl_gen_map_close(g);
}

static void gen_blkio_entry(yajl_gen g, uint64_t major, uint64_t minor, const char *op, uint64_t value)
{
	yajl_gen_map_open(g);
	kv_u64(g, "major", major);
	kv_u64(g, "minor", minor);
	gen_str(g, "op");
	gen_str(g, op);
	kv_u64(g, "value", value);
	yajl_gen_map_close(g);
}

/* v1 blkio files: "MAJ:MIN Op value" lines ("Total N" skipped). */
static void gen_blkio_v1_file(yajl_gen g, const char *name, const char *content)
{
	gen_str(g, name);
	yajl_gen_array_open(g);
	_cleanup_free_ char *copy = content ? strdup(content) : NULL;
	for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long ma, mi, v;
		char op[32];
		if (sscanf(line, "%llu:%llu %31s %llu", &ma, &mi, op, &v) == 4)
			gen_blkio_entry(g, ma, mi, op, v);
	}
	yajl_gen_array_close(g);
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ...". */
static void gen_io_v2(yajl_gen g, const char *content, const char *rkey, const char *wkey, const char *name)
{
	gen_str(g, name);
	yajl_gen_array_open(g);
	_cleanup_free_ char *copy = content ? strdup(content) : NULL;
	for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long ma, mi;
		if (sscanf(line, "%llu:%llu", &ma, &mi) != 2)
			continue;
		uint64_t r = 0, w = 0;
		for (char *s2 = NULL, *tok = strtok_r(line, " ", &s2); tok != NULL; tok = strtok_r(NULL, " ", &s2)) {
			size_t rl = strlen(rkey), wl = strlen(wkey);
			if (strncmp(tok, rkey, rl) == 0 && tok[rl] == '=')
				r = strtoull(tok + rl + 1, NULL, 10);
			else if (strncmp(tok, wkey, wl) == 0 && tok[wl] == '=')
				w = strtoull(tok + wl + 1, NULL, 10);
		}
		gen_blkio_entry(g, ma, mi, "Read", r);
		gen_blkio_entry(g, ma, mi, "Write", w);
		gen_blkio_entry(g, ma, mi, "Total", r + w);
	}
	yajl_gen_array_close(g);
}

static void stats_v1(yajl_gen g, const struct cgroup_manager *m)
{
	const struct cgroup_dir *acct = cgroup_dir_for(m, "cpuacct"), *cpu = cgroup_dir_for(m, "cpu"),
				*cpuset = cgroup_dir_for(m, "cpuset"), *mem = cgroup_dir_for(m, "memory"),
				*pids = cgroup_dir_for(m, "pids"), *blkio = cgroup_dir_for(m, "blkio"),
				*huge = cgroup_dir_for(m, "hugetlb");
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100;
	_cleanup_free_ char *acct_stat = rds(acct, "cpuacct.stat");
	_cleanup_free_ char *percpu = rds(acct, "cpuacct.usage_percpu");
	_cleanup_free_ char *cpu_stat = rds(cpu, "cpu.stat");
	gen_str(g, "cpu");
	yajl_gen_map_open(g);
	gen_str(g, "usage");
	yajl_gen_map_open(g);
	kv_u64(g, "total", rd(acct, "cpuacct.usage"));
	gen_str(g, "percpu");
	yajl_gen_array_open(g);
	for (char *p = percpu; p != NULL && *p != '\0';) {
		char *end = NULL;
		uint64_t v = strtoull(p, &end, 10);
		if (end == p)
			break;
		gen_u64(g, v);
		p = end;
		while (*p == ' ')
			p++;
	}
	yajl_gen_array_close(g);
	kv_u64(g, "kernel", keyed(acct_stat, "system") * 1000000000ULL / (uint64_t)hz);
	kv_u64(g, "user", keyed(acct_stat, "user") * 1000000000ULL / (uint64_t)hz);
	yajl_gen_map_close(g);
	gen_str(g, "throttling");
	yajl_gen_map_open(g);
	kv_u64(g, "periods", keyed(cpu_stat, "nr_periods"));
	kv_u64(g, "throttledPeriods", keyed(cpu_stat, "nr_throttled"));
	kv_u64(g, "throttledTime", keyed(cpu_stat, "throttled_time"));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	_cleanup_free_ char *cpus = rds(cpuset, "cpuset.cpus");
	_cleanup_free_ char *mems = rds(cpuset, "cpuset.mems");
	gen_str(g, "cpuset");
	yajl_gen_map_open(g);
	gen_str(g, "cpus");
	gen_list(g, cpus);
	gen_str(g, "mems");
	gen_list(g, mems);
	yajl_gen_map_close(g);

	_cleanup_free_ char *mstat = rds(mem, "memory.stat");
	gen_str(g, "memory");
	yajl_gen_map_open(g);
	kv_u64(g, "cache", keyed(mstat, "cache"));
	gen_mem_entry(g, "usage", rd(mem, "memory.limit_in_bytes"), rd(mem, "memory.usage_in_bytes"),
		      rd(mem, "memory.max_usage_in_bytes"), rd(mem, "memory.failcnt"));
	gen_mem_entry(g, "swap", rd(mem, "memory.memsw.limit_in_bytes"), rd(mem, "memory.memsw.usage_in_bytes"),
		      rd(mem, "memory.memsw.max_usage_in_bytes"), rd(mem, "memory.memsw.failcnt"));
	gen_mem_entry(g, "kernel", rd(mem, "memory.kmem.limit_in_bytes"), rd(mem, "memory.kmem.usage_in_bytes"),
		      rd(mem, "memory.kmem.max_usage_in_bytes"), rd(mem, "memory.kmem.failcnt"));
	gen_mem_entry(g, "kernelTCP", rd(mem, "memory.kmem.tcp.limit_in_bytes"), rd(mem, "memory.kmem.tcp.usage_in_bytes"),
		      rd(mem, "memory.kmem.tcp.max_usage_in_bytes"), rd(mem, "memory.kmem.tcp.failcnt"));
	gen_str(g, "raw");
	gen_raw(g, mstat);
	yajl_gen_map_close(g);

	gen_str(g, "pids");
	yajl_gen_map_open(g);
	kv_u64(g, "current", rd(pids, "pids.current"));
	uint64_t lim = rd(pids, "pids.max");
	kv_u64(g, "limit", lim == UINT64_MAX ? 0 : lim);
	yajl_gen_map_close(g);

	gen_str(g, "blkio");
	yajl_gen_map_open(g);
	{
		_cleanup_free_ char *bytes = rds(blkio, "blkio.io_service_bytes_recursive");
		if (bytes == NULL)
			bytes = rds(blkio, "blkio.throttle.io_service_bytes_recursive");
		_cleanup_free_ char *ios = rds(blkio, "blkio.io_serviced_recursive");
		if (ios == NULL)
			ios = rds(blkio, "blkio.throttle.io_serviced_recursive");
		gen_blkio_v1_file(g, "ioServiceBytesRecursive", bytes);
		gen_blkio_v1_file(g, "ioServicedRecursive", ios);
	}
	yajl_gen_map_close(g);

	gen_str(g, "hugetlb");
	yajl_gen_map_open(g);
	if (huge != NULL) {
		_cleanup_closedir_ DIR *dd = opendir(huge->path);
		struct dirent *e;
		while (dd != NULL && (e = readdir(dd)) != NULL) {
			/* hugetlb.2MB.usage_in_bytes */
			const char *n = e->d_name;
			size_t l = strlen(n);
			const char *suffix = ".usage_in_bytes";
			size_t sl = strlen(suffix);
			if (strncmp(n, "hugetlb.", 8) != 0 || l <= 8 + sl || strcmp(n + l - sl, suffix) != 0)
				continue;
			_cleanup_free_ char *size = strndup(n + 8, l - 8 - sl);
			if (size == NULL || strchr(size, '.') != NULL)
				continue;
			char f1[128], f2[128];
			snprintf(f1, sizeof(f1), "hugetlb.%s.max_usage_in_bytes", size);
			snprintf(f2, sizeof(f2), "hugetlb.%s.failcnt", size);
			gen_str(g, size);
			yajl_gen_map_open(g);
			kv_u64(g, "usage", rd(huge, n));
			kv_u64(g, "max", rd(huge, f1));
			kv_u64(g, "failcnt", rd(huge, f2));
			yajl_gen_map_close(g);
		}
	}
	yajl_gen_map_close(g);
}

static void stats_v2(yajl_gen g, const struct cgroup_dir *d)
{
	_cleanup_free_ char *cpu_stat = rds(d, "cpu.stat");
	gen_str(g, "cpu");
	yajl_gen_map_open(g);
	gen_str(g, "usage");
	yajl_gen_map_open(g);
	kv_u64(g, "total", keyed(cpu_stat, "usage_usec") * 1000);
	gen_str(g, "percpu");
	yajl_gen_array_open(g);
	yajl_gen_array_close(g);
	kv_u64(g, "kernel", keyed(cpu_stat, "system_usec") * 1000);
	kv_u64(g, "user", keyed(cpu_stat, "user_usec") * 1000);
	yajl_gen_map_close(g);
	gen_str(g, "throttling");
	yajl_gen_map_open(g);
	kv_u64(g, "periods", keyed(cpu_stat, "nr_periods"));
	kv_u64(g, "throttledPeriods", keyed(cpu_stat, "nr_throttled"));
	kv_u64(g, "throttledTime", keyed(cpu_stat, "throttled_usec") * 1000);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);

	_cleanup_free_ char *cpus = rds(d, "cpuset.cpus.effective");
	_cleanup_free_ char *mems = rds(d, "cpuset.mems.effective");
	gen_str(g, "cpuset");
	yajl_gen_map_open(g);
	gen_str(g, "cpus");
	gen_list(g, cpus);
	gen_str(g, "mems");
	gen_list(g, mems);
	yajl_gen_map_close(g);

	_cleanup_free_ char *mstat = rds(d, "memory.stat");
	_cleanup_free_ char *mevents = rds(d, "memory.events");
	_cleanup_free_ char *sevents = rds(d, "memory.swap.events");
	gen_str(g, "memory");
	yajl_gen_map_open(g);
	kv_u64(g, "cache", keyed(mstat, "file"));
	gen_mem_entry(g, "usage", rd(d, "memory.max"), rd(d, "memory.current"), rd(d, "memory.peak"),
		      keyed(mevents, "max"));
	gen_mem_entry(g, "swap", rd(d, "memory.swap.max"), rd(d, "memory.swap.current"), rd(d, "memory.swap.peak"),
		      keyed(sevents, "fail"));
	gen_mem_entry(g, "kernel", 0, keyed(mstat, "kernel"), 0, 0);
	gen_mem_entry(g, "kernelTCP", 0, keyed(mstat, "sock"), 0, 0);
	gen_str(g, "raw");
	gen_raw(g, mstat);
	yajl_gen_map_close(g);

	gen_str(g, "pids");
	yajl_gen_map_open(g);
	kv_u64(g, "current", rd(d, "pids.current"));
	uint64_t lim = rd(d, "pids.max");
	kv_u64(g, "limit", lim == UINT64_MAX ? 0 : lim);
	yajl_gen_map_close(g);

	_cleanup_free_ char *io = rds(d, "io.stat");
	gen_str(g, "blkio");
	yajl_gen_map_open(g);
	gen_io_v2(g, io, "rbytes", "wbytes", "ioServiceBytesRecursive");
	gen_io_v2(g, io, "rios", "wios", "ioServicedRecursive");
	yajl_gen_map_close(g);

	gen_str(g, "hugetlb");
	yajl_gen_map_open(g);
	_cleanup_closedir_ DIR *dd = d ? opendir(d->path) : NULL;
	struct dirent *e;
	while (dd != NULL && (e = readdir(dd)) != NULL) {
		const char *n = e->d_name;
		size_t l = strlen(n);
		if (strncmp(n, "hugetlb.", 8) != 0 || l <= 16 || strcmp(n + l - 8, ".current") != 0)
			continue;
		_cleanup_free_ char *size = strndup(n + 8, l - 16);
		if (size == NULL || strchr(size, '.') != NULL)
			continue;
		char f1[128], f2[128];
		snprintf(f1, sizeof(f1), "hugetlb.%s.max", size);
		snprintf(f2, sizeof(f2), "hugetlb.%s.events", size);
		_cleanup_free_ char *ev = rds(d, f2);
		gen_str(g, size);
		yajl_gen_map_open(g);
		kv_u64(g, "usage", rd(d, n));
		kv_u64(g, "max", rd(d, f1));
		kv_u64(g, "failcnt", keyed(ev, "max"));
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

int cgroup_stats_json(struct cgroup_manager *m, char **json, strata_error_t *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g == NULL)
		return strata_error_errno(err, ENOMEM, "stats");
	yajl_gen_map_open(g);
	if (m->mode == CGROUP_MODE_V2)
		stats_v2(g, cgroup_dir_v2(m));
	else
		stats_v1(g, m);
	yajl_gen_map_close(g);
	const unsigned char *buf = NULL;
	size_t len = 0;
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return strata_error_set(err, EIO, "stats: JSON generation failed");
	}
	*json = strndup((const char *)buf, len);
	yajl_gen_free(g);
	if (*json == NULL)
		return strata_error_errno(err, ENOMEM, "stats");
	return 0;
}
