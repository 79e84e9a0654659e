/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run_one.c - a one-command /init for VMM tests and measurements: it runs a
 * command of a 9p-shared rootfs and reports its exit status.  It is not the
 * guest agent (kvm-shim/guest/agent/, the container setup and the protocol
 * of kvm-shim/agent_protocol.h); it is the smallest /init that measures
 * boot-to-exit of e.g. /bin/true and checks exit codes through the VMM.
 *
 * Boot contract with the VMM:
 *   - the bundle's rootfs is a virtio-9p share with mount tag "rootfs";
 *   - the command is init's argv: everything after " -- " on the kernel
 *     command line (Linux passes it to init);
 *   - the command's stdout and stderr go to /dev/hvc0 (virtio-console), or
 *     /dev/console when there is none;
 *   - it reports "strata-run-one: exit <status>" (0-255, 128+signal as a
 *     shell does) on the console (UART, the strata log) and on hvc0, syncs and
 *     reboots; with `reboot=t` the guest triple-faults and the VM stops.
 * Setup: devtmpfs on /dev, the share on /rootfs, proc on /rootfs/proc when
 * that directory exists, chroot into it.  Errors are reported as
 * "strata-run-one: error: ..." and exit status 127.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* One line to the console (fd 1) and, when there is one, to hvc0. */
static void report(int out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int out, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	if (n > 0) {
		(void)!write(1, buf, (size_t)n);
		if (out > 1)
			(void)!write(out, buf, (size_t)n);
	}
}

static void power_off(void)
{
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	mkdir("/dev", 0755);
	mkdir("/rootfs", 0755);
	(void)mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	int out = open("/dev/hvc0", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (out < 0)
		out = 1;
	if (argc < 2) {
		report(out, "strata-run-one: error: no command (give it after \" -- \" on the kernel command line)\n");
		report(out, "strata-run-one: exit %d\n", 127);
		power_off();
	}
	if (mount("rootfs", "/rootfs", "9p", 0, "trans=virtio,version=9p2000.L,msize=262144") < 0) {
		report(out, "strata-run-one: error: mount the rootfs share: %s\n", strerror(errno));
		report(out, "strata-run-one: exit %d\n", 127);
		power_off();
	}
	struct stat st;
	if (stat("/rootfs/proc", &st) == 0 && S_ISDIR(st.st_mode))
		(void)mount("proc", "/rootfs/proc", "proc", 0, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (chroot("/rootfs") < 0 || chdir("/") < 0)
			_exit(127);
		if (out > 1) {
			dup2(out, 1);
			dup2(out, 2);
		}
		execv(argv[1], &argv[1]);
		report(1, "strata-run-one: error: exec `%s`: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int status = 0, code = 127;
	if (pid > 0) {
		/* PID 1 reaps everything; the command's status is the one we report. */
		for (;;) {
			pid_t r = wait(&status);
			if (r == pid) {
				code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
				break;
			}
			if (r < 0 && errno != EINTR)
				break;
		}
	}
	report(out, "strata-run-one: exit %d\n", code);
	power_off();
	return 0;
}
