/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loader.c - execve for the sentry: static and static-pie ELF (plus a
 * PT_INTERP interpreter when present) and `#!` scripts.
 *
 * The sentry reads the file itself through its VFS, empties the task's
 * address space (all but the platform stub), maps each PT_LOAD range with
 * injected anonymous mmaps, copies the file bytes in, applies the segment
 * protections, and builds the initial stack (argc, argv, envp, auxv) as the
 * System V x86-64 ABI §3.4.1 and binfmt_elf describe.  No vDSO is given
 * (no AT_SYSINFO_EHDR), so every clock call is a real, trapped system call.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "../common/log.h"
#include "file.h"
#include "vfs.h"

#define PIE_BASE 0x555555554000UL
#define INTERP_BASE 0x7f0000000000UL
#define STACK_TOP 0x7ffffffde000UL
#define STACK_SIZE (8UL << 20)
#define ARG_MAX_BYTES (1UL << 20)
#define PAGE_DOWN(x) ((x) & ~4095UL)
#define PAGE_UP(x) (((x) + 4095UL) & ~4095UL)

struct elf_image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[64];
	struct sfile *file;
};

struct loaded {
	uint64_t entry, phdr, base, end;
};

static long read_at(struct sentry_kernel *k, struct task *t, struct sfile *f, void *buf, size_t len, int64_t off)
{
	size_t got = 0;
	while (got < len) {
		int64_t o = off + (int64_t)got;
		long n = f->ops->read(k, t, f, (char *)buf + got, len - got, &o);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

/* Open the executable at path; *out gets the file (its path is the canonical
 * container path, symlinks resolved, as /proc/PID/exe shows it). */
static long open_exec(struct sentry_kernel *k, struct task *t, const char *path, struct sfile **out)
{
	struct vloc loc;
	long rc = vfs_resolve(k, t, AT_FDCWD, path, VFS_FOLLOW, &loc);
	if (rc < 0)
		return rc;
	if (!loc.exists) {
		vloc_release(&loc);
		return -ENOENT;
	}
	if (S_ISDIR(loc.st.st_mode) || !S_ISREG(loc.st.st_mode)) {
		vloc_release(&loc);
		return -EACCES;
	}
	if ((loc.st.st_mode & 0111) == 0) {
		vloc_release(&loc);
		return -EACCES;
	}
	int err = 0;
	struct sfile *f = vfs_open(k, t, &loc, O_RDONLY, 0, &err);
	vloc_release(&loc);
	if (f == NULL)
		return err;
	*out = f;
	return 0;
}

static long read_elf(struct sentry_kernel *k, struct task *t, struct elf_image *img)
{
	long n = read_at(k, t, img->file, &img->eh, sizeof(img->eh), 0);
	if (n < 0)
		return n;
	if (n != sizeof(img->eh) || memcmp(img->eh.e_ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (img->eh.e_ident[EI_CLASS] != ELFCLASS64 || img->eh.e_machine != EM_X86_64 ||
	    (img->eh.e_type != ET_EXEC && img->eh.e_type != ET_DYN) || img->eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    img->eh.e_phnum == 0 || img->eh.e_phnum > 64)
		return -ENOEXEC;
	n = read_at(k, t, img->file, img->ph, img->eh.e_phnum * sizeof(Elf64_Phdr), (int64_t)img->eh.e_phoff);
	if (n != (long)(img->eh.e_phnum * sizeof(Elf64_Phdr)))
		return n < 0 ? n : -ENOEXEC;
	return 0;
}

static int prot_of(uint32_t pf)
{
	return ((pf & PF_R) ? PROT_READ : 0) | ((pf & PF_W) ? PROT_WRITE : 0) | ((pf & PF_X) ? PROT_EXEC : 0);
}

/* Map and fill every PT_LOAD of img at base (0 for ET_EXEC). */
static long load_image(struct sentry_kernel *k, struct task *t, struct elf_image *img, uint64_t base, struct loaded *out)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz > p->p_memsz || p->p_vaddr + p->p_memsz < p->p_vaddr)
			return -ENOEXEC;
		if (PAGE_DOWN(p->p_vaddr) < lo)
			lo = PAGE_DOWN(p->p_vaddr);
		if (PAGE_UP(p->p_vaddr + p->p_memsz) > hi)
			hi = PAGE_UP(p->p_vaddr + p->p_memsz);
	}
	if (hi <= lo)
		return -ENOEXEC;
	if (img->eh.e_type == ET_EXEC)
		base = 0;
	else
		base -= lo;
	uint64_t start = base + lo, len = hi - lo;
	/* Security: the image must stay clear of the stub and inside user space. */
	if (start < PLATFORM_STUB_ADDR + PLATFORM_STUB_SIZE || start + len > STACK_TOP - STACK_SIZE)
		return -ENOEXEC;
	long r = task_host_syscall(k, t, SYS_mmap, start, len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (uint64_t)-1, 0);
	if (r < 0)
		return r;
	char *buf = malloc(65536);
	if (buf == NULL)
		return -ENOMEM;
	out->phdr = 0;
	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];
		if (p->p_type == PT_PHDR)
			out->phdr = base + p->p_vaddr;
		if (p->p_type != PT_LOAD)
			continue;
		if (out->phdr == 0 && img->eh.e_phoff >= p->p_offset && img->eh.e_phoff < p->p_offset + p->p_filesz)
			out->phdr = base + p->p_vaddr + (img->eh.e_phoff - p->p_offset);
		if (p->p_filesz == 0)
			continue;
		/* Host-backed files: copy straight from a read-only view of the file in
		 * the sentry (one copy instead of two). */
		struct stat fst;
		if (img->file->hostfd >= 0 && fstat(img->file->hostfd, &fst) == 0 &&
		    p->p_offset + p->p_filesz <= (uint64_t)fst.st_size) {
			uint64_t moff = PAGE_DOWN(p->p_offset), skip = p->p_offset - moff;
			void *view = mmap(NULL, p->p_filesz + skip, PROT_READ, MAP_PRIVATE, img->file->hostfd, (off_t)moff);
			if (view != MAP_FAILED) {
				/* Security: only the kernel reads the view, so a file truncated
				 * meanwhile fails the copy instead of raising SIGBUS here. */
				int wr = k->plat->ops->write_mem_kernel(k->plat, t->host_pid, base + p->p_vaddr,
									  (char *)view + skip, p->p_filesz);
				munmap(view, p->p_filesz + skip);
				if (wr < 0) {
					free(buf);
					return -EFAULT;
				}
				continue;
			}
		}
		for (uint64_t off = 0; off < p->p_filesz;) {
			size_t n = p->p_filesz - off > 65536 ? 65536 : p->p_filesz - off;
			long got = read_at(k, t, img->file, buf, n, (int64_t)(p->p_offset + off));
			if (got <= 0) {
				free(buf);
				return got < 0 ? got : -EIO;
			}
			if (task_write(k, t, base + p->p_vaddr + off, buf, (size_t)got) < 0) {
				free(buf);
				return -EFAULT;
			}
			off += (uint64_t)got;
		}
	}
	free(buf);
	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		uint64_t s = PAGE_DOWN(base + p->p_vaddr), e = PAGE_UP(base + p->p_vaddr + p->p_memsz);
		r = task_host_syscall(k, t, SYS_mprotect, s, e - s, (uint64_t)prot_of(p->p_flags), 0, 0, 0);
		if (r < 0)
			return r;
	}
	out->entry = base + img->eh.e_entry;
	out->base = base;
	out->end = base + hi;
	return 0;
}

static size_t vec_len(char **v)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* Build argc/argv/envp/auxv at the top of the stack.  Returns the new rsp or -errno. */
static long build_stack(struct sentry_kernel *k, struct task *t, char **argv, char **envp, const char *execfn,
			const struct loaded *main, const struct loaded *interp, uint64_t phnum)
{
	size_t argc = vec_len(argv), envc = vec_len(envp);
	size_t strbytes = strlen(execfn) + 1 + 7 + 16;
	for (size_t i = 0; i < argc; i++)
		strbytes += strlen(argv[i]) + 1;
	for (size_t i = 0; i < envc; i++)
		strbytes += strlen(envp[i]) + 1;
	if (strbytes > ARG_MAX_BYTES)
		return -E2BIG;
	size_t nauxv = 22;
	size_t words = 1 + argc + 1 + envc + 1 + 2 * nauxv;
	uint64_t strtop = STACK_TOP - 16;
	uint64_t strbase = (strtop - strbytes) & ~15UL;
	uint64_t sp = strbase - words * 8;
	sp &= ~15UL;
	size_t total = STACK_TOP - sp;
	char *img = calloc(1, total);
	if (img == NULL)
		return -ENOMEM;
#define AT(addr) (img + ((addr) - sp))
	uint64_t cur = strbase;
	uint64_t *argp = calloc(argc + envc + 2, sizeof(uint64_t));
	if (argp == NULL) {
		free(img);
		return -ENOMEM;
	}
	for (size_t i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		memcpy(AT(cur), argv[i], n);
		argp[i] = cur;
		cur += n;
	}
	for (size_t i = 0; i < envc; i++) {
		size_t n = strlen(envp[i]) + 1;
		memcpy(AT(cur), envp[i], n);
		argp[argc + i] = cur;
		cur += n;
	}
	uint64_t execfn_at = cur;
	memcpy(AT(cur), execfn, strlen(execfn) + 1);
	cur += strlen(execfn) + 1;
	uint64_t platform_at = cur;
	memcpy(AT(cur), "x86_64", 7);
	cur += 7;
	uint64_t random_at = cur;
	if (getrandom(AT(cur), 16, 0) != 16)
		memset(AT(cur), 0x5a, 16);
	uint64_t *w = (uint64_t *)(void *)AT(sp);
	size_t i = 0;
	w[i++] = argc;
	for (size_t j = 0; j < argc; j++)
		w[i++] = argp[j];
	w[i++] = 0;
	for (size_t j = 0; j < envc; j++)
		w[i++] = argp[argc + j];
	w[i++] = 0;
	free(argp);
	uint64_t aux[][2] = {
		{ AT_PHDR, main->phdr },     { AT_PHENT, sizeof(Elf64_Phdr) },
		{ AT_PHNUM, phnum },	     { AT_PAGESZ, 4096 },
		{ AT_BASE, interp != NULL ? interp->base : 0 },
		{ AT_FLAGS, 0 },	     { AT_ENTRY, main->entry },
		{ AT_UID, t->ruid },	     { AT_EUID, t->euid },
		{ AT_GID, t->rgid },	     { AT_EGID, t->egid },
		{ AT_SECURE, 0 },	     { AT_RANDOM, random_at },
		{ AT_HWCAP, getauxval(AT_HWCAP) },
		{ AT_HWCAP2, getauxval(AT_HWCAP2) },
		{ AT_CLKTCK, 100 },	     { AT_PLATFORM, platform_at },
		{ AT_EXECFN, execfn_at },    { AT_MINSIGSTKSZ, 2048 },
		{ AT_NULL, 0 },
	};
	for (size_t j = 0; j < sizeof(aux) / sizeof(aux[0]); j++) {
		w[i++] = aux[j][0];
		w[i++] = aux[j][1];
	}
#undef AT
	int rc = task_write(k, t, sp, img, total);
	free(img);
	return rc < 0 ? rc : (long)sp;
}

/* Join a string vector with NULs (the /proc/PID/cmdline and environ format). */
static void join_vec(char **v, char **out, size_t *outlen)
{
	size_t n = 0, cnt = vec_len(v);
	for (size_t i = 0; i < cnt; i++)
		n += strlen(v[i]) + 1;
	char *c = malloc(n + 1);
	if (c == NULL)
		return;
	size_t o = 0;
	for (size_t i = 0; i < cnt; i++) {
		size_t l = strlen(v[i]) + 1;
		memcpy(c + o, v[i], l);
		o += l;
	}
	free(*out);
	*out = c;
	*outlen = n;
}

static void set_cmdline(struct task *t, char **argv, char **envp, const char *path, const char *exe)
{
	join_vec(argv, &t->cmdline, &t->cmdline_len);
	join_vec(envp, &t->environ, &t->environ_len);
	free(t->exe);
	t->exe = strdup(exe);
	const char *b = strrchr(path, '/');
	b = b != NULL ? b + 1 : path;
	memset(t->comm, 0, sizeof(t->comm));
	strncpy(t->comm, b, sizeof(t->comm) - 1);
}

static long exec_depth(struct sentry_kernel *k, struct task *t, const char *path, char **argv, char **envp, int depth)
{
	if (depth > 4)
		return -ELOOP;
	struct sfile *f = NULL;
	long rc = open_exec(k, t, path, &f);
	if (rc < 0)
		return rc;
	char head[256];
	long n = read_at(k, t, f, head, sizeof(head) - 1, 0);
	if (n < 0) {
		sfile_put(f);
		return n;
	}
	head[n] = '\0';
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		sfile_put(f);
		/* #!interp [one-arg]: binfmt_script(8) rules, a 255-byte first line. */
		char *nl = strchr(head, '\n');
		if (nl != NULL)
			*nl = '\0';
		char *p = head + 2;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return -ENOEXEC;
		char *interp = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		char *arg = NULL;
		if (*p != '\0') {
			*p++ = '\0';
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '\0') {
				arg = p;
				size_t l = strlen(arg);
				while (l > 0 && (arg[l - 1] == ' ' || arg[l - 1] == '\t'))
					arg[--l] = '\0';
			}
		}
		size_t argc = vec_len(argv);
		char **nargv = calloc(argc + 4, sizeof(char *));
		if (nargv == NULL)
			return -ENOMEM;
		size_t i = 0;
		nargv[i++] = interp;
		if (arg != NULL)
			nargv[i++] = arg;
		nargv[i++] = (char *)path;
		for (size_t j = 1; j < argc; j++)
			nargv[i++] = argv[j];
		nargv[i] = NULL;
		rc = exec_depth(k, t, interp, nargv, envp, depth + 1);
		free(nargv);
		return rc;
	}
	struct elf_image img = { .file = f }, iimg = { 0 };
	rc = read_elf(k, t, &img);
	if (rc < 0)
		goto out;
	for (int i = 0; i < img.eh.e_phnum; i++) {
		if (img.ph[i].p_type != PT_INTERP)
			continue;
		char ipath[256];
		size_t l = img.ph[i].p_filesz < sizeof(ipath) - 1 ? img.ph[i].p_filesz : sizeof(ipath) - 1;
		if (read_at(k, t, f, ipath, l, (int64_t)img.ph[i].p_offset) != (long)l) {
			rc = -ENOEXEC;
			goto out;
		}
		ipath[l] = '\0';
		if ((rc = open_exec(k, t, ipath, &iimg.file)) < 0)
			goto out;
		if ((rc = read_elf(k, t, &iimg)) < 0)
			goto out;
	}

	/* Point of no return: the old image goes away. */
	long r1 = task_host_syscall(k, t, SYS_munmap, 0, PLATFORM_STUB_ADDR, 0, 0, 0, 0);
	long r2 = task_host_syscall(k, t, SYS_munmap, PLATFORM_STUB_ADDR + PLATFORM_STUB_SIZE,
				    PLATFORM_USER_TOP - PLATFORM_STUB_ADDR - PLATFORM_STUB_SIZE, 0, 0, 0, 0);
	struct loaded main = { 0 }, interp = { 0 };
	if (r1 < 0 || r2 < 0 || (rc = load_image(k, t, &img, PIE_BASE, &main)) < 0 ||
	    (iimg.file != NULL && (rc = load_image(k, t, &iimg, INTERP_BASE, &interp)) < 0)) {
		log_warning("sentry: [pid %d] execve %s failed after the point of no return", t->tid, path);
		rc = -SENTRY_EKILL; /* caller kills the task */
		goto out;
	}
	long sr = task_host_syscall(k, t, SYS_mmap, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (uint64_t)-1, 0);
	long sp = sr < 0 ? sr : build_stack(k, t, argv, envp, path, &main, iimg.file ? &interp : NULL, img.eh.e_phnum);
	if (sp < 0) {
		rc = -SENTRY_EKILL;
		goto out;
	}
	t->brk_start = t->brk_cur = PAGE_UP(main.end);
	set_cmdline(t, argv, envp, path, f->path);
	struct user_regs_struct r;
	memset(&r, 0, sizeof(r));
	r.rip = iimg.file != NULL ? interp.entry : main.entry;
	r.rsp = (uint64_t)sp;
	r.eflags = 0x202;
	r.cs = t->regs.cs;
	r.ss = t->regs.ss;
	r.orig_rax = (uint64_t)-1;
	t->regs = r;
	struct user_fpregs_struct fp;
	memset(&fp, 0, sizeof(fp));
	fp.cwd = 0x37f;
	fp.mxcsr = 0x1f80;
	k->plat->ops->set_fpregs(k->plat, t->host_pid, &fp);
	rc = 0;
out:
	sfile_put(f);
	if (iimg.file != NULL)
		sfile_put(iimg.file);
	return rc;
}

long loader_execve(struct sentry_kernel *k, struct task *t, const char *path, char **argv, char **envp)
{
	return exec_depth(k, t, path, argv, envp, 0);
}
