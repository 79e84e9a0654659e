/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_sysctl.c - which linux.sysctl keys are accepted, and the error texts
 * (runtime/native/sysctl.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/native/sysctl.h"

/* A config with the given namespaces (terminated by OCI_NS__COUNT). */
struct fixture {
	struct oci_config c;
	struct oci_linux l;
	struct oci_namespace ns[OCI_NS__COUNT];
};

static void make(struct fixture *f, const enum oci_namespace_type *types)
{
	memset(f, 0, sizeof(*f));
	size_t n = 0;
	for (; types[n] != OCI_NS__COUNT; n++)
		f->ns[n].type = types[n];
	f->l.namespaces = f->ns;
	f->l.namespaces_len = n;
	f->c.linux_ = &f->l;
}

static void expect_error(const struct oci_config *c, const char *key, const char *msg)
{
	strata_error_t err = NULL;
	assert_int_equal(sysctl_check_key(c, key, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, EINVAL);
	assert_string_equal(err->msg, msg);
	strata_error_free(&err);
}

static void expect_ok(const struct oci_config *c, const char *key)
{
	strata_error_t err = NULL;
	assert_int_equal(sysctl_check_key(c, key, &err), 0);
	assert_null(err);
}

static void test_net_needs_netns(void **state)
{
	(void)state;
	struct fixture f;
	enum oci_namespace_type with[] = { OCI_NS_NETWORK, OCI_NS__COUNT };
	enum oci_namespace_type without[] = { OCI_NS_PID, OCI_NS__COUNT };
	make(&f, with);
	expect_ok(&f.c, "net.ipv4.ip_forward");
	make(&f, without);
	expect_error(&f.c, "net.ipv4.ip_forward",
		     "sysctl `net.ipv4.ip_forward` is not allowed in the host's network namespace");
}

static void test_ipc_keys(void **state)
{
	(void)state;
	struct fixture f;
	enum oci_namespace_type with[] = { OCI_NS_IPC, OCI_NS__COUNT };
	enum oci_namespace_type without[] = { OCI_NS__COUNT };
	const char *keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
			       "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.msg_max" };
	make(&f, with);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		expect_ok(&f.c, keys[i]);
	make(&f, without);
	expect_error(&f.c, "kernel.shmmax", "sysctl `kernel.shmmax` is not allowed in the host's ipc namespace");
	expect_error(&f.c, "fs.mqueue.queues_max",
		     "sysctl `fs.mqueue.queues_max` is not allowed in the host's ipc namespace");
}

static void test_uts_keys(void **state)
{
	(void)state;
	struct fixture f;
	enum oci_namespace_type with[] = { OCI_NS_UTS, OCI_NS__COUNT };
	make(&f, with);
	expect_ok(&f.c, "kernel.domainname");
	expect_ok(&f.c, "kernel.hostname");
	char host[] = "box";
	f.c.hostname = host;
	expect_error(&f.c, "kernel.hostname",
		     "sysctl `kernel.hostname` is not allowed as it conflicts with the OCI `hostname` field");
	expect_ok(&f.c, "kernel.domainname");
	enum oci_namespace_type without[] = { OCI_NS__COUNT };
	make(&f, without);
	expect_error(&f.c, "kernel.hostname", "sysctl `kernel.hostname` is not allowed in the host's uts namespace");
}

static void test_not_namespaced(void **state)
{
	(void)state;
	struct fixture f;
	enum oci_namespace_type all[] = { OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS, OCI_NS_MOUNT,
					  OCI_NS__COUNT };
	make(&f, all);
	expect_error(&f.c, "kernel.core_pattern",
		     "sysctl `kernel.core_pattern` is not in a separate kernel namespace: not allowed");
	expect_error(&f.c, "vm.overcommit_memory",
		     "sysctl `vm.overcommit_memory` is not in a separate kernel namespace: not allowed");
	/* close to an allowed name is not enough */
	expect_error(&f.c, "kernel.shmmaxx",
		     "sysctl `kernel.shmmaxx` is not in a separate kernel namespace: not allowed");
}

static void test_malformed_keys(void **state)
{
	(void)state;
	struct fixture f;
	enum oci_namespace_type all[] = { OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS__COUNT };
	make(&f, all);
	expect_error(&f.c, "net/../../kernel/core_pattern",
		     "sysctl `net/../../kernel/core_pattern`: invalid key");
	expect_error(&f.c, "net.ipv4..conf", "sysctl `net.ipv4..conf`: invalid key");
	expect_error(&f.c, "net.", "sysctl `net.`: invalid key");
	expect_error(&f.c, ".net.ipv4", "sysctl `.net.ipv4`: invalid key");
	expect_error(&f.c, "", "sysctl ``: invalid key");
	expect_error(&f.c, "net.ipv4/ip_forward", "sysctl `net.ipv4/ip_forward`: invalid key");
	expect_error(&f.c, NULL, "sysctl ``: invalid key");
}

static void test_no_linux_section(void **state)
{
	(void)state;
	struct oci_config c;
	memset(&c, 0, sizeof(c));
	expect_error(&c, "net.ipv4.ip_forward",
		     "sysctl `net.ipv4.ip_forward` is not allowed in the host's network namespace");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_needs_netns),   cmocka_unit_test(test_ipc_keys),
		cmocka_unit_test(test_uts_keys),          cmocka_unit_test(test_not_namespaced),
		cmocka_unit_test(test_malformed_keys),    cmocka_unit_test(test_no_linux_section),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
