/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_oci_alloc_failure.c - every allocation of the oci-spec parsers and
 * writers may fail: make the 1st, 2nd, ... Nth allocation fail in turn and
 * check that the call fails cleanly (error set, nothing returned) and that
 * every byte it allocated was freed.
 *
 * This test replaces malloc/calloc/realloc/free for the whole binary, which
 * AddressSanitizer also does, so it is skipped in the sanitizer build
 * (there ASan/LSan check the same paths through the other tests and the
 * fuzzer).  yajl does not check its own allocations (a NULL from malloc
 * inside libyajl would crash it), so allocations made by libyajl itself are
 * never failed.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oci-spec/config.h"
#include "oci-spec/state.h"

/* yajl's own allocations go through: its failure paths are yajl's to test. */
__attribute__((unused)) static bool from_yajl(void *ret)
{
	Dl_info info;
	return dladdr(ret, &info) != 0 && info.dli_fname != NULL && strstr(info.dli_fname, "libyajl") != NULL;
}
#define ALLOC_FAIL_EXEMPT(caller) from_yajl(caller)
#include "alloc_fail.h"

enum subject { CONFIG, CONFIG_ERROR, DEFAULT_SPEC, STATE };

#ifndef ALLOC_FAIL_UNDER_ASAN
static const char config[] =
	"{\"ociVersion\":\"1.3.0\",\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":1,\"width\":2},"
	"\"user\":{\"uid\":1,\"gid\":2,\"umask\":18,\"additionalGids\":[3,4]},\"args\":[\"sh\",\"-c\"],"
	"\"env\":[\"A=1\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"ambient\":[]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":1}],\"oomScoreAdj\":5,"
	"\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"flags\":[\"SCHED_FLAG_RECLAIM\"]},"
	"\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":0},\"execCPUAffinity\":{\"initial\":\"0\"}},"
	"\"root\":{\"path\":\"rootfs\"},\"hostname\":\"h\",\"mounts\":[{\"destination\":\"/m\",\"type\":\"bind\","
	"\"source\":\"/s\",\"options\":[\"rbind\"],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}],"
	"\"hooks\":{\"prestart\":[{\"path\":\"/h\",\"args\":[\"h\"],\"env\":[\"E=1\"],\"timeout\":1}]},"
	"\"annotations\":{\"a\":\"1\",\"a\":\"2\",\"b\":\"3\"},"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/n\"}],"
	"\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1,\"minor\":2}],\"cgroupsPath\":\"/c\","
	"\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],\"memory\":{\"limit\":1},"
	"\"cpu\":{\"cpus\":\"0\",\"mems\":\"0\"},\"pids\":{\"limit\":1},\"blockIO\":{\"weight\":10,"
	"\"weightDevice\":[{\"major\":1,\"minor\":1}],\"throttleReadBpsDevice\":[{\"major\":1,\"minor\":1,\"rate\":1}]},"
	"\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}],\"network\":{\"priorities\":[{\"name\":\"e\","
	"\"priority\":1}]},\"rdma\":{\"m\":{\"hcaHandles\":1}},\"unified\":{\"k\":\"v\"}},"
	"\"sysctl\":{\"k\":\"v\"},\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x\"],"
	"\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":2,"
	"\"op\":\"SCMP_CMP_EQ\"}]}]},\"maskedPaths\":[\"/m\"],\"readonlyPaths\":[\"/r\"],"
	"\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"f\"]},\"timeOffsets\":{\"boottime\":{\"secs\":1}},"
	"\"netDevices\":{\"eth0\":{\"name\":\"n\"}},\"memoryPolicy\":{\"mode\":\"MPOL_LOCAL\",\"nodes\":\"0\","
	"\"flags\":[\"MPOL_F_STATIC_NODES\"]},\"intelRdt\":{\"closID\":\"c\",\"schemata\":[\"s\"]}}}";

static const char state_doc[] = "{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"pid\":5,"
				"\"bundle\":\"/b\",\"annotations\":{\"z\":\"1\",\"a\":\"2\"}}";

/* Run the subject once; returns 0 on success, -1 on failure (and checks the failure contract). */
static int run(enum subject s)
{
	strata_error_t err = NULL;
	int r = -1;
	switch (s) {
	case CONFIG:
	case CONFIG_ERROR: {
		/* CONFIG_ERROR: the same document cut short, so the error path runs too */
		size_t len = s == CONFIG ? strlen(config) : strlen(config) - 40;
		struct oci_config *c = NULL;
		r = oci_config_parse("config.json", config, len, &c, &err);
		assert_true((r == 0) == (c != NULL));
		/* On failure err is normally set; it stays NULL only when
		 * common/error.c could not allocate the error itself. */
		assert_true(r < 0 || err == NULL);
		oci_config_free(c);
		break;
	}
	case DEFAULT_SPEC: {
		char *j = oci_config_default_json(true);
		r = j != NULL ? 0 : -1;
		free(j);
		break;
	}
	case STATE: {
		struct oci_state *st = NULL;
		r = oci_state_parse("state.json", state_doc, strlen(state_doc), &st, &err);
		assert_true((r == 0) == (st != NULL));
		if (st != NULL) {
			char *j = oci_state_to_json(st, true);
			free(j);
			j = oci_state_to_hook_json(st);
			free(j);
		}
		oci_state_free(st);
		break;
	}
	}
	strata_error_free(&err);
	return r;
}

#endif

static void sweep(enum subject s, long min_points)
{
#ifdef ALLOC_FAIL_UNDER_ASAN
	(void)s;
	(void)min_points;
	skip();
#else
	long points = 0;
	for (long at = 1;; at++) {
		alloc_fail_arm(at);
		run(s);
		alloc_fail_disarm();
		if (alloc_live != 0)
			fail_msg("failing allocation %ld leaves %ld blocks allocated", at, alloc_live);
		if (alloc_count < at)
			break; /* the run made fewer allocations: every point was failed once */
		points++;
	}
	assert_true(points >= min_points);
#endif
}

static void test_config_parse_alloc_failures(void **state)
{
	(void)state;
	sweep(CONFIG, 100);
}

static void test_config_error_alloc_failures(void **state)
{
	(void)state;
	sweep(CONFIG_ERROR, 50);
}

static void test_default_spec_alloc_failures(void **state)
{
	(void)state;
	sweep(DEFAULT_SPEC, 1);
}

static void test_state_alloc_failures(void **state)
{
	(void)state;
	sweep(STATE, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_parse_alloc_failures),
		cmocka_unit_test(test_config_error_alloc_failures),
		cmocka_unit_test(test_default_spec_alloc_failures),
		cmocka_unit_test(test_state_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
