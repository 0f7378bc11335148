// SPDX-License-Identifier: GPL-2.0
/*
 * kvmclock, as KVM serves it (Documentation/virt/kvm/x86/msr.rst): a guest
 * that finds KVM_FEATURE_CLOCKSOURCE2 in CPUID 0x40000101 (cpuid.c) writes the GPA of
 * a per-vCPU struct pvclock_vcpu_time_info (bit 0: enable) into
 * MSR_KVM_SYSTEM_TIME_NEW, and of a struct pvclock_wall_clock into
 * MSR_KVM_WALL_CLOCK_NEW.
 *
 * Guest time is the guest's TSC scaled to nanoseconds from the moment its
 * TSC read 0 (vm->tsc_origin), one line for the whole VM: every vCPU's
 * structure holds the same point of that line (tsc_timestamp is the
 * guest TSC at tsc_origin, system_time 0) and the same mul/shift for the
 * host's tsc_khz, the rate CPUID 0x15/0x16 tell the guest.  So the
 * structures agree between vCPUs to the nanosecond (what
 * PVCLOCK_TSC_STABLE_BIT promises: the guest then skips its cross-CPU
 * clamp), and nothing in them depends on the host CPU: they are written
 * when the guest enables the clock and when its TSC offset changes, not
 * on every migration.  This relies on the host's TSC being invariant and
 * synchronised, as the guest's TSC (host TSC + offset) already does.
 *
 * A GPA outside guest RAM, in a read-only slot or with the structure
 * crossing a page is accepted and nothing is written, as KVM does (it
 * never raises #GP for these MSRs' values): the guest's clock just does
 * not tick.  A reset disables the clock, so a rebooted guest's memory is
 * never written through a GPA its previous kernel chose.
 */
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/timekeeping.h>
#include <asm/kvm_para.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>
#include "cpu/cpuid.h"
#include "cpu/kvmclock.h"
#include "vm/guest_mem.h"
#include "vm/vcpu.h"
#include "vm/vm.h"

#define KVMCLOCK_ENABLE		BIT_ULL(0)

/*
 * The MSRs exist when the vCPU's CPUID table says so (KVM's signature at
 * VMCTL_KVM_LEAF, CLOCKSOURCE2 in the next leaf): a table without them
 * (SET_CPUID) is the bare platform, where they #GP like any other.
 */
bool vmctl_kvmclock_msr(struct vmk_vcpu *vcpu, u32 index)
{
	if (index != MSR_KVM_SYSTEM_TIME_NEW &&
	    index != MSR_KVM_WALL_CLOCK_NEW)
		return false;
	return vmctl_kvm_feature(vcpu, KVM_FEATURE_CLOCKSOURCE2);
}

/*
 * ns = ((tsc << shift) * mul) >> 32 (shift < 0: right shift): choose the
 * shift that brings the rate into (1 GHz, 2 GHz], so mul < 2^32 and keeps
 * the most bits.
 */
static void tsc_scale(s8 *shift, u32 *mul)
{
	u64 hz = max_t(u64, tsc_khz, 1) * 1000, eff = hz;
	s8 s = 0;

	while (eff > 2 * NSEC_PER_SEC) {
		eff >>= 1;
		s--;
	}
	while (eff <= NSEC_PER_SEC) {
		eff <<= 1;
		s++;
	}
	*shift = s;
	*mul = mul_u64_u64_div_u64(NSEC_PER_SEC, 1ULL << (32 - s), hz);
}

/* Guest nanoseconds since the guest's TSC read 0. */
static u64 guest_ns(struct vmk_vm *vm)
{
	u64 delta = rdtsc() - vm->tsc_origin;
	u32 mul;
	s8 shift;

	tsc_scale(&shift, &mul);
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return mul_u64_u32_shr(delta, mul, 32);
}

/* VMCTL_GET_CLOCK. */
u64 vmctl_kvmclock_get_clock(struct vmk_vm *vm)
{
	return guest_ns(vm);
}

/*
 * VMCTL_SET_CLOCK: the line moves so that it reads @ns now.  Only while
 * the VM has no vCPU (vm->lock held by the caller): a vCPU's TSC offset
 * starts from tsc_origin and its structure holds it.  -EINVAL for a time
 * whose TSC count needs more than 64 bits (some 190 years at 3 GHz).
 */
int vmctl_kvmclock_set_clock(struct vmk_vm *vm, u64 ns)
{
	u64 khz = max_t(u32, tsc_khz, 1), ms = div_u64(ns, NSEC_PER_MSEC);
	u64 ticks;

	if (ms >= div64_u64(U64_MAX, khz) - 1)
		return -EINVAL;
	ticks = ms * khz + div_u64((ns - ms * NSEC_PER_MSEC) * khz,
				   NSEC_PER_MSEC);
	WRITE_ONCE(vm->tsc_origin, rdtsc() - ticks);
	return 0;
}

/*
 * The version protocol: the version goes odd before the body changes and
 * even (and new) once it is whole; the guest retries a read that saw an
 * odd or changed version.  @data starts with its u32 version, which holds
 * the odd value.  Returns the even version, or 0 if @gpa is not RAM.
 */
static u32 write_versioned(struct vmk_vcpu *vcpu, u64 gpa, void *data,
			   unsigned int len)
{
	const struct vmctl_emu_ops *mem = &vmctl_guest_mem_ops;
	u32 *version = data;

	if (offset_in_page(gpa) > PAGE_SIZE - len ||
	    mem->write_gpa(vcpu, gpa, version, sizeof(*version)))
		return 0;
	smp_wmb();	/* odd version before the body */
	mem->write_gpa(vcpu, gpa, data, len);
	smp_wmb();	/* the body before the even version */
	++*version;
	mem->write_gpa(vcpu, gpa, version, sizeof(*version));
	return *version;
}

static void write_time_info(struct vmk_vcpu *vcpu)
{
	u64 gpa = vcpu->pvclock_msr & ~KVMCLOCK_ENABLE;
	struct pvclock_vcpu_time_info t = {
		.version = vcpu->pvclock_version + 1,
		.tsc_timestamp = vcpu->vm->tsc_origin + vcpu->tsc_offset,
		.system_time = 0,
		.flags = PVCLOCK_TSC_STABLE_BIT,
	};
	u32 version;

	if (!(vcpu->pvclock_msr & KVMCLOCK_ENABLE))
		return;
	tsc_scale(&t.tsc_shift, &t.tsc_to_system_mul);
	version = write_versioned(vcpu, gpa, &t, sizeof(t));
	if (version)
		vcpu->pvclock_version = version;
}

void vmctl_kvmclock_update(struct vmk_vcpu *vcpu)
{
	write_time_info(vcpu);
}

/* The wall-clock time at which guest time was 0. */
static void write_wall_clock(struct vmk_vcpu *vcpu, u64 gpa)
{
	struct pvclock_wall_clock w;
	struct timespec64 boot;

	if (offset_in_page(gpa) > PAGE_SIZE - sizeof(w) ||
	    vmctl_guest_mem_ops.read_gpa(vcpu, gpa, &w.version,
					 sizeof(w.version)))
		return;
	boot = ns_to_timespec64(ktime_get_real_ns() - guest_ns(vcpu->vm));
	w.version = (w.version + 1) | 1;
	w.sec = boot.tv_sec;
	w.nsec = boot.tv_nsec;
	write_versioned(vcpu, gpa, &w, sizeof(w));
}

u64 vmctl_kvmclock_get(struct vmk_vcpu *vcpu, u32 index)
{
	return index == MSR_KVM_SYSTEM_TIME_NEW ?
	       vcpu->pvclock_msr : READ_ONCE(vcpu->vm->wall_clock_msr);
}

int vmctl_kvmclock_set(struct vmk_vcpu *vcpu, u32 index, u64 data)
{
	if (index == MSR_KVM_WALL_CLOCK_NEW) {
		WRITE_ONCE(vcpu->vm->wall_clock_msr, data);
		/*
		 * 0 is no address (KVM's kvm_write_wall_clock() too): a
		 * restore of a guest that never set it must not write its
		 * guest-physical page 0 (selftests/migrate_test).
		 */
		if (data)
			write_wall_clock(vcpu, data);
		return 0;
	}
	vcpu->pvclock_msr = data;
	write_time_info(vcpu);
	return 0;
}
