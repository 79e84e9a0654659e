/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Placeholder until the sentry lands: the level is refused with a clear error. */
#include <errno.h>

#include "sentry.h"

int sentry_run_container(const struct oci_config *config, strata_error_t *err)
{
	return strata_error_set(err, ENOSYS, "the sentry isolation level is not built yet");
}
