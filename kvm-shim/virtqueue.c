/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtqueue.c - split virtqueue, device side (virtio 1.2 §2.7). */
#include "kvm-shim/virtqueue.h"

#include <errno.h>
#include <string.h>

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc layout");

void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (gpa > mem->size || len > mem->size - gpa)
		return NULL;
	return mem->base + gpa;
}

void virtqueue_reset(struct virtqueue *vq)
{
	memset(vq, 0, sizeof(*vq));
}

static uint64_t avail_bytes(uint16_t num) { return 4 + 2ULL * num + 2; }
static uint64_t used_bytes(uint16_t num) { return 4 + 8ULL * num + 2; }

int virtqueue_check(const struct virtqueue *vq, const struct guest_mem *mem, strata_error_t *err)
{
	if (vq->num == 0 || vq->num > VIRTQ_MAX_SIZE || (vq->num & (vq->num - 1)) != 0)
		return strata_error_set(err, EINVAL, "queue size %u is not a power of two <= %d", vq->num, VIRTQ_MAX_SIZE);
	if ((vq->desc_addr & 15) || (vq->avail_addr & 1) || (vq->used_addr & 3))
		return strata_error_set(err, EINVAL, "misaligned virtqueue areas");
	if (guest_mem_ptr(mem, vq->desc_addr, 16ULL * vq->num) == NULL ||
	    guest_mem_ptr(mem, vq->avail_addr, avail_bytes(vq->num)) == NULL ||
	    guest_mem_ptr(mem, vq->used_addr, used_bytes(vq->num)) == NULL)
		return strata_error_set(err, EINVAL, "virtqueue areas are outside guest RAM");
	return 0;
}

/* Guest-written 16-bit field read once, with acquire ordering. */
static uint16_t load16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

static int add_buf(struct virtq_chain *c, const struct guest_mem *mem, const struct virtq_desc *d,
		   strata_error_t *err)
{
	if (c->n >= VIRTQ_MAX_CHAIN)
		return strata_error_set(err, EINVAL, "descriptor chain longer than %d", VIRTQ_MAX_CHAIN);
	if (guest_mem_ptr(mem, d->addr, d->len) == NULL)
		return strata_error_set(err, EINVAL, "descriptor buffer 0x%llx+%u is outside guest RAM",
					(unsigned long long)d->addr, d->len);
	bool w = d->flags & VIRTQ_DESC_F_WRITE;
	if (!w && c->n > c->n_readable)
		return strata_error_set(err, EINVAL, "readable descriptor after a writable one");
	c->bufs[c->n++] = (struct virtq_buf){ .gpa = d->addr, .len = d->len, .device_writable = w };
	if (!w)
		c->n_readable++;
	return 0;
}

/* Walk an indirect table (virtio 1.2 §2.7.5.3): no nesting, `next` inside the table. */
static int walk_indirect(struct virtq_chain *c, const struct guest_mem *mem, const struct virtq_desc *ind,
			 strata_error_t *err)
{
	if (ind->len == 0 || ind->len % 16 != 0 || ind->len / 16 > VIRTQ_MAX_CHAIN)
		return strata_error_set(err, EINVAL, "indirect table length %u is invalid", ind->len);
	const struct virtq_desc *table = guest_mem_ptr(mem, ind->addr, ind->len);
	if (table == NULL)
		return strata_error_set(err, EINVAL, "indirect table is outside guest RAM");
	unsigned n = ind->len / 16;
	unsigned i = 0;
	for (unsigned steps = 0;; steps++) {
		if (steps >= n)
			return strata_error_set(err, EINVAL, "indirect descriptor loop");
		struct virtq_desc d;
		memcpy(&d, &table[i], sizeof(d)); /* read once */
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return strata_error_set(err, EINVAL, "nested indirect descriptor");
		if (add_buf(c, mem, &d, err) < 0)
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return strata_error_set(err, EINVAL, "indirect next %u out of table of %u", d.next, n);
		i = d.next;
	}
}

int virtqueue_pop(struct virtqueue *vq, const struct guest_mem *mem, struct virtq_chain *chain, strata_error_t *err)
{
	if (!vq->ready)
		return 0;
	const uint8_t *avail = guest_mem_ptr(mem, vq->avail_addr, avail_bytes(vq->num));
	const struct virtq_desc *desc = guest_mem_ptr(mem, vq->desc_addr, 16ULL * vq->num);
	if (avail == NULL || desc == NULL)
		return strata_error_set(err, EINVAL, "virtqueue areas are outside guest RAM");
	uint16_t avail_idx = load16(avail + 2);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
		return strata_error_set(err, EINVAL, "available index moved %u entries past a queue of %u",
					(uint16_t)(avail_idx - vq->last_avail), vq->num);
	}
	uint16_t head = load16(avail + 4 + 2 * (vq->last_avail % vq->num));
	vq->last_avail++;
	memset(chain, 0, sizeof(*chain));
	chain->head = head;
	if (head >= vq->num)
		return strata_error_set(err, EINVAL, "descriptor head %u out of a queue of %u", head, vq->num);
	uint16_t i = head;
	for (unsigned steps = 0;; steps++) {
		if (steps >= vq->num)
			return strata_error_set(err, EINVAL, "descriptor chain loops");
		struct virtq_desc d;
		memcpy(&d, &desc[i], sizeof(d)); /* read once: the guest may change it */
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return strata_error_set(err, EINVAL, "indirect descriptor with NEXT");
			if (walk_indirect(chain, mem, &d, err) < 0)
				return -1;
			return 1;
		}
		if (add_buf(chain, mem, &d, err) < 0)
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 1;
		if (d.next >= vq->num)
			return strata_error_set(err, EINVAL, "descriptor next %u out of a queue of %u", d.next, vq->num);
		i = d.next;
	}
}

bool virtqueue_push(struct virtqueue *vq, const struct guest_mem *mem, uint16_t head, uint32_t written)
{
	uint8_t *used = guest_mem_ptr(mem, vq->used_addr, used_bytes(vq->num));
	const uint8_t *avail = guest_mem_ptr(mem, vq->avail_addr, avail_bytes(vq->num));
	if (used == NULL || avail == NULL)
		return false;
	uint8_t *elem = used + 4 + 8 * (vq->used_idx % vq->num);
	uint32_t id = head;
	memcpy(elem, &id, 4);
	memcpy(elem + 4, &written, 4);
	vq->used_idx++;
	/* The element must be visible before the index that publishes it. */
	__atomic_store_n((uint16_t *)(used + 2), vq->used_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(load16(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

size_t virtq_chain_readable_len(const struct virtq_chain *c)
{
	size_t n = 0;
	for (unsigned i = 0; i < c->n_readable; i++)
		n += c->bufs[i].len;
	return n;
}

size_t virtq_chain_writable_len(const struct virtq_chain *c)
{
	size_t n = 0;
	for (unsigned i = c->n_readable; i < c->n; i++)
		n += c->bufs[i].len;
	return n;
}

size_t virtq_chain_read(const struct virtq_chain *c, const struct guest_mem *mem, size_t offset, void *dst,
			size_t len)
{
	size_t done = 0;
	for (unsigned i = 0; i < c->n_readable && done < len; i++) {
		const struct virtq_buf *b = &c->bufs[i];
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		size_t n = b->len - offset;
		if (n > len - done)
			n = len - done;
		const uint8_t *src = guest_mem_ptr(mem, b->gpa + offset, n);
		if (src == NULL)
			break;
		memcpy((uint8_t *)dst + done, src, n);
		done += n;
		offset = 0;
	}
	return done;
}

size_t virtq_chain_write(const struct virtq_chain *c, const struct guest_mem *mem, size_t offset, const void *src,
			 size_t len)
{
	size_t done = 0;
	for (unsigned i = c->n_readable; i < c->n && done < len; i++) {
		const struct virtq_buf *b = &c->bufs[i];
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		size_t n = b->len - offset;
		if (n > len - done)
			n = len - done;
		uint8_t *dst = guest_mem_ptr(mem, b->gpa + offset, n);
		if (dst == NULL)
			break;
		memcpy(dst, (const uint8_t *)src + done, n);
		done += n;
		offset = 0;
	}
	return done;
}
