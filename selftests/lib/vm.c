// SPDX-License-Identifier: GPL-2.0
/* VM and vCPU objects; see vm.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "die.h"
#include "modes.h"
#include "vm.h"

int vmctl_open(void)
{
	int fd = open("/dev/" VMCTL_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	die_unless(fd >= 0, "open /dev/" VMCTL_DEVICE_NAME);
	return fd;
}

/* Slot 0: vm->mem at guest-physical 0. */
static void set_ram_slot(struct vm *vm, unsigned int flags)
{
	struct vmctl_mem_slot slot = {
		.slot = 0,
		.flags = flags,
		.guest_phys = 0,
		.size = vm->mem_size,
		.user_addr = (unsigned long)vm->mem,
	};

	die_unless(ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &slot) == 0,
		   "VMCTL_SET_MEM_SLOT");
}

struct vm *vm_create(const char *name)
{
	struct vmctl_vm_config cfg = { 0 };
	struct vm *vm = calloc(1, sizeof(*vm));
	int ret;

	die_unless(vm, "calloc");
	vm->sys_fd = vmctl_open();
	ret = ioctl(vm->sys_fd, VMCTL_GET_RUN_SIZE, 0);
	die_unless(ret > 0, "VMCTL_GET_RUN_SIZE");
	vm->run_size = ret;

	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	vm->fd = ioctl(vm->sys_fd, VMCTL_CREATE_VM, &cfg);
	die_unless(vm->fd >= 0, "VMCTL_CREATE_VM");

	vm->mem_size = GUEST_MEM_SIZE;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	die_unless(vm->mem != MAP_FAILED, "mmap guest memory");

	set_ram_slot(vm, 0);
	vm_init_tables(vm);
	return vm;
}

void vm_prefault_ram(struct vm *vm)
{
	die_unless(ioctl(vm->fd, VMCTL_DELETE_MEM_SLOT, 0) == 0,
		   "VMCTL_DELETE_MEM_SLOT");
	set_ram_slot(vm, VMCTL_MEM_PREFAULT);
}

void vm_destroy(struct vm *vm)
{
	close(vm->fd);
	munmap(vm->mem, vm->mem_size);
	close(vm->sys_fd);
	free(vm);
}

void *gpa_to_hva(struct vm *vm, unsigned long gpa)
{
	if (gpa >= vm->mem_size)
		die("gpa %#lx outside guest RAM", gpa);
	return (char *)vm->mem + gpa;
}

struct vcpu *vcpu_add(struct vm *vm, unsigned int id)
{
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));
	void *run;

	die_unless(vcpu, "calloc");
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, VMCTL_CREATE_VCPU, id);
	die_unless(vcpu->fd >= 0, "VMCTL_CREATE_VCPU");
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	die_unless(run != MAP_FAILED, "mmap vCPU run structure");
	vcpu->run = run;
	return vcpu;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->vm->run_size);
	close(vcpu->fd);
	free(vcpu);
}

void vcpu_load_guest(struct vcpu *vcpu, const struct guest_code *code)
{
	size_t size = code->end - code->start;

	if (size > CODE_MAX)
		die("guest code %s too large: %zu bytes", code->name, size);
	memcpy(gpa_to_hva(vcpu->vm, CODE_GPA), code->start, size);
	vcpu_set_mode(vcpu, code->mode);
}

struct vcpu *vcpu_create_guest(const struct guest_code *code)
{
	struct vcpu *vcpu = vcpu_add(vm_create(""), 0);

	vcpu_load_guest(vcpu, code);
	return vcpu;
}

void guest_destroy(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	vcpu_destroy(vcpu);
	vm_destroy(vm);
}

int vcpu_run(struct vcpu *vcpu)
{
	return ioctl(vcpu->fd, VMCTL_RUN, 0);
}

void vcpu_get_regs(struct vcpu *vcpu, struct vmctl_regs *regs)
{
	die_unless(ioctl(vcpu->fd, VMCTL_GET_REGS, regs) == 0,
		   "VMCTL_GET_REGS");
}

void vcpu_set_regs(struct vcpu *vcpu, const struct vmctl_regs *regs)
{
	die_unless(ioctl(vcpu->fd, VMCTL_SET_REGS, regs) == 0,
		   "VMCTL_SET_REGS");
}

void vcpu_get_sregs(struct vcpu *vcpu, struct vmctl_sregs *sregs)
{
	die_unless(ioctl(vcpu->fd, VMCTL_GET_SREGS, sregs) == 0,
		   "VMCTL_GET_SREGS");
}

void vcpu_set_sregs(struct vcpu *vcpu, const struct vmctl_sregs *sregs)
{
	die_unless(ioctl(vcpu->fd, VMCTL_SET_SREGS, sregs) == 0,
		   "VMCTL_SET_SREGS");
}

void vcpu_set_rip(struct vcpu *vcpu, unsigned long rip)
{
	struct vmctl_regs regs;

	vcpu_get_regs(vcpu, &regs);
	regs.rip = rip;
	vcpu_set_regs(vcpu, &regs);
}

const char *exit_str(const struct vmctl_run *run, char *buf, size_t len)
{
	switch (run->exit_reason) {
	case VMCTL_EXIT_IO:
		snprintf(buf, len, "IO %s port %#x size %u count %u",
			 run->io.direction == VMCTL_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count);
		break;
	case VMCTL_EXIT_MMIO:
		snprintf(buf, len, "MMIO %s gpa %#llx len %u",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case VMCTL_EXIT_HYPERCALL:
		snprintf(buf, len, "HYPERCALL nr %#llx",
			 (unsigned long long)run->hypercall.nr);
		break;
	case VMCTL_EXIT_FAIL_ENTRY:
		snprintf(buf, len, "FAIL_ENTRY reason %#llx qual %#llx",
			 (unsigned long long)run->fail_entry.hardware_reason,
			 (unsigned long long)run->fail_entry.qualification);
		break;
	case VMCTL_EXIT_INTERNAL_ERROR:
		snprintf(buf, len, "INTERNAL_ERROR suberror %u data0 %#llx",
			 run->internal.suberror,
			 (unsigned long long)run->internal.data[0]);
		break;
	default:
		snprintf(buf, len, "exit reason %u", run->exit_reason);
	}
	snprintf(buf + strlen(buf), len - strlen(buf), " at rip %#llx",
		 (unsigned long long)run->rip);
	return buf;
}
