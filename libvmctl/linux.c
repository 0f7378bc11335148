// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vmctl_load_linux(): read a bzImage and an initrd, let bzimage.c plan
 * the boot, and give the VM what an unmodified PC kernel expects: the
 * in-kernel irqchip and the PC devices (pc.c).  Every check
 * (file, format, size) happens before guest memory is touched, so a
 * refused kernel leaves the VM as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "bzimage.h"

/* Guest RAM as the e820 map should show it. */
static unsigned int ram_ranges(struct vmctl_vm *vm,
			       struct vmctl_ram_range *ram)
{
	unsigned int i, n = 0;

	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++)
		if (vm->mem[i].used)
			ram[n++] = (struct vmctl_ram_range){ vm->mem[i].gpa,
							     vm->mem[i].size };
	return n;
}

static int copy_plan(struct vmctl_vm *vm, const struct vmctl_bzimage_plan *plan)
{
	unsigned int i;
	void *dst;
	int ret;

	for (i = 0; i < plan->nr_writes; i++) {
		const struct vmctl_guest_write *w = &plan->writes[i];

		ret = vmctl_image_dst(vm, w->gpa, w->len, &dst);
		if (ret)
			return ret;
		memcpy(dst, w->data, w->len);
	}
	return 0;
}

/* The irqchip's pages are served in the kernel: RAM must leave them free. */
static int check_apic_holes(const struct vmctl_ram_range *ram, unsigned int n)
{
	static const uint64_t pages[] = { VMCTL_IOAPIC_BASE, VMCTL_APIC_BASE };
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < ARRAY_SIZE(pages); j++)
			if (pages[j] >= ram[i].gpa &&
			    pages[j] - ram[i].gpa < ram[i].size)
				return vmctl_fail(-VMCTL_E_IMAGE_RANGE,
						  "guest RAM [0x%llx, 0x%llx) covers the APIC page at 0x%llx: leave 3G-4G free",
						  (unsigned long long)ram[i].gpa,
						  (unsigned long long)(ram[i].gpa + ram[i].size),
						  (unsigned long long)pages[j]);
	return 0;
}

static int check_cpus(struct vmctl_vm *vm, unsigned int nr_cpus, bool *irqchip)
{
	unsigned int i;

	for (i = 0; i < VMCTL_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			return vmctl_fail(-EBUSY,
					  "load a Linux kernel before creating vCPUs");
	if (nr_cpus < 1 || nr_cpus > VMCTL_MAX_VCPUS)
		return vmctl_fail(-EINVAL, "%u CPUs: 1 to %d are possible",
				  nr_cpus, VMCTL_MAX_VCPUS);
	*irqchip = vm->irqchip ||
		   vmctl_check_cap(vm->sys, VMCTL_CAP_IRQCHIP) > 0;
	if (nr_cpus > 1 && !*irqchip)
		return vmctl_fail(-EOPNOTSUPP,
				  "%u CPUs need the in-kernel interrupt controllers, which this vmctl.ko lacks (VMCTL_CAP_IRQCHIP)",
				  nr_cpus);
	return 0;
}

int vmctl_load_linux(struct vmctl_vm *vm, const struct vmctl_linux_boot *boot)
{
	struct vmctl_ram_range ram[VMCTL_MAX_MEM_SLOTS];
	struct vmctl_bzimage_params p = { 0 };
	struct vmctl_bzimage_plan *plan;
	struct vmctl_image kernel = { 0 }, initrd = { 0 };
	bool irqchip;
	int ret;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	ret = check_cpus(vm, boot->nr_cpus, &irqchip);
	if (ret)
		return ret;
	if (boot->pic_pit && vmctl_check_cap(vm->sys, VMCTL_CAP_PIC_PIT) <= 0)
		return vmctl_fail(-EOPNOTSUPP,
				  "this vmctl.ko has no 8259 PIC and 8254 PIT (VMCTL_CAP_PIC_PIT)");
	plan = malloc(sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	ret = vmctl_map_image(boot->kernel, &kernel);
	if (!ret && boot->initrd)
		ret = vmctl_map_image(boot->initrd, &initrd);
	if (ret)
		goto out;

	p.image = kernel.data;
	p.image_len = kernel.len;
	p.initrd = initrd.data;
	p.initrd_len = initrd.len;
	p.cmdline = boot->cmdline;
	p.ram = ram;
	p.nr_ram = ram_ranges(vm, ram);
	p.nr_cpus = boot->nr_cpus;
	p.pic_pit = boot->pic_pit;
	p.entry = VMCTL_BZ_ENTRY_AUTO;
	ret = irqchip ? check_apic_holes(ram, p.nr_ram) : 0;
	if (!ret)
		ret = vmctl_bzimage_plan(&p, plan);
	if (ret)
		goto out;
	if (irqchip && !vm->irqchip)
		ret = vmctl_vm_create_irqchip(vm);
	if (!ret && boot->pic_pit && !vm->pic_pit)
		ret = vmctl_vm_create_pic_pit(vm);
	if (!ret)
		ret = vmctl_pc_devices_create(vm);
	if (!ret)
		ret = copy_plan(vm, plan);
	if (ret)
		goto out;
	vm->boot = (struct vmctl_boot_state){
		.valid = true, .linux_boot = true,
		.linux_long_mode = plan->long_mode, .linux_entry = plan->entry,
	};
out:
	vmctl_unmap_image(&initrd);
	vmctl_unmap_image(&kernel);
	free(plan);
	return ret;
}
