/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path.c - lexical path helpers (see path.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

char *path_clean(const char *path, strata_error_t *err)
{
	/* Worst case: a relative path gains a leading '/', plus the NUL. */
	char *out = malloc(strlen(path) + 2);
	if (out == NULL) {
		strata_error_errno(err, ENOMEM, "clean path `%s`", path);
		return NULL;
	}
	size_t o = 0; /* out[0..o) holds "/c1/c2..." (empty for the root) */
	const char *p = path;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 1 && p[0] == '.') {
			/* "." names the same directory */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* drop the last "/name"; at the root there is none */
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}
