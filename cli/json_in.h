/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the JSON bodies of control socket requests (RFC 8259): one
 * object whose members' values are read by name.  Nested objects and
 * arrays are checked and can be found but not looked into: the
 * requests served take strings, numbers and booleans.  Pure functions.
 */
#ifndef VMCTL_JSON_IN_H
#define VMCTL_JSON_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL,
	JSON_OBJECT, JSON_ARRAY,
};

/* A value as it is in the text: a string with its quotes. */
struct json_value {
	enum json_type type;
	const char *text;
	size_t len;
};

/*
 * text[0..len) is one object, well formed, every member name among
 * known (NULL-terminated; NULL: any) and none twice: 0, or -EINVAL with
 * what is wrong in why (why_len bytes).
 */
int json_check_object(const char *text, size_t len,
		      const char *const *known, char *why, size_t why_len);
/* Member key of the object in text (checked first): 0 or -ENOENT. */
int json_get(const char *text, size_t len, const char *key,
	     struct json_value *v);
/*
 * A string value unescaped into buf (size bytes, NUL-terminated):
 * 0, -EINVAL (not a string, or it holds a NUL), -E2BIG.
 */
int json_get_string(const char *text, size_t len, const char *key, char *buf,
		    size_t size);
/* A non-negative integer value: 0, -ENOENT, -EINVAL, -ERANGE. */
int json_get_u64(const char *text, size_t len, const char *key,
		 uint64_t *out);
/* A boolean: 0, -ENOENT, -EINVAL. */
int json_get_bool(const char *text, size_t len, const char *key, bool *out);

#endif /* VMCTL_JSON_IN_H */
