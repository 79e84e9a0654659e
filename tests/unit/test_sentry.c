/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_sentry.c - unit tests of the sentry's kernel objects: the syscall
 * table, pipes, directory records, signal dispositions, and path resolution
 * (the last one chroots a child process into a scratch tree; it needs root).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sentry/file.h"
#include "sentry/syscall_table.h"
#include "sentry/tmpfs.h"
#include "sentry/vfs.h"

static void test_table_entries_are_consistent(void **state)
{
	int named = 0;
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		const struct syscall_entry *e = &syscall_table[nr];
		if (e->name == NULL) {
			assert_null(e->handler);
			continue;
		}
		named++;
		assert_int_not_equal(e->support, SUPPORT_NONE);
		if (e->support == SUPPORT_ERROR) {
			assert_null(e->handler);
			assert_true(e->err > 0);
		} else {
			assert_non_null(e->handler);
		}
		assert_non_null(e->args);
		assert_non_null(e->note);
		assert_true(strlen(e->args) <= 6);
		for (int other = 0; other < nr; other++)
			if (syscall_table[other].name != NULL)
				assert_string_not_equal(syscall_table[other].name, e->name);
	}
	assert_true(named > 100);
	/* spot checks: the table is indexed by the x86_64 number */
	assert_string_equal(syscall_table[SYS_getpid].name, "getpid");
	assert_string_equal(syscall_table[SYS_openat].name, "openat");
	assert_string_equal(syscall_table[SYS_execve].name, "execve");
	assert_string_equal(syscall_support_name(SUPPORT_PARTIAL), "partial");
}

static void test_pipe_semantics(void **state)
{
	struct sfile *r, *w;
	assert_int_equal(pipe_new(&r, &w, 0, 7), 0);
	char buf[16];
	/* empty with a writer: would block */
	assert_int_equal(r->ops->read(NULL, NULL, r, buf, sizeof(buf), NULL), -SENTRY_EBLOCK);
	assert_int_equal(w->ops->write(NULL, NULL, w, "hello", 5, NULL), 5);
	assert_int_equal(r->ops->read(NULL, NULL, r, buf, sizeof(buf), NULL), 5);
	assert_memory_equal(buf, "hello", 5);
	/* a full pipe blocks a PIPE_BUF-sized write */
	char *big = calloc(1, 65536);
	assert_int_equal(w->ops->write(NULL, NULL, w, big, 65536, NULL), 65536);
	assert_int_equal(w->ops->write(NULL, NULL, w, "x", 1, NULL), -SENTRY_EBLOCK);
	assert_int_equal(r->ops->read(NULL, NULL, r, big, 65536, NULL), 65536);
	free(big);
	/* EOF once the writer is gone */
	sfile_put(w);
	assert_int_equal(r->ops->read(NULL, NULL, r, buf, sizeof(buf), NULL), 0);
	sfile_put(r);

	assert_int_equal(pipe_new(&r, &w, 0, 8), 0);
	sfile_put(r);
	assert_int_equal(w->ops->write(NULL, NULL, w, "x", 1, NULL), -EPIPE);
	struct stat st;
	assert_int_equal(w->ops->fstat(NULL, w, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	sfile_put(w);
}

struct dirent_hdr {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
} __attribute__((packed));

static void test_synthetic_directory_listing(void **state)
{
	const char *names[] = { "null", "zero" };
	unsigned char types[] = { DT_CHR, DT_CHR };
	struct sfile *d = synthetic_dir_file("/dev", names, types, 2);
	assert_non_null(d);
	char buf[4096];
	long n = d->ops->getdents(NULL, d, buf, sizeof(buf));
	assert_true(n > 0);
	const char *want[] = { ".", "..", "null", "zero" };
	int i = 0;
	for (long off = 0; off < n; i++) {
		struct dirent_hdr *h = (struct dirent_hdr *)(buf + off);
		assert_true(i < 4);
		assert_string_equal(h->name, want[i]);
		assert_int_equal(h->reclen % 8, 0);
		off += h->reclen;
	}
	assert_int_equal(i, 4);
	/* at the end: 0; a buffer too small for one record: EINVAL */
	assert_int_equal(d->ops->getdents(NULL, d, buf, sizeof(buf)), 0);
	d->pos = 0;
	assert_int_equal(d->ops->getdents(NULL, d, buf, 8), -EINVAL);
	sfile_put(d);
}

static void test_signal_dispositions(void **state)
{
	struct sentry_kernel k;
	memset(&k, 0, sizeof(k));
	k.next_pid = 1;
	struct task *init = task_new(&k), *t = task_new(&k);
	assert_int_equal(init->tid, 1);
	assert_int_equal(t->tid, 2);
	t->state = TASK_STOPPED;
	init->state = TASK_STOPPED;
	/* default-ignored signals are dropped */
	signal_send(&k, t, SIGCHLD, NULL, false);
	assert_int_equal(t->pending, 0);
	/* ignored by the task: dropped */
	t->act[SIGUSR1].handler = (uint64_t)(uintptr_t)SIG_IGN;
	signal_send(&k, t, SIGUSR1, NULL, false);
	assert_int_equal(t->pending, 0);
	/* default terminate: pending and deliverable unless blocked */
	signal_send(&k, t, SIGTERM, NULL, false);
	assert_true(t->pending & (1ULL << (SIGTERM - 1)));
	t->sigmask = 1ULL << (SIGTERM - 1);
	assert_false(signal_deliverable(t));
	t->sigmask = 0;
	assert_true(signal_deliverable(t));
	/* pid 1 ignores signals it has no handler for, even SIGKILL from inside */
	signal_send(&k, init, SIGTERM, NULL, true);
	signal_send(&k, init, SIGKILL, NULL, false);
	assert_int_equal(init->pending, 0);
	assert_int_not_equal(init->state, TASK_ZOMBIE);
	/* ... but takes a handled one */
	init->act[SIGUSR2].handler = 0x1000;
	init->act[SIGUSR2].flags = SA_RESTART;
	signal_send(&k, init, SIGUSR2, NULL, true);
	assert_int_equal(signal_pending_restart(init), 1);
	task_release(&k, t);
	task_release(&k, init);
}

static void test_tmpfs_names_and_files(void **state)
{
	struct tmpfs_inode *root = tmpfs_new_root(1), *d, *f, *n;
	assert_non_null(root);
	assert_int_equal(tmpfs_create(root, "d", S_IFDIR | 0755, 0, 0, NULL, 2, &d), 0);
	assert_int_equal(root->nlink, 3);
	assert_int_equal(tmpfs_create(d, "f", S_IFREG | 0644, 0, 0, NULL, 3, &f), 0);
	assert_int_equal(tmpfs_create(d, "f", S_IFREG | 0644, 0, 0, NULL, 4, NULL), -EEXIST);
	assert_int_equal(tmpfs_walk(root, "d/f", &n), 0);
	assert_ptr_equal(n, f);
	assert_int_equal(tmpfs_walk(root, "d/f/x", &n), -ENOTDIR);
	assert_int_equal(tmpfs_walk(root, "nope", &n), -ENOENT);

	int err = 0;
	struct sfile *w = tmpfs_open(f, O_WRONLY, "/t/d/f", &err);
	assert_non_null(w);
	assert_int_equal(w->ops->write(NULL, NULL, w, "hello", 5, NULL), 5);
	struct stat st;
	w->ops->fstat(NULL, w, &st);
	assert_int_equal(st.st_size, 5);
	/* unlinked while open: the data stays reachable through the file */
	assert_int_equal(tmpfs_link(f, root, "hard"), 0);
	assert_int_equal(f->nlink, 2);
	assert_int_equal(tmpfs_unlink(d, "f", 0), 0);
	assert_int_equal(tmpfs_unlink(root, "hard", 0), 0);
	char buf[8];
	int64_t off = 0;
	assert_int_equal(w->ops->read(NULL, NULL, w, buf, sizeof(buf), &off), 5);
	assert_memory_equal(buf, "hello", 5);
	sfile_put(w); /* frees the inode */

	/* rename rules */
	assert_int_equal(tmpfs_create(root, "e", S_IFDIR | 0755, 0, 0, NULL, 5, NULL), 0);
	assert_int_equal(tmpfs_rename(root, "d", d, "x", 0), -EINVAL); /* into itself */
	assert_int_equal(tmpfs_rename(root, "d", root, "e", 1), -EEXIST); /* RENAME_NOREPLACE */
	assert_int_equal(tmpfs_rename(root, "d", root, "e", 0), 0);       /* over an empty dir */
	assert_int_equal(tmpfs_walk(root, "d", &n), -ENOENT);
	assert_int_equal(tmpfs_walk(root, "e", &n), 0);
	assert_int_equal(tmpfs_unlink(root, "e", 0), -EISDIR);
	assert_int_equal(tmpfs_unlink(root, "e", 1), 0);
	assert_int_equal(root->nlink, 2);
	free(root);
}

/* Resolve in a chrooted child; returns 0 when every expectation held. */
static int resolve_checks(const char *root)
{
	if (chroot(root) < 0 || chdir("/") < 0)
		return 10;
	struct oci_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	struct sentry_kernel k;
	memset(&k, 0, sizeof(k));
	strata_error_t err = NULL;
	if (vfs_new(&cfg, &k.vfs, &err) < 0)
		return 11;
	k.next_pid = 1;
	struct task *t = task_new(&k);
	t->cwd = strdup("/etc");
	t->fdt = fdtable_new();
	struct {
		const char *path;
		int flags;
		const char *want; /* canonical path, NULL = must fail */
		bool exists;
	} cases[] = {
		{ "/etc/passwd", VFS_FOLLOW, "/etc/passwd", true },
		{ "passwd", VFS_FOLLOW, "/etc/passwd", true },
		{ "../../../../etc/passwd", VFS_FOLLOW, "/etc/passwd", true },
		{ "/abs/passwd", VFS_FOLLOW, "/etc/passwd", true },     /* abs -> /etc */
		{ "/up/etc/passwd", VFS_FOLLOW, "/etc/passwd", true },  /* up -> ../../../.. */
		{ "/up", 0, "/up", true },                              /* not followed */
		{ "/loop/x", VFS_FOLLOW, NULL, false },                 /* loop -> loop */
		{ "/etc/passwd/x", VFS_FOLLOW, NULL, false },           /* ENOTDIR */
		{ "/etc/newfile", 0, "/etc/newfile", false },
		{ "/missing/newfile", 0, NULL, false },
		{ "/..", VFS_FOLLOW, "/", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vloc loc;
		int rc = vfs_resolve(&k, t, AT_FDCWD, cases[i].path, cases[i].flags, &loc);
		if (cases[i].want == NULL) {
			if (rc == 0)
				return 20 + (int)i;
			continue;
		}
		if (rc < 0 || strcmp(loc.path, cases[i].want) != 0 || loc.exists != cases[i].exists)
			return 40 + (int)i;
		vloc_release(&loc);
	}
	return 0;
}

static void test_path_resolution_stays_inside(void **state)
{
	if (geteuid() != 0)
		skip();
	char root[] = "/tmp/sentry-unit.XXXXXX";
	assert_non_null(mkdtemp(root));
	char p[256];
	snprintf(p, sizeof(p), "%s/etc", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/passwd", root);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/abs", root);
	assert_int_equal(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/up", root);
	assert_int_equal(symlink("../../../..", p), 0);
	snprintf(p, sizeof(p), "%s/loop", root);
	assert_int_equal(symlink("loop", p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(resolve_checks(root));
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_entries_are_consistent),
		cmocka_unit_test(test_pipe_semantics),
		cmocka_unit_test(test_synthetic_directory_listing),
		cmocka_unit_test(test_signal_dispositions),
		cmocka_unit_test(test_tmpfs_names_and_files),
		cmocka_unit_test(test_path_resolution_stays_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
