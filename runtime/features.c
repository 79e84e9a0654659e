/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * features.c - the runtime-spec features document (see features.h).
 */
#include "features.h"
#include "isolation.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../oci-spec/config.h"
#include "../oci-spec/json.h"
#include "native/creds.h"
#include "native/lsm.h"
#include "native/mount_options.h"
#include "native/seccomp.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The oldest spec version whose config.json strata accepts. */
#define FEATURES_OCI_VERSION_MIN "1.0.0"

/*
 * Candidate mount option names: the vocabulary of runtime-spec config.md
 * ("mount options") and runc's extensions.  Only those the parser really
 * implements are printed (see mount_option_implemented).
 */
static const char *const mount_option_candidates[] = {
	"acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
	"lazytime", "loud", "mand", "noacl", "noatime", "nodev", "nodiratime", "noexec", "noiversion",
	"nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime",
	"rbind", "rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev", "rnodiratime",
	"rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime",
	"rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw",
	"shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable",
	"idmap", "ridmap",
};

/* Hooks: one per list of struct oci_hooks, all run by the lifecycle. */
static const char *const hook_names[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static const char *const seccomp_action_candidates[] = {
	"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
	"SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
};

static const char *const seccomp_operator_candidates[] = {
	"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};

static const char *const seccomp_arch_candidates[] = {
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
	"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH",
	"SCMP_ARCH_SHEB", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
};

static const char *const seccomp_flag_candidates[] = {
	"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

/* The /proc/self/ns file of each namespace type. */
static const char *ns_file(enum oci_namespace_type t)
{
	switch (t) {
	case OCI_NS_PID: return "pid";
	case OCI_NS_NETWORK: return "net";
	case OCI_NS_MOUNT: return "mnt";
	case OCI_NS_IPC: return "ipc";
	case OCI_NS_UTS: return "uts";
	case OCI_NS_USER: return "user";
	case OCI_NS_CGROUP: return "cgroup";
	case OCI_NS_TIME: return "time";
	default: return NULL;
	}
}

/* True when the mount option parser gives `name` a meaning of its own
 * (not filesystem data passed through to the kernel). */
static bool mount_option_implemented(const char *name)
{
	char *opts[] = { (char *)name, NULL };
	struct mount_options mo;
	_cleanup_error_ strata_error_t err = NULL;
	if (mount_options_parse(opts, 1, &mo, &err) < 0)
		return false;
	bool known = mo.data == NULL;
	mount_options_free(&mo);
	return known;
}

/* Probe the running kernel for a seccomp filter flag: with a NULL program
 * the kernel checks the flags first (EINVAL when unknown) and then fails to
 * copy the program (EFAULT); nothing is ever installed. */
static bool seccomp_flag_supported(unsigned int flag)
{
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
	return r < 0 && errno == EFAULT;
}

static void gen_mount_options(struct json_gen *g)
{
	json_gen_key(g, "mountOptions");
	json_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_LEN(mount_option_candidates); i++)
		if (mount_option_implemented(mount_option_candidates[i]))
			json_gen_string(g, mount_option_candidates[i]);
	json_gen_array_close(g);
}

static void gen_namespaces(struct json_gen *g)
{
	json_gen_key(g, "namespaces");
	json_gen_array_open(g);
	for (int t = 0; t < OCI_NS__COUNT; t++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_file((enum oci_namespace_type)t));
		if (access(path, F_OK) == 0)
			json_gen_string(g, oci_namespace_type_name((enum oci_namespace_type)t));
	}
	json_gen_array_close(g);
}

static void gen_capabilities(struct json_gen *g)
{
	json_gen_key(g, "capabilities");
	json_gen_array_open(g);
	int last = cap_last_cap();
	for (int cap = 0; cap <= last; cap++) {
		const char *name = capng_capability_to_name((unsigned int)cap);
		if (name == NULL)
			continue;
		char up[64] = "CAP_";
		size_t k = 4;
		for (const char *p = name; *p != '\0' && k < sizeof(up) - 1; p++)
			up[k++] = (char)toupper((unsigned char)*p);
		up[k] = '\0';
		json_gen_string(g, up);
	}
	json_gen_array_close(g);
}

static void gen_seccomp(struct json_gen *g)
{
	_cleanup_error_ strata_error_t err = NULL;
	json_gen_key(g, "seccomp");
	json_gen_object_open(g);
	json_gen_key(g, "enabled");
	json_gen_bool(g, true);

	json_gen_key(g, "actions");
	json_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_LEN(seccomp_action_candidates); i++) {
		uint32_t a;
		if (seccomp_action_parse(seccomp_action_candidates[i], false, 0, &a, &err) == 0)
			json_gen_string(g, seccomp_action_candidates[i]);
		strata_error_free(&err);
	}
	json_gen_array_close(g);

	json_gen_key(g, "operators");
	json_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_LEN(seccomp_operator_candidates); i++) {
		int op;
		if (seccomp_op_parse(seccomp_operator_candidates[i], &op, &err) == 0)
			json_gen_string(g, seccomp_operator_candidates[i]);
		strata_error_free(&err);
	}
	json_gen_array_close(g);

	json_gen_key(g, "archs");
	json_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_LEN(seccomp_arch_candidates); i++) {
		uint32_t arch;
		if (seccomp_arch_parse(seccomp_arch_candidates[i], &arch, &err) == 0)
			json_gen_string(g, seccomp_arch_candidates[i]);
		strata_error_free(&err);
	}
	json_gen_array_close(g);

	unsigned int flags[ARRAY_LEN(seccomp_flag_candidates)];
	bool known[ARRAY_LEN(seccomp_flag_candidates)];
	json_gen_key(g, "knownFlags");
	json_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_LEN(seccomp_flag_candidates); i++) {
		known[i] = seccomp_flag_parse(seccomp_flag_candidates[i], &flags[i], &err) == 0;
		strata_error_free(&err);
		if (known[i])
			json_gen_string(g, seccomp_flag_candidates[i]);
	}
	json_gen_array_close(g);
	json_gen_key(g, "supportedFlags");
	json_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_LEN(seccomp_flag_candidates); i++)
		if (known[i] && seccomp_flag_supported(flags[i]))
			json_gen_string(g, seccomp_flag_candidates[i]);
	json_gen_array_close(g);
	json_gen_object_close(g);
}

static void gen_enabled(struct json_gen *g, const char *key, bool on)
{
	json_gen_key(g, key);
	json_gen_object_open(g);
	json_gen_key(g, "enabled");
	json_gen_bool(g, on);
	json_gen_object_close(g);
}

static void gen_linux(struct json_gen *g)
{
	json_gen_key(g, "linux");
	json_gen_object_open(g);
	gen_namespaces(g);
	gen_capabilities(g);
	/* The cgroups/ backends: cgroupfs v1 and v2 (and hybrid), the systemd
	 * driver for system instances; rdma limits are applied on both. */
	json_gen_key(g, "cgroup");
	json_gen_object_open(g);
	json_gen_key(g, "v1");
	json_gen_bool(g, true);
	json_gen_key(g, "v2");
	json_gen_bool(g, true);
	json_gen_key(g, "systemd");
	json_gen_bool(g, true);
	json_gen_key(g, "systemdUser");
	json_gen_bool(g, false);
	json_gen_key(g, "rdma");
	json_gen_bool(g, true);
	json_gen_object_close(g);
	gen_seccomp(g);
	gen_enabled(g, "apparmor", lsm_apparmor_enabled());
	gen_enabled(g, "selinux", lsm_selinux_enabled());
	/* linux.intelRdt is parsed but no resctrl code exists in the tree. */
	gen_enabled(g, "intelRdt", false);
	json_gen_key(g, "mountExtensions");
	json_gen_object_open(g);
	json_gen_key(g, "idmap");
	json_gen_object_open(g);
	json_gen_key(g, "enabled");
	json_gen_bool(g, mount_option_implemented("idmap"));
	json_gen_object_close(g);
	json_gen_object_close(g);
	json_gen_object_close(g);
}

static void gen_annotations(struct json_gen *g)
{
	static const struct {
		enum isolation_level_id level;
		const char *name;
	} levels[] = { { ISOLATION_NATIVE, "native" }, { ISOLATION_SENTRY, "sentry" }, { ISOLATION_VM, "vm" } };
	char buf[64];
	json_gen_key(g, "annotations");
	json_gen_object_open(g);
	const struct scmp_version *v = seccomp_version();
	if (v != NULL) {
		snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
		json_gen_key(g, "io.github.seccomp.libseccomp.version");
		json_gen_string(g, buf);
	}
	json_gen_key(g, "io.strata.commit");
	json_gen_string(g, STRATA_COMMIT);
	char list[64] = "";
	for (size_t i = 0; i < ARRAY_LEN(levels); i++) {
		if (!isolation_level_available(levels[i].level, NULL))
			continue;
		if (list[0] != '\0')
			strcat(list, ",");
		strcat(list, levels[i].name);
	}
	json_gen_key(g, "io.strata.isolation-levels");
	json_gen_string(g, list);
	json_gen_key(g, "io.strata.version");
	json_gen_string(g, STRATA_VERSION);
	json_gen_object_close(g);
}

char *features_json(strata_error_t *err)
{
	struct json_gen *g = json_gen_new(true);
	if (g == NULL) {
		strata_error_errno(err, ENOMEM, "features");
		return NULL;
	}
	json_gen_object_open(g);
	json_gen_key(g, "ociVersionMin");
	json_gen_string(g, FEATURES_OCI_VERSION_MIN);
	json_gen_key(g, "ociVersionMax");
	json_gen_string(g, OCI_SPEC_VERSION);
	json_gen_key(g, "hooks");
	json_gen_strv(g, (char *const *)hook_names, ARRAY_LEN(hook_names));
	gen_mount_options(g);
	gen_linux(g);
	gen_annotations(g);
	json_gen_object_close(g);
	char *out = json_gen_finish(g, NULL);
	json_gen_free(g);
	if (out == NULL)
		strata_error_set(err, EINVAL, "features: cannot encode the document");
	return out;
}

bool isolation_level_available(enum isolation_level_id level, const char **why)
{
	const char *reason = NULL;
	switch (level) {
	case ISOLATION_NATIVE:
	case ISOLATION_SENTRY:
		break;
	case ISOLATION_VM:
		if (isolation_vm_ops() == NULL)
			reason = "the vm isolation level is not built yet";
		else if (access("/sys/module/kvm_pvm", F_OK) == 0)
			reason = "this host's /dev/kvm is PVM: ordinary guest kernels cannot boot (a PVM-enabled "
				 "one can be given: annotation io.strata.vm.pvm-kernel)";
		else if (access("/dev/kvm", R_OK | W_OK) != 0)
			reason = "/dev/kvm is not available";
		break;
	}
	if (why != NULL)
		*why = reason;
	return reason == NULL;
}
