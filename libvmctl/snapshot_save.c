// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writing a snapshot (the file: snapshot.h).  The VM is paused (or not
 * started), so nothing changes while it is read.  The file is written
 * under a temporary name beside the target and renamed over it only once
 * complete and synced: a snapshot that fails leaves no file and no
 * half-written one, and the VM as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "snapshot.h"

static uint64_t align(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The file's write op. */
static int pwrite_all(struct snap_out *o, const void *buf, size_t len,
		      uint64_t off)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(o->fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vmctl_fail(-errno, "writing the snapshot");
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int snap_put(struct snap_out *o, uint32_t type, uint32_t index, uint64_t arg,
	       const void *a, size_t alen, const void *b, size_t blen)
{
	struct snap_section h = {
		.type = type, .index = index, .arg = arg,
		.offset = o->pos + sizeof(h), .size = alen + blen,
	};
	int ret;

	h.crc = vmctl_crc32(0, &h, sizeof(h));
	h.crc = vmctl_crc32(h.crc, a, alen);
	h.crc = vmctl_crc32(h.crc, b, blen);
	ret = o->write(o, &h, sizeof(h), o->pos);
	if (!ret && alen)
		ret = o->write(o, a, alen, h.offset);
	if (!ret && blen)
		ret = o->write(o, b, blen, h.offset + alen);
	o->pos = align(h.offset + h.size, 8);
	o->nr++;
	return ret;
}

bool snap_zero_page(const uint8_t *p)
{
	static const uint8_t zeros[SNAP_PAGE];

	return !memcmp(p, zeros, SNAP_PAGE);
}

/* A RAM slot: its pages of non-zeros, in runs; zeros stay holes. */
static int put_memory(struct snap_out *o, unsigned int slot,
		      const struct vmctl_mem_region *m)
{
	struct snap_section h = {
		.type = SNAP_MEMORY, .index = slot, .arg = m->gpa,
		.offset = align(o->pos + sizeof(h), SNAP_PAGE), .size = m->size,
	};
	const uint8_t *mem = m->hva;
	uint64_t page, run;
	int ret;

	h.crc = vmctl_crc32(0, &h, sizeof(h));
	ret = o->write(o, &h, sizeof(h), o->pos);
	for (page = 0; !ret && page < m->size; page = run) {
		if (snap_zero_page(mem + page)) {
			run = page + SNAP_PAGE;
			continue;
		}
		for (run = page + SNAP_PAGE;
		     run < m->size && !snap_zero_page(mem + run);
		     run += SNAP_PAGE)
			;
		ret = o->write(o, mem + page, run - page, h.offset + page);
	}
	o->pos = h.offset + h.size;
	o->nr++;
	return ret;
}

/* Every device's state, refused when one cannot be saved. */
static int put_devices(struct snap_out *o, struct vmctl_vm *vm)
{
	struct vmctl_state_writer w = { 0 };
	char name[SNAP_DEVICE_NAME];
	struct vmctl_device *dev, *d;
	unsigned int rank;
	int ret = 0;

	for (dev = vm->devices.first; dev && !ret; dev = dev->next) {
		if (!dev->ops->save)
			return vmctl_fail(-EOPNOTSUPP,
					  "the %s device cannot be saved in a snapshot yet",
					  dev->ops->name);
		for (rank = 0, d = vm->devices.first; d != dev; d = d->next)
			rank += !strcmp(d->ops->name, dev->ops->name);
		memset(name, 0, sizeof(name));
		snprintf(name, sizeof(name), "%s", dev->ops->name);
		w.len = 0;
		ret = dev->ops->save(dev, &w);
		if (!ret)
			ret = snap_put(o, SNAP_DEVICE, rank, 0, name, sizeof(name),
				  w.buf, w.len);
	}
	free(w.buf);
	return ret;
}

static int put_vcpus(struct snap_out *o, struct vmctl_vm *vm)
{
	unsigned int i;
	size_t len;
	void *blob;
	int ret = 0;

	for (i = 0; i < VMCTL_MAX_VCPUS && !ret; i++) {
		if (!vm->vcpus[i])
			continue;
		ret = vmctl_vcpu_save_state(vm->vcpus[i], &blob, &len);
		if (ret)
			return ret;
		ret = snap_put(o, SNAP_VCPU, i, 0, blob, len, NULL, 0);
		free(blob);
	}
	return ret;
}

int snap_put_state(struct snap_out *o, struct vmctl_vm *vm)
{
	struct vmctl_pic_pit_state pp;
	struct vmctl_ioapic_state io;
	struct vmctl_clock clock;
	int ret;

	ret = vmctl_vm_get_clock(vm, &clock);
	if (!ret)
		ret = snap_put(o, SNAP_CLOCK, 0, 0, &clock, sizeof(clock), NULL,
			       0);
	if (!ret)
		ret = put_vcpus(o, vm);
	if (!ret && vm->irqchip) {
		ret = vmctl_vm_get_ioapic(vm, &io);
		if (!ret)
			ret = snap_put(o, SNAP_IOAPIC, 0, 0, &io, sizeof(io),
				       NULL, 0);
	}
	if (!ret && vm->pic_pit) {
		ret = vmctl_vm_get_pic_pit(vm, &pp);
		if (!ret)
			ret = snap_put(o, SNAP_PIC_PIT, 0, 0, &pp, sizeof(pp),
				       NULL, 0);
	}
	if (!ret)
		ret = put_devices(o, vm);
	return ret;
}

static int put_all(struct snap_out *o, struct vmctl_vm *vm,
		   const void *config, size_t config_len)
{
	unsigned int i;
	int ret;

	ret = snap_put(o, SNAP_CONFIG, 0, 0, config, config_len, NULL, 0);
	if (!ret)
		ret = snap_put_state(o, vm);
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS && !ret; i++)
		if (vm->mem[i].used)
			ret = put_memory(o, i, &vm->mem[i]);
	if (!ret)
		ret = snap_put(o, SNAP_END, 0, 0, NULL, 0, NULL, 0);
	return ret;
}

int vmctl_vm_snapshot(struct vmctl_vm *vm, const char *path,
		      const void *config, size_t config_len)
{
	struct snap_header h = { .magic = SNAP_MAGIC, .version = SNAP_VERSION };
	struct snap_out o = { .pos = sizeof(h), .write = pwrite_all };
	char *tmp = NULL;
	int ret;

	vmctl_clear_detail();
	if (vm->running && !vmctl_vm_paused(vm))
		return vmctl_fail(-EBUSY, "pause the VM before its snapshot");
	if (config_len > SNAP_MAX_STATE)
		return -EINVAL;
	if (asprintf(&tmp, "%s.tmp%d", path, (int)getpid()) < 0)
		return -ENOMEM;
	o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (o.fd < 0) {
		ret = vmctl_fail(-errno, "cannot create %s", tmp);
		free(tmp);
		return ret;
	}
	ret = put_all(&o, vm, config, config_len);
	h.nr_sections = o.nr;
	h.file_size = o.pos;
	h.crc = vmctl_crc32(0, &h, sizeof(h));
	/* The size with the holes a last run of zero pages leaves. */
	if (!ret && ftruncate(o.fd, o.pos) < 0)
		ret = vmctl_fail(-errno, "writing the snapshot");
	if (!ret)
		ret = pwrite_all(&o, &h, sizeof(h), 0);
	if (!ret && fsync(o.fd) < 0)
		ret = vmctl_fail(-errno, "writing the snapshot");
	if (close(o.fd) < 0 && !ret)
		ret = vmctl_fail(-errno, "writing the snapshot");
	if (!ret && rename(tmp, path) < 0)
		ret = vmctl_fail(-errno, "cannot rename %s to %s", tmp, path);
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}
