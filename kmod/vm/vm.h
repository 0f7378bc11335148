/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm.c: the VM object, the global list of VMs, and the one-way hook
 * through which a watcher (netlink.c) hears of VM and vCPU events.
 *
 * The kernel's objects are struct vmk_vm and struct vmk_vcpu (vmk: vmctl
 * kernel), named apart from libvmctl's struct vmctl_vm and struct
 * vmctl_vcpu, which are the library's handles on them.
 */
#ifndef VMCTL_VM_VM_H
#define VMCTL_VM_VM_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/vmctl.h>
#include "irqchip/irqfd.h"
#include "vmx/ept.h"

struct vmctl_slot;
struct vmk_vcpu;
struct vmctl_irqchip;
struct vmk_doorbells;

struct vmk_vm {
	struct kref ref;	/* VM fd + one per vCPU fd */
	struct list_head node;	/* vmctl_vm_list */
	u32 id;
	char name[VMCTL_NAME_LEN];
	pid_t owner;		/* tgid of the creator */
	/*
	 * The creator's address space (held by mmgrab()): slot addresses
	 * are its addresses, and only its threads run vCPUs and reach
	 * guest memory (guest_mem.c).
	 */
	struct mm_struct *mm;
	time64_t created;	/* CLOCK_REALTIME seconds */
	kuid_t owner_uid;	/* creator's euid: who sees it over netlink */
	atomic_t vcpus_in_run;	/* run.c: vCPUs inside VMCTL_RUN ... */
	unsigned long last_run;	/* ... and jiffies when one last left it */
	struct mutex lock;	/* slots, vcpus[] */
	struct vmctl_slot __rcu *slots[VMCTL_MAX_MEM_SLOTS];
	u32 nr_slots;
	u32 nr_logging;		/* slots logging dirty pages (READ_ONCE) */
	u64 mem_bytes;
	/* Guest RAM in EPT, kept coherent with vm->mm (mmu.c). */
	struct vmctl_ept ept;
	spinlock_t mmu_lock;	/* EPT entries and the fields below */
	unsigned long mmu_seq;	/* invalidations ended */
	long mmu_in_progress;	/* invalidations begun, not ended ... */
	unsigned long mmu_inv_start, mmu_inv_end;	/* ... their user range */
	unsigned long mmu_zaps;	/* notifier calls that zapped entries */
	struct mmu_notifier mmu_notifier;
	struct vmk_vcpu *vcpus[VMCTL_MAX_VCPUS];	/* smp_load_acquire */
	u32 nr_vcpus;
	u32 vcpus_charged;	/* against the owner's limit; list lock */
	struct vmctl_irqchip *irqchip;	/* set once, before any vCPU */
	struct vmk_irqfds irqfds;	/* irqfd.c */
	struct vmk_doorbells __rcu *doorbells;	/* doorbell.c */
	struct mutex doorbell_lock;	/* changes to doorbells */
	u64 tsc_origin;		/* host TSC when the guest's TSC read 0 */
	u64 wall_clock_msr;	/* MSR_KVM_WALL_CLOCK_NEW, kvmclock.c */
};

/* Every live VM, for `vmctl ps` / netlink; walk under vmctl_vm_list_lock. */
extern struct list_head vmctl_vm_list;
extern struct mutex vmctl_vm_list_lock;

struct vmk_vm *vmk_vm_create(const struct vmctl_vm_config *cfg);
void vmk_vm_put(struct vmk_vm *vm);
int vmctl_charge_vcpu(struct vmk_vm *vm);
void vmctl_uncharge_vcpu(struct vmk_vm *vm);

/* What the VM's watcher hears of. */
enum vmctl_vm_event {
	VMCTL_VM_CREATED = 1,
	VMCTL_VM_DESTROYED,
	VMCTL_VCPU_SHUTDOWN,	/* RUN ended in a triple fault */
	VMCTL_VCPU_FAIL_ENTRY,	/* RUN ended in a failed entry (@hw_reason) */
};

struct vmk_vm_watcher {
	void (*event)(struct vmk_vm *vm, const struct vmk_vcpu *vcpu,
		      enum vmctl_vm_event ev, u32 hw_reason);
};

void vmk_vm_set_watcher(const struct vmk_vm_watcher *w);
void vmk_vm_notify(struct vmk_vm *vm, const struct vmk_vcpu *vcpu,
		   enum vmctl_vm_event ev, u32 hw_reason);

#endif /* VMCTL_VM_VM_H */
