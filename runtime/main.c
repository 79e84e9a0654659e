/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - the strata command line: global flags, then one command from the
 * command table (runtime/commands.h).  runc-compatible (design.md §3,
 * client-contract.md §3.4).
 */
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../oci-spec/config.h"
#include "commands.h"
#include "native/cloned_binary.h"
#include "container_json.h"
#include "options.h"
#include "rootless.h"

struct command {
	const char *name;
	strata_command_fn fn;
	const char *usage;
};

static const struct command commands[] = {
	{ "spec", cmd_spec, "create a new specification file" },
	{ "create", cmd_create, "create a container" },
	{ "start", cmd_start, "executes the user defined process in a created container" },
	{ "run", cmd_run, "create and run a container" },
	{ "state", cmd_state, "output the state of a container" },
	{ "list", cmd_list, "lists containers started by strata with the given root" },
	{ "kill", cmd_kill, "kill sends the specified signal (default: SIGTERM) to the container's init process" },
	{ "delete", cmd_delete, "delete any resources held by the container" },
	{ "exec", cmd_exec, "execute new process inside the container" },
	{ "ps", cmd_ps, "ps displays the processes running inside a container" },
	{ "pause", cmd_pause, "pause suspends all processes inside the container" },
	{ "resume", cmd_resume, "resumes all processes that have been previously paused" },
	{ "events", cmd_events, "display container events such as OOM notifications, cpu, memory, and IO usage statistics" },
	{ "update", cmd_update, "update container resource constraints" },
	{ "features", cmd_features, "show the enabled features" },
	{ "compare", cmd_compare, "run one bundle at every isolation level and compare them" },
	{ "syscalls", cmd_syscalls, "list the sentry's system call table" },
	{ NULL, NULL, NULL },
};

static void print_version(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("strata version %s\n", STRATA_VERSION);
	printf("commit: %s\n", STRATA_COMMIT);
	printf("spec: %s\n", OCI_SPEC_VERSION);
	if (v != NULL)
		printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static void print_help(const char *prog)
{
	printf("NAME:\n   %s - an OCI runtime with three isolation levels (native, sentry, vm)\n\n", prog);
	printf("USAGE:\n   %s [global options] command [command options] [arguments...]\n\nCOMMANDS:\n", prog);
	for (const struct command *c = commands; c->name != NULL; c++)
		printf("   %-10s %s\n", c->name, c->usage);
	printf("\nGLOBAL OPTIONS:\n"
	       "   --root value          root directory for storage of container state (default: \"/run/strata\")\n"
	       "   --log value           set the log file to write strata logs to (default: stderr)\n"
	       "   --log-format value    set the log format ('text' (default), or 'json')\n"
	       "   --debug               enable debug logging\n"
	       "   --systemd-cgroup      use systemd to manage the container's cgroup\n"
	       "   --isolation value     isolation level of a new container: native, sentry or vm\n"
	       "   --criu value          accepted for runc compatibility, unused\n"
	       "   --rootless value      ignore cgroup permission errors ('true', 'false', or 'auto') (default: \"auto\")\n"
	       "   --help, -h            show help\n"
	       "   --version, -v         print the version\n");
}

/* The isolation level named by the binary name (design.md §4): strata-sentry, strata-vm. */
static enum isolation_level_id level_from_argv0(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	base = base != NULL ? base + 1 : argv0;
	if (strcmp(base, "strata-sentry") == 0)
		return ISOLATION_SENTRY;
	if (strcmp(base, "strata-vm") == 0)
		return ISOLATION_VM;
	return ISOLATION_NATIVE;
}

int main(int argc, char **argv)
{
	struct strata_global_opts g = { .root = "/run/strata", .log_format = LOG_FORMAT_TEXT };
	const char *log_format = NULL, *isolation = NULL, *rootless = NULL;
	bool version = false, help = false;
	const struct opt_spec specs[] = {
		{ "root", 0, OPT_STRING, &g.root },
		{ "log", 0, OPT_STRING, &g.log },
		{ "log-format", 0, OPT_STRING, &log_format },
		{ "debug", 0, OPT_BOOL, &g.debug },
		{ "systemd-cgroup", 0, OPT_BOOL, &g.systemd_cgroup },
		{ "isolation", 0, OPT_STRING, &isolation },
		{ "criu", 0, OPT_STRING, &g.criu },
		{ "rootless", 0, OPT_STRING, &rootless },
		{ "version", 'v', OPT_BOOL, &version },
		{ "help", 'h', OPT_BOOL, &help },
		{ NULL, 0, 0, NULL },
	};
	_cleanup_error_ strata_error_t err = NULL;
	int first = 0;
	if (opts_parse(specs, argc, argv, &first, &err) < 0) {
		log_error("%s", err->msg);
		return 1;
	}
	/* Commands that put a process into a container re-execute from a sealed
	 * copy of the binary first, so nothing inside can overwrite the host's
	 * strata through /proc/PID/exe (CVE-2019-5736). */
	const char *cmd = first < argc ? argv[first] : "";
	bool enters = strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "exec") == 0;
	if (enters && !version && !help && cloned_binary_ensure(argv, &err) < 0) {
		log_error("%s", err->msg);
		return 1;
	}
	if (log_format != NULL) {
		if (strcmp(log_format, "json") == 0) {
			g.log_format = LOG_FORMAT_JSON;
		} else if (strcmp(log_format, "text") != 0) {
			log_error("unknown log-format `%s`: use text or json", log_format);
			return 1;
		}
	}
	if (log_init(g.log, g.log_format, g.debug) < 0) {
		log_error("open log file `%s`: %s", g.log, strerror(errno));
		return 1;
	}
	if (isolation != NULL) {
		int lv = container_level_parse(isolation);
		if (lv < 0) {
			log_error("unknown isolation level `%s`: use native, sentry or vm", isolation);
			return 1;
		}
		g.has_isolation = true;
		g.isolation = (enum isolation_level_id)lv;
	}
	enum rootless_mode rm;
	if (rootless_mode_parse(rootless, &rm, &err) < 0) {
		log_error("%s", err->msg);
		return 1;
	}
	g.rootless = rootless_resolve(rm, geteuid(), rm == ROOTLESS_AUTO && rootless_in_user_namespace());
	g.argv0_level = level_from_argv0(argv[0]);
	if (version) {
		print_version();
		return 0;
	}
	if (help || first >= argc) {
		print_help("strata");
		return help ? 0 : 1;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		g.self_exe = self;
	}
	const char *name = argv[first];
	for (const struct command *c = commands; c->name != NULL; c++) {
		if (strcmp(c->name, name) == 0)
			return c->fn(&g, argc - first, argv + first);
	}
	if (strcmp(name, "help") == 0) {
		print_help("strata");
		return 0;
	}
	log_error("No help topic for '%s'", name);
	return 1;
}
