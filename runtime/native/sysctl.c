/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysctl.c - linux.sysctl: validate each key, write it under /proc/sys.
 * See sysctl.h and rootfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "rootfs.h"
#include "safe_path.h"
#include "sysctl.h"

static bool has_namespace(const struct oci_config *c, enum oci_namespace_type t)
{
	if (c->linux_ == NULL)
		return false;
	for (size_t i = 0; i < c->linux_->namespaces_len; i++)
		if (c->linux_->namespaces[i].type == t)
			return true;
	return false;
}

static bool well_formed(const char *key)
{
	if (*key == '\0' || strchr(key, '/') != NULL)
		return false;
	const char *p = key;
	for (;;) {
		size_t l = strcspn(p, ".");
		if (l == 0)
			return false; /* empty component: "a..b", ".a", "a." */
		if (p[l] == '\0')
			return true;
		p += l + 1;
	}
}

int sysctl_check_key(const struct oci_config *c, const char *key, strata_error_t *err)
{
	static const char *const ipc_keys[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};
	if (key == NULL || !well_formed(key))
		return strata_error_set(err, EINVAL, "sysctl `%s`: invalid key", key ? key : "");

	bool ipc = strncmp(key, "fs.mqueue.", 10) == 0;
	for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(ipc_keys[0]); i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			ipc = true;
	if (ipc) {
		if (!has_namespace(c, OCI_NS_IPC))
			return strata_error_set(err, EINVAL, "sysctl `%s` is not allowed in the host's ipc namespace",
						key);
		return 0;
	}
	if (strncmp(key, "net.", 4) == 0) {
		if (!has_namespace(c, OCI_NS_NETWORK))
			return strata_error_set(err, EINVAL,
						"sysctl `%s` is not allowed in the host's network namespace", key);
		return 0;
	}
	bool host = strcmp(key, "kernel.hostname") == 0, domain = strcmp(key, "kernel.domainname") == 0;
	if (host || domain) {
		if (!has_namespace(c, OCI_NS_UTS))
			return strata_error_set(err, EINVAL, "sysctl `%s` is not allowed in the host's uts namespace",
						key);
		if ((host && c->hostname && *c->hostname) || (domain && c->domainname && *c->domainname))
			return strata_error_set(err, EINVAL,
						"sysctl `%s` is not allowed as it conflicts with the OCI `%s` field", key,
						host ? "hostname" : "domainname");
		return 0;
	}
	return strata_error_set(err, EINVAL, "sysctl `%s` is not in a separate kernel namespace: not allowed", key);
}

/* Compare two sysctl values, treating runs of whitespace as one separator. */
static bool same_value(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t' || *a == '\n')
			a++;
		while (*b == ' ' || *b == '\t' || *b == '\n')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		size_t la = strcspn(a, " \t\n"), lb = strcspn(b, " \t\n");
		if (la != lb || strncmp(a, b, la) != 0)
			return false;
		a += la;
		b += lb;
	}
}

int sysctl_write_at(const struct oci_config *c, int procsys, strata_error_t *err)
{
	const struct oci_string_map *m = c->linux_ ? &c->linux_->sysctl : NULL;
	if (m == NULL || m->len == 0)
		return 0;
	for (size_t i = 0; i < m->len; i++)
		if (sysctl_check_key(c, m->keys[i], err) < 0)
			return -1;
	/* Security: write only into a real procfs, not a directory of the image. */
	struct statfs sfs;
	if (fstatfs(procsys, &sfs) < 0)
		return strata_error_errno(err, errno, "statfs /proc/sys");
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return strata_error_set(err, EINVAL, "/proc/sys is not procfs");

	/* Security: stay below /proc/sys, no symlinks, no mount crossing. */
	const uint64_t resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
	for (size_t i = 0; i < m->len; i++) {
		_cleanup_free_ char *path = strdup(m->keys[i]);
		if (path == NULL)
			return strata_error_errno(err, ENOMEM, "sysctl");
		for (char *p = path; *p; p++)
			if (*p == '.')
				*p = '/';
		const char *v = m->values[i] ? m->values[i] : "";
		_cleanup_close_ int rfd = safe_openat2(procsys, path, O_RDONLY, resolve);
		if (rfd < 0)
			return strata_error_errno(err, errno, "sysctl `%s`: open /proc/sys/%s", m->keys[i], path);
		char cur[4096];
		ssize_t n = read_all(rfd, cur, sizeof(cur) - 1);
		if (n >= 0) {
			cur[n] = '\0';
			if (same_value(cur, v))
				continue;
		}
		_cleanup_close_ int fd = safe_openat2(procsys, path, O_WRONLY | O_TRUNC, resolve);
		if (fd < 0)
			return strata_error_errno(err, errno, "sysctl `%s`: open /proc/sys/%s", m->keys[i], path);
		if (write_all(fd, v, strlen(v)) < 0)
			return strata_error_errno(err, errno, "sysctl `%s`: write `%s`", m->keys[i], v);
	}
	return 0;
}

int sysctl_apply(const struct oci_config *c, strata_error_t *err)
{
	const struct oci_string_map *m = c->linux_ ? &c->linux_->sysctl : NULL;
	if (m == NULL || m->len == 0)
		return 0;
	_cleanup_close_ int procsys = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procsys < 0)
		return strata_error_errno(err, errno, "open /proc/sys");
	return sysctl_write_at(c, procsys, err);
}
