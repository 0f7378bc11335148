// SPDX-License-Identifier: GPL-2.0
/*
 * The vmctl.ko backend: /dev/vmctl with raw ioctls (no libvmctl), so both
 * backends put the same amount of userspace between the guest and the
 * kernel.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vmctl.h>
#include "bench.h"
#include "layout.h"

struct bench_vm {
	int vm_fd, vcpu_fd;
	int doorbell_fd;		/* eventfd, -1: none */
	struct vmctl_run *run;
	size_t run_size;
};

static int vmctl_fd = -1;

static bool vmctl_open(void)
{
	vmctl_fd = open("/dev/" VMCTL_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (vmctl_fd < 0)
		return false;
	if (ioctl(vmctl_fd, VMCTL_GET_API_VERSION, 0) != VMCTL_API_VERSION)
		die("unexpected vmctl API version");
	return true;
}

static void vmctl_add_slot_flags(int vm_fd, __u32 slot, __u64 gpa,
				 __u64 size, void *mem, __u32 flags)
{
	struct vmctl_mem_slot s = {
		.slot = slot,
		.flags = flags,
		.guest_phys = gpa,
		.size = size,
		.user_addr = (unsigned long)mem,
	};

	if (ioctl(vm_fd, VMCTL_SET_MEM_SLOT, &s))
		die("VMCTL_SET_MEM_SLOT");
}

static void vmctl_add_slot(struct bench_vm *vm, uint32_t slot, uint64_t gpa,
			   uint64_t size, void *mem)
{
	vmctl_add_slot_flags(vm->vm_fd, slot, gpa, size, mem, 0);
}

static struct bench_vm *vmctl_create(void *low_ram, void *high_ram,
				     unsigned int flags)
{
	__u32 slot_flags = flags & BENCH_VM_PREFAULT ? VMCTL_MEM_PREFAULT : 0;
	struct bench_vm *vm = calloc(1, sizeof(*vm));
	struct vmctl_vm_config config = { .name = "bench" };
	bool irqchip = flags & BENCH_VM_IRQCHIP;
	struct vmctl_sregs sregs;
	int size;

	if (!vm)
		die("calloc");
	vm->doorbell_fd = -1;
	vm->vm_fd = ioctl(vmctl_fd, VMCTL_CREATE_VM, &config);
	if (vm->vm_fd < 0)
		die("VMCTL_CREATE_VM");
	if (irqchip && ioctl(vm->vm_fd, VMCTL_CREATE_IRQCHIP, 0)) {
		close(vm->vm_fd);
		free(vm);
		return NULL;
	}
	vmctl_add_slot_flags(vm->vm_fd, 0, 0, LOW_RAM_SIZE, low_ram,
			     slot_flags);
	vmctl_add_slot_flags(vm->vm_fd, 1, HIGH_RAM_GPA, HIGH_RAM_SIZE,
			     high_ram, slot_flags);
	vm->vcpu_fd = ioctl(vm->vm_fd, VMCTL_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		die("VMCTL_CREATE_VCPU");
	size = ioctl(vmctl_fd, VMCTL_GET_RUN_SIZE, 0);
	if (size <= 0)
		die("VMCTL_GET_RUN_SIZE");
	vm->run_size = size;
	vm->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		die("mmap vmctl_run");
	/* The reset state is real mode at F000:FFF0: move CS to 0. */
	if (ioctl(vm->vcpu_fd, VMCTL_GET_SREGS, &sregs))
		die("VMCTL_GET_SREGS");
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (irqchip)
		sregs.gs.base = APIC_GPA;
	if (ioctl(vm->vcpu_fd, VMCTL_SET_SREGS, &sregs))
		die("VMCTL_SET_SREGS");
	return vm;
}

static void vmctl_big_gs(struct bench_vm *vm, uint64_t base)
{
	struct vmctl_sregs sregs;

	if (ioctl(vm->vcpu_fd, VMCTL_GET_SREGS, &sregs))
		die("VMCTL_GET_SREGS");
	sregs.gs.base = base;
	sregs.gs.limit = 0xffffffff;
	sregs.gs.g = 1;
	if (ioctl(vm->vcpu_fd, VMCTL_SET_SREGS, &sregs))
		die("VMCTL_SET_SREGS");
}

static void vmctl_enter_at(struct bench_vm *vm, uint64_t rip, uint64_t rbp)
{
	struct vmctl_regs regs = { .rip = rip, .rbp = rbp, .rflags = 2 };

	if (ioctl(vm->vcpu_fd, VMCTL_SET_REGS, &regs))
		die("VMCTL_SET_REGS");
}

static bool vmctl_add_doorbell(struct bench_vm *vm, uint16_t port)
{
	struct vmctl_doorbell d = {
		.addr = port, .len = 1, .flags = VMCTL_DOORBELL_PIO,
	};

	vm->doorbell_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->doorbell_fd < 0)
		die("eventfd");
	d.fd = vm->doorbell_fd;
	return ioctl(vm->vm_fd, VMCTL_DOORBELL, &d) == 0;
}

/* In the vCPU's CPUID (KVM_FEATURE_PV_EOI, KVM_FEATURE_PV_SEND_IPI). */
static bool vmctl_has_pv_ipi(struct bench_vm *vm)
{
	const uint32_t want = 1U << 6 | 1U << 11;
	struct {
		struct vmctl_cpuid hdr;
		struct vmctl_cpuid_entry e[VMCTL_MAX_CPUID_ENTRIES];
	} c = { .hdr.nent = VMCTL_MAX_CPUID_ENTRIES };
	uint32_t i;

	if (ioctl(vm->vcpu_fd, VMCTL_GET_CPUID, &c))
		die("VMCTL_GET_CPUID");
	for (i = 0; i < c.hdr.nent; i++)
		if (c.e[i].function == 0x40000101)
			return (c.e[i].eax & want) == want;
	return false;
}

static void vmctl_run(struct bench_vm *vm, struct bench_exit *exit)
{
	struct vmctl_run *run = vm->run;

	if (ioctl(vm->vcpu_fd, VMCTL_RUN, 0))
		die("VMCTL_RUN");
	exit->raw_reason = run->exit_reason;
	exit->kind = BENCH_EXIT_OTHER;
	if (run->exit_reason == VMCTL_EXIT_IO &&
	    run->io.direction == VMCTL_IO_OUT) {
		exit->kind = BENCH_EXIT_IO_OUT;
		exit->port = run->io.port;
	} else if (run->exit_reason == VMCTL_EXIT_MMIO && !run->mmio.is_write) {
		exit->kind = BENCH_EXIT_MMIO_READ;
		exit->addr = run->mmio.phys_addr;
		exit->data = run->mmio.data;
		exit->len = run->mmio.len;
	}
}

static void vmctl_destroy(struct bench_vm *vm)
{
	munmap(vm->run, vm->run_size);
	if (vm->doorbell_fd >= 0)
		close(vm->doorbell_fd);
	close(vm->vcpu_fd);
	close(vm->vm_fd);
	free(vm);
}

static int64_t vmctl_module_kernel_bytes(void)
{
	struct vmctl_module_stats st = { 0 };

	if (ioctl(vmctl_fd, VMCTL_GET_MODULE_STATS, &st))
		die("VMCTL_GET_MODULE_STATS");
	return st.kernel_bytes;
}

const struct bench_backend bench_vmctl = {
	.name = "vmctl",
	.in_kernel_hypercall = VMCTL_HC_GET_VERSION,
	.open = vmctl_open,
	.create = vmctl_create,
	.add_slot = vmctl_add_slot,
	.big_gs = vmctl_big_gs,
	.enter_at = vmctl_enter_at,
	.add_doorbell = vmctl_add_doorbell,
	.has_pv_ipi = vmctl_has_pv_ipi,
	.run = vmctl_run,
	.destroy = vmctl_destroy,
	.module_kernel_bytes = vmctl_module_kernel_bytes,
};
