// SPDX-License-Identifier: GPL-2.0
/*
 * The kvm-intel backend: /dev/kvm with the plain KVM API and no CPUID
 * table; the in-kernel irqchip only for the timer case.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "bench.h"
#include "layout.h"

struct bench_vm {
	int vm_fd, vcpu_fd;
	int doorbell_fd;		/* eventfd, -1: none */
	struct kvm_run *run;
	size_t run_size;
};

static int kvm_fd = -1;

static bool kvm_open(void)
{
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return false;
	if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("unexpected KVM API version");
	return true;
}

static void kvm_add_slot_fd(int vm_fd, __u32 slot, __u64 gpa, __u64 size,
			    void *mem)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (unsigned long)mem,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
		die("KVM_SET_USER_MEMORY_REGION");
}

static void kvm_add_slot(struct bench_vm *vm, uint32_t slot, uint64_t gpa,
			 uint64_t size, void *mem)
{
	kvm_add_slot_fd(vm->vm_fd, slot, gpa, size, mem);
}

/*
 * BENCH_VM_PREFAULT: QEMU's -mem-prealloc only populates the host's
 * memory; KVM still maps it for the guest on demand.
 */
static struct bench_vm *kvm_create(void *low_ram, void *high_ram,
				   unsigned int flags)
{
	bool irqchip = flags & BENCH_VM_IRQCHIP;
	struct bench_vm *vm;
	struct kvm_sregs sregs;
	int size;

	if (flags & BENCH_VM_PREFAULT) {
		errno = EOPNOTSUPP;
		return NULL;
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		die("calloc");
	vm->doorbell_fd = -1;
	vm->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		die("KVM_CREATE_VM");
	if (irqchip && ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0)) {
		close(vm->vm_fd);
		free(vm);
		return NULL;
	}
	kvm_add_slot_fd(vm->vm_fd, 0, 0, LOW_RAM_SIZE, low_ram);
	kvm_add_slot_fd(vm->vm_fd, 1, HIGH_RAM_GPA, HIGH_RAM_SIZE, high_ram);
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = size;
	vm->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");
	/* The reset state is real mode at F000:FFF0: move CS to 0. */
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (irqchip)
		sregs.gs.base = APIC_GPA;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	return vm;
}

static void kvm_big_gs(struct bench_vm *vm, uint64_t base)
{
	struct kvm_sregs sregs;

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.gs.base = base;
	sregs.gs.limit = 0xffffffff;
	sregs.gs.g = 1;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
}

static void kvm_enter_at(struct bench_vm *vm, uint64_t rip, uint64_t rbp)
{
	struct kvm_regs regs = { .rip = rip, .rbp = rbp, .rflags = 2 };

	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
}

static bool kvm_add_doorbell(struct bench_vm *vm, uint16_t port)
{
	struct kvm_ioeventfd e = {
		.addr = port, .len = 1, .flags = KVM_IOEVENTFD_FLAG_PIO,
	};

	vm->doorbell_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->doorbell_fd < 0)
		die("eventfd");
	e.fd = vm->doorbell_fd;
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &e) == 0;
}

/* Both since Linux 4.19, and not tied to the (absent) CPUID table. */
static bool kvm_has_pv_ipi(struct bench_vm *vm)
{
	(void)vm;
	return true;
}

static void kvm_run(struct bench_vm *vm, struct bench_exit *exit)
{
	struct kvm_run *run = vm->run;

	if (ioctl(vm->vcpu_fd, KVM_RUN, 0))
		die("KVM_RUN");
	exit->raw_reason = run->exit_reason;
	exit->kind = BENCH_EXIT_OTHER;
	if (run->exit_reason == KVM_EXIT_IO &&
	    run->io.direction == KVM_EXIT_IO_OUT) {
		exit->kind = BENCH_EXIT_IO_OUT;
		exit->port = run->io.port;
	} else if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write) {
		exit->kind = BENCH_EXIT_MMIO_READ;
		exit->addr = run->mmio.phys_addr;
		exit->data = run->mmio.data;
		exit->len = run->mmio.len;
	}
}

static void kvm_destroy(struct bench_vm *vm)
{
	munmap(vm->run, vm->run_size);
	if (vm->doorbell_fd >= 0)
		close(vm->doorbell_fd);
	close(vm->vcpu_fd);
	close(vm->vm_fd);
	free(vm);
}

static int64_t kvm_module_kernel_bytes(void)
{
	return -1;
}

const struct bench_backend bench_kvm = {
	.name = "kvm",
	/* Not a KVM_HC_*: KVM answers -KVM_ENOSYS in the kernel. */
	.in_kernel_hypercall = 0xbe7c,
	.open = kvm_open,
	.create = kvm_create,
	.add_slot = kvm_add_slot,
	.big_gs = kvm_big_gs,
	.enter_at = kvm_enter_at,
	.add_doorbell = kvm_add_doorbell,
	.has_pv_ipi = kvm_has_pv_ipi,
	.run = kvm_run,
	.destroy = kvm_destroy,
	.module_kernel_bytes = kvm_module_kernel_bytes,
};
