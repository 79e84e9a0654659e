/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp.h - the container's seccomp filter from linux.seccomp, built with
 * libseccomp, and process.noNewPrivileges.
 *
 * When: as late as possible, right before execve, so that none of the
 * runtime's own setup is ever judged by the container's profile.  One
 * exception, the same as runc's: loading a filter without no_new_privs needs
 * CAP_SYS_ADMIN, so when process.noNewPrivileges is false and the final
 * capability set lacks CAP_SYS_ADMIN, the filter must be loaded before
 * creds_apply() drops the capabilities (seccomp_load_before_creds() tells).
 *
 * How the filter is loaded: libseccomp builds it and exports classic BPF
 * (seccomp_export_bpf); strata prepends its ENOSYS stub (below) and loads
 * the program itself with seccomp(2) SECCOMP_SET_MODE_FILTER, so every flag
 * the kernel has (TSYNC, LOG, SPEC_ALLOW, NEW_LISTENER, WAIT_KILLABLE_RECV)
 * is usable whatever libseccomp's version.
 *
 * ENOSYS for newer syscalls: when defaultAction is SCMP_ACT_ERRNO, a program
 * calling a syscall newer than the profile (e.g. clone3, openat2 under an
 * old profile) must get ENOSYS so it falls back, not EPERM.  For every
 * architecture of the filter, strata computes the highest syscall number the
 * profile names (resolved for that architecture by libseccomp) and prepends
 * to the BPF program:
 *     if (arch == A && nr > max_A) return SECCOMP_RET_ERRNO | ENOSYS;
 * (on x86_64 the x32 bit 0x40000000 is tested first: x32 numbers are judged
 * against the x32 maximum when the profile lists SCMP_ARCH_X32, else left
 * to the filter).  Syscalls at or below max_A keep the profile's verdict.
 *
 * Source: runtime-spec v1.3.0 config-linux.md#seccomp, #the-container-state;
 * seccomp(2), seccomp_unotify(2), libseccomp seccomp_rule_add(3),
 * seccomp_export_bpf(3), seccomp_syscall_resolve_name_arch(3).
 */
#ifndef STRATA_RUNTIME_NATIVE_SECCOMP_H
#define STRATA_RUNTIME_NATIVE_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * seccomp_apply - set no_new_privs when c->process->no_new_privileges, then
 * build and load c->linux_->seccomp (nothing more when it is NULL: that is
 * the NNP-only path).
 *
 * Syscall names this libseccomp does not know are skipped (debug log), as
 * runc does; an unknown action, operator, architecture or flag is an EINVAL
 * error naming it.  Flags the running kernel lacks are dropped with a
 * warning (SECCOMP_GET_ACTION_AVAIL / EINVAL probe).
 *
 * SCMP_ACT_NOTIFY: after loading, the listener fd goes with SCM_RIGHTS over
 * the unix socket at linux.seccomp.listenerPath, with a runtime-spec
 * `containerProcessState` JSON payload: ociVersion, fds ["seccompFd"],
 * pid (taken from state_json's "pid", else getpid()), metadata
 * (listenerMetadata) and state (state_json verbatim).  This variant connects
 * to listenerPath itself, which works only while the host path is reachable
 * (e.g. --no-pivot); the init should connect before pivot_root with
 * seccomp_listener_connect() and use seccomp_apply_with_listener().
 *
 * The fd is sent by the init itself, after the filter is loaded: a
 * profile that sends sendmsg (or close/exit_group) to SCMP_ACT_NOTIFY
 * would wait for an agent that has not got the fd yet; runc avoids this
 * by passing the fd through its parent.  Known limitation.
 *
 * state_json: the container's runtime-spec state object (may be NULL when
 * there is no notify rule).
 * Returns 0, or -1 with *err set.  Nothing is loaded on failure unless the
 * failure is the notify send (then the filter is already in place and the
 * caller must exit).
 */
int seccomp_apply(const struct oci_config *c, const char *state_json, strata_error_t *err);

/*
 * seccomp_listener_connect - when c has a linux.seccomp.listenerPath,
 * connect a SOCK_STREAM unix socket to it and store the fd (O_CLOEXEC,
 * owned by the caller) in *sock; else *sock = -1.  Call in the init before
 * pivot_root, while host paths resolve.  Errors: the socket/connect errno
 * with the path.
 */
int seccomp_listener_connect(const struct oci_config *c, int *sock, strata_error_t *err);

/*
 * seccomp_apply_with_listener - seccomp_apply() sending the listener fd over
 * the already connected `listener_sock` (from seccomp_listener_connect(), or
 * -1 to connect to listenerPath here).  listener_sock is not closed: the
 * caller owns it (it is O_CLOEXEC, so execve drops it).
 */
int seccomp_apply_with_listener(const struct oci_config *c, const char *state_json, int listener_sock,
				strata_error_t *err);

/*
 * seccomp_load_before_creds - true when the filter has to be loaded before
 * creds_apply(): c has linux.seccomp, process.noNewPrivileges is false and
 * CAP_SYS_ADMIN is not in process.capabilities.effective.  The profile must
 * then allow the identity-switch syscalls (capset, setresuid, setgroups,
 * prctl), as with runc.
 */
bool seccomp_load_before_creds(const struct oci_config *c);

/* ---- pure pieces, exposed for the unit tests ---- */

/*
 * seccomp_action_parse - the libseccomp action value (SCMP_ACT_*) of a spec
 * action name.  errno_ret is used by SCMP_ACT_ERRNO and SCMP_ACT_TRACE
 * (has_errno_ret false: ERRNO means EPERM, TRACE means 0, as runc).
 * Returns 0 and *action, or -1 with EINVAL "unknown seccomp action `X`".
 */
int seccomp_action_parse(const char *name, bool has_errno_ret, uint32_t errno_ret, uint32_t *action,
			 strata_error_t *err);

/*
 * seccomp_op_parse - the libseccomp comparison (enum scmp_compare, as int) of
 * a spec operator name (SCMP_CMP_NE, LT, LE, EQ, GE, GT, MASKED_EQ).
 * Returns 0 and *op, or -1 with EINVAL "unknown seccomp operator `X`".
 */
int seccomp_op_parse(const char *name, int *op, strata_error_t *err);

/*
 * seccomp_arch_parse - the libseccomp arch token (SCMP_ARCH_*) of a spec
 * architecture name ("SCMP_ARCH_X86_64" ...).  Returns 0 and *arch, or -1
 * with EINVAL "unknown seccomp architecture `X`".
 */
int seccomp_arch_parse(const char *name, uint32_t *arch, strata_error_t *err);

/*
 * seccomp_flag_parse - the seccomp(2) filter flag bit of a spec flag name
 * (SECCOMP_FILTER_FLAG_TSYNC=1, LOG=2, SPEC_ALLOW=4, WAIT_KILLABLE_RECV=32).
 * Returns 0 and *flag, or -1 with EINVAL "unknown seccomp flag `X`".
 */
int seccomp_flag_parse(const char *name, unsigned int *flag, strata_error_t *err);

/*
 * seccomp_enosys_max - the highest syscall number, for libseccomp arch token
 * `arch`, of the syscall names the profile `s` mentions (names unknown or
 * pseudo on that arch are ignored).  Returns the number, or -1 when the
 * profile names none on that arch.
 */
int seccomp_enosys_max(const struct oci_seccomp *s, uint32_t arch);

/* A classic BPF instruction, layout of struct sock_filter (linux/filter.h). */
struct seccomp_bpf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/* One architecture's bound for the ENOSYS stub. */
struct seccomp_enosys_arch {
	uint32_t audit_arch;  /* AUDIT_ARCH_* value seen in seccomp_data.arch */
	int32_t max_nr;       /* highest syscall number named; -1: no stub for this arch */
	bool x32;             /* x86_64 only: also bound x32 numbers */
	int32_t max_x32_nr;   /* x32 maximum without the 0x40000000 bit; -1: none */
};

/*
 * seccomp_enosys_stub - write to out[] (capacity cap instructions) the BPF
 * prefix that returns SECCOMP_RET_ERRNO|ENOSYS for syscall numbers above
 * each architecture's bound and otherwise falls through to the instruction
 * that follows the stub.  Returns the number of instructions written, or
 * -1 when cap is too small.  Pure; the unit tests run the result through a
 * tiny BPF interpreter.
 */
int seccomp_enosys_stub(const struct seccomp_enosys_arch *arches, size_t n, struct seccomp_bpf_insn *out,
			size_t cap);

#endif
