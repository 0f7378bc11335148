/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtio 1.x over PCI, modern only (virtio 1.2, 4.1): a device with
 * vendor 0x1af4, device 0x1040 + its virtio ID, revision 1, and
 * vendor-specific capabilities locating four structures in its memory
 * BAR 0:
 *
 *	0x0000	common configuration (features, status, queue setup)
 *	0x1000	ISR status (read clears it and lowers INTx)
 *	0x2000	device-specific configuration
 *	0x3000	notifications: queue q at 0x3000 + 4 * q
 *	0x4000	the MSI-X table: vector v at 0x4000 + 16 * v
 *	0x5000	the MSI-X pending bits
 *
 * Interrupts: MSI-X (msix.h) with one vector per queue and one for
 * configuration changes, as the driver maps them (queue_msix_vector,
 * config_msix_vector; a vector the table does not have reads back
 * VIRTIO_MSI_NO_VECTOR, and NO_VECTOR means no interrupt).  A driver
 * that leaves MSI-X disabled gets INTx (INTA# on the bus) with the ISR.
 * Messages go out through the VM's VMCTL_SIGNAL_MSI from whichever
 * thread pushed the used entries, normally the worker.
 *
 * Notifications: while the worker runs, each queue has an eventfd the
 * VM's kernel doorbell signals on the driver's 16-bit write to that
 * queue's notify address (re-registered when the guest moves BAR 0 or
 * turns its decoding off), so a notification never exits to userspace;
 * any other write (another width, or a module without doorbells) exits
 * and kicks the same queue from the vCPU thread.  Requests are served
 * on the worker.  The worker also waits on a descriptor of the
 * backend's (wait_fd: a tap with frames to receive) and serves the
 * queue it names when it becomes readable.  A queue the guest broke sets
 * DEVICE_NEEDS_RESET and raises a configuration interrupt; the device
 * then ignores the guest until it resets it.
 *
 * All of a device's state is in struct vmctl_virtio_dev.
 */
#ifndef VMCTL_VIRTIO_PCI_H
#define VMCTL_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "msix.h"
#include "pci.h"
#include "virtq.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040
#define VIRTIO_MSI_NO_VECTOR	0xffff

/* Device status bits (virtio 1.2, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Transport feature bits. */
#define VIRTIO_F_RING_INDIRECT_DESC	28
#define VIRTIO_F_RING_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32

/* Capability cfg_type. */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4

/* BAR 0 layout. */
#define VIRTIO_BAR_COMMON	0x0000
#define VIRTIO_BAR_ISR		0x1000
#define VIRTIO_BAR_DEVICE	0x2000
#define VIRTIO_BAR_NOTIFY	0x3000
#define VIRTIO_BAR_MSIX_TABLE	0x4000
#define VIRTIO_BAR_MSIX_PBA	0x5000
#define VIRTIO_BAR_SIZE		0x8000
#define VIRTIO_NOTIFY_WIDTH	2	/* the driver writes the queue index */
#define VIRTIO_NOTIFY_MULTIPLIER 4
#define VIRTIO_COMMON_SIZE	0x40
#define VIRTIO_DEVICE_CFG_MAX	0x100

#define VMCTL_VIRTIO_MAX_QUEUES	8

struct vmctl_virtio_dev;

/* What a device type adds to the transport. */
struct vmctl_virtio_backend {
	const char *name;		/* "virtio-blk" */
	uint16_t device_id;		/* virtio device ID */
	uint32_t class;			/* PCI class code */
	/*
	 * Serve queue q: pop, handle, push, then vmctl_virtio_used(); called
	 * on the worker thread, never at once for two queues.  A negative
	 * return (-VQ_ERR_*) marks the device broken (NEEDS_RESET).
	 */
	int (*handle)(struct vmctl_virtio_dev *vdev, unsigned int q);
	/*
	 * Work that comes from outside the guest (a tap with frames to
	 * receive): an fd whose readability means queue *q has work, or -1
	 * for none now.  The worker asks before each wait, with the lock
	 * held and only while the driver is live (DRIVER_OK, not broken).
	 * May be NULL.
	 */
	int (*wait_fd)(struct vmctl_virtio_dev *vdev, unsigned int *q);
	/*
	 * Whether the driver's features hang together (a feature without
	 * the one it depends on is refused FEATURES_OK).  May be NULL.
	 */
	bool (*features_ok)(uint64_t features);
	/* Queue names for the counters ("rx"); NULL: their numbers. */
	const char *const *queue_names;
	/*
	 * The driver wrote size bytes of value at off in the device-specific
	 * configuration (off + size <= config_len), with the lock held.
	 * NULL: the configuration is read-only.
	 */
	void (*config_write)(struct vmctl_virtio_dev *vdev, unsigned int off,
			     unsigned int size, uint64_t value);
	/*
	 * The device was reset (by the driver, or at init), with the lock
	 * held and the queues idle: forget the chains held back.  May be
	 * NULL.
	 */
	void (*reset)(struct vmctl_virtio_dev *vdev);
};

/* A queue's counters (updated with relaxed atomics, read any time). */
struct vmctl_virtio_queue_counters {
	uint64_t notifications;		/* by the driver, taken */
	uint64_t interrupts;		/* sent or raised for this queue */
	uint64_t requests;		/* chains served */
	uint64_t bytes;			/* payload moved */
};

struct vmctl_virtio_counters {
	uint64_t notifications;		/* queue notifications by the guest */
	uint64_t ignored_notifications;	/* before DRIVER_OK or while broken */
	uint64_t requests;
	uint64_t interrupts;
	uint64_t broken;		/* times the guest broke a queue */
	struct vmctl_virtio_queue_counters q[VMCTL_VIRTIO_MAX_QUEUES];
};

/*
 * The VM's in-kernel doorbells for a device: register (assign) or
 * remove eventfd efd for guest writes of len bytes at addr; 0 or
 * -errno.  NULL: notifications exit to userspace.
 */
struct vmctl_virtio_host {
	int (*doorbell)(void *ctx, int efd, uint64_t addr, unsigned int len,
			bool assign);
	void *ctx;
};

struct vmctl_virtio_dev {
	struct vmctl_pci_dev pci;
	const struct vmctl_virtio_backend *be;
	void *be_ctx;
	struct vmctl_guest_ram ram;
	struct vmctl_virtio_host host;
	struct vmctl_msix msix;		/* nr_queues + 1 vectors */
	int msix_cap;			/* its offset in configuration space */

	/* doorbells: under the bus lock (or before plugging) */
	int notify_fd[VMCTL_VIRTIO_MAX_QUEUES];	/* -1 while no worker */
	uint64_t doorbell_base;		/* BAR 0 they are at, 0: none */
	bool doorbells_wanted;		/* the worker runs */
	bool doorbell_warned;

	pthread_mutex_t lock;		/* everything below */
	pthread_cond_t cond;
	uint64_t host_features;
	uint64_t guest_features;
	uint32_t dfselect, gfselect;
	uint8_t status;
	uint8_t isr;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t config_vector;		/* MSI-X vector or NO_VECTOR */
	uint16_t queue_vector[VMCTL_VIRTIO_MAX_QUEUES];
	unsigned int nr_queues;
	uint16_t max_queue_size;
	struct vmctl_vq vqs[VMCTL_VIRTIO_MAX_QUEUES];
	bool queue_enabled[VMCTL_VIRTIO_MAX_QUEUES];
	uint8_t config[VIRTIO_DEVICE_CFG_MAX];	/* device-specific */
	unsigned int config_len;
	struct vmctl_virtio_counters stats;
	int broken_err;			/* why NEEDS_RESET was set */

	/* the worker: kicked queues, its eventfd and thread */
	uint32_t kicked;		/* bit per queue */
	bool busy;			/* serving queues, outside the lock */
	bool stop;
	int kick_fd;
	pthread_t worker;
	bool worker_running;
};

/*
 * Set up the transport: PCI header and capabilities, BAR 0; the caller
 * fills config/config_len and host_features (device bits; VERSION_1,
 * INDIRECT_DESC and EVENT_IDX are added here), then plugs vdev->pci.
 * Returns 0 or -errno.
 */
int vmctl_virtio_init(struct vmctl_virtio_dev *vdev,
		      const struct vmctl_virtio_backend *be, void *be_ctx,
		      unsigned int nr_queues, uint16_t max_queue_size,
		      const struct vmctl_guest_ram *ram);
void vmctl_virtio_destroy(struct vmctl_virtio_dev *vdev);

/*
 * The device's state for a snapshot (virtio_state.c): what a backend's
 * save and restore ops (device.h) call.  The worker not running.
 */
struct vmctl_state_writer;
struct vmctl_state_reader;
int vmctl_virtio_save(struct vmctl_virtio_dev *vdev,
		      struct vmctl_state_writer *w);
int vmctl_virtio_restore(struct vmctl_virtio_dev *vdev,
			 struct vmctl_state_reader *r);
/*
 * The features the driver had accepted in the state at r, r left where
 * it was (a backend checks them against its host side before the
 * restore): 0, or -EPROTO when the state is cut short.
 */
int vmctl_virtio_saved_features(const struct vmctl_state_reader *r,
				uint64_t *features);

/* The worker thread, started and stopped with the vCPUs. */
int vmctl_virtio_start(struct vmctl_virtio_dev *vdev);
void vmctl_virtio_stop(struct vmctl_virtio_dev *vdev);

/*
 * Serve the kicked queues now, on the calling thread (what the worker
 * does on each wake-up; the unit tests call it directly).
 */
void vmctl_virtio_serve(struct vmctl_virtio_dev *vdev);

/* After pushing to queue q: interrupt the driver if it wants one. */
void vmctl_virtio_used(struct vmctl_virtio_dev *vdev, unsigned int q);

/*
 * Report the transport's counters (struct vmctl_device_counter): per
 * queue notifications, interrupts, requests and bytes; for the device,
 * ignored_notifications, broken and msix_messages.
 */
void vmctl_virtio_counters(struct vmctl_virtio_dev *vdev,
			   void (*fn)(void *ctx,
				      const struct vmctl_device_counter *c),
			   void *ctx);

/* Count requests served on queue q and the payload bytes they moved. */
void vmctl_virtio_count(struct vmctl_virtio_dev *vdev, unsigned int q,
			uint64_t requests, uint64_t bytes);

/*
 * The host changed len bytes of the device-specific configuration at
 * off (to data): store them, bump the generation and, once the driver
 * is ready, send it a configuration interrupt.  Any thread.
 */
void vmctl_virtio_set_config(struct vmctl_virtio_dev *vdev, unsigned int off,
			     const void *data, unsigned int len);

/*
 * Have the worker serve queue q for a reason of the host's (work that
 * the guest did not notify); nothing while the queue is not live.  Any
 * thread.
 */
void vmctl_virtio_kick(struct vmctl_virtio_dev *vdev, unsigned int q);

/* Whether the driver negotiated feature bit. */
bool vmctl_virtio_has(const struct vmctl_virtio_dev *vdev, unsigned int bit);

/* BAR 0's accessors (exposed for the unit tests). */
extern const struct vmctl_io_ops vmctl_virtio_bar_ops;

#endif /* VMCTL_VIRTIO_PCI_H */
