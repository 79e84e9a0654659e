/* SPDX-License-Identifier: GPL-2.0-or-later */
/* p9_wire.c - bounds-checked 9P field encoding and decoding. */
#include "kvm-shim/p9_wire.h"

#include <string.h>

static const uint8_t *take(struct p9_in *in, size_t n)
{
	if (in->err || n > in->len - in->pos) {
		in->err = true;
		return NULL;
	}
	const uint8_t *p = in->p + in->pos;
	in->pos += n;
	return p;
}

uint8_t p9_get8(struct p9_in *in)
{
	const uint8_t *p = take(in, 1);
	return p ? p[0] : 0;
}

uint16_t p9_get16(struct p9_in *in)
{
	const uint8_t *p = take(in, 2);
	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t p9_get32(struct p9_in *in)
{
	const uint8_t *p = take(in, 4);
	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

uint64_t p9_get64(struct p9_in *in)
{
	uint64_t lo = p9_get32(in);
	uint64_t hi = p9_get32(in);
	return lo | hi << 32;
}

void p9_get_str(struct p9_in *in, char *out, size_t cap)
{
	out[0] = '\0';
	uint16_t n = p9_get16(in);
	const uint8_t *p = take(in, n);
	if (p == NULL)
		return;
	if ((size_t)n >= cap || memchr(p, '\0', n) != NULL) {
		in->err = true;
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

uint8_t *p9_put_reserve(struct p9_out *o, size_t n)
{
	if (o->err || n > o->cap - o->pos) {
		o->err = true;
		return NULL;
	}
	uint8_t *p = o->p + o->pos;
	o->pos += n;
	return p;
}

void p9_put8(struct p9_out *o, uint8_t v)
{
	uint8_t *p = p9_put_reserve(o, 1);
	if (p)
		p[0] = v;
}

void p9_put16(struct p9_out *o, uint16_t v)
{
	uint8_t *p = p9_put_reserve(o, 2);
	if (p) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
	}
}

void p9_put32(struct p9_out *o, uint32_t v)
{
	uint8_t *p = p9_put_reserve(o, 4);
	if (p)
		for (int i = 0; i < 4; i++)
			p[i] = (uint8_t)(v >> (8 * i));
}

void p9_put64(struct p9_out *o, uint64_t v)
{
	p9_put32(o, (uint32_t)v);
	p9_put32(o, (uint32_t)(v >> 32));
}

void p9_put_str(struct p9_out *o, const char *s)
{
	size_t n = strlen(s);
	if (n > 0xffff) {
		o->err = true;
		return;
	}
	p9_put16(o, (uint16_t)n);
	uint8_t *p = p9_put_reserve(o, n);
	if (p)
		memcpy(p, s, n);
}

void p9_put_qid(struct p9_out *o, const struct p9_qid *q)
{
	p9_put8(o, q->type);
	p9_put32(o, q->version);
	p9_put64(o, q->path);
}
