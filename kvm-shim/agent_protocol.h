/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent_protocol.h - the wire protocol between the host (strata's VMM, or the
 * test client tests/vm/agent-host.py) and the guest agent (kvm-shim/guest/agent/,
 * PID 1 of the vm level's guest).
 *
 * Transport: one byte stream, the first virtio-console port of the guest
 * (/dev/hvc0, switched to raw mode by the agent; `strata.agent_port=PATH` on
 * the kernel command line names another device, e.g. /dev/vport0p1).
 *
 * Framing: every message is one frame, a 12-byte header then `length` bytes
 * of payload.  All integers on the wire are little-endian.
 *
 *     u32 type     enum agent_msg_type
 *     u32 id       the process the frame is about: 0 = the container's init
 *                  (the config's `process`), k >= 1 = the process of EXEC k
 *     u32 length   payload bytes, at most AGENT_FRAME_MAX_PAYLOAD
 *
 * Conversation (version 1):
 *   agent -> READY(version)                      once, after boot and mounts
 *   host  -> CREATE(shares, config.json)        agent -> CREATED(pid) or ERROR
 *   host  -> START                              agent -> STARTED(pid) or ERROR
 *   agent -> STDOUT/STDERR(id 0, bytes)...      the init's output, in order
 *   host  -> STDIN(id 0, bytes)... STDIN(empty) (with AGENT_CREATE_STDIN)
 *   host  -> SIGNAL(id, signo)                  (any time after CREATED)
 *   host  -> EXEC(k, process.json)              agent -> STARTED(k, pid) or ERROR(k)
 *            (or EXEC_STDIN: the same, stdin fed by STDIN(k) frames)
 *   host  -> STDIN(k, bytes)... STDIN(k, empty)  (after EXEC_STDIN)
 *   agent -> STDOUT/STDERR(k, bytes)... EXIT(k, status)
 *   agent -> EXIT(0, status)                    after all of the init's output
 * After EXIT(0) the agent deletes the container; with
 * AGENT_CREATE_POWEROFF_ON_EXIT it then powers the guest off (reboot; the VMM
 * boots the kernel with `reboot=t`), otherwise it waits for the next CREATE.
 * POWEROFF powers the guest off at once (the container, if any, is killed).
 * A frame the agent cannot parse is answered with ERROR; an unknown type too.
 * Exit status: 0-255 from exit(2); 128+N for death by signal N (as a shell).
 *
 * Everything here is static inline so that the agent, the VMM and the unit
 * test (tests/unit/test_agent_protocol.c) share one definition.
 */
#ifndef STRATA_KVM_SHIM_AGENT_PROTOCOL_H
#define STRATA_KVM_SHIM_AGENT_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Protocol version, sent in READY.  Bump on any incompatible change. */
#define AGENT_PROTOCOL_VERSION 1u

/* Bytes of a frame header. */
#define AGENT_FRAME_HEADER_SIZE 12u

/* Largest payload of one frame, bytes (config.json must fit in one CREATE). */
#define AGENT_FRAME_MAX_PAYLOAD (1u << 20)

/* Largest STDOUT/STDERR payload the agent sends in one frame, bytes. */
#define AGENT_OUTPUT_CHUNK 16384u

/* Limits of a CREATE share entry. */
#define AGENT_SHARE_TAG_MAX 64u    /* bytes of a 9p mount tag */
#define AGENT_SHARE_PATH_MAX 4096u /* bytes of a guest path */
#define AGENT_SHARES_MAX 64u       /* share entries in one CREATE */

/* CREATE flags. */
#define AGENT_CREATE_POWEROFF_ON_EXIT 0x1u /* power off after EXIT(0) (no delete first) */
#define AGENT_CREATE_STDIN 0x2u            /* the init's stdin is fed by STDIN frames (else /dev/null) */

/* Bytes of STDIN data the agent buffers for a process that does not read. */
#define AGENT_STDIN_BUFFER_MAX (4u << 20)

enum agent_msg_type {
	/* agent -> host, id 0.  Payload: u32 protocol version.  Sent once when
	 * the guest is up (proc, sys, dev, cgroup2, tmp mounted, port raw). */
	AGENT_MSG_READY = 1,
	/* host -> agent, id 0.  Payload: u32 flags (AGENT_CREATE_*), u32 n,
	 * n share entries { u32 tag_len, tag, u32 path_len, path }, then the
	 * bytes of config.json to the end of the payload.  Each share is a
	 * virtio-9p mount tag the agent mounts (trans=virtio, 9p2000.L) at the
	 * guest path; a relative path is relative to the guest's bundle
	 * directory (so "rootfs" with the config's `root.path: "rootfs"`), an
	 * absolute one is used as is (a bind mount's host source path, so the
	 * config's `mounts` need no rewriting).  Shares are mounted in order. */
	AGENT_MSG_CREATE = 2,
	/* agent -> host, id 0.  Payload: u32 pid of the container's init (in
	 * the guest's pid namespace), waiting at the start gate. */
	AGENT_MSG_CREATED = 3,
	/* host -> agent, id 0.  No payload.  Runs the created container. */
	AGENT_MSG_START = 4,
	/* agent -> host, id 0 or k.  Payload: u32 pid (guest pid namespace) of
	 * the process that now runs: the init after START, process k after EXEC. */
	AGENT_MSG_STARTED = 5,
	/* host -> agent, id 0 or k.  Payload: u32 signal number (signal(7)),
	 * sent to the init (id 0) or to process k. */
	AGENT_MSG_SIGNAL = 6,
	/* host -> agent, id k >= 1 chosen by the host, unused so far.  Payload:
	 * a runtime-spec `process` JSON object (config.md#process) run inside
	 * the running container, joining its namespaces and cgroup. */
	AGENT_MSG_EXEC = 7,
	/* agent -> host, id 0 or k.  Payload: bytes the process wrote to its
	 * stdout / stderr (at most AGENT_OUTPUT_CHUNK per frame). */
	AGENT_MSG_STDOUT = 8,
	AGENT_MSG_STDERR = 9,
	/* agent -> host, id 0 or k.  Payload: u32 exit status (0-255, or
	 * 128+N for signal N).  Last frame about that id. */
	AGENT_MSG_EXIT = 10,
	/* agent -> host, id of the request that failed.  Payload: UTF-8 text,
	 * no terminating NUL (e.g. the runtime's error line). */
	AGENT_MSG_ERROR = 11,
	/* host -> agent, id 0.  No payload.  Kill the container, power off. */
	AGENT_MSG_POWEROFF = 12,
	/* host -> agent, id 0 (a CREATE with AGENT_CREATE_STDIN) or k (an
	 * EXEC_STDIN).  Payload: bytes for that process's stdin, in order; an
	 * empty payload closes it (the process reads EOF).  More than
	 * AGENT_STDIN_BUFFER_MAX unread bytes are refused with ERROR (there is
	 * no flow control: the host must not send more than that ahead). */
	AGENT_MSG_STDIN = 13,
	/* host -> agent, id k >= 1.  As EXEC, but the process's stdin is a pipe
	 * fed by STDIN(k) frames instead of /dev/null.  An agent older than
	 * this type answers ERROR(k) (unknown type). */
	AGENT_MSG_EXEC_STDIN = 14,
};

/* One decoded frame header (host byte order). */
struct agent_frame_header {
	uint32_t type;
	uint32_t id;
	uint32_t length;
};

/* agent_put_u32 - store v little-endian at p (4 bytes). */
static inline void agent_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* agent_get_u32 - load a little-endian u32 from p (4 bytes). */
static inline uint32_t agent_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* agent_msg_type_valid - whether `type` is a message of this version. */
static inline bool agent_msg_type_valid(uint32_t type)
{
	return type >= AGENT_MSG_READY && type <= AGENT_MSG_EXEC_STDIN;
}

/* agent_frame_header_encode - write the 12-byte header of a frame into out. */
static inline void agent_frame_header_encode(uint8_t out[AGENT_FRAME_HEADER_SIZE], uint32_t type, uint32_t id,
					     uint32_t length)
{
	agent_put_u32(out, type);
	agent_put_u32(out + 4, id);
	agent_put_u32(out + 8, length);
}

/*
 * agent_frame_header_decode - read a 12-byte header from in into *h.
 * Returns 0, or -1 when the length exceeds AGENT_FRAME_MAX_PAYLOAD (the
 * stream cannot be resynchronised: the reader must give up on it).  An
 * unknown type is not an error here: the payload is skipped and answered
 * with ERROR, so a newer host can talk to an older agent.
 */
static inline int agent_frame_header_decode(const uint8_t in[AGENT_FRAME_HEADER_SIZE], struct agent_frame_header *h)
{
	h->type = agent_get_u32(in);
	h->id = agent_get_u32(in + 4);
	h->length = agent_get_u32(in + 8);
	return h->length > AGENT_FRAME_MAX_PAYLOAD ? -1 : 0;
}

/* One share entry of a CREATE payload; tag and path point into the payload
 * and are NOT NUL-terminated (use the lengths). */
struct agent_share {
	const char *tag;
	uint32_t tag_len;
	const char *path;
	uint32_t path_len;
};

/* A decoded CREATE payload; pointers into the payload buffer, which must
 * outlive it. */
struct agent_create {
	uint32_t flags;
	uint32_t n_shares;
	struct agent_share shares[AGENT_SHARES_MAX];
	const char *config;   /* config.json bytes, not NUL-terminated */
	size_t config_len;
};

/* Read a length-prefixed string at *off of p (len bytes) into s/slen. */
static inline int agent_take_string(const uint8_t *p, size_t len, size_t *off, uint32_t max, const char **s,
				    uint32_t *slen)
{
	if (len - *off < 4)
		return -1;
	uint32_t n = agent_get_u32(p + *off);
	*off += 4;
	if (n == 0 || n > max || len - *off < n)
		return -1;
	if (memchr(p + *off, '\0', n) != NULL)
		return -1;
	*s = (const char *)(p + *off);
	*slen = n;
	*off += n;
	return 0;
}

/*
 * agent_create_decode - parse a CREATE payload (p, len bytes) into *c.
 * Returns 0, or -1 when the payload is truncated, names more than
 * AGENT_SHARES_MAX shares, has an empty or over-long tag or path, a NUL
 * inside one, or an empty config.
 */
static inline int agent_create_decode(const uint8_t *p, size_t len, struct agent_create *c)
{
	size_t off = 0;
	if (len < 8)
		return -1;
	c->flags = agent_get_u32(p);
	c->n_shares = agent_get_u32(p + 4);
	off = 8;
	if (c->n_shares > AGENT_SHARES_MAX)
		return -1;
	for (uint32_t i = 0; i < c->n_shares; i++) {
		struct agent_share *s = &c->shares[i];
		if (agent_take_string(p, len, &off, AGENT_SHARE_TAG_MAX, &s->tag, &s->tag_len) < 0 ||
		    agent_take_string(p, len, &off, AGENT_SHARE_PATH_MAX, &s->path, &s->path_len) < 0)
			return -1;
	}
	if (off >= len)
		return -1;
	c->config = (const char *)(p + off);
	c->config_len = len - off;
	return 0;
}

/*
 * agent_create_encode - write a CREATE payload for `n` shares (tags[i] mounted
 * at paths[i], NUL-terminated strings) and config (config_len bytes) into
 * out (out_size bytes; NULL with out_size 0 to measure).  Returns the
 * payload size in bytes, or 0 when it would not fit out_size or breaks a
 * limit (then nothing useful is in out).  Use the size for the frame header.
 */
static inline size_t agent_create_encode(uint8_t *out, size_t out_size, uint32_t flags, uint32_t n,
					 const char *const *tags, const char *const *paths, const char *config,
					 size_t config_len)
{
	if (n > AGENT_SHARES_MAX || config_len == 0)
		return 0;
	size_t need = 8 + config_len;
	for (uint32_t i = 0; i < n; i++) {
		size_t t = strlen(tags[i]), q = strlen(paths[i]);
		if (t == 0 || t > AGENT_SHARE_TAG_MAX || q == 0 || q > AGENT_SHARE_PATH_MAX)
			return 0;
		need += 8 + t + q;
	}
	if (need > AGENT_FRAME_MAX_PAYLOAD)
		return 0;
	if (out == NULL)
		return need;
	if (out_size < need)
		return 0;
	agent_put_u32(out, flags);
	agent_put_u32(out + 4, n);
	size_t off = 8;
	for (uint32_t i = 0; i < n; i++) {
		const char *s[2] = { tags[i], paths[i] };
		for (int j = 0; j < 2; j++) {
			uint32_t l = (uint32_t)strlen(s[j]);
			agent_put_u32(out + off, l);
			memcpy(out + off + 4, s[j], l);
			off += 4 + l;
		}
	}
	memcpy(out + off, config, config_len);
	return need;
}

#endif
