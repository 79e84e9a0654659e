/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloned_binary.c - re-execute the runtime from a sealed memfd copy of its
 * binary (CVE-2019-5736 class).  See cloned_binary.h.
 */
#include "cloned_binary.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
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

/*
 * How much of the binary the copy needs: the end of the last part any
 * program header describes (the loadable segments, the interpreter name,
 * notes, the program header table itself), which is all execve(2) and the
 * dynamic loader read.  The rest of the file is section headers and debug
 * information (about 80% of a -g build), which no one reads through the
 * copy, so it is not copied: the copy was the largest single cost of a
 * container start.  Returns size when the file is not a well-formed native
 * ELF executable (then the whole file is copied).
 */
static off_t image_end(int fd, off_t size)
{
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > 256 || eh.e_phoff > (uint64_t)size)
		return size;
	Elf64_Phdr ph[256];
	size_t len = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (pread(fd, ph, len, (off_t)eh.e_phoff) != (ssize_t)len)
		return size;
	uint64_t end = eh.e_phoff + len;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_offset > (uint64_t)size || ph[i].p_filesz > (uint64_t)size - ph[i].p_offset)
			return size;
		if (ph[i].p_offset + ph[i].p_filesz > end)
			end = ph[i].p_offset + ph[i].p_filesz;
	}
	return (off_t)end;
}

/* A sealed, executable memfd holding the executable image of /proc/self/exe. */
static int sealed_copy(strata_error_t *err)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return strata_error_errno(err, errno, "open `/proc/self/exe`");
	struct stat st;
	if (fstat(src, &st) < 0)
		return strata_error_errno(err, errno, "stat `/proc/self/exe`");
	off_t size = image_end(src, st.st_size);

	/* MFD_EXEC (Linux 6.3+) keeps the copy executable when
	 * vm.memfd_noexec is set; older kernels reject the flag. */
	_cleanup_close_ int mfd = memfd_create("strata", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create("strata", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return strata_error_errno(err, errno, "memfd_create");

	off_t left = size;
	while (left > 0) {
		ssize_t n = sendfile(mfd, src, NULL, (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return strata_error_errno(err, n < 0 ? errno : EIO, "copy the runtime binary into a memfd");
		left -= n;
	}
	if (size < st.st_size) {
		/* The section header table was not copied: say there is none, so
		 * the copy is a well-formed ELF file for whoever reads it. */
		Elf64_Ehdr eh;
		if (pread(mfd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return strata_error_errno(err, errno, "read the runtime's memfd copy");
		eh.e_shoff = 0;
		eh.e_shnum = 0;
		eh.e_shstrndx = SHN_UNDEF;
		if (pwrite(mfd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return strata_error_errno(err, errno, "write the runtime's memfd copy");
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
