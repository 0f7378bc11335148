/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM and vCPU objects over the raw ioctls: /dev/vmctl, a VM with guest RAM
 * in slot 0 (anonymous memory, GUEST_MEM_SIZE bytes at guest-physical 0),
 * vCPUs with their run structure mapped.  Every function here either
 * succeeds or dies (die.h): tests check the ABI's error paths with raw
 * ioctls instead.
 */
#ifndef SELFTEST_VM_H
#define SELFTEST_VM_H

#include <stddef.h>
#include <linux/vmctl.h>

#include "guest.h"

struct vm {
	int sys_fd;		/* /dev/vmctl */
	int fd;
	void *mem;		/* backs slot 0 */
	size_t mem_size;
	size_t run_size;
};

struct vcpu {
	struct vm *vm;
	int fd;
	unsigned int id;
	struct vmctl_run *run;
};

int vmctl_open(void);

/* A VM named @name ("" for the default name) with slot 0 of guest RAM. */
struct vm *vm_create(const char *name);
/* Close the VM fd and free the guest RAM; vCPUs must be gone already. */
void vm_destroy(struct vm *vm);
/*
 * Slot 0 again with VMCTL_MEM_PREFAULT: all of it mapped in EPT now, so
 * that the guest's own accesses to RAM cause no EPT violations (tests
 * that count the MMIO ones).
 */
void vm_prefault_ram(struct vm *vm);
void *gpa_to_hva(struct vm *vm, unsigned long gpa);

struct vcpu *vcpu_add(struct vm *vm, unsigned int id);
void vcpu_destroy(struct vcpu *vcpu);

/*
 * The common case: a new VM with vCPU 0 in @code's mode, the code loaded
 * at CODE_GPA and RIP on its first instruction.  guest_destroy() undoes it.
 */
struct vcpu *vcpu_create_guest(const struct guest_code *code);
void guest_destroy(struct vcpu *vcpu);

/* Put @code at CODE_GPA and vcpu's RIP there, in @code's mode. */
void vcpu_load_guest(struct vcpu *vcpu, const struct guest_code *code);

/* VMCTL_RUN: returns the ioctl's result, errno as set by it. */
int vcpu_run(struct vcpu *vcpu);

void vcpu_get_regs(struct vcpu *vcpu, struct vmctl_regs *regs);
void vcpu_set_regs(struct vcpu *vcpu, const struct vmctl_regs *regs);
void vcpu_get_sregs(struct vcpu *vcpu, struct vmctl_sregs *sregs);
void vcpu_set_sregs(struct vcpu *vcpu, const struct vmctl_sregs *sregs);
void vcpu_set_rip(struct vcpu *vcpu, unsigned long rip);

/* One line describing the last exit, for failure messages. */
const char *exit_str(const struct vmctl_run *run, char *buf, size_t len);

#endif /* SELFTEST_VM_H */
