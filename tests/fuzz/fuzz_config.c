/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_config.c - libFuzzer target for the config.json parser
 * (oci_config_parse) and the two parsers that share its decoder
 * (oci_process_parse, oci_resources_parse) and the state parser.
 *
 * Built and run by tests/fuzz/run-fuzz.sh with
 * clang -fsanitize=fuzzer,address,undefined.  Besides crashes and sanitizer
 * reports, it checks the parser's contract: exactly one of (result, error)
 * on return, and an error message that starts with the document name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci-spec/config.h"
#include "oci-spec/state.h"

static void check_error(int r, const void *out, strata_error_t *err, const char *name)
{
	if (r == 0) {
		if (out == NULL || *err != NULL)
			abort();
		return;
	}
	if (r != -1 || out != NULL || *err == NULL || (*err)->msg == NULL)
		abort();
	if (strncmp((*err)->msg, name, strlen(name)) != 0)
		abort();
	strata_error_free(err);
}

/* Walk the parsed model so that every pointer it holds is dereferenced. */
static void touch_config(const struct oci_config *c)
{
	volatile size_t sink = 0;
	for (int t = 0; t < OCI_NS__COUNT; t++)
		sink += oci_config_find_namespace(c, (enum oci_namespace_type)t) != NULL;
	sink += oci_string_map_get(&c->annotations, "io.strata.isolation") != NULL;
	if (c->process != NULL) {
		for (size_t i = 0; i < c->process->args_len; i++)
			sink += strlen(c->process->args[i]);
		if (c->process->args[c->process->args_len] != NULL)
			abort(); /* NULL-terminated for execve */
		sink += strlen(c->process->cwd);
	}
	for (size_t i = 0; i < c->mounts_len; i++)
		if (c->mounts[i].destination[0] != '/')
			abort(); /* validated absolute */
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	strata_error_t err = NULL;

	struct oci_config *c = NULL;
	int r = oci_config_parse("config.json", text, size, &c, &err);
	check_error(r, c, &err, "config.json");
	if (c != NULL)
		touch_config(c);
	oci_config_free(c);

	struct oci_process *p = NULL;
	r = oci_process_parse("process.json", text, size, &p, &err);
	check_error(r, p, &err, "process.json");
	oci_process_free(p);

	struct oci_resources *res = NULL;
	r = oci_resources_parse("resources", text, size, &res, &err);
	check_error(r, res, &err, "resources");
	oci_resources_free(res);

	struct oci_state *s = NULL;
	r = oci_state_parse("state.json", text, size, &s, &err);
	check_error(r, s, &err, "state.json");
	if (s != NULL) {
		/* what we parsed we must be able to write back */
		char *j = oci_state_to_json(s, true);
		if (j == NULL)
			abort();
		free(j);
	}
	oci_state_free(s);
	return 0;
}
