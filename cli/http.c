// SPDX-License-Identifier: GPL-2.0
/* The control socket's HTTP/1.1 subset (see http.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* The line at p (before end): its length without CRLF or LF, or -1. */
static long line_len(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', end - p);

	if (!nl)
		return -1;
	*next = nl + 1;
	return nl - p - (nl > p && nl[-1] == '\r');
}

/* "Name: value" with the name matched case-insensitively; value trimmed. */
static bool header_is(const char *line, long len, const char *name,
		      const char **value, long *vlen)
{
	size_t n = strlen(name);

	if ((size_t)len <= n || line[n] != ':' || strncasecmp(line, name, n))
		return false;
	*value = line + n + 1;
	*vlen = len - (long)n - 1;
	while (*vlen && (**value == ' ' || **value == '\t')) {
		(*value)++;
		(*vlen)--;
	}
	while (*vlen && ((*value)[*vlen - 1] == ' ' ||
			 (*value)[*vlen - 1] == '\t'))
		(*vlen)--;
	return true;
}

/* A Content-Length value: digits only, at most max. */
static int content_length(const char *v, long len, size_t max, size_t *out)
{
	size_t n = 0;
	long i;

	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -EINVAL;
		n = n * 10 + (v[i] - '0');
		if (n > max)
			return -E2BIG;
	}
	*out = n;
	return 0;
}

/*
 * The header fields from p to the empty line: Content-Length into *clen
 * (0 when absent, *has_clen says), whether "Connection: close".  The
 * head's end into *body_start; 0 when the empty line is not there yet.
 */
static int parse_fields(const char *p, const char *end, size_t max_body,
			size_t *clen, bool *has_clen, bool *close,
			const char **body_start)
{
	const char *next, *v;
	long len, vlen;
	int ret;

	*clen = 0;
	*has_clen = false;
	for (;;) {
		len = line_len(p, end, &next);
		if (len < 0)
			return 0;
		if (!len)
			break;
		if (header_is(p, len, "Content-Length", &v, &vlen)) {
			if (*has_clen)
				return -EINVAL;
			ret = content_length(v, vlen, max_body, clen);
			if (ret)
				return ret;
			*has_clen = true;
		} else if (header_is(p, len, "Transfer-Encoding", &v, &vlen)) {
			return -EOPNOTSUPP;
		} else if (close && header_is(p, len, "Connection", &v, &vlen)) {
			*close = vlen == 5 && !strncasecmp(v, "close", 5);
		} else if (!memchr(p, ':', len) || p[0] == ' ' || p[0] == '\t') {
			return -EINVAL;	/* not a field; obsolete folding */
		}
		p = next;
	}
	*body_start = next;
	return 1;
}

long http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	const char *end = buf + (len > HTTP_MAX_HEAD + HTTP_MAX_BODY ?
				 HTTP_MAX_HEAD + HTTP_MAX_BODY : len);
	const char *p = buf, *next, *sp1, *sp2, *q, *body;
	bool has_clen;
	size_t clen;
	long l, vlen;
	int ret;

	memset(req, 0, sizeof(*req));
	/* RFC 9112 2.2: empty lines before the request line are ignored. */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	l = line_len(p, end, &next);
	if (l < 0)
		return (size_t)(end - buf) >= HTTP_MAX_HEAD ? -E2BIG : 0;
	sp1 = memchr(p, ' ', l);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', p + l - sp1 - 1) : NULL;
	if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1 || sp1[1] != '/')
		return -EINVAL;
	/* The version's bytes are the line's: no more than it has are read. */
	vlen = p + l - sp2 - 1;
	if (vlen != 8 || strncmp(sp2 + 1, "HTTP/1.", 7))
		return vlen >= 5 && !memcmp(sp2 + 1, "HTTP/", 5) ?
		       -EOPNOTSUPP : -EINVAL;
	if ((size_t)(sp1 - p) >= sizeof(req->method))
		return -EINVAL;
	q = memchr(sp1 + 1, '?', sp2 - sp1 - 1);
	if (!q)
		q = sp2;
	if ((size_t)(q - sp1 - 1) >= sizeof(req->path))
		return -E2BIG;
	memcpy(req->method, p, sp1 - p);
	memcpy(req->path, sp1 + 1, q - sp1 - 1);
	/* HTTP/1.0 closes after one request. */
	req->close = sp2[8] == '0';
	ret = parse_fields(next, end, HTTP_MAX_BODY, &clen, &has_clen,
			   &req->close, &body);
	if (ret <= 0)
		return ret ? ret :
		       (size_t)(end - buf) >= HTTP_MAX_HEAD ? -E2BIG : 0;
	if (body - buf > HTTP_MAX_HEAD)
		return -E2BIG;
	if ((size_t)(end - body) < clen)
		return 0;
	req->body = body;
	req->body_len = clen;
	return body + clen - buf;
}

long http_parse_response(const char *buf, size_t len, bool eof, int *status,
			 const char **body, size_t *body_len)
{
	const char *end = buf + len, *next, *start;
	bool has_clen;
	size_t clen;
	long l;
	int ret;

	l = line_len(buf, end, &next);
	if (l < 0)
		return eof ? -EINVAL : 0;
	/* "HTTP/1.1 204 No Content" */
	if (l < 12 || strncmp(buf, "HTTP/1.", 7) || buf[8] != ' ' ||
	    !isdigit((unsigned char)buf[9]) ||
	    !isdigit((unsigned char)buf[10]) ||
	    !isdigit((unsigned char)buf[11]) || (l > 12 && buf[12] != ' '))
		return -EINVAL;
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + buf[11] - '0';
	ret = parse_fields(next, end, 1U << 30, &clen, &has_clen, NULL,
			   &start);
	if (ret <= 0)
		return ret ? ret : eof ? -EINVAL : 0;
	/* An interim answer (1xx) has no body (RFC 9110 15.2). */
	if (*status / 100 == 1) {
		clen = 0;
	} else if (!has_clen) {
		if (!eof)
			return 0;
		clen = end - start;
	}
	if ((size_t)(end - start) < clen)
		return eof ? -EINVAL : 0;
	*body = start;
	*body_len = clen;
	return start + clen - buf;
}

bool http_field(const char *head, size_t len, const char *name,
		char *out, size_t out_len)
{
	const char *end = head + len, *p = head, *next, *v;
	long l, vlen;

	/* Past the status line, up to the empty line. */
	for (l = line_len(p, end, &next); l >= 0 && (p == head || l);
	     l = line_len(p, end, &next)) {
		if (p != head && header_is(p, l, name, &v, &vlen)) {
			if ((size_t)vlen >= out_len)
				vlen = out_len - 1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = next;
	}
	return false;
}

const char *http_reason(int status)
{
	switch (status) {
	case 102:
		return "Processing";
	case 200:
		return "OK";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

void http_write_response(FILE *f, int status, const char *content_type,
			 const char *body, size_t len)
{
	fprintf(f, "HTTP/1.1 %d %s\r\nServer: vmctl\r\n", status,
		http_reason(status));
	if (len)
		fprintf(f, "Content-Type: %s\r\n", content_type);
	fprintf(f, "Content-Length: %zu\r\n\r\n", len);
	if (len)
		fwrite(body, 1, len, f);
}
