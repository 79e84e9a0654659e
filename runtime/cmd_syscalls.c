/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_syscalls.c - `strata syscalls`: print the sentry's system call table
 * (number, name, support level, note), one line per known call, in number
 * order.  `--format json` prints an array of objects instead.
 * Source: sentry/syscall_table.h (the table is the single source).
 */
#include <stdio.h>
#include <string.h>

#include "../sentry/syscall_table.h"
#include "commands.h"

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

int cmd_syscalls(const struct strata_global_opts *g, int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format=json") == 0 || (strcmp(argv[i], "--format") == 0 && i + 1 < argc &&
								strcmp(argv[++i], "json") == 0)) {
			json = true;
		} else if (strcmp(argv[i], "--format=table") == 0 || strcmp(argv[i], "table") == 0) {
			json = false;
		} else {
			log_error("syscalls: unknown argument `%s` (usage: strata syscalls [--format table|json])", argv[i]);
			return 1;
		}
	}
	int full = 0, partial = 0, error = 0;
	if (json)
		putchar('[');
	else
		printf("%-4s %-20s %-8s %s\n", "NR", "NAME", "SUPPORT", "NOTE");
	bool first = true;
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		const struct syscall_entry *e = &syscall_table[nr];
		if (e->name == NULL)
			continue;
		full += e->support == SUPPORT_FULL;
		partial += e->support == SUPPORT_PARTIAL;
		error += e->support == SUPPORT_ERROR;
		if (json) {
			printf("%s{\"nr\":%d,\"name\":", first ? "" : ",", nr);
			json_string(e->name);
			printf(",\"support\":\"%s\",\"note\":", syscall_support_name(e->support));
			json_string(e->note);
			putchar('}');
		} else {
			printf("%-4d %-20s %-8s %s\n", nr, e->name, syscall_support_name(e->support), e->note);
		}
		first = false;
	}
	if (json)
		printf("]\n");
	else
		printf("# %d full, %d partial, %d error; every other call returns ENOSYS\n", full, partial, error);
	return 0;
}
