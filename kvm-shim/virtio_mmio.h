/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio_mmio.h - the virtio-mmio transport (virtio 1.2 §4.2, version 2
 * "non-legacy" register layout) and the ops interface every device follows.
 *
 * A device supplies struct virtio_device_ops and its own state; the transport
 * owns the register file, feature negotiation (two 32-bit selector windows),
 * the split virtqueues, the interrupt status and the IRQ line.  Each device
 * gets a 4 KiB window at VIRTIO_MMIO_BASE + i * 4 KiB and IRQ
 * VIRTIO_MMIO_FIRST_IRQ + i, and a `virtio_mmio.device=4K@<addr>:<irq>` word
 * for the kernel command line (Linux drivers/virtio/virtio_mmio.c,
 * CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES).  Interrupts are level-triggered lines
 * on the in-kernel IOAPIC (KVM_IRQ_LINE): high while InterruptStatus != 0,
 * set under the transport lock by whichever thread changes InterruptStatus
 * (locking: vmm_iothread.h).
 */
#ifndef STRATA_KVM_VIRTIO_MMIO_H
#define STRATA_KVM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "kvm-shim/virtqueue.h"

#define VIRTIO_MMIO_MAGIC 0x74726976U /* "virt" */
#define VIRTIO_MMIO_VERSION 2
#define VIRTIO_VENDOR_STRATA 0x53545241U /* "STRA" */

/* Register offsets, virtio 1.2 §4.2.2. */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION_REG 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

/* Device status bits, virtio 1.2 §2.1. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

#define VIRTIO_INT_USED_BUFFER 1
#define VIRTIO_INT_CONFIG_CHANGE 2

#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_MAX_QUEUES 8

struct vm;
struct virtio_mmio_dev;

/*
 * struct virtio_device_ops - what a virtio device implements.
 * All callbacks run with the transport lock held: queue_notify on the device
 * I/O thread (vmm_iothread.h; on the vCPU thread in its fallback), the
 * others on a vCPU thread, and a device's own input function on its caller's
 * thread.  The lock guards every field of struct virtio_mmio_dev.
 */
struct virtio_device_ops {
	const char *name;      /* "console", "9p" */
	uint32_t device_id;    /* virtio 1.2 §5: 3 console, 9 9p */
	unsigned num_queues;   /* <= VIRTIO_MAX_QUEUES */
	uint32_t config_size;  /* bytes of device config space */
	/* Feature bits the device offers (VERSION_1 and INDIRECT_DESC are added by the transport). */
	uint64_t (*features)(void *dev);
	/* Config space access; offset + len <= config_size is guaranteed. */
	void (*config_read)(void *dev, uint32_t offset, uint8_t *data, uint32_t len);
	void (*config_write)(void *dev, uint32_t offset, const uint8_t *data, uint32_t len);
	/* The driver notified queue q (ready and checked). */
	void (*queue_notify)(struct virtio_mmio_dev *t, unsigned q);
	/* Device reset (status 0 written); the transport resets its own state. */
	void (*reset)(void *dev);
	/* Free the device state (at vm_destroy). */
	void (*destroy)(void *dev);
};

struct virtio_mmio_dev {
	struct vm *vm;
	struct guest_mem mem;
	uint64_t base;   /* guest-physical window */
	uint32_t irq;    /* GSI */
	const struct virtio_device_ops *ops;
	void *dev;       /* device state, owned (ops->destroy) */
	pthread_mutex_t lock;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint64_t driver_features;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t interrupt_status;
	uint32_t config_generation;
	int irq_level;
	struct virtqueue queues[VIRTIO_MAX_QUEUES];
	unsigned errors;  /* malformed chains seen (reported once each in the detail) */
};

/*
 * vm_add_virtio - put a device on the VM's MMIO bus at the next free window
 * and IRQ, and append its virtio_mmio.device= word to vm->virtio_cmdline.
 * Must be called before vm_load_kernel (which writes the command line) and
 * before vm_run.  On success the VM owns dev (freed through ops->destroy);
 * on failure the caller still owns it.  *out may be NULL.
 * Errors: ENOSPC when VM_MAX_VIRTIO devices exist, ENOMEM.
 */
int vm_add_virtio(struct vm *vm, const struct virtio_device_ops *ops, void *dev, struct virtio_mmio_dev **out,
		  strata_error_t *err);

/*
 * virtio_mmio_init - set up a transport without a VM bus (unit tests and
 * vm_add_virtio): mem is guest RAM, irq 0 with vm NULL means no interrupts.
 */
void virtio_mmio_init(struct virtio_mmio_dev *t, struct vm *vm, struct guest_mem mem, uint64_t base, uint32_t irq,
		      const struct virtio_device_ops *ops, void *dev);

/* virtio_mmio_io - the MMIO bus callback (vmm_io_fn) for one device window. */
void virtio_mmio_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/*
 * virtio_mmio_used - tell the driver queue q has new used buffers: set
 * InterruptStatus bit 0 and raise the IRQ line.  Lock held (device callbacks).
 */
void virtio_mmio_used(struct virtio_mmio_dev *t, unsigned q);

/*
 * virtio_mmio_fail - the driver broke the protocol: set DEVICE_NEEDS_RESET,
 * raise a config-change interrupt (virtio 1.2 §2.1.2).  Lock held.
 */
void virtio_mmio_fail(struct virtio_mmio_dev *t, const char *why);

/* virtio_mmio_destroy - free the device and the transport (NULL is fine). */
void virtio_mmio_destroy(struct virtio_mmio_dev *t);

#endif
