/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide accounting (VMCTL_GET_MODULE_STATS): the leak checks compare
 * a baseline taken before a test with the numbers after it.
 */
#ifndef SELFTEST_STATS_H
#define SELFTEST_STATS_H

#include <stdbool.h>
#include <linux/vmctl.h>

void module_stats(int sys_fd, struct vmctl_module_stats *stats);
/* The same through a /dev/vmctl fd of its own, for fixtures. */
void module_stats_now(struct vmctl_module_stats *stats);

/*
 * Re-read the stats into @now until they equal @base or @ms milliseconds
 * pass; returns whether they did.  Closing the last fd releases a VM at
 * once, so callers pass a small @ms only to be fair to deferred frees.
 */
bool stats_settle(int sys_fd, const struct vmctl_module_stats *base,
		  struct vmctl_module_stats *now, int ms);

/* Field by field, so a failure names the counter that leaked. */
#define EXPECT_STATS_EQ(base, now) do {					\
	EXPECT_EQ((base)->nr_vms, (now)->nr_vms);			\
	EXPECT_EQ((base)->nr_vcpus, (now)->nr_vcpus);			\
	EXPECT_EQ((base)->nr_mem_slots, (now)->nr_mem_slots);		\
	EXPECT_EQ((base)->mapped_pages, (now)->mapped_pages);		\
	EXPECT_EQ((base)->ept_table_pages, (now)->ept_table_pages);	\
	EXPECT_EQ((base)->vmcs_pages, (now)->vmcs_pages);		\
	EXPECT_EQ((base)->kernel_bytes, (now)->kernel_bytes);		\
} while (0)

/* The module is back to @base (within a second): nothing leaked. */
#define EXPECT_STATS_BASELINE(sys_fd, base) do {			\
	struct vmctl_module_stats __now;				\
	if (!stats_settle(sys_fd, base, &__now, 1000)) {		\
		EXPECT_STATS_EQ(base, &__now);				\
	}								\
} while (0)

/* EXPECT_STATS_BASELINE through a /dev/vmctl fd of its own. */
#define EXPECT_MODULE_BASELINE(base) do {				\
	int __fd = vmctl_open();					\
	EXPECT_STATS_BASELINE(__fd, base);				\
	close(__fd);							\
} while (0)

#endif /* SELFTEST_STATS_H */
