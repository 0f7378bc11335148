/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device models' counters (virtio requests, bytes, notifications and
 * interrupts per queue) live in the `vmctl run` process that holds the
 * VM, not in the module, so `vmctl stats` asks that process for them:
 * while a VM runs, `vmctl run` listens on a unix socket named after the
 * VM's id in the runtime directory, and answers each connection with
 * one line per counter, "DEVICE<TAB>QUEUE<TAB>COUNTER<TAB>VALUE", then
 * closes it.  A socket per VM, not a file rewritten now and then: the
 * counters are read at the moment they are asked for, and nothing runs
 * while nobody asks.
 *
 * The runtime directory: $VMCTL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/vmctl,
 * else /run/vmctl for root (when /run exists) and /tmp/vmctl-UID
 * otherwise; made mode 0700, so only its owner reads the counters.  A socket left by a
 * `vmctl run` that was killed is replaced by the next VM of that id.
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

/* The socket of VM id into buf; -ENAMETOOLONG. */
int device_stats_path(unsigned int id, char *buf, size_t len);

/*
 * vmctl run: serve vm's counters at VM id's socket on a thread of its
 * own, until device_stats_stop().  NULL (with a warning on stderr) when
 * the socket cannot be made: the VM runs all the same.
 */
struct device_stats_server;
struct device_stats_server *device_stats_serve(struct vmctl_vm *vm,
					       unsigned int id);
void device_stats_stop(struct device_stats_server *s);

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
