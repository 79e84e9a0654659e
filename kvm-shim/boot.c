/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot.c - choose the boot path for a kernel image and lay out guest memory. */
#include "kvm-shim/boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "kvm-shim/boot_layout.h"
#include "kvm-shim/vm.h"
#include "kvm-shim/x86_cpu.h"

/* bzImage setup header fields (Linux Documentation/x86/boot.rst). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_HEADER_END_BYTE 0x201
#define BZ_MAGIC 0x202
#define BZ_VERSION 0x206
#define BZ_INITRD_ADDR_MAX 0x22c
#define BZ_XLOADFLAGS 0x236
#define BZ_INIT_SIZE 0x260
#define BZ_XLF_KERNEL_64 0x1

size_t vm_e820_map(const struct vm *vm, struct e820_range *out, size_t max)
{
	struct e820_range map[3] = {
		{ 0, BOOT_EBDA_START, E820_RAM },
		{ BOOT_EBDA_START, BOOT_HIGH_RAM - BOOT_EBDA_START, E820_RESERVED },
		{ BOOT_HIGH_RAM, vm->mem_size > BOOT_HIGH_RAM ? vm->mem_size - BOOT_HIGH_RAM : 0, E820_RAM },
	};
	size_t n = 0;
	for (size_t i = 0; i < 3 && n < max; i++)
		if (map[i].size > 0)
			out[n++] = map[i];
	return n;
}

struct mapped_file {
	uint8_t *data;
	size_t size;
};

static int map_file(const char *path, const char *what, struct mapped_file *f, strata_error_t *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open %s `%s`", what, path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return strata_error_errno(err, errno, "stat %s `%s`", what, path);
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return strata_error_set(err, ENOEXEC, "%s `%s` is not a non-empty regular file", what, path);
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return strata_error_errno(err, errno, "mmap %s `%s`", what, path);
	f->data = p;
	f->size = (size_t)st.st_size;
	return 0;
}

static void unmap_file(struct mapped_file *f)
{
	if (f->data != NULL)
		munmap(f->data, f->size);
	f->data = NULL;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static bool is_bzimage(const struct mapped_file *f)
{
	return f->size > BZ_INIT_SIZE + 4 && memcmp(f->data + BZ_MAGIC, "HdrS", 4) == 0 &&
	       get16(f->data + 0x1fe) == 0xaa55;
}

static int write_cmdline(struct vm *vm, const char *cmdline, size_t *len_out, strata_error_t *err)
{
	const char *user = cmdline ? cmdline : "";
	const char *dev = vm->virtio_cmdline ? vm->virtio_cmdline : "";
	size_t len = strlen(user) + 1 + strlen(dev);
	if (len + 1 > BOOT_CMDLINE_MAX)
		return strata_error_set(err, E2BIG, "kernel command line is %zu bytes, at most %d", len,
					BOOT_CMDLINE_MAX - 1);
	char *dst = vm_gpa(vm, BOOT_CMDLINE_ADDR, BOOT_CMDLINE_MAX);
	if (dst == NULL)
		return strata_error_set(err, ENOSPC, "guest RAM too small for the command line");
	/* Everything after " -- " is init's argv, not kernel parameters: the
	 * device words must come before it. */
	size_t head = strlen(user);
	const char *sep = strstr(user, " -- ");
	if (strncmp(user, "-- ", 3) == 0 || strcmp(user, "--") == 0)
		head = 0;
	else if (sep != NULL)
		head = (size_t)(sep - user);
	const char *tail = user + head;
	while (*tail == ' ')
		tail++;
	snprintf(dst, BOOT_CMDLINE_MAX, "%.*s%s%s%s%s", (int)head, user, (head && *dev) ? " " : "", dev,
		 (*tail && (head || *dev)) ? " " : "", tail);
	*len_out = strlen(dst) + 1;
	return 0;
}

/* Put the initrd at the top of RAM (page aligned), above `kernel_end` and below `max_addr`. */
static int load_initrd(struct vm *vm, const char *path, uint64_t kernel_end, uint64_t max_addr, uint64_t *addr,
		       uint64_t *size, strata_error_t *err)
{
	*addr = *size = 0;
	if (path == NULL)
		return 0;
	struct mapped_file f = { 0 };
	if (map_file(path, "initrd", &f, err) < 0)
		return -1;
	uint64_t top = vm->mem_size < max_addr ? vm->mem_size : max_addr;
	if (f.size > top || ((top - f.size) & ~0xfffULL) < kernel_end) {
		unmap_file(&f);
		return strata_error_set(err, ENOSPC, "too little memory: initrd `%s` (%zu bytes) does not fit above the "
					"kernel in %llu MiB of guest RAM", path, f.size,
					(unsigned long long)(vm->mem_size >> 20));
	}
	*addr = (top - f.size) & ~0xfffULL;
	*size = f.size;
	memcpy(vm_gpa(vm, *addr, f.size), f.data, f.size);
	unmap_file(&f);
	return 0;
}

static int load_bzimage(struct vm *vm, const struct mapped_file *f, const struct vm_kernel *k, size_t cmdline_len,
			strata_error_t *err)
{
	const uint8_t *img = f->data;
	uint16_t version = get16(img + BZ_VERSION);
	if (version < 0x020c || !(get16(img + BZ_XLOADFLAGS) & BZ_XLF_KERNEL_64))
		return strata_error_set(err, ENOEXEC, "bzImage `%s` (boot protocol %x.%02x) has no 64-bit entry",
					k->path, version >> 8, version & 0xff);
	unsigned setup_sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
	size_t koff = (size_t)(setup_sects + 1) * 512;
	size_t hdr_end = 0x202 + img[BZ_HEADER_END_BYTE];
	if (koff >= f->size || hdr_end > f->size)
		return strata_error_set(err, ENOEXEC, "bzImage `%s` is truncated", k->path);
	size_t ksize = f->size - koff;
	uint64_t init_size = get32(img + BZ_INIT_SIZE);
	uint64_t need = init_size > ksize ? init_size : ksize;
	uint8_t *dst = vm_gpa(vm, BOOT_BZIMAGE_ADDR, need);
	if (dst == NULL)
		return strata_error_set(err, ENOSPC, "too little memory: the kernel needs %llu MiB above 1 MiB, guest "
					"has %llu MiB", (unsigned long long)(need >> 20) + 1,
					(unsigned long long)(vm->mem_size >> 20));
	memcpy(dst, img + koff, ksize);
	uint64_t initrd_addr, initrd_size;
	uint64_t initrd_max = (uint64_t)get32(img + BZ_INITRD_ADDR_MAX) + 1;
	if (load_initrd(vm, k->initrd, BOOT_BZIMAGE_ADDR + need, initrd_max, &initrd_addr, &initrd_size, err) < 0)
		return -1;
	if (boot_params_write(vm, img + 0x1f1, hdr_end - 0x1f1, BOOT_CMDLINE_ADDR, cmdline_len, initrd_addr,
			      initrd_size, err) < 0)
		return -1;
	vm->boot = (struct vm_boot_state){ .mode = VM_BOOT_LONG64, .entry = BOOT_BZIMAGE_ADDR + 0x200,
					   .arg = BOOT_ZERO_PAGE_ADDR };
	return 0;
}

static int load_elf(struct vm *vm, const struct mapped_file *f, const struct vm_kernel *k, size_t cmdline_len,
		    strata_error_t *err)
{
	struct elf_kernel_info info;
	if (elf_kernel_load(vm, f->data, f->size, &info, err) < 0)
		return strata_error_wrap(err, "kernel `%s`", k->path);
	uint64_t initrd_addr, initrd_size;
	if (load_initrd(vm, k->initrd, info.highest, UINT64_MAX, &initrd_addr, &initrd_size, err) < 0)
		return -1;
	if (info.pvh_entry != 0 && !(k->flags & VM_KERNEL_FORCE_LINUX64)) {
		uint64_t si;
		if (pvh_write_start_info(vm, BOOT_CMDLINE_ADDR, initrd_addr, initrd_size, &si, err) < 0)
			return -1;
		vm->boot = (struct vm_boot_state){ .mode = VM_BOOT_PVH32, .entry = info.pvh_entry, .arg = si };
		return 0;
	}
	if (boot_params_write(vm, NULL, 0, BOOT_CMDLINE_ADDR, cmdline_len, initrd_addr, initrd_size, err) < 0)
		return -1;
	vm->boot = (struct vm_boot_state){ .mode = VM_BOOT_LONG64, .entry = info.entry, .arg = BOOT_ZERO_PAGE_ADDR };
	return 0;
}

int vm_load_kernel(struct vm *vm, const struct vm_kernel *k, strata_error_t *err)
{
	if (vm->is_pvm && !(k->flags & VM_KERNEL_PVM_OK))
		return strata_error_set(err, ENOTSUP,
					"this host's /dev/kvm is PVM (kvm_pvm): an ordinary guest kernel cannot boot here "
					"(its ring-0 code would run in KVM's instruction emulator and never finish); run "
					"on hardware KVM (VMX/SVM), or inside the nested test "
					"machine (tests/vm/test-machine.sh), or give a PVM-enabled guest kernel "
					"(CONFIG_KVM_PVM_GUEST) with the annotations io.strata.vm.kernel=PATH and "
					"io.strata.vm.pvm-kernel=true");
	if (k->path == NULL)
		return strata_error_set(err, EINVAL, "no guest kernel given");
	struct mapped_file f = { 0 };
	if (map_file(k->path, "kernel", &f, err) < 0)
		return -1;
	size_t cmdline_len = 0;
	int rc = -1;
	if (write_cmdline(vm, k->cmdline, &cmdline_len, err) < 0 || x86_boot_tables_write(vm, err) < 0 ||
	    mptable_write(vm, err) < 0)
		goto out;
	if (f.size >= 4 && memcmp(f.data, "\177ELF", 4) == 0)
		rc = load_elf(vm, &f, k, cmdline_len, err);
	else if (is_bzimage(&f))
		rc = load_bzimage(vm, &f, k, cmdline_len, err);
	else
		rc = strata_error_set(err, ENOEXEC, "kernel `%s` is neither an ELF vmlinux nor a bzImage", k->path);
out:
	unmap_file(&f);
	if (rc < 0)
		vm->boot.mode = VM_BOOT_NONE;
	return rc;
}
