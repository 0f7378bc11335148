// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "die.h"
#include "stats.h"
#include "vm.h"

void module_stats(int sys_fd, struct vmctl_module_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	die_unless(ioctl(sys_fd, VMCTL_GET_MODULE_STATS, stats) == 0,
		   "VMCTL_GET_MODULE_STATS");
}

void module_stats_now(struct vmctl_module_stats *stats)
{
	int fd = vmctl_open();

	module_stats(fd, stats);
	close(fd);
}

static bool stats_equal(const struct vmctl_module_stats *a,
			const struct vmctl_module_stats *b)
{
	return a->nr_vms == b->nr_vms && a->nr_vcpus == b->nr_vcpus &&
	       a->nr_mem_slots == b->nr_mem_slots &&
	       a->mapped_pages == b->mapped_pages &&
	       a->ept_table_pages == b->ept_table_pages &&
	       a->vmcs_pages == b->vmcs_pages &&
	       a->kernel_bytes == b->kernel_bytes;
}

bool stats_settle(int sys_fd, const struct vmctl_module_stats *base,
		  struct vmctl_module_stats *now, int ms)
{
	for (;;) {
		module_stats(sys_fd, now);
		if (stats_equal(base, now))
			return true;
		if (ms <= 0)
			return false;
		usleep(10000);
		ms -= 10;
	}
}
