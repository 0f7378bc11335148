// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs a guest can use.  Everything is intercepted except FS/GS base
 * (their guest values live in the VMCS, so a direct access is harmless);
 * the modelled ones are below, any other RDMSR/WRMSR raises #GP.  The
 * same accessors serve VMCTL_GET/SET_MSRS (@host) and guest exits.
 */
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/kvm_para.h>
#include <asm/trapnr.h>
#include "cpu/cpuid.h"
#include "cpu/cr.h"
#include "cpu/kvmclock.h"
#include "cpu/msr.h"
#include "cpu/pv_eoi.h"
#include "cpu/state.h"
#include "cpu/steal_time.h"
#include "irqchip/apic.h"
#include "vm/vcpu.h"
#include "vmx/hoststate.h"
#include "vmx/vmx_ops.h"

#define MSR_BITMAP_READ_HIGH	1024	/* byte offsets in the 4 KiB bitmap */
#define MSR_BITMAP_WRITE_HIGH	3072

static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

void vmctl_msr_bitmap_init(void *bitmap)
{
	memset(bitmap, 0xff, PAGE_SIZE);
	__clear_bit(MSR_FS_BASE & 0x1fff, bitmap + MSR_BITMAP_READ_HIGH);
	__clear_bit(MSR_GS_BASE & 0x1fff, bitmap + MSR_BITMAP_READ_HIGH);
	__clear_bit(MSR_FS_BASE & 0x1fff, bitmap + MSR_BITMAP_WRITE_HIGH);
	__clear_bit(MSR_GS_BASE & 0x1fff, bitmap + MSR_BITMAP_WRITE_HIGH);
}

static int swapped_index(u32 index)
{
	switch (index) {
	case MSR_KERNEL_GS_BASE:
		return SWAP_KERNEL_GS_BASE;
	case MSR_STAR:
		return SWAP_STAR;
	case MSR_LSTAR:
		return SWAP_LSTAR;
	case MSR_CSTAR:
		return SWAP_CSTAR;
	case MSR_SYSCALL_MASK:
		return SWAP_SFMASK;
	default:
		return -1;
	}
}

/* The VMCS field of an MSR holding a linear address. */
static unsigned long address_msr_field(u32 index)
{
	switch (index) {
	case MSR_IA32_SYSENTER_ESP:
		return VMCS_GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return VMCS_GUEST_SYSENTER_EIP;
	case MSR_FS_BASE:
		return VMCS_GUEST_ES_BASE + 2 * SEG_FS;
	default:
		return VMCS_GUEST_ES_BASE + 2 * SEG_GS;
	}
}

int vmctl_msr_get(struct vmk_vcpu *vcpu, u32 index, u64 *data)
{
	int swap = swapped_index(index);

	if (swap >= 0) {
		/* Loaded: SWAPGS may have changed KERNEL_GS_BASE. */
		if (vcpu->loaded)
			rdmsrl(index, vcpu->swapped[swap]);
		*data = vcpu->swapped[swap];
		return 0;
	}
	if (vmctl_kvmclock_msr(vcpu, index)) {
		*data = vmctl_kvmclock_get(vcpu, index);
		return 0;
	}
	if (vmctl_pv_eoi_msr(vcpu, index)) {
		*data = vmctl_pv_eoi_get(vcpu);
		return 0;
	}
	if (vmctl_steal_msr(vcpu, index)) {
		*data = vmctl_steal_get(vcpu);
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = vcpu->efer;
		break;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read(VMCS_GUEST_PAT);
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read(VMCS_GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		*data = vmcs_read(address_msr_field(index));
		break;
	case MSR_IA32_TSC:
		*data = rdtsc() + vmcs_read(VMCS_TSC_OFFSET);
		break;
	case MSR_TSC_AUX:
		*data = vcpu->tsc_aux;
		break;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic ? vmctl_apic_get_base(vcpu) : vcpu->apic_base;
		break;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		break;
	case MSR_MTRRcap:
		*data = 0;	/* no variable or fixed ranges */
		break;
	case MSR_IA32_UCODE_REV:
		*data = 0;	/* no microcode to report */
		break;
	case MSR_MTRRdefType:
		*data = vcpu->mtrr_def_type;
		break;
	default:	/* x2APIC registers, TSC_DEADLINE */
		return vcpu->apic ? vmctl_apic_rdmsr(vcpu, index, data) :
				    -EINVAL;
	}
	return 0;
}

static int msr_set_swapped(struct vmk_vcpu *vcpu, int swap, u32 index,
			   u64 data)
{
	if (index != MSR_STAR && index != MSR_SYSCALL_MASK && !vmctl_canonical(data))
		return -EINVAL;
	if (index == MSR_SYSCALL_MASK && data >> 32)
		return -EINVAL;
	vcpu->swapped[swap] = data;
	if (vcpu->loaded)
		wrmsrl(index, data);
	return 0;
}

int vmctl_msr_set(struct vmk_vcpu *vcpu, u32 index, u64 data, bool host)
{
	int swap = swapped_index(index);

	if (swap >= 0)
		return msr_set_swapped(vcpu, swap, index, data);
	if (vmctl_kvmclock_msr(vcpu, index))
		return vmctl_kvmclock_set(vcpu, index, data);
	if (vmctl_pv_eoi_msr(vcpu, index))
		return vmctl_pv_eoi_set(vcpu, data);
	if (vmctl_steal_msr(vcpu, index))
		return vmctl_steal_set(vcpu, data);
	switch (index) {
	case MSR_EFER:
		if (!vmctl_efer_valid(vcpu, data, host))
			return -EINVAL;
		vmctl_apply_efer(vcpu, data);
		break;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(data))
			return -EINVAL;
		vmcs_write(VMCS_GUEST_PAT, data);
		break;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write(VMCS_GUEST_SYSENTER_CS, (u32)data);
		break;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!vmctl_canonical(data))
			return -EINVAL;
		vmcs_write(address_msr_field(index), data);
		break;
	case MSR_IA32_TSC:
		vmctl_set_tsc_offset(vcpu, data - rdtsc());
		vmctl_kvmclock_update(vcpu);
		break;
	case MSR_TSC_AUX:
		if (data >> 32)
			return -EINVAL;
		vcpu->tsc_aux = data;
		break;
	case MSR_IA32_APICBASE:
		if (!vmctl_apic_base_in_pa(vcpu, data))
			return -EINVAL;
		if (vcpu->apic)
			return vmctl_apic_set_base(vcpu, data, host);
		if (data & (GENMASK_ULL(7, 0) | BIT(9) | BIT(10) |
			    GENMASK_ULL(63, 52)))
			return -EINVAL;
		vcpu->apic_base = data;
		break;
	case MSR_IA32_MISC_ENABLE:
		vcpu->misc_enable = data;
		break;
	case MSR_IA32_UCODE_REV:	/* written before CPUID(1) to read it */
		break;
	case MSR_MTRRcap:		/* read-only: a restore writes it back */
		if (!host || data)
			return -EINVAL;
		break;
	case MSR_MTRRdefType:
		if (data & ~(0xffULL | BIT(10) | BIT(11)) ||
		    (data & 0xff) == 2 || (data & 0xff) == 3 ||
		    (data & 0xff) > 6)
			return -EINVAL;
		vcpu->mtrr_def_type = data;
		break;
	default:
		return vcpu->apic ? vmctl_apic_wrmsr(vcpu, index, data) :
				    -EINVAL;
	}
	return 0;
}

/*
 * What a snapshot saves: every MSR above but the x2APIC registers (the
 * local APIC's state).  IA32_TSC comes before TSC_DEADLINE, a guest TSC
 * value, and the kvmclock MSRs, which write the clock for that TSC.  The
 * PV EOI and steal-time MSRs are all their features' vCPU state (the
 * rest is in guest memory: pv_eoi.c, steal_time.c).
 */
static const u32 saved_msrs[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_CR_PAT,
	MSR_TSC_AUX, MSR_IA32_MISC_ENABLE, MSR_MTRRcap, MSR_IA32_UCODE_REV,
	MSR_MTRRdefType, MSR_IA32_APICBASE, MSR_IA32_TSC,
};

static void msr_list_add(u32 *list, u32 room, u32 *n, u32 index)
{
	if (*n < room)
		list[*n] = index;
	(*n)++;
}

/* Fills up to @room of @list; returns how many there are. */
u32 vmctl_msr_index_list(struct vmk_vcpu *vcpu, u32 *list, u32 room)
{
	u32 n = 0, i;

	for (i = 0; i < ARRAY_SIZE(saved_msrs); i++)
		msr_list_add(list, room, &n, saved_msrs[i]);
	if (vcpu->apic)
		msr_list_add(list, room, &n, MSR_IA32_TSC_DEADLINE);
	if (vmctl_kvmclock_msr(vcpu, MSR_KVM_SYSTEM_TIME_NEW))
		msr_list_add(list, room, &n, MSR_KVM_SYSTEM_TIME_NEW);
	if (vmctl_kvmclock_msr(vcpu, MSR_KVM_WALL_CLOCK_NEW))
		msr_list_add(list, room, &n, MSR_KVM_WALL_CLOCK_NEW);
	if (vmctl_pv_eoi_msr(vcpu, MSR_KVM_PV_EOI_EN))
		msr_list_add(list, room, &n, MSR_KVM_PV_EOI_EN);
	if (vmctl_steal_msr(vcpu, MSR_KVM_STEAL_TIME))
		msr_list_add(list, room, &n, MSR_KVM_STEAL_TIME);
	return n;
}

int vmctl_handle_rdmsr(struct vmk_vcpu *vcpu)
{
	u64 data;

	if (vmctl_msr_get(vcpu, vcpu->gpr[GPR_RCX], &data)) {
		vmctl_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return EXIT_REENTER;
	}
	vcpu->gpr[GPR_RAX] = (u32)data;
	vcpu->gpr[GPR_RDX] = data >> 32;
	vmctl_skip_insn(vcpu);
	return EXIT_REENTER;
}

/*
 * The APIC base is a physical address: bits from the guest's MAXPHYADDR
 * (CPUID 0x80000008 EAX[7:0]; 36 without that leaf) up are reserved.
 */
bool vmctl_apic_base_in_pa(struct vmk_vcpu *vcpu, u64 base)
{
	u32 r[4], bits;

	vmctl_cpuid_lookup(vcpu, 0x80000008, 0, r);
	bits = clamp(r[0] & 0xff ? r[0] & 0xff : 36, 32, 52);
	return !(base & GENMASK_ULL(63, bits));
}

int vmctl_handle_wrmsr(struct vmk_vcpu *vcpu)
{
	u64 data = (vcpu->gpr[GPR_RDX] << 32) | (u32)vcpu->gpr[GPR_RAX];

	if (vmctl_msr_set(vcpu, vcpu->gpr[GPR_RCX], data, false)) {
		vmctl_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return EXIT_REENTER;
	}
	vmctl_skip_insn(vcpu);
	return EXIT_REENTER;
}
