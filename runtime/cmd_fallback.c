/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_fallback.c - weak definitions for commands whose file has not landed
 * yet.  A command defined in runtime/cmd_<name>.c replaces its fallback here
 * at link time.  Each fallback says clearly that the command is missing and
 * exits 1; nothing pretends to work.
 */
#include "commands.h"

#define FALLBACK(name)                                                                      \
	__attribute__((weak)) int cmd_##name(const struct strata_global_opts *g, int argc, char **argv) \
	{                                                                                   \
		log_error("`%s` is not implemented in this build of strata", #name);            \
		return 1;                                                                       \
	}

FALLBACK(exec)
FALLBACK(ps)
FALLBACK(pause)
FALLBACK(resume)
FALLBACK(events)
FALLBACK(update)
FALLBACK(features)
FALLBACK(compare)
FALLBACK(syscalls)
