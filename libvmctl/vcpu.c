// SPDX-License-Identifier: LGPL-2.1-or-later
/* vCPU handles: the fd, its mmap'd run page, and register access. */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "bzimage.h"

static int run_size(struct vmctl *sys)
{
	if (!sys->run_size) {
		int n = ioctl(sys->fd, VMCTL_GET_RUN_SIZE, 0);

		if (n < 0)
			return -errno;
		if ((size_t)n < sizeof(struct vmctl_run))
			return vmctl_fail(-EPROTO, "run page of %d bytes is too small", n);
		sys->run_size = n;
	}
	return sys->run_size;
}

int vmctl_vcpu_create(struct vmctl_vm *vm, unsigned int id,
		      struct vmctl_vcpu **out)
{
	struct vmctl_vcpu *vcpu;
	int size, ret;

	vmctl_clear_detail();
	if (id >= VMCTL_MAX_VCPUS)
		return vmctl_fail(-EINVAL, "vCPU id %u above the limit of %d",
				  id, VMCTL_MAX_VCPUS - 1);
	if (vm->vcpus[id])
		return -EEXIST;
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	size = run_size(vm->sys);
	if (size < 0)
		return size;
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->run_size = size;
	vcpu->fd = ioctl(vm->fd, VMCTL_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0) {
		ret = vmctl_fail(-errno, "VMCTL_CREATE_VCPU %u", id);
		goto err_free;
	}
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		ret = vmctl_fail(-errno, "mmap of vCPU %u run page", id);
		goto err_close;
	}
	if (vm->boot.valid) {
		ret = vmctl_vcpu_apply_boot(vcpu);
		if (ret)
			goto err_unmap;
	}
	vm->vcpus[id] = vcpu;
	if (out)
		*out = vcpu;
	return 0;

err_unmap:
	munmap(vcpu->run, size);
err_close:
	close(vcpu->fd);
err_free:
	free(vcpu);
	return ret;
}

struct vmctl_vcpu *vmctl_vm_vcpu(struct vmctl_vm *vm, unsigned int id)
{
	return id < VMCTL_MAX_VCPUS ? vm->vcpus[id] : NULL;
}

static int vcpu_ioctl(struct vmctl_vcpu *vcpu, unsigned long req,
		      const void *arg)
{
	return ioctl(vcpu->fd, req, arg) < 0 ? -errno : 0;
}

int vmctl_vcpu_get_regs(struct vmctl_vcpu *vcpu, struct vmctl_regs *regs)
{
	return vcpu_ioctl(vcpu, VMCTL_GET_REGS, regs);
}

int vmctl_vcpu_set_regs(struct vmctl_vcpu *vcpu, const struct vmctl_regs *regs)
{
	return vcpu_ioctl(vcpu, VMCTL_SET_REGS, regs);
}

int vmctl_vcpu_get_sregs(struct vmctl_vcpu *vcpu, struct vmctl_sregs *sregs)
{
	return vcpu_ioctl(vcpu, VMCTL_GET_SREGS, sregs);
}

int vmctl_vcpu_set_sregs(struct vmctl_vcpu *vcpu,
			 const struct vmctl_sregs *sregs)
{
	return vcpu_ioctl(vcpu, VMCTL_SET_SREGS, sregs);
}

int vmctl_vcpu_set_cpuid(struct vmctl_vcpu *vcpu,
			 const struct vmctl_cpuid *cpuid)
{
	return vcpu_ioctl(vcpu, VMCTL_SET_CPUID, cpuid);
}

#define KVM_LEAF_FIRST	0x40000100
#define KVM_LEAF_LAST	0x400001ff

int vmctl_vcpu_hide_kvm(struct vmctl_vcpu *vcpu)
{
	struct vmctl_cpuid *c;
	unsigned int i, n = 0;
	int ret;

	c = calloc(1, sizeof(*c) +
		   VMCTL_MAX_CPUID_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = VMCTL_MAX_CPUID_ENTRIES;
	ret = vcpu_ioctl(vcpu, VMCTL_GET_CPUID, c);
	for (i = 0; !ret && i < c->nent; i++)
		if (c->entries[i].function < KVM_LEAF_FIRST ||
		    c->entries[i].function > KVM_LEAF_LAST)
			c->entries[n++] = c->entries[i];
	c->nent = n;
	if (!ret)
		ret = vcpu_ioctl(vcpu, VMCTL_SET_CPUID, c);
	free(c);
	return ret;
}

int vmctl_vcpu_stats(struct vmctl_vcpu *vcpu, struct vmctl_vcpu_stats *stats)
{
	return vcpu_ioctl(vcpu, VMCTL_GET_VCPU_STATS, stats);
}

/*
 * Start at the loaded image's entry.  The module's own sregs are the
 * base, so fields the loader does not own (APIC base, CR8) keep their
 * reset values.  A Linux guest starts its other CPUs itself (INIT/SIPI),
 * so only vCPU 0 is set up for it.
 */
int vmctl_vcpu_apply_boot(struct vmctl_vcpu *vcpu)
{
	const struct vmctl_boot_state *boot = &vcpu->vm->boot;
	struct vmctl_sregs sregs;
	struct vmctl_regs regs;
	int ret;

	if (boot->linux_boot && vcpu->id != 0)
		return 0;
	ret = vmctl_vcpu_get_sregs(vcpu, &sregs);
	if (ret)
		return vmctl_fail(ret, "VMCTL_GET_SREGS on vCPU %u", vcpu->id);
	if (boot->linux_boot) {
		vmctl_bzimage_cpu_state(boot->linux_long_mode, boot->linux_entry,
					&regs, &sregs);
	} else {
		vmctl_boot_cpu_state(&boot->plan, &boot->area, &regs, &sregs);
		regs.rdi = vcpu->id;
	}
	ret = vmctl_vcpu_set_sregs(vcpu, &sregs);
	if (ret)
		return vmctl_fail(ret, "VMCTL_SET_SREGS on vCPU %u", vcpu->id);
	ret = vmctl_vcpu_set_regs(vcpu, &regs);
	if (ret)
		return vmctl_fail(ret, "VMCTL_SET_REGS on vCPU %u", vcpu->id);
	return 0;
}
