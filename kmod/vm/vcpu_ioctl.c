// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU fd (bhyve's vmm_dev.c, for the vCPU object of vcpu.c):
 * VMCTL_CREATE_VCPU makes one; its ioctls run the vCPU (straight into the
 * run loop, run.c) and get and set its state; mmap gives the run
 * structure; the save/restore accessors are in vcpu_state.c.
 *
 * Each ioctl takes the vCPU mutex, so RUN and the state accessors never
 * overlap.  Accessors that touch the VMCS make it current on this CPU with
 * preemption off (vmk_vcpu_with_vmcs()); user memory is copied before or
 * after, never while preemption is off.
 */
#include <linux/module.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/err.h>
#include "cpu/cpuid.h"
#include "cpu/msr.h"
#include "cpu/run.h"
#include "cpu/sregs.h"
#include "cpu/state.h"
#include "vm/vcpu.h"
#include "vm/vcpu_ioctl.h"
#include "vm/vcpu_state.h"
#include "vm/vm.h"
#include "vmx/vmx_ops.h"

#define RFLAGS_FIXED1		BIT(1)
#define RFLAGS_RESERVED		(GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))

static void vcpu_get_regs(struct vmk_vcpu *vcpu, struct vmctl_regs *r)
{
	const u64 *g = vcpu->gpr;

	r->rax = g[GPR_RAX];
	r->rbx = g[GPR_RBX];
	r->rcx = g[GPR_RCX];
	r->rdx = g[GPR_RDX];
	r->rsi = g[GPR_RSI];
	r->rdi = g[GPR_RDI];
	r->rbp = g[GPR_RBP];
	r->r8 = g[GPR_R8];
	r->r9 = g[GPR_R9];
	r->r10 = g[GPR_R10];
	r->r11 = g[GPR_R11];
	r->r12 = g[GPR_R12];
	r->r13 = g[GPR_R13];
	r->r14 = g[GPR_R14];
	r->r15 = g[GPR_R15];
	r->rsp = vmcs_read(VMCS_GUEST_RSP);
	r->rip = vmcs_read(VMCS_GUEST_RIP);
	r->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
}

static void vcpu_set_regs(struct vmk_vcpu *vcpu, const struct vmctl_regs *r)
{
	u64 *g = vcpu->gpr;

	g[GPR_RAX] = r->rax;
	g[GPR_RBX] = r->rbx;
	g[GPR_RCX] = r->rcx;
	g[GPR_RDX] = r->rdx;
	g[GPR_RSI] = r->rsi;
	g[GPR_RDI] = r->rdi;
	g[GPR_RBP] = r->rbp;
	g[GPR_R8] = r->r8;
	g[GPR_R9] = r->r9;
	g[GPR_R10] = r->r10;
	g[GPR_R11] = r->r11;
	g[GPR_R12] = r->r12;
	g[GPR_R13] = r->r13;
	g[GPR_R14] = r->r14;
	g[GPR_R15] = r->r15;
	vmcs_write(VMCS_GUEST_RSP, r->rsp);
	vmcs_write(VMCS_GUEST_RIP, r->rip);
	vmcs_write(VMCS_GUEST_RFLAGS, r->rflags | RFLAGS_FIXED1);
}

static int do_get_regs(struct vmk_vcpu *vcpu, void *arg)
{
	vcpu_get_regs(vcpu, arg);
	return 0;
}

/*
 * New registers end a halt, as RUN after an HLT exit does without an
 * irqchip (with one, a halt with IF=0 would otherwise sleep for good).
 * Queued events are checked against the new state at the entry (run.c).
 * An STI shadow cannot outlive IF=0 (VM entry refuses the pair, SDM
 * 26.3.1.5): there is no STI left to cast it; a shadow's pending single
 * step follows TF.
 */
static int do_set_regs(struct vmk_vcpu *vcpu, void *arg)
{
	const struct vmctl_regs *r = arg;
	u32 intr;

	vcpu_set_regs(vcpu, r);
	vcpu->halted = false;
	if (!(r->rflags & X86_EFLAGS_IF)) {
		intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
		if (intr & GUEST_INTR_STI)
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
				   intr & ~GUEST_INTR_STI);
	}
	vmctl_sync_pending_dbg();
	return 0;
}

static int do_get_sregs(struct vmk_vcpu *vcpu, void *arg)
{
	vmctl_get_sregs(vcpu, arg);
	return 0;
}

/*
 * A new context: the event whose delivery the last exit interrupted
 * belonged to the old one (a fault or INT n happens again if the guest
 * runs the instruction again), and a halt ends as with SET_REGS.
 */
static int do_set_sregs(struct vmk_vcpu *vcpu, void *arg)
{
	int ret = vmctl_set_sregs(vcpu, arg);

	if (!ret) {
		vcpu->reinject_info = 0;
		vcpu->halted = false;
	}
	return ret;
}

struct msr_batch {
	struct vmctl_msr_entry *e;
	u32 n;
	bool set;
};

/* Stops at the first MSR that is not modelled or not accepted. */
static int do_msrs(struct vmk_vcpu *vcpu, void *arg)
{
	struct msr_batch *b = arg;
	u32 i;

	for (i = 0; i < b->n; i++) {
		struct vmctl_msr_entry *e = &b->e[i];

		if (b->set ? vmctl_msr_set(vcpu, e->index, e->data, true) :
			     vmctl_msr_get(vcpu, e->index, &e->data))
			break;
	}
	b->n = i;
	return 0;
}

static long vcpu_ioctl_msrs(struct vmk_vcpu *vcpu, void __user *uarg,
			    bool set)
{
	struct vmctl_msrs hdr;
	struct msr_batch b = { .set = set };
	size_t len;
	long ret;
	u32 i;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.nmsrs > VMCTL_MAX_MSR_ENTRIES)
		return -EINVAL;
	len = hdr.nmsrs * sizeof(*b.e);
	b.e = memdup_user(uarg + sizeof(hdr), len);
	if (IS_ERR(b.e))
		return PTR_ERR(b.e);
	b.n = hdr.nmsrs;
	for (i = 0; i < b.n; i++)
		if (b.e[i].reserved) {
			ret = -EINVAL;
			goto out;
		}
	ret = vmk_vcpu_with_vmcs(vcpu, do_msrs, &b);
	if (ret)
		goto out;
	ret = b.n;
	if (!set && copy_to_user(uarg + sizeof(hdr), b.e, len))
		ret = -EFAULT;
out:
	kfree(b.e);
	return ret;
}

static long vcpu_ioctl_set_cpuid(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_cpuid hdr;
	struct vmctl_cpuid_entry *e;
	long ret;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.nent > VMCTL_MAX_CPUID_ENTRIES)
		return -EINVAL;
	e = memdup_user(uarg + sizeof(hdr), hdr.nent * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	ret = vmctl_cpuid_set(vcpu, &hdr, e);
	kfree(e);
	return ret;
}

static long vcpu_ioctl_get_cpuid(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_cpuid hdr;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags)
		return -EINVAL;
	if (hdr.nent < vcpu->cpuid_nent) {
		hdr.nent = vcpu->cpuid_nent;
		return copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : -E2BIG;
	}
	hdr.nent = vcpu->cpuid_nent;
	if (copy_to_user(uarg, &hdr, sizeof(hdr)) ||
	    copy_to_user(uarg + sizeof(hdr), vcpu->cpuid,
			 hdr.nent * sizeof(*vcpu->cpuid)))
		return -EFAULT;
	return 0;
}

/* The error code must match the guest's mode now: its CR0 is in the VMCS. */
static int do_inject(struct vmk_vcpu *vcpu, void *arg)
{
	struct vmctl_exception *e = arg;

	if (e->has_error_code != vmctl_exc_has_error_code(vcpu, e->vector))
		return -EINVAL;
	if (vcpu->exc_pending)
		return -EBUSY;
	vmctl_queue_exception(vcpu, e->vector, e->has_error_code,
			      e->error_code);
	return 0;
}

static long vcpu_ioctl_inject(struct vmk_vcpu *vcpu, void __user *uarg)
{
	struct vmctl_exception e;

	if (copy_from_user(&e, uarg, sizeof(e)))
		return -EFAULT;
	if (e.flags || e.padding || e.vector > 31 || e.vector == 2 ||
	    e.vector == EXC_CP || e.has_error_code > 1 ||
	    (!e.has_error_code && e.error_code) || e.error_code > 0xffff)
		return -EINVAL;
	return vmk_vcpu_with_vmcs(vcpu, do_inject, &e);
}

static long vcpu_ioctl(struct vmk_vcpu *vcpu, unsigned int cmd,
		       void __user *uarg, unsigned long arg)
{
	union {
		struct vmctl_regs regs;
		struct vmctl_sregs sregs;
		struct vmctl_vcpu_stats stats;
	} u;
	long ret;

	switch (cmd) {
	case VMCTL_RUN:
		if (arg)
			return -EINVAL;
		/* Guest memory is the owner's mapping (vm/guest_mem.c). */
		if (current->mm != vcpu->vm->mm)
			return -EPERM;
		return vmk_vcpu_run(vcpu);
	case VMCTL_GET_REGS:
		ret = vmk_vcpu_with_vmcs(vcpu, do_get_regs, &u.regs);
		if (!ret && copy_to_user(uarg, &u.regs, sizeof(u.regs)))
			ret = -EFAULT;
		return ret;
	case VMCTL_SET_REGS:
		if (copy_from_user(&u.regs, uarg, sizeof(u.regs)))
			return -EFAULT;
		if (u.regs.rflags & RFLAGS_RESERVED)
			return -EINVAL;
		return vmk_vcpu_with_vmcs(vcpu, do_set_regs, &u.regs);
	case VMCTL_GET_SREGS:
		ret = vmk_vcpu_with_vmcs(vcpu, do_get_sregs, &u.sregs);
		if (!ret && copy_to_user(uarg, &u.sregs, sizeof(u.sregs)))
			ret = -EFAULT;
		return ret;
	case VMCTL_SET_SREGS:
		if (copy_from_user(&u.sregs, uarg, sizeof(u.sregs)))
			return -EFAULT;
		return vmk_vcpu_with_vmcs(vcpu, do_set_sregs, &u.sregs);
	case VMCTL_GET_MSRS:
		return vcpu_ioctl_msrs(vcpu, uarg, false);
	case VMCTL_SET_MSRS:
		return vcpu_ioctl_msrs(vcpu, uarg, true);
	case VMCTL_SET_CPUID:
		return vcpu_ioctl_set_cpuid(vcpu, uarg);
	case VMCTL_GET_CPUID:
		return vcpu_ioctl_get_cpuid(vcpu, uarg);
	case VMCTL_INJECT_EXCEPTION:
		return vcpu_ioctl_inject(vcpu, uarg);
	case VMCTL_GET_VCPU_STATS:
		vmk_vcpu_get_stats(vcpu, &u.stats);
		return copy_to_user(uarg, &u.stats, sizeof(u.stats)) ?
		       -EFAULT : 0;
	default:
		return vmk_vcpu_state_ioctl(vcpu, cmd, uarg);
	}
}

static long vmk_vcpu_ioctl(struct file *f, unsigned int cmd,
			   unsigned long arg)
{
	struct vmk_vcpu *vcpu = f->private_data;
	long ret;

	if (mutex_lock_killable(&vcpu->lock))
		return -EINTR;
	ret = vcpu_ioctl(vcpu, cmd, (void __user *)arg, arg);
	mutex_unlock(&vcpu->lock);
	return ret;
}

/* The run area's pages, each referenced by the mapping as long as it lives. */
static int vmk_vcpu_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct vmk_vcpu *vcpu = f->private_data;
	unsigned long i;
	int ret;

	if (vma->vm_pgoff || vma_pages(vma) > VMCTL_RUN_PAGES)
		return -EINVAL;
	for (i = 0; i < vma_pages(vma); i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE,
				     vcpu->run_pages[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int vmk_vcpu_release(struct inode *inode, struct file *f)
{
	struct vmk_vcpu *vcpu = f->private_data;

	vmk_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations vmk_vcpu_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vmk_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vmk_vcpu_mmap,
	.release = vmk_vcpu_release,
	.llseek = noop_llseek,
};

/*
 * The vCPU is published in vm->vcpus[] only once nothing can fail: other
 * vCPUs and the I/O APIC deliver interrupts to it without the VM mutex.
 */
int vmctl_create_vcpu(struct vmk_vm *vm, unsigned long id)
{
	struct vmk_vcpu *vcpu;
	struct file *file;
	int ret, fd;

	if (id >= VMCTL_MAX_VCPUS)
		return -EINVAL;
	ret = vmctl_charge_vcpu(vm);
	if (ret)
		return ret;
	mutex_lock(&vm->lock);
	ret = -EEXIST;
	if (vm->vcpus[id])
		goto out;
	vcpu = vmk_vcpu_create(vm, id);
	if (IS_ERR(vcpu)) {
		ret = PTR_ERR(vcpu);
		goto out;
	}
	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto free_vcpu;
	}
	file = anon_inode_getfile("vmctl-vcpu", &vmk_vcpu_fops, vcpu,
				  O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto free_vcpu;
	}
	/* The fd's reference, dropped by its release. */
	kref_get(&vm->ref);
	/* Initialised before visible: vmctl_irqchip_deliver() reads it. */
	smp_store_release(&vm->vcpus[id], vcpu);
	vm->nr_vcpus++;
	fd_install(fd, file);
	ret = fd;
	goto out;

free_vcpu:
	vmk_vcpu_free(vcpu);
out:
	mutex_unlock(&vm->lock);
	if (ret < 0)
		vmctl_uncharge_vcpu(vm);
	return ret;
}
