/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strace.c - the --debug trace of the sentry's system calls, one line per
 * call with sentry pids:  [pid 3] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "strace.h"
#include "syscall_table.h"

static size_t put(char *out, size_t o, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static size_t put(char *out, size_t o, size_t cap, const char *fmt, ...)
{
	if (o >= cap)
		return o;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + o, cap - o, fmt, ap);
	va_end(ap);
	return n < 0 ? o : (o + (size_t)n < cap ? o + (size_t)n : cap - 1);
}

static size_t put_open_flags(char *out, size_t o, size_t cap, uint64_t f)
{
	int acc = (int)(f & O_ACCMODE);
	o = put(out, o, cap, "%s", acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" : "O_RDWR");
	static const struct {
		int bit;
		const char *name;
	} names[] = { { O_CREAT, "O_CREAT" },	  { O_EXCL, "O_EXCL" },		  { O_TRUNC, "O_TRUNC" },
		      { O_APPEND, "O_APPEND" },	  { O_NONBLOCK, "O_NONBLOCK" },	  { O_DIRECTORY, "O_DIRECTORY" },
		      { O_NOFOLLOW, "O_NOFOLLOW" }, { O_CLOEXEC, "O_CLOEXEC" },	  { O_PATH, "O_PATH" },
		      { O_NOCTTY, "O_NOCTTY" } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((f & (uint64_t)names[i].bit) == (uint64_t)names[i].bit && names[i].bit != O_PATH)
			o = put(out, o, cap, "|%s", names[i].name);
	return o;
}

void strace_format_call(struct sentry_kernel *k, struct task *t, long nr, const uint64_t a[6], char *out, size_t cap)
{
	const struct syscall_entry *e = nr >= 0 && nr < SYSCALL_TABLE_SIZE ? &syscall_table[nr] : NULL;
	size_t o = 0;
	if (e == NULL || e->name == NULL) {
		put(out, 0, cap, "syscall_%ld(%#lx, %#lx, %#lx)", nr, (unsigned long)a[0], (unsigned long)a[1],
		    (unsigned long)a[2]);
		return;
	}
	o = put(out, o, cap, "%s(", e->name);
	for (int i = 0; e->args[i] != '\0' && i < 6; i++) {
		/* Like strace: open's mode only when it matters. */
		if (e->args[i] == 'm' && i > 0 && e->args[i - 1] == 'o' && !(a[i - 1] & (O_CREAT | O_TMPFILE)))
			break;
		if (i > 0)
			o = put(out, o, cap, ", ");
		switch (e->args[i]) {
		case 'd':
			o = put(out, o, cap, "%d", (int)a[i]);
			break;
		case 'u':
			o = put(out, o, cap, "%lu", (unsigned long)a[i]);
			break;
		case 'm':
			o = put(out, o, cap, "0%lo", (unsigned long)a[i]);
			break;
		case 'f':
			if ((int)a[i] == AT_FDCWD)
				o = put(out, o, cap, "AT_FDCWD");
			else
				o = put(out, o, cap, "%d", (int)a[i]);
			break;
		case 'o':
			o = put_open_flags(out, o, cap, a[i]);
			break;
		case 's': {
			char s[72];
			long n = a[i] == 0 ? -1 : task_read_string(k, t, a[i], s, sizeof(s));
			if (n >= 0)
				o = put(out, o, cap, "\"%s\"", s);
			else if (n == -ENAMETOOLONG)
				o = put(out, o, cap, "\"%.*s\"...", (int)sizeof(s) - 1, s);
			else
				o = put(out, o, cap, "%#lx", (unsigned long)a[i]);
			break;
		}
		default:
			o = put(out, o, cap, a[i] == 0 ? "NULL" : "%#lx", (unsigned long)a[i]);
		}
	}
	put(out, o, cap, ")");
}

void strace_log_result(struct task *t, const char *call, long ret)
{
	if (ret == -SENTRY_ENORET)
		log_debug("[pid %d] %s = ?", t->tid, call);
	else if (ret < 0 && ret > -4096)
		log_debug("[pid %d] %s = -1 %s (%s)", t->tid, call, strerrorname_np((int)-ret) ? strerrorname_np((int)-ret) : "E?",
			  strerror((int)-ret));
	else
		log_debug("[pid %d] %s = %ld", t->tid, call, ret);
}
