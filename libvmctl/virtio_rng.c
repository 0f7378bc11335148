// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-rng (virtio 1.2, 5.4; vmctl_rng_create): one queue of
 * writable buffers, filled from the host's getrandom() on the device's
 * worker thread.  A chain with readable buffers is answered with nothing
 * written; at most 64 KiB is filled per chain, so one request cannot
 * keep the worker long.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "internal.h"
#include "pci_vm.h"
#include "virtio_pci.h"

#define VIRTIO_ID_RNG		4
#define QUEUE_SIZE		64
#define MAX_FILL		(64 * 1024)
#define PCI_CLASS_OTHERS	0xff0000

struct vmctl_virtio_rng {
	struct vmctl_device dev;
	struct vmctl_virtio_dev vdev;
	struct vmctl_vq_req req;	/* the worker's */
};

/* Fill one buffer; returns the bytes written. */
static size_t fill(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((uint8_t *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	return done;
}

static int rng_handle(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	struct vmctl_virtio_rng *r = vdev->be_ctx;
	struct vmctl_vq *vq = &vdev->vqs[q];
	int ret;

	do {
		while ((ret = vmctl_vq_pop(vq, &vdev->ram, &r->req)) > 0) {
			struct vmctl_vq_req *req = &r->req;
			size_t written = 0, room = MAX_FILL, n;
			unsigned int i;

			for (i = req->nr_out; !req->nr_out &&
			     i < req->nr_out + req->nr_in && room; i++) {
				n = req->iov[i].iov_len < room ?
				    req->iov[i].iov_len : room;
				n = fill(req->iov[i].iov_base, n);
				written += n;
				room -= n;
				if (n < req->iov[i].iov_len)
					break;
			}
			vmctl_virtio_count(vdev, q, 1, written);
			vmctl_vq_complete(vq, req, written);
			vmctl_virtio_used(vdev, q);
		}
		if (ret < 0)
			return ret;
	} while (vmctl_vq_enable_notify(vq));
	return 0;
}

static const struct vmctl_virtio_backend rng_backend = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.class = PCI_CLASS_OTHERS,
	.handle = rng_handle,
};

static void rng_free(struct vmctl_device *dev)
{
	struct vmctl_virtio_rng *r = container_of(dev, struct vmctl_virtio_rng,
						  dev);

	vmctl_virtio_destroy(&r->vdev);
	free(r);
}

static int rng_start(struct vmctl_device *dev)
{
	return vmctl_virtio_start(&container_of(dev, struct vmctl_virtio_rng,
						dev)->vdev);
}

static void rng_stop(struct vmctl_device *dev)
{
	vmctl_virtio_stop(&container_of(dev, struct vmctl_virtio_rng,
					dev)->vdev);
}

static void rng_counters(struct vmctl_device *dev,
			 void (*fn)(void *ctx,
				    const struct vmctl_device_counter *c),
			 void *ctx)
{
	vmctl_virtio_counters(&container_of(dev, struct vmctl_virtio_rng, dev)->vdev, fn,
			      ctx);
}

/* The state is the virtio layer's (virtio_state.c). */
static int rng_save(struct vmctl_device *dev, struct vmctl_state_writer *w)
{
	return vmctl_virtio_save(&container_of(dev, struct vmctl_virtio_rng, dev)->vdev, w);
}

static int rng_restore(struct vmctl_device *dev, struct vmctl_state_reader *r)
{
	return vmctl_virtio_restore(&container_of(dev, struct vmctl_virtio_rng, dev)->vdev,
				    r);
}

static const struct vmctl_device_ops rng_device_ops = {
	.name = "virtio-rng",
	.start = rng_start,
	.stop = rng_stop,
	.destroy = rng_free,
	.counters = rng_counters,
	.save = rng_save,
	.restore = rng_restore,
};

int vmctl_rng_create(struct vmctl_vm *vm)
{
	struct vmctl_guest_ram ram = vmctl_pci_guest_ram(vm);
	struct vmctl_virtio_rng *r;
	int ret;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = vmctl_virtio_init(&r->vdev, &rng_backend, r, 1, QUEUE_SIZE, &ram);
	if (ret) {
		free(r);
		return ret;
	}
	ret = vmctl_pci_plug_virtio(vm, &r->vdev);
	if (ret) {
		rng_free(&r->dev);
		return ret;
	}
	vmctl_device_add(vm, &r->dev, &rng_device_ops);
	return 0;
}
