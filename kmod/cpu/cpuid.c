// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID table a guest sees.
 *
 * The default is the host's, restricted to what this hypervisor lets a
 * guest use: VMX/SMX, MONITOR/MWAIT, PCID/INVPCID, PKU, LA57, RDTSCP/
 * RDPID, XSAVES, TSC_ADJUST, machine checks, the PMU and the
 * speculation-control MSRs (not modelled) are hidden, and so are x2APIC
 * and TSC-deadline unless the VM has the in-kernel irqchip (without it
 * no local APIC answers their MSRs).  XSAVE and AVX are hidden too when
 * the host uses no XSAVE.  The hypervisor bit is set, leaf 0x40000000
 * names us and 0x40000100 is KVM's, with the paravirtual features
 * served (add_kvm_leaves()).  A few fields follow vCPU state at lookup: the APIC ID,
 * OSXSAVE, and the XSAVE size for the guest's XCR0.  A VM with the
 * in-kernel irqchip sees x2APIC, TSC-deadline, ARAT and its TSC rate in
 * leaves 0x15/0x16, so a Linux guest neither calibrates the TSC nor the
 * APIC timer against a PIT, and a topology of one-thread packages that
 * matches its APIC IDs.
 */
#include <asm/processor.h>
#include <asm/page.h>
#include <asm/processor-flags.h>
#include <asm/fpu/types.h>
#include <asm/tsc.h>
#include <linux/sched/stat.h>
#include <asm/kvm_para.h>
#include "cpu/cpuid.h"
#include "cpu/cr.h"
#include "cpu/state.h"
#include "irqchip/apic.h"
#include "stats.h"
#include "vm/vcpu.h"
#include "vm/vm.h"

#define SIG_INDEX		VMCTL_CPUID_FLAG_SIGNIFICANT_INDEX
#define MAX_BASIC_LEAF		0x1f
#define MAX_EXT_LEAF		0x80000008
#define HV_LEAF			0x40000000

struct cpuid_hide {
	u32 fn, idx;
	u32 regs[4];		/* bits to clear in EAX EBX ECX EDX */
};

static const struct cpuid_hide hidden[] = {
	/*
	 * DTES64 MONITOR DS-CPL VMX SMX EST TM2 SDBG xTPR PDCM PCID DCA
	 * x2APIC TSC-deadline; MCE MCA (no MCG/bank MSRs) DS ACPI TM PBE
	 */
	{ 1, 0, { 0, 0, BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) |
		  BIT(8) | BIT(11) | BIT(14) | BIT(15) | BIT(17) | BIT(18) |
		  BIT(21) | BIT(24),
		  BIT(7) | BIT(14) | BIT(21) | BIT(22) | BIT(29) | BIT(31) } },
	/*
	 * TSC_ADJUST SGX INVPCID RDT-M MPX RDT-A PT; PKU OSPKE WAITPKG
	 * CET-SS LA57 RDPID SGX-LC; CET-IBT AMX, speculation-control MSRs
	 */
	{ 7, 0, { 0, BIT(1) | BIT(2) | BIT(10) | BIT(12) | BIT(14) | BIT(15) |
		  BIT(25),
		  BIT(3) | BIT(4) | BIT(5) | BIT(7) | BIT(16) | BIT(22) |
		  BIT(30),
		  BIT(20) | BIT(22) | BIT(24) | BIT(25) | BIT(26) | BIT(27) |
		  BIT(28) | BIT(29) | BIT(30) | BIT(31) } },
	/* XSAVES, XFD */
	{ 0xd, 1, { BIT(3) | BIT(4), 0, 0, 0 } },
	/* RDTSCP */
	{ 0x80000001, 0, { 0, 0, 0, BIT(27) } },
};

static void add_leaf(struct vmctl_cpuid_entry *t, u32 *n, u32 fn, u32 idx,
		     u32 flags)
{
	struct vmctl_cpuid_entry *e;

	if (*n >= VMCTL_MAX_CPUID_ENTRIES)
		return;
	e = &t[(*n)++];
	e->function = fn;
	e->index = idx;
	e->flags = flags;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
}

static void add_basic_leaf(struct vmctl_cpuid_entry *t, u32 *n, u32 fn)
{
	u32 i, a, b, c, d;

	switch (fn) {
	case 0: case 1: case 2: case 0x15: case 0x16:
		add_leaf(t, n, fn, 0, 0);
		break;
	case 4:		/* cache levels until type "null" */
		for (i = 0; i < 16; i++) {
			cpuid_count(4, i, &a, &b, &c, &d);
			if (!(a & 0x1f))
				break;
			add_leaf(t, n, 4, i, SIG_INDEX);
		}
		break;
	case 7:		/* EAX of subleaf 0: last subleaf */
		cpuid_count(7, 0, &a, &b, &c, &d);
		for (i = 0; i <= min(a, 2U); i++)
			add_leaf(t, n, 7, i, SIG_INDEX);
		break;
	case 0xb: case 0x1f:	/* topology levels until type "invalid" */
		for (i = 0; i < 8; i++) {
			cpuid_count(fn, i, &a, &b, &c, &d);
			add_leaf(t, n, fn, i, SIG_INDEX);
			if (!(c & 0xff00))
				break;
		}
		break;
	case 0xd:	/* XSAVE: 0, 1 and the components a guest may use */
		for (i = 0; i < 64; i++)
			if (i < 2 || (vmctl_guest_xcr0_mask() & BIT_ULL(i)))
				add_leaf(t, n, 0xd, i, SIG_INDEX);
		break;
	default:	/* thermal, PMU, RDT, SGX, PT, AMX...: not offered */
		break;
	}
}

static struct vmctl_cpuid_entry *find(struct vmctl_cpuid_entry *t, u32 n,
				      u32 fn, u32 idx)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (t[i].function == fn &&
		    (!(t[i].flags & SIG_INDEX) || t[i].index == idx))
			return &t[i];
	return NULL;
}

#define CPUID_1_ECX_FMA		BIT(12)
#define CPUID_1_ECX_XSAVE	BIT(26)
#define CPUID_1_ECX_AVX		BIT(28)
#define CPUID_1_ECX_F16C	BIT(29)
#define CPUID_7_EBX_AVX2	BIT(5)
/* AVX512 F DQ IFMA PF ER CD BW VL */
#define CPUID_7_EBX_AVX512	(BIT(16) | BIT(17) | BIT(21) | BIT(26) | \
				 BIT(27) | BIT(28) | BIT(30) | BIT(31))
/* AVX512 VBMI VBMI2 VNNI BITALG VPOPCNTDQ */
#define CPUID_7_ECX_AVX512	(BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define CPUID_7_ECX_VEX256	(BIT(9) | BIT(10))	/* VAES VPCLMULQDQ */
/* AVX512 4VNNIW 4FMAPS VP2INTERSECT FP16 */
#define CPUID_7_EDX_AVX512	(BIT(2) | BIT(3) | BIT(8) | BIT(23))
#define CPUID_7_1_EAX_AVX_VNNI	BIT(4)
#define CPUID_7_1_EAX_AVX512	BIT(5)			/* BF16 */

/*
 * Features whose registers XSAVE manages exist for a guest only when XCR0
 * can enable their state: no XSAVE without any state, nothing AVX without
 * YMM, nothing AVX-512 without opmask and ZMM state.  Leaf 7 must agree
 * with leaf 1, and leaf 0xd with both.
 */
static void hide_xsave_features(struct vmctl_cpuid_entry *t, u32 n, u64 xcr0)
{
	bool avx = xcr0 & XFEATURE_MASK_YMM;
	bool avx512 = (xcr0 & XFEATURE_MASK_AVX512) == XFEATURE_MASK_AVX512;
	struct vmctl_cpuid_entry *e;
	u32 i;

	e = find(t, n, 1, 0);
	if (e && !xcr0)
		e->ecx &= ~CPUID_1_ECX_XSAVE;
	if (e && !avx)
		e->ecx &= ~(CPUID_1_ECX_AVX | CPUID_1_ECX_FMA |
			    CPUID_1_ECX_F16C);
	e = find(t, n, 7, 0);
	if (e && !avx512) {
		e->ebx &= ~CPUID_7_EBX_AVX512;
		e->ecx &= ~CPUID_7_ECX_AVX512;
		e->edx &= ~CPUID_7_EDX_AVX512;
	}
	if (e && !avx) {
		e->ebx &= ~CPUID_7_EBX_AVX2;
		e->ecx &= ~CPUID_7_ECX_VEX256;
	}
	e = find(t, n, 7, 1);
	if (e && !avx512)
		e->eax &= ~CPUID_7_1_EAX_AVX512;
	if (e && !avx)
		e->eax &= ~CPUID_7_1_EAX_AVX_VNNI;
	for (i = 0; i < n && !xcr0; i++)
		if (t[i].function == 0xd)
			t[i].eax = t[i].ebx = t[i].ecx = t[i].edx = 0;
}

static void apply_policy(struct vmctl_cpuid_entry *t, u32 n)
{
	struct vmctl_cpuid_entry *e;
	u64 xcr0 = vmctl_guest_xcr0_mask();
	u32 i;

	for (i = 0; i < ARRAY_SIZE(hidden); i++) {
		e = find(t, n, hidden[i].fn, hidden[i].idx);
		if (!e)
			continue;
		e->eax &= ~hidden[i].regs[0];
		e->ebx &= ~hidden[i].regs[1];
		e->ecx &= ~hidden[i].regs[2];
		e->edx &= ~hidden[i].regs[3];
	}
	e = find(t, n, 0, 0);
	if (e)
		e->eax = min(e->eax, (u32)MAX_BASIC_LEAF);
	e = find(t, n, 1, 0);
	if (e)
		e->ecx |= BIT(31);	/* running under a hypervisor */
	e = find(t, n, 0xd, 0);
	if (e) {
		e->eax = (u32)xcr0;
		e->edx = xcr0 >> 32;
	}
	e = find(t, n, 0xd, 1);
	if (e)
		e->ecx = e->edx = 0;	/* no supervisor (XSS) state */
	/*
	 * A host without XSAVE in use gives guests none either (XSETBV
	 * would #GP), rather than a leaf 0xd that lists no components.
	 */
	hide_xsave_features(t, n, xcr0);
}

/* Leaf @fn (index 0) with these values, replaced or appended. */
static void set_leaf(struct vmctl_cpuid_entry *t, u32 *n, u32 fn, u32 eax,
		     u32 ebx, u32 ecx, u32 edx)
{
	struct vmctl_cpuid_entry *e = find(t, *n, fn, 0);

	if (!e) {
		if (*n >= VMCTL_MAX_CPUID_ENTRIES)
			return;
		e = &t[(*n)++];
	}
	*e = (struct vmctl_cpuid_entry) {
		.function = fn, .eax = eax, .ebx = ebx, .ecx = ecx, .edx = edx,
	};
}

#define CPUID_1_ECX_X2APIC		BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE	BIT(24)
#define CPUID_6_EAX_ARAT		BIT(2)	/* APIC timer runs in C-states */
#define TSC_LEAF			0x15
#define FREQ_LEAF			0x16

#define CPUID_1_EDX_HTT			BIT(28)
#define CPUID_1_EBX_NPROC		GENMASK(23, 16)
#define CPUID_4_EAX_SHARING		GENMASK(31, 14)	/* cores, threads */
#define TOPO_LEVEL_SMT			1
#define TOPO_LEVEL_CORE			2

/*
 * Each vCPU is a package of one core with one thread (APIC ID = vCPU id,
 * shift 0 at every level), whatever the host's topology: the host's
 * counts in leaves 1, 4, 0xb and 0x1f would not match the APIC IDs a
 * guest enumerates (Linux warns and guesses).
 */
static void apply_topology(struct vmctl_cpuid_entry *t, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		struct vmctl_cpuid_entry *e = &t[i];

		switch (e->function) {
		case 1:
			e->edx &= ~CPUID_1_EDX_HTT;
			e->ebx = (e->ebx & ~CPUID_1_EBX_NPROC) | 1U << 16;
			break;
		case 4:
			e->eax &= ~CPUID_4_EAX_SHARING;
			break;
		case 0xb:
		case 0x1f:	/* EDX, the x2APIC ID, is filled in at lookup */
			e->eax = 0;
			e->ebx = e->index < 2;
			e->ecx = e->index;
			if (e->index == 0)
				e->ecx |= TOPO_LEVEL_SMT << 8;
			else if (e->index == 1)
				e->ecx |= TOPO_LEVEL_CORE << 8;
			break;
		}
	}
}

static void apply_irqchip_policy(struct vmctl_cpuid_entry *t, u32 *n)
{
	struct vmctl_lapic_clock clock;
	struct vmctl_cpuid_entry *e;
	u32 crystal_hz, mhz = tsc_khz / 1000;

	apply_topology(t, *n);
	e = find(t, *n, 1, 0);
	if (e)
		e->ecx |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE;
	set_leaf(t, n, 6, CPUID_6_EAX_ARAT, 0, 0, 0);
	/* TSC = crystal * EBX / EAX; the APIC timer ticks at the crystal. */
	vmctl_apic_clock(&clock, &crystal_hz);
	set_leaf(t, n, TSC_LEAF, clock.tsc_per_crystal_den,
		 clock.tsc_per_crystal_num, crystal_hz, 0);
	set_leaf(t, n, FREQ_LEAF, mhz, mhz, 0, 0);
	e = find(t, *n, 0, 0);
	if (e)
		e->eax = max_t(u32, e->eax, FREQ_LEAF);
}

/*
 * KVM's signature and the paravirtual features vmctl serves, so an
 * unmodified Linux uses them: kvmclock with its stable bit (kvmclock.c);
 * steal time (steal_time.c) where the host keeps the run delays it is
 * made of; the sched-yield hypercall (kvm_hypercall.c).  With the
 * in-kernel local APIC also PV EOI (pv_eoi.c) and the send-IPI and
 * kick-CPU (PV unhalt) hypercalls (kvm_hypercall.c), which are APIC work.
 * Not served, and why (PV TLB flush, async PF...): README.md, "KVM's
 * paravirtual interface".  Each range's EAX is its own last leaf; Linux finds KVM's
 * by its signature.
 */
static void add_kvm_leaves(struct vmctl_cpuid_entry *t, u32 *n, bool apic)
{
	u32 sig[3], f;

	memcpy(sig, VMCTL_KVM_SIGNATURE, sizeof(sig));
	set_leaf(t, n, VMCTL_KVM_LEAF, VMCTL_KVM_LEAF + 1, sig[0], sig[1],
		 sig[2]);
	f = BIT(KVM_FEATURE_CLOCKSOURCE2) |
	    BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT) |
	    BIT(KVM_FEATURE_PV_SCHED_YIELD);
	if (sched_info_on())
		f |= BIT(KVM_FEATURE_STEAL_TIME);
	if (apic)
		f |= BIT(KVM_FEATURE_PV_EOI) | BIT(KVM_FEATURE_PV_SEND_IPI) |
		     BIT(KVM_FEATURE_PV_UNHALT);
	set_leaf(t, n, VMCTL_KVM_LEAF + 1, f, 0, 0, 0);
}

/*
 * The KVM features the table offers, kept for the MSR and hypercall
 * exits: none without KVM's signature (the bare platform).
 */
static void update_kvm_features(struct vmk_vcpu *vcpu)
{
	u32 r[4];

	vcpu->kvm_features = 0;
	vmctl_cpuid_lookup(vcpu, VMCTL_KVM_LEAF, 0, r);
	if (memcmp(&r[1], VMCTL_KVM_SIGNATURE, 12))
		return;
	vmctl_cpuid_lookup(vcpu, VMCTL_KVM_LEAF + 1, 0, r);
	vcpu->kvm_features = r[0];
}

int vmctl_cpuid_init_default(struct vmk_vcpu *vcpu)
{
	struct vmctl_cpuid_entry *t;
	u32 n = 0, fn, max;

	t = vmctl_zalloc(VMCTL_MAX_CPUID_ENTRIES * sizeof(*t));
	if (!t)
		return -ENOMEM;
	max = min_t(u32, cpuid_eax(0), MAX_BASIC_LEAF);
	for (fn = 0; fn <= max; fn++)
		add_basic_leaf(t, &n, fn);
	if (n < VMCTL_MAX_CPUID_ENTRIES) {
		struct vmctl_cpuid_entry *hv = &t[n++];

		hv->function = HV_LEAF;
		hv->eax = HV_LEAF;
		memcpy(&hv->ebx, "vmct", 4);
		memcpy(&hv->ecx, "lvmc", 4);
		memcpy(&hv->edx, "tlvm", 4);
	}
	add_kvm_leaves(t, &n, vcpu->vm->irqchip);
	max = min_t(u32, cpuid_eax(0x80000000), MAX_EXT_LEAF);
	for (fn = 0x80000000; fn <= max; fn++)
		add_leaf(t, &n, fn, 0, 0);
	apply_policy(t, n);
	if (vcpu->vm->irqchip)
		apply_irqchip_policy(t, &n);
	vcpu->cpuid = t;	/* VMCTL_MAX_CPUID_ENTRIES, for SET_CPUID */
	vcpu->cpuid_nent = n;
	update_kvm_features(vcpu);
	return 0;
}

int vmctl_cpuid_set(struct vmk_vcpu *vcpu, const struct vmctl_cpuid *c,
		    const struct vmctl_cpuid_entry *ents)
{
	u32 i;

	for (i = 0; i < c->nent; i++)
		if (ents[i].flags & ~SIG_INDEX || ents[i].padding ||
		    (!(ents[i].flags & SIG_INDEX) && ents[i].index))
			return -EINVAL;
	/* The table is allocated at its maximum size once per vCPU. */
	memcpy(vcpu->cpuid, ents, c->nent * sizeof(*ents));
	vcpu->cpuid_nent = c->nent;
	update_kvm_features(vcpu);
	return 0;
}

/* Standard-format XSAVE size for the components in @xcr0. */
u32 vmctl_xsave_size(u64 xcr0)
{
	u32 size = 512 + 64, i, a, b, c, d;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &a, &b, &c, &d);
		size = max(size, a + b);
	}
	return size;
}

void vmctl_cpuid_lookup(struct vmk_vcpu *vcpu, u32 fn, u32 idx, u32 out[4])
{
	struct vmctl_cpuid_entry *e = find(vcpu->cpuid, vcpu->cpuid_nent,
					   fn, idx);

	if (!e) {
		out[0] = out[1] = out[2] = out[3] = 0;
		return;
	}
	out[0] = e->eax;
	out[1] = e->ebx;
	out[2] = e->ecx;
	out[3] = e->edx;
	switch (fn) {
	case 1:
		out[1] = (out[1] & 0x00ffffff) | vcpu->id << 24;
		out[2] &= ~BIT(27);
		if (vcpu->cr4 & X86_CR4_OSXSAVE)
			out[2] |= BIT(27);
		break;
	case 0xb:
	case 0x1f:
		out[3] = vcpu->id;
		break;
	case 0xd:
		if (idx == 0)
			out[1] = vmctl_xsave_size(vcpu->xcr0);
		break;
	}
}

int vmctl_handle_cpuid(struct vmk_vcpu *vcpu)
{
	u32 out[4];

	vmctl_cpuid_lookup(vcpu, vcpu->gpr[GPR_RAX], vcpu->gpr[GPR_RCX], out);
	vcpu->gpr[GPR_RAX] = out[0];
	vcpu->gpr[GPR_RBX] = out[1];
	vcpu->gpr[GPR_RCX] = out[2];
	vcpu->gpr[GPR_RDX] = out[3];
	vmctl_skip_insn(vcpu);
	return EXIT_REENTER;
}
