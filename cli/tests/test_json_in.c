// SPDX-License-Identifier: GPL-2.0
/*
 * Reading request bodies (json_in.c): Firecracker's payloads read by
 * field, escapes undone, numbers and booleans checked, unknown and
 * repeated fields and malformed JSON refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json_in.h"

#define S(s) s, strlen(s)

static void test_get(void **state)
{
	static const char body[] =
		" {\"snapshot_type\": \"Full\", \"snapshot_path\": \"/tmp/a\\\"b\\u00e9\\/c\",\n"
		"  \"mem_backend\": {\"backend_type\": \"File\", \"x\": [1, 2.5e3, null]},"
		"  \"resume_vm\": true, \"amount_mib\": 18446744073709551615,"
		"  \"neg\": -1, \"frac\": 1.5, \"off\": false } ";
	struct json_value v;
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
	assert_int_equal(json_get(S(body), "mem_backend", &v), 0);
	assert_int_equal(v.type, JSON_OBJECT);
	assert_int_equal(json_get_string(S(body), "mem_backend", buf,
					 sizeof(buf)), -EINVAL);
	assert_int_equal(json_get_u64(S(body), "amount_mib", &n), 0);
	assert_true(n == UINT64_MAX);
	assert_int_equal(json_get_u64(S(body), "neg", &n), -EINVAL);
	assert_int_equal(json_get_u64(S(body), "frac", &n), -EINVAL);
	assert_int_equal(json_get_bool(S(body), "resume_vm", &b), 0);
	assert_true(b);
	assert_int_equal(json_get_bool(S(body), "off", &b), 0);
	assert_false(b);
	assert_int_equal(json_get_bool(S(body), "neg", &b), -EINVAL);
	assert_int_equal(json_get(S(body), "backend_type", &v), -ENOENT);
	assert_int_equal(json_get_u64(S("{\"a\": 18446744073709551616}"), "a",
				      &n), -ERANGE);
	assert_int_equal(json_get_string(S("{\"a\": \"x\\u0000y\"}"), "a", buf,
					 sizeof(buf)), -EINVAL);
	assert_int_equal(json_get(S("{}"), "a", &v), -ENOENT);
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

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "[]", "\"s\"", "{", "{\"a\"}", "{\"a\": }", "{\"a\": 1,}",
		"{\"a\": 1} x", "{a: 1}", "{\"a\": 01}", "{\"a\": 1.}",
		"{\"a\": tru}", "{\"a\": \"\\x\"}", "{\"a\": \"\\u12g4\"}",
		"{\"a\": \"tab\tin\"}", "{\"a\": [1 2]}", "{\"a\": \"open}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
	};
	struct json_value v;
	char why[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(json_check_object(S(bad[i]), NULL, why,
						   sizeof(why)), -EINVAL);
		assert_string_equal(why, "not a well-formed JSON object");
		assert_int_equal(json_get(S(bad[i]), "a", &v), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
