/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the JSON bodies of control socket requests (RFC 8259) with
 * jansson: one object whose members' values are read by name.  Each call
 * parses text[0..len) anew (bodies are small), refusing malformed JSON,
 * repeated member names, \u0000 and invalid UTF-8.  Pure functions.
 */
#ifndef VMCTL_JSON_IN_H
#define VMCTL_JSON_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * text[0..len) is one object, well formed, every member name among
 * known (NULL-terminated; NULL: any) and none twice: 0, or -EINVAL with
 * what is wrong in why (why_len bytes).
 */
int json_check_object(const char *text, size_t len,
		      const char *const *known, char *why, size_t why_len);
/*
 * The getters: 0, -EINVAL when text is not one well-formed object or the
 * member's value is not of the type asked for, -ENOENT when the object has
 * no member key.
 *
 * A string value into buf (size bytes, NUL-terminated): also -E2BIG.
 */
int json_get_string(const char *text, size_t len, const char *key, char *buf,
		    size_t size);
/* A non-negative integer value (at most INT64_MAX: jansson's integers). */
int json_get_u64(const char *text, size_t len, const char *key,
		 uint64_t *out);
/* A boolean. */
int json_get_bool(const char *text, size_t len, const char *key, bool *out);

#endif /* VMCTL_JSON_IN_H */
