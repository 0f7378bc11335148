// SPDX-License-Identifier: GPL-2.0
/* Reading a request's JSON object with jansson (see json_in.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "json_in.h"

#define MAX_FIELDS	32	/* members of the request's object */

/*
 * Jansson names the repeated key as the token of its message, "duplicate
 * object key near '"b"'": the quoted name, as our unknown-field message.
 */
static void say_duplicate(const json_error_t *err, char *why, size_t why_len)
{
	const char *name = strstr(err->text, "near '");
	const char *end = strrchr(err->text, '\'');

	if (!name || end < name + 6) {
		snprintf(why, why_len, "%s", err->text);
		return;
	}
	name += 6;
	snprintf(why, why_len, "field %.*s given twice", (int)(end - name),
		 name);
}

/*
 * The object in text, or NULL with what is wrong in why (why_len bytes, may
 * be 0).  Jansson's default already refuses \u0000 in strings and invalid
 * UTF-8; repeated names must be asked for, as it would otherwise keep the
 * last one silently.
 */
static json_t *load_object(const char *text, size_t len, char *why,
			   size_t why_len)
{
	json_error_t err;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);

	if (!root && json_error_code(&err) == json_error_duplicate_key) {
		say_duplicate(&err, why, why_len);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(why, why_len, "not a well-formed JSON object");
		return NULL;
	}
	return root;
}

int json_check_object(const char *text, size_t len,
		      const char *const *known, char *why, size_t why_len)
{
	const char *key;
	json_t *root, *val;
	unsigned int i;
	int ret = 0;

	if (why_len)
		why[0] = '\0';
	root = load_object(text, len, why, why_len);
	if (!root)
		return -EINVAL;
	if (json_object_size(root) > MAX_FIELDS) {
		snprintf(why, why_len, "too many fields");
		json_decref(root);
		return -EINVAL;
	}
	/* Jansson keeps members in the order given: the first unknown is named. */
	json_object_foreach(root, key, val) {
		for (i = 0; known && known[i] && strcmp(key, known[i]); i++)
			;
		if (known && !known[i]) {
			snprintf(why, why_len, "unknown field \"%s\"", key);
			ret = -EINVAL;
			break;
		}
	}
	json_decref(root);
	return ret;
}

/*
 * Member key of the object in text: 0 with the parsed object in *root (for
 * json_decref) and the value in *val, or -EINVAL or -ENOENT.
 */
static int get(const char *text, size_t len, const char *key, json_t **root,
	       json_t **val)
{
	*root = load_object(text, len, NULL, 0);
	if (!*root)
		return -EINVAL;
	*val = json_object_get(*root, key);
	if (*val)
		return 0;
	json_decref(*root);
	return -ENOENT;
}

int json_get_string(const char *text, size_t len, const char *key, char *buf,
		    size_t size)
{
	json_t *root, *val;
	int ret = get(text, len, key, &root, &val);

	if (ret)
		return ret;
	if (!json_is_string(val))
		ret = -EINVAL;
	else if (json_string_length(val) >= size)
		ret = -E2BIG;
	else
		memcpy(buf, json_string_value(val), json_string_length(val) + 1);
	json_decref(root);
	return ret;
}

int json_get_u64(const char *text, size_t len, const char *key,
		 uint64_t *out)
{
	json_t *root, *val;
	int ret = get(text, len, key, &root, &val);

	if (ret)
		return ret;
	/* A fraction or an exponent makes a real, never an integer. */
	if (!json_is_integer(val) || json_integer_value(val) < 0)
		ret = -EINVAL;
	else
		*out = json_integer_value(val);
	json_decref(root);
	return ret;
}

int json_get_bool(const char *text, size_t len, const char *key, bool *out)
{
	json_t *root, *val;
	int ret = get(text, len, key, &root, &val);

	if (ret)
		return ret;
	if (json_is_boolean(val))
		*out = json_is_true(val);
	else
		ret = -EINVAL;
	json_decref(root);
	return ret;
}
