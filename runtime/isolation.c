/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * isolation.c - isolation level dispatch (see isolation.h).
 */
#include "isolation.h"

#include <errno.h>
#include <stddef.h>

/* native and sentry share the init process; it runs the sentry instead of
 * execve when state.level says so (runtime/native/init.c). */
static const struct isolation_ops native_ops = { "native", native_create, native_start };
static const struct isolation_ops sentry_ops = { "sentry", native_create, native_start };

__attribute__((weak)) const struct isolation_ops *isolation_vm_ops(void)
{
	return NULL;
}

int isolation_ops_get(enum isolation_level_id level, const struct isolation_ops **out, strata_error_t *err)
{
	switch (level) {
	case ISOLATION_NATIVE:
		*out = &native_ops;
		return 0;
	case ISOLATION_SENTRY:
		*out = &sentry_ops;
		return 0;
	case ISOLATION_VM:
		*out = isolation_vm_ops();
		if (*out != NULL)
			return 0;
		return strata_error_set(err, ENOSYS, "the vm isolation level is not built yet");
	}
	return strata_error_set(err, EINVAL, "unknown isolation level %d", (int)level);
}
