// SPDX-License-Identifier: GPL-2.0
/* Reading a request's JSON object (see json_in.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json_in.h"

#define MAX_DEPTH	16	/* nesting of objects and arrays */
#define MAX_FIELDS	32	/* members of the request's object */

struct scan {
	const char *p, *end;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool take(struct scan *s, char c)
{
	skip_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

static int hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string at s->p (its opening quote); s->p past its closing quote. */
static int scan_string(struct scan *s)
{
	if (s->p >= s->end || *s->p != '"')
		return -EINVAL;
	for (s->p++; s->p < s->end; s->p++) {
		unsigned char c = *s->p;

		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return -EINVAL;
		if (c != '\\')
			continue;
		if (++s->p >= s->end)
			return -EINVAL;
		if (*s->p == 'u') {
			if (s->end - s->p < 5 || hex4(s->p + 1) < 0)
				return -EINVAL;
			s->p += 4;
		} else if (!strchr("\"\\/bfnrt", *s->p)) {
			return -EINVAL;
		}
	}
	return -EINVAL;
}

static bool digit(const struct scan *s)
{
	return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static int scan_number(struct scan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (!digit(s))
		return -EINVAL;
	if (*s->p == '0')
		s->p++;
	else
		while (digit(s))
			s->p++;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!digit(s))
			return -EINVAL;
		while (digit(s))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digit(s))
			return -EINVAL;
		while (digit(s))
			s->p++;
	}
	return 0;
}

static int scan_literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return -EINVAL;
	s->p += n;
	return 0;
}

static int scan_value(struct scan *s, struct json_value *v, int depth);

/* An object or array's members after its opening bracket. */
static int scan_container(struct scan *s, char close, int depth)
{
	struct json_value v;
	int ret;

	if (take(s, close))
		return 0;
	do {
		if (close == '}') {
			skip_ws(s);
			ret = scan_string(s);
			if (ret || !take(s, ':'))
				return -EINVAL;
		}
		ret = scan_value(s, &v, depth + 1);
		if (ret)
			return ret;
	} while (take(s, ','));
	return take(s, close) ? 0 : -EINVAL;
}

static int scan_value(struct scan *s, struct json_value *v, int depth)
{
	int ret;

	skip_ws(s);
	if (s->p >= s->end || depth > MAX_DEPTH)
		return -EINVAL;
	v->text = s->p;
	switch (*s->p) {
	case '"':
		v->type = JSON_STRING;
		ret = scan_string(s);
		break;
	case '{':
	case '[':
		v->type = *s->p == '{' ? JSON_OBJECT : JSON_ARRAY;
		s->p++;
		ret = scan_container(s, v->type == JSON_OBJECT ? '}' : ']',
				     depth);
		break;
	case 't':
		v->type = JSON_TRUE;
		ret = scan_literal(s, "true");
		break;
	case 'f':
		v->type = JSON_FALSE;
		ret = scan_literal(s, "false");
		break;
	case 'n':
		v->type = JSON_NULL;
		ret = scan_literal(s, "null");
		break;
	default:
		v->type = JSON_NUMBER;
		ret = scan_number(s);
		break;
	}
	v->len = s->p - v->text;
	return ret;
}

/*
 * Call fn for each member of the object in text, in order; a non-zero
 * return from fn ends the walk with it.  -EINVAL when text is not one
 * well-formed object (checked to its end before the first call).
 */
static int each_member(const char *text, size_t len,
		       int (*fn)(void *ctx, const struct json_value *key,
				 const struct json_value *val),
		       void *ctx)
{
	struct scan s = { text, text + len };
	struct json_value v, key;
	int ret;

	if (scan_value(&s, &v, 0) || v.type != JSON_OBJECT)
		return -EINVAL;
	skip_ws(&s);
	if (s.p != s.end)
		return -EINVAL;
	s.p = v.text + 1;
	if (take(&s, '}'))
		return 0;
	do {
		skip_ws(&s);
		key.type = JSON_STRING;
		key.text = s.p;
		scan_string(&s);
		key.len = s.p - key.text;
		take(&s, ':');
		scan_value(&s, &v, 1);
		ret = fn(ctx, &key, &v);
		if (ret)
			return ret;
	} while (take(&s, ','));
	return 0;
}

/* A string value's contents unescaped into buf: 0, -EINVAL, -E2BIG. */
static int unescape(const struct json_value *v, char *buf, size_t size)
{
	const char *p = v->text + 1, *end = v->text + v->len - 1;
	size_t n = 0;
	char out[4];
	int len, c;

	if (v->type != JSON_STRING)
		return -EINVAL;
	for (; p < end; p++) {
		len = 1;
		out[0] = *p;
		if (*p == '\\') {
			p++;
			switch (*p) {
			case 'b':
				out[0] = '\b';
				break;
			case 'f':
				out[0] = '\f';
				break;
			case 'n':
				out[0] = '\n';
				break;
			case 'r':
				out[0] = '\r';
				break;
			case 't':
				out[0] = '\t';
				break;
			case 'u':
				/* Surrogate pairs are not needed by any request. */
				c = hex4(p + 1);
				p += 4;
				if (!c || (c >= 0xd800 && c < 0xe000))
					return -EINVAL;
				if (c < 0x80) {
					out[0] = c;
				} else if (c < 0x800) {
					out[0] = 0xc0 | c >> 6;
					out[1] = 0x80 | (c & 0x3f);
					len = 2;
				} else {
					out[0] = 0xe0 | c >> 12;
					out[1] = 0x80 | ((c >> 6) & 0x3f);
					out[2] = 0x80 | (c & 0x3f);
					len = 3;
				}
				break;
			default:	/* " \ / */
				out[0] = *p;
				break;
			}
		}
		if (n + len >= size)
			return -E2BIG;
		memcpy(buf + n, out, len);
		n += len;
	}
	buf[n] = '\0';
	return 0;
}

static bool key_is(const struct json_value *key, const char *name)
{
	size_t n = strlen(name);

	/* Member names with escapes never match a plain name: none needs them. */
	return key->len == n + 2 && !memcmp(key->text + 1, name, n);
}

struct check {
	const char *const *known;
	struct json_value seen[MAX_FIELDS];	/* copies: the walk reuses its own */
	unsigned int nr_seen;
	char *why;
	size_t why_len;
};

static int check_member(void *ctx, const struct json_value *key,
			const struct json_value *val)
{
	struct check *c = ctx;
	unsigned int i;

	(void)val;
	for (i = 0; c->known && c->known[i] && !key_is(key, c->known[i]); i++)
		;
	if (c->known && !c->known[i]) {
		snprintf(c->why, c->why_len, "unknown field %.*s",
			 (int)key->len, key->text);
		return -EINVAL;
	}
	for (i = 0; i < c->nr_seen; i++)
		if (c->seen[i].len == key->len &&
		    !memcmp(c->seen[i].text, key->text, key->len)) {
			snprintf(c->why, c->why_len, "field %.*s given twice",
				 (int)key->len, key->text);
			return -EINVAL;
		}
	if (c->nr_seen == MAX_FIELDS) {
		snprintf(c->why, c->why_len, "too many fields");
		return -EINVAL;
	}
	c->seen[c->nr_seen++] = *key;
	return 0;
}

int json_check_object(const char *text, size_t len,
		      const char *const *known, char *why, size_t why_len)
{
	struct check c = { .known = known, .why = why, .why_len = why_len };
	int ret;

	if (why_len)
		why[0] = '\0';
	ret = each_member(text, len, check_member, &c);
	if (ret && why_len && !why[0])
		snprintf(why, why_len, "not a well-formed JSON object");
	return ret;
}

struct find {
	const char *key;
	struct json_value *v;
};

static int find_member(void *ctx, const struct json_value *key,
		       const struct json_value *val)
{
	struct find *f = ctx;

	if (!key_is(key, f->key))
		return 0;
	*f->v = *val;
	return 1;
}

int json_get(const char *text, size_t len, const char *key,
	     struct json_value *v)
{
	struct find f = { key, v };
	int ret = each_member(text, len, find_member, &f);

	return ret == 1 ? 0 : ret ? ret : -ENOENT;
}

int json_get_string(const char *text, size_t len, const char *key, char *buf,
		    size_t size)
{
	struct json_value v;
	int ret = json_get(text, len, key, &v);

	return ret ? ret : unescape(&v, buf, size);
}

int json_get_u64(const char *text, size_t len, const char *key,
		 uint64_t *out)
{
	struct json_value v;
	uint64_t n = 0;
	size_t i;
	int ret = json_get(text, len, key, &v);

	if (ret)
		return ret;
	if (v.type != JSON_NUMBER || v.text[0] == '-')
		return -EINVAL;
	for (i = 0; i < v.len; i++) {
		unsigned int d = v.text[i] - '0';

		if (d > 9)
			return -EINVAL;	/* a fraction or an exponent */
		if (n > (UINT64_MAX - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

int json_get_bool(const char *text, size_t len, const char *key, bool *out)
{
	struct json_value v;
	int ret = json_get(text, len, key, &v);

	if (ret)
		return ret;
	if (v.type != JSON_TRUE && v.type != JSON_FALSE)
		return -EINVAL;
	*out = v.type == JSON_TRUE;
	return 0;
}
