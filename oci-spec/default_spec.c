/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * default_spec.c - the config.json `strata spec` writes.
 *
 * The content follows `runc spec` (and `runc spec --rootless`) field for
 * field, with ociVersion 1.3.0, hostname "strata" and a cgroup namespace:
 * sh with a terminal in the bundle's rootfs/, the three default
 * capabilities, NOFILE 1024, the usual pseudo-filesystem mounts, and the
 * masked/read-only /proc and /sys paths.
 *
 * Rootless (runc's rules): no network namespace (an unprivileged user cannot
 * configure one), a new user namespace mapping the caller's euid/egid to 0,
 * /sys bind-mounted from the host instead of a fresh sysfs (mounting sysfs
 * needs a network namespace owned by the user namespace), no uid=/gid= mount
 * options (the ids may not be mapped), and no cgroup resources (the caller
 * may not own a cgroup).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "json.h"

struct default_mount {
	const char *destination, *type, *source;
	const char *options[8]; /* NULL-terminated */
};

static const struct default_mount default_mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
	{ "/dev/pts",
	  "devpts",
	  "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
	{ "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
	{ "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
};

static const struct default_mount rootless_sys = {
	"/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL }
};

static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

static const char *const masked_paths[] = {
	"/proc/acpi",	    "/proc/asound",	 "/proc/kcore",	 "/proc/keys",	 "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
	NULL,
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const char *const default_namespaces[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };

static void gen_list(struct json_gen *g, const char *const *v)
{
	json_gen_array_open(g);
	for (size_t i = 0; v[i] != NULL; i++)
		json_gen_string(g, v[i]);
	json_gen_array_close(g);
}

static void gen_process(struct json_gen *g)
{
	json_gen_key(g, "process");
	json_gen_object_open(g);
	json_gen_key(g, "terminal");
	json_gen_bool(g, true);
	json_gen_key(g, "user");
	json_gen_object_open(g);
	json_gen_key(g, "uid");
	json_gen_uint(g, 0);
	json_gen_key(g, "gid");
	json_gen_uint(g, 0);
	json_gen_object_close(g);
	json_gen_key(g, "args");
	gen_list(g, (const char *const[]){ "sh", NULL });
	json_gen_key(g, "env");
	gen_list(g, (const char *const[]){ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					   "TERM=xterm", NULL });
	json_gen_key(g, "cwd");
	json_gen_string(g, "/");
	json_gen_key(g, "capabilities");
	json_gen_object_open(g);
	const char *const sets[] = { "bounding", "effective", "permitted" };
	for (size_t i = 0; i < 3; i++) {
		json_gen_key(g, sets[i]);
		gen_list(g, default_caps);
	}
	json_gen_object_close(g);
	json_gen_key(g, "rlimits");
	json_gen_array_open(g);
	json_gen_object_open(g);
	json_gen_key(g, "type");
	json_gen_string(g, "RLIMIT_NOFILE");
	json_gen_key(g, "hard");
	json_gen_uint(g, 1024);
	json_gen_key(g, "soft");
	json_gen_uint(g, 1024);
	json_gen_object_close(g);
	json_gen_array_close(g);
	json_gen_key(g, "noNewPrivileges");
	json_gen_bool(g, true);
	json_gen_object_close(g);
}

static void gen_mount(struct json_gen *g, const struct default_mount *m, bool rootless)
{
	json_gen_object_open(g);
	json_gen_key(g, "destination");
	json_gen_string(g, m->destination);
	json_gen_key(g, "type");
	json_gen_string(g, m->type);
	json_gen_key(g, "source");
	json_gen_string(g, m->source);
	if (m->options[0] != NULL) {
		json_gen_key(g, "options");
		json_gen_array_open(g);
		for (size_t i = 0; m->options[i] != NULL; i++) {
			if (rootless && (strncmp(m->options[i], "uid=", 4) == 0 || strncmp(m->options[i], "gid=", 4) == 0))
				continue;
			json_gen_string(g, m->options[i]);
		}
		json_gen_array_close(g);
	}
	json_gen_object_close(g);
}

static void gen_id_mapping(struct json_gen *g, const char *key, unsigned id)
{
	json_gen_key(g, key);
	json_gen_array_open(g);
	json_gen_object_open(g);
	json_gen_key(g, "containerID");
	json_gen_uint(g, 0);
	json_gen_key(g, "hostID");
	json_gen_uint(g, id);
	json_gen_key(g, "size");
	json_gen_uint(g, 1);
	json_gen_object_close(g);
	json_gen_array_close(g);
}

static void gen_linux(struct json_gen *g, bool rootless)
{
	json_gen_key(g, "linux");
	json_gen_object_open(g);
	if (rootless) {
		gen_id_mapping(g, "uidMappings", (unsigned)geteuid());
		gen_id_mapping(g, "gidMappings", (unsigned)getegid());
	} else {
		json_gen_key(g, "resources");
		json_gen_object_open(g);
		json_gen_key(g, "devices");
		json_gen_array_open(g);
		json_gen_object_open(g);
		json_gen_key(g, "allow");
		json_gen_bool(g, false);
		json_gen_key(g, "access");
		json_gen_string(g, "rwm");
		json_gen_object_close(g);
		json_gen_array_close(g);
		json_gen_object_close(g);
	}
	json_gen_key(g, "namespaces");
	json_gen_array_open(g);
	for (size_t i = 0; default_namespaces[i] != NULL; i++) {
		if (rootless && strcmp(default_namespaces[i], "network") == 0)
			continue;
		json_gen_object_open(g);
		json_gen_key(g, "type");
		json_gen_string(g, default_namespaces[i]);
		json_gen_object_close(g);
	}
	if (rootless) {
		json_gen_object_open(g);
		json_gen_key(g, "type");
		json_gen_string(g, "user");
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
	json_gen_key(g, "maskedPaths");
	gen_list(g, masked_paths);
	json_gen_key(g, "readonlyPaths");
	gen_list(g, readonly_paths);
	json_gen_object_close(g);
}

char *oci_config_default_json(bool rootless)
{
	struct json_gen *g = json_gen_new(true);
	if (g == NULL)
		return NULL;
	json_gen_object_open(g);
	json_gen_key(g, "ociVersion");
	json_gen_string(g, OCI_SPEC_VERSION);
	gen_process(g);
	json_gen_key(g, "root");
	json_gen_object_open(g);
	json_gen_key(g, "path");
	json_gen_string(g, "rootfs");
	json_gen_key(g, "readonly");
	json_gen_bool(g, true);
	json_gen_object_close(g);
	json_gen_key(g, "hostname");
	json_gen_string(g, "strata");
	json_gen_key(g, "mounts");
	json_gen_array_open(g);
	for (size_t i = 0; i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
		const struct default_mount *m = &default_mounts[i];
		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		gen_mount(g, m, rootless);
	}
	json_gen_array_close(g);
	gen_linux(g, rootless);
	json_gen_object_close(g);
	char *out = json_gen_finish(g, NULL);
	json_gen_free(g);
	return out;
}
