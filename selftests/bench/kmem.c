// SPDX-License-Identifier: GPL-2.0
/* Kernel memory samples from /proc/zoneinfo and /proc/meminfo. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"
#include "kmem.h"

static FILE *open_proc(const char *path)
{
	FILE *f = fopen(path, "re");

	if (!f)
		die("%s", path);
	return f;
}

/* Free pages of every zone plus every per-CPU list's "count:". */
static int64_t free_pages_with_pcp(void)
{
	FILE *f = open_proc("/proc/zoneinfo");
	char line[256];
	int64_t pages = 0;
	long long n;

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %lld", &n) == 1 ||
		    sscanf(line, " count: %lld", &n) == 1)
			pages += n;
	}
	fclose(f);
	return pages;
}

int64_t kmem_meminfo_kib(const char *field)
{
	FILE *f = open_proc("/proc/meminfo");
	size_t len = strlen(field);
	char line[256];
	long long kib = -1;

	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			if (sscanf(line + len + 1, "%lld", &kib) != 1)
				kib = -1;
			break;
		}
	}
	fclose(f);
	if (kib < 0)
		die("no %s in /proc/meminfo", field);
	return kib;
}

void kmem_sample(struct kmem_sample *s)
{
	s->free_bytes = free_pages_with_pcp() * sysconf(_SC_PAGESIZE);
	s->anon_bytes = kmem_meminfo_kib("AnonPages") * 1024;
	s->slab_bytes = kmem_meminfo_kib("Slab") * 1024;
}

int64_t kmem_kernel_delta(const struct kmem_sample *a,
			  const struct kmem_sample *b)
{
	return (a->free_bytes - b->free_bytes) - (b->anon_bytes - a->anon_bytes);
}
