// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl run --balloon SIZE[,no-deflate-on-oom][,no-report][,no-stats]:
 * a virtio-balloon asking SIZE back from the guest at boot (0: none yet),
 * with the features the library offers unless turned off.  Off by
 * default: a guest without the option sees no balloon device.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "vmctl.h"

enum parse_result parse_balloon(const char *arg, struct run_opts *o)
{
	static const struct { const char *name; size_t off; } flags[] = {
		{ "no-deflate-on-oom",
		  offsetof(struct vmctl_balloon, no_deflate_on_oom) },
		{ "no-report",
		  offsetof(struct vmctl_balloon, no_free_page_reporting) },
		{ "no-stats", offsetof(struct vmctl_balloon, no_stats) },
	};
	const char *comma = strchr(arg, ','), *opt, *end;
	char size[32];
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);
	unsigned int i;
	int ret;

	o->balloon = (struct vmctl_balloon){ 0 };
	if (!len)
		return usage_error("run", "--balloon: '%s' gives no size", arg);
	snprintf(size, sizeof(size), "%.*s", (int)len, arg);
	ret = len < sizeof(size) ? parse_size(size, &o->balloon.size) : -ERANGE;
	if (ret)
		return usage_error("run",
				   "--balloon: '%.*s' is not a size (a number with an optional K, M, G or T suffix)",
				   (int)len, arg);
	if (o->balloon.size % 4096)
		return usage_error("run",
				   "--balloon: '%.*s' is not a multiple of 4K",
				   (int)len, arg);
	for (opt = comma; opt; opt = end) {
		opt++;
		end = strchr(opt, ',');
		len = end ? (size_t)(end - opt) : strlen(opt);
		for (i = 0; i < ARRAY_SIZE(flags); i++)
			if (strlen(flags[i].name) == len &&
			    !strncmp(opt, flags[i].name, len))
				break;
		if (i == ARRAY_SIZE(flags))
			return usage_error("run",
					   "--balloon: unknown option '%.*s' in '%s' (no-deflate-on-oom, no-report, no-stats)",
					   (int)len, opt, arg);
		*(int *)((char *)&o->balloon + flags[i].off) = 1;
	}
	o->has_balloon = true;
	return PARSE_OK;
}
