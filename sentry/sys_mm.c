/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys_mm.c - memory system calls.  They act only on the calling task's own
 * address space: the sentry checks the arguments (ranges in user space and
 * clear of the platform stub, known flags) and then makes the host call in
 * that address space.  File-backed mappings become private anonymous memory
 * that the sentry fills from the file (MAP_SHARED writes do not reach the file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "file.h"
#include "syscall_table.h"

#define PAGE_UP(x) (((x) + 4095UL) & ~4095UL)

/* Security: a task must not unmap or remap the stub the sentry drives it with. */
static bool range_ok(uint64_t addr, uint64_t len)
{
	if (len == 0 || addr + len < addr || addr + len > PLATFORM_USER_TOP)
		return false;
	return addr + len <= PLATFORM_STUB_ADDR || addr >= PLATFORM_STUB_ADDR + PLATFORM_STUB_SIZE;
}

long sentry_sys_brk(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	uint64_t want = a[0];
	if (want < t->brk_start || want > t->brk_start + (1UL << 32))
		return (long)t->brk_cur;
	uint64_t cur_end = PAGE_UP(t->brk_cur), new_end = PAGE_UP(want);
	if (new_end > cur_end) {
		long r = task_host_syscall(k, t, SYS_mmap, cur_end, new_end - cur_end, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0);
		if (r < 0 || (uint64_t)r != cur_end)
			return (long)t->brk_cur;
	} else if (new_end < cur_end) {
		task_host_syscall(k, t, SYS_munmap, new_end, cur_end - new_end, 0, 0, 0, 0);
	}
	/* One address space per thread group. */
	for (struct task *x = k->tasks; x != NULL; x = x->next)
		if (x->tgid == t->tgid)
			x->brk_cur = want;
	return (long)want;
}

long sentry_sys_mmap(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3], off = a[5];
	int fd = (int)a[4];
	const uint64_t known = MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE | MAP_FIXED | MAP_ANONYMOUS |
			       MAP_NORESERVE | MAP_POPULATE | MAP_STACK | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN |
			       MAP_DENYWRITE | MAP_EXECUTABLE | MAP_32BIT | MAP_LOCKED | MAP_NONBLOCK;
	if (len == 0 || (flags & ~known) || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)) || (off & 4095))
		return -EINVAL;
	len = PAGE_UP(len);
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !range_ok(addr, len))
		return -EINVAL;
	if (addr != 0 && !(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !range_ok(addr, len))
		addr = 0;
	if ((flags & MAP_SHARED_VALIDATE) == MAP_SHARED_VALIDATE)
		flags = (flags & ~(uint64_t)MAP_SHARED_VALIDATE) | MAP_SHARED;
	if (flags & MAP_ANONYMOUS)
		return task_host_syscall(k, t, SYS_mmap, addr, len, prot, flags, (uint64_t)-1, 0);
	struct sfile *f = fd_get(t, fd);
	if (f == NULL || (f->flags & O_ACCMODE) == O_WRONLY)
		return f == NULL ? -EBADF : -EACCES;
	if (f->pipe != NULL || f->is_dir)
		return -ENODEV;
	uint64_t mflags = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_NORESERVE | MAP_32BIT | MAP_STACK)) |
			  MAP_PRIVATE | MAP_ANONYMOUS;
	long m = task_host_syscall(k, t, SYS_mmap, addr, len, PROT_READ | PROT_WRITE, mflags, (uint64_t)-1, 0);
	if (m < 0)
		return m;
	struct stat fst;
	if (f->hostfd >= 0 && fstat(f->hostfd, &fst) == 0 && S_ISREG(fst.st_mode)) {
		/* Copy from a read-only view of the host file, read by the kernel only
		 * (a concurrent truncate fails the copy instead of a SIGBUS here). */
		uint64_t avail = (uint64_t)fst.st_size > off ? (uint64_t)fst.st_size - off : 0;
		uint64_t n = avail < len ? avail : len;
		if (n > 0) {
			void *view = mmap(NULL, n, PROT_READ, MAP_PRIVATE, f->hostfd, (off_t)off);
			if (view != MAP_FAILED) {
				k->plat->ops->write_mem_kernel(k->plat, t->host_pid, (uint64_t)m, view, n);
				munmap(view, n);
			}
		}
		if (prot != (PROT_READ | PROT_WRITE))
			task_host_syscall(k, t, SYS_mprotect, (uint64_t)m, len, prot, 0, 0, 0);
		return m;
	}
	char *buf = malloc(65536);
	if (buf == NULL)
		return -ENOMEM;
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done > 65536 ? 65536 : len - done;
		int64_t o = (int64_t)(off + done);
		long got = f->ops->read(k, t, f, buf, n, &o);
		if (got <= 0)
			break;
		if (task_write(k, t, (uint64_t)m + done, buf, (size_t)got) < 0)
			break;
		done += (uint64_t)got;
	}
	free(buf);
	if (prot != (PROT_READ | PROT_WRITE))
		task_host_syscall(k, t, SYS_mprotect, (uint64_t)m, len, prot, 0, 0, 0);
	return m;
}

long sentry_sys_munmap(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if ((a[0] & 4095) || !range_ok(a[0], PAGE_UP(a[1])))
		return -EINVAL;
	return task_host_syscall(k, t, SYS_munmap, a[0], a[1], 0, 0, 0, 0);
}

long sentry_sys_mprotect(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if ((a[0] & 4095) || !range_ok(a[0], PAGE_UP(a[1])))
		return a[1] == 0 ? 0 : -EINVAL;
	if (a[2] & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	return task_host_syscall(k, t, SYS_mprotect, a[0], a[1], a[2], 0, 0, 0);
}

long sentry_sys_mremap(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (!range_ok(a[0], PAGE_UP(a[1]) ? PAGE_UP(a[1]) : 4096) || a[2] == 0)
		return -EINVAL;
	if ((a[3] & MREMAP_FIXED) && !range_ok(a[4], PAGE_UP(a[2])))
		return -EINVAL;
	if (a[3] & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED))
		return -EINVAL;
	return task_host_syscall(k, t, SYS_mremap, a[0], a[1], a[2], a[3], a[4], 0);
}

long sentry_sys_madvise(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (a[1] == 0)
		return 0;
	if ((a[0] & 4095) || !range_ok(a[0], PAGE_UP(a[1])))
		return -EINVAL;
	switch ((int)a[2]) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_NOHUGEPAGE:
	case MADV_HUGEPAGE:
	case MADV_DONTDUMP:
		return task_host_syscall(k, t, SYS_madvise, a[0], a[1], a[2], 0, 0, 0);
	default:
		return -EINVAL;
	}
}
