/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe_classify.c - turn the facts of a probe attempt into a verdict
 * (see probe.h).  No system calls here: the unit tests feed facts directly.
 */
#include "probe.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Errnos that mean "stopped before the handler did anything": a missing
 * capability or permission, a read-only mount, or no such call. */
static bool errno_is_refusal(int e)
{
	return e == EPERM || e == EACCES || e == ENOSYS || e == EROFS;
}

void probe_classify(enum probe_rule rule, const struct probe_facts *f, struct probe_outcome *out)
{
	const char *ename = f->err != 0 ? strerrorname_np(f->err) : NULL;
	out->err = f->err;
	if (f->skipped) {
		out->verdict = PROBE_SKIPPED;
		snprintf(out->evidence, sizeof(out->evidence), "not tried: the runner gave no target");
		return;
	}
	switch (rule) {
	case PROBE_RULE_TOKEN:
		out->verdict = (f->ret >= 0 && f->token_match) ? PROBE_REACHABLE : PROBE_BLOCKED;
		break;
	case PROBE_RULE_SUCCESS:
		out->verdict = f->ret >= 0 ? PROBE_REACHABLE : PROBE_BLOCKED;
		break;
	case PROBE_RULE_PERMISSION:
		out->verdict = (f->ret >= 0 || (f->err != 0 && !errno_is_refusal(f->err))) ? PROBE_REACHABLE
											   : PROBE_BLOCKED;
		break;
	}
	if (ename != NULL)
		snprintf(out->evidence, sizeof(out->evidence), "%s: %s", f->detail, ename);
	else if (rule == PROBE_RULE_TOKEN && f->ret >= 0 && !f->token_match)
		snprintf(out->evidence, sizeof(out->evidence), "%s: read, but not the host's data", f->detail);
	else
		snprintf(out->evidence, sizeof(out->evidence), "%s: %s", f->detail,
			 out->verdict == PROBE_REACHABLE ? "succeeded" : "failed");
}

bool probe_syscall_reached(const struct probe_syscall_fact *f)
{
	if (f->replied)
		return !(f->ret == -1 && f->err == ENOSYS);
	/* SIGSYS: seccomp killed or trapped the call before any kernel handler ran. */
	return f->signal != SIGSYS;
}
