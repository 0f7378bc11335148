// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading a snapshot (the file: snapshot.h): vmctl_snapshot_open()
 * checks all of it and keeps what is not memory; vmctl_snapshot_restore()
 * puts it into a VM made like the one that was saved.  Guest memory is
 * mapped from the file MAP_PRIVATE: the module faults each page in when
 * the guest first touches it (README, "Guest memory"), and the guest's
 * writes go to private copies, never to the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "snapshot.h"

/* The file's read op. */
static int pread_all(struct snap_in *in, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = pread(in->fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vmctl_fail(-errno, "reading the snapshot");
		if (!n)
			return vmctl_fail(-EPROTO, "truncated");
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static const struct snap_format file_format = {
	.magic = SNAP_MAGIC,
	.version = SNAP_VERSION,
	.not_magic = "not a vmctl snapshot (no VMCTLSNP magic)",
	.version_name = "snapshot format version",
	.verb = "reads",
	.bad_crc = "the snapshot's header is corrupt (CRC)",
	.corrupt = "the snapshot's header is corrupt",
};

int snap_check_header(const struct snap_header *h,
		      const struct snap_format *f)
{
	struct snap_header c = *h;

	if (memcmp(h->magic, f->magic, 8))
		return vmctl_fail(-EPROTO, "%s", f->not_magic);
	if (h->version != f->version)
		return vmctl_fail(-EPROTO, "%s %u; this vmctl %s version %u",
				  f->version_name, h->version, f->verb,
				  f->version);
	c.crc = 0;
	if (vmctl_crc32(0, &c, sizeof(c)) != h->crc)
		return vmctl_fail(-EPROTO, "%s", f->bad_crc);
	if (h->flags)
		return vmctl_fail(-EPROTO, "%s", f->corrupt);
	return 0;
}

static int check_header(const struct snap_header *h, uint64_t size)
{
	int ret = snap_check_header(h, &file_format);

	if (ret)
		return ret;
	if (h->file_size != size)
		return vmctl_fail(-EPROTO,
				  "the snapshot is %llu bytes where its header says %llu: truncated or damaged",
				  (unsigned long long)size,
				  (unsigned long long)h->file_size);
	if (!h->nr_sections || h->nr_sections > SNAP_MAX_SECTIONS)
		return vmctl_fail(-EPROTO, "%s", file_format.corrupt);
	return 0;
}

int snap_read_section(struct snap_in *in, struct snap_data *sec,
		      uint64_t *pos)
{
	uint64_t align = 8, size = in->size;
	struct snap_section c;
	uint32_t crc;
	int ret;

	if (*pos + sizeof(c) > size)
		return vmctl_fail(-EPROTO, "truncated");
	ret = in->read(in, &sec->h, sizeof(sec->h), *pos);
	if (ret)
		return ret;
	c = sec->h;
	c.crc = 0;
	crc = vmctl_crc32(0, &c, sizeof(c));
	if (sec->h.type == SNAP_MEMORY)
		align = SNAP_PAGE;
	if (sec->h.type >= SNAP_NR_TYPES || sec->h.flags ||
	    sec->h.offset < *pos + sizeof(c) || sec->h.offset % align ||
	    (sec->h.type != SNAP_MEMORY &&
	     sec->h.offset != *pos + sizeof(c)) ||
	    sec->h.offset > size || sec->h.size > size - sec->h.offset ||
	    (sec->h.type != SNAP_MEMORY && sec->h.size > SNAP_MAX_STATE))
		return vmctl_fail(-EPROTO, "corrupt");
	if (sec->h.type != SNAP_MEMORY) {
		sec->data = malloc(sec->h.size ? sec->h.size : 1);
		if (!sec->data)
			return -ENOMEM;
		ret = in->read(in, sec->data, sec->h.size, sec->h.offset);
		if (ret)
			return ret;
		crc = vmctl_crc32(crc, sec->data, sec->h.size);
	}
	if (crc != sec->h.crc)
		return vmctl_fail(-EPROTO, "corrupt (CRC)");
	*pos = (sec->h.offset + sec->h.size + 7) & ~7ULL;
	return 0;
}

void vmctl_snapshot_close(struct vmctl_snapshot *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->nr; i++)
		free(s->s[i].data);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

int vmctl_snapshot_open(const char *path, struct vmctl_snapshot **out)
{
	struct vmctl_snapshot *s = calloc(1, sizeof(*s));
	struct snap_in in = { .read = pread_all };
	struct snap_header h;
	char why[64];
	struct stat st;
	uint64_t pos = sizeof(h);
	unsigned int i;
	int ret = 0;

	vmctl_clear_detail();
	if (!s)
		return -ENOMEM;
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0 || fstat(s->fd, &st) < 0)
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = vmctl_fail(-EPROTO, "not a vmctl snapshot (not a file)");
	else if ((uint64_t)st.st_size < sizeof(h))
		ret = vmctl_fail(-EPROTO, "not a vmctl snapshot (%lld bytes)",
				 (long long)st.st_size);
	in.fd = s->fd;
	in.size = st.st_size;
	if (!ret)
		ret = pread_all(&in, &h, sizeof(h), 0);
	if (!ret)
		ret = check_header(&h, st.st_size);
	for (i = 0; !ret && i < h.nr_sections; i++) {
		s->nr = i + 1;
		ret = snap_read_section(&in, &s->s[i], &pos);
		if (ret == -EPROTO) {
			snprintf(why, sizeof(why), "%s", vmctl_error_detail());
			ret = vmctl_fail(-EPROTO, "the snapshot's section %u is %s",
					 i, why);
		}
	}
	if (!ret && (s->s[s->nr - 1].h.type != SNAP_END || pos != h.file_size))
		ret = vmctl_fail(-EPROTO, "the snapshot does not end where its header says");
	if (ret) {
		vmctl_snapshot_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

/* The first section of type and index, or NULL. */
static const struct snap_data *find(const struct vmctl_snapshot *s,
				  uint32_t type, uint32_t index)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		if (s->s[i].h.type == type && s->s[i].h.index == index)
			return &s->s[i];
	return NULL;
}

const void *vmctl_snapshot_config(const struct vmctl_snapshot *s, size_t *len)
{
	const struct snap_data *sec = find(s, SNAP_CONFIG, 0);

	*len = sec ? sec->h.size : 0;
	return sec ? sec->data : NULL;
}

/* The VM's RAM slots are the snapshot's: map each from the file. */
static int restore_memory(struct vmctl_snapshot *s, struct vmctl_vm *vm)
{
	unsigned int i, n = 0, slots = 0;
	const struct snap_data *sec;

	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++)
		slots += vm->mem[i].used;
	for (i = 0; i < s->nr; i++) {
		const struct vmctl_mem_region *m;

		sec = &s->s[i];
		if (sec->h.type != SNAP_MEMORY)
			continue;
		m = sec->h.index < VMCTL_MAX_MEM_SLOTS ?
		    &vm->mem[sec->h.index] : NULL;
		if (!m || !m->used || m->gpa != sec->h.arg ||
		    m->size != sec->h.size)
			return vmctl_fail(-EINVAL,
					  "the snapshot's RAM at 0x%llx (%llu bytes) is not this VM's",
					  (unsigned long long)sec->h.arg,
					  (unsigned long long)sec->h.size);
		if (mmap(m->hva, m->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_FIXED, s->fd,
			 sec->h.offset) == MAP_FAILED)
			return vmctl_fail(-errno, "mapping the snapshot's RAM");
		n++;
	}
	if (n != slots)
		return vmctl_fail(-EINVAL,
				  "the snapshot has %u RAM slots, this VM %u",
				  n, slots);
	return 0;
}

static int restore_vcpus(struct vmctl_snapshot *s, struct vmctl_vm *vm)
{
	struct vmctl_vcpu *vcpu;
	unsigned int i;
	int ret;

	for (i = 0; i < s->nr; i++) {
		const struct snap_data *sec = &s->s[i];

		if (sec->h.type != SNAP_VCPU)
			continue;
		if (sec->h.index >= VMCTL_MAX_VCPUS)
			return vmctl_fail(-EPROTO, "vCPU %u in the snapshot",
					  sec->h.index);
		if (vm->vcpus[sec->h.index])
			return vmctl_fail(-EPROTO,
					  "the snapshot has vCPU %u twice",
					  sec->h.index);
		ret = vmctl_vcpu_create(vm, sec->h.index, &vcpu);
		if (!ret)
			ret = vmctl_vcpu_restore_state(vcpu, sec->data,
						       sec->h.size);
		if (ret)
			return ret;
	}
	return 0;
}

/* Each device of the VM from its section, and no section left over. */
static int restore_devices(struct vmctl_snapshot *s, struct vmctl_vm *vm)
{
	struct vmctl_device *dev, *d;
	unsigned int rank, i, used = 0, n = 0;
	int ret;

	for (dev = vm->devices.first; dev; dev = dev->next) {
		struct vmctl_state_reader r;
		const struct snap_data *sec = NULL;

		for (rank = 0, d = vm->devices.first; d != dev; d = d->next)
			rank += !strcmp(d->ops->name, dev->ops->name);
		for (i = 0; i < s->nr && !sec; i++)
			if (s->s[i].h.type == SNAP_DEVICE &&
			    s->s[i].h.index == rank &&
			    s->s[i].h.size >= SNAP_DEVICE_NAME &&
			    !strncmp((char *)s->s[i].data, dev->ops->name,
				     SNAP_DEVICE_NAME))
				sec = &s->s[i];
		if (!sec || !dev->ops->restore)
			return vmctl_fail(-EINVAL,
					  "the snapshot has no state for this VM's %s device",
					  dev->ops->name);
		r.p = sec->data + SNAP_DEVICE_NAME;
		r.left = sec->h.size - SNAP_DEVICE_NAME;
		ret = dev->ops->restore(dev, &r);
		if (!ret && r.left)
			ret = vmctl_fail(-EPROTO,
					 "the snapshot's %s state has %zu bytes too many",
					 dev->ops->name, r.left);
		if (ret)
			return ret;
		used++;
	}
	for (i = 0; i < s->nr; i++)
		n += s->s[i].h.type == SNAP_DEVICE;
	if (n != used)
		return vmctl_fail(-EINVAL,
				  "the snapshot has %u devices, this VM %u",
				  n, used);
	return 0;
}

int snap_restore(struct vmctl_snapshot *s, struct vmctl_vm *vm, bool memory)
{
	const struct snap_data *clock = find(s, SNAP_CLOCK, 0);
	const struct snap_data *io = find(s, SNAP_IOAPIC, 0);
	const struct snap_data *pp = find(s, SNAP_PIC_PIT, 0);
	unsigned int i;
	int ret;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	for (i = 0; i < VMCTL_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			return vmctl_fail(-EBUSY,
					  "restore a snapshot into a VM without vCPUs");
	if (!clock || clock->h.size != sizeof(struct vmctl_clock) ||
	    (io && io->h.size != sizeof(struct vmctl_ioapic_state)))
		return vmctl_fail(-EPROTO, "the snapshot's clock or I/O APIC is malformed");
	if (!!io != vm->irqchip)
		return vmctl_fail(-EINVAL, io ?
				  "the snapshot's VM had the in-kernel irqchip, this one has not" :
				  "the snapshot's VM had no in-kernel irqchip, this one has");
	if (pp && pp->h.size != sizeof(struct vmctl_pic_pit_state))
		return vmctl_fail(-EPROTO, "the snapshot's 8259s and PIT are malformed");
	if (!!pp != vm->pic_pit)
		return vmctl_fail(-EINVAL, pp ?
				  "the snapshot's VM had the 8259s and PIT, this one has not" :
				  "the snapshot's VM had no 8259s and PIT, this one has");
	ret = memory ? restore_memory(s, vm) : 0;
	/* The clock before any vCPU: their TSC starts from it. */
	if (!ret)
		ret = vmctl_vm_set_clock(vm, (const void *)clock->data);
	if (!ret)
		ret = restore_vcpus(s, vm);
	if (!ret && io)
		ret = vmctl_vm_set_ioapic(vm, (const void *)io->data);
	if (!ret && pp)
		ret = vmctl_vm_set_pic_pit(vm, (const void *)pp->data);
	if (!ret)
		ret = restore_devices(s, vm);
	return ret;
}

int vmctl_snapshot_restore(struct vmctl_snapshot *s, struct vmctl_vm *vm)
{
	return snap_restore(s, vm, true);
}
