// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loading an image: map the file, let the planners (flat.c, elf.c, boot.c)
 * decide, then copy into guest memory and point the vCPUs at the entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int vmctl_map_image(const char *path, struct vmctl_image *img)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmctl_fail(-errno, "%s", path);
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return vmctl_fail(err, "%s", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return vmctl_fail(S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
				  "%s: not a regular file", path);
	}
	img->len = st.st_size;
	img->data = NULL;
	if (img->len) {
		img->data = mmap(NULL, img->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (img->data == MAP_FAILED) {
			err = -errno;
			close(fd);
			return vmctl_fail(err, "%s: mmap", path);
		}
	}
	close(fd);
	return 0;
}

void vmctl_unmap_image(struct vmctl_image *img)
{
	if (img->len)
		munmap((void *)img->data, img->len);
}

/* Copy the planned segments and boot area in, then reset the vCPUs. */
static int apply_plan(struct vmctl_vm *vm, const struct vmctl_image *img,
		      const struct vmctl_load_plan *plan, uint64_t mem_size)
{
	struct vmctl_boot_area area;
	unsigned int i;
	void *hva, *dst;
	int ret;

	ret = vmctl_boot_area_plan(plan, mem_size, &area);
	if (ret)
		return ret;
	for (i = 0; i < plan->nr_segs; i++) {
		const struct vmctl_load_seg *s = &plan->segs[i];

		ret = vmctl_image_dst(vm, s->gpa, s->mem_size, &dst);
		if (ret)
			return ret;
		memcpy(dst, img->data + s->file_off, s->file_size);
		memset((uint8_t *)dst + s->file_size, 0,
		       s->mem_size - s->file_size);
	}
	if (area.size) {
		hva = vmctl_vm_gpa_to_hva(vm, area.gpa, area.size);
		if (!hva)
			return vmctl_fail(-VMCTL_E_NO_BOOT_ROOM,
					  "boot area at 0x%llx is not guest RAM",
					  (unsigned long long)area.gpa);
		vmctl_boot_area_fill(&area, plan->mode, hva);
	}

	vm->boot = (struct vmctl_boot_state){
		.valid = true, .plan = *plan, .area = area };
	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		if (!vm->vcpus[i])
			continue;
		ret = vmctl_vcpu_apply_boot(vm->vcpus[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int load(struct vmctl_vm *vm, const char *path, bool elf,
		uint64_t load_addr, uint64_t entry)
{
	uint64_t mem_size = vmctl_vm_low_memory(vm);
	struct vmctl_load_plan plan;
	struct vmctl_image img = { 0 };
	int ret;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	ret = vmctl_map_image(path, &img);
	if (ret)
		return ret;
	if (elf)
		ret = vmctl_elf_plan(img.data, img.len, mem_size, &plan);
	else
		ret = vmctl_flat_plan(img.len, load_addr, entry, mem_size,
				      &plan);
	if (!ret)
		ret = apply_plan(vm, &img, &plan, mem_size);
	vmctl_unmap_image(&img);
	return ret;
}

int vmctl_load_flat(struct vmctl_vm *vm, const char *path, uint64_t load_addr,
		    uint64_t entry)
{
	return load(vm, path, false, load_addr, entry);
}

int vmctl_load_elf(struct vmctl_vm *vm, const char *path)
{
	return load(vm, path, true, 0, 0);
}
