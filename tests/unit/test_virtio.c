/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_virtio.c - the VMM's virtqueue descriptor walking (bounds checks on
 * every guest address), the virtio-mmio register file and the I/O bus, on a
 * plain heap buffer standing in for guest RAM (no KVM needed).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-shim/virtio_console.h"
#include "kvm-shim/virtio_mmio.h"
#include "kvm-shim/vm.h"
#include "kvm-shim/virtqueue.h"
#include "kvm-shim/vmm_bus.h"

#define RAM (1u << 20)
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define QN 8

struct fixture {
	struct guest_mem mem;
	struct virtqueue vq;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->mem.base = calloc(1, RAM);
	f->mem.size = RAM;
	f->vq = (struct virtqueue){ .num = QN, .ready = true, .desc_addr = DESC, .avail_addr = AVAIL, .used_addr = USED };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->mem.base);
	free(f);
	return 0;
}

static void set_desc(struct fixture *f, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = f->mem.base + DESC + 16 * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void set_desc_at(struct fixture *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
			uint16_t next)
{
	uint8_t *d = f->mem.base + table + 16 * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* Make `head` available as ring entry number `slot` and publish idx = slot + 1. */
static void make_avail(struct fixture *f, uint16_t slot, uint16_t head)
{
	uint16_t idx = slot + 1;
	memcpy(f->mem.base + AVAIL + 4 + 2 * (slot % QN), &head, 2);
	memcpy(f->mem.base + AVAIL + 2, &idx, 2);
}

static int pop(struct fixture *f, struct virtq_chain *c, int expect_errno)
{
	strata_error_t err = NULL;
	int r = virtqueue_pop(&f->vq, &f->mem, c, &err);
	if (r < 0) {
		assert_int_equal(err->code, expect_errno);
		strata_error_free(&err);
	}
	return r;
}

static void test_empty_ring(void **state)
{
	struct fixture *f = *state;
	struct virtq_chain c;
	assert_int_equal(pop(f, &c, 0), 0);
}

static void test_chain_and_used_ring(void **state)
{
	struct fixture *f = *state;
	struct virtq_chain c;
	memcpy(f->mem.base + 0x8000, "abcdef", 6);
	set_desc(f, 3, 0x8000, 4, VIRTQ_DESC_F_NEXT, 5);
	set_desc(f, 5, 0x8004, 2, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, 0x9000, 16, VIRTQ_DESC_F_WRITE, 0);
	make_avail(f, 0, 3);
	assert_int_equal(pop(f, &c, 0), 1);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.n_readable, 2);
	assert_int_equal(virtq_chain_readable_len(&c), 6);
	assert_int_equal(virtq_chain_writable_len(&c), 16);
	char buf[8] = { 0 };
	assert_int_equal(virtq_chain_read(&c, &f->mem, 2, buf, 8), 4); /* crosses the two buffers */
	assert_memory_equal(buf, "cdef", 4);
	assert_int_equal(virtq_chain_write(&c, &f->mem, 0, "0123456789abcdefXYZ", 19), 16);
	assert_memory_equal(f->mem.base + 0x9000, "0123456789abcdef", 16);
	assert_int_equal(pop(f, &c, 0), 0);

	assert_true(virtqueue_push(&f->vq, &f->mem, 3, 16));
	uint16_t used_idx;
	uint32_t id, len;
	memcpy(&used_idx, f->mem.base + USED + 2, 2);
	memcpy(&id, f->mem.base + USED + 4, 4);
	memcpy(&len, f->mem.base + USED + 8, 4);
	assert_int_equal(used_idx, 1);
	assert_int_equal(id, 3);
	assert_int_equal(len, 16);
	/* The driver suppresses interrupts: push says so. */
	uint16_t no_int = VIRTQ_AVAIL_F_NO_INTERRUPT;
	memcpy(f->mem.base + AVAIL, &no_int, 2);
	assert_false(virtqueue_push(&f->vq, &f->mem, 3, 0));
}

static void test_buffer_outside_ram(void **state)
{
	struct fixture *f = *state;
	struct virtq_chain c;
	set_desc(f, 0, RAM - 8, 16, 0, 0); /* straddles the end of RAM */
	make_avail(f, 0, 0);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	set_desc(f, 1, UINT64_MAX - 8, 64, 0, 0); /* addr + len wraps around */
	make_avail(f, 1, 1);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	set_desc(f, 2, RAM - 16, 16, 0, 0); /* exactly up to the end is fine */
	make_avail(f, 2, 2);
	assert_int_equal(pop(f, &c, 0), 1);
}

static void test_malformed_chains(void **state)
{
	struct fixture *f = *state;
	struct virtq_chain c;
	uint16_t slot = 0;
	/* loop 0 -> 1 -> 0 */
	set_desc(f, 0, 0x8000, 1, VIRTQ_DESC_F_NEXT, 1);
	set_desc(f, 1, 0x8000, 1, VIRTQ_DESC_F_NEXT, 0);
	make_avail(f, slot++, 0);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* next out of the table */
	set_desc(f, 2, 0x8000, 1, VIRTQ_DESC_F_NEXT, QN);
	make_avail(f, slot++, 2);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* head out of the table */
	make_avail(f, slot++, QN + 3);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* readable after writable */
	set_desc(f, 4, 0x8000, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
	set_desc(f, 5, 0x8000, 1, 0, 0);
	make_avail(f, slot++, 4);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* available index runs more than a queue ahead */
	uint16_t idx = slot + QN + 1;
	memcpy(f->mem.base + AVAIL + 2, &idx, 2);
	assert_int_equal(pop(f, &c, EINVAL), -1);
}

static void test_indirect(void **state)
{
	struct fixture *f = *state;
	struct virtq_chain c;
	const uint64_t table = 0x5000;
	set_desc_at(f, table, 0, 0x8000, 8, VIRTQ_DESC_F_NEXT, 2);
	set_desc_at(f, table, 2, 0x8100, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(f, table, 1, 0x9000, 32, VIRTQ_DESC_F_WRITE, 0);
	set_desc(f, 0, table, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(f, 0, 0);
	assert_int_equal(pop(f, &c, 0), 1);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.n_readable, 2);
	assert_int_equal(c.bufs[1].gpa, 0x8100);

	/* nested indirect */
	set_desc_at(f, table, 1, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(f, 1, 0);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* indirect + NEXT */
	set_desc(f, 1, table, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 2);
	make_avail(f, 2, 1);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* length not a multiple of 16 */
	set_desc(f, 2, table, 20, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(f, 3, 2);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* table outside RAM */
	set_desc(f, 3, RAM - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(f, 4, 3);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* next beyond the indirect table */
	set_desc_at(f, table, 0, 0x8000, 8, VIRTQ_DESC_F_NEXT, 7);
	set_desc(f, 4, table, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(f, 5, 4);
	assert_int_equal(pop(f, &c, EINVAL), -1);
	/* loop inside the indirect table */
	set_desc_at(f, table, 0, 0x8000, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(f, table, 1, 0x8000, 8, VIRTQ_DESC_F_NEXT, 0);
	make_avail(f, 6, 4);
	assert_int_equal(pop(f, &c, EINVAL), -1);
}

/* Linux's 9p transport sends a zero-copy read or readdir of msize (256 KiB)
 * bytes as the request, an 11-byte reply header and one buffer per page: 66
 * and more buffers in one indirect table.  Such a chain is valid up to the
 * largest queue size; a longer table is refused. */
static void test_long_indirect_chain(void **state)
{
	struct fixture *f = *state;
	struct virtq_chain *c = malloc(sizeof(*c));
	const uint64_t table = 0x10000;
	const unsigned n = 2 + 256 * 1024 / 4096;
	for (unsigned i = 0; i < n; i++) {
		uint16_t flags = (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) | (i > 0 ? VIRTQ_DESC_F_WRITE : 0);
		set_desc_at(f, table, i, 0x80000 + 4096ULL * i, 4096, flags, (uint16_t)(i + 1));
	}
	set_desc(f, 0, table, n * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(f, 0, 0);
	assert_int_equal(pop(f, c, 0), 1);
	assert_int_equal(c->n, n);
	assert_int_equal(c->n_readable, 1);
	assert_int_equal(c->bufs[c->n - 1].gpa, 0x80000 + 4096ULL * (n - 1));
	/* a table of VIRTQ_MAX_SIZE + 1 descriptors is too long */
	set_desc(f, 1, table, (VIRTQ_MAX_SIZE + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(f, 1, 1);
	assert_int_equal(pop(f, c, EINVAL), -1);
	free(c);
}

static void test_queue_check(void **state)
{
	struct fixture *f = *state;
	strata_error_t err = NULL;
	struct virtqueue vq = f->vq;
	assert_int_equal(virtqueue_check(&vq, &f->mem, &err), 0);
	vq.num = 6; /* not a power of two */
	assert_int_equal(virtqueue_check(&vq, &f->mem, &err), -1);
	strata_error_free(&err);
	vq.num = 512; /* above VIRTQ_MAX_SIZE */
	assert_int_equal(virtqueue_check(&vq, &f->mem, &err), -1);
	strata_error_free(&err);
	vq = f->vq;
	vq.desc_addr = DESC + 8; /* misaligned */
	assert_int_equal(virtqueue_check(&vq, &f->mem, &err), -1);
	strata_error_free(&err);
	vq = f->vq;
	vq.used_addr = RAM - 8; /* used ring would run past RAM */
	assert_int_equal(virtqueue_check(&vq, &f->mem, &err), -1);
	strata_error_free(&err);
}

/* --- transport --- */

struct fake_dev {
	unsigned notified[4];
	unsigned resets;
	uint8_t config[8];
};

static uint64_t fake_features(void *dev) { (void)dev; return 1ULL << 5; }
static void fake_config_read(void *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	memcpy(data, ((struct fake_dev *)dev)->config + off, len);
}
static void fake_notify(struct virtio_mmio_dev *t, unsigned q)
{
	((struct fake_dev *)t->dev)->notified[q]++;
	virtio_mmio_used(t, q);
}
static void fake_reset(void *dev) { ((struct fake_dev *)dev)->resets++; }

static const struct virtio_device_ops fake_ops = {
	.name = "fake", .device_id = 42, .num_queues = 2, .config_size = 8,
	.features = fake_features, .config_read = fake_config_read, .queue_notify = fake_notify, .reset = fake_reset,
};

static uint32_t rd(struct virtio_mmio_dev *t, uint64_t off)
{
	uint8_t d[4];
	virtio_mmio_io(t, off, d, 4, false);
	uint32_t v;
	memcpy(&v, d, 4);
	return v;
}

static void wr(struct virtio_mmio_dev *t, uint64_t off, uint32_t v)
{
	uint8_t d[4];
	memcpy(d, &v, 4);
	virtio_mmio_io(t, off, d, 4, true);
}

static void test_mmio_transport(void **state)
{
	struct fixture *f = *state;
	struct fake_dev dev = { .config = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	struct virtio_mmio_dev t;
	virtio_mmio_init(&t, NULL, f->mem, 0xd0000000, 5, &fake_ops, &dev);
	assert_int_equal(rd(&t, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(&t, VIRTIO_MMIO_VERSION_REG), 2);
	assert_int_equal(rd(&t, VIRTIO_MMIO_DEVICE_ID), 42);
	wr(&t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(&t, VIRTIO_MMIO_DEVICE_FEATURES), (1u << 5) | (1u << VIRTIO_F_INDIRECT_DESC));
	wr(&t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(&t, VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 */
	wr(&t, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);

	/* A legacy driver (no VERSION_1) is refused. */
	wr(&t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(&t, VIRTIO_MMIO_DRIVER_FEATURES, 1u << 5);
	wr(&t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	assert_false(rd(&t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	/* A feature we never offered is refused too. */
	wr(&t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(&t, VIRTIO_MMIO_DRIVER_FEATURES, 1 | 2);
	wr(&t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	assert_false(rd(&t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	wr(&t, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(&t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	assert_true(rd(&t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(t.driver_features, (1ULL << 32) | (1u << 5));

	/* Queue 1 with its ring outside RAM: not ready, device needs reset. */
	wr(&t, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(&t, VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
	wr(&t, VIRTIO_MMIO_QUEUE_NUM, QN);
	wr(&t, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
	wr(&t, VIRTIO_MMIO_QUEUE_DESC_HIGH, 1); /* 4 GiB */
	wr(&t, VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL);
	wr(&t, VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED);
	wr(&t, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(&t, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(rd(&t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);

	/* Reset clears it; a correct setup works and notify reaches the device. */
	wr(&t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(dev.resets, 1);
	assert_int_equal(rd(&t, VIRTIO_MMIO_STATUS), 0);
	wr(&t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(&t, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(&t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	wr(&t, VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(&t, VIRTIO_MMIO_QUEUE_NUM, QN);
	wr(&t, VIRTIO_MMIO_QUEUE_DESC_LOW, DESC);
	wr(&t, VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL);
	wr(&t, VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED);
	wr(&t, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(&t, VIRTIO_MMIO_QUEUE_READY), 1);
	/* Layout registers are frozen while the queue is ready. */
	wr(&t, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x4000);
	assert_int_equal(t.queues[1].desc_addr, DESC);
	/* Notify before DRIVER_OK is ignored. */
	wr(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(dev.notified[1], 0);
	wr(&t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	wr(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* queue 0 never made ready */
	wr(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue */
	assert_int_equal(dev.notified[1], 1);
	assert_int_equal(dev.notified[0], 0);
	assert_int_equal(rd(&t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_USED_BUFFER);
	wr(&t, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_USED_BUFFER);
	assert_int_equal(rd(&t, VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	/* Config space: byte access works, past the end reads zero. */
	uint8_t b = 0;
	virtio_mmio_io(&t, VIRTIO_MMIO_CONFIG + 6, &b, 1, false);
	assert_int_equal(b, 7);
	uint32_t v = 0xffffffff;
	virtio_mmio_io(&t, VIRTIO_MMIO_CONFIG + 6, (uint8_t *)&v, 4, false);
	assert_int_equal(v, 0);
	/* Registers are 32-bit only: a byte read of MagicValue returns 0. */
	b = 0xff;
	virtio_mmio_io(&t, VIRTIO_MMIO_MAGIC_VALUE, &b, 1, false);
	assert_int_equal(b, 0);
	pthread_mutex_destroy(&t.lock);
}

/* --- I/O bus --- */

static void bus_cb(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	uint64_t *seen = opaque;
	*seen = offset + 1;
	if (!is_write)
		memset(data, 0xab, len);
}

static void test_bus(void **state)
{
	(void)state;
	struct vmm_bus bus;
	strata_error_t err = NULL;
	uint64_t a = 0, b = 0;
	vmm_bus_init(&bus, "test");
	assert_int_equal(vmm_bus_register(&bus, 0x3f8, 8, bus_cb, &a, &err), 0);
	assert_int_equal(vmm_bus_register(&bus, 0x60, 1, bus_cb, &b, &err), 0);
	assert_int_equal(vmm_bus_register(&bus, 0x3fc, 8, bus_cb, &b, &err), -1);
	assert_int_equal(err->code, EEXIST);
	strata_error_free(&err);
	assert_int_equal(vmm_bus_register(&bus, 0x3f0, 9, bus_cb, &b, &err), -1);
	strata_error_free(&err);
	assert_int_equal(vmm_bus_register(&bus, UINT64_MAX - 2, 8, bus_cb, &b, &err), -1);
	strata_error_free(&err);
	uint8_t d[4] = { 0 };
	assert_true(vmm_bus_dispatch(&bus, 0x3fd, d, 1, false));
	assert_int_equal(a, 6);
	assert_int_equal(d[0], 0xab);
	assert_true(vmm_bus_dispatch(&bus, 0x60, d, 1, true));
	assert_int_equal(b, 1);
	assert_false(vmm_bus_dispatch(&bus, 0x61, d, 1, false));
	assert_false(vmm_bus_dispatch(&bus, 0x3fe, d, 4, false)); /* runs past the range */
	vmm_bus_free(&bus);
}

/* --- virtio-console through the transport, on a VM object without KVM --- */

static void setup_queue(struct virtio_mmio_dev *t, uint32_t q, uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(t, VIRTIO_MMIO_QUEUE_SEL, q);
	wr(t, VIRTIO_MMIO_QUEUE_NUM, QN);
	wr(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(t, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(t, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(t, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void test_console_rx_tx(void **state)
{
	struct fixture *f = *state;
	struct vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.mem = f->mem.base;
	vm.mem_size = f->mem.size;
	vmm_bus_init(&vm.mmio, "mmio");
	int out = memfd_create("console-out", MFD_CLOEXEC);
	assert_true(out >= 0);
	struct virtio_mmio_dev *t = NULL;
	strata_error_t err = NULL;
	assert_int_equal(vm_add_virtio_console(&vm, out, &t, &err), 0);
	assert_string_equal(vm.virtio_cmdline, "virtio_mmio.device=4K@0xd0000000:5");
	/* The device answers on the VM's MMIO bus at its window. */
	uint8_t d[4];
	assert_true(vmm_bus_dispatch(&vm.mmio, 0xd0000000 + VIRTIO_MMIO_DEVICE_ID, d, 4, false));
	assert_int_equal(d[0], VIRTIO_ID_CONSOLE);

	wr(t, VIRTIO_MMIO_STATUS, 3);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
	/* Input before the guest posted a receive buffer is not taken. */
	assert_int_equal(virtio_console_input(t, "early", 5), 0);
	setup_queue(t, 0, 0x10000, 0x11000, 0x12000); /* receiveq */
	wr(t, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(virtio_console_input(t, "early", 5), 0);

	/* The guest posts one 4-byte receive buffer. */
	uint64_t addr = 0x20000;
	uint32_t len = 4;
	uint16_t flags = VIRTQ_DESC_F_WRITE, zero = 0, one = 1;
	memcpy(f->mem.base + 0x10000, &addr, 8);
	memcpy(f->mem.base + 0x10000 + 8, &len, 4);
	memcpy(f->mem.base + 0x10000 + 12, &flags, 2);
	memcpy(f->mem.base + 0x11000 + 4, &zero, 2);
	memcpy(f->mem.base + 0x11000 + 2, &one, 2);
	assert_int_equal(virtio_console_input(t, "stdin data", 10), 4); /* only what fits */
	assert_memory_equal(f->mem.base + 0x20000, "stdi", 4);
	uint32_t used_len;
	memcpy(&used_len, f->mem.base + 0x12000 + 8, 4);
	assert_int_equal(used_len, 4);
	assert_int_equal(rd(t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_USED_BUFFER);

	/* transmitq: the guest's bytes reach the output fd. */
	setup_queue(t, 1, 0x13000, 0x14000, 0x15000);
	memcpy(f->mem.base + 0x30000, "out!", 4);
	addr = 0x30000;
	flags = 0;
	memcpy(f->mem.base + 0x13000, &addr, 8);
	memcpy(f->mem.base + 0x13000 + 8, &len, 4);
	memcpy(f->mem.base + 0x13000 + 12, &flags, 2);
	memcpy(f->mem.base + 0x14000 + 4, &zero, 2);
	memcpy(f->mem.base + 0x14000 + 2, &one, 2);
	wr(t, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	char buf[8] = { 0 };
	assert_int_equal(pread(out, buf, sizeof(buf), 0), 4);
	assert_string_equal(buf, "out!");
	assert_int_equal(virtio_console_bytes_out(t), 4);

	virtio_mmio_destroy(t);
	vmm_bus_free(&vm.mmio);
	free(vm.virtio_cmdline);
	close(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_and_used_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_indirect_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_transport, setup, teardown),
		cmocka_unit_test(test_bus),
		cmocka_unit_test_setup_teardown(test_console_rx_tx, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
