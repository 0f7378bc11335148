// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object: its fd, memory slots and the global list of VMs.
 *
 * Lifetime: the VM fd and every vCPU fd hold a reference; the last put
 * frees vCPUs, EPT tables and pinned memory.  Slots are published with
 * RCU so the run loop (which cannot sleep) can look them up while a slot
 * is deleted: deletion unmaps EPT, INVEPTs everywhere, waits for readers,
 * then unpins.
 */
#include <linux/module.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/msr.h>
#include "vmctl_priv.h"
#include "netlink.h"

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
	struct vmctl_vm *vm;

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
int vmctl_charge_vcpu(struct vmctl_vm *vm)
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
void vmctl_uncharge_vcpu(struct vmctl_vm *vm)
{
	mutex_lock(&vmctl_vm_list_lock);
	vm->vcpus_charged--;
	mutex_unlock(&vmctl_vm_list_lock);
}

/* Guest-physical addresses EPT 4-level paging can reach. */
#define VMCTL_GPA_LIMIT		(1ULL << 48)

struct vmctl_slot *vmctl_slot_find(struct vmctl_vm *vm, u64 gpa)
{
	struct vmctl_slot *s;
	int i;

	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		s = rcu_dereference_check(vm->slots[i],
					  lockdep_is_held(&vm->lock));
		if (s && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

static void vmctl_slot_free(struct vmctl_slot *s)
{
	unpin_user_pages_dirty_lock(s->pages, s->npages, true);
	vmctl_acct_add(ACCT_PINNED, -(long)s->npages);
	vmctl_acct_add(ACCT_SLOTS, -1);
	vmctl_free(s->pages, s->npages * sizeof(*s->pages));
	vmctl_free(s, sizeof(*s));
}

static int vmctl_slot_pin(struct vmctl_slot *s)
{
	unsigned long done = 0;
	long n;

	while (done < s->npages) {
		n = pin_user_pages_fast(s->uaddr + done * PAGE_SIZE,
					min(s->npages - done, 65536UL),
					FOLL_WRITE | FOLL_LONGTERM,
					s->pages + done);
		if (n <= 0) {
			unpin_user_pages(s->pages, done);
			return n == -ENOMEM ? -ENOMEM : -EFAULT;
		}
		done += n;
	}
	vmctl_acct_add(ACCT_PINNED, s->npages);
	return 0;
}

static int vmctl_slot_check(struct vmctl_vm *vm, const struct vmctl_mem_slot *m)
{
	struct vmctl_slot *s;
	int i;

	if (rcu_access_pointer(vm->slots[m->slot]))
		return -EEXIST;
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		s = rcu_dereference_protected(vm->slots[i],
					      lockdep_is_held(&vm->lock));
		if (s && m->guest_phys < s->gpa + s->size &&
		    s->gpa < m->guest_phys + m->size)
			return -EEXIST;
	}
	if (vm->nr_slots >= VMCTL_MAX_MEM_SLOTS ||
	    vm->mem_bytes + m->size > VMCTL_MAX_MEM_SIZE)
		return -E2BIG;
	return 0;
}

static int vmctl_set_slot(struct vmctl_vm *vm, const struct vmctl_mem_slot *m)
{
	struct vmctl_slot *s;
	int ret;

	if (m->flags & ~VMCTL_MEM_VALID_FLAGS || m->slot >= VMCTL_MAX_MEM_SLOTS ||
	    !m->size || !PAGE_ALIGNED(m->size) ||
	    !PAGE_ALIGNED(m->guest_phys) || !PAGE_ALIGNED(m->user_addr) ||
	    m->guest_phys >= VMCTL_GPA_LIMIT ||
	    m->size > VMCTL_GPA_LIMIT - m->guest_phys)
		return -EINVAL;
	if (m->size > VMCTL_MAX_MEM_SIZE)
		return -E2BIG;
	if (m->user_addr + m->size < m->user_addr ||
	    !access_ok((void __user *)(unsigned long)m->user_addr, m->size))
		return -EFAULT;

	mutex_lock(&vm->lock);
	ret = vmctl_slot_check(vm, m);
	if (ret)
		goto out;
	ret = -ENOMEM;
	s = vmctl_zalloc(sizeof(*s));
	if (!s)
		goto out;
	s->id = m->slot;
	s->flags = m->flags;
	s->gpa = m->guest_phys;
	s->size = m->size;
	s->uaddr = m->user_addr;
	s->npages = m->size >> PAGE_SHIFT;
	s->pages = vmctl_zalloc(s->npages * sizeof(*s->pages));
	if (!s->pages)
		goto free_slot;
	ret = vmctl_slot_pin(s);
	if (ret)
		goto free_pages;
	vmctl_acct_add(ACCT_SLOTS, 1);
	ret = vmctl_ept_map_slot(&vm->ept, s);
	if (ret) {
		/* Partly mapped: take it out of every TLB before unpinning. */
		vmctl_ept_unmap_slot(&vm->ept, s);
		vmx_invept_all_cpus(vm->ept.eptp);
		vmctl_slot_free(s);
		goto out;
	}
	rcu_assign_pointer(vm->slots[m->slot], s);
	vm->nr_slots++;
	vm->mem_bytes += s->size;
	goto out;

free_pages:
	vmctl_free(s->pages, s->npages * sizeof(*s->pages));
free_slot:
	vmctl_free(s, sizeof(*s));
out:
	mutex_unlock(&vm->lock);
	return ret;
}

static int vmctl_delete_slot(struct vmctl_vm *vm, unsigned long id)
{
	struct vmctl_slot *s;

	if (id >= VMCTL_MAX_MEM_SLOTS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	s = rcu_dereference_protected(vm->slots[id],
				      lockdep_is_held(&vm->lock));
	if (!s) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	vmctl_ept_unmap_slot(&vm->ept, s);
	vmx_invept_all_cpus(vm->ept.eptp);
	RCU_INIT_POINTER(vm->slots[id], NULL);
	vm->nr_slots--;
	vm->mem_bytes -= s->size;
	mutex_unlock(&vm->lock);
	synchronize_rcu();	/* no emulator walk still uses s->pages */
	vmctl_slot_free(s);
	return 0;
}

static void vmctl_vm_info(struct vmctl_vm *vm, struct vmctl_vm_info *info)
{
	memset(info, 0, sizeof(*info));
	mutex_lock(&vm->lock);
	info->id = vm->id;
	info->nr_vcpus = vm->nr_vcpus;
	info->mem_bytes = vm->mem_bytes;
	memcpy(info->name, vm->name, sizeof(info->name));
	mutex_unlock(&vm->lock);
}

static void vmctl_vm_destroy(struct kref *ref)
{
	struct vmctl_vm *vm = container_of(ref, struct vmctl_vm, ref);
	struct vmctl_slot *s;
	int i;

	mutex_lock(&vmctl_vm_list_lock);
	list_del(&vm->node);
	mutex_unlock(&vmctl_vm_list_lock);

	for (i = 0; i < VMCTL_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vmctl_vcpu_free(vm->vcpus[i]);
	vmctl_irqchip_free(vm);
	/* No VMCS uses this EPTP any more; forget its translations. */
	vmx_invept_all_cpus(vm->ept.eptp);
	for (i = 0; i < VMCTL_MAX_MEM_SLOTS; i++) {
		s = rcu_dereference_protected(vm->slots[i], 1);
		if (s)
			vmctl_slot_free(s);
	}
	vmctl_ept_destroy(&vm->ept);
	vmctl_nl_vm_event(vm, VMCTL_CMD_EVENT_VM_DESTROYED);
	ida_free(&vm_ida, vm->id);
	mutex_destroy(&vm->lock);
	vmctl_free(vm, sizeof(*vm));
	vmctl_acct_add(ACCT_VMS, -1);
}

void vmctl_vm_put(struct vmctl_vm *vm)
{
	kref_put(&vm->ref, vmctl_vm_destroy);
}

static long vmctl_vm_ioctl(struct file *f, unsigned int cmd,
			   unsigned long arg)
{
	struct vmctl_vm *vm = f->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VMCTL_SET_MEM_SLOT: {
		struct vmctl_mem_slot m;

		if (copy_from_user(&m, uarg, sizeof(m)))
			return -EFAULT;
		return vmctl_set_slot(vm, &m);
	}
	case VMCTL_DELETE_MEM_SLOT:
		return vmctl_delete_slot(vm, arg);
	case VMCTL_CREATE_VCPU:
		return vmctl_create_vcpu(vm, arg);
	case VMCTL_GET_VM_INFO: {
		struct vmctl_vm_info info;

		vmctl_vm_info(vm, &info);
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	}
	case VMCTL_CREATE_IRQCHIP:
		return arg ? -EINVAL : vmctl_create_irqchip(vm);
	case VMCTL_IRQ_LINE: {
		struct vmctl_irq_line l;

		if (copy_from_user(&l, uarg, sizeof(l)))
			return -EFAULT;
		return vmctl_irq_line(vm, &l);
	}
	default:
		return -ENOTTY;
	}
}

static int vmctl_vm_release(struct inode *inode, struct file *f)
{
	vmctl_vm_put(f->private_data);
	return 0;
}

static const struct file_operations vmctl_vm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vmctl_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vmctl_vm_release,
	.llseek = noop_llseek,
};

int vmctl_create_vm(const struct vmctl_vm_config *cfg)
{
	struct vmctl_vm *vm;
	u32 vms, vcpus;
	int ret, id;

	if (cfg->flags || !memchr(cfg->name, 0, sizeof(cfg->name)))
		return -EINVAL;
	vm = vmctl_zalloc(sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
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
	vm->tsc_origin = rdtsc();
	vm->created = ktime_get_real_seconds();
	vm->owner_uid = current_euid();
	ret = vmctl_ept_init(&vm->ept);
	if (ret)
		goto free_id;
	/* Counted and listed under one lock: no two creations race past. */
	mutex_lock(&vmctl_vm_list_lock);
	user_usage(vm->owner_uid, &vms, &vcpus);
	if (vms >= READ_ONCE(max_vms_per_user)) {
		mutex_unlock(&vmctl_vm_list_lock);
		ret = -EMFILE;
		goto free_ept;
	}
	list_add_tail(&vm->node, &vmctl_vm_list);
	mutex_unlock(&vmctl_vm_list_lock);
	vmctl_nl_vm_event(vm, VMCTL_CMD_EVENT_VM_CREATED);

	ret = anon_inode_getfd("vmctl-vm", &vmctl_vm_fops, vm,
			       O_RDWR | O_CLOEXEC);
	if (ret < 0)
		vmctl_vm_put(vm);
	return ret;

free_ept:
	vmctl_ept_destroy(&vm->ept);
free_id:
	ida_free(&vm_ida, vm->id);
free_vm:
	mutex_destroy(&vm->lock);
	vmctl_free(vm, sizeof(*vm));
	vmctl_acct_add(ACCT_VMS, -1);
	return ret;
}
