// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The virtio-blk device on a raw image file or block device
 * (vmctl_disk_create).  Requests are parsed and checked by
 * virtio_blk_req.c, then served on the device's worker thread (see
 * virtio_pci.h) with preadv/pwritev; flush is fdatasync, discard and
 * write-zeroes are fallocate.  A writable image is locked exclusively
 * (flock), a read-only one shared, so two VMs never write one image and
 * nobody writes an image a VM reads.  A live migration hands the lock
 * over (shared storage: both ends open the same path): the source lets
 * go once paused for good, the destination's disk (made incoming) takes
 * it when the state arrives, and the source takes it back if the
 * migration fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pci_vm.h"
#include "virtio_blk.h"
#include "virtio_pci.h"

#define QUEUE_SIZE	VMCTL_VQ_MAX_SIZE
#define DIRECT_ALIGN	4096	/* O_DIRECT buffers: a page is always enough */
#define BOUNCE_SIZE	(1U << 20)
#define PCI_CLASS_STORAGE_OTHER 0x018000

struct vmctl_virtio_blk {
	struct vmctl_device dev;
	struct vmctl_virtio_dev vdev;
	int fd;
	bool read_only, direct;
	bool lock_pending;		/* incoming: locked on restore */
	bool handed_over;		/* migrated: the lock let go */
	uint64_t capacity;			/* sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	char *path;
	/* the worker's */
	struct vmctl_vq_req req;
	struct vmctl_blk_req breq;
	void *bounce;				/* O_DIRECT, unaligned buffers */
};

/* All of [off, off + len) through iov, however the kernel splits it. */
static int rw_full(int fd, struct iovec *iov, unsigned int n, uint64_t off,
		   bool write)
{
	while (n) {
		ssize_t done = write ? pwritev(fd, iov, n, off) :
				       preadv(fd, iov, n, off);

		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -errno;
		if (!done) {
			if (write)
				return -EIO;
			/* Past the end of a file that shrank: zeros. */
			for (; n; iov++, n--)
				memset(iov->iov_base, 0, iov->iov_len);
			return 0;
		}
		off += done;
		while (n && (size_t)done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + done;
			iov->iov_len -= done;
		}
	}
	return 0;
}

static bool aligned(const struct iovec *iov, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if ((uintptr_t)iov[i].iov_base % DIRECT_ALIGN ||
		    iov[i].iov_len % VMCTL_BLK_SECTOR)
			return false;
	return true;
}

/*
 * O_DIRECT with guest buffers it cannot take: through aligned memory, a
 * chunk at a time, so a guest's request size never sets the host's.
 */
static int rw_bounce(struct vmctl_virtio_blk *b, struct vmctl_blk_req *r,
		     bool write)
{
	uint64_t done, off = r->sector * VMCTL_BLK_SECTOR;
	int ret;

	if (!b->bounce && posix_memalign(&b->bounce, DIRECT_ALIGN, BOUNCE_SIZE))
		return -ENOMEM;
	for (done = 0; done < r->len; done += BOUNCE_SIZE) {
		size_t n = r->len - done < BOUNCE_SIZE ? r->len - done :
			   BOUNCE_SIZE;
		struct iovec one = { b->bounce, n };	/* rw_full moves it */

		if (write)
			vmctl_iov_read(r->data, r->nr_data, done, b->bounce, n);
		ret = rw_full(b->fd, &one, 1, off + done, write);
		if (ret)
			return ret;
		if (!write)
			vmctl_iov_write(r->data, r->nr_data, done, b->bounce, n);
	}
	return 0;
}

static int zero_range(struct vmctl_virtio_blk *b, struct vmctl_blk_req *r)
{
	off_t off = r->sector * VMCTL_BLK_SECTOR;
	off_t len = r->nr_sectors * VMCTL_BLK_SECTOR;
	static const uint8_t zeros[64 * 1024];
	int mode;

	if (r->type == VIRTIO_BLK_T_DISCARD) {
		/* A hint: where the file cannot punch holes, nothing happens. */
		fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  off, len);
		return 0;
	}
	mode = r->unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
			  FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	if (!fallocate(b->fd, mode, off, len))
		return 0;
	/* No fallocate mode for it here: write the zeros. */
	while (len) {
		size_t n = len < (off_t)sizeof(zeros) ? (size_t)len :
			   sizeof(zeros);
		struct iovec iov = { (void *)zeros, n };
		int ret = rw_full(b->fd, &iov, 1, off, true);

		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return 0;
}

/* Carry out a checked request; the status byte's value. */
static uint8_t execute(struct vmctl_virtio_blk *b, struct vmctl_blk_req *r,
		       uint32_t *written)
{
	bool write = r->type == VIRTIO_BLK_T_OUT;
	int ret = 0;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (b->direct && !aligned(r->data, r->nr_data))
			ret = rw_bounce(b, r, write);
		else
			ret = rw_full(b->fd, r->data, r->nr_data,
				      r->sector * VMCTL_BLK_SECTOR, write);
		if (!ret && !write)
			*written = r->len;
		break;
	case VIRTIO_BLK_T_FLUSH:
		ret = b->read_only ? 0 : fdatasync(b->fd) ? -errno : 0;
		break;
	case VIRTIO_BLK_T_GET_ID:
		vmctl_iov_write(r->data, r->nr_data, 0, b->serial, r->len);
		*written = r->len;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		ret = zero_range(b, r);
		break;
	}
	return ret ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

static int blk_handle(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	struct vmctl_virtio_blk *b = vdev->be_ctx;
	struct vmctl_vq *vq = &vdev->vqs[q];
	int ret;

	do {
		while ((ret = vmctl_vq_pop(vq, &vdev->ram, &b->req)) > 0) {
			struct vmctl_blk_req *r = &b->breq;
			uint32_t written = 0;

			if (vmctl_blk_parse(&b->req, b->capacity, b->read_only,
					    r) < 0)
				return -VQ_ERR_ORDER;	/* no status byte */
			if (r->status == VIRTIO_BLK_S_OK)
				r->status = execute(b, r, &written);
			*r->status_byte = r->status;
			vmctl_virtio_count(vdev, q, 1,
					   r->status == VIRTIO_BLK_S_OK &&
					   (r->type == VIRTIO_BLK_T_IN ||
					    r->type == VIRTIO_BLK_T_OUT) ?
					   r->len : 0);
			vmctl_vq_complete(vq, &b->req, written + 1);
			vmctl_virtio_used(vdev, q);
		}
		if (ret < 0)
			return ret;
	} while (vmctl_vq_enable_notify(vq));
	return 0;
}

static const struct vmctl_virtio_backend blk_backend = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.class = PCI_CLASS_STORAGE_OTHER,
	.handle = blk_handle,
};

static void blk_free(struct vmctl_device *dev)
{
	struct vmctl_virtio_blk *b = container_of(dev, struct vmctl_virtio_blk,
						  dev);

	vmctl_virtio_destroy(&b->vdev);
	if (b->fd >= 0)
		close(b->fd);
	free(b->bounce);
	free(b->path);
	free(b);
}

static int lock_image(struct vmctl_virtio_blk *b)
{
	if (flock(b->fd, (b->read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -VMCTL_E_DISK_LOCKED :
		       vmctl_fail(-errno, "locking the disk image");
	b->lock_pending = false;
	return 0;
}

/* An incoming disk's lock, once the source let go of it. */
static int take_pending_lock(struct vmctl_virtio_blk *b)
{
	int ret = b->lock_pending ? lock_image(b) : 0;

	if (ret == -VMCTL_E_DISK_LOCKED)
		vmctl_fail(ret, "%s is locked by another VM", b->path);
	return ret;
}

static int blk_start(struct vmctl_device *dev)
{
	struct vmctl_virtio_blk *b = container_of(dev, struct vmctl_virtio_blk,
						  dev);
	int ret = take_pending_lock(b);

	return ret ? ret : vmctl_virtio_start(&b->vdev);
}

static void blk_stop(struct vmctl_device *dev)
{
	vmctl_virtio_stop(&container_of(dev, struct vmctl_virtio_blk,
					dev)->vdev);
}

static void blk_counters(struct vmctl_device *dev,
			 void (*fn)(void *ctx,
				    const struct vmctl_device_counter *c),
			 void *ctx)
{
	vmctl_virtio_counters(&container_of(dev, struct vmctl_virtio_blk, dev)->vdev, fn,
			      ctx);
}

/* The state is the virtio layer's (virtio_state.c). */
static int blk_save(struct vmctl_device *dev, struct vmctl_state_writer *w)
{
	return vmctl_virtio_save(&container_of(dev, struct vmctl_virtio_blk, dev)->vdev, w);
}

/* An incoming disk takes the image's lock here: refused while held. */
static int blk_restore(struct vmctl_device *dev, struct vmctl_state_reader *r)
{
	struct vmctl_virtio_blk *b = container_of(dev, struct vmctl_virtio_blk,
						  dev);
	int ret = take_pending_lock(b);

	return ret ? ret : vmctl_virtio_restore(&b->vdev, r);
}

static int blk_hand_over(struct vmctl_device *dev, bool out)
{
	struct vmctl_virtio_blk *b = container_of(dev, struct vmctl_virtio_blk,
						  dev);
	unsigned int i = 0;

	if (out == b->handed_over)
		return 0;
	if (out && flock(b->fd, LOCK_UN) < 0)
		return vmctl_fail(-errno, "unlocking %s", b->path);
	/*
	 * A destination that refused at the end lets go when it destroys
	 * its VM, maybe just after its answer: a second to do so.  Not
	 * fatal: the VM runs on, its guest must not lose its disk.
	 */
	for (i = 0; !out && lock_image(b) && i < 50; i++)
		usleep(20000);
	if (!out && i == 50)
		vmctl_log("%s: the lock could not be taken back after a failed migration",
			  b->path);
	b->handed_over = out;
	return 0;
}

static const struct vmctl_device_ops blk_device_ops = {
	.name = "virtio-blk",
	.hand_over = blk_hand_over,
	.start = blk_start,
	.stop = blk_stop,
	.destroy = blk_free,
	.counters = blk_counters,
	.save = blk_save,
	.restore = blk_restore,
};

/* Open, lock and size the image; every refusal names the file. */
static int open_image(struct vmctl_virtio_blk *b, const char *path)
{
	struct stat st;
	uint64_t bytes;
	int ret, flags = (b->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC |
		    (b->direct ? O_DIRECT : 0);

	/* The caller names the file in its message: details do not. */
	b->fd = open(path, flags);
	if (b->fd < 0)
		return vmctl_fail(-errno, "opening the disk image%s",
				  b->read_only ? " read-only" : "");
	if (!b->lock_pending) {
		ret = lock_image(b);
		if (ret)
			return ret;
	}
	if (fstat(b->fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(b->fd, BLKGETSIZE64, &bytes) < 0)
			return vmctl_fail(-errno, "BLKGETSIZE64");
	} else if (S_ISREG(st.st_mode)) {
		bytes = st.st_size;
	} else {
		return vmctl_fail(-EINVAL,
				  "a disk image is a file or a block device");
	}
	if (!bytes || bytes % VMCTL_BLK_SECTOR)
		return vmctl_fail(-VMCTL_E_DISK_SIZE, "%llu bytes",
				  (unsigned long long)bytes);
	b->capacity = bytes / VMCTL_BLK_SECTOR;
	return 0;
}

int vmctl_disk_create(struct vmctl_vm *vm, const struct vmctl_disk *disk)
{
	struct vmctl_guest_ram ram = vmctl_pci_guest_ram(vm);
	struct vmctl_virtio_blk *b;
	int ret;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	if (disk->serial && strlen(disk->serial) > VIRTIO_BLK_ID_BYTES)
		return vmctl_fail(-EINVAL, "serial '%s' is longer than %d bytes",
				  disk->serial, VIRTIO_BLK_ID_BYTES);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->fd = -1;
	b->read_only = disk->read_only;
	b->direct = disk->direct;
	b->lock_pending = disk->incoming;
	if (disk->serial)
		memcpy(b->serial, disk->serial, strlen(disk->serial));
	b->path = strdup(disk->path);
	ret = b->path ? open_image(b, disk->path) : -ENOMEM;
	if (!ret)
		ret = vmctl_virtio_init(&b->vdev, &blk_backend, b, 1, QUEUE_SIZE,
					&ram);
	if (ret) {
		if (b->fd >= 0)
			close(b->fd);
		free(b->path);
		free(b);
		return ret;
	}
	b->vdev.host_features |= 1ULL << VIRTIO_BLK_F_SEG_MAX |
				 1ULL << VIRTIO_BLK_F_BLK_SIZE |
				 1ULL << VIRTIO_BLK_F_FLUSH;
	if (b->read_only)
		b->vdev.host_features |= 1ULL << VIRTIO_BLK_F_RO;
	else
		b->vdev.host_features |= 1ULL << VIRTIO_BLK_F_DISCARD |
					 1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
	/* Two descriptors of a chain are the header and the status. */
	vmctl_blk_config(b->vdev.config, b->capacity, QUEUE_SIZE - 2);
	b->vdev.config_len = VMCTL_BLK_CONFIG_LEN;
	ret = vmctl_pci_plug_virtio(vm, &b->vdev);
	if (ret) {
		blk_free(&b->dev);
		return ret;
	}
	vmctl_device_add(vm, &b->dev, &blk_device_ops);
	return 0;
}
