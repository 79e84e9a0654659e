/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent_boot.c - the agent's PID 1 duties: mounts, root switch, console
 * logging, power off (see agent.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "../../../common/cleanup.h"
#include "../../../common/util.h"
#include "agent.h"

void agent_log(const char *fmt, ...)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "strata-agent: ");
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + ((size_t)m < sizeof(buf) - (size_t)n - 1 ? (size_t)m : sizeof(buf) - (size_t)n - 2);
	buf[len++] = '\n';
	(void)write_all(2, buf, len);
}

static int mount_one(const char *src, const char *dst, const char *type, unsigned long flags, const char *data,
		     strata_error_t *err)
{
	if (mkdir_p(dst, 0755, err) < 0)
		return -1;
	if (mount(src, dst, type, flags, data) < 0)
		return strata_error_errno(err, errno, "mount %s on `%s`", type, dst);
	return 0;
}

/* fds 0-2 on /dev/console: the kernel opens it only when the initramfs has
 * the node, and every later open() must not land on fd 0-2 by accident. */
static void stdio_on_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++) {
		if (fcntl(i, F_GETFD) < 0)
			(void)dup2(fd, i);
	}
	if (fd > 2)
		close(fd);
}

int agent_boot(strata_error_t *err)
{
	if (mount_one("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", err) < 0 && (*err)->code != EBUSY)
		return -1;
	strata_error_free(err);
	stdio_on_console();

	/* pivot_root(2) fails with EINVAL while the root is the initramfs
	 * ("rootfs" has no parent mount), and the native runtime pivots into
	 * the container's root: move a tmpfs over / first (switch_root). */
	if (mount_one("tmpfs", "/newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", err) < 0)
		return -1;
	if (mount_one("/dev", "/newroot/dev", NULL, MS_MOVE, NULL, err) < 0)
		return -1;
	if (chdir("/newroot") < 0)
		return strata_error_errno(err, errno, "chdir `/newroot`");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return strata_error_errno(err, errno, "move the new root over `/`");
	if (chroot(".") < 0 || chdir("/") < 0)
		return strata_error_errno(err, errno, "chroot into the new root");

	if (mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0 ||
	    mount_one("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0 ||
	    mount_one("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0 ||
	    mount_one("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err) < 0 ||
	    mount_one("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", err) < 0 ||
	    mount_one("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666", err) < 0)
		return -1;
	/* The agent's own directories (its bundle and the runtime's state root). */
	if (mkdir_p("/etc", 0755, err) < 0 || mkdir_p(AGENT_BUNDLE_DIR, 0700, err) < 0 ||
	    mkdir_p(AGENT_STATE_ROOT, 0700, err) < 0)
		return -1;
	return 0;
}

char *agent_port_path(void)
{
	_cleanup_free_ char *cmdline = NULL;
	_cleanup_error_ strata_error_t err = NULL;
	if (read_file_at(AT_FDCWD, "/proc/cmdline", &cmdline, NULL, &err) == 0) {
		for (char *tok = strtok(cmdline, " \n"); tok != NULL; tok = strtok(NULL, " \n")) {
			if (strncmp(tok, "strata.agent_port=", 18) == 0 && tok[18] == '/')
				return strdup(tok + 18);
		}
	}
	return strdup(AGENT_DEFAULT_PORT);
}

void agent_power_off(int port_fd)
{
	if (port_fd >= 0)
		(void)tcdrain(port_fd); /* the last frames reach the host before the reset */
	/* PID 1 is not hit by kill(-1): every other process goes. */
	(void)kill(-1, SIGKILL);
	sync();
	(void)reboot(RB_AUTOBOOT);
	(void)reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
