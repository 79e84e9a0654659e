/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Format into a new heap string; NULL on allocation failure. */
static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

/* Reported when the error itself cannot be allocated; never freed. */
static struct strata_error error_out_of_memory = {
	.code = ENOMEM,
	.msg = (char *)"out of memory while reporting an error",
};

static int error_store(strata_error_t *err, int code, char *msg)
{
	if (err == NULL) {
		free(msg);
		return -1;
	}
	strata_error_free(err);
	struct strata_error *e = msg ? calloc(1, sizeof(*e)) : NULL;
	if (e == NULL) {
		free(msg);
		*err = &error_out_of_memory;
		return -1;
	}
	e->code = code;
	e->msg = msg;
	*err = e;
	return -1;
}

int strata_error_errno(strata_error_t *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = vformat(fmt, ap);
	va_end(ap);
	char *msg = NULL;
	if (text != NULL && code != 0) {
		if (asprintf(&msg, "%s: %s", text, strerror(code)) < 0)
			msg = NULL;
		free(text);
	} else {
		msg = text;
	}
	return error_store(err, code, msg);
}

int strata_error_set(strata_error_t *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = vformat(fmt, ap);
	va_end(ap);
	return error_store(err, code, msg);
}

int strata_error_wrap(strata_error_t *err, const char *fmt, ...)
{
	if (err == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *prefix = vformat(fmt, ap);
	va_end(ap);
	if (*err == NULL)
		return error_store(err, 0, prefix);
	if (*err == &error_out_of_memory) {
		free(prefix);
		return -1;
	}
	char *msg = NULL;
	if (prefix != NULL && asprintf(&msg, "%s: %s", prefix, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(prefix);
	return -1;
}

void strata_error_free(strata_error_t *err)
{
	if (err == NULL || *err == NULL)
		return;
	if (*err == &error_out_of_memory) {
		*err = NULL;
		return;
	}
	free((*err)->msg);
	free(*err);
	*err = NULL;
}
