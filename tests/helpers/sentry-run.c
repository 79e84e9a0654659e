/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sentry-run.c - development driver for the sentry (not part of the CLI).
 *
 *   sentry-run [--debug] ROOTFS CMD [ARG...]
 *
 * chroots into ROOTFS (run it inside `unshare -m` or a throwaway copy) and
 * runs CMD under sentry_run_container() with a minimal config: /proc (sentry
 * procfs), /dev (sentry devfs), the default PATH.  Exits with the container's
 * status.  Build: cc -I. tests/helpers/sentry-run.c build/libstrata.a $(libs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "sentry/sentry.h"

int main(int argc, char **argv)
{
	int i = 1;
	bool debug = false;
	if (i < argc && strcmp(argv[i], "--debug") == 0) {
		debug = true;
		i++;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: sentry-run [--debug] ROOTFS CMD [ARG...]\n");
		return 2;
	}
	log_init(NULL, LOG_FORMAT_TEXT, debug);
	if (chroot(argv[i]) < 0 || chdir("/") < 0) {
		perror("chroot");
		return 1;
	}
	static char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
			       "HOME=/root", NULL };
	struct oci_process proc = { 0 };
	proc.args = &argv[i + 1];
	proc.args_len = (size_t)(argc - i - 1);
	proc.env = env;
	proc.env_len = 3;
	proc.cwd = "/";
	struct oci_mount mounts[2] = { { 0 }, { 0 } };
	mounts[0].destination = "/proc";
	mounts[0].type = "proc";
	mounts[0].source = "proc";
	mounts[1].destination = "/dev";
	mounts[1].type = "tmpfs";
	mounts[1].source = "tmpfs";
	struct oci_config cfg = { 0 };
	cfg.process = &proc;
	cfg.mounts = mounts;
	cfg.mounts_len = 2;
	strata_error_t err = NULL;
	sentry_run_container(&cfg, &err);
	fprintf(stderr, "sentry-run: %s\n", err != NULL ? err->msg : "returned");
	return 127;
}
