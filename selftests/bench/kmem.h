/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel memory as the whole machine sees it, for "what does one VM cost"
 * deltas that work the same for any hypervisor.
 */
#ifndef BENCH_KMEM_H
#define BENCH_KMEM_H

#include <stdint.h>

struct kmem_sample {
	/*
	 * Free pages including the per-CPU page lists (/proc/zoneinfo):
	 * MemFree alone moves in batches of pages as those lists refill.
	 */
	int64_t free_bytes;
	int64_t anon_bytes;	/* AnonPages: user memory, not the kernel's */
	int64_t slab_bytes;	/* Slab */
};

void kmem_sample(struct kmem_sample *s);

/* Bytes the kernel took between @a and @b (user pages excluded). */
int64_t kmem_kernel_delta(const struct kmem_sample *a,
			  const struct kmem_sample *b);

/* A field of /proc/meminfo in KiB (dies when it is missing). */
int64_t kmem_meminfo_kib(const char *field);

#endif /* BENCH_KMEM_H */
