// SPDX-License-Identifier: GPL-2.0
/* Durations on the command line: decimal seconds, e.g. "2" or "0.5". */
#include <errno.h>
#include <stdlib.h>

#include "vmview.h"

#define MAX_SECONDS	86400.0

int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (*s < '0' || *s > '9')	/* no sign, blank, "inf" or "nan" */
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno)
		return -EINVAL;
	if (v <= 0 || v > MAX_SECONDS)
		return -ERANGE;
	*out = v;
	return 0;
}

enum parse_result seconds_option(const char *cmd, const char *opt,
				 const char *arg, double *out)
{
	int ret = parse_seconds(arg, out);

	if (ret == -ERANGE)
		return usage_error(cmd, "%s: '%s' is not between 0 and %g seconds",
				   opt, arg, MAX_SECONDS);
	if (ret)
		return usage_error(cmd, "%s: '%s' is not a number of seconds",
				   opt, arg);
	return PARSE_OK;
}
