// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The virtio-pci modern transport (see virtio_pci.h): capabilities,
 * common configuration, ISR, MSI-X vectors, notifications and their
 * doorbells, device status and reset, and the worker thread that serves
 * the queues.
 *
 * Locks, outer first: the device's lock, the bus lock (INTx, the
 * doorbells), the MSI-X lock; the bus calls cfg_written() with its lock
 * held, so that path never takes the device's.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "virtio_pci.h"

/* Common configuration offsets (virtio 1.2, 4.1.4.3). */
enum {
	CC_DFSELECT = 0, CC_DF = 4, CC_GFSELECT = 8, CC_GF = 12,
	CC_MSIX = 16, CC_NUM_QUEUES = 18, CC_STATUS = 20, CC_CFGGEN = 21,
	CC_Q_SELECT = 22, CC_Q_SIZE = 24, CC_Q_MSIX = 26, CC_Q_ENABLE = 28,
	CC_Q_NOTIFY_OFF = 30, CC_Q_DESC = 32, CC_Q_DRIVER = 40,
	CC_Q_DEVICE = 48,
};

#define PCI_CAP_ID_VNDR		0x09
#define ISR_QUEUE		1
#define ISR_CONFIG		2
#define MAX_BROKEN_LOGS		3

/* Counters are read by other threads (vmctl_virtio_counters). */
static void count(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

void vmctl_virtio_count(struct vmctl_virtio_dev *vdev, unsigned int q,
			uint64_t requests, uint64_t bytes)
{
	count(&vdev->stats.requests, requests);
	count(&vdev->stats.q[q].requests, requests);
	count(&vdev->stats.q[q].bytes, bytes);
}

/* The device's name in counters: "virtio-blk 00:01.0". */
static void counter_device(const struct vmctl_virtio_dev *vdev, char *buf,
			   size_t len)
{
	snprintf(buf, len, "%s 00:%02x.0", vdev->be->name, vdev->pci.slot);
}

static uint64_t load(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void vmctl_virtio_counters(struct vmctl_virtio_dev *vdev,
			   void (*fn)(void *ctx,
				      const struct vmctl_device_counter *c),
			   void *ctx)
{
	const struct vmctl_virtio_counters *st = &vdev->stats;
	char device[48], number[12];
	struct vmctl_device_counter c = { .device = device };
	unsigned int q, i;

	counter_device(vdev, device, sizeof(device));
	for (q = 0; q < vdev->nr_queues; q++) {
		const struct vmctl_virtio_queue_counters *qc = &st->q[q];
		const struct { const char *name; const uint64_t *v; } row[] = {
			{ "notifications", &qc->notifications },
			{ "interrupts", &qc->interrupts },
			{ "requests", &qc->requests },
			{ "bytes", &qc->bytes },
		};

		snprintf(number, sizeof(number), "%u", q);
		c.queue = vdev->be->queue_names ? vdev->be->queue_names[q] :
			  number;
		for (i = 0; i < ARRAY_SIZE(row); i++) {
			c.name = row[i].name;
			c.value = load(row[i].v);
			fn(ctx, &c);
		}
	}
	c.queue = "";
	c.name = "ignored_notifications";
	c.value = load(&st->ignored_notifications);
	fn(ctx, &c);
	c.name = "broken";
	c.value = load(&st->broken);
	fn(ctx, &c);
	c.name = "msix_messages";
	c.value = load(&vdev->msix.sent);
	fn(ctx, &c);
}

bool vmctl_virtio_has(const struct vmctl_virtio_dev *vdev, unsigned int bit)
{
	return vdev->guest_features >> bit & 1;
}

static void add_cap(struct vmctl_virtio_dev *vdev, uint8_t type,
		    uint32_t offset, uint32_t length, bool notify)
{
	uint8_t cap[20] = { 0 };

	cap[2] = notify ? 20 : 16;	/* cap_len */
	cap[3] = type;
	cap[4] = 0;			/* BAR 0 */
	memcpy(cap + 8, &offset, 4);
	memcpy(cap + 12, &length, 4);
	if (notify) {
		uint32_t mult = VIRTIO_NOTIFY_MULTIPLIER;

		memcpy(cap + 16, &mult, 4);
	}
	vmctl_pci_dev_add_cap(&vdev->pci, PCI_CAP_ID_VNDR, cap, cap[2], NULL);
}

/* The driver is ready and has not broken the device.  Lock held. */
static bool live_locked(const struct vmctl_virtio_dev *vdev)
{
	return (vdev->status & VIRTIO_STATUS_DRIVER_OK) &&
	       (vdev->status & VIRTIO_STATUS_FEATURES_OK) &&
	       !(vdev->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void cfg_written(struct vmctl_pci_dev *pci, unsigned int reg,
			unsigned int size);

/* Called with the lock held. */
static void reset_locked(struct vmctl_virtio_dev *vdev)
{
	unsigned int q;

	while (vdev->busy)
		pthread_cond_wait(&vdev->cond, &vdev->lock);
	vdev->kicked = 0;
	vdev->guest_features = 0;
	vdev->dfselect = vdev->gfselect = 0;
	vdev->status = 0;
	vdev->queue_select = 0;
	vdev->broken_err = 0;
	vdev->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (q = 0; q < vdev->nr_queues; q++) {
		vmctl_vq_reset(&vdev->vqs[q]);
		vdev->vqs[q].size = vdev->max_queue_size;
		vdev->queue_enabled[q] = false;
		vdev->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
	}
	vdev->isr = 0;
	if (vdev->pci.bus)
		vmctl_pci_set_intx(&vdev->pci, 0);
	if (vdev->be->reset)
		vdev->be->reset(vdev);
}

/*
 * Interrupt the driver for queue q (ISR_QUEUE) or a configuration change
 * (ISR_CONFIG): the vector the driver mapped to it when MSI-X is on
 * (none for NO_VECTOR), else INTx and the ISR.  Called with the lock
 * held.
 */
static void interrupt_locked(struct vmctl_virtio_dev *vdev, uint8_t why,
			     unsigned int q)
{
	uint16_t vector;

	count(&vdev->stats.interrupts, 1);
	if (why == ISR_QUEUE)
		count(&vdev->stats.q[q].interrupts, 1);
	if (vmctl_msix_enabled(&vdev->msix)) {
		vector = why == ISR_CONFIG ? vdev->config_vector :
			 vdev->queue_vector[q];
		if (vector != VIRTIO_MSI_NO_VECTOR)
			vmctl_msix_notify(&vdev->msix, vector);
		return;
	}
	vdev->isr |= why;
	if (vdev->pci.bus)
		vmctl_pci_set_intx(&vdev->pci, 1);
}

/* The guest broke a queue: stop serving it until the driver resets. */
static void set_broken_locked(struct vmctl_virtio_dev *vdev, int err)
{
	if (vdev->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	vdev->status |= VIRTIO_STATUS_NEEDS_RESET;
	vdev->broken_err = err;
	vdev->kicked = 0;
	/* A guest that breaks it again after every reset floods nothing. */
	if (__atomic_fetch_add(&vdev->stats.broken, 1, __ATOMIC_RELAXED) <
	    MAX_BROKEN_LOGS)
		vmctl_log("%s at 00:%02x.0: %s; the device needs a reset%s",
			  vdev->be->name, vdev->pci.slot, vmctl_vq_strerror(err),
			  vdev->stats.broken == MAX_BROKEN_LOGS ?
			  " (not logged again)" : "");
	interrupt_locked(vdev, ISR_CONFIG, 0);
}

int vmctl_virtio_init(struct vmctl_virtio_dev *vdev,
		      const struct vmctl_virtio_backend *be, void *be_ctx,
		      unsigned int nr_queues, uint16_t max_queue_size,
		      const struct vmctl_guest_ram *ram)
{
	unsigned int q;
	int ret;

	if (!nr_queues || nr_queues > VMCTL_VIRTIO_MAX_QUEUES ||
	    !max_queue_size || max_queue_size > VMCTL_VQ_MAX_SIZE ||
	    (max_queue_size & (max_queue_size - 1)))
		return -EINVAL;
	memset(vdev, 0, sizeof(*vdev));
	vdev->be = be;
	vdev->be_ctx = be_ctx;
	vdev->ram = *ram;
	vdev->nr_queues = nr_queues;
	vdev->max_queue_size = max_queue_size;
	vdev->kick_fd = -1;
	for (q = 0; q < VMCTL_VIRTIO_MAX_QUEUES; q++)
		vdev->notify_fd[q] = -1;
	ret = vmctl_msix_init(&vdev->msix, nr_queues + 1);
	if (ret)
		return ret;
	vmctl_pci_dev_init(&vdev->pci, VIRTIO_PCI_VENDOR,
			   VIRTIO_PCI_DEVICE_BASE + be->device_id, be->class, 1,
			   VIRTIO_PCI_VENDOR, 0x1100);
	ret = vmctl_pci_dev_set_bar(&vdev->pci, 0, VIRTIO_BAR_SIZE, false,
				    &vmctl_virtio_bar_ops, vdev);
	if (ret)
		return ret;
	add_cap(vdev, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_BAR_COMMON,
		VIRTIO_COMMON_SIZE, false);
	add_cap(vdev, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_BAR_ISR, 1, false);
	add_cap(vdev, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_BAR_DEVICE,
		VIRTIO_DEVICE_CFG_MAX, false);
	add_cap(vdev, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_BAR_NOTIFY,
		VIRTIO_NOTIFY_MULTIPLIER * nr_queues, true);
	vdev->msix_cap = vmctl_msix_add_cap(&vdev->msix, &vdev->pci, 0,
					    VIRTIO_BAR_MSIX_TABLE,
					    VIRTIO_BAR_MSIX_PBA);
	vdev->pci.cfg_written = cfg_written;
	pthread_mutex_init(&vdev->lock, NULL);
	pthread_cond_init(&vdev->cond, NULL);
	vdev->host_features = 1ULL << VIRTIO_F_VERSION_1 |
			      1ULL << VIRTIO_F_RING_INDIRECT_DESC |
			      1ULL << VIRTIO_F_RING_EVENT_IDX;
	pthread_mutex_lock(&vdev->lock);
	reset_locked(vdev);
	pthread_mutex_unlock(&vdev->lock);
	return 0;
}

void vmctl_virtio_destroy(struct vmctl_virtio_dev *vdev)
{
	vmctl_virtio_stop(vdev);
	vmctl_msix_destroy(&vdev->msix);
	pthread_mutex_destroy(&vdev->lock);
	pthread_cond_destroy(&vdev->cond);
}

/* ---- common configuration ---- */

static struct vmctl_vq *selected(struct vmctl_virtio_dev *vdev)
{
	return vdev->queue_select < vdev->nr_queues ?
	       &vdev->vqs[vdev->queue_select] : NULL;
}

/* The common structure as the guest sees it now, little-endian. */
static void common_image(struct vmctl_virtio_dev *vdev, uint8_t *img)
{
	struct vmctl_vq *vq = selected(vdev);
	uint32_t df = vdev->dfselect < 2 ?
		      vdev->host_features >> (32 * vdev->dfselect) : 0;
	uint32_t gf = vdev->gfselect < 2 ?
		      vdev->guest_features >> (32 * vdev->gfselect) : 0;
	uint16_t v16;

	memset(img, 0, VIRTIO_COMMON_SIZE);
	memcpy(img + CC_DFSELECT, &vdev->dfselect, 4);
	memcpy(img + CC_DF, &df, 4);
	memcpy(img + CC_GFSELECT, &vdev->gfselect, 4);
	memcpy(img + CC_GF, &gf, 4);
	memcpy(img + CC_MSIX, &vdev->config_vector, 2);
	v16 = vdev->nr_queues;
	memcpy(img + CC_NUM_QUEUES, &v16, 2);
	img[CC_STATUS] = vdev->status;
	img[CC_CFGGEN] = vdev->config_generation;
	memcpy(img + CC_Q_SELECT, &vdev->queue_select, 2);
	if (!vq)
		return;		/* a queue that does not exist: size 0 */
	memcpy(img + CC_Q_SIZE, &vq->size, 2);
	memcpy(img + CC_Q_MSIX, &vdev->queue_vector[vdev->queue_select], 2);
	v16 = vdev->queue_enabled[vdev->queue_select];
	memcpy(img + CC_Q_ENABLE, &v16, 2);
	v16 = vdev->queue_select;
	memcpy(img + CC_Q_NOTIFY_OFF, &v16, 2);
	memcpy(img + CC_Q_DESC, &vq->desc_gpa, 8);
	memcpy(img + CC_Q_DRIVER, &vq->avail_gpa, 8);
	memcpy(img + CC_Q_DEVICE, &vq->used_gpa, 8);
}

/* The status with FEATURES_OK, if the driver's features are acceptable. */
static uint8_t write_features_ok(struct vmctl_virtio_dev *vdev, uint8_t status)
{
	uint64_t f = vdev->guest_features;
	unsigned int q;

	/*
	 * Only what we offered, never a legacy driver, and what the device
	 * type allows together.
	 */
	if ((f & ~vdev->host_features) || !(f >> VIRTIO_F_VERSION_1 & 1) ||
	    (vdev->be->features_ok && !vdev->be->features_ok(f)))
		status &= ~VIRTIO_STATUS_FEATURES_OK;
	if (status & VIRTIO_STATUS_FEATURES_OK)
		for (q = 0; q < vdev->nr_queues; q++) {
			vdev->vqs[q].event_idx =
				vmctl_virtio_has(vdev, VIRTIO_F_RING_EVENT_IDX);
			vdev->vqs[q].indirect =
				vmctl_virtio_has(vdev, VIRTIO_F_RING_INDIRECT_DESC);
		}
	return status;
}

static void write_status(struct vmctl_virtio_dev *vdev, uint8_t status)
{
	uint8_t old = vdev->status;
	unsigned int q;

	if (!status) {
		reset_locked(vdev);
		return;
	}
	/* NEEDS_RESET is the device's; only a reset clears it. */
	status |= old & VIRTIO_STATUS_NEEDS_RESET;
	/*
	 * Features are agreed before DRIVER_OK, never after: so they do not
	 * change under the worker, which serves only with both bits set.
	 */
	if ((status & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK)) {
		if (old & VIRTIO_STATUS_DRIVER_OK)
			status &= ~VIRTIO_STATUS_FEATURES_OK;
		else
			status = write_features_ok(vdev, status);
	}
	/* FEATURES_OK cannot be withdrawn without a reset. */
	vdev->status = status | (old & VIRTIO_STATUS_FEATURES_OK);
	if ((status & VIRTIO_STATUS_DRIVER_OK) &&
	    !(old & VIRTIO_STATUS_DRIVER_OK)) {
		/* Serve what was queued before the driver said it was ready. */
		for (q = 0; q < vdev->nr_queues; q++)
			if (vdev->queue_enabled[q])
				vdev->kicked |= 1U << q;
		if (vdev->kicked && vdev->kick_fd >= 0)
			eventfd_write(vdev->kick_fd, 1);
	}
}

static void enable_queue(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	int err;

	if (vdev->queue_enabled[q])
		return;
	err = vdev->vqs[q].size > vdev->max_queue_size ? VQ_ERR_SIZE :
	      vmctl_vq_start(&vdev->vqs[q], &vdev->ram);
	if (err) {
		set_broken_locked(vdev, err);
		return;
	}
	vdev->queue_enabled[q] = true;
}

/* A 32-bit half (hi) or all of a 64-bit ring address. */
static void set_addr(uint64_t *addr, unsigned int part, unsigned int size,
		     uint64_t value)
{
	if (size == 8)
		*addr = value;
	else if (part)
		*addr = (*addr & 0xffffffffULL) | value << 32;
	else
		*addr = (*addr & ~0xffffffffULL) | (uint32_t)value;
}

/* A vector the table has, else NO_VECTOR (virtio 1.2, 4.1.5.1.2). */
static uint16_t msix_vector(const struct vmctl_virtio_dev *vdev,
			    uint64_t value)
{
	return value < vdev->msix.nr ? value : VIRTIO_MSI_NO_VECTOR;
}

static void common_write(struct vmctl_virtio_dev *vdev, unsigned int off,
			 unsigned int size, uint64_t value)
{
	struct vmctl_vq *vq = selected(vdev);
	bool q_live = vq && vdev->queue_enabled[vdev->queue_select];
	unsigned int shift;

	switch (off) {
	case CC_DFSELECT:
		if (size == 4)
			vdev->dfselect = value;
		return;
	case CC_GFSELECT:
		if (size == 4)
			vdev->gfselect = value;
		return;
	case CC_GF:
		/* Features are fixed once FEATURES_OK is set. */
		if (size != 4 || vdev->gfselect > 1 ||
		    (vdev->status & VIRTIO_STATUS_FEATURES_OK))
			return;
		shift = 32 * vdev->gfselect;
		vdev->guest_features &= ~(0xffffffffULL << shift);
		vdev->guest_features |= (value & 0xffffffffULL) << shift;
		return;
	case CC_STATUS:
		if (size == 1)
			write_status(vdev, value);
		return;
	case CC_MSIX:
		if (size == 2)
			vdev->config_vector = msix_vector(vdev, value);
		return;
	case CC_Q_SELECT:
		if (size == 2)
			vdev->queue_select = value;
		return;
	case CC_Q_MSIX:
		if (size == 2 && vq)
			vdev->queue_vector[vdev->queue_select] =
				msix_vector(vdev, value);
		return;
	case CC_Q_SIZE:
		/* Checked (power of 2, not above the maximum) at enable. */
		if (size == 2 && vq && !q_live)
			vq->size = value;
		return;
	case CC_Q_ENABLE:
		if (size == 2 && vq && value == 1)
			enable_queue(vdev, vdev->queue_select);
		return;
	case CC_Q_DESC:
	case CC_Q_DESC + 4:
		if (vq && !q_live && (size == 4 || (size == 8 && off == CC_Q_DESC)))
			set_addr(&vq->desc_gpa, off - CC_Q_DESC, size, value);
		return;
	case CC_Q_DRIVER:
	case CC_Q_DRIVER + 4:
		if (vq && !q_live && (size == 4 || (size == 8 && off == CC_Q_DRIVER)))
			set_addr(&vq->avail_gpa, off - CC_Q_DRIVER, size, value);
		return;
	case CC_Q_DEVICE:
	case CC_Q_DEVICE + 4:
		if (vq && !q_live && (size == 4 || (size == 8 && off == CC_Q_DEVICE)))
			set_addr(&vq->used_gpa, off - CC_Q_DEVICE, size, value);
		return;
	default:
		/* Read-only fields. */
		return;
	}
}

/* ---- BAR 0 ---- */

static void notify(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	bool live = live_locked(vdev) && q < vdev->nr_queues &&
		    vdev->queue_enabled[q];

	if (!live) {
		count(&vdev->stats.ignored_notifications, 1);
		return;
	}
	count(&vdev->stats.notifications, 1);
	count(&vdev->stats.q[q].notifications, 1);
	vdev->kicked |= 1U << q;
	if (vdev->kick_fd >= 0)
		eventfd_write(vdev->kick_fd, 1);
}

static uint64_t bar_read(void *opaque, uint64_t off, unsigned int size)
{
	struct vmctl_virtio_dev *vdev = opaque;
	uint8_t img[VIRTIO_COMMON_SIZE];
	uint64_t v = 0;

	pthread_mutex_lock(&vdev->lock);
	if (off < VIRTIO_COMMON_SIZE && off + size <= VIRTIO_COMMON_SIZE) {
		common_image(vdev, img);
		memcpy(&v, img + off, size);
	} else if (off == VIRTIO_BAR_ISR) {
		/* Reading the ISR acknowledges it. */
		v = vdev->isr;
		vdev->isr = 0;
		if (vdev->pci.bus)
			vmctl_pci_set_intx(&vdev->pci, 0);
	} else if (off >= VIRTIO_BAR_DEVICE &&
		   off + size <= VIRTIO_BAR_DEVICE + vdev->config_len) {
		memcpy(&v, vdev->config + (off - VIRTIO_BAR_DEVICE), size);
	} else if (off >= VIRTIO_BAR_MSIX_PBA) {
		v = vmctl_msix_pba_read(&vdev->msix, off - VIRTIO_BAR_MSIX_PBA,
					size);
	} else if (off >= VIRTIO_BAR_MSIX_TABLE) {
		v = vmctl_msix_table_read(&vdev->msix,
					  off - VIRTIO_BAR_MSIX_TABLE, size);
	}
	pthread_mutex_unlock(&vdev->lock);
	return v;
}

static void bar_write(void *opaque, uint64_t off, unsigned int size,
		      uint64_t value)
{
	struct vmctl_virtio_dev *vdev = opaque;

	pthread_mutex_lock(&vdev->lock);
	if (off < VIRTIO_COMMON_SIZE)
		common_write(vdev, off, size, value);
	else if (off >= VIRTIO_BAR_MSIX_TABLE && off < VIRTIO_BAR_MSIX_PBA)
		vmctl_msix_table_write(&vdev->msix, off - VIRTIO_BAR_MSIX_TABLE,
				       size, value);
	else if (off >= VIRTIO_BAR_NOTIFY)
		notify(vdev, (off - VIRTIO_BAR_NOTIFY) / VIRTIO_NOTIFY_MULTIPLIER);
	else if (off >= VIRTIO_BAR_DEVICE &&
		 off + size <= VIRTIO_BAR_DEVICE + vdev->config_len &&
		 vdev->be->config_write)
		vdev->be->config_write(vdev, off - VIRTIO_BAR_DEVICE, size,
				       value);
	/* The ISR and pending bits are read-only. */
	pthread_mutex_unlock(&vdev->lock);
}

const struct vmctl_io_ops vmctl_virtio_bar_ops = {
	.read = bar_read,
	.write = bar_write,
};

void vmctl_virtio_set_config(struct vmctl_virtio_dev *vdev, unsigned int off,
			     const void *data, unsigned int len)
{
	pthread_mutex_lock(&vdev->lock);
	if (off <= vdev->config_len && len <= vdev->config_len - off) {
		memcpy(vdev->config + off, data, len);
		vdev->config_generation++;
		if (vdev->status & VIRTIO_STATUS_DRIVER_OK)
			interrupt_locked(vdev, ISR_CONFIG, 0);
	}
	pthread_mutex_unlock(&vdev->lock);
}

void vmctl_virtio_kick(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	pthread_mutex_lock(&vdev->lock);
	if (live_locked(vdev) && q < vdev->nr_queues && vdev->queue_enabled[q]) {
		vdev->kicked |= 1U << q;
		if (vdev->kick_fd >= 0)
			eventfd_write(vdev->kick_fd, 1);
	}
	pthread_mutex_unlock(&vdev->lock);
}

/* ---- serving the queues ---- */

void vmctl_virtio_used(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	if (!vmctl_vq_need_interrupt(&vdev->vqs[q]))
		return;
	pthread_mutex_lock(&vdev->lock);
	interrupt_locked(vdev, ISR_QUEUE, q);
	pthread_mutex_unlock(&vdev->lock);
}

void vmctl_virtio_serve(struct vmctl_virtio_dev *vdev)
{
	uint32_t pending;
	unsigned int q;
	int ret;

	pthread_mutex_lock(&vdev->lock);
	while (vdev->kicked && !vdev->stop) {
		pending = vdev->kicked;
		vdev->kicked = 0;
		if (!live_locked(vdev))
			break;
		vdev->busy = true;
		pthread_mutex_unlock(&vdev->lock);
		for (ret = 0, q = 0; q < vdev->nr_queues && !ret; q++)
			if (pending & (1U << q))
				ret = vdev->be->handle(vdev, q);
		pthread_mutex_lock(&vdev->lock);
		vdev->busy = false;
		pthread_cond_broadcast(&vdev->cond);
		if (ret < 0)
			set_broken_locked(vdev, -ret);
	}
	pthread_mutex_unlock(&vdev->lock);
}

/* ---- doorbells ---- */

/* Remove the doorbells from where they are.  The bus lock held. */
static void doorbells_off(struct vmctl_virtio_dev *vdev, unsigned int nr)
{
	unsigned int q;

	for (q = 0; q < nr; q++)
		vdev->host.doorbell(vdev->host.ctx, vdev->notify_fd[q],
				    vdev->doorbell_base + VIRTIO_BAR_NOTIFY +
				    VIRTIO_NOTIFY_MULTIPLIER * q,
				    VIRTIO_NOTIFY_WIDTH, false);
}

/*
 * Put the doorbells where BAR 0 decodes now (none while the worker
 * does not run or the BAR does not decode).  The bus lock held, or the
 * device not plugged.  A module that refuses them leaves notifications
 * exiting to userspace, which serves them just the same.
 */
static void place_doorbells(struct vmctl_virtio_dev *vdev)
{
	uint64_t base = vdev->doorbells_wanted ?
			vmctl_pci_bar_base(&vdev->pci, 0) : 0;
	unsigned int q;
	int ret = 0;

	if (!vdev->host.doorbell || base == vdev->doorbell_base)
		return;
	if (vdev->doorbell_base)
		doorbells_off(vdev, vdev->nr_queues);
	vdev->doorbell_base = base;
	if (!base)
		return;
	for (q = 0; q < vdev->nr_queues && !ret; q++)
		ret = vdev->host.doorbell(vdev->host.ctx, vdev->notify_fd[q],
					  base + VIRTIO_BAR_NOTIFY +
					  VIRTIO_NOTIFY_MULTIPLIER * q,
					  VIRTIO_NOTIFY_WIDTH, true);
	if (!ret)
		return;
	doorbells_off(vdev, q - 1);
	vdev->doorbell_base = 0;
	if (!vdev->doorbell_warned)
		vmctl_log("%s at 00:%02x.0: no kernel doorbell (%s); queue notifications exit to userspace",
			  vdev->be->name, vdev->pci.slot, strerror(-ret));
	vdev->doorbell_warned = true;
}

static bool overlaps(unsigned int reg, unsigned int size, unsigned int at,
		     unsigned int len)
{
	return reg < at + len && at < reg + size;
}

/* The guest wrote configuration space (the bus lock held). */
static void cfg_written(struct vmctl_pci_dev *pci, unsigned int reg,
			unsigned int size)
{
	struct vmctl_virtio_dev *vdev =
		container_of(pci, struct vmctl_virtio_dev, pci);
	uint16_t control;

	if (vdev->msix_cap > 0 &&
	    overlaps(reg, size, vdev->msix_cap + PCI_MSIX_FLAGS, 2)) {
		memcpy(&control, pci->cfg + vdev->msix_cap + PCI_MSIX_FLAGS, 2);
		vmctl_msix_control(&vdev->msix, control);
	}
	if (overlaps(reg, size, PCI_COMMAND, 2) ||
	    overlaps(reg, size, PCI_BASE_ADDRESS_0, 4))
		place_doorbells(vdev);
}

/* Run fn(vdev) under the bus lock, if the device is on a bus. */
static void with_bus_locked(struct vmctl_virtio_dev *vdev,
			    void (*fn)(struct vmctl_virtio_dev *vdev))
{
	struct vmctl_pci_bus *bus = vdev->pci.bus;

	if (bus)
		pthread_mutex_lock(&bus->lock);
	fn(vdev);
	if (bus)
		pthread_mutex_unlock(&bus->lock);
}

/* ---- the worker ---- */

/* A doorbell rang n times for queue q: kick it. */
static void doorbell_rang(struct vmctl_virtio_dev *vdev, unsigned int q,
			  eventfd_t n)
{
	pthread_mutex_lock(&vdev->lock);
	if (live_locked(vdev) && vdev->queue_enabled[q]) {
		count(&vdev->stats.notifications, n);
		count(&vdev->stats.q[q].notifications, n);
		vdev->kicked |= 1U << q;
	} else {
		count(&vdev->stats.ignored_notifications, n);
	}
	pthread_mutex_unlock(&vdev->lock);
}

/*
 * Wait for a kick, a doorbell or the backend's descriptor; a readable
 * backend descriptor kicks the queue it stands for.  False when told
 * to stop.
 */
static bool wait_work(struct vmctl_virtio_dev *vdev)
{
	struct pollfd pfd[VMCTL_VIRTIO_MAX_QUEUES + 2];
	unsigned int nq = vdev->nr_queues, q, be_q = 0, i;
	eventfd_t n;

	pfd[0] = (struct pollfd){ .fd = vdev->kick_fd, .events = POLLIN };
	for (q = 0; q < nq; q++)
		pfd[1 + q] = (struct pollfd){ .fd = vdev->notify_fd[q],
					      .events = POLLIN };
	pfd[1 + nq] = (struct pollfd){ .fd = -1, .events = POLLIN };
	if (vdev->be->wait_fd) {
		pthread_mutex_lock(&vdev->lock);
		if (live_locked(vdev))
			pfd[1 + nq].fd = vdev->be->wait_fd(vdev, &be_q);
		pthread_mutex_unlock(&vdev->lock);
	}
	if (poll(pfd, nq + 2, -1) < 0 && errno != EINTR)
		return false;
	if (__atomic_load_n(&vdev->stop, __ATOMIC_ACQUIRE))
		return false;
	if (pfd[0].revents & POLLIN)
		eventfd_read(vdev->kick_fd, &n);
	for (i = 0; i < nq; i++)
		if ((pfd[1 + i].revents & POLLIN) &&
		    !eventfd_read(vdev->notify_fd[i], &n))
			doorbell_rang(vdev, i, n);
	if (pfd[1 + nq].revents && be_q < nq) {
		pthread_mutex_lock(&vdev->lock);
		vdev->kicked |= 1U << be_q;
		pthread_mutex_unlock(&vdev->lock);
	}
	return true;
}

static void *worker(void *arg)
{
	struct vmctl_virtio_dev *vdev = arg;

	while (wait_work(vdev))
		vmctl_virtio_serve(vdev);
	return NULL;
}

static void close_fds(struct vmctl_virtio_dev *vdev)
{
	unsigned int q;

	for (q = 0; q < vdev->nr_queues; q++) {
		if (vdev->notify_fd[q] >= 0)
			close(vdev->notify_fd[q]);
		vdev->notify_fd[q] = -1;
	}
	if (vdev->kick_fd >= 0)
		close(vdev->kick_fd);
	vdev->kick_fd = -1;
}

static void doorbells_on(struct vmctl_virtio_dev *vdev)
{
	vdev->doorbells_wanted = true;
	place_doorbells(vdev);
}

static void doorbells_gone(struct vmctl_virtio_dev *vdev)
{
	vdev->doorbells_wanted = false;
	place_doorbells(vdev);
}

int vmctl_virtio_start(struct vmctl_virtio_dev *vdev)
{
	unsigned int q;
	int ret;

	if (vdev->worker_running)
		return 0;
	vdev->kick_fd = eventfd(0, EFD_CLOEXEC);
	for (q = 0; q < vdev->nr_queues && vdev->kick_fd >= 0; q++) {
		vdev->notify_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vdev->notify_fd[q] < 0)
			break;
	}
	if (vdev->kick_fd < 0 || q < vdev->nr_queues) {
		ret = -errno;
		close_fds(vdev);
		return ret;
	}
	vdev->stop = false;
	ret = pthread_create(&vdev->worker, NULL, worker, vdev);
	if (ret) {
		close_fds(vdev);
		return -ret;
	}
	vdev->worker_running = true;
	with_bus_locked(vdev, doorbells_on);
	/*
	 * A look at every enabled queue: kicks that came while no worker
	 * ran, a doorbell rung as the last worker stopped (its eventfd was
	 * closed unread: after a pause, a failed migration) and whatever a
	 * restored device's driver made available (doorbells are not
	 * state).  The driver will not ring again for those chains.
	 */
	pthread_mutex_lock(&vdev->lock);
	for (q = 0; q < vdev->nr_queues; q++)
		if (vdev->queue_enabled[q])
			vdev->kicked |= 1U << q;
	if (vdev->kicked)
		eventfd_write(vdev->kick_fd, 1);
	pthread_mutex_unlock(&vdev->lock);
	return 0;
}

void vmctl_virtio_stop(struct vmctl_virtio_dev *vdev)
{
	if (!vdev->worker_running)
		return;
	pthread_mutex_lock(&vdev->lock);
	__atomic_store_n(&vdev->stop, true, __ATOMIC_RELEASE);
	eventfd_write(vdev->kick_fd, 1);
	pthread_mutex_unlock(&vdev->lock);
	pthread_join(vdev->worker, NULL);
	with_bus_locked(vdev, doorbells_gone);
	pthread_mutex_lock(&vdev->lock);
	close_fds(vdev);
	vdev->worker_running = false;
	pthread_mutex_unlock(&vdev->lock);
}
