/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stub_main.c - the body shared by the VMM test stubs (freestanding, no libc).
 *
 * 1. Prints "stub: <mode> entry ok" on the COM1 UART, checks the boot
 *    information (hvm_start_info magic + memmap, or boot_params "HdrS" + e820)
 *    and prints the kernel command line it was given.
 * 2. Drives the virtio-console at 0xd0000000 as a virtio-mmio version 2
 *    driver (virtio 1.2 §3.1.1 initialization, §2.7.13 supplying a buffer):
 *    negotiates VERSION_1, sets up transmitq (queue 1) with 8 entries, posts
 *    one buffer, notifies, then checks the used ring and InterruptStatus.
 *    Then posts a descriptor that points outside guest RAM and checks that
 *    the device answers with DEVICE_NEEDS_RESET instead of touching it.
 * 3. Exits as the command line says: "exit=reset" (i8042 0xfe, default),
 *    "exit=triple" (ud2 with the empty IDT: triple fault), "exit=hlt" (cli; hlt).
 * The test (tests/unit/test_vmm_stubs.c) asserts the UART lines.
 */
#include <stdint.h>

#define COM1 0x3f8
#define VIRTIO_BASE 0xd0000000UL

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t mmio_read(unsigned long off) { return *(volatile uint32_t *)(VIRTIO_BASE + off); }
static inline void mmio_write(unsigned long off, uint32_t v) { *(volatile uint32_t *)(VIRTIO_BASE + off) = v; }

static void putc_uart(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

static void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

static void putnum(unsigned long v)
{
	char buf[24];
	int i = 0;
	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i < 24);
	while (i)
		putc_uart(buf[--i]);
}

static void puthex(unsigned long v)
{
	puts_uart("0x");
	for (int s = 60; s >= 0; s -= 4) {
		unsigned d = (v >> s) & 0xf;
		if (d || s == 0 || v >> s)
			putc_uart("0123456789abcdef"[d]);
	}
}

static int has_word(const char *s, const char *w)
{
	for (; s && *s; s++) {
		const char *a = s, *b = w;
		while (*b && *a == *b) {
			a++;
			b++;
		}
		if (!*b)
			return 1;
	}
	return 0;
}

/* Split-virtqueue layout for 8 entries (virtio 1.2 §2.7). */
struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define QSIZE 8
static struct vq_desc desc[QSIZE] __attribute__((aligned(16)));
static struct {
	uint16_t flags, idx, ring[QSIZE], used_event;
} avail __attribute__((aligned(2)));
static struct {
	uint16_t flags;
	volatile uint16_t idx;
	struct {
		uint32_t id, len;
	} ring[QSIZE];
	uint16_t avail_event;
} used __attribute__((aligned(4)));
static const char message[] = "hello through the virtqueue\n";

static void virtio_test(void)
{
	if (mmio_read(0x000) != 0x74726976 || mmio_read(0x004) != 2) {
		puts_uart("virtio: no device\n");
		return;
	}
	puts_uart("virtio: device id ");
	putnum(mmio_read(0x008));
	puts_uart("\n");
	mmio_write(0x070, 0);       /* reset */
	mmio_write(0x070, 1);       /* ACKNOWLEDGE */
	mmio_write(0x070, 1 | 2);   /* DRIVER */
	mmio_write(0x014, 1);
	uint32_t f_hi = mmio_read(0x010);
	mmio_write(0x024, 0);
	mmio_write(0x020, 0);
	mmio_write(0x024, 1);
	mmio_write(0x020, f_hi & 1); /* VIRTIO_F_VERSION_1 only */
	mmio_write(0x070, 1 | 2 | 8); /* FEATURES_OK */
	if (!(mmio_read(0x070) & 8)) {
		puts_uart("virtio: features not accepted\n");
		return;
	}
	mmio_write(0x030, 1); /* transmitq */
	if (mmio_read(0x034) < QSIZE) {
		puts_uart("virtio: queue too small\n");
		return;
	}
	mmio_write(0x038, QSIZE);
	mmio_write(0x080, (uint32_t)(unsigned long)desc);
	mmio_write(0x084, 0);
	mmio_write(0x090, (uint32_t)(unsigned long)&avail);
	mmio_write(0x094, 0);
	mmio_write(0x0a0, (uint32_t)(unsigned long)&used);
	mmio_write(0x0a4, 0);
	mmio_write(0x044, 1);
	mmio_write(0x070, 1 | 2 | 8 | 4); /* DRIVER_OK */

	desc[0].addr = (unsigned long)message;
	desc[0].len = sizeof(message) - 1;
	desc[0].flags = 0;
	avail.ring[0] = 0;
	__asm__ volatile("" ::: "memory");
	avail.idx = 1;
	__asm__ volatile("mfence" ::: "memory");
	mmio_write(0x050, 1); /* notify queue 1 */
	/* The notify may be served by the VMM's I/O thread (ioeventfd) after
	 * the write returns: wait, bounded, for the used-buffer interrupt. */
	uint32_t isr = 0;
	for (unsigned i = 0; i < 10000000 && isr == 0; i++)
		isr = mmio_read(0x060);
	puts_uart("virtqueue: used idx ");
	putnum(used.idx);
	puts_uart(" id ");
	putnum(used.ring[0].id);
	puts_uart(" isr ");
	putnum(isr);
	puts_uart("\n");
	mmio_write(0x064, isr); /* ack */

	/* A buffer far outside guest RAM: the device must refuse it. */
	desc[1].addr = 0xfff00000000UL;
	desc[1].len = 64;
	desc[1].flags = 0;
	avail.ring[1] = 1;
	__asm__ volatile("" ::: "memory");
	avail.idx = 2;
	__asm__ volatile("mfence" ::: "memory");
	mmio_write(0x050, 1);
	for (unsigned i = 0; i < 10000000 && !(mmio_read(0x070) & 64); i++)
		;
	puts_uart("virtqueue: bad buffer used idx ");
	putnum(used.idx);
	puts_uart(" needs_reset ");
	putnum((mmio_read(0x070) & 64) ? 1 : 0);
	puts_uart("\n");
}

void stub_main(int mode, unsigned long info);

void stub_main(int mode, unsigned long info)
{
	const char *cmdline = 0;
	if (mode == 1) {
		const uint32_t *si = (const uint32_t *)info;
		puts_uart("stub: pvh entry ok\n");
		puts_uart("boot: start_info magic ");
		puthex(si[0]);
		puts_uart(" memmap entries ");
		putnum(si[12]);
		puts_uart("\n");
		cmdline = (const char *)(unsigned long)*(const uint64_t *)(info + 24);
	} else {
		const uint8_t *bp = (const uint8_t *)info;
		puts_uart("stub: linux64 entry ok\n");
		puts_uart("boot: boot_params header ");
		puts_uart(*(const uint32_t *)(bp + 0x202) == 0x53726448 ? "HdrS" : "bad");
		puts_uart(" e820 entries ");
		putnum(bp[0x1e8]);
		puts_uart("\n");
		cmdline = (const char *)(unsigned long)*(const uint32_t *)(bp + 0x228);
	}
	puts_uart("cmdline: ");
	puts_uart(cmdline ? cmdline : "(none)");
	puts_uart("\n");
	virtio_test();

	if (has_word(cmdline, "exit=triple")) {
		puts_uart("stub: triple fault\n");
		/* The VMM starts us with an empty IDT (limit 0): #UD cannot be
		 * delivered -> #GP -> #DF -> triple fault -> shutdown. */
		__asm__ volatile("ud2");
	} else if (has_word(cmdline, "exit=hlt")) {
		puts_uart("stub: hlt\n");
		__asm__ volatile("cli; hlt");
	}
	puts_uart("stub: reset\n");
	outb(0x64, 0xfe);
	for (;;)
		__asm__ volatile("cli; hlt");
}
