/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_mem.c: guest-physical memory access for the emulator, string I/O
 * and PDPTE loads, through the owner's mapping of the slots (context: the
 * vCPU, loaded or with its VMCS current, in the owner's address space).
 */
#ifndef VMCTL_VM_GUEST_MEM_H
#define VMCTL_VM_GUEST_MEM_H

#include "model/emulate.h"

extern const struct vmctl_emu_ops vmctl_guest_mem_ops;

struct vmk_vcpu;

int vmctl_guest_write_atomic(struct vmk_vcpu *vcpu, u64 gpa, const void *buf,
			     unsigned int len);

#endif /* VMCTL_VM_GUEST_MEM_H */
