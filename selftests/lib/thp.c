// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "thp.h"

#define THP	"/sys/kernel/mm/transparent_hugepage/"

static int write_str(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(v, f) < 0;
	return (fclose(f) || ret) ? -1 : 0;
}

/* Is THP's setting in sysfs file @path "never"? */
static bool thp_never(const char *path)
{
	char buf[128] = "";
	FILE *f = fopen(path, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, "[never]") != NULL;
}

bool thp_madvise_on(void)
{
	if (!thp_never(THP "enabled") || write_str(THP "enabled", "madvise"))
		return false;
	write_str(THP "defrag", "madvise");
	return true;
}

void thp_never_again(void)
{
	write_str(THP "enabled", "never");
	write_str(THP "defrag", "never");
}
