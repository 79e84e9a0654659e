/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_linux.c - decode and free the `linux` object
 * (runtime-spec v1.3.0 config-linux.md), except `resources`
 * (config_resources.c).
 */
#include <stdlib.h>
#include <string.h>

#include "config_decode.h"

/* Indexed by enum oci_namespace_type (config-linux.md#namespaces). */
static const char *const namespace_names[] = {
	[OCI_NS_PID] = "pid",	  [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
	[OCI_NS_IPC] = "ipc",	  [OCI_NS_UTS] = "uts",		[OCI_NS_USER] = "user",
	[OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",	[OCI_NS__COUNT] = NULL,
};

static const char *const device_types[] = { "c", "b", "u", "p", NULL };

/* runc accepts the recursive forms too (mount(2) MS_REC). */
static const char *const propagations[] = {
	"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable", NULL,
};

/* seccomp actions and comparison operators (config-linux.md#seccomp). */
static const char *const seccomp_actions[] = {
	"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
	"SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",	   "SCMP_ACT_LOG",	   "SCMP_ACT_NOTIFY", NULL,
};
static const char *const seccomp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

static const char *const personality_domains[] = { "LINUX", "LINUX32", NULL };

/* set_mempolicy(2) modes and flags (config-linux.md#memory-policy). */
static const char *const mempolicy_modes[] = {
	"MPOL_DEFAULT",	 "MPOL_BIND",	       "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
	"MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",	   NULL,
};
static const char *const mempolicy_flags[] = {
	"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES", NULL,
};

static const char *const time_clocks[] = { "monotonic", "boottime", NULL };

const char *oci_namespace_type_name(enum oci_namespace_type t)
{
	if ((unsigned)t >= OCI_NS__COUNT)
		return NULL;
	return namespace_names[t];
}

static int dec_mpol_flag(struct dec *d, const struct dec_path *p, const struct json_value *v, char **out)
{
	return dec_enum(d, p, v, mempolicy_flags, out);
}

static void namespace_clear(void *elem)
{
	free(((struct oci_namespace *)elem)->path);
}

static int dec_namespace(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_namespace *ns = elem;
	char *type = NULL;
	if (dec_object(d, p, v) < 0 || dec_field_enum(d, p, v, "type", true, namespace_names, &type) < 0)
		return -1;
	for (int t = 0; t < OCI_NS__COUNT; t++)
		if (strcmp(namespace_names[t], type) == 0)
			ns->type = (enum oci_namespace_type)t;
	free(type);
	return dec_field_abs_path(d, p, v, "path", false, &ns->path);
}

int dec_id_mapping(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_id_mapping *m = elem;
	if (dec_object(d, p, v) < 0 || dec_field_u32(d, p, v, "containerID", true, &m->container_id, NULL) < 0 ||
	    dec_field_u32(d, p, v, "hostID", true, &m->host_id, NULL) < 0 ||
	    dec_field_u32(d, p, v, "size", true, &m->size, NULL) < 0)
		return -1;
	return 0;
}


static void device_clear(void *elem)
{
	struct oci_device *dv = elem;
	free(dv->type);
	free(dv->path);
}

static int dec_device(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_device *dv = elem;
	if (dec_object(d, p, v) < 0 || dec_field_enum(d, p, v, "type", true, device_types, &dv->type) < 0 ||
	    dec_field_abs_path(d, p, v, "path", true, &dv->path) < 0)
		return -1;
	/* major/minor are REQUIRED unless type is p (fifo). */
	bool need = strcmp(dv->type, "p") != 0;
	if (dec_field_i64(d, p, v, "major", need, &dv->major, NULL) < 0 ||
	    dec_field_i64(d, p, v, "minor", need, &dv->minor, NULL) < 0 ||
	    dec_field_u32(d, p, v, "fileMode", false, &dv->file_mode, &dv->has_file_mode) < 0 ||
	    dec_field_u32(d, p, v, "uid", false, &dv->uid, &dv->has_uid) < 0 ||
	    dec_field_u32(d, p, v, "gid", false, &dv->gid, &dv->has_gid) < 0)
		return -1;
	return 0;
}

static void seccomp_arg_clear(void *elem)
{
	free(((struct oci_seccomp_arg *)elem)->op);
}

static int dec_seccomp_arg(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_seccomp_arg *a = elem;
	uint64_t index;
	if (dec_object(d, p, v) < 0 || dec_field_uint(d, p, v, "index", true, 5, &index, NULL) < 0 ||
	    dec_field_u64(d, p, v, "value", true, &a->value, NULL) < 0 ||
	    dec_field_u64(d, p, v, "valueTwo", false, &a->value_two, NULL) < 0 ||
	    dec_field_enum(d, p, v, "op", true, seccomp_ops, &a->op) < 0)
		return -1;
	a->index = (uint32_t)index;
	return 0;
}

static void seccomp_syscall_clear(void *elem)
{
	struct oci_seccomp_syscall *s = elem;
	dec_strv_free(s->names, s->names_len);
	free(s->action);
	for (size_t i = 0; i < s->args_len; i++)
		seccomp_arg_clear(&s->args[i]);
	free(s->args);
}

static int dec_seccomp_syscall(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem)
{
	struct oci_seccomp_syscall *s = elem;
	if (dec_object(d, p, v) < 0 || dec_field_strv(d, p, v, "names", true, NULL, &s->names, &s->names_len) < 0)
		return -1;
	if (s->names_len == 0) {
		struct dec_path np = DEC_PATH_KEY(p, "names");
		return dec_fail(d, &np, "expected at least one element");
	}
	if (dec_field_enum(d, p, v, "action", true, seccomp_actions, &s->action) < 0 ||
	    dec_field_u32(d, p, v, "errnoRet", false, &s->errno_ret, &s->has_errno_ret) < 0 ||
	    dec_field_array_of(d, p, v, "args", sizeof(struct oci_seccomp_arg), dec_seccomp_arg, seccomp_arg_clear,
			       (void **)&s->args, &s->args_len) < 0)
		return -1;
	return 0;
}

static void seccomp_free(struct oci_seccomp *s)
{
	if (s == NULL)
		return;
	free(s->default_action);
	dec_strv_free(s->architectures, s->architectures_len);
	dec_strv_free(s->flags, s->flags_len);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->syscalls_len; i++)
		seccomp_syscall_clear(&s->syscalls[i]);
	free(s->syscalls);
	free(s);
}

static int dec_seccomp(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_seccomp *s)
{
	/* Architecture and flag names are left to libseccomp, which knows the
	 * ones this host supports. */
	if (dec_field_enum(d, p, v, "defaultAction", true, seccomp_actions, &s->default_action) < 0 ||
	    dec_field_u32(d, p, v, "defaultErrnoRet", false, &s->default_errno_ret, &s->has_default_errno_ret) < 0 ||
	    dec_field_strv(d, p, v, "architectures", false, NULL, &s->architectures, &s->architectures_len) < 0 ||
	    dec_field_strv(d, p, v, "flags", false, NULL, &s->flags, &s->flags_len) < 0 ||
	    dec_field_string(d, p, v, "listenerPath", false, &s->listener_path) < 0 ||
	    dec_field_string(d, p, v, "listenerMetadata", false, &s->listener_metadata) < 0 ||
	    dec_field_array_of(d, p, v, "syscalls", sizeof(struct oci_seccomp_syscall), dec_seccomp_syscall,
			       seccomp_syscall_clear, (void **)&s->syscalls, &s->syscalls_len) < 0)
		return -1;
	return 0;
}

static void time_offset_clear(void *elem)
{
	free(((struct oci_time_offset *)elem)->clock);
}

static int dec_time_offset(struct dec *d, const struct dec_path *p, const char *key, const struct json_value *v,
			   void *elem)
{
	struct oci_time_offset *t = elem;
	bool known = false;
	for (size_t i = 0; time_clocks[i] != NULL; i++)
		known |= strcmp(time_clocks[i], key) == 0;
	if (!known)
		return dec_fail(d, p, "unknown clock, expected monotonic or boottime");
	if (dec_object(d, p, v) < 0 || dec_field_i64(d, p, v, "secs", false, &t->secs, NULL) < 0 ||
	    dec_field_u32(d, p, v, "nanosecs", false, &t->nanosecs, NULL) < 0)
		return -1;
	t->clock = strdup(key);
	return t->clock ? 0 : dec_oom(d);
}

static void net_device_clear(void *elem)
{
	struct oci_net_device *n = elem;
	free(n->host_name);
	free(n->name);
}

static int dec_net_device(struct dec *d, const struct dec_path *p, const char *key, const struct json_value *v,
			  void *elem)
{
	struct oci_net_device *n = elem;
	if (dec_object(d, p, v) < 0 || dec_field_string(d, p, v, "name", false, &n->name) < 0)
		return -1;
	n->host_name = strdup(key);
	return n->host_name ? 0 : dec_oom(d);
}

void oci_linux_free(struct oci_linux *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->namespaces_len; i++)
		namespace_clear(&l->namespaces[i]);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->devices_len; i++)
		device_clear(&l->devices[i]);
	free(l->devices);
	free(l->cgroups_path);
	oci_resources_free(l->resources);
	oci_string_map_clear(&l->sysctl);
	seccomp_free(l->seccomp);
	free(l->rootfs_propagation);
	dec_strv_free(l->masked_paths, l->masked_paths_len);
	dec_strv_free(l->readonly_paths, l->readonly_paths_len);
	free(l->mount_label);
	if (l->personality != NULL) {
		free(l->personality->domain);
		dec_strv_free(l->personality->flags, l->personality->flags_len);
		free(l->personality);
	}
	for (size_t i = 0; i < l->time_offsets_len; i++)
		time_offset_clear(&l->time_offsets[i]);
	free(l->time_offsets);
	for (size_t i = 0; i < l->net_devices_len; i++)
		net_device_clear(&l->net_devices[i]);
	free(l->net_devices);
	if (l->memory_policy != NULL) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		dec_strv_free(l->memory_policy->flags, l->memory_policy->flags_len);
		free(l->memory_policy);
	}
	if (l->intel_rdt != NULL) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		dec_strv_free(l->intel_rdt->schemata, l->intel_rdt->schemata_len);
		free(l->intel_rdt);
	}
	free(l);
}

static int dec_namespaces(struct dec *d, const struct dec_path *p, const struct json_value *obj, struct oci_linux *l)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, "namespaces", false, "an array", &v);
	if (r <= 0)
		return r;
	struct dec_path np = DEC_PATH_KEY(p, "namespaces");
	if (dec_array_of(d, &np, v, sizeof(struct oci_namespace), dec_namespace, namespace_clear,
			 (void **)&l->namespaces, &l->namespaces_len) < 0)
		return -1;
	/* config-linux.md#namespaces: duplicated types are an error. */
	bool seen[OCI_NS__COUNT] = { false };
	for (size_t i = 0; i < l->namespaces_len; i++) {
		enum oci_namespace_type t = l->namespaces[i].type;
		if (seen[t]) {
			struct dec_path ip = DEC_PATH_INDEX(&np, i);
			struct dec_path tp = DEC_PATH_KEY(&ip, "type");
			return dec_fail(d, &tp, "duplicate namespace type \"%s\"", namespace_names[t]);
		}
		seen[t] = true;
	}
	return 0;
}

int dec_linux(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_linux *l)
{
	const struct json_value *o;
	int k;
	if (dec_object(d, p, v) < 0 || dec_namespaces(d, p, v, l) < 0 ||
	    dec_field_array_of(d, p, v, "uidMappings", sizeof(struct oci_id_mapping), dec_id_mapping, dec_clear_nothing,
			(void **)&l->uid_mappings, &l->uid_mappings_len) < 0 ||
	    dec_field_array_of(d, p, v, "gidMappings", sizeof(struct oci_id_mapping), dec_id_mapping, dec_clear_nothing,
			(void **)&l->gid_mappings, &l->gid_mappings_len) < 0 ||
	    dec_field_array_of(d, p, v, "devices", sizeof(struct oci_device), dec_device, device_clear, (void **)&l->devices,
			&l->devices_len) < 0 ||
	    dec_field_string(d, p, v, "cgroupsPath", false, &l->cgroups_path) < 0)
		return -1;

	if ((k = dec_field_new_object(d, p, v, "resources", sizeof(*l->resources), (void **)&l->resources, &o)) < 0)
		return -1;
	struct dec_path rp = DEC_PATH_KEY(p, "resources");
	if (k > 0 && dec_resources(d, &rp, o, l->resources) < 0)
		return -1;

	if ((k = dec_field(d, p, v, "sysctl", false, "an object", &o)) < 0)
		return -1;
	struct dec_path yp = DEC_PATH_KEY(p, "sysctl");
	if (k > 0 && dec_string_map(d, &yp, o, &l->sysctl) < 0)
		return -1;

	if ((k = dec_field_new_object(d, p, v, "seccomp", sizeof(*l->seccomp), (void **)&l->seccomp, &o)) < 0)
		return -1;
	struct dec_path sp = DEC_PATH_KEY(p, "seccomp");
	if (k > 0 && dec_seccomp(d, &sp, o, l->seccomp) < 0)
		return -1;

	/* maskedPaths/readonlyPaths: "values MUST be absolute paths in the
	 * container namespace" (config-linux.md#masked-paths). */
	if (dec_field_enum(d, p, v, "rootfsPropagation", false, propagations, &l->rootfs_propagation) < 0 ||
	    dec_field_strv(d, p, v, "maskedPaths", false, dec_abs_path, &l->masked_paths, &l->masked_paths_len) < 0 ||
	    dec_field_strv(d, p, v, "readonlyPaths", false, dec_abs_path, &l->readonly_paths,
			   &l->readonly_paths_len) < 0 ||
	    dec_field_string(d, p, v, "mountLabel", false, &l->mount_label) < 0)
		return -1;

	if ((k = dec_field_new_object(d, p, v, "personality", sizeof(*l->personality), (void **)&l->personality, &o)) < 0)
		return -1;
	struct dec_path pp = DEC_PATH_KEY(p, "personality");
	if (k > 0 && (dec_field_enum(d, &pp, o, "domain", true, personality_domains, &l->personality->domain) < 0 ||
		      dec_field_strv(d, &pp, o, "flags", false, NULL, &l->personality->flags,
				     &l->personality->flags_len) < 0))
		return -1;

	if (dec_field_map_of(d, p, v, "timeOffsets", sizeof(struct oci_time_offset), dec_time_offset, time_offset_clear,
		      (void **)&l->time_offsets, &l->time_offsets_len) < 0 ||
	    dec_field_map_of(d, p, v, "netDevices", sizeof(struct oci_net_device), dec_net_device, net_device_clear,
		      (void **)&l->net_devices, &l->net_devices_len) < 0)
		return -1;

	if ((k = dec_field_new_object(d, p, v, "memoryPolicy", sizeof(*l->memory_policy), (void **)&l->memory_policy, &o)) < 0)
		return -1;
	struct dec_path mp = DEC_PATH_KEY(p, "memoryPolicy");
	if (k > 0 && (dec_field_enum(d, &mp, o, "mode", true, mempolicy_modes, &l->memory_policy->mode) < 0 ||
		      dec_field_string(d, &mp, o, "nodes", false, &l->memory_policy->nodes) < 0 ||
		      dec_field_strv(d, &mp, o, "flags", false, dec_mpol_flag, &l->memory_policy->flags,
				     &l->memory_policy->flags_len) < 0))
		return -1;

	if ((k = dec_field_new_object(d, p, v, "intelRdt", sizeof(*l->intel_rdt), (void **)&l->intel_rdt, &o)) < 0)
		return -1;
	struct dec_path ip = DEC_PATH_KEY(p, "intelRdt");
	struct oci_intel_rdt *rdt = l->intel_rdt;
	if (k > 0 && (dec_field_string(d, &ip, o, "closID", false, &rdt->clos_id) < 0 ||
		      dec_field_string(d, &ip, o, "l3CacheSchema", false, &rdt->l3_cache_schema) < 0 ||
		      dec_field_string(d, &ip, o, "memBwSchema", false, &rdt->mem_bw_schema) < 0 ||
		      dec_field_strv(d, &ip, o, "schemata", false, NULL, &rdt->schemata, &rdt->schemata_len) < 0 ||
		      dec_field_bool(d, &ip, o, "enableCMT", &rdt->enable_cmt, NULL) < 0 ||
		      dec_field_bool(d, &ip, o, "enableMBM", &rdt->enable_mbm, NULL) < 0 ||
		      dec_field_bool(d, &ip, o, "enableMonitoring", &rdt->enable_monitoring, NULL) < 0))
		return -1;
	return 0;
}
