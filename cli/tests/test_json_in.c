// SPDX-License-Identifier: GPL-2.0
/*
 * Reading request bodies (json_in.c over jansson): Firecracker's payloads
 * read by field, escapes undone, numbers and booleans checked, unknown and
 * repeated fields, malformed JSON, NULs and invalid UTF-8 refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_in.h"

#define S(s) s, strlen(s)

static void test_get(void **state)
{
	static const char body[] =
		" {\"snapshot_type\": \"Full\", \"snapshot_path\": \"/tmp/a\\\"b\\u00e9\\/c\",\n"
		"  \"mem_backend\": {\"backend_type\": \"File\", \"x\": [1, 2.5e3, null]},"
		"  \"resume_vm\": true, \"amount_mib\": 9223372036854775807,"
		"  \"neg\": -1, \"frac\": 1.5, \"off\": false } ";
	char buf[32];
	uint64_t n;
	bool b;

	(void)state;
	assert_int_equal(json_get_string(S(body), "snapshot_path", buf,
					 sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/a\"b\xc3\xa9/c");
	assert_int_equal(json_get_string(S(body), "snapshot_type", buf, 5), 0);
	assert_int_equal(json_get_string(S(body), "snapshot_type", buf, 4),
			 -E2BIG);
	assert_int_equal(json_get_string(S(body), "mem_backend", buf,
					 sizeof(buf)), -EINVAL);
	assert_int_equal(json_get_u64(S(body), "amount_mib", &n), 0);
	assert_true(n == INT64_MAX);
	assert_int_equal(json_get_u64(S(body), "neg", &n), -EINVAL);
	assert_int_equal(json_get_u64(S(body), "frac", &n), -EINVAL);
	assert_int_equal(json_get_bool(S(body), "resume_vm", &b), 0);
	assert_true(b);
	assert_int_equal(json_get_bool(S(body), "off", &b), 0);
	assert_false(b);
	assert_int_equal(json_get_bool(S(body), "neg", &b), -EINVAL);
	assert_int_equal(json_get_u64(S(body), "backend_type", &n), -ENOENT);
	assert_int_equal(json_get_bool(S(body), "nothere", &b), -ENOENT);
	/* jansson's integers are int64_t: more is not a well-formed body. */
	assert_int_equal(json_get_u64(S("{\"a\": 9223372036854775808}"), "a",
				      &n), -EINVAL);
	assert_int_equal(json_get_string(S("{\"a\": \"x\\u0000y\"}"), "a", buf,
					 sizeof(buf)), -EINVAL);
	assert_int_equal(json_get_string(S("{\"a\": \"\xff\"}"), "a", buf,
					 sizeof(buf)), -EINVAL);
	assert_int_equal(json_get_string(S("{}"), "a", buf, sizeof(buf)),
			 -ENOENT);
}

static void test_check(void **state)
{
	static const char *const known[] = { "state", NULL };
	static const char *const two[] = { "a", "b", NULL };
	char why[64];

	(void)state;
	/* Two fields, each known and once. */
	assert_int_equal(json_check_object(S("{\"a\": 1, \"b\": \"x\"}"), two,
					   why, sizeof(why)), 0);
	assert_int_equal(json_check_object(S("{\"b\": 1, \"a\": 2, \"b\": 3}"),
					   two, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "field \"b\" given twice");
	assert_int_equal(json_check_object(S("{\"state\": \"Paused\"}"), known,
					   why, sizeof(why)), 0);
	assert_int_equal(json_check_object(S("{}"), known, why, sizeof(why)),
			 0);
	assert_int_equal(json_check_object(S("{\"state\": 1, \"x\": 2}"),
					   known, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "unknown field \"x\"");
	assert_int_equal(json_check_object(S("{\"state\": 1, \"state\": 2}"),
					   known, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "field \"state\" given twice");
	assert_int_equal(json_check_object(S("{\"x\": 1}"), NULL, why,
					   sizeof(why)), 0);
}

/* More members than any request has: refused before they are looked at. */
static void test_too_many(void **state)
{
	char text[512], why[64];
	size_t n = 0;
	int i;

	(void)state;
	for (i = 0; i < 33; i++)
		n += sprintf(text + n, "%c\"f%d\": %d", i ? ',' : '{', i, i);
	text[n++] = '}';
	assert_int_equal(json_check_object(text, n, NULL, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "too many fields");
	/* 32 pass: the last member dropped. */
	n = strrchr(text, ',') - text;
	text[n++] = '}';
	assert_int_equal(json_check_object(text, n, NULL, why, sizeof(why)),
			 0);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "[]", "\"s\"", "{", "{\"a\"}", "{\"a\": }", "{\"a\": 1,}",
		"{\"a\": 1} x", "{a: 1}", "{\"a\": 01}", "{\"a\": 1.}",
		"{\"a\": tru}", "{\"a\": \"\\x\"}", "{\"a\": \"\\u12g4\"}",
		"{\"a\": \"tab\tin\"}", "{\"a\": [1 2]}", "{\"a\": \"open}",
	};
	char why[64];
	uint64_t n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(json_check_object(S(bad[i]), NULL, why,
						   sizeof(why)), -EINVAL);
		assert_string_equal(why, "not a well-formed JSON object");
		assert_int_equal(json_get_u64(S(bad[i]), "a", &n), -EINVAL);
	}
}

/* {"a": [[...[1]...]]} with the object and arrays nested depth deep. */
static char *nested(size_t depth, size_t *len)
{
	char *text = malloc(2 * depth + 8);
	size_t n, i;

	assert_non_null(text);
	n = sprintf(text, "{\"a\":");
	for (i = 1; i < depth; i++)
		text[n++] = '[';
	text[n++] = '1';
	for (i = 1; i < depth; i++)
		text[n++] = ']';
	text[n++] = '}';
	*len = n;
	return text;
}

/*
 * Nesting past jansson's fixed limit is refused, not recursed into: it
 * counts the innermost value too, so 2047 objects and arrays pass.
 */
static void test_too_deep(void **state)
{
	char why[64], *text;
	uint64_t v;
	size_t n;

	(void)state;
	text = nested(2048, &n);
	assert_int_equal(json_check_object(text, n, NULL, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "not a well-formed JSON object");
	assert_int_equal(json_get_u64(text, n, "a", &v), -EINVAL);
	free(text);
	text = nested(2047, &n);
	assert_int_equal(json_check_object(text, n, NULL, why, sizeof(why)),
			 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
