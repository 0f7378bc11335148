// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object (bhyve's vmm.c, apart from its device: vm_ioctl.c): its
 * creation, its teardown and the global list of VMs, and the one-way hook
 * through which a watcher (netlink.c) hears of VM and vCPU events.
 *
 * Lifetime: the VM fd and every vCPU fd hold a reference; the last put
 * ends the irqfds, then frees vCPUs, doorbells, the irqchip, the MMU
 * notifier, the slots and EPT tables.
 */
#include <linux/idr.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>
#include "irqchip/irqchip.h"
#include "irqchip/irqfd.h"
#include "irqchip/pic_pit.h"
#include "stats.h"
#include "vm/doorbell.h"
#include "vm/memslot.h"
#include "vm/mmu.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vmx/ept.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

LIST_HEAD(vmctl_vm_list);
DEFINE_MUTEX(vmctl_vm_list_lock);
static DEFINE_IDA(vm_ida);

/*
 * What one user (the VM's creator, by euid) may hold: VMs alive, and
 * vCPUs in them, however they are kept alive (fds, run-area mappings).
 * Beyond either: EMFILE, as for inotify's max_user_instances.
 */
static unsigned int max_vms_per_user = 128;
module_param(max_vms_per_user, uint, 0644);
MODULE_PARM_DESC(max_vms_per_user, "VMs one user may hold (default: 128)");

static unsigned int max_vcpus_per_user = 1024;
module_param(max_vcpus_per_user, uint, 0644);
MODULE_PARM_DESC(max_vcpus_per_user, "vCPUs one user may hold (default: 1024)");

/* VMs and vCPUs @uid holds.  vmctl_vm_list_lock held. */
static void user_usage(kuid_t uid, u32 *vms, u32 *vcpus)
{
	struct vmk_vm *vm;

	*vms = 0;
	*vcpus = 0;
	list_for_each_entry(vm, &vmctl_vm_list, node) {
		if (uid_eq(vm->owner_uid, uid)) {
			(*vms)++;
			*vcpus += vm->vcpus_charged;
		}
	}
}

/* Count a vCPU of @vm against its owner's limit before creating it. */
int vmctl_charge_vcpu(struct vmk_vm *vm)
{
	u32 vms, vcpus;
	int ret = 0;

	mutex_lock(&vmctl_vm_list_lock);
	user_usage(vm->owner_uid, &vms, &vcpus);
	if (vcpus >= READ_ONCE(max_vcpus_per_user))
		ret = -EMFILE;
	else
		vm->vcpus_charged++;
	mutex_unlock(&vmctl_vm_list_lock);
	return ret;
}

/* A charged vCPU that was not created after all. */
void vmctl_uncharge_vcpu(struct vmk_vm *vm)
{
	mutex_lock(&vmctl_vm_list_lock);
	vm->vcpus_charged--;
	mutex_unlock(&vmctl_vm_list_lock);
}

/* The watcher, set while netlink.c is registered (module init to exit). */
static const struct vmk_vm_watcher *vm_watcher;

void vmk_vm_set_watcher(const struct vmk_vm_watcher *w)
{
	WRITE_ONCE(vm_watcher, w);
}

/* Tell the watcher; process context (it may sleep). */
void vmk_vm_notify(struct vmk_vm *vm, const struct vmk_vcpu *vcpu,
		   enum vmctl_vm_event ev, u32 hw_reason)
{
	const struct vmk_vm_watcher *w = READ_ONCE(vm_watcher);

	if (w)
		w->event(vm, vcpu, ev, hw_reason);
}

static void vmk_vm_destroy(struct kref *ref)
{
	struct vmk_vm *vm = container_of(ref, struct vmk_vm, ref);
	struct vmctl_slot *s;
	int i;

	mutex_lock(&vmctl_vm_list_lock);
	list_del(&vm->node);
	mutex_unlock(&vmctl_vm_list_lock);

	/* No interrupt comes in from an irqfd after this. */
	vmk_irqfds_release(vm);
	vmctl_pic_pit_stop(vm);
	for (i = 0; i < VMCTL_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vmk_vcpu_free(vm->vcpus[i]);
	vmk_doorbells_free(vm);
	vmctl_irqchip_free(vm);
	vmk_mmu_destroy(vm);	/* after it, no notifier touches the EPT */
	/* No VMCS uses this EPTP any more; forget its translations. */
	vmx_invept_all_cpus(vm->ept.eptp);
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		s = rcu_dereference_protected(vm->slots[i], 1);
		if (s)
			vmctl_slot_free(s);
	}
	vmctl_ept_destroy(&vm->ept);
	vmk_vm_notify(vm, NULL, VMCTL_VM_DESTROYED, 0);
	mmdrop(vm->mm);
	ida_free(&vm_ida, vm->id);
	mutex_destroy(&vm->doorbell_lock);
	mutex_destroy(&vm->lock);
	vmctl_free(vm, sizeof(*vm));
	vmctl_acct_add(ACCT_VMS, -1);
}

void vmk_vm_put(struct vmk_vm *vm)
{
	kref_put(&vm->ref, vmk_vm_destroy);
}

/* A new VM on the list, with one reference: the caller's. */
struct vmk_vm *vmk_vm_create(const struct vmctl_vm_config *cfg)
{
	struct vmk_vm *vm;
	u32 vms, vcpus;
	int ret, id;

	vm = vmctl_zalloc(sizeof(*vm));
	if (!vm)
		return ERR_PTR(-ENOMEM);
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	mutex_init(&vm->doorbell_lock);
	vmk_irqfds_init(&vm->irqfds);
	vmctl_acct_add(ACCT_VMS, 1);
	id = ida_alloc(&vm_ida, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		goto free_vm;
	}
	vm->id = id;
	if (cfg->name[0])
		strscpy(vm->name, cfg->name, sizeof(vm->name));
	else
		snprintf(vm->name, sizeof(vm->name), "vm%u", vm->id);
	vm->owner = task_tgid_nr(current);
	vm->mm = current->mm;
	mmgrab(vm->mm);
	vm->tsc_origin = rdtsc();
	vm->created = ktime_get_real_seconds();
	vm->owner_uid = current_euid();
	ret = vmctl_ept_init(&vm->ept);
	if (ret)
		goto free_id;
	ret = vmk_mmu_init(vm);
	if (ret)
		goto free_ept;
	/* Counted and listed under one lock: no two creations race past. */
	mutex_lock(&vmctl_vm_list_lock);
	user_usage(vm->owner_uid, &vms, &vcpus);
	if (vms >= READ_ONCE(max_vms_per_user)) {
		mutex_unlock(&vmctl_vm_list_lock);
		ret = -EMFILE;
		goto free_mmu;
	}
	list_add_tail(&vm->node, &vmctl_vm_list);
	mutex_unlock(&vmctl_vm_list_lock);
	vmk_vm_notify(vm, NULL, VMCTL_VM_CREATED, 0);
	return vm;

free_mmu:
	vmk_mmu_destroy(vm);
free_ept:
	vmctl_ept_destroy(&vm->ept);
free_id:
	mmdrop(vm->mm);
	ida_free(&vm_ida, vm->id);
free_vm:
	mutex_destroy(&vm->irqfds.assign);
	mutex_destroy(&vm->doorbell_lock);
	mutex_destroy(&vm->lock);
	vmctl_free(vm, sizeof(*vm));
	vmctl_acct_add(ACCT_VMS, -1);
	return ERR_PTR(ret);
}
