/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tiny_init.c - a minimal static /init for VMM boot tests (not the agent).
 *
 * Prints "strata-tiny-init: reached /init" on the console (the 8250 UART),
 * then exercises the VMM's devices:
 *   - writes "hello over virtio-console" to /dev/hvc0 (virtio-console),
 *   - mounts the 9p share with tag "share" at /mnt, writes
 *     /mnt/from-guest.txt and prints /mnt/from-host.txt,
 * prints the uptime at that point and reboots; with `reboot=t` on the
 * command line the kernel triple-faults, which stops the VM.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

static void say(const char *s)
{
	(void)!write(1, s, strlen(s));
}

int main(void)
{
	say("strata-tiny-init: reached /init\n");
	mkdir("/dev", 0755);
	mkdir("/proc", 0755);
	mkdir("/mnt", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0)
		say("strata-tiny-init: mount devtmpfs failed\n");
	(void)mount("proc", "/proc", "proc", 0, NULL);
	int fd = open("/dev/hvc0", O_WRONLY | O_NOCTTY);
	if (fd >= 0) {
		(void)!write(fd, "hello over virtio-console\n", 26);
		close(fd);
		say("strata-tiny-init: wrote hvc0\n");
	}
	if (mount("share", "/mnt", "9p", 0, "trans=virtio,version=9p2000.L") == 0) {
		fd = open("/mnt/from-guest.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			(void)!write(fd, "written by the guest\n", 21);
			close(fd);
		}
		char buf[128] = { 0 };
		fd = open("/mnt/from-host.txt", O_RDONLY);
		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				say("strata-tiny-init: 9p read: ");
				say(buf);
			}
		}
		say("strata-tiny-init: 9p ok\n");
	} else {
		say("strata-tiny-init: no 9p share\n");
	}
	char up[64] = { 0 };
	fd = open("/proc/uptime", O_RDONLY);
	if (fd >= 0) {
		(void)!read(fd, up, sizeof(up) - 1);
		close(fd);
		say("strata-tiny-init: uptime ");
		say(up);
	}
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}
