/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.h - typed C model of the OCI runtime-spec v1.3.0 `config.json`
 * (runtime-spec config.md, config-linux.md).
 *
 * Conventions used by every struct below:
 *  - JSON names map to snake_case C fields (`noNewPrivileges` -> no_new_privileges).
 *  - Strings are heap `char *`, NULL when the field is absent.
 *  - Arrays are a pointer plus `<name>_len` (element count).  String arrays
 *    are additionally NULL-terminated so they can be passed to execve().
 *  - Optional scalars carry `bool has_<name>`; the value is meaningful only
 *    when has_<name> is true.  Optional objects are pointers, NULL if absent.
 *  - Everything reachable from a struct oci_config is owned by it and freed by
 *    oci_config_free().
 *  - Units follow the spec: memory in bytes, cpu quota/period in microseconds,
 *    realtime runtime/period in microseconds, timeOffsets in seconds+nanoseconds.
 */
#ifndef STRATA_OCI_SPEC_CONFIG_H
#define STRATA_OCI_SPEC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/error.h"

#define OCI_SPEC_VERSION "1.3.0"

/* ---- process (config.md#process) ---- */

struct oci_user {
	uint32_t uid;            /* required */
	uint32_t gid;            /* required */
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t additional_gids_len;
	char *username;          /* Windows only; parsed, unused */
};

struct oci_capabilities {
	/* capability names as in the JSON, e.g. "CAP_CHOWN"; NULL-terminated; NULL = set absent */
	char **bounding;
	size_t bounding_len;
	char **effective;
	size_t effective_len;
	char **inheritable;
	size_t inheritable_len;
	char **permitted;
	size_t permitted_len;
	char **ambient;
	size_t ambient_len;
};

struct oci_rlimit {
	char *type;   /* e.g. "RLIMIT_NOFILE" */
	uint64_t hard;
	uint64_t soft;
};

struct oci_console_size {
	uint32_t height; /* rows */
	uint32_t width;  /* columns */
};

struct oci_scheduler {
	char *policy;            /* "SCHED_OTHER", "SCHED_FIFO", ... required */
	bool has_nice;
	int32_t nice;
	bool has_priority;
	int32_t priority;
	char **flags;            /* "SCHED_FLAG_RESET_ON_FORK", ... */
	size_t flags_len;
	bool has_runtime;
	uint64_t runtime;        /* ns */
	bool has_deadline;
	uint64_t deadline;       /* ns */
	bool has_period;
	uint64_t period;         /* ns */
};

struct oci_io_priority {
	char *class;             /* "IOPRIO_CLASS_RT" | "IOPRIO_CLASS_BE" | "IOPRIO_CLASS_IDLE" */
	int32_t priority;        /* 0..7 */
};

struct oci_exec_cpu_affinity {
	char *initial;           /* cpu list, e.g. "0-3,7" */
	char *final;
};

struct oci_process {
	bool terminal;
	struct oci_console_size *console_size;
	struct oci_user user;    /* required */
	char **args;             /* NULL-terminated */
	size_t args_len;
	char *command_line;      /* Windows only */
	char **env;              /* "KEY=value", NULL-terminated */
	size_t env_len;
	char *cwd;               /* required, absolute */
	struct oci_capabilities *capabilities;
	struct oci_rlimit *rlimits;
	size_t rlimits_len;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int32_t oom_score_adj;   /* -1000..1000 */
	char *selinux_label;
	struct oci_scheduler *scheduler;
	struct oci_io_priority *io_priority;
	struct oci_exec_cpu_affinity *exec_cpu_affinity;
};

/* ---- root, mounts, hooks (config.md) ---- */

struct oci_root {
	char *path;              /* required; relative to the bundle or absolute */
	bool readonly;
};

struct oci_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct oci_mount {
	char *destination;       /* required, absolute in the container */
	char *type;
	char *source;
	char **options;          /* NULL-terminated */
	size_t options_len;
	struct oci_id_mapping *uid_mappings;
	size_t uid_mappings_len;
	struct oci_id_mapping *gid_mappings;
	size_t gid_mappings_len;
};

struct oci_hook {
	char *path;              /* required, absolute */
	char **args;             /* NULL-terminated */
	size_t args_len;
	char **env;              /* NULL-terminated */
	size_t env_len;
	bool has_timeout;
	int32_t timeout;         /* seconds, > 0 */
};

struct oci_hooks {
	struct oci_hook *prestart;
	size_t prestart_len;
	struct oci_hook *create_runtime;
	size_t create_runtime_len;
	struct oci_hook *create_container;
	size_t create_container_len;
	struct oci_hook *start_container;
	size_t start_container_len;
	struct oci_hook *poststart;
	size_t poststart_len;
	struct oci_hook *poststop;
	size_t poststop_len;
};

/* string -> string map, insertion order kept */
struct oci_string_map {
	char **keys;
	char **values;
	size_t len;
};

/* ---- linux (config-linux.md) ---- */

enum oci_namespace_type {
	OCI_NS_PID,
	OCI_NS_NETWORK,
	OCI_NS_MOUNT,
	OCI_NS_IPC,
	OCI_NS_UTS,
	OCI_NS_USER,
	OCI_NS_CGROUP,
	OCI_NS_TIME,
	OCI_NS__COUNT
};

struct oci_namespace {
	enum oci_namespace_type type;
	char *path;              /* NULL: create a new namespace; else join this one */
};

struct oci_device {
	char *type;              /* "c", "b", "u" or "p" */
	char *path;              /* required, absolute in the container */
	int64_t major;           /* required for c/b/u */
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

/* linux.resources.devices[] (config-linux.md#allowed-device-list) */
struct oci_device_cgroup {
	bool allow;              /* required */
	char *type;              /* "a", "c", "b"; NULL = all */
	bool has_major;
	int64_t major;           /* absent = wildcard */
	bool has_minor;
	int64_t minor;
	char *access;            /* subset of "rwm"; NULL = "rwm" */
};

struct oci_memory {
	bool has_limit;
	int64_t limit;           /* bytes, -1 = unlimited */
	bool has_reservation;
	int64_t reservation;     /* bytes */
	bool has_swap;
	int64_t swap;            /* bytes (memory+swap), -1 = unlimited */
	bool has_kernel;
	int64_t kernel;          /* bytes, deprecated */
	bool has_kernel_tcp;
	int64_t kernel_tcp;      /* bytes, deprecated */
	bool has_swappiness;
	uint64_t swappiness;     /* 0..100 */
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
};

struct oci_cpu {
	bool has_shares;
	uint64_t shares;
	bool has_quota;
	int64_t quota;           /* us per period, -1 = unlimited */
	bool has_burst;
	uint64_t burst;          /* us */
	bool has_period;
	uint64_t period;         /* us */
	bool has_realtime_runtime;
	int64_t realtime_runtime; /* us */
	bool has_realtime_period;
	uint64_t realtime_period; /* us */
	char *cpus;              /* cpu list */
	char *mems;              /* memory node list */
	bool has_idle;
	int64_t idle;            /* 0 or 1 */
};

struct oci_weight_device {
	int64_t major;
	int64_t minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
};

struct oci_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;           /* bytes/s or io/s */
};

struct oci_block_io {
	bool has_weight;
	uint16_t weight;         /* 10..1000 */
	bool has_leaf_weight;
	uint16_t leaf_weight;
	struct oci_weight_device *weight_device;
	size_t weight_device_len;
	struct oci_throttle_device *throttle_read_bps_device;
	size_t throttle_read_bps_device_len;
	struct oci_throttle_device *throttle_write_bps_device;
	size_t throttle_write_bps_device_len;
	struct oci_throttle_device *throttle_read_iops_device;
	size_t throttle_read_iops_device_len;
	struct oci_throttle_device *throttle_write_iops_device;
	size_t throttle_write_iops_device_len;
};

struct oci_hugepage_limit {
	char *page_size;         /* "2MB", "1GB", ... */
	uint64_t limit;          /* bytes */
};

struct oci_network_priority {
	char *name;
	uint32_t priority;
};

struct oci_network {
	bool has_class_id;
	uint32_t class_id;
	struct oci_network_priority *priorities;
	size_t priorities_len;
};

struct oci_rdma_limit {
	char *device;            /* map key */
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
};

struct oci_resources {
	struct oci_device_cgroup *devices;
	size_t devices_len;
	struct oci_memory *memory;
	struct oci_cpu *cpu;
	bool has_pids_limit;
	int64_t pids_limit;      /* linux.resources.pids.limit; <= 0 = unlimited */
	struct oci_block_io *block_io;
	struct oci_hugepage_limit *hugepage_limits;
	size_t hugepage_limits_len;
	struct oci_network *network;
	struct oci_rdma_limit *rdma;
	size_t rdma_len;
	struct oci_string_map unified; /* raw cgroup v2 "file": "value" */
};

struct oci_seccomp_arg {
	uint32_t index;          /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	char *op;                /* "SCMP_CMP_EQ", ... required */
};

struct oci_seccomp_syscall {
	char **names;            /* NULL-terminated, at least one */
	size_t names_len;
	char *action;            /* required */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oci_seccomp_arg *args;
	size_t args_len;
};

struct oci_seccomp {
	char *default_action;    /* required */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	size_t architectures_len;
	char **flags;
	size_t flags_len;
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t syscalls_len;
};

struct oci_personality {
	char *domain;            /* "LINUX" | "LINUX32" */
	char **flags;
	size_t flags_len;
};

struct oci_time_offset {
	char *clock;             /* map key: "monotonic" | "boottime" */
	int64_t secs;
	uint32_t nanosecs;
};

struct oci_net_device {
	char *host_name;         /* map key: the host interface */
	char *name;              /* name inside the container; NULL = same */
};

struct oci_memory_policy {
	char *mode;              /* "MPOL_DEFAULT", "MPOL_BIND", ... required */
	char *nodes;             /* node list */
	char **flags;
	size_t flags_len;
};

struct oci_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	char **schemata;
	size_t schemata_len;
	bool enable_cmt;
	bool enable_mbm;
	bool enable_monitoring;  /* v1.3.0 "enableMonitoring" */
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t namespaces_len;
	struct oci_id_mapping *uid_mappings;
	size_t uid_mappings_len;
	struct oci_id_mapping *gid_mappings;
	size_t gid_mappings_len;
	struct oci_device *devices;
	size_t devices_len;
	char *cgroups_path;
	struct oci_resources *resources;
	struct oci_string_map sysctl;
	struct oci_seccomp *seccomp;
	char *rootfs_propagation; /* "shared", "slave", "private", "unbindable", r* forms */
	char **masked_paths;
	size_t masked_paths_len;
	char **readonly_paths;
	size_t readonly_paths_len;
	char *mount_label;
	struct oci_personality *personality;
	struct oci_time_offset *time_offsets;
	size_t time_offsets_len;
	struct oci_net_device *net_devices;
	size_t net_devices_len;
	struct oci_memory_policy *memory_policy;
	struct oci_intel_rdt *intel_rdt;
};

struct oci_config {
	char *oci_version;       /* required */
	struct oci_process *process; /* optional for `create`, required to start */
	struct oci_root *root;
	char *hostname;
	char *domainname;
	struct oci_mount *mounts;
	size_t mounts_len;
	struct oci_hooks *hooks;
	struct oci_string_map annotations;
	struct oci_linux *linux_;  /* `linux` is a predefined macro in GNU C */
};

/*
 * oci_config_parse - parse a config.json document of len bytes.
 * `name` is used as the message prefix ("config.json").  On success *out is a
 * new struct owned by the caller (free with oci_config_free).  Unknown fields
 * are ignored; for optional fields JSON null means absent (as in Go's
 * encoding/json, which runc uses); of duplicate keys the last one wins.
 *
 * Errors (EINVAL; ENOMEM when out of memory) are one line,
 * "<name>: <path>: <what>", where <path> is written
 *   .process.user.uid                        object members
 *   .mounts[2].destination                   array elements (0-based)
 *   .linux.sysctl["net.ipv4.ip_forward"]     keys of free-form maps (JSON-quoted)
 * and <what> is one of
 *   expected an integer, got "root"          wrong type (the value is shown, cut at 40 bytes)
 *   expected an integer between 0 and 4294967295, got 4294967296
 *   required field is missing
 *   expected one of c, b, u, p, got "x"      enum value
 *   expected an absolute path, got "proc"
 *   duplicate namespace type "pid"           (also duplicate rlimit type)
 *   expected at least one element            (process.args, seccomp names)
 *   string contains a NUL character
 * A document that is not JSON gives "<name>: malformed JSON at line L,
 * column C: <reason>"; one whose top level is not an object gives
 * "<name>: expected an object, got an array".
 *
 * Validated beyond types: uid/gid/additionalGids 0..2^32-1, oomScoreAdj
 * -1000..1000, ioPriority.priority 0..7, seccomp arg index 0..5, blockIO
 * (leaf)weight 10..1000, swappiness 0..100, hook timeout > 0; enum values of
 * namespace type, device type (c b u p), resources.devices type (a c b) and
 * access (rwm), rootfsPropagation (private shared slave unbindable and r*
 * forms), ioPriority class, scheduler policy and flags, rlimit type, seccomp
 * action and op, personality domain, memoryPolicy mode and flags, timeOffsets
 * clock; absolute paths for mount destination, hook path, process.cwd, device
 * path, namespace path, maskedPaths, readonlyPaths; duplicate namespace and
 * rlimit types.  Nesting deeper than 128 arrays/objects is refused.
 * Capability names, seccomp architectures and flags are not checked here
 * (the code applying them knows what this host supports).
 * Source: runtime-spec v1.3.0 config.md, config-linux.md, schema/config-schema.json.
 */
int oci_config_parse(const char *name, const char *json, size_t len, struct oci_config **out, strata_error_t *err);

/*
 * oci_config_load - read and parse `<bundle>/config.json`.  Errors: the
 * read errno ("open `/b/config.json`: No such file or directory") or a
 * parse error as above.  *out owned by the caller.
 */
int oci_config_load(const char *bundle, struct oci_config **out, strata_error_t *err);

/*
 * oci_process_parse - parse a standalone runtime-spec `process` object, as
 * `exec --process FILE` takes it.  `name` prefixes errors.  *out owned by the
 * caller (free with oci_process_free).
 */
int oci_process_parse(const char *name, const char *json, size_t len, struct oci_process **out, strata_error_t *err);

/*
 * oci_resources_parse - parse a standalone `linux.resources` object, as
 * `update --resources FILE|-` takes it.  *out owned by the caller (free with
 * oci_resources_free).
 */
int oci_resources_parse(const char *name, const char *json, size_t len, struct oci_resources **out, strata_error_t *err);

/* Free functions; NULL is fine. */
void oci_config_free(struct oci_config *c);
void oci_process_free(struct oci_process *p);
void oci_resources_free(struct oci_resources *r);

/* oci_namespace_type_name - the JSON name ("pid", "network", ...) of t. */
const char *oci_namespace_type_name(enum oci_namespace_type t);

/* oci_string_map_get - value for key, or NULL.  Memory stays owned by the map. */
const char *oci_string_map_get(const struct oci_string_map *m, const char *key);

/* oci_config_find_namespace - the namespace entry of type t, or NULL if absent. */
const struct oci_namespace *oci_config_find_namespace(const struct oci_config *c, enum oci_namespace_type t);

/*
 * oci_config_default_json - the JSON text of the default config that
 * `strata spec` writes (runc's default: sh in a busybox rootfs, terminal
 * true).  rootless: add a user namespace with the caller's uid/gid mapped and
 * drop the resources that need root.  Returns a new heap string owned by the
 * caller, NULL on allocation failure.
 */
char *oci_config_default_json(bool rootless);

#endif
