// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's HTTP/1.1 subset (http.c): requests as curl and
 * Firecracker's Go SDK send them, incomplete ones waited for, malformed
 * ones refused; responses parsed on the client's side and written on
 * the server's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http.h"

static long parse(const char *s, struct http_request *req)
{
	return http_parse_request(s, strlen(s), req);
}

/* s parsed from a buffer of exactly its length (no NUL after it). */
static long exact(const char *s, struct http_request *req)
{
	size_t len = strlen(s);
	char *b = malloc(len);
	long ret;

	assert_non_null(b);
	memcpy(b, s, len);
	ret = http_parse_request(b, len, req);
	free(b);
	return ret;
}

static void test_request(void **state)
{
	static const char curl[] =
		"PATCH /vm HTTP/1.1\r\nHost: localhost\r\n"
		"User-Agent: curl/7.88.1\r\nAccept: application/json\r\n"
		"Content-Type: application/json\r\ncontent-length: 20\r\n"
		"\r\n{\"state\": \"Paused\"}\nGET / HTTP/1.1\r\n\r\n";
	struct http_request req;
	long n;

	(void)state;
	n = parse(curl, &req);
	assert_int_equal(n, strlen(curl) - strlen("GET / HTTP/1.1\r\n\r\n"));
	assert_string_equal(req.method, "PATCH");
	assert_string_equal(req.path, "/vm");
	assert_int_equal(req.body_len, 20);
	assert_memory_equal(req.body, "{\"state\": \"Paused\"}\n", 20);
	assert_false(req.close);
	/* The next request on the same connection. */
	assert_int_equal(parse(curl + n, &req), strlen(curl + n));
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.path, "/");
	assert_int_equal(req.body_len, 0);

	/* Bare LF lines, a query string dropped, Connection: close, 1.0. */
	assert_true(parse("GET /machine-config?x=1 HTTP/1.1\nConnection:  close \n\n",
			  &req) > 0);
	assert_string_equal(req.path, "/machine-config");
	assert_true(req.close);
	assert_true(parse("GET / HTTP/1.0\r\n\r\n", &req) > 0);
	assert_true(req.close);
}

static void test_incomplete(void **state)
{
	static const char full[] =
		"PUT /snapshot/create HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
	struct http_request req;
	size_t i;

	(void)state;
	for (i = 0; i < strlen(full); i++)
		assert_int_equal(http_parse_request(full, i, &req), 0);
	assert_int_equal(http_parse_request(full, i, &req), strlen(full));
}

static void test_malformed(void **state)
{
	static char big[HTTP_MAX_HEAD + 64];
	struct http_request req;

	(void)state;
	assert_int_equal(parse("GET\r\n\r\n", &req), -EINVAL);
	assert_int_equal(parse("GET / \r\n\r\n", &req), -EINVAL);
	assert_int_equal(parse("GET vm HTTP/1.1\r\n\r\n", &req), -EINVAL);
	assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &req), -EOPNOTSUPP);
	assert_int_equal(parse("GET / FTP/1.1\r\n\r\n", &req), -EINVAL);
	/*
	 * A version shorter than "HTTP/" ending the bytes read so far: no
	 * byte past them is looked at (AddressSanitizer checks this one).
	 */
	assert_int_equal(exact("GET / H\r\n", &req), -EINVAL);
	assert_int_equal(exact("GET / HTTP\n", &req), -EINVAL);
	assert_int_equal(exact("GET / HTTP/2\n", &req), -EOPNOTSUPP);
	assert_int_equal(parse("GETTINGLONG / HTTP/1.1\r\n\r\n", &req),
			 -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nno colon\r\n\r\n", &req),
			 -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
			       &req), -EINVAL);
	assert_int_equal(parse("PUT / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
			       &req), -EINVAL);
	assert_int_equal(parse("PUT / HTTP/1.1\r\nContent-Length: 1\r\n"
			       "Content-Length: 1\r\n\r\nx", &req), -EINVAL);
	assert_int_equal(parse("PUT / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
			       &req), -E2BIG);
	assert_int_equal(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
			       &req), -EOPNOTSUPP);
	/* A head that never ends. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	assert_int_equal(http_parse_request(big, sizeof(big), &req), -E2BIG);
	memcpy(big, "GET /", 5);
	assert_int_equal(http_parse_request(big, sizeof(big), &req), -E2BIG);
}

static void test_response(void **state)
{
	char *out = NULL;
	size_t len = 0;
	const char *body;
	size_t body_len;
	int status;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	http_write_response(f, 400, "application/json",
			    "{\"fault_message\":\"x\"}", 22);
	http_write_response(f, 204, "application/json", NULL, 0);
	fclose(f);
	assert_non_null(strstr(out, "HTTP/1.1 400 Bad Request\r\n"));
	assert_non_null(strstr(out, "Content-Length: 22\r\n"));
	/* The client reads both, one after the other. */
	assert_int_equal(http_parse_response(out, len - 1, false, &status,
					     &body, &body_len) > 0, 1);
	assert_int_equal(status, 400);
	assert_int_equal(body_len, 22);
	assert_memory_equal(body, "{\"fault_message\":\"x\"}", 22);
	body += body_len;
	assert_int_equal(http_parse_response(body, out + len - body, false,
					     &status, &body, &body_len),
			 out + len - (body));
	assert_int_equal(status, 204);
	assert_int_equal(body_len, 0);
	free(out);
	/* Incomplete, without Content-Length (to the end), malformed. */
	assert_int_equal(http_parse_response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab",
					     40, false, &status, &body,
					     &body_len), 0);
	assert_int_equal(http_parse_response("HTTP/1.1 200 OK\r\n\r\nab", 21,
					     true, &status, &body, &body_len),
			 21);
	assert_int_equal(body_len, 2);
	assert_int_equal(http_parse_response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab",
					     40, true, &status, &body,
					     &body_len), -EINVAL);
	assert_int_equal(http_parse_response("SSH-2.0\r\n\r\n", 11, true,
					     &status, &body, &body_len),
			 -EINVAL);
	assert_string_equal(http_reason(405), "Method Not Allowed");
}

/*
 * A long request's interim answers (102, no body) before the final one;
 * the progress field read from one.
 */
static void test_interim(void **state)
{
	static const char in[] =
		"HTTP/1.1 102 Processing\r\nVmctl-Progress: round 3\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
	const char *body;
	size_t body_len;
	char line[8];
	long used;
	int status;

	(void)state;
	used = http_parse_response(in, sizeof(in) - 1, false, &status, &body,
				   &body_len);
	assert_int_equal(used, 52);
	assert_int_equal(status, 102);
	assert_int_equal(body_len, 0);
	assert_true(http_field(in, used, "vmctl-progress", line,
			       sizeof(line)));
	assert_string_equal(line, "round 3");
	assert_false(http_field(in, used, "Content-Length", line,
				sizeof(line)));
	/* Not past the head. */
	assert_false(http_field(in, sizeof(in) - 1, "Content-Length", line,
				sizeof(line)));
	assert_int_equal(http_parse_response(in + used, sizeof(in) - 1 - used,
					     false, &status, &body,
					     &body_len),
			 sizeof(in) - 1 - used);
	assert_int_equal(status, 200);
	assert_string_equal(http_reason(102), "Processing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_interim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
