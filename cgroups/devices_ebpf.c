/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices_ebpf.c - eBPF device program generation, loading and attaching.
 * See devices_ebpf.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "devices_ebpf.h"

/* Registers: r1 ctx (then scratch), r2 type, r3 access, r4 major, r5 minor. */
#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static int emit(struct prog *p, struct bpf_insn insn)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct bpf_insn *nv = realloc(p->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = insn;
	return 0;
}

static int access_mask(const char *acc, int *mask)
{
	*mask = 0;
	for (const char *c = acc; *c; c++) {
		switch (*c) {
		case 'r': *mask |= BPF_DEVCG_ACC_READ; break;
		case 'w': *mask |= BPF_DEVCG_ACC_WRITE; break;
		case 'm': *mask |= BPF_DEVCG_ACC_MKNOD; break;
		default: return -1;
		}
	}
	return 0;
}

int cgroup_ebpf_devices_program(const struct oci_device_cgroup *rules, size_t n, struct bpf_insn **insns,
				size_t *count, strata_error_t *err)
{
	struct prog p = { 0 };
	bool oom = false;
	/* Prologue: unpack struct bpf_cgroup_dev_ctx. */
	oom |= emit(&p, INSN(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0)) < 0;	 /* r2 = access_type */
	oom |= emit(&p, INSN(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xFFFF)) < 0; /* r2 &= 0xffff: type */
	oom |= emit(&p, INSN(BPF_LDX | BPF_W | BPF_MEM, 3, 1, 0, 0)) < 0;	 /* r3 = access_type */
	oom |= emit(&p, INSN(BPF_ALU64 | BPF_RSH | BPF_K, 3, 0, 0, 16)) < 0;	 /* r3 >>= 16: access */
	oom |= emit(&p, INSN(BPF_LDX | BPF_W | BPF_MEM, 4, 1, 4, 0)) < 0;	 /* r4 = major */
	oom |= emit(&p, INSN(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 8, 0)) < 0;	 /* r5 = minor */
	bool unconditional = false;
	for (size_t k = n; k-- > 0 && !unconditional;) {
		const struct oci_device_cgroup *r = &rules[k];
		const char *t = r->type ? r->type : "a";
		int type = 0, acc = 0;
		if (strcmp(t, "c") == 0)
			type = BPF_DEVCG_DEV_CHAR;
		else if (strcmp(t, "b") == 0)
			type = BPF_DEVCG_DEV_BLOCK;
		else if (strcmp(t, "a") != 0) {
			free(p.v);
			return strata_error_set(err, EINVAL, "linux.resources.devices: invalid type `%s`", t);
		}
		if (access_mask(r->access ? r->access : "rwm", &acc) < 0) {
			free(p.v);
			return strata_error_set(err, EINVAL, "linux.resources.devices: invalid access `%s`", r->access);
		}
		if (acc == 0)
			continue; /* matches nothing */
		bool check_acc = acc != 7;
		bool has_major = r->has_major && r->major >= 0;
		bool has_minor = r->has_minor && r->minor >= 0;
		/* Length of the block: conditions then "r0 = allow; exit". */
		size_t len = (type ? 1 : 0) + (check_acc ? 3 : 0) + (has_major ? 1 : 0) + (has_minor ? 1 : 0) + 2;
		size_t at = 0; /* instructions of this block emitted so far */
#define SKIP_OFF() ((int16_t)(len - at - 1))
		if (type) {
			oom |= emit(&p, INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, SKIP_OFF(), type)) < 0;
			at++;
		}
		if (check_acc) {
			oom |= emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 3, 0, 0)) < 0; /* r1 = access */
			at++;
			if (r->allow) {
				/* allow: every requested bit must be in acc */
				oom |= emit(&p, INSN(BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, ~acc & 7)) < 0;
				at++;
				oom |= emit(&p, INSN(BPF_JMP | BPF_JNE | BPF_K, 1, 0, SKIP_OFF(), 0)) < 0;
			} else {
				/* deny: any requested bit in acc */
				oom |= emit(&p, INSN(BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, acc)) < 0;
				at++;
				oom |= emit(&p, INSN(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, SKIP_OFF(), 0)) < 0;
			}
			at++;
		}
		if (has_major) {
			oom |= emit(&p, INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, SKIP_OFF(), (int32_t)r->major)) < 0;
			at++;
		}
		if (has_minor) {
			oom |= emit(&p, INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, SKIP_OFF(), (int32_t)r->minor)) < 0;
			at++;
		}
#undef SKIP_OFF
		oom |= emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0)) < 0;
		oom |= emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)) < 0;
		/* A block without conditions always decides: anything after it
		 * would be unreachable, which the verifier rejects. */
		if (len == 2)
			unconditional = true;
	}
	if (!unconditional) {
		oom |= emit(&p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0)) < 0; /* no rule matched: deny */
		oom |= emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)) < 0;
	}
	if (oom) {
		free(p.v);
		return strata_error_errno(err, ENOMEM, "device program");
	}
	*insns = p.v;
	*count = p.n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cgroup_ebpf_load(const struct bpf_insn *insns, size_t count, int *prog_fd, strata_error_t *err)
{
	static const char license[] = "GPL";
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)count;
	attr.license = (uint64_t)(uintptr_t)license;
	int fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0) {
		*prog_fd = fd;
		return 0;
	}
	int saved = errno;
	/* Load again with the verifier log to explain the failure. */
	char log[4096] = "";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		close(fd);
	for (char *c = log; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return strata_error_errno(err, saved, "load the device eBPF program (%zu instructions)%s%s", count,
				  log[0] ? ": verifier: " : "", log);
}

int cgroup_ebpf_attach_replace(int cgroup_fd, int prog_fd, strata_error_t *err)
{
	uint32_t ids[64];
	union bpf_attr q;
	memset(&q, 0, sizeof(q));
	q.query.target_fd = (uint32_t)cgroup_fd;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	q.query.prog_ids = (uint64_t)(uintptr_t)ids;
	q.query.prog_cnt = 64;
	uint32_t old = 0;
	if (sys_bpf(BPF_PROG_QUERY, &q) == 0)
		old = q.query.prog_cnt > 64 ? 64 : q.query.prog_cnt;

	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgroup_fd;
	a.attach_bpf_fd = (uint32_t)prog_fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return strata_error_errno(err, errno, "attach the device eBPF program");

	for (uint32_t i = 0; i < old; i++) {
		union bpf_attr g;
		memset(&g, 0, sizeof(g));
		g.prog_id = ids[i];
		_cleanup_close_ int ofd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (ofd < 0)
			continue; /* already gone */
		union bpf_attr d;
		memset(&d, 0, sizeof(d));
		d.target_fd = (uint32_t)cgroup_fd;
		d.attach_bpf_fd = (uint32_t)ofd;
		d.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT)
			return strata_error_errno(err, errno, "detach the previous device eBPF program (id %u)", ids[i]);
	}
	return 0;
}

int cgroup_ebpf_devices_apply(const char *path, const struct oci_device_cgroup *rules, size_t n, strata_error_t *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	size_t count = 0;
	if (cgroup_ebpf_devices_program(rules, n, &insns, &count, err) < 0)
		return -1;
	_cleanup_close_ int prog = -1;
	if (cgroup_ebpf_load(insns, count, &prog, err) < 0)
		return -1;
	_cleanup_close_ int cg = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return strata_error_errno(err, errno, "open cgroup `%s`", path);
	return cgroup_ebpf_attach_replace(cg, prog, err);
}
