/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The live migration stream (vmctl_vm_migrate() on the source,
 * vmctl_incoming_open() and _receive() on the destination), over one
 * connected stream socket (vmctl: TCP).  It is the snapshot's framing
 * (snapshot.h): the same header and 40-byte section headers with their
 * CRC-32, offsets counting the stream's bytes from its first, each
 * payload right after its header, sections at 8-byte boundaries (the
 * padding zeros).  All integers little-endian.
 *
 * Source to destination, in this order:
 *   header   struct snap_header, magic "VMCTLMIG", version MIG_VERSION,
 *            nr_sections and file_size 0 (a stream's length is not known
 *            ahead), flags 0, its CRC
 *   CONFIG   the caller's bytes (vmctl: its run options), so that the
 *            destination makes the same VM; then the source waits for
 *            the READY reply
 *   PAGES    any number: index = RAM slot, arg = guest-physical address
 *            of the first page, payload = 1 to MIG_RUN_PAGES whole pages
 *            of that slot (the CRC covers them).  First every page that
 *            is not all zeros (the destination's RAM starts zeroed), then
 *            round after round the pages the dirty log says the guest
 *            wrote since they were sent, while it runs
 *   ZEROS    in those rounds, for such pages that read zeros (given back
 *            by the balloon, or cleared): index and arg as for PAGES,
 *            payload the number of pages (8 bytes, 1 to MIG_RUN_PAGES);
 *            the destination gives back those it holds
 *   CLOCK, VCPU..., IOAPIC, PIC_PIT, DEVICE...   the guest paused, the
 *            VM's state, as in a snapshot
 *   PAGES    the last dirty pages, and ZEROS (after the state: reading a
 *            vCPU's state completes its last exit, which may write RAM)
 *   END      then the source waits for the DONE reply
 *
 * Destination to source: struct mig_reply, READY once the VM is made
 * and DONE once the state is loaded (the destination runs the guest
 * after sending it), each with status 0; or, at any point, one reply
 * with a negative errno and a message saying why, after which it closes.
 * The source resumes its guest on anything but a DONE with status 0.
 */
#ifndef VMCTL_MIGRATE_H
#define VMCTL_MIGRATE_H

#include <stdint.h>

#include "internal.h"
#include "snapshot.h"

#define MIG_MAGIC		"VMCTLMIG"
#define MIG_VERSION		1
#define MIG_REPLY_MAGIC		"VMCTLREP"
#define MIG_RUN_PAGES		256	/* pages in one PAGES section */
/*
 * A peer that neither sends nor reads for this long is given up (the
 * source's guest, paused at the end, must not wait for ever).
 */
#define MIG_TIMEOUT_S		60

enum mig_reply_kind { MIG_READY = 1, MIG_DONE = 2 };

struct mig_reply {
	char magic[8];
	uint32_t kind;		/* enum mig_reply_kind */
	int32_t status;		/* 0 or -errno */
	uint32_t crc;		/* of the reply, this field 0 */
	uint32_t reserved;	/* 0 */
	char message[232];	/* NUL-terminated: why, when status < 0 */
};

_Static_assert(sizeof(struct mig_reply) == 256, "migration reply");

/*
 * The guest's RAM as the sender sees it: the slots, how to take a
 * slot's dirty pages (the log's bits into bitmap, and those bits out
 * of the log so that the next write sets them again), the clock
 * (CLOCK_MONOTONIC, in ns) and how to slow the vCPUs down (percent of
 * their time taken away; 0 ends it).
 */
struct mig_ram {
	const struct vmctl_mem_region *mem;	/* VMCTL_MAX_MEM_SLOTS */
	int (*take_dirty)(void *ctx, unsigned int slot, uint64_t pages,
			  uint64_t *bitmap);
	uint64_t (*now)(void *ctx);
	/* Wait ns nanoseconds (the bandwidth limit). */
	void (*sleep)(void *ctx, uint64_t ns);
	void (*throttle)(void *ctx, unsigned int pct);
	void *ctx;
};

/* What pre-copy does after a dirty round (migrate_policy.c). */
enum mig_next { MIG_NEXT_ROUND, MIG_SWITCH_OVER, MIG_GIVE_UP };

/* The options with their defaults, and what the rounds so far showed. */
struct mig_policy {
	uint64_t max_downtime_ns;	/* 0: not a criterion */
	uint64_t max_final_pages;	/* 0: not a criterion */
	unsigned int max_rounds;	/* 0: no cap */
	uint64_t deadline_ns;		/* pre-copy given up at this time */
	bool auto_converge;
	unsigned int rounds;
	uint64_t last_pages;		/* the round before */
	uint64_t last_ns;		/* its time */
	/* The last round's measures. */
	uint64_t bandwidth;		/* bytes per second */
	uint64_t dirty_rate;		/* bytes per second */
	uint64_t downtime_ns;		/* its pages at bandwidth */
	unsigned int throttle;		/* percent, for the next round */
};

void mig_policy_init(struct mig_policy *p,
		     const struct vmctl_migrate_opts *opts, uint64_t now_ns);
/*
 * After a round (0: the first copy) that found pages, sent bytes and
 * took ns, at now_ns: switch over, give up (the timeout), or go on,
 * with p->throttle what the vCPUs get until the next round.
 */
enum mig_next mig_policy_round(struct mig_policy *p, uint64_t pages,
			       uint64_t bytes, uint64_t ns, uint64_t now_ns);

/* MIG_TIMEOUT_S on fd's sends and receives. */
void mig_stream_timeouts(int fd);
/* A stream socket's write op for snap_out (send(), no SIGPIPE). */
int mig_stream_write(struct snap_out *o, const void *buf, size_t len,
		     uint64_t off);
/* A stream socket's read op for snap_in. */
int mig_stream_read(struct snap_in *in, void *buf, size_t len, uint64_t off);

/* A section reader's -EPROTO detail ("truncated") as a sentence. */
int mig_stream_error(int ret);

/*
 * Pre-copy while the guest runs: every page that is not zeros, then
 * dirty rounds until mig_policy_round() switches over (0) or gives up
 * (-ETIMEDOUT), slowing the vCPUs down as it says (ram->throttle, left
 * as it was last set: the caller ends it).  stats: the rounds, the
 * pages of each, the measures of the last.
 */
int mig_send_precopy(struct snap_out *o, const struct mig_ram *ram,
		     const struct vmctl_migrate_opts *opts,
		     struct vmctl_migrate_stats *stats);
/* One dirty round: the pages taken, sent; their number into *pages. */
int mig_send_dirty(struct snap_out *o, const struct mig_ram *ram,
		   uint64_t *pages);

/*
 * The destination's loop after CONFIG: PAGES into mem (the slots made
 * from the config), every state section into state, until END.  0, or
 * -EPROTO with the detail for a stream that is cut, damaged or does not
 * fit mem; -errno.
 */
int mig_recv_sections(struct snap_in *in, uint64_t *pos,
		      const struct vmctl_mem_region *mem,
		      struct vmctl_snapshot *state);

#endif /* VMCTL_MIGRATE_H */
