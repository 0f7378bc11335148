// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-balloon's state in a snapshot: its DEVICE section (snapshot.h)
 * holds the transport's state (virtio_state.c: features, status, each
 * queue's rings and position), then struct balloon_snap, versioned on
 * its own: the size the host asks and the size the driver says it holds
 * (the device configuration), the features offered, the counters, the
 * guest's statistics and the statistics buffer the device holds back
 * (the driver waits for it: a restore that dropped it would never get
 * fresh figures again).  Saved with the worker stopped (VM paused) and
 * restored before it starts, so its fields are read and written plainly.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "virtio_balloon.h"
#include "virtio_pci.h"

#define BALLOON_SNAP_VERSION	1

struct balloon_snap {
	uint32_t version;	/* BALLOON_SNAP_VERSION */
	uint32_t size;		/* sizeof(struct balloon_snap) */
	uint64_t offered;
	uint32_t num_pages;	/* configuration: the host's */
	uint32_t actual;	/* the driver's */
	uint64_t inflated_pages, deflated_pages, ignored_pfns;
	uint64_t reported_bytes, discard_errors;
	uint32_t stats_seen;
	uint16_t stats_head;
	uint8_t stats_held;
	uint8_t pad;
	uint64_t stats[VIRTIO_BALLOON_S_NR_KNOWN];
};

_Static_assert(sizeof(struct balloon_snap) == 136, "balloon snapshot");

int vmctl_balloon_save_state(struct vmctl_virtio_dev *vdev,
			     const struct vmctl_balloon_state *st,
			     struct vmctl_state_writer *w)
{
	struct balloon_snap s = {
		.version = BALLOON_SNAP_VERSION, .size = sizeof(s),
		.offered = st->offered,
		.inflated_pages = st->inflated_pages,
		.deflated_pages = st->deflated_pages,
		.ignored_pfns = st->ignored_pfns,
		.reported_bytes = st->reported_bytes,
		.discard_errors = st->discard_errors,
		.stats_seen = st->stats_seen, .stats_head = st->stats_head,
		.stats_held = st->stats_held,
	};
	int ret;

	memcpy(s.stats, st->stats, sizeof(s.stats));
	pthread_mutex_lock(&vdev->lock);
	memcpy(&s.num_pages, vdev->config + VIRTIO_BALLOON_CFG_NUM_PAGES, 4);
	memcpy(&s.actual, vdev->config + VIRTIO_BALLOON_CFG_ACTUAL, 4);
	pthread_mutex_unlock(&vdev->lock);
	ret = vmctl_virtio_save(vdev, w);
	return ret ? ret : vmctl_state_put(w, &s, sizeof(s));
}

/* The held statistics buffer is a chain the stats queue could hold. */
static bool stats_buffer_ok(const struct vmctl_virtio_dev *vdev,
			    const struct balloon_snap *s)
{
	unsigned int q;

	if (!s->stats_held)
		return true;
	for (q = 0; q < vdev->nr_queues; q++)
		if (vmctl_balloon_queue_role(q, vdev->guest_features) ==
		    BALLOON_Q_STATS)
			return vdev->vqs[q].started &&
			       s->stats_head < vdev->vqs[q].size;
	return false;
}

int vmctl_balloon_restore_state(struct vmctl_virtio_dev *vdev,
				struct vmctl_balloon_state *st,
				uint64_t ram_size,
				struct vmctl_state_reader *r)
{
	struct balloon_snap s;
	int ret;

	ret = vmctl_virtio_restore(vdev, r);
	if (!ret)
		ret = vmctl_state_get(r, &s, sizeof(s));
	if (ret)
		return ret;
	if (s.version != BALLOON_SNAP_VERSION || s.size != sizeof(s))
		return vmctl_fail(-EPROTO,
				  "virtio-balloon: state version %u (%u bytes); this vmctl reads version %u",
				  s.version, s.size, BALLOON_SNAP_VERSION);
	if (s.offered != st->offered)
		return vmctl_fail(-EINVAL,
				  "virtio-balloon: the snapshot's balloon offered features 0x%llx, this one 0x%llx",
				  (unsigned long long)s.offered,
				  (unsigned long long)st->offered);
	if ((uint64_t)s.num_pages * VIRTIO_BALLOON_PAGE > ram_size ||
	    s.stats_seen >> VIRTIO_BALLOON_S_NR_KNOWN || s.stats_held > 1 ||
	    !stats_buffer_ok(vdev, &s))
		return vmctl_fail(-EPROTO, "virtio-balloon: state out of range");
	pthread_mutex_lock(&vdev->lock);
	memcpy(vdev->config + VIRTIO_BALLOON_CFG_NUM_PAGES, &s.num_pages, 4);
	memcpy(vdev->config + VIRTIO_BALLOON_CFG_ACTUAL, &s.actual, 4);
	pthread_mutex_unlock(&vdev->lock);
	st->inflated_pages = s.inflated_pages;
	st->deflated_pages = s.deflated_pages;
	st->ignored_pfns = s.ignored_pfns;
	st->reported_bytes = s.reported_bytes;
	st->discard_errors = s.discard_errors;
	st->stats_held = s.stats_held;
	st->stats_head = s.stats_head;
	st->stats_wanted = false;
	st->stats_seen = s.stats_seen;
	memcpy(st->stats, s.stats, sizeof(st->stats));
	return 0;
}
