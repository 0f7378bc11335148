/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device models' counters (virtio requests, bytes, notifications and
 * interrupts per queue) live in the `vmctl run` process that holds the
 * VM, not in the module, so `vmctl stats` asks that process for them
 * through the VM's control socket (control.h): GET
 * /vmctl/device-counters answers one line per counter,
 * "DEVICE<TAB>QUEUE<TAB>COUNTER<TAB>VALUE".  Read at the moment they are
 * asked for; nothing runs while nobody asks.
 */
#ifndef VMCTL_DEVICE_STATS_H
#define VMCTL_DEVICE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vmctl_vm;

#define DEVICE_STATS_MAX	256	/* counters read per VM */

struct device_counter {
	char device[32];
	char queue[16];
	char name[32];
	uint64_t value;
};

struct device_counters {
	unsigned int n;
	struct device_counter c[DEVICE_STATS_MAX];
};

#define DEVICE_STATS_TIMEOUT_S	2	/* a vmctl run that does not answer */

/*
 * vmctl stats: VM id's counters from its `vmctl run`; -ENOENT when none
 * serves them (another program holds the VM, or an older vmctl).
 */
int device_stats_fetch(unsigned int id, struct device_counters *out);

/* One line of the protocol into c; false when it is not one. */
bool device_stats_parse_line(const char *line, struct device_counter *c);

/* The counters as a text table, or as a JSON array's members. */
void device_stats_print_text(FILE *f, const struct device_counters *dc);
void device_stats_print_json(FILE *f, const struct device_counters *dc);

#endif /* VMCTL_DEVICE_STATS_H */
