// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM handles: create one, ask its id, register I/O ranges, tear
 * everything down (its devices first, through device.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int vmctl_vm_create(struct vmctl *sys, const char *name, struct vmctl_vm **out)
{
	struct vmctl_vm_config cfg = { 0 };
	pthread_condattr_t attr;
	struct vmctl_vm *vm;
	int ret;

	vmctl_clear_detail();
	if (sys->api_version != VMCTL_API_VERSION)
		return vmctl_fail(-VMCTL_E_API_VERSION,
				  "module API version %d, library API version %d",
				  sys->api_version, VMCTL_API_VERSION);
	if (name && strlen(name) >= sizeof(cfg.name))
		return vmctl_fail(-ENAMETOOLONG,
				  "VM name \"%s\" is longer than %d characters",
				  name, VMCTL_NAME_LEN - 1);
	if (name)
		strcpy(cfg.name, name);

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->sys = sys;
	vm->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->done_fd < 0) {
		ret = -errno;
		free(vm);
		return ret;
	}
	vm->fd = ioctl(sys->fd, VMCTL_CREATE_VM, &cfg);
	if (vm->fd < 0) {
		ret = -errno;
		close(vm->done_fd);
		free(vm);
		return vmctl_fail(ret, "VMCTL_CREATE_VM");
	}
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->pause_lock, NULL);
	/* Timed waits (throttle.c) on the clock that does not jump. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &attr);
	pthread_condattr_destroy(&attr);
	*out = vm;
	return 0;
}

int vmctl_vm_id(struct vmctl_vm *vm, unsigned int *id, char *name,
		size_t name_len)
{
	struct vmctl_vm_info info = { 0 };

	if (ioctl(vm->fd, VMCTL_GET_VM_INFO, &info) < 0)
		return -errno;
	if (id)
		*id = info.id;
	if (name && name_len) {
		info.name[sizeof(info.name) - 1] = '\0';
		strncpy(name, info.name, name_len - 1);
		name[name_len - 1] = '\0';
	}
	return 0;
}

void vmctl_vm_destroy(struct vmctl_vm *vm)
{
	unsigned int i;

	if (!vm)
		return;
	if (vm->running) {
		vmctl_vm_stop(vm);
		vmctl_vm_wait(vm, NULL);
	}
	vmctl_devices_destroy(&vm->devices);
	for (i = 0; i < VMCTL_MAX_VCPUS; i++) {
		struct vmctl_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		munmap(vcpu->run, vcpu->run_size);
		close(vcpu->fd);
		free(vcpu);
	}
	/* The module forgets guest RAM when the VM fd closes. */
	close(vm->fd);
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++)
		if (vm->mem[i].used) {
			munmap(vm->mem[i].hva, vm->mem[i].size);
			free(vm->mem[i].user_dirty);
		}
	vmctl_io_table_free(&vm->pio);
	vmctl_io_table_free(&vm->mmio);
	close(vm->done_fd);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	pthread_mutex_destroy(&vm->pause_lock);
	free(vm);
}

int vmctl_vm_register_pio(struct vmctl_vm *vm, uint16_t base, uint32_t len,
			  const struct vmctl_io_ops *ops, void *opaque)
{
	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	if (base + (uint64_t)len > 0x10000)
		return vmctl_fail(-EINVAL, "ports [0x%x, 0x%llx) beyond 0xffff",
				  base, (unsigned long long)base + len);
	return vmctl_io_table_add(&vm->pio, base, len, ops, opaque);
}

int vmctl_vm_register_mmio(struct vmctl_vm *vm, uint64_t base, uint64_t len,
			   const struct vmctl_io_ops *ops, void *opaque)
{
	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	return vmctl_io_table_add(&vm->mmio, base, len, ops, opaque);
}
