// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers on the command line: decimal or 0x hex; sizes add an optional
 * K, M, G or T suffix (powers of 1024).  One parser for every option.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "vmctl.h"

/* Digits only (no sign, no blanks); *end is where they stopped. */
static int parse_digits(const char *s, uint64_t *out, char **end)
{
	int base = 10;
	unsigned long long v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s) ||
	    (base == 10 && !isdigit((unsigned char)*s)))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, base);
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	int ret = parse_digits(s, out, &end);

	if (ret)
		return ret;
	return *end ? -EINVAL : 0;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;
	char *end;
	int ret = parse_digits(s, &v, &end);

	if (ret)
		return ret;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1])
		return -EINVAL;
	if (shift && v > UINT64_MAX >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}
