/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloned_binary.c - re-execute the runtime from a sealed memfd copy of its
 * binary (CVE-2019-5736 class).  See cloned_binary.h.
 */
#include "cloned_binary.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

bool cloned_binary_is_sealed(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

/* A sealed, executable memfd holding a copy of /proc/self/exe. */
static int sealed_copy(strata_error_t *err)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return strata_error_errno(err, errno, "open `/proc/self/exe`");
	struct stat st;
	if (fstat(src, &st) < 0)
		return strata_error_errno(err, errno, "stat `/proc/self/exe`");

	/* MFD_EXEC (Linux 6.3+) keeps the copy executable when
	 * vm.memfd_noexec is set; older kernels reject the flag. */
	_cleanup_close_ int mfd = memfd_create("strata", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create("strata", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return strata_error_errno(err, errno, "memfd_create");

	off_t left = st.st_size;
	while (left > 0) {
		ssize_t n = sendfile(mfd, src, NULL, (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return strata_error_errno(err, n < 0 ? errno : EIO, "copy the runtime binary into a memfd");
		left -= n;
	}
	if (fcntl(mfd, F_ADD_SEALS, REQUIRED_SEALS) < 0)
		return strata_error_errno(err, errno, "seal the runtime's memfd copy");
	return steal_fd(&mfd);
}

int cloned_binary_ensure(char **argv, strata_error_t *err)
{
	if (cloned_binary_is_sealed())
		return 0;
	_cleanup_close_ int mfd = sealed_copy(err);
	if (mfd < 0)
		return -1;
	/* Security: from here on /proc/PID/exe of every runtime process that
	 * enters the container is this sealed copy, never the host's binary. */
	fexecve(mfd, argv, environ);
	return strata_error_errno(err, errno, "fexecve the runtime's sealed copy");
}
