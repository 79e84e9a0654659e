/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_seccomp.c - the pure parts of runtime/native/seccomp.c: action,
 * operator, architecture and flag names, the per-arch maximum syscall
 * number, and the ENOSYS stub run through a small classic-BPF interpreter.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "runtime/native/seccomp.h"

static void test_actions(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	uint32_t a;
	assert_int_equal(seccomp_action_parse("SCMP_ACT_ALLOW", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_ALLOW);
	assert_int_equal(seccomp_action_parse("SCMP_ACT_ERRNO", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_ERRNO(EPERM));
	assert_int_equal(seccomp_action_parse("SCMP_ACT_ERRNO", true, ENOTDIR, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_ERRNO(ENOTDIR));
	assert_int_equal(seccomp_action_parse("SCMP_ACT_TRACE", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_TRACE(0));
	assert_int_equal(seccomp_action_parse("SCMP_ACT_TRACE", true, 7, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_TRACE(7));
	assert_int_equal(seccomp_action_parse("SCMP_ACT_KILL", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_KILL_THREAD);
	assert_int_equal(seccomp_action_parse("SCMP_ACT_KILL_PROCESS", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_KILL_PROCESS);
	assert_int_equal(seccomp_action_parse("SCMP_ACT_KILL_THREAD", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_KILL_THREAD);
	assert_int_equal(seccomp_action_parse("SCMP_ACT_TRAP", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_TRAP);
	assert_int_equal(seccomp_action_parse("SCMP_ACT_LOG", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_LOG);
	assert_int_equal(seccomp_action_parse("SCMP_ACT_NOTIFY", false, 0, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_NOTIFY);
	assert_null(err);

	assert_int_equal(seccomp_action_parse("SCMP_ACT_EXPLODE", false, 0, &a, &err), -1);
	assert_string_equal(err->msg, "unknown seccomp action `SCMP_ACT_EXPLODE`");
	assert_int_equal(err->code, EINVAL);
	assert_int_equal(seccomp_action_parse("SCMP_ACT_ALLOW", true, 1, &a, &err), -1);
	assert_string_equal(err->msg, "seccomp action `SCMP_ACT_ALLOW` does not take errnoRet");
	assert_int_equal(seccomp_action_parse("SCMP_ACT_ERRNO", true, 70000, &a, &err), -1);
	strata_error_free(&err);
}

static void test_operators(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	static const struct {
		const char *name;
		enum scmp_compare op;
	} want[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int op = -1;
		assert_int_equal(seccomp_op_parse(want[i].name, &op, &err), 0);
		assert_int_equal(op, (int)want[i].op);
	}
	int op;
	assert_int_equal(seccomp_op_parse("SCMP_CMP_APPROX", &op, &err), -1);
	assert_string_equal(err->msg, "unknown seccomp operator `SCMP_CMP_APPROX`");
	strata_error_free(&err);
}

static void test_arches_and_flags(void **state)
{
	(void)state;
	strata_error_t err = NULL;
	uint32_t a;
	assert_int_equal(seccomp_arch_parse("SCMP_ARCH_X86_64", &a, &err), 0);
	assert_int_equal(a, AUDIT_ARCH_X86_64);
	assert_int_equal(seccomp_arch_parse("SCMP_ARCH_X86", &a, &err), 0);
	assert_int_equal(a, AUDIT_ARCH_I386);
	assert_int_equal(seccomp_arch_parse("SCMP_ARCH_AARCH64", &a, &err), 0);
	assert_int_equal(a, AUDIT_ARCH_AARCH64);
	assert_int_equal(seccomp_arch_parse("SCMP_ARCH_VAX", &a, &err), -1);
	assert_string_equal(err->msg, "unknown seccomp architecture `SCMP_ARCH_VAX`");

	unsigned int f;
	assert_int_equal(seccomp_flag_parse("SECCOMP_FILTER_FLAG_TSYNC", &f, &err), 0);
	assert_int_equal(f, 1);
	assert_int_equal(seccomp_flag_parse("SECCOMP_FILTER_FLAG_LOG", &f, &err), 0);
	assert_int_equal(f, 2);
	assert_int_equal(seccomp_flag_parse("SECCOMP_FILTER_FLAG_SPEC_ALLOW", &f, &err), 0);
	assert_int_equal(f, 4);
	assert_int_equal(seccomp_flag_parse("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", &f, &err), 0);
	assert_int_equal(f, 32);
	assert_int_equal(seccomp_flag_parse("SECCOMP_FILTER_FLAG_NEW_LISTENER", &f, &err), -1);
	assert_string_equal(err->msg, "unknown seccomp flag `SECCOMP_FILTER_FLAG_NEW_LISTENER`");
	strata_error_free(&err);
}

static void test_enosys_max(void **state)
{
	(void)state;
	char *n1[] = { "read", "write", "no_such_syscall_xyz", NULL };
	char *n2[] = { "openat", NULL };
	struct oci_seccomp_syscall sc[] = {
		{ .names = n1, .names_len = 3, .action = "SCMP_ACT_ALLOW" },
		{ .names = n2, .names_len = 1, .action = "SCMP_ACT_ALLOW" },
	};
	struct oci_seccomp s = { .default_action = "SCMP_ACT_ERRNO", .syscalls = sc, .syscalls_len = 2 };
	/* x86_64: read 0, write 1, openat 257 */
	assert_int_equal(seccomp_enosys_max(&s, SCMP_ARCH_X86_64), 257);
	/* i386: read 3, write 4, openat 295 */
	assert_int_equal(seccomp_enosys_max(&s, SCMP_ARCH_X86), 295);
	/* x32: numbers without the x32 bit (openat 257) */
	assert_int_equal(seccomp_enosys_max(&s, SCMP_ARCH_X32), 257);
	struct oci_seccomp empty = { .default_action = "SCMP_ACT_ERRNO" };
	assert_int_equal(seccomp_enosys_max(&empty, SCMP_ARCH_X86_64), -1);
}

/* A classic BPF interpreter for the instructions the stub uses. */
#define NEXT_PROGRAM 0xdeadbeefU
static uint32_t bpf_run(const struct seccomp_bpf_insn *p, int len, uint32_t arch, uint32_t nr)
{
	uint32_t acc = 0;
	for (int pc = 0; pc < len; pc++) {
		const struct seccomp_bpf_insn *i = &p[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			acc = i->k == 4 ? arch : i->k == 0 ? nr : 0xffffffffU;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += acc == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += acc > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (acc & i->k) ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JA:
			pc += (int)i->k;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			fail_msg("unexpected BPF opcode 0x%x at %d", i->code, pc);
		}
	}
	return NEXT_PROGRAM; /* fell through into the filter proper */
}

static const uint32_t RET_ENOSYS = SECCOMP_RET_ERRNO | ENOSYS;

static void test_enosys_stub(void **state)
{
	(void)state;
	struct seccomp_enosys_arch a[] = {
		{ .audit_arch = AUDIT_ARCH_X86_64, .max_nr = 300, .x32 = false, .max_x32_nr = -1 },
		{ .audit_arch = AUDIT_ARCH_I386, .max_nr = 200, .x32 = false, .max_x32_nr = -1 },
	};
	struct seccomp_bpf_insn p[256];
	int n = seccomp_enosys_stub(a, 2, p, 256);
	assert_true(n > 0);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 0), NEXT_PROGRAM);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 300), NEXT_PROGRAM);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 301), RET_ENOSYS);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 435 /* clone3 */), RET_ENOSYS);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_I386, 200), NEXT_PROGRAM);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_I386, 201), RET_ENOSYS);
	/* An arch the stub does not know goes to the filter (its bad-arch action). */
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_AARCH64, 9999), NEXT_PROGRAM);
	/* x32 numbers without x32 in the profile: left to the filter. */
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 0x40000000U | 5), NEXT_PROGRAM);

	struct seccomp_enosys_arch x[] = {
		{ .audit_arch = AUDIT_ARCH_X86_64, .max_nr = 300, .x32 = true, .max_x32_nr = 100 },
	};
	n = seccomp_enosys_stub(x, 1, p, 256);
	assert_true(n > 0);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 0x40000000U | 100), NEXT_PROGRAM);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 0x40000000U | 101), RET_ENOSYS);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 250), NEXT_PROGRAM);
	assert_int_equal(bpf_run(p, n, AUDIT_ARCH_X86_64, 301), RET_ENOSYS);

	/* No bounds at all: no stub. */
	struct seccomp_enosys_arch none[] = { { .audit_arch = AUDIT_ARCH_X86_64, .max_nr = -1 } };
	assert_int_equal(seccomp_enosys_stub(none, 1, p, 256), 0);
	/* Too small a buffer is refused, not overrun. */
	assert_int_equal(seccomp_enosys_stub(a, 2, p, 3), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),	   cmocka_unit_test(test_operators),
		cmocka_unit_test(test_arches_and_flags), cmocka_unit_test(test_enosys_max),
		cmocka_unit_test(test_enosys_stub),
	};
	return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}
