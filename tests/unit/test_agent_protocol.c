/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_agent_protocol.c - the host<->guest-agent wire format
 * (kvm-shim/agent_protocol.h): frame headers, the CREATE payload round trip,
 * and rejection of every malformed CREATE the decoder must refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvm-shim/agent_protocol.h"

static void test_header_little_endian(void **state)
{
	(void)state;
	uint8_t b[AGENT_FRAME_HEADER_SIZE];
	agent_frame_header_encode(b, AGENT_MSG_EXIT, 0x01020304u, 4);
	const uint8_t want[] = { 10, 0, 0, 0, 4, 3, 2, 1, 4, 0, 0, 0 };
	assert_memory_equal(b, want, sizeof(want));
	struct agent_frame_header h;
	assert_int_equal(agent_frame_header_decode(b, &h), 0);
	assert_int_equal(h.type, AGENT_MSG_EXIT);
	assert_int_equal(h.id, 0x01020304u);
	assert_int_equal(h.length, 4);
}

static void test_header_rejects_oversized_length(void **state)
{
	(void)state;
	uint8_t b[AGENT_FRAME_HEADER_SIZE];
	struct agent_frame_header h;
	agent_frame_header_encode(b, AGENT_MSG_CREATE, 0, AGENT_FRAME_MAX_PAYLOAD);
	assert_int_equal(agent_frame_header_decode(b, &h), 0);
	agent_frame_header_encode(b, AGENT_MSG_CREATE, 0, AGENT_FRAME_MAX_PAYLOAD + 1);
	assert_int_equal(agent_frame_header_decode(b, &h), -1);
	agent_frame_header_encode(b, AGENT_MSG_CREATE, 0, UINT32_MAX);
	assert_int_equal(agent_frame_header_decode(b, &h), -1);
}

static void test_message_types(void **state)
{
	(void)state;
	assert_false(agent_msg_type_valid(0));
	assert_true(agent_msg_type_valid(AGENT_MSG_READY));
	assert_true(agent_msg_type_valid(AGENT_MSG_POWEROFF));
	assert_true(agent_msg_type_valid(AGENT_MSG_STDIN));
	assert_true(agent_msg_type_valid(AGENT_MSG_EXEC_STDIN));
	assert_false(agent_msg_type_valid(AGENT_MSG_EXEC_STDIN + 1));
}

static void test_create_round_trip(void **state)
{
	(void)state;
	const char *tags[] = { "rootfs", "vol" };
	const char *paths[] = { "rootfs", "/tmp/x/vol" };
	const char config[] = "{\"ociVersion\":\"1.3.0\"}";
	size_t need = agent_create_encode(NULL, 0, AGENT_CREATE_POWEROFF_ON_EXIT, 2, tags, paths, config,
					  strlen(config));
	assert_int_equal(need, 8 + (8 + 6 + 6) + (8 + 3 + 10) + strlen(config));
	uint8_t *buf = malloc(need);
	assert_int_equal(agent_create_encode(buf, need - 1, 0, 2, tags, paths, config, strlen(config)), 0);
	assert_int_equal(agent_create_encode(buf, need, AGENT_CREATE_POWEROFF_ON_EXIT, 2, tags, paths, config,
					     strlen(config)),
			 need);
	struct agent_create c;
	assert_int_equal(agent_create_decode(buf, need, &c), 0);
	assert_int_equal(c.flags, AGENT_CREATE_POWEROFF_ON_EXIT);
	assert_int_equal(c.n_shares, 2);
	assert_int_equal(c.shares[0].tag_len, 6);
	assert_memory_equal(c.shares[0].tag, "rootfs", 6);
	assert_int_equal(c.shares[1].path_len, 10);
	assert_memory_equal(c.shares[1].path, "/tmp/x/vol", 10);
	assert_int_equal(c.config_len, strlen(config));
	assert_memory_equal(c.config, config, strlen(config));
	/* Every truncation of the payload is refused or loses only config bytes. */
	for (size_t len = 0; len < need; len++) {
		struct agent_create t;
		int r = agent_create_decode(buf, len, &t);
		if (len <= need - strlen(config))
			assert_int_equal(r, -1);
		else
			assert_true(r == 0 && t.config_len == len - (need - strlen(config)));
	}
	free(buf);
}

static void test_create_rejects_bad_shares(void **state)
{
	(void)state;
	uint8_t b[64];
	struct agent_create c;
	/* more shares than AGENT_SHARES_MAX */
	agent_put_u32(b, 0);
	agent_put_u32(b + 4, AGENT_SHARES_MAX + 1);
	memset(b + 8, 'x', sizeof(b) - 8);
	assert_int_equal(agent_create_decode(b, sizeof(b), &c), -1);
	/* a tag longer than AGENT_SHARE_TAG_MAX */
	agent_put_u32(b + 4, 1);
	agent_put_u32(b + 8, AGENT_SHARE_TAG_MAX + 1);
	assert_int_equal(agent_create_decode(b, sizeof(b), &c), -1);
	/* an empty tag */
	agent_put_u32(b + 8, 0);
	assert_int_equal(agent_create_decode(b, sizeof(b), &c), -1);
	/* a NUL inside a path */
	agent_put_u32(b + 8, 2);
	memcpy(b + 12, "ab", 2);
	agent_put_u32(b + 14, 3);
	memcpy(b + 18, "a\0b", 3);
	assert_int_equal(agent_create_decode(b, sizeof(b), &c), -1);
	/* the same entry without the NUL decodes */
	memcpy(b + 18, "a/b", 3);
	assert_int_equal(agent_create_decode(b, sizeof(b), &c), 0);
	assert_int_equal(c.config_len, sizeof(b) - 21);
	/* a length that runs past the end (and would wrap a 32-bit sum) */
	agent_put_u32(b + 14, UINT32_MAX);
	assert_int_equal(agent_create_decode(b, sizeof(b), &c), -1);
	/* no config */
	agent_put_u32(b + 4, 0);
	assert_int_equal(agent_create_decode(b, 8, &c), -1);
}

static void test_create_encode_limits(void **state)
{
	(void)state;
	const char *tags[] = { "" };
	const char *paths[] = { "p" };
	assert_int_equal(agent_create_encode(NULL, 0, 0, 1, tags, paths, "{}", 2), 0);
	assert_int_equal(agent_create_encode(NULL, 0, 0, 0, tags, paths, "{}", 0), 0);
	assert_int_equal(agent_create_encode(NULL, 0, 0, AGENT_SHARES_MAX + 1, tags, paths, "{}", 2), 0);
	assert_int_equal(agent_create_encode(NULL, 0, 0, 0, NULL, NULL, "{}", 2), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_little_endian),
		cmocka_unit_test(test_header_rejects_oversized_length),
		cmocka_unit_test(test_message_types),
		cmocka_unit_test(test_create_round_trip),
		cmocka_unit_test(test_create_rejects_bad_shares),
		cmocka_unit_test(test_create_encode_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
