/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmu.c: guest RAM as the owner's ordinary memory: EPT entries made on
 * EPT violations from the owner's page tables, zapped by an MMU notifier
 * when the owner's mapping changes (KVM's model).
 */
#ifndef VMCTL_VM_MMU_H
#define VMCTL_VM_MMU_H

#include <linux/types.h>

struct vmk_vcpu;
struct vmctl_mem_stats;
struct vmctl_slot;
struct vmk_vm;

int vmk_mmu_init(struct vmk_vm *vm);
void vmk_mmu_destroy(struct vmk_vm *vm);
void vmk_mmu_stats(struct vmk_vm *vm, struct vmctl_mem_stats *st);
int vmk_mmu_fault(struct vmk_vcpu *vcpu, u64 gpa, bool write);
int vmk_mmu_prefault(struct vmk_vm *vm, struct vmctl_slot *s);
void vmk_mmu_invalidate_gpa(struct vmk_vm *vm, u64 start, u64 end);
void vmk_mmu_clear_dirty(struct vmk_vm *vm, struct vmctl_slot *s,
			 unsigned long word, const unsigned long *mask,
			 unsigned int nr);

#endif /* VMCTL_VM_MMU_H */
