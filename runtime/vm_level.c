/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_level.c - the vm isolation level's operations (isolation.h): `create`
 * forks the VMM process (vm_host.h), which becomes state.pid, puts it in the
 * container's cgroup, and returns once the guest agent has created the
 * container; `start` is the native start gate on ROOT/ID/exec.fifo, which
 * the VMM waits at (native.h).  Hooks: the guest gets the config without
 * the host's hooks (vm_guest_config.h); prestart and createRuntime run here
 * on the host once the guest has created the container, poststart and
 * poststop in lifecycle.c as at every level.  Source: design.md §5, issue 8.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "container_json.h"
#include "isolation.h"
#include "native/hooks.h"
#include "vm_guest_config.h"
#include "vm_host.h"

/* prestart (deprecated) then createRuntime, on the host in strata's own
 * namespaces, once the guest has created the container: for the vm level the
 * runtime environment is the VMM and its guest (config.md#createruntime-hooks).
 * The state they read has status "creating" and the VMM's pid. */
static int run_create_hooks(struct container *c, const struct oci_config *config, pid_t pid, strata_error_t *err)
{
	const struct oci_hooks *h = config->hooks;
	if (h == NULL || (h->prestart_len == 0 && h->create_runtime_len == 0))
		return 0;
	_cleanup_free_ char *state = container_hook_state_json(&c->state, "creating", pid);
	if (state == NULL)
		return strata_error_errno(err, ENOMEM, "state for hooks");
	if (hooks_run(h->prestart, h->prestart_len, "prestart", state, err) < 0 ||
	    hooks_run(h->create_runtime, h->create_runtime_len, "createRuntime", state, err) < 0)
		return -1;
	return 0;
}

static int vm_level_create(struct container *c, const struct oci_config *config, const struct native_create_opts *o,
			   strata_error_t *err)
{
	if (config->process != NULL && config->process->terminal)
		return strata_error_set(err, ENOTSUP, "the vm isolation level does not support process.terminal yet");
	_cleanup_free_ char *saved = NULL, *text = NULL;
	size_t saved_len = 0, len = 0;
	/* The bind mounts shared through the staging directory (vm_shares.h);
	 * freed at every return below, after the VMM was forked with a copy. */
	__attribute__((cleanup(vm_shares_plan_free))) struct vm_shares_plan binds = { 0 };
	/* The config as saved at create (lifecycle_create copied it), without
	 * the hooks the host runs (vm_guest_config.h) and with the bind sources
	 * the guest reaches through the staging share. */
	if (read_file_at(c->dir_fd, "config.json", &saved, &saved_len, err) < 0 ||
	    vm_shares_plan(config, c->state.bundle, &binds, err) < 0 ||
	    (text = vm_guest_config_rewrite(saved, saved_len, binds.guest, binds.len, &len, err)) == NULL)
		return -1;
	if (config->hooks != NULL && config->hooks->create_container_len > 0)
		log_warning("vm level: the createContainer hooks are not run (their host binaries are not "
			    "reachable from the guest's container namespaces)");
	if (mkfifoat(c->dir_fd, NATIVE_EXEC_FIFO, 0622) < 0)
		return strata_error_errno(err, errno, "mkfifo `%s/%s`", c->dir, NATIVE_EXEC_FIFO);
	if (vm_shares_prepare(&binds, c->dir, err) < 0) {
		unlinkat(c->dir_fd, NATIVE_EXEC_FIFO, 0);
		return -1;
	}
	int go[2] = { -1, -1 }, st[2] = { -1, -1 };
	pid_t pid = -1;
	bool cgroup_made = false;
	const char *cgpath = config->linux_ != NULL ? config->linux_->cgroups_path : NULL;
	if (cgroup_manager_new(c->state.id, cgpath, o->systemd_cgroup, &c->cgroup, err) < 0)
		goto fail;
	/* The VMM opens /dev/kvm from inside the container's cgroup; the
	 * container's own processes are in the guest and never see the host's
	 * device cgroup, so this rule widens nothing for them. */
	struct stat kst;
	if (stat("/dev/kvm", &kst) == 0 && S_ISCHR(kst.st_mode)) {
		struct oci_device kvm = { .type = (char *)"c", .path = (char *)"/dev/kvm",
					  .major = major(kst.st_rdev), .minor = minor(kst.st_rdev) };
		if (cgroup_manager_allow_devices(c->cgroup, &kvm, 1, err) < 0)
			goto fail;
	}
	/* The host cgroup holds the VMM, whose memory is the guest's RAM: the
	 * container's memory limit applies inside the guest, the host's is
	 * that RAM plus the VMM's own (vm_host_cgroup_memory). */
	const struct oci_resources *res = config->linux_ != NULL ? config->linux_->resources : NULL;
	struct oci_resources host_res;
	struct oci_memory host_mem;
	if (res != NULL && res->memory != NULL) {
		host_res = *res;
		vm_host_cgroup_memory(config, res->memory, &host_mem);
		host_res.memory = &host_mem;
		res = &host_res;
	}
	if (cgroup_create(c->cgroup, res, err) < 0)
		goto fail;
	cgroup_made = true;
	c->state.cgroup = cgroup_manager_serialize(c->cgroup);
	c->state.systemd_cgroup = o->systemd_cgroup;
	if (c->state.cgroup == NULL) {
		strata_error_errno(err, ENOMEM, "cgroup state");
		goto fail;
	}
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		strata_error_errno(err, errno, "pipe");
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		strata_error_errno(err, errno, "fork the VMM");
		goto fail;
	}
	if (pid == 0) {
		close(go[1]);
		close(st[0]);
		/* The VMM lives as long as the container: holding the container's
		 * lock would block every later command (state, kill, start, delete). */
		if (c->lock_fd >= 0)
			close(c->lock_fd);
		struct vm_host_args a = { config, text, len, c->state.rootfs, c->dir_fd, go[0], st[1], &binds };
		_exit(vm_host_main(&a));
	}
	close(go[0]);
	go[0] = -1;
	close(st[1]);
	st[1] = -1;
	/* The VMM (and so the guest's memory) is accounted to the container's cgroup before it boots. */
	if (cgroup_enter(c->cgroup, pid, err) < 0)
		goto fail;
	if (write(go[1], "g", 1) != 1) {
		strata_error_errno(err, errno, "release the VMM");
		goto fail;
	}
	char buf[2048];
	size_t n = 0;
	for (;;) {
		ssize_t r = read(st[0], buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == sizeof(buf) - 1)
			break;
	}
	buf[n] = '\0';
	if (strcmp(buf, "OK") != 0) {
		strata_error_set(err, EIO, "vm: %s", n > 0 ? buf : "the VMM exited during create");
		goto fail;
	}
	c->state.pid = pid;
	c->state.pid_start_time = proc_start_time(pid);
	if (c->state.pid_start_time == 0) {
		strata_error_set(err, ESRCH, "vm: the VMM exited during create");
		goto fail;
	}
	/* A failing prestart/createRuntime hook fails `create` (the VMM is killed below). */
	if (run_create_hooks(c, config, pid, err) < 0)
		goto fail;
	close(go[1]);
	close(st[0]);
	return 0;
fail:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (st[i] >= 0)
			close(st[i]);
	}
	if (cgroup_made) {
		_cleanup_error_ strata_error_t cerr = NULL;
		if (cgroup_destroy(c->cgroup, &cerr) < 0)
			log_warning("rollback: %s", cerr->msg);
	}
	if (c->cgroup != NULL) {
		cgroup_manager_free(c->cgroup);
		c->cgroup = NULL;
	}
	free(c->state.cgroup);
	c->state.cgroup = NULL;
	unlinkat(c->dir_fd, NATIVE_EXEC_FIFO, 0);
	if (binds.staging != NULL)
		unlinkat(c->dir_fd, VM_SHARES_STAGING, AT_REMOVEDIR);
	return -1;
}

static const struct isolation_ops vm_ops = { "vm", vm_level_create, native_start };

const struct isolation_ops *isolation_vm_ops(void)
{
	return &vm_ops;
}
