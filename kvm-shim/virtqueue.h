/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtqueue.h - the device side of a virtio split virtqueue.
 *
 * The driver (guest) owns three areas in guest memory: the descriptor table
 * (16 bytes per entry), the available ring (flags, idx, ring[num]) and the
 * used ring (flags, idx, {id, len}[num]).  virtqueue_pop() takes the next
 * available descriptor chain and turns it into a list of guest buffers,
 * virtqueue_push() returns it in the used ring.  Every address and length
 * the guest gives is checked against guest RAM before use, chains are
 * bounded (no loops), and each descriptor is read exactly once (the guest can
 * rewrite the table at any time).  Indirect descriptors are supported.
 * Source: virtio 1.2 §2.7 (split virtqueues), §2.7.5.3 (indirect), §2.7.13
 * (supplying buffers), §2.7.14 (used buffers).
 */
#ifndef STRATA_KVM_VIRTQUEUE_H
#define STRATA_KVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
/* Largest queue size a device offers (QueueNumMax). */
#define VIRTQ_MAX_SIZE 256
/* Most buffers one chain may have (direct + indirect): the largest queue size,
 * which bounds a chain (virtio 1.2 §2.7.5.3.1).  Linux's 9p transport sends
 * zero-copy reads and readdirs of up to msize bytes as one page per buffer:
 * with msize 256 KiB that is 64 data pages plus the headers, so a smaller
 * bound fails the device and hangs the guest's first `ls`. */
#define VIRTQ_MAX_CHAIN VIRTQ_MAX_SIZE

/* Guest RAM as the device sees it: guest-physical 0..size at host `base`. */
struct guest_mem {
	uint8_t *base;
	uint64_t size;
};

/*
 * guest_mem_ptr - host pointer for guest [gpa, gpa+len) or NULL when any part
 * is outside RAM (overflow-safe).
 */
void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

struct virtqueue {
	uint16_t num;          /* queue size set by the driver (power of 2, <= VIRTQ_MAX_SIZE) */
	bool ready;
	uint64_t desc_addr;    /* guest-physical */
	uint64_t avail_addr;
	uint64_t used_addr;
	uint16_t last_avail;   /* next avail ring index to consume (free-running) */
	uint16_t used_idx;     /* next used ring index to fill (free-running) */
};

/* One guest buffer of a chain; `gpa` is already bounds-checked. */
struct virtq_buf {
	uint64_t gpa;
	uint32_t len;
	bool device_writable;
};

struct virtq_chain {
	uint16_t head;         /* id to give back to virtqueue_push */
	unsigned n;            /* buffers in bufs[] */
	unsigned n_readable;   /* the first n_readable bufs are driver->device */
	struct virtq_buf bufs[VIRTQ_MAX_CHAIN];
};

/* virtqueue_reset - forget everything (device reset / queue not ready). */
void virtqueue_reset(struct virtqueue *vq);

/*
 * virtqueue_check - validate the ring addresses against mem when the driver
 * sets QueueReady: num a power of two <= VIRTQ_MAX_SIZE, all three areas
 * inside RAM and aligned (desc 16, avail 2, used 4).  Returns 0 or -1 (EINVAL).
 */
int virtqueue_check(const struct virtqueue *vq, const struct guest_mem *mem, strata_error_t *err);

/*
 * virtqueue_pop - take the next available chain into *chain.
 * Returns 1 with a chain, 0 when the ring is empty, -1 (EINVAL, message
 * says what) when the guest gave a malformed chain: index >= num, a loop or
 * more than VIRTQ_MAX_CHAIN buffers, a buffer outside RAM, a readable buffer
 * after a writable one, nested or chained indirect tables.  A malformed chain
 * is consumed (the device should then set DEVICE_NEEDS_RESET).
 */
int virtqueue_pop(struct virtqueue *vq, const struct guest_mem *mem, struct virtq_chain *chain, strata_error_t *err);

/*
 * virtqueue_push - put chain `head` in the used ring with `written` bytes
 * written by the device.  Returns true when the driver wants an interrupt
 * (VIRTQ_AVAIL_F_NO_INTERRUPT clear).  The queue must have passed
 * virtqueue_check.
 */
bool virtqueue_push(struct virtqueue *vq, const struct guest_mem *mem, uint16_t head, uint32_t written);

/*
 * virtq_chain_read - copy up to `len` bytes of the chain's readable part,
 * starting `offset` bytes into it, to dst.  Returns the bytes copied.
 */
size_t virtq_chain_read(const struct virtq_chain *c, const struct guest_mem *mem, size_t offset, void *dst,
			size_t len);

/*
 * virtq_chain_write - copy len bytes from src into the chain's writable
 * part starting `offset` bytes into it.  Returns the bytes copied (less than
 * len when the buffers are too small).
 */
size_t virtq_chain_write(const struct virtq_chain *c, const struct guest_mem *mem, size_t offset, const void *src,
			 size_t len);

/* virtq_chain_readable_len / writable_len - total bytes of each part. */
size_t virtq_chain_readable_len(const struct virtq_chain *c);
size_t virtq_chain_writable_len(const struct virtq_chain *c);

#endif
