/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp.c - linux.seccomp through libseccomp, loaded by strata with the
 * ENOSYS stub in front.  See seccomp.h for the method.
 */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "../../common/util.h"
#include "creds.h"
#include "terminal.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define X32_SYSCALL_BIT 0x40000000U

/* ---- name tables ---- */

int seccomp_action_parse(const char *name, bool has_errno_ret, uint32_t errno_ret, uint32_t *action,
			 strata_error_t *err)
{
	if (name == NULL)
		return strata_error_set(err, EINVAL, "seccomp action is missing");
	bool errno_kind = strcmp(name, "SCMP_ACT_ERRNO") == 0 || strcmp(name, "SCMP_ACT_TRACE") == 0;
	if (has_errno_ret && !errno_kind)
		return strata_error_set(err, EINVAL, "seccomp action `%s` does not take errnoRet", name);
	if (strcmp(name, "SCMP_ACT_KILL") == 0)
		*action = SCMP_ACT_KILL;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*action = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*action = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*action = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*action = SCMP_ACT_ERRNO(has_errno_ret ? errno_ret : EPERM);
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*action = SCMP_ACT_TRACE(has_errno_ret ? errno_ret : 0);
	else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*action = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*action = SCMP_ACT_LOG;
	else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		*action = SCMP_ACT_NOTIFY;
	else
		return strata_error_set(err, EINVAL, "unknown seccomp action `%s`", name);
	if (errno_kind && has_errno_ret && errno_ret > 0xffff)
		return strata_error_set(err, EINVAL, "seccomp errnoRet %u is out of range", errno_ret);
	return 0;
}

int seccomp_op_parse(const char *name, int *op, strata_error_t *err)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; name != NULL && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0) {
			*op = (int)ops[i].op;
			return 0;
		}
	return strata_error_set(err, EINVAL, "unknown seccomp operator `%s`", name ? name : "");
}

int seccomp_arch_parse(const char *name, uint32_t *arch, strata_error_t *err)
{
	static const struct {
		const char *name;
		uint32_t arch;
	} arches[] = {
		{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
		{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
		{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
		{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
		{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
		{ "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
		{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
		{ "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
		{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
		{ "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
		{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
		{ "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
		{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
		{ "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
		{ "SCMP_ARCH_S390", SCMP_ARCH_S390 },
		{ "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
		{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
		{ "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
		{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
	};
	for (size_t i = 0; name != NULL && i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strcmp(arches[i].name, name) == 0) {
			*arch = arches[i].arch;
			return 0;
		}
	return strata_error_set(err, EINVAL, "unknown seccomp architecture `%s`", name ? name : "");
}

int seccomp_flag_parse(const char *name, unsigned int *flag, strata_error_t *err)
{
	if (name != NULL && strcmp(name, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
		*flag = SECCOMP_FILTER_FLAG_TSYNC;
	else if (name != NULL && strcmp(name, "SECCOMP_FILTER_FLAG_LOG") == 0)
		*flag = SECCOMP_FILTER_FLAG_LOG;
	else if (name != NULL && strcmp(name, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
		*flag = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	else if (name != NULL && strcmp(name, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
		*flag = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	else
		return strata_error_set(err, EINVAL, "unknown seccomp flag `%s`", name ? name : "");
	return 0;
}

/* ---- the ENOSYS stub ---- */

int seccomp_enosys_max(const struct oci_seccomp *s, uint32_t arch)
{
	int max = -1;
	for (size_t i = 0; i < s->syscalls_len; i++)
		for (size_t j = 0; j < s->syscalls[i].names_len; j++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, s->syscalls[i].names[j]);
			if (nr < 0) /* unknown, or a pseudo syscall on this arch */
				continue;
			if (arch == SCMP_ARCH_X32)
				nr &= ~(int)X32_SYSCALL_BIT;
			if (nr > max)
				max = nr;
		}
	return max;
}

/* Jump targets are absolute instruction indexes or one of these symbols
 * until seccomp_enosys_stub() turns them into relative offsets. */
enum { T_NEXT = -1, T_ENOSYS = -2, T_DONE = -3 };

struct stub_builder {
	struct seccomp_bpf_insn *out;
	size_t cap, n;
	int jt[256], jf[256]; /* symbolic or absolute targets, -100 = none */
};

static void emit(struct stub_builder *b, uint16_t code, uint32_t k, int jt, int jf)
{
	if (b->n < b->cap && b->n < 256) {
		b->out[b->n] = (struct seccomp_bpf_insn){ .code = code, .jt = 0, .jf = 0, .k = k };
		b->jt[b->n] = jt;
		b->jf[b->n] = jf;
	}
	b->n++;
}

int seccomp_enosys_stub(const struct seccomp_enosys_arch *arches, size_t n, struct seccomp_bpf_insn *out,
			size_t cap)
{
	struct stub_builder b = { .out = out, .cap = cap, .n = 0 };
	size_t block_end[64];
	size_t nblocks = 0;
	const int NONE = -100;
	for (size_t i = 0; i < n && nblocks < 64; i++) {
		const struct seccomp_enosys_arch *a = &arches[i];
		bool x86_64 = a->audit_arch == AUDIT_ARCH_X86_64;
		bool want_x32 = x86_64 && a->x32 && a->max_x32_nr >= 0;
		if (a->max_nr < 0 && !want_x32)
			continue;
		/* A = seccomp_data.arch; not ours: next block */
		emit(&b, BPF_LD | BPF_W | BPF_ABS, 4, NONE, NONE);
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, a->audit_arch, (int)b.n + 1, T_NEXT);
		/* A = seccomp_data.nr */
		emit(&b, BPF_LD | BPF_W | BPF_ABS, 0, NONE, NONE);
		if (x86_64) {
			/* x32 numbers carry bit 30: judge them apart. */
			emit(&b, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, (int)b.n + 2, (int)b.n + 1);
			if (a->max_nr >= 0)
				emit(&b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)a->max_nr, T_ENOSYS, T_DONE);
			else
				emit(&b, BPF_JMP | BPF_JA, 0, T_DONE, NONE);
			if (want_x32)
				emit(&b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)a->max_x32_nr | X32_SYSCALL_BIT, T_ENOSYS,
				     T_DONE);
			else
				emit(&b, BPF_JMP | BPF_JA, 0, T_DONE, NONE);
		} else {
			emit(&b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)a->max_nr, T_ENOSYS, T_DONE);
		}
		block_end[nblocks++] = b.n;
	}
	if (nblocks == 0)
		return 0;
	/* Tail: no block matched -> skip the return; then the ENOSYS return. */
	size_t tail = b.n;
	emit(&b, BPF_JMP | BPF_JA, 1, NONE, NONE);
	size_t enosys = b.n;
	emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA), NONE, NONE);
	size_t done = b.n;
	if (b.n > cap || b.n > 255)
		return -1;
	(void)tail;

	/* Resolve targets into relative offsets. */
	size_t blk = 0;
	for (size_t pc = 0; pc < b.n; pc++) {
		while (blk < nblocks && pc >= block_end[blk])
			blk++;
		size_t next = blk < nblocks ? block_end[blk] : tail;
		int targets[2] = { b.jt[pc], b.jf[pc] };
		long rel[2] = { 0, 0 };
		for (int t = 0; t < 2; t++) {
			long abs;
			switch (targets[t]) {
			case -100:
				continue;
			case T_NEXT:
				abs = (long)next;
				break;
			case T_ENOSYS:
				abs = (long)enosys;
				break;
			case T_DONE:
				abs = (long)done;
				break;
			default:
				abs = targets[t];
			}
			rel[t] = abs - (long)(pc + 1);
			if (rel[t] < 0 || rel[t] > 255)
				return -1;
		}
		if (BPF_CLASS(out[pc].code) == BPF_JMP && BPF_OP(out[pc].code) == BPF_JA) {
			if (targets[0] != -100)
				out[pc].k = (uint32_t)rel[0];
		} else if (BPF_CLASS(out[pc].code) == BPF_JMP) {
			out[pc].jt = (uint8_t)rel[0];
			out[pc].jf = (uint8_t)rel[1];
		}
	}
	return (int)b.n;
}

/* ---- building the filter ---- */

static void ctx_release(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}

static bool args_have_repeated_index(const struct oci_seccomp_syscall *sc)
{
	for (size_t i = 0; i < sc->args_len; i++)
		for (size_t j = i + 1; j < sc->args_len; j++)
			if (sc->args[i].index == sc->args[j].index)
				return true;
	return false;
}

static int rule_add(scmp_filter_ctx ctx, uint32_t action, int nr, const char *name, struct scmp_arg_cmp *cmp,
		    unsigned int ncmp, strata_error_t *err)
{
	int rc = seccomp_rule_add_array(ctx, action, nr, ncmp, cmp);
	if (rc < 0)
		return strata_error_errno(err, -rc, "seccomp rule for `%s`", name);
	return 0;
}

static int syscall_rules_add(scmp_filter_ctx ctx, const struct oci_seccomp_syscall *sc, uint32_t default_action,
			     bool *uses_notify, strata_error_t *err)
{
	uint32_t action;
	if (seccomp_action_parse(sc->action, sc->has_errno_ret, sc->errno_ret, &action, err) < 0)
		return -1;
	struct scmp_arg_cmp cmp[6];
	if (sc->args_len > 6)
		return strata_error_set(err, EINVAL, "seccomp rule with %zu args (at most 6)", sc->args_len);
	for (size_t i = 0; i < sc->args_len; i++) {
		int op;
		if (seccomp_op_parse(sc->args[i].op, &op, err) < 0)
			return -1;
		if (sc->args[i].index > 5)
			return strata_error_set(err, EINVAL, "seccomp arg index %u is out of range 0..5",
						sc->args[i].index);
		cmp[i] = (struct scmp_arg_cmp){ .arg = sc->args[i].index, .op = (enum scmp_compare)op,
						.datum_a = sc->args[i].value, .datum_b = sc->args[i].value_two };
	}
	/* A rule with the default's own action changes nothing (libseccomp refuses it). */
	if (action == default_action)
		return 0;
	if (action == SCMP_ACT_NOTIFY)
		*uses_notify = true;
	bool separate = args_have_repeated_index(sc);
	for (size_t j = 0; j < sc->names_len; j++) {
		const char *name = sc->names[j];
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			/* Not known to this libseccomp: skipped, as runc does. */
			log_debug("seccomp: syscall `%s` is not known to libseccomp: skipped", name);
			continue;
		}
		if (!separate) {
			if (rule_add(ctx, action, nr, name, cmp, (unsigned int)sc->args_len, err) < 0)
				return -1;
			continue;
		}
		/* The same argument compared twice: one rule per comparison (OR),
		 * as runc does, because one rule can test an argument once. */
		for (size_t i = 0; i < sc->args_len; i++)
			if (rule_add(ctx, action, nr, name, &cmp[i], 1, err) < 0)
				return -1;
	}
	return 0;
}

/* Build the libseccomp context; *arches gets the filter's architectures. */
static int filter_build(const struct oci_seccomp *s, scmp_filter_ctx *out, uint32_t *default_action,
			bool *uses_notify, strata_error_t *err)
{
	if (seccomp_action_parse(s->default_action, s->has_default_errno_ret, s->default_errno_ret, default_action,
				 err) < 0)
		return strata_error_wrap(err, "linux.seccomp.defaultAction");
	if (*default_action == SCMP_ACT_NOTIFY)
		return strata_error_set(err, EINVAL, "SCMP_ACT_NOTIFY cannot be the seccomp defaultAction");
	scmp_filter_ctx ctx __attribute__((cleanup(ctx_release))) = seccomp_init(*default_action);
	if (ctx == NULL)
		return strata_error_set(err, EINVAL, "seccomp_init failed");
	/* strata sets no_new_privs itself (process.noNewPrivileges), never implicitly. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t i = 0; i < s->architectures_len; i++) {
		uint32_t arch;
		if (seccomp_arch_parse(s->architectures[i], &arch, err) < 0)
			return -1;
		int rc = seccomp_arch_add(ctx, arch);
		if (rc < 0 && rc != -EEXIST)
			return strata_error_errno(err, -rc, "seccomp architecture `%s`", s->architectures[i]);
	}
	for (size_t i = 0; i < s->syscalls_len; i++)
		if (syscall_rules_add(ctx, &s->syscalls[i], *default_action, uses_notify, err) < 0)
			return -1;
	*out = steal_pointer(&ctx);
	return 0;
}

/* The BPF program libseccomp generated, with the ENOSYS stub in front. */
static int program_assemble(scmp_filter_ctx ctx, const struct oci_seccomp *s, uint32_t default_action,
			    struct sock_filter **prog, size_t *len, strata_error_t *err)
{
	_cleanup_close_ int mfd = memfd_create("strata-seccomp", MFD_CLOEXEC);
	if (mfd < 0)
		return strata_error_errno(err, errno, "memfd_create");
	int rc = seccomp_export_bpf(ctx, mfd);
	if (rc < 0)
		return strata_error_errno(err, -rc, "seccomp_export_bpf");
	struct stat st;
	if (fstat(mfd, &st) < 0)
		return strata_error_errno(err, errno, "fstat");
	size_t body_len = (size_t)st.st_size / sizeof(struct sock_filter);

	struct seccomp_bpf_insn stub[256];
	int stub_len = 0;
	/* Only under an errno default: newer syscalls must look absent (ENOSYS),
	 * not forbidden, so that programs fall back to the older calls. */
	if ((default_action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO) {
		struct seccomp_enosys_arch arches[32];
		size_t n = 0;
		bool x32 = false;
		uint32_t native = seccomp_arch_native();
		uint32_t list[32];
		size_t nlist = 0;
		list[nlist++] = native;
		for (size_t i = 0; i < s->architectures_len && nlist < 32; i++) {
			uint32_t a;
			if (seccomp_arch_parse(s->architectures[i], &a, NULL) < 0)
				continue;
			if (a == SCMP_ARCH_X32) {
				x32 = true;
				continue;
			}
			bool dup = false;
			for (size_t j = 0; j < nlist; j++)
				dup |= list[j] == a;
			if (!dup)
				list[nlist++] = a;
		}
		for (size_t i = 0; i < nlist; i++) {
			arches[n] = (struct seccomp_enosys_arch){ .audit_arch = list[i],
								  .max_nr = seccomp_enosys_max(s, list[i]),
								  .x32 = false,
								  .max_x32_nr = -1 };
			if (list[i] == SCMP_ARCH_X86_64 && x32) {
				arches[n].x32 = true;
				arches[n].max_x32_nr = seccomp_enosys_max(s, SCMP_ARCH_X32);
			}
			n++;
		}
		stub_len = seccomp_enosys_stub(arches, n, stub, 256);
		if (stub_len < 0)
			return strata_error_set(err, E2BIG, "seccomp ENOSYS stub does not fit");
	}
	size_t total = (size_t)stub_len + body_len;
	if (total > BPF_MAXINSNS)
		return strata_error_set(err, E2BIG, "seccomp program has %zu instructions (limit %d)", total,
					BPF_MAXINSNS);
	struct sock_filter *p = calloc(total, sizeof(*p));
	if (p == NULL)
		return strata_error_errno(err, ENOMEM, "seccomp program");
	for (int i = 0; i < stub_len; i++)
		p[i] = (struct sock_filter){ stub[i].code, stub[i].jt, stub[i].jf, stub[i].k };
	if (pread(mfd, p + stub_len, body_len * sizeof(*p), 0) != (ssize_t)(body_len * sizeof(*p))) {
		free(p);
		return strata_error_errno(err, EIO, "read the exported seccomp program");
	}
	*prog = p;
	*len = total;
	return 0;
}

/* seccomp(SECCOMP_SET_MODE_FILTER); optional flags the kernel lacks are dropped with a warning. */
static int program_load(struct sock_filter *prog, size_t len, unsigned int flags, strata_error_t *err)
{
	struct sock_fprog fp = { .len = (unsigned short)len, .filter = prog };
	const unsigned int optional[] = { SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
					  SECCOMP_FILTER_FLAG_LOG };
	for (size_t attempt = 0;; attempt++) {
		long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
		if (rc >= 0)
			return (int)rc;
		if (errno != EINVAL || attempt >= sizeof(optional) / sizeof(optional[0]))
			break;
		unsigned int f = optional[attempt];
		if (flags & f) {
			log_warning("seccomp flag 0x%x is not supported by this kernel: ignored", f);
			flags &= ~f;
		}
	}
	return strata_error_errno(err, errno, "load the seccomp filter (seccomp SECCOMP_SET_MODE_FILTER)");
}

/* ---- SCMP_ACT_NOTIFY: the listener fd to listenerPath ---- */

static int json_escape_append(char **buf, size_t *len, size_t *cap, const char *s)
{
	for (; s && *s; s++) {
		char tmp[8];
		const char *piece = tmp;
		unsigned char c = (unsigned char)*s;
		if (c == '"')
			piece = "\\\"";
		else if (c == '\\')
			piece = "\\\\";
		else if (c < 0x20)
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
		else {
			tmp[0] = (char)c;
			tmp[1] = '\0';
		}
		size_t pl = strlen(piece);
		if (*len + pl + 1 > *cap) {
			size_t ncap = (*cap + pl + 1) * 2;
			char *nb = realloc(*buf, ncap);
			if (nb == NULL)
				return -1;
			*buf = nb;
			*cap = ncap;
		}
		memcpy(*buf + *len, piece, pl);
		*len += pl;
		(*buf)[*len] = '\0';
	}
	return 0;
}

static long long state_pid(const char *state_json)
{
	if (state_json == NULL)
		return getpid();
	char errbuf[128];
	yajl_val root = yajl_tree_parse(state_json, errbuf, sizeof(errbuf));
	if (root == NULL)
		return getpid();
	const char *path[] = { "pid", NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	long long pid = (v != NULL && YAJL_IS_INTEGER(v)) ? YAJL_GET_INTEGER(v) : getpid();
	yajl_tree_free(root);
	return pid;
}

static int process_state_json(const struct oci_seccomp *s, const char *state_json, char **out, strata_error_t *err)
{
	_cleanup_free_ char *meta = NULL;
	size_t len = 0, cap = 0;
	if (json_escape_append(&meta, &len, &cap, s->listener_metadata ? s->listener_metadata : "") < 0)
		return strata_error_errno(err, ENOMEM, "seccomp listener state");
	if (asprintf(out,
		     "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%lld,\"metadata\":\"%s\",\"state\":%s}",
		     OCI_SPEC_VERSION, state_pid(state_json), meta ? meta : "",
		     (state_json && *state_json) ? state_json : "{}") < 0)
		return strata_error_errno(err, ENOMEM, "seccomp listener state");
	return 0;
}

int seccomp_listener_connect(const struct oci_config *c, int *sock, strata_error_t *err)
{
	*sock = -1;
	const struct oci_seccomp *s = c->linux_ ? c->linux_->seccomp : NULL;
	if (s == NULL || s->listener_path == NULL || *s->listener_path == '\0')
		return 0;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(s->listener_path) >= sizeof(addr.sun_path))
		return strata_error_set(err, ENAMETOOLONG, "seccomp listenerPath `%s` is too long", s->listener_path);
	strcpy(addr.sun_path, s->listener_path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return strata_error_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return strata_error_errno(err, errno, "connect to the seccomp listener `%s`", s->listener_path);
	*sock = steal_fd(&fd);
	return 0;
}

static int notify_send(const struct oci_config *c, const char *state_json, int listener_sock, int listener_fd,
		       strata_error_t *err)
{
	const struct oci_seccomp *s = c->linux_->seccomp;
	_cleanup_close_ int own = -1;
	if (listener_sock < 0) {
		if (seccomp_listener_connect(c, &own, err) < 0)
			return -1;
		listener_sock = own;
	}
	_cleanup_free_ char *json = NULL;
	if (process_state_json(s, state_json, &json, err) < 0)
		return -1;
	if (terminal_send_fd(listener_sock, listener_fd, json, err) < 0)
		return strata_error_wrap(err, "seccomp listener `%s`", s->listener_path);
	return 0;
}

bool seccomp_load_before_creds(const struct oci_config *c)
{
	if (c->linux_ == NULL || c->linux_->seccomp == NULL || c->process == NULL)
		return false;
	if (c->process->no_new_privileges)
		return false;
	const struct oci_capabilities *caps = c->process->capabilities;
	for (size_t i = 0; caps != NULL && i < caps->effective_len; i++)
		if (cap_from_name(caps->effective[i]) == 21 /* CAP_SYS_ADMIN */)
			return false;
	return true;
}

int seccomp_apply_with_listener(const struct oci_config *c, const char *state_json, int listener_sock,
				strata_error_t *err)
{
	const struct oci_seccomp *s = c->linux_ ? c->linux_->seccomp : NULL;
	bool nnp = c->process != NULL && c->process->no_new_privileges;

	/* Build everything before changing the process. */
	scmp_filter_ctx ctx __attribute__((cleanup(ctx_release))) = NULL;
	_cleanup_free_ struct sock_filter *prog = NULL;
	size_t prog_len = 0;
	unsigned int flags = 0;
	bool uses_notify = false;
	if (s != NULL) {
		uint32_t default_action;
		if (filter_build(s, &ctx, &default_action, &uses_notify, err) < 0)
			return -1;
		for (size_t i = 0; i < s->flags_len; i++) {
			unsigned int f;
			if (seccomp_flag_parse(s->flags[i], &f, err) < 0)
				return -1;
			flags |= f;
		}
		if (uses_notify) {
			if (s->listener_path == NULL || *s->listener_path == '\0')
				return strata_error_set(err, EINVAL,
							"SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
			flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
			if (flags & SECCOMP_FILTER_FLAG_TSYNC)
				flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
		}
		if (program_assemble(ctx, s, default_action, &prog, &prog_len, err) < 0)
			return -1;
	}

	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return strata_error_errno(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
	if (s == NULL)
		return 0;

	int rc = program_load(prog, prog_len, flags, err);
	if (rc < 0)
		return -1;
	if (uses_notify) {
		_cleanup_close_ int listener = rc;
		if (notify_send(c, state_json, listener_sock, listener, err) < 0)
			return -1;
	}
	return 0;
}

int seccomp_apply(const struct oci_config *c, const char *state_json, strata_error_t *err)
{
	return seccomp_apply_with_listener(c, state_json, -1, err);
}
