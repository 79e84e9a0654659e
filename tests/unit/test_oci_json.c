/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_oci_json.c - the JSON layer under oci-spec (oci-spec/json.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oci-spec/json.h"

static void test_parse_tree(void **state)
{
	(void)state;
	const char *t = "{\"n\":18446744073709551615,\"f\":-1.5e3,\"s\":\"a\\u0000b\",\"a\":[true,null],\"n\":1}";
	struct json_value *v = NULL;
	char *msg = NULL;
	assert_int_equal(json_parse(t, strlen(t), &v, &msg), 0);
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->u.object.len, 5); /* duplicates kept */
	assert_string_equal(json_object_get(v, "n")->u.number, "1"); /* last wins */
	assert_string_equal(v->u.object.values[0]->u.number, "18446744073709551615");
	assert_string_equal(json_object_get(v, "f")->u.number, "-1.5e3");
	const struct json_value *s = json_object_get(v, "s");
	assert_int_equal(s->u.string.len, 3);
	assert_int_equal(s->u.string.ptr[1], '\0');
	const struct json_value *a = json_object_get(v, "a");
	assert_int_equal(a->u.array.len, 2);
	assert_true(a->u.array.items[0]->u.boolean);
	assert_int_equal(a->u.array.items[1]->type, JSON_NULL);
	assert_null(json_object_get(v, "missing"));
	json_free(v);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	struct json_value *v = NULL;
	char *msg = NULL;
	const char *bad_utf8 = "{\"a\":\"\xff\"}";
	assert_int_equal(json_parse(bad_utf8, strlen(bad_utf8), &v, &msg), -1);
	assert_non_null(strstr(msg, "malformed JSON at line 1"));
	free(msg);
	const char *nul_key = "{\"a\\u0000b\":1}";
	assert_int_equal(json_parse(nul_key, strlen(nul_key), &v, &msg), -1);
	assert_string_equal(msg, "malformed JSON at line 1, column 11: object key contains a NUL character");
	free(msg);
	const char *comment = "{/* c */}";
	assert_int_equal(json_parse(comment, strlen(comment), &v, &msg), -1);
	free(msg);
	/* an embedded NUL byte in the text is not JSON */
	assert_int_equal(json_parse("{}\0{}", 5, &v, &msg), -1);
	free(msg);
	assert_null(v);
}

static void test_describe(void **state)
{
	(void)state;
	char buf[128];
	struct json_value s = { .type = JSON_STRING };
	s.u.string.ptr = "a\"b\n";
	s.u.string.len = 4;
	assert_string_equal(json_describe(&s, buf, sizeof(buf)), "\"a\\\"b\\u000a\"");
	s.u.string.ptr = "0123456789012345678901234567890123456789-long";
	s.u.string.len = strlen(s.u.string.ptr);
	assert_string_equal(json_describe(&s, buf, sizeof(buf)), "\"0123456789012345678901234567890123456789\"...");
	/* cuts never split a UTF-8 character */
	s.u.string.ptr = "012345678901234567890123456789012345678\xc3\xa9tail";
	s.u.string.len = strlen(s.u.string.ptr);
	assert_string_equal(json_describe(&s, buf, sizeof(buf)), "\"012345678901234567890123456789012345678\"...");
	char small[10];
	s.u.string.ptr = "a\xc3\xa9\xc3\xa9\xc3\xa9";
	s.u.string.len = strlen(s.u.string.ptr);
	assert_string_equal(json_describe(&s, small, sizeof(small)), "\"a\xc3\xa9\"...");
	struct json_value o = { .type = JSON_OBJECT };
	assert_string_equal(json_describe(&o, buf, sizeof(buf)), "an object");
}

static void test_gen_pretty_like_go(void **state)
{
	(void)state;
	struct json_gen *g = json_gen_new(true);
	json_gen_object_open(g);
	json_gen_key(g, "s");
	json_gen_string(g, "x{[,:\"]}");
	json_gen_key(g, "u");
	json_gen_uint(g, UINT64_MAX);
	json_gen_key(g, "i");
	json_gen_int(g, -5);
	json_gen_key(g, "e");
	json_gen_array_open(g);
	json_gen_array_close(g);
	json_gen_key(g, "o");
	json_gen_object_open(g);
	json_gen_object_close(g);
	json_gen_key(g, "a");
	json_gen_strv(g, (char *[]){ "p", "q" }, 2);
	json_gen_key(g, "n");
	json_gen_null(g);
	json_gen_object_close(g);
	size_t len = 0;
	char *out = json_gen_finish(g, &len);
	json_gen_free(g);
	assert_non_null(out);
	assert_string_equal(out, "{\n"
				 "  \"s\": \"x{[,:\\\"]}\",\n"
				 "  \"u\": 18446744073709551615,\n"
				 "  \"i\": -5,\n"
				 "  \"e\": [],\n"
				 "  \"o\": {},\n"
				 "  \"a\": [\n"
				 "    \"p\",\n"
				 "    \"q\"\n"
				 "  ],\n"
				 "  \"n\": null\n"
				 "}");
	assert_int_equal(len, strlen(out));
	free(out);
}

static void test_gen_failures(void **state)
{
	(void)state;
	struct json_gen *g = json_gen_new(false);
	json_gen_object_open(g);
	json_gen_key(g, "bad");
	json_gen_string(g, "\xc3\x28"); /* invalid UTF-8 */
	json_gen_object_close(g);
	assert_null(json_gen_finish(g, NULL));
	json_gen_free(g);

	g = json_gen_new(false);
	json_gen_array_open(g); /* never closed */
	assert_null(json_gen_finish(g, NULL));
	json_gen_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_tree),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_gen_pretty_like_go),
		cmocka_unit_test(test_gen_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
