// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A virtio PCI device's state for a snapshot (device.h's save and
 * restore, for every backend): its configuration space, MSI-X table,
 * the common configuration the driver wrote and each queue's rings and
 * position.  Saved with the worker stopped (the VM paused), so no
 * request is in flight and the rings are as the guest last saw them
 * (the worker serves each request whole: pop, I/O, push).
 * Restored into a device made the same way; the host's view of the
 * rings is made again from the guest-physical addresses.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "virtio_pci.h"

struct vq_state {
	uint64_t desc, avail, used;
	uint16_t size, last_avail, avail_seen, used_idx;
	uint16_t signalled_used, vector;
	uint8_t event_idx, indirect, started, signalled_valid, enabled;
	uint8_t pad[3];
};

struct virtio_state {
	uint8_t cfg[VMCTL_PCI_CFG_SIZE];
	struct vmctl_msix_entry msix[VMCTL_MSIX_MAX_VECTORS];
	uint32_t msix_pending;
	uint32_t nr_queues;
	uint64_t guest_features;
	uint32_t dfselect, gfselect;
	uint16_t queue_select, config_vector;
	uint8_t status, isr, config_generation, intx;
	int32_t broken_err;
	uint32_t pad;
	struct vq_state vq[VMCTL_VIRTIO_MAX_QUEUES];
};

static void lock_all(struct vmctl_virtio_dev *vdev)
{
	if (vdev->pci.bus)
		pthread_mutex_lock(&vdev->pci.bus->lock);
	pthread_mutex_lock(&vdev->lock);
	pthread_mutex_lock(&vdev->msix.lock);
}

static void unlock_all(struct vmctl_virtio_dev *vdev)
{
	pthread_mutex_unlock(&vdev->msix.lock);
	pthread_mutex_unlock(&vdev->lock);
	if (vdev->pci.bus)
		pthread_mutex_unlock(&vdev->pci.bus->lock);
}

int vmctl_virtio_save(struct vmctl_virtio_dev *vdev,
		      struct vmctl_state_writer *w)
{
	struct virtio_state st;
	unsigned int q;

	memset(&st, 0, sizeof(st));
	lock_all(vdev);
	memcpy(st.cfg, vdev->pci.cfg, sizeof(st.cfg));
	memcpy(st.msix, vdev->msix.table, sizeof(st.msix));
	st.msix_pending = vdev->msix.pending;
	st.nr_queues = vdev->nr_queues;
	st.guest_features = vdev->guest_features;
	st.dfselect = vdev->dfselect;
	st.gfselect = vdev->gfselect;
	st.queue_select = vdev->queue_select;
	st.config_vector = vdev->config_vector;
	st.status = vdev->status;
	st.isr = vdev->isr;
	st.config_generation = vdev->config_generation;
	st.intx = vdev->pci.intx;
	st.broken_err = vdev->broken_err;
	for (q = 0; q < vdev->nr_queues; q++) {
		const struct vmctl_vq *vq = &vdev->vqs[q];

		st.vq[q] = (struct vq_state){
			.desc = vq->desc_gpa, .avail = vq->avail_gpa,
			.used = vq->used_gpa, .size = vq->size,
			.last_avail = vq->last_avail,
			.avail_seen = vq->avail_seen, .used_idx = vq->used_idx,
			.signalled_used = vq->signalled_used,
			.vector = vdev->queue_vector[q],
			.event_idx = vq->event_idx, .indirect = vq->indirect,
			.started = vq->started,
			.signalled_valid = vq->signalled_valid,
			.enabled = vdev->queue_enabled[q],
		};
	}
	unlock_all(vdev);
	return vmctl_state_put(w, &st, sizeof(st));
}

static bool vector_ok(const struct vmctl_virtio_dev *vdev, uint16_t v)
{
	return v == VIRTIO_MSI_NO_VECTOR || v < vdev->msix.nr;
}

/* What the guest could never have written, or a device unlike this. */
static int check(const struct vmctl_virtio_dev *vdev,
		 const struct virtio_state *st)
{
	unsigned int q;

	if (st->nr_queues != vdev->nr_queues)
		return vmctl_fail(-EINVAL, "%s: the snapshot's device has %u queues, this one %u",
				  vdev->be->name, st->nr_queues,
				  vdev->nr_queues);
	if ((st->guest_features & ~vdev->host_features) ||
	    !vector_ok(vdev, st->config_vector) || st->intx > 1 ||
	    (st->msix_pending >> vdev->msix.nr))
		return vmctl_fail(-EPROTO, "%s: state out of range",
				  vdev->be->name);
	for (q = 0; q < vdev->nr_queues; q++)
		if (st->vq[q].size > vdev->max_queue_size ||
		    !vector_ok(vdev, st->vq[q].vector) ||
		    st->vq[q].enabled > 1 || st->vq[q].started > 1 ||
		    (st->vq[q].enabled && !st->vq[q].started))
			return vmctl_fail(-EPROTO, "%s: queue %u state out of range",
					  vdev->be->name, q);
	return 0;
}

/* Queue q as saved; its host view of the rings made again. */
static int restore_queue(struct vmctl_virtio_dev *vdev, unsigned int q,
			 const struct vq_state *s)
{
	struct vmctl_vq *vq = &vdev->vqs[q];

	vmctl_vq_reset(vq);
	vq->size = s->size;
	vq->desc_gpa = s->desc;
	vq->avail_gpa = s->avail;
	vq->used_gpa = s->used;
	vq->event_idx = s->event_idx;
	vq->indirect = s->indirect;
	vdev->queue_vector[q] = s->vector;
	vdev->queue_enabled[q] = s->enabled;
	if (!s->started)
		return 0;
	if (vmctl_vq_start(vq, &vdev->ram))
		return vmctl_fail(-EPROTO, "%s: queue %u's rings are not in RAM",
				  vdev->be->name, q);
	vq->last_avail = s->last_avail;
	vq->avail_seen = s->avail_seen;
	vq->used_idx = s->used_idx;
	vq->signalled_used = s->signalled_used;
	vq->signalled_valid = s->signalled_valid;
	return 0;
}

int vmctl_virtio_saved_features(const struct vmctl_state_reader *r,
				uint64_t *features)
{
	struct vmctl_state_reader peek = *r;
	struct virtio_state st;
	int ret = vmctl_state_get(&peek, &st, sizeof(st));

	*features = ret ? 0 : st.guest_features;
	return ret;
}

int vmctl_virtio_restore(struct vmctl_virtio_dev *vdev,
			 struct vmctl_state_reader *r)
{
	struct virtio_state st;
	uint16_t control = 0;
	unsigned int q;
	int ret = vmctl_state_get(r, &st, sizeof(st));

	if (!ret)
		ret = check(vdev, &st);
	if (ret)
		return ret;
	lock_all(vdev);
	vmctl_pci_restore_cfg(&vdev->pci, st.cfg);
	vdev->pci.intx = st.intx;
	memcpy(vdev->msix.table, st.msix, sizeof(st.msix));
	vdev->msix.pending = st.msix_pending;
	vdev->guest_features = st.guest_features;
	vdev->dfselect = st.dfselect;
	vdev->gfselect = st.gfselect;
	vdev->queue_select = st.queue_select;
	vdev->config_vector = st.config_vector;
	vdev->status = st.status;
	vdev->isr = st.isr;
	vdev->config_generation = st.config_generation;
	vdev->broken_err = st.broken_err;
	/* The worker's start looks at every enabled queue. */
	vdev->kicked = 0;
	for (q = 0; q < vdev->nr_queues && !ret; q++)
		ret = restore_queue(vdev, q, &st.vq[q]);
	if (vdev->msix_cap > 0)
		memcpy(&control, vdev->pci.cfg + vdev->msix_cap +
		       PCI_MSIX_FLAGS, 2);
	pthread_mutex_unlock(&vdev->msix.lock);
	/* Message Control's bits into the MSI-X state (takes its lock). */
	if (vdev->msix_cap > 0)
		vmctl_msix_control(&vdev->msix, control);
	pthread_mutex_unlock(&vdev->lock);
	if (vdev->pci.bus)
		pthread_mutex_unlock(&vdev->pci.bus->lock);
	return ret;
}
