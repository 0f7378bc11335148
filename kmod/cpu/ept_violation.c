// SPDX-License-Identifier: GPL-2.0
/*
 * EPT violations: guest-physical accesses EPT does not map (yet).  On a
 * slot's RAM the page is mapped from the owner's mapping (vm/mmu.c) and
 * the access retried; where the owner's mapping refuses the access
 * (nothing mapped there, or read-only for a write) user space hears of it
 * (VMCTL_EXIT_MEMORY_FAULT) with RIP unmoved.  The rest is MMIO: an
 * access outside every slot, or a write to a read-only slot; a page in no
 * slot is marked MMIO in EPT (vm/mmu.c), so its next access comes back as
 * an EPT misconfiguration that goes straight to decoding.  MMIO is
 * decoded by the emulator (model/emulate.h) into one access; the
 * in-kernel irqchip serves its pages at once, a doorbell (doorbell.c)
 * takes the writes it is registered for, any
 * other access goes to user space (VMCTL_EXIT_MMIO) and the emulator
 * finishes the instruction on the next RUN, taking the access's length
 * and direction from what the kernel saved (vcpu->mmio), never from the
 * run area userspace may rewrite (struct vmk_vcpu).  A read-modify-write
 * (LOCK OR, XCHG, BTS, ...) is two accesses: once its read is done, the
 * write of the result goes the same way.
 */
#include "cpu/ept_violation.h"
#include "cpu/state.h"
#include "irqchip/irqchip.h"
#include "model/emulate.h"
#include "vm/doorbell.h"
#include "vm/guest_mem.h"
#include "vm/mmu.h"
#include "vm/vcpu.h"
#include "vmx/vmx_ops.h"

static int mmio_error(struct vmk_vcpu *vcpu, int err, u64 gpa)
{
	u64 d[3] = { gpa, vmcs_read(VMCS_GUEST_RIP), err };

	return vmctl_internal_error(vcpu, err == VMCTL_EMU_UNHANDLED ?
				    VMCTL_INTERNAL_EMULATION :
				    VMCTL_INTERNAL_BAD_GUEST_MEMORY, 3, d);
}

static int memory_fault(struct vmk_vcpu *vcpu, u64 gpa, bool write)
{
	struct vmctl_run *run = vcpu->run;

	vmctl_set_exit(vcpu, VMCTL_EXIT_MEMORY_FAULT);
	run->memory_fault.gpa = gpa;
	run->memory_fault.flags = write ? VMCTL_MEMORY_FAULT_WRITE : 0;
	return EXIT_TO_USER;
}

static int do_mmio(struct vmk_vcpu *vcpu);

/* The access is done (by user space or the irqchip): finish the insn. */
static int finish_mmio(struct vmk_vcpu *vcpu)
{
	struct vmctl_mmio_op *op = &vcpu->mmio;
	struct vmctl_emu_cpu cpu;
	int ret;

	vmctl_emu_cpu_get(vcpu, &cpu);
	ret = vmctl_mmio_complete(&cpu, &vmctl_guest_mem_ops, vcpu, op);
	if (ret && ret != VMCTL_EMU_WRITE_BACK)
		return mmio_error(vcpu, ret, op->gpa);
	vmctl_emu_cpu_set(vcpu, &cpu);
	/* A read-modify-write's read: @op is now its write. */
	return ret ? do_mmio(vcpu) : EXIT_REENTER;
}

/* On the next RUN: a read gets user space's data; then finish the insn. */
static int complete_mmio(struct vmk_vcpu *vcpu)
{
	struct vmctl_mmio_op *op = &vcpu->mmio;

	if (!op->is_write)	/* op->len: the kernel's, at most 8 */
		memcpy(op->data, vcpu->run->mmio.data, op->len);
	return finish_mmio(vcpu);
}

/* Perform vcpu->mmio: the irqchip, a doorbell, or user space. */
static int do_mmio(struct vmk_vcpu *vcpu)
{
	struct vmctl_mmio_op *op = &vcpu->mmio;
	struct vmctl_run *run = vcpu->run;

	if (vcpu->apic && vmctl_irqchip_mmio(vcpu, op))
		return finish_mmio(vcpu);
	if (op->is_write) {
		u64 val = 0;

		memcpy(&val, op->data, op->len);
		if (vmk_doorbell_ring(vcpu->vm, false, op->gpa, op->len, val))
			return finish_mmio(vcpu);
	}
	vmctl_set_exit(vcpu, VMCTL_EXIT_MMIO);
	run->mmio.phys_addr = op->gpa;
	run->mmio.len = op->len;
	run->mmio.is_write = op->is_write;
	memset(run->mmio.padding, 0, sizeof(run->mmio.padding));
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (op->is_write)
		memcpy(run->mmio.data, op->data, op->len);
	vcpu->complete_user_exit = complete_mmio;
	return EXIT_TO_USER;
}

/* Decode the MMIO access at @gpa and serve it, here or in user space. */
static int mmio_access(struct vmk_vcpu *vcpu, u64 gpa)
{
	struct vmctl_mmio_op *op = &vcpu->mmio;
	struct vmctl_emu_cpu cpu;
	int ret;

	/* MMIO touched while delivering an event. */
	if (vcpu->reinject_info & INTR_INFO_VALID)
		return mmio_error(vcpu, VMCTL_EMU_UNHANDLED, gpa);
	vmctl_emu_cpu_get(vcpu, &cpu);
	ret = vmctl_mmio_begin(&cpu, &vmctl_guest_mem_ops, vcpu, gpa, op);
	if (ret)
		return mmio_error(vcpu, ret, gpa);
	return do_mmio(vcpu);
}

int vmctl_handle_ept_violation(struct vmk_vcpu *vcpu)
{
	u64 gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR), q = vcpu->exit_qual;
	int ret;

	ret = vmk_mmu_fault(vcpu, gpa, q & EPT_QUAL_WRITE);
	if (!ret || ret == -EIO)	/* -EIO: the run loop ends */
		return EXIT_REENTER;
	if (ret == -EFAULT)
		return memory_fault(vcpu, gpa, q & EPT_QUAL_WRITE);
	if (ret != -ENOENT)
		return mmio_error(vcpu, ret, gpa);	/* -ENOMEM */
	/* Code outside RAM. */
	if (q & EPT_QUAL_FETCH)
		return mmio_error(vcpu, VMCTL_EMU_UNHANDLED, gpa);
	return mmio_access(vcpu, gpa);
}

/*
 * An EPT misconfiguration is an MMIO marker (vmx/ept.c): a page no slot
 * held when the guest last touched it, and none has since (adding a slot
 * zaps the markers in its range).  No exit qualification says whether the
 * access was a fetch: code there fails to fetch (no RAM) in the emulator.
 */
int vmctl_handle_ept_misconfig(struct vmk_vcpu *vcpu)
{
	return mmio_access(vcpu, vmcs_read(VMCS_GUEST_PHYS_ADDR));
}
