/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cleanup.h - scope-bound release of fds, heap memory, FILE and DIR.
 *
 * Declare a resource with one of the _cleanup_*_ attributes and it is released
 * when the variable leaves scope.  Hand ownership on by resetting the variable:
 *
 *     _cleanup_close_ int fd = open(...);
 *     ...
 *     *out = fd; fd = -1;          // caller owns it now
 *
 * steal_pointer()/steal_fd() do the same in one expression.
 */
#ifndef STRATA_COMMON_CLEANUP_H
#define STRATA_COMMON_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

static inline void cleanup_freep(void *p)
{
	void **pp = (void **)p;
	free(*pp);
	*pp = NULL;
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	*fd = -1;
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
	*f = NULL;
}

static inline void cleanup_closedirp(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
	*d = NULL;
}

/* Free a NULL-terminated array of strings and the array itself. */
static inline void cleanup_strvp(char ***p)
{
	if (*p != NULL) {
		for (char **s = *p; *s != NULL; s++)
			free(*s);
		free(*p);
	}
	*p = NULL;
}

#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(cleanup_closedirp)))
#define _cleanup_strv_ __attribute__((cleanup(cleanup_strvp)))

/* Take the pointer out of a cleanup variable: returns it and sets the variable to NULL. */
#define steal_pointer(pp) ({ __typeof__(*(pp)) _v = *(pp); *(pp) = NULL; _v; })
/* Take the fd out of a cleanup variable: returns it and sets the variable to -1. */
#define steal_fd(pfd) ({ int _fd = *(pfd); *(pfd) = -1; _fd; })

#endif
