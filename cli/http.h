/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little of HTTP/1.1 (RFC 9112) the control socket speaks: one
 * request per connection or several in a row, each a request line,
 * header fields and a body of Content-Length bytes (no chunked transfer
 * coding, no Expect: 100-continue).  That is what Firecracker's API
 * clients send over a unix socket (curl --unix-socket, the Go SDK), so
 * they can drive vmctl too.  Pure functions: no I/O, unit-tested.
 */
#ifndef VMCTL_HTTP_H
#define VMCTL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define HTTP_MAX_HEAD	8192		/* request line and header fields */
#define HTTP_MAX_BODY	(64 * 1024)	/* Firecracker's payload limit is 50K */

struct http_request {
	char method[8];		/* "GET", "PUT", "PATCH", ... */
	char path[256];		/* without a query string */
	const char *body;	/* into the parsed buffer; not terminated */
	size_t body_len;
	bool close;		/* "Connection: close": last on this connection */
};

/*
 * A request at the start of buf[0..len): the bytes it takes (head and
 * body) when it is all there, 0 when more must be read first, or
 * -EINVAL (malformed), -E2BIG (head or body over the limits),
 * -EOPNOTSUPP (Transfer-Encoding, HTTP other than 1.x).
 */
long http_parse_request(const char *buf, size_t len, struct http_request *req);

/*
 * A response's status and body in buf[0..len) (the client's side):
 * bytes taken, 0 when incomplete, -EINVAL when malformed.  A response
 * without Content-Length runs to the end of the connection: give eof;
 * an interim one (1xx) has no body.
 */
long http_parse_response(const char *buf, size_t len, bool eof, int *status,
			 const char **body, size_t *body_len);

/*
 * The header field name of the response head[0..len) into out (cut to
 * out_len - 1 bytes, NUL-terminated): whether it is there.
 */
bool http_field(const char *head, size_t len, const char *name,
		char *out, size_t out_len);

/* A whole response: status line, Content-Type, Content-Length, body. */
void http_write_response(FILE *f, int status, const char *content_type,
			 const char *body, size_t len);
/* The reason phrase of status ("No Content"). */
const char *http_reason(int status);

#endif /* VMCTL_HTTP_H */
