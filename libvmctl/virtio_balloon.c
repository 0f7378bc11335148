// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-balloon (virtio_balloon.h; vmctl_balloon_create): the host sets
 * the balloon's size in the configuration (num_pages) and raises a
 * configuration interrupt; the guest's driver takes pages out of use and
 * names them on the inflate queue, and the device returns them to the
 * host with MADV_DONTNEED.  Guest RAM is private memory: anonymous
 * (memory.c), or a snapshot file mapped copy-on-write after a restore
 * (snapshot_load.c).  Either way MADV_DONTNEED frees the host's copies
 * (the MMU notifier takes them out of EPT first) and the guest's next
 * touch faults in a zeroed page, or the file's bytes again, which the
 * guest accepts: it gave the contents up, and without PAGE_POISON, which
 * we do not offer, its driver expects nothing of them.  The file's blocks
 * stay, rightly: the snapshot must still restore.  Punching holes
 * (fallocate, MADV_REMOVE) is for RAM shared with a file, which libvmctl
 * never makes.  Deflating needs no work here, and we do not offer
 * MUST_TELL_HOST.
 * Free page reporting names free ranges on its own queue, discarded the
 * same way.  The statistics buffer is held until someone reads the
 * counters, then given back, which makes the driver send fresh figures
 * (so the counters show those of the read before).
 *
 * A snapshot carries its state (virtio_balloon_state.c).
 *
 * Everything runs on the transport's worker thread; the counters are
 * read with relaxed atomics from any thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "pci_vm.h"
#include "virtio_balloon.h"
#include "virtio_pci.h"

#define QUEUE_SIZE		128	/* reporting needs 32 entries */
#define PCI_CLASS_OTHERS	0xff0000

struct vmctl_virtio_balloon {
	struct vmctl_device dev;
	struct vmctl_virtio_dev vdev;
	struct vmctl_balloon_state st;
	struct vmctl_vq_req req;	/* the worker's */
};

static void count(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* Give guest pages back to the host. */
static void discard(void *ctx, void *hva, uint64_t len)
{
	struct vmctl_virtio_balloon *b = ctx;

	if (madvise(hva, len, MADV_DONTNEED))
		count(&b->st.discard_errors, 1);
	/* The pages read zeros (or the file's bytes) now: so must a copy. */
	vmctl_guest_ram_written(&b->vdev.ram, hva, len);
}

/* Deflated pages: the guest's next touch brings them back. */
static void keep(void *ctx, void *hva, uint64_t len)
{
	(void)ctx;
	(void)hva;
	(void)len;
}

static void serve_pfns(struct vmctl_virtio_balloon *b, bool inflate)
{
	struct vmctl_balloon_walk w = { 0 };

	vmctl_balloon_pfns(&b->vdev.ram, b->req.iov, b->req.nr_out,
			   b->req.out_len, inflate ? discard : keep, b, &w);
	count(inflate ? &b->st.inflated_pages : &b->st.deflated_pages,
	      w.pages);
	count(&b->st.ignored_pfns, w.ignored);
}

/* Free ranges the guest reports: its device-writable buffers. */
static void serve_report(struct vmctl_virtio_balloon *b)
{
	const struct vmctl_vq_req *req = &b->req;
	unsigned int i;
	uint64_t len;
	void *hva;

	for (i = req->nr_out; i < req->nr_out + req->nr_in; i++)
		if (vmctl_balloon_whole_pages(&req->iov[i], &hva, &len)) {
			discard(b, hva, len);
			count(&b->st.reported_bytes, len);
		}
}

/* Give the held statistics buffer back if fresh figures are wanted. */
static void stats_answer(struct vmctl_virtio_balloon *b, unsigned int q)
{
	if (!b->st.stats_held ||
	    !__atomic_exchange_n(&b->st.stats_wanted, false, __ATOMIC_RELAXED))
		return;
	b->st.stats_held = false;
	vmctl_vq_push(&b->vdev.vqs[q], b->st.stats_head, 0);
	vmctl_virtio_used(&b->vdev, q);
}

/* One chain taken from queue q: whether to return it now. */
static bool serve(struct vmctl_virtio_balloon *b, enum vmctl_balloon_queue role,
		  unsigned int q)
{
	switch (role) {
	case BALLOON_Q_INFLATE:
	case BALLOON_Q_DEFLATE:
		serve_pfns(b, role == BALLOON_Q_INFLATE);
		break;
	case BALLOON_Q_REPORTING:
		serve_report(b);
		break;
	case BALLOON_Q_STATS:
		/* The driver keeps one in flight; return an older one. */
		if (b->st.stats_held)
			vmctl_vq_push(&b->vdev.vqs[q], b->st.stats_head, 0);
		vmctl_balloon_parse_stats(&b->st, b->req.iov, b->req.nr_out,
					  b->req.out_len);
		b->st.stats_held = true;
		b->st.stats_head = b->req.head;
		return false;
	case BALLOON_Q_NONE:
		break;
	}
	vmctl_virtio_count(&b->vdev, q, 1, b->req.out_len + b->req.in_len);
	return true;
}

static int balloon_handle(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	struct vmctl_virtio_balloon *b = vdev->be_ctx;
	enum vmctl_balloon_queue role =
		vmctl_balloon_queue_role(q, vdev->guest_features);
	struct vmctl_vq *vq = &vdev->vqs[q];
	int ret;

	do {
		while ((ret = vmctl_vq_pop(vq, &vdev->ram, &b->req)) > 0)
			if (serve(b, role, q)) {
				vmctl_vq_complete(vq, &b->req, 0);
				vmctl_virtio_used(vdev, q);
			}
		if (ret < 0)
			return ret;
	} while (vmctl_vq_enable_notify(vq));
	if (role == BALLOON_Q_STATS)
		stats_answer(b, q);
	return 0;
}

/* The driver writes actual; num_pages is the host's. */
static void balloon_config_write(struct vmctl_virtio_dev *vdev,
				 unsigned int off, unsigned int size,
				 uint64_t value)
{
	if (off >= VIRTIO_BALLOON_CFG_ACTUAL)
		memcpy(vdev->config + off, &value, size);
}

static void balloon_reset(struct vmctl_virtio_dev *vdev)
{
	struct vmctl_virtio_balloon *b = vdev->be_ctx;

	b->st.stats_held = false;
	memset(vdev->config + VIRTIO_BALLOON_CFG_ACTUAL, 0, 4);
}

static const struct vmctl_virtio_backend balloon_backend = {
	.name = "virtio-balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.class = PCI_CLASS_OTHERS,
	.handle = balloon_handle,
	.config_write = balloon_config_write,
	.reset = balloon_reset,
};

static struct vmctl_virtio_balloon *to_balloon(struct vmctl_device *dev)
{
	return container_of(dev, struct vmctl_virtio_balloon, dev);
}

static void balloon_free(struct vmctl_device *dev)
{
	vmctl_virtio_destroy(&to_balloon(dev)->vdev);
	free(to_balloon(dev));
}

static int balloon_start(struct vmctl_device *dev)
{
	return vmctl_virtio_start(&to_balloon(dev)->vdev);
}

static void balloon_stop(struct vmctl_device *dev)
{
	vmctl_virtio_stop(&to_balloon(dev)->vdev);
}

/* Ask the driver for fresh statistics (for the next read). */
static void want_stats(struct vmctl_virtio_balloon *b)
{
	unsigned int q;
	uint64_t f;

	pthread_mutex_lock(&b->vdev.lock);
	f = b->vdev.guest_features;
	pthread_mutex_unlock(&b->vdev.lock);
	for (q = 0; q < b->vdev.nr_queues; q++)
		if (vmctl_balloon_queue_role(q, f) == BALLOON_Q_STATS) {
			__atomic_store_n(&b->st.stats_wanted, true,
					 __ATOMIC_RELAXED);
			vmctl_virtio_kick(&b->vdev, q);
		}
}

static uint32_t config32(struct vmctl_virtio_balloon *b, unsigned int off)
{
	uint32_t v;

	pthread_mutex_lock(&b->vdev.lock);
	memcpy(&v, b->vdev.config + off, 4);
	pthread_mutex_unlock(&b->vdev.lock);
	return v;
}

static uint64_t guest_stat(struct vmctl_virtio_balloon *b, unsigned int tag)
{
	return load(&b->st.stats[tag]);
}

static void balloon_counters(struct vmctl_device *dev,
			     void (*fn)(void *ctx,
					const struct vmctl_device_counter *c),
			     void *ctx)
{
	static const char *const stat_names[VIRTIO_BALLOON_S_NR_KNOWN] = {
		"guest_swap_in_pages", "guest_swap_out_pages",
		"guest_major_faults", "guest_minor_faults",
		"guest_free_bytes", "guest_total_bytes",
		"guest_available_bytes", "guest_cache_bytes",
	};
	struct vmctl_virtio_balloon *b = to_balloon(dev);
	struct vmctl_balloon_state *st = &b->st;
	char device[48];
	struct vmctl_device_counter c = { .device = device, .queue = "" };
	const struct { const char *name; uint64_t v; } row[] = {
		{ "target_pages", config32(b, VIRTIO_BALLOON_CFG_NUM_PAGES) },
		{ "actual_pages", config32(b, VIRTIO_BALLOON_CFG_ACTUAL) },
		{ "inflated_pages", load(&st->inflated_pages) },
		{ "deflated_pages", load(&st->deflated_pages) },
		{ "ignored_pfns", load(&st->ignored_pfns) },
		{ "reported_bytes", load(&st->reported_bytes) },
		{ "discard_errors", load(&st->discard_errors) },
	};
	uint32_t seen = __atomic_load_n(&st->stats_seen, __ATOMIC_RELAXED);
	unsigned int i;

	vmctl_virtio_counters(&b->vdev, fn, ctx);
	snprintf(device, sizeof(device), "%s 00:%02x.0", balloon_backend.name,
		 b->vdev.pci.slot);
	for (i = 0; i < ARRAY_SIZE(row); i++) {
		c.name = row[i].name;
		c.value = row[i].v;
		fn(ctx, &c);
	}
	for (i = 0; i < VIRTIO_BALLOON_S_NR_KNOWN; i++)
		if (seen >> i & 1) {
			c.name = stat_names[i];
			c.value = guest_stat(b, i);
			fn(ctx, &c);
		}
	want_stats(b);
}

static uint64_t ram_size(const struct vmctl_vm *vm)
{
	uint64_t size = 0;
	unsigned int i;

	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++)
		if (vm->mem[i].used)
			size += vm->mem[i].size;
	return size;
}

static int balloon_save(struct vmctl_device *dev, struct vmctl_state_writer *w)
{
	return vmctl_balloon_save_state(&to_balloon(dev)->vdev,
					&to_balloon(dev)->st, w);
}

static int balloon_restore(struct vmctl_device *dev,
			   struct vmctl_state_reader *r)
{
	return vmctl_balloon_restore_state(&to_balloon(dev)->vdev,
					   &to_balloon(dev)->st,
					   ram_size(dev->vm), r);
}

static const struct vmctl_device_ops balloon_device_ops = {
	.name = "virtio-balloon",
	.start = balloon_start,
	.stop = balloon_stop,
	.destroy = balloon_free,
	.save = balloon_save,
	.restore = balloon_restore,
	.counters = balloon_counters,
};

static struct vmctl_virtio_balloon *find(struct vmctl_vm *vm)
{
	struct vmctl_device *dev;

	for (dev = vm->devices.first; dev; dev = dev->next)
		if (dev->ops == &balloon_device_ops)
			return to_balloon(dev);
	return NULL;
}

static int check_size(struct vmctl_vm *vm, uint64_t size)
{
	if (size % VIRTIO_BALLOON_PAGE || size > ram_size(vm))
		return vmctl_fail(-EINVAL,
				  "balloon size %llu: not a multiple of 4 KiB, or above the VM's %llu bytes of RAM",
				  (unsigned long long)size,
				  (unsigned long long)ram_size(vm));
	return 0;
}

int vmctl_balloon_create(struct vmctl_vm *vm, const struct vmctl_balloon *opt)
{
	struct vmctl_guest_ram ram = vmctl_pci_guest_ram(vm);
	struct vmctl_virtio_balloon *b;
	uint32_t pages;
	int ret;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	if (find(vm))
		return vmctl_fail(-EEXIST, "the VM has a balloon already");
	ret = check_size(vm, opt->size);
	if (ret)
		return ret;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->st.offered =
		(uint64_t)!opt->no_stats << VIRTIO_BALLOON_F_STATS_VQ |
		(uint64_t)!opt->no_deflate_on_oom << VIRTIO_BALLOON_F_DEFLATE_ON_OOM |
		(uint64_t)!opt->no_free_page_reporting << VIRTIO_BALLOON_F_REPORTING;
	ret = vmctl_virtio_init(&b->vdev, &balloon_backend, b,
				2 + !opt->no_stats + !opt->no_free_page_reporting,
				QUEUE_SIZE, &ram);
	if (ret) {
		free(b);
		return ret;
	}
	b->vdev.host_features |= b->st.offered;
	pages = opt->size / VIRTIO_BALLOON_PAGE;
	memcpy(b->vdev.config + VIRTIO_BALLOON_CFG_NUM_PAGES, &pages, 4);
	b->vdev.config_len = VIRTIO_BALLOON_CONFIG_LEN;
	ret = vmctl_pci_plug_virtio(vm, &b->vdev);
	if (ret) {
		balloon_free(&b->dev);
		return ret;
	}
	vmctl_device_add(vm, &b->dev, &balloon_device_ops);
	return 0;
}

int vmctl_vm_balloon_set(struct vmctl_vm *vm, uint64_t size)
{
	struct vmctl_virtio_balloon *b = find(vm);
	uint32_t pages;
	int ret;

	vmctl_clear_detail();
	if (!b)
		return vmctl_fail(-ENODEV, "the VM has no balloon");
	ret = check_size(vm, size);
	if (ret)
		return ret;
	pages = size / VIRTIO_BALLOON_PAGE;
	vmctl_virtio_set_config(&b->vdev, VIRTIO_BALLOON_CFG_NUM_PAGES, &pages,
				4);
	return 0;
}

int vmctl_vm_balloon_info(struct vmctl_vm *vm, struct vmctl_balloon_info *info)
{
	struct vmctl_virtio_balloon *b = find(vm);

	vmctl_clear_detail();
	if (!b)
		return vmctl_fail(-ENODEV, "the VM has no balloon");
	*info = (struct vmctl_balloon_info){
		.target = (uint64_t)config32(b, VIRTIO_BALLOON_CFG_NUM_PAGES) *
			  VIRTIO_BALLOON_PAGE,
		.actual = (uint64_t)config32(b, VIRTIO_BALLOON_CFG_ACTUAL) *
			  VIRTIO_BALLOON_PAGE,
		.guest_free = guest_stat(b, VIRTIO_BALLOON_S_MEMFREE),
		.guest_total = guest_stat(b, VIRTIO_BALLOON_S_MEMTOT),
		.guest_available = guest_stat(b, VIRTIO_BALLOON_S_AVAIL),
	};
	want_stats(b);
	return 0;
}
