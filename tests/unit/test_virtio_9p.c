/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_virtio_9p.c - the VMM's 9P2000.L server: message parsing, the
 * operations the guest uses, and confinement to the shared directory
 * (".." and symlinks never leave it).  Runs on a temporary host directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvm-shim/p9_server.h"
#include "kvm-shim/p9_wire.h"
#include "runtime/vm_shares.h"

#define RLERROR 7

struct fx {
	char dir[64];
	struct p9_server *s;
	uint8_t resp[65536];
	size_t resp_len;
	uint16_t tag;
	int orig_ns; /* when > 0: the mount namespace a test left, re-entered by teardown */
};

static void sh(const char *fmt, const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), fmt, dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/strata-9p-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	/* share/hello.txt, share/etc/passwd ("inside"), symlinks that try to leave. */
	sh("cd %s && printf 'hello 9p' > hello.txt && mkdir etc sub && printf inside > etc/passwd", f->dir);
	sh("cd %s && ln -s /etc/passwd abs && ln -s ../../../../../etc/passwd rel && ln -s /etc etcdir", f->dir);
	strata_error_t err = NULL;
	if (p9_server_new(f->dir, false, &f->s, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	p9_server_free(f->s);
	if (f->orig_ns > 0) {
		/* A test that unshared its mounts: rm must not reach into them. */
		if (setns(f->orig_ns, CLONE_NEWNS) < 0)
			return -1;
		close(f->orig_ns);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Message builder: begin, fields, then send (fills in size). */
struct msg {
	uint8_t buf[8192];
	struct p9_out o;
};

static void begin(struct fx *f, struct msg *m, uint8_t type)
{
	m->o = (struct p9_out){ .p = m->buf, .cap = sizeof(m->buf) };
	p9_put32(&m->o, 0);
	p9_put8(&m->o, type);
	p9_put16(&m->o, ++f->tag);
}

/* Send; returns the R type and leaves an input cursor after the header in *in. */
static uint8_t send(struct fx *f, struct msg *m, struct p9_in *in)
{
	struct p9_out h = { .p = m->buf, .cap = 4 };
	p9_put32(&h, (uint32_t)m->o.pos);
	f->resp_len = p9_server_handle(f->s, m->buf, m->o.pos, f->resp, sizeof(f->resp));
	*in = (struct p9_in){ .p = f->resp, .len = f->resp_len };
	uint32_t size = p9_get32(in);
	assert_int_equal(size, f->resp_len);
	uint8_t type = p9_get8(in);
	uint16_t tag = p9_get16(in);
	assert_int_equal(tag, f->tag);
	return type;
}

static uint32_t expect_error(struct fx *f, struct msg *m)
{
	struct p9_in in;
	assert_int_equal(send(f, m, &in), RLERROR);
	return p9_get32(&in);
}

static void version_attach(struct fx *f)
{
	struct msg m;
	struct p9_in in;
	begin(f, &m, 100);
	p9_put32(&m.o, 1 << 20);
	p9_put_str(&m.o, "9P2000.L");
	assert_int_equal(send(f, &m, &in), 101);
	assert_int_equal(p9_get32(&in), P9_MAX_MSIZE); /* clamped */
	char v[16];
	p9_get_str(&in, v, sizeof(v));
	assert_string_equal(v, "9P2000.L");
	begin(f, &m, 104);
	p9_put32(&m.o, 1);
	p9_put32(&m.o, ~0u);
	p9_put_str(&m.o, "root");
	p9_put_str(&m.o, "");
	p9_put32(&m.o, 0);
	assert_int_equal(send(f, &m, &in), 105);
	assert_int_equal(p9_get8(&in), 0x80); /* qid type: directory */
}

/* Twalk fid -> newfid through names (NULL-terminated); returns the R type, *nq the qids. */
static uint8_t walk(struct fx *f, uint32_t fid, uint32_t newfid, const char **names, uint16_t *nq, uint32_t *err)
{
	struct msg m;
	struct p9_in in;
	uint16_t n = 0;
	while (names[n])
		n++;
	begin(f, &m, 110);
	p9_put32(&m.o, fid);
	p9_put32(&m.o, newfid);
	p9_put16(&m.o, n);
	for (uint16_t i = 0; i < n; i++)
		p9_put_str(&m.o, names[i]);
	uint8_t t = send(f, &m, &in);
	if (t == RLERROR)
		*err = p9_get32(&in);
	else
		*nq = p9_get16(&in);
	return t;
}

static uint8_t lopen(struct fx *f, uint32_t fid, uint32_t flags, uint32_t *err)
{
	struct msg m;
	struct p9_in in;
	begin(f, &m, 12);
	p9_put32(&m.o, fid);
	p9_put32(&m.o, flags);
	uint8_t t = send(f, &m, &in);
	if (t == RLERROR)
		*err = p9_get32(&in);
	return t;
}

/* Tread fid at 0 into out (NUL-terminated). */
static void read_fid(struct fx *f, uint32_t fid, char *out, size_t cap)
{
	struct msg m;
	struct p9_in in;
	begin(f, &m, 116);
	p9_put32(&m.o, fid);
	p9_put64(&m.o, 0);
	p9_put32(&m.o, (uint32_t)cap - 1);
	assert_int_equal(send(f, &m, &in), 117);
	uint32_t n = p9_get32(&in);
	assert_true(n < cap);
	memcpy(out, f->resp + in.pos, n);
	out[n] = '\0';
}

static void test_read_file(void **state)
{
	struct fx *f = *state;
	version_attach(f);
	uint16_t nq = 0;
	uint32_t e = 0;
	const char *p[] = { "hello.txt", NULL };
	assert_int_equal(walk(f, 1, 2, p, &nq, &e), 111);
	assert_int_equal(nq, 1);
	assert_int_equal(lopen(f, 2, O_RDONLY, &e), 13);
	char buf[64];
	read_fid(f, 2, buf, sizeof(buf));
	assert_string_equal(buf, "hello 9p");

	struct msg m;
	struct p9_in in;
	begin(f, &m, 24); /* Tgetattr */
	p9_put32(&m.o, 2);
	p9_put64(&m.o, 0x7ff);
	assert_int_equal(send(f, &m, &in), 25);
	(void)p9_get64(&in);
	struct p9_qid q = { p9_get8(&in), p9_get32(&in), p9_get64(&in) };
	(void)q;
	uint32_t mode = p9_get32(&in);
	assert_true(S_ISREG(mode));
	(void)p9_get32(&in);
	(void)p9_get32(&in);
	(void)p9_get64(&in);
	(void)p9_get64(&in);
	assert_int_equal(p9_get64(&in), 8); /* size */
	assert_false(in.err);

	begin(f, &m, 120); /* Tclunk */
	p9_put32(&m.o, 2);
	assert_int_equal(send(f, &m, &in), 121);
	begin(f, &m, 120); /* twice: the fid is gone */
	p9_put32(&m.o, 2);
	assert_int_equal(expect_error(f, &m), EBADF);
}

static void test_confinement(void **state)
{
	struct fx *f = *state;
	version_attach(f);
	uint16_t nq = 0;
	uint32_t e = 0;
	char buf[64];
	/* ".." at the root stays at the root: this is the share's etc/passwd. */
	const char *up[] = { "..", "..", "..", "etc", "passwd", NULL };
	assert_int_equal(walk(f, 1, 3, up, &nq, &e), 111);
	assert_int_equal(nq, 5);
	assert_int_equal(lopen(f, 3, O_RDONLY, &e), 13);
	read_fid(f, 3, buf, sizeof(buf));
	assert_string_equal(buf, "inside");
	/* A symlinked directory to /etc resolves inside the share too. */
	const char *viadir[] = { "etcdir", "passwd", NULL };
	assert_int_equal(walk(f, 1, 4, viadir, &nq, &e), 111);
	assert_int_equal(lopen(f, 4, O_RDONLY, &e), 13);
	read_fid(f, 4, buf, sizeof(buf));
	assert_string_equal(buf, "inside");
	/* Opening a symlink fid never follows it (the client uses Treadlink). */
	const char *abs[] = { "abs", NULL };
	assert_int_equal(walk(f, 1, 5, abs, &nq, &e), 111);
	assert_int_equal(lopen(f, 5, O_RDONLY, &e), RLERROR);
	assert_int_equal(e, ELOOP);
	const char *rel[] = { "rel", NULL };
	assert_int_equal(walk(f, 1, 6, rel, &nq, &e), 111);
	assert_int_equal(lopen(f, 6, O_RDONLY, &e), RLERROR);
	/* Names with '/' are refused outright. */
	const char *slash[] = { "etc/passwd", NULL };
	assert_int_equal(walk(f, 1, 7, slash, &nq, &e), RLERROR);
	assert_int_equal(e, EINVAL);
	const char *missing[] = { "nope", NULL };
	assert_int_equal(walk(f, 1, 7, missing, &nq, &e), RLERROR);
	assert_int_equal(e, ENOENT);
	/* Partial walk: Rwalk with fewer qids, newfid not created. */
	const char *partial[] = { "sub", "nope", NULL };
	assert_int_equal(walk(f, 1, 8, partial, &nq, &e), 111);
	assert_int_equal(nq, 1);
	assert_int_equal(lopen(f, 8, O_RDONLY, &e), RLERROR);
	assert_int_equal(e, EBADF);
}

static void test_create_write_and_names(void **state)
{
	struct fx *f = *state;
	version_attach(f);
	uint16_t nq = 0;
	uint32_t e = 0;
	struct msg m;
	struct p9_in in;
	const char *sub[] = { "sub", NULL };
	assert_int_equal(walk(f, 1, 2, sub, &nq, &e), 111);
	begin(f, &m, 14); /* Tlcreate sub/new.txt */
	p9_put32(&m.o, 2);
	p9_put_str(&m.o, "new.txt");
	p9_put32(&m.o, O_RDWR);
	p9_put32(&m.o, 0644);
	p9_put32(&m.o, 0);
	assert_int_equal(send(f, &m, &in), 15);
	begin(f, &m, 118); /* Twrite */
	p9_put32(&m.o, 2);
	p9_put64(&m.o, 0);
	p9_put32(&m.o, 5);
	memcpy(p9_put_reserve(&m.o, 5), "guest", 5);
	assert_int_equal(send(f, &m, &in), 119);
	assert_int_equal(p9_get32(&in), 5);
	char path[128], buf[16] = { 0 };
	snprintf(path, sizeof(path), "%s/sub/new.txt", f->dir);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	close(fd);
	assert_string_equal(buf, "guest");

	/* mkdir, rename, unlink through the root fid. */
	begin(f, &m, 72);
	p9_put32(&m.o, 1);
	p9_put_str(&m.o, "d");
	p9_put32(&m.o, 0755);
	p9_put32(&m.o, 0);
	assert_int_equal(send(f, &m, &in), 73);
	begin(f, &m, 74);
	p9_put32(&m.o, 1);
	p9_put_str(&m.o, "d");
	p9_put32(&m.o, 1);
	p9_put_str(&m.o, "d2");
	assert_int_equal(send(f, &m, &in), 75);
	begin(f, &m, 76);
	p9_put32(&m.o, 1);
	p9_put_str(&m.o, "d2");
	p9_put32(&m.o, AT_REMOVEDIR);
	assert_int_equal(send(f, &m, &in), 77);
	/* "..", "." and names with '/' are never a final component. */
	const char *bad[] = { "..", ".", "a/b", "" };
	for (unsigned i = 0; i < 4; i++) {
		begin(f, &m, 72);
		p9_put32(&m.o, 1);
		p9_put_str(&m.o, bad[i]);
		p9_put32(&m.o, 0755);
		p9_put32(&m.o, 0);
		assert_int_equal(expect_error(f, &m), EINVAL);
	}
	/* No device nodes in a host directory. */
	begin(f, &m, 18);
	p9_put32(&m.o, 1);
	p9_put_str(&m.o, "null");
	p9_put32(&m.o, S_IFCHR | 0666);
	p9_put32(&m.o, 1);
	p9_put32(&m.o, 3);
	p9_put32(&m.o, 0);
	assert_int_equal(expect_error(f, &m), EPERM);
}

static void test_readdir(void **state)
{
	struct fx *f = *state;
	version_attach(f);
	uint16_t nq = 0;
	uint32_t e = 0;
	const char *none[] = { NULL };
	assert_int_equal(walk(f, 1, 2, none, &nq, &e), 111); /* clone */
	assert_int_equal(lopen(f, 2, O_RDONLY | O_DIRECTORY, &e), 13);
	struct msg m;
	struct p9_in in;
	begin(f, &m, 40);
	p9_put32(&m.o, 2);
	p9_put64(&m.o, 0);
	p9_put32(&m.o, 4096);
	assert_int_equal(send(f, &m, &in), 41);
	uint32_t count = p9_get32(&in);
	assert_int_equal(count, in.len - in.pos);
	int seen = 0;
	while (in.pos < in.len && !in.err) {
		p9_get8(&in);
		p9_get32(&in);
		p9_get64(&in);
		p9_get64(&in);
		p9_get8(&in);
		char name[256];
		p9_get_str(&in, name, sizeof(name));
		if (strcmp(name, "hello.txt") == 0 || strcmp(name, "etc") == 0 || strcmp(name, "abs") == 0)
			seen++;
	}
	assert_false(in.err);
	assert_int_equal(seen, 3);
}

static void test_malformed_messages(void **state)
{
	struct fx *f = *state;
	version_attach(f);
	uint8_t resp[64];
	/* Too short to have a header. */
	uint8_t tiny[3] = { 3, 0, 0 };
	size_t n = p9_server_handle(f->s, tiny, sizeof(tiny), resp, sizeof(resp));
	assert_int_equal(n, 11);
	assert_int_equal(resp[4], RLERROR);
	/* Declared size larger than what arrived. */
	struct msg m;
	begin(f, &m, 120);
	p9_put32(&m.o, 1);
	struct p9_out h = { .p = m.buf, .cap = 4 };
	p9_put32(&h, 4000);
	n = p9_server_handle(f->s, m.buf, m.o.pos, resp, sizeof(resp));
	assert_int_equal(resp[4], RLERROR);
	assert_int_equal(resp[7], EPROTO);
	/* A string whose length runs past the message. */
	struct p9_in in;
	begin(f, &m, 72);
	p9_put32(&m.o, 1);
	p9_put16(&m.o, 200);
	memcpy(p9_put_reserve(&m.o, 3), "abc", 3);
	assert_int_equal(expect_error(f, &m), EINVAL);
	/* Unknown message type. */
	begin(f, &m, 250);
	assert_int_equal(expect_error(f, &m), EOPNOTSUPP);
	/* Twrite claiming more data than it carries. */
	begin(f, &m, 118);
	p9_put32(&m.o, 1);
	p9_put64(&m.o, 0);
	p9_put32(&m.o, 1000);
	assert_int_equal(expect_error(f, &m), EINVAL);
	/* Too many walk elements. */
	begin(f, &m, 110);
	p9_put32(&m.o, 1);
	p9_put32(&m.o, 9);
	p9_put16(&m.o, 17);
	assert_int_equal(expect_error(f, &m), EINVAL);
	(void)in;
}

static void test_read_only_share(void **state)
{
	struct fx *f = *state;
	p9_server_free(f->s);
	strata_error_t err = NULL;
	assert_int_equal(p9_server_new(f->dir, true, &f->s, &err), 0);
	version_attach(f);
	struct msg m;
	begin(f, &m, 72);
	p9_put32(&m.o, 1);
	p9_put_str(&m.o, "x");
	p9_put32(&m.o, 0755);
	p9_put32(&m.o, 0);
	assert_int_equal(expect_error(f, &m), EROFS);
	uint16_t nq;
	uint32_t e = 0;
	const char *p[] = { "hello.txt", NULL };
	assert_int_equal(walk(f, 1, 2, p, &nq, &e), 111);
	assert_int_equal(lopen(f, 2, O_RDWR, &e), RLERROR);
	assert_int_equal(e, EROFS);
	assert_int_equal(lopen(f, 2, O_RDONLY, &e), 13);
}

/* Random and mutated messages (fixed seed): every answer is a well-formed
 * R-message, nothing is read past the request (exact-size heap copies, so
 * ASan sees overreads), and the share's parent is untouched. */
static void test_random_messages(void **state)
{
	struct fx *f = *state;
	version_attach(f);
	srandom(8);
	static const uint8_t types[] = { 8, 12, 14, 16, 18, 22, 24, 26, 30, 40, 50, 52, 54, 70, 72, 74, 76, 100, 104,
					 108, 110, 116, 118, 120, 122, 3, 255 };
	uint8_t resp[8192];
	for (int i = 0; i < 5000; i++) {
		size_t len = 7 + (size_t)(random() % 64);
		uint8_t *req = malloc(len);
		for (size_t j = 0; j < len; j++)
			req[j] = (uint8_t)random();
		/* Mostly plausible headers, sometimes garbage sizes. */
		uint32_t size = (random() % 8) ? (uint32_t)len : (uint32_t)random();
		memcpy(req, &size, 4);
		req[4] = types[random() % sizeof(types)];
		/* Small fids so that some requests hit the attached root (fid 1). */
		if (len >= 11 && random() % 2) {
			uint32_t fid = (uint32_t)(random() % 4);
			memcpy(req + 7, &fid, 4);
		}
		if (req[4] == 100) /* no Tversion: it would drop the session's fids */
			req[4] = 24;
		size_t n = p9_server_handle(f->s, req, len, resp, sizeof(resp));
		assert_true(n >= 7 && n <= sizeof(resp));
		uint32_t rsize;
		memcpy(&rsize, resp, 4);
		assert_int_equal(rsize, n);
		free(req);
	}
	/* Still serving (random Tclunks may have dropped fid 1: attach anew). */
	struct msg m;
	struct p9_in in;
	begin(f, &m, 104);
	p9_put32(&m.o, 500);
	p9_put32(&m.o, ~0u);
	p9_put_str(&m.o, "root");
	p9_put_str(&m.o, "");
	p9_put32(&m.o, 0);
	assert_int_equal(send(f, &m, &in), 105);
	uint16_t nq = 0;
	uint32_t e = 0;
	const char *p[] = { "hello.txt", NULL };
	assert_int_equal(walk(f, 500, 501, p, &nq, &e), 111);
}

/* Walk fid 1 -> newfid through names; the last qid's path. */
static uint64_t walk_path(struct fx *f, uint32_t newfid, const char **names)
{
	uint16_t nq = 0;
	uint32_t e = 0;
	size_t n = 0;
	while (names[n])
		n++;
	assert_int_equal(walk(f, 1, newfid, names, &nq, &e), 111);
	assert_int_equal(nq, n);
	struct p9_in in = { .p = f->resp, .len = f->resp_len, .pos = 7 + 2 + 13 * (n - 1) + 5 };
	return p9_get64(&in);
}

static void write_fid(struct fx *f, uint32_t fid, const char *data)
{
	struct msg m;
	struct p9_in in;
	size_t n = strlen(data);
	begin(f, &m, 118);
	p9_put32(&m.o, fid);
	p9_put64(&m.o, 0);
	p9_put32(&m.o, (uint32_t)n);
	memcpy(p9_put_reserve(&m.o, n), data, n);
	assert_int_equal(send(f, &m, &in), 119);
	assert_int_equal(p9_get32(&in), n);
}

/* In the mount namespace of fd ns: 0 when dir is empty and file holds want. */
static int check_host_view(int ns, const char *dir, const char *file, const char *want)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setns(ns, CLONE_NEWNS) < 0)
			_exit(2);
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "[ -z \"$(ls -A %s)\" ] && [ \"$(cat %s)\" = '%s' ]", dir, file, want);
		_exit(system(cmd) == 0 ? 0 : 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The vm level's staging directory (runtime/vm_shares.h) through the
 * server: single files and directories of other filesystems bind-mounted
 * inside the share are reached, written through to the host file (ro ones
 * refused), and their qid paths differ even where inode numbers repeat. */
static void test_staged_binds(void **state)
{
	struct fx *f = *state;
	if (geteuid() != 0)
		skip();
	int orig = f->orig_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	assert_true(orig > 0);
	/* Two fresh tmpfs hold files with the same inode number; a file rw and one ro. */
	sh("cd %s && mkdir t1 t2 stage && printf host-rw > rw && printf host-ro > ro", f->dir);
	assert_int_equal(unshare(CLONE_NEWNS), 0);
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	char p[5][128];
	const char *names[] = { "t1", "t2", "rw", "ro" };
	for (int i = 0; i < 4; i++)
		snprintf(p[i], sizeof(p[i]), "%s/%s", f->dir, names[i]);
	snprintf(p[4], sizeof(p[4]), "%s/stage", f->dir);
	assert_int_equal(mount("tmpfs", p[0], "tmpfs", 0, "size=64k"), 0);
	assert_int_equal(mount("tmpfs", p[1], "tmpfs", 0, "size=64k"), 0);
	sh("touch %s/t1/x %s/t2/x", f->dir);
	struct stat s1, s2;
	char x1[160], x2[160];
	snprintf(x1, sizeof(x1), "%s/x", p[0]);
	snprintf(x2, sizeof(x2), "%s/x", p[1]);
	assert_int_equal(stat(x1, &s1), 0);
	assert_int_equal(stat(x2, &s2), 0);

	struct vm_bind b[] = { { 0, p[0], true, false, false }, { 1, p[1], true, true, false },
			       { 2, p[2], false, false, false }, { 3, p[3], false, false, true } };
	struct vm_shares_plan plan = { .binds = b, .len = 4, .staging = p[4] };
	strata_error_t err = NULL;
	int r = vm_shares_stage(&plan, &err);
	if (r < 0)
		fprintf(stderr, "stage: %s\n", err->msg);
	assert_int_equal(r, 0);
	p9_server_free(f->s);
	assert_int_equal(p9_server_new(p[4], false, &f->s, &err), 0);
	version_attach(f);

	const char *w1[] = { "0", "x", NULL }, *w2[] = { "1", "x", NULL };
	uint64_t q1 = walk_path(f, 2, w1), q2 = walk_path(f, 3, w2);
	assert_int_equal(q1 & ((1ULL << 48) - 1), s1.st_ino);
	assert_int_not_equal(q1, q2);
	if (s1.st_ino != s2.st_ino)
		fprintf(stderr, "note: the two tmpfs files have different inode numbers\n");

	uint32_t e = 0;
	char buf[64];
	const char *wrw[] = { "2", NULL }, *wro[] = { "3", NULL }, *up[] = { "0", "..", "..", "1", NULL };
	(void)walk_path(f, 4, wrw);
	assert_int_equal(lopen(f, 4, O_RDWR | O_TRUNC, &e), 13);
	write_fid(f, 4, "from-guest");
	(void)walk_path(f, 5, wro);
	assert_int_equal(lopen(f, 5, O_WRONLY, &e), RLERROR);
	assert_int_equal(e, EROFS);
	assert_int_equal(lopen(f, 5, O_RDONLY, &e), 13);
	read_fid(f, 5, buf, sizeof(buf));
	assert_string_equal(buf, "host-ro");
	/* ".." from an entry stays in the share: this is entry 1 again. */
	assert_int_equal(walk_path(f, 6, up), walk_path(f, 7, (const char *[]){ "1", NULL }));

	/* The host (the original namespace) sees the write and an empty staging directory. */
	assert_int_equal(check_host_view(orig, p[4], p[2], "from-guest"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confinement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_write_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_binds, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
