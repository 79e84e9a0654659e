/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * p9_wire.h - 9P message encoding: little-endian integers, strings as
 * len[2] + bytes, qids as type[1] version[4] path[8].
 *
 * Readers never run past the message: a short or malformed field sets
 * `err` and yields 0 / an empty string, so a handler checks `err` once after
 * parsing all fields.  Writers likewise stop at the buffer's capacity.
 * Source: 9P2000 intro(5) "Messages"; 9P2000.L (Linux v9fs) protocol notes.
 */
#ifndef STRATA_KVM_P9_WIRE_H
#define STRATA_KVM_P9_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of size[4] type[1] tag[2] that start every message. */
#define P9_HEADER_SIZE 7
/* Longest string the server accepts (a name or a path component). */
#define P9_MAX_STRING 4096

struct p9_qid {
	uint8_t type;    /* P9_QTDIR 0x80, P9_QTSYMLINK 0x02, P9_QTFILE 0 */
	uint32_t version;
	uint64_t path;   /* unique per file: the inode number */
};

struct p9_in {
	const uint8_t *p;
	size_t len;
	size_t pos;
	bool err;
};

struct p9_out {
	uint8_t *p;
	size_t cap;
	size_t pos;
	bool err;
};

uint8_t p9_get8(struct p9_in *in);
uint16_t p9_get16(struct p9_in *in);
uint32_t p9_get32(struct p9_in *in);
uint64_t p9_get64(struct p9_in *in);
/*
 * p9_get_str - read a string into out[cap] (NUL-terminated).  Sets err when
 * the string runs past the message, is longer than cap-1, or contains a NUL.
 */
void p9_get_str(struct p9_in *in, char *out, size_t cap);

void p9_put8(struct p9_out *o, uint8_t v);
void p9_put16(struct p9_out *o, uint16_t v);
void p9_put32(struct p9_out *o, uint32_t v);
void p9_put64(struct p9_out *o, uint64_t v);
void p9_put_str(struct p9_out *o, const char *s);
void p9_put_qid(struct p9_out *o, const struct p9_qid *q);
/* p9_put_reserve - reserve n bytes and return a pointer to them (NULL and err when full). */
uint8_t *p9_put_reserve(struct p9_out *o, size_t n);

#endif
