/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtio-balloon (virtio 1.2, 5.5): what the guest's buffers say
 * (virtio_balloon_pfn.c, pure: page frame numbers and reported ranges
 * into host ranges of guest RAM, statistics into their slots), the
 * device (virtio_balloon.c) and its state in a snapshot
 * (virtio_balloon_state.c).
 *
 * A guest names pages by 32-bit page frame numbers of 4 KiB, whatever
 * its own page size.  Every one is looked up in guest RAM before the
 * host does anything with it: a number outside RAM (above it, in the PCI
 * hole, wrapping) is counted and skipped, never acted on, so a hostile
 * guest can at most discard its own memory.
 *
 * Queues: inflate (0) and deflate (1), then the statistics queue and the
 * free page reporting queue, each taking the next number only when its
 * feature is negotiated: Linux's driver numbers just the queues it uses
 * (free page hinting, which we do not offer, would come between them).
 */
#ifndef VMCTL_VIRTIO_BALLOON_H
#define VMCTL_VIRTIO_BALLOON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtq.h"

#define VIRTIO_ID_BALLOON			5

#define VIRTIO_BALLOON_F_STATS_VQ		1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM		2
#define VIRTIO_BALLOON_F_REPORTING		5

#define VIRTIO_BALLOON_PFN_SHIFT		12
#define VIRTIO_BALLOON_PAGE			(1ULL << VIRTIO_BALLOON_PFN_SHIFT)

/* struct virtio_balloon_config: what the host asks, what the guest holds. */
#define VIRTIO_BALLOON_CFG_NUM_PAGES		0
#define VIRTIO_BALLOON_CFG_ACTUAL		4
#define VIRTIO_BALLOON_CONFIG_LEN		8

/* Statistics tags (virtio 1.2, 5.5.6.3), each a le16 tag and a le64. */
enum {
	VIRTIO_BALLOON_S_SWAP_IN, VIRTIO_BALLOON_S_SWAP_OUT,
	VIRTIO_BALLOON_S_MAJFLT, VIRTIO_BALLOON_S_MINFLT,
	VIRTIO_BALLOON_S_MEMFREE, VIRTIO_BALLOON_S_MEMTOT,
	VIRTIO_BALLOON_S_AVAIL, VIRTIO_BALLOON_S_CACHES,
	VIRTIO_BALLOON_S_NR_KNOWN
};
#define VIRTIO_BALLOON_STAT_SIZE		10

enum vmctl_balloon_queue {
	BALLOON_Q_INFLATE, BALLOON_Q_DEFLATE, BALLOON_Q_STATS,
	BALLOON_Q_REPORTING, BALLOON_Q_NONE,
};

/* What queue q is for, given the negotiated feature bits. */
enum vmctl_balloon_queue vmctl_balloon_queue_role(unsigned int q,
						  uint64_t features);

/* Host ranges to act on: fn(ctx, hva, len) for each. */
typedef void (*vmctl_balloon_range_fn)(void *ctx, void *hva, uint64_t len);

struct vmctl_balloon_walk {
	uint64_t pages;		/* in RAM: acted on */
	uint64_t ignored;	/* outside RAM, or a partial number */
};

/*
 * Page frame numbers read from one chain at most: Linux sends 256 (1 KiB)
 * at a time; a hostile guest's 4 GiB chain does not keep the worker for
 * a billion look-ups.
 */
#define VMCTL_BALLOON_MAX_PFN_BYTES		(64 * 1024)

/*
 * The page frame numbers in bytes [0, len) of buffers iov (n entries,
 * le32 each): fn for every run of pages consecutive in guest and host
 * memory, so that a sorted inflate costs one call, not 256.  Numbers past
 * VMCTL_BALLOON_MAX_PFN_BYTES, and a trailing partial one, count as
 * ignored.
 */
void vmctl_balloon_pfns(const struct vmctl_guest_ram *ram,
			const struct iovec *iov, unsigned int n, uint64_t len,
			vmctl_balloon_range_fn fn, void *ctx,
			struct vmctl_balloon_walk *w);

/*
 * A reported free range (a buffer the virtqueue walker already found in
 * RAM): the whole 4 KiB pages inside it; false when none is.
 */
bool vmctl_balloon_whole_pages(const struct iovec *buf, void **hva,
			       uint64_t *len);

/*
 * The device's state: plain data, so a snapshot can carry it (the
 * transport's is struct vmctl_virtio_dev).
 */
struct vmctl_balloon_state {
	uint64_t offered;		/* device feature bits */
	/* counters, updated by the worker, read by anyone */
	uint64_t inflated_pages;
	uint64_t deflated_pages;
	uint64_t ignored_pfns;		/* named outside RAM */
	uint64_t reported_bytes;	/* free page reporting */
	uint64_t discard_errors;	/* madvise refused */
	/* the statistics buffer held until the host wants fresh figures */
	bool stats_held;
	uint16_t stats_head;
	bool stats_wanted;
	uint32_t stats_seen;		/* bit per tag the driver sent */
	uint64_t stats[VIRTIO_BALLOON_S_NR_KNOWN];
};

/*
 * The statistics in bytes [0, len) of buffers iov into st (unknown tags
 * skipped, at most 64 entries read).
 */
void vmctl_balloon_parse_stats(struct vmctl_balloon_state *st,
			       const struct iovec *iov, unsigned int n,
			       uint64_t len);

struct vmctl_virtio_dev;
struct vmctl_state_writer;
struct vmctl_state_reader;

/*
 * The device's state for a snapshot, after the transport's (device.h's
 * save and restore ops; the worker not running).  Restored into a device
 * made with the same options on a VM of ram_size bytes of RAM: 0, or
 * -EPROTO (damaged or another version) and -EINVAL (other features
 * offered), with vmctl_fail()'s detail.
 */
int vmctl_balloon_save_state(struct vmctl_virtio_dev *vdev,
			     const struct vmctl_balloon_state *st,
			     struct vmctl_state_writer *w);
int vmctl_balloon_restore_state(struct vmctl_virtio_dev *vdev,
				struct vmctl_balloon_state *st,
				uint64_t ram_size,
				struct vmctl_state_reader *r);

#endif /* VMCTL_VIRTIO_BALLOON_H */
