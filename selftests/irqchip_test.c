// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel interrupt controllers (VMCTL_CREATE_IRQCHIP): the ioctl's
 * errors, the local APIC's registers in xAPIC and x2APIC mode, its timer
 * (one-shot, periodic, TSC-deadline) interrupting a guest handler, HLT
 * sleeping in the kernel until then, an interrupt held while IF=0, the
 * I/O APIC behind VMCTL_IRQ_LINE with EOI, NMIs, HLT with IF=0 reaching
 * user space, logical destinations, the irqchip VM's CPUID and TSC,
 * INIT/SIPI start-up of a second vCPU and an IPI back, a signal ending a
 * vCPU asleep in HLT, and VM teardown with timers armed.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "die.h"
#include "irqchip.h"
#include "kick.h"
#include "stats.h"
#include "ucall.h"

#define VEC_TIMER		0x40
#define VEC_TIMER_X2		0x41
#define VEC_IPI			0x60
#define VEC_EDGE		0x50
#define VEC_LEVEL		0x51
#define PIN_EDGE		4
#define PIN_LEVEL		5
#define SIPI_VECTOR		0x70	/* the AP starts at 0x70000 */
#define AP_CODE_GPA		(SIPI_VECTOR << 12)

/* Guest data: interrupt counters and values handlers saw. */
#define COUNT0			"0x80000"
#define COUNT1			"0x80004"
#define SAVE0			"0x80008"
#define SAVE1			"0x8000c"

/* An interrupt handler: count, EOI through the x2APIC EOI MSR, return. */
#define ISR_X2APIC(label, counter)					\
	label ":\n\t"							\
	"push %rax\n\t"							\
	"push %rcx\n\t"							\
	"push %rdx\n\t"							\
	"incl " counter "\n\t"						\
	WRMSR(0x80b, 0, 0)						\
	"pop %rdx\n\t"							\
	"pop %rcx\n\t"							\
	"pop %rax\n\t"							\
	"iretq\n"

/* ---- VMCTL_CREATE_IRQCHIP and VMCTL_IRQ_LINE errors ---- */

FIXTURE(irqchip_api) {
	struct vm *vm;
};

FIXTURE_SETUP(irqchip_api)
{
	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	self->vm = vm_create("");
}

FIXTURE_TEARDOWN(irqchip_api)
{
	if (self->vm)
		vm_destroy(self->vm);
}

TEST_F(irqchip_api, create_twice_is_eexist)
{
	ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_CREATE_IRQCHIP, 0));
	ASSERT_EQ(-1, ioctl(self->vm->fd, VMCTL_CREATE_IRQCHIP, 0));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(irqchip_api, create_after_vcpu_is_ebusy)
{
	struct vcpu *vcpu = vcpu_add(self->vm, 0);

	ASSERT_EQ(-1, ioctl(self->vm->fd, VMCTL_CREATE_IRQCHIP, 0));
	EXPECT_EQ(EBUSY, errno);
	vcpu_destroy(vcpu);
}

TEST_F(irqchip_api, irq_line_without_irqchip_is_enxio)
{
	struct vmctl_irq_line l = { .irq = 4, .level = 1 };

	ASSERT_EQ(-1, ioctl(self->vm->fd, VMCTL_IRQ_LINE, &l));
	EXPECT_EQ(ENXIO, errno);
}

TEST_F(irqchip_api, irq_line_bad_arguments_are_einval)
{
	struct vmctl_irq_line bad[] = {
		{ .irq = VMCTL_IOAPIC_PINS, .level = 1 },
		{ .irq = 4, .level = 2 },
		{ .irq = 4, .level = 1, .flags = 1 },
	};
	struct vmctl_irq_line good = { .irq = VMCTL_IOAPIC_PINS - 1 };
	unsigned int i;

	ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_CREATE_IRQCHIP, 0));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, ioctl(self->vm->fd, VMCTL_IRQ_LINE, &bad[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u", i);
	}
	EXPECT_EQ(0, ioctl(self->vm->fd, VMCTL_IRQ_LINE, &good));
}

TEST_F(irqchip_api, cpuid_tells_tsc_rate_and_apic_features)
{
	struct {
		struct vmctl_cpuid hdr;
		struct vmctl_cpuid_entry e[VMCTL_MAX_CPUID_ENTRIES];
	} c = { .hdr.nent = VMCTL_MAX_CPUID_ENTRIES };
	uint32_t leaf1_ebx = 0, leaf1_ecx = 0, leaf1_edx = 0;
	uint32_t leaf6_eax = 0, max_leaf = 0;
	uint64_t tsc_hz = 0;
	struct vcpu *vcpu;
	long khz;
	unsigned int i;

	khz = ioctl(self->vm->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_TSC_KHZ);
	ASSERT_LT(0, khz);
	ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_CREATE_IRQCHIP, 0));
	vcpu = vcpu_add(self->vm, 0);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_CPUID, &c));
	for (i = 0; i < c.hdr.nent; i++) {
		struct vmctl_cpuid_entry *e = &c.e[i];

		if (e->function == 0)
			max_leaf = e->eax;
		if (e->function == 1) {
			leaf1_ebx = e->ebx;
			leaf1_ecx = e->ecx;
			leaf1_edx = e->edx;
		}
		if (e->function == 6)
			leaf6_eax = e->eax;
		if (e->function == 0x15 && e->eax)
			tsc_hz = (uint64_t)e->ecx * e->ebx / e->eax;
	}
	EXPECT_LE(0x16, max_leaf);
	EXPECT_TRUE(leaf1_ecx & (1U << 21)) TH_LOG("x2APIC");
	EXPECT_TRUE(leaf1_ecx & (1U << 24)) TH_LOG("TSC-deadline");
	EXPECT_TRUE(leaf6_eax & (1U << 2)) TH_LOG("ARAT");
	/* One thread per package; no machine-check MSRs behind MCE/MCA. */
	EXPECT_FALSE(leaf1_edx & (1U << 28)) TH_LOG("HTT");
	EXPECT_EQ(1, (leaf1_ebx >> 16) & 0xff);
	EXPECT_FALSE(leaf1_edx & ((1U << 7) | (1U << 14))) TH_LOG("MCE/MCA");
	EXPECT_EQ((uint64_t)khz, tsc_hz / 1000);
	vcpu_destroy(vcpu);
}

/* ---- one vCPU with an irqchip ---- */

FIXTURE(apic) {
	struct vm *vm;
	struct vcpu *vcpu;
	struct vmctl_module_stats base;
};

FIXTURE_SETUP(apic)
{
	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	module_stats_now(&self->base);
	self->vm = irqchip_vm_create();
	self->vcpu = vcpu_add(self->vm, 0);
}

FIXTURE_TEARDOWN(apic)
{
	if (!self->vm)
		return;
	vcpu_destroy(self->vcpu);
	vm_destroy(self->vm);
	/* Timers may still be armed: nothing may stay behind. */
	EXPECT_MODULE_BASELINE(&self->base);
}

GUEST64(xapic_regs_guest,
	WRMSR(0x8b, 0, 0)			/* microcode revision: reads 0 */
	RDMSR(0x8b)
	"or %edx, %eax\n\t"
	"mov %eax, %ecx\n\t"
	MMIO_R(XAPIC_ID, "%edi")
	MMIO_R(XAPIC_VERSION, "%esi")
	GUEST_END);

TEST_F(apic, xapic_id_and_version)
{
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &xapic_regs_guest, 0, NULL);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(0, uc.args[0]);		/* APIC ID 0 in bits 31:24 */
	EXPECT_EQ(0x14, uc.args[1] & 0xff);	/* integrated APIC */
	EXPECT_LE(3, (uc.args[1] >> 16) & 0xff);	/* max LVT */
	EXPECT_EQ(0, uc.args[3]);
}

GUEST64(x2apic_guest,
	RDMSR(0x1b)
	"or $0xc00, %eax\n\t"		/* EN | EXTD: x2APIC mode */
	"wrmsr\n\t"
	RDMSR(0x802)
	"mov %eax, %edi\n\t"
	RDMSR(0x803)
	"mov %eax, %esi\n\t"
	RDMSR(0x1b)
	"mov %eax, %edx\n\t"
	G_UCALL(UCALL_SYNC)
	/* TSC-deadline timer through the MSRs */
	WRMSR(0x80f, 0x1ff, 0)
	WRMSR(0x832, 0x40041, 0)	/* deadline mode, VEC_TIMER_X2 */
	"rdtsc\n\t"
	"shl $32, %rdx\n\t"
	"or %rdx, %rax\n\t"
	"add $100000, %rax\n\t"
	"mov %rax, %rdx\n\t"
	"shr $32, %rdx\n\t"
	"mov $0x6e0, %ecx\n\t"
	"wrmsr\n\t"
	WAIT_COUNT(COUNT0, 1)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_X2APIC("x2apic_isr", COUNT0));
GUEST_LABEL(x2apic_isr);

TEST_F(apic, x2apic_registers_and_tsc_deadline_timer)
{
	struct vmctl_vcpu_stats st;
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &x2apic_guest, VEC_TIMER_X2, x2apic_isr);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(0, uc.args[0]);			/* x2APIC ID */
	EXPECT_EQ(0x14, uc.args[1] & 0xff);
	EXPECT_EQ(0xd00, uc.args[2] & 0xd00);		/* EN EXTD BSP */
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	vcpu_get_stats(self->vcpu, &st);
	EXPECT_EQ(2, st.user_exits);
}

GUEST64(oneshot_guest,
	XAPIC_ENABLE
	MMIO_W(XAPIC_LVT_TIMER, 0x40)		/* one-shot, VEC_TIMER */
	MMIO_W(XAPIC_TIMER_DCR, 0xb)		/* divide by 1 */
	MMIO_W(XAPIC_TIMER_ICR, 200000)
	WAIT_COUNT(COUNT0, 1)
	"mov " COUNT0 ", %edi\n\t"
	MMIO_R(0xfee00390, "%esi")		/* current count: 0 */
	GUEST_END
	ISR_XAPIC("oneshot_isr", COUNT0));
GUEST_LABEL(oneshot_isr);

TEST_F(apic, oneshot_timer_wakes_hlt_in_kernel)
{
	struct vmctl_vcpu_stats st;
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &oneshot_guest, VEC_TIMER, oneshot_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	/* The guest halted, and no HLT reached user space. */
	vcpu_get_stats(self->vcpu, &st);
	EXPECT_LE(1, st.hw_exits[VMCTL_HW_EXIT_HLT]);
}

GUEST64(deadline_guest,
	XAPIC_ENABLE
	MMIO_W(XAPIC_LVT_TIMER, 0x40040)	/* TSC-deadline, VEC_TIMER */
	"rdtsc\n\t"
	"shl $32, %rdx\n\t"
	"or %rdx, %rax\n\t"
	"add $200000, %rax\n\t"
	"mov %rax, %rdx\n\t"
	"shr $32, %rdx\n\t"
	"mov $0x6e0, %ecx\n\t"
	"wrmsr\n\t"
	WAIT_COUNT(COUNT0, 1)
	"mov " COUNT0 ", %edi\n\t"
	RDMSR(0x6e0)				/* consumed: reads 0 */
	"mov %eax, %esi\n\t"
	GUEST_END
	ISR_XAPIC("deadline_isr", COUNT0));
GUEST_LABEL(deadline_isr);

TEST_F(apic, tsc_deadline_timer_in_xapic_mode)
{
	struct vmctl_vcpu_stats st;
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &deadline_guest, VEC_TIMER, deadline_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	vcpu_get_stats(self->vcpu, &st);
	EXPECT_LE(1, st.hw_exits[VMCTL_HW_EXIT_HLT]);
}

GUEST64(periodic_guest,
	XAPIC_ENABLE
	MMIO_W(XAPIC_LVT_TIMER, 0x20040)	/* periodic, VEC_TIMER */
	MMIO_W(XAPIC_TIMER_DCR, 0xb)
	MMIO_W(XAPIC_TIMER_ICR, 100000)
	WAIT_COUNT(COUNT0, 3)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END				/* the timer stays armed */
	ISR_XAPIC("periodic_isr", COUNT0));
GUEST_LABEL(periodic_isr);

TEST_F(apic, periodic_timer_then_teardown_armed)
{
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &periodic_guest, VEC_TIMER, periodic_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_LE(3, uc.args[0]);
	/* Let it fire a few more times with nobody running the vCPU. */
	usleep(20000);
}

/*
 * A periodic timer of one tick would interrupt the guest faster than it
 * can take the interrupts; the module's floor on the period (200 us)
 * leaves it time to run.  The guest counts down with the timer running,
 * stops it and reports how many interrupts came.
 */
GUEST64(fast_periodic_guest,
	XAPIC_ENABLE
	MMIO_W(XAPIC_LVT_TIMER, 0x20040)	/* periodic, VEC_TIMER */
	MMIO_W(XAPIC_TIMER_DCR, 0xb)
	MMIO_W(XAPIC_TIMER_ICR, 1)
	"mov $20000, %ecx\n"
	"1: dec %ecx\n\t"
	"jnz 1b\n\t"
	MMIO_W(XAPIC_TIMER_ICR, 0)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_XAPIC("fast_periodic_isr", COUNT0));
GUEST_LABEL(fast_periodic_isr);

TEST_F(apic, one_tick_periodic_timer_leaves_the_guest_time)
{
	struct kicked_run r;
	struct ucall uc;
	int i;

	vcpu_load_guest_isr(self->vcpu, &fast_periodic_guest, VEC_TIMER, fast_periodic_isr);
	/* Up to 30 s, a second per RUN: a livelocked guest never gets out. */
	for (i = 0; i < 30; i++) {
		vcpu_run_kicked(self->vcpu, 50, &r);
		if (r.ret == 0)
			break;
		ASSERT_EQ(EINTR, r.err);
	}
	ASSERT_EQ(0, r.ret) TH_LOG("no progress in %d s", i);
	ASSERT_EQ(UCALL_DONE, ucall_decode(self->vcpu, &uc));
	EXPECT_LE(1, uc.args[0]);
	TH_LOG("%llu timer interrupts, %d s", (unsigned long long)uc.args[0], i);
}

GUEST64(if0_guest,
	"cli\n\t"
	XAPIC_ENABLE
	MMIO_W(XAPIC_LVT_TIMER, 0x40)
	MMIO_W(XAPIC_TIMER_DCR, 0xb)
	MMIO_W(XAPIC_TIMER_ICR, 1000)
	/* Wait for the timer's vector in IRR (0x40: IRR word 2, bit 0). */
	"1: mov $" __stringify(XAPIC_IRR) " + 0x20, %eax\n\t"
	"testl $1, (%rax)\n\t"
	"jz 1b\n\t"
	"mov " COUNT0 ", %edi\n\t"		/* still 0: IF=0 */
	"sti\n\t"
	"nop\n\t"				/* the interrupt comes here */
	"mov " COUNT0 ", %esi\n\t"
	GUEST_END
	ISR_XAPIC("if0_isr", COUNT0));
GUEST_LABEL(if0_isr);

TEST_F(apic, interrupt_held_while_if_is_clear)
{
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &if0_guest, VEC_TIMER, if0_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(0, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
}

GUEST64(hlt_forever_guest,
	"sti\n"
	"1: hlt\n\t"
	"jmp 1b\n\t");

TEST_F(apic, signal_ends_run_asleep_in_hlt)
{
	struct vmctl_vcpu_stats st;
	struct kicked_run r;

	vcpu_load_guest_isr(self->vcpu, &hlt_forever_guest, 0, NULL);
	vcpu_run_kicked(self->vcpu, 50, &r);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err);
	EXPECT_EQ(VMCTL_EXIT_INTR, self->vcpu->run->exit_reason);
	vcpu_get_stats(self->vcpu, &st);
	EXPECT_LE(1, st.hw_exits[VMCTL_HW_EXIT_HLT]);
	EXPECT_EQ(0, st.user_exits);
}

/*
 * NMI to self through the ICR; the handler sends a second one, which
 * must wait for its IRET (virtual-NMI blocking, NMI-window exit).
 */
GUEST64(nmi_guest,
	MMIO_W(XAPIC_ICR, 0x44400)		/* NMI, shorthand self */
	"1: cmpl $2, " COUNT0 "\n\t"
	"jb 1b\n\t"
	"mov " COUNT0 ", %edi\n\t"
	"mov " SAVE0 ", %esi\n\t"
	GUEST_END
	"nmi_isr:\n\t"
	"push %rax\n\t"
	"incl " COUNT0 "\n\t"
	"cmpl $1, " COUNT0 "\n\t"
	"jne 1f\n\t"
	MMIO_W(XAPIC_ICR, 0x44400)
	"mov " COUNT0 ", %eax\n\t"		/* still 1: no nesting */
	"mov %eax, " SAVE0 "\n"
	"1: pop %rax\n\t"
	"iretq\n");
GUEST_LABEL(nmi_isr);

TEST_F(apic, nmi_ipi_and_nmi_blocking)
{
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &nmi_guest, 2, nmi_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
}

/*
 * Logical flat destinations: LDR bit 0, so IPIs to logical mask 1 (fixed,
 * then lowest priority) arrive and one to mask 2 does not.
 */
GUEST64(logical_guest,
	XAPIC_ENABLE
	MMIO_W(0xfee000e0, 0xffffffff)		/* DFR: flat model */
	MMIO_W(0xfee000d0, 0x01000000)		/* LDR: logical ID bit 0 */
	MMIO_W(XAPIC_ICR2, 0x01000000)
	MMIO_W(XAPIC_ICR, 0x4860)		/* fixed, logical, VEC_IPI */
	WAIT_COUNT(COUNT0, 1)
	MMIO_W(XAPIC_ICR2, 0x02000000)
	MMIO_W(XAPIC_ICR, 0x4860)		/* nobody has bit 1 */
	MMIO_W(XAPIC_ICR2, 0x01000000)
	MMIO_W(XAPIC_ICR, 0x4960)		/* lowest priority */
	WAIT_COUNT(COUNT0, 2)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_XAPIC("logical_isr", COUNT0));
GUEST_LABEL(logical_isr);

TEST_F(apic, logical_flat_destinations)
{
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &logical_guest, VEC_IPI, logical_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]);
}

/*
 * TPR: with CR8 = 5 (TPR 0x50) a self-IPI of priority class 4 waits in
 * IRR; lowering TPR through the xAPIC page lets it in.
 */
GUEST64(tpr_guest,
	XAPIC_ENABLE
	"mov $5, %eax\n\t"
	"mov %rax, %cr8\n\t"
	MMIO_W(XAPIC_ICR, 0x44040)		/* self, fixed, VEC_TIMER */
	"nop\n\t"
	"mov " COUNT0 ", %edi\n\t"		/* 0: masked by TPR */
	MMIO_R(0xfee00080, "%edx")		/* TPR as the page shows it */
	MMIO_W(0xfee00080, 0)
	"nop\n\t"
	"mov " COUNT0 ", %esi\n\t"		/* 1 */
	"mov %cr8, %rcx\n\t"
	GUEST_END
	ISR_XAPIC("tpr_isr", COUNT0));
GUEST_LABEL(tpr_isr);

TEST_F(apic, tpr_and_cr8_hold_lower_priority_classes)
{
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &tpr_guest, VEC_TIMER, tpr_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(0, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	EXPECT_EQ(0x50, uc.args[2]);
	EXPECT_EQ(0, uc.args[3]);
	EXPECT_EQ(0, self->vcpu->run->cr8);	/* the snapshot follows TPR */
}

/* HLT with IF=0: only NMI/INIT/SIPI end it, so user space hears of it. */
GUEST64(hlt_if0_guest,
	"cli\n\t"
	"hlt\n\t"
	GUEST_END);

TEST_F(apic, hlt_with_if_clear_exits_then_waits_on)
{
	struct kicked_run r;

	vcpu_load_guest_isr(self->vcpu, &hlt_if0_guest, 0, NULL);
	ASSERT_EQ(0, vcpu_run(self->vcpu));
	EXPECT_EQ(VMCTL_EXIT_HLT, self->vcpu->run->exit_reason);
	/* RUN again: still halted, until a signal. */
	vcpu_run_kicked(self->vcpu, 10, &r);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err);
}

/* The I/O APIC: pin 4 edge, pin 5 level, both to APIC 0. */
GUEST64(ioapic_guest,
	XAPIC_ENABLE
	IOAPIC_W(0x18, 0x50)			/* pin 4: VEC_EDGE, edge */
	IOAPIC_W(0x19, 0)
	IOAPIC_W(0x1a, 0x8051)			/* pin 5: VEC_LEVEL, level */
	IOAPIC_W(0x1b, 0)
	G_UCALL(UCALL_SYNC)
	WAIT_COUNT(COUNT0, 1)
	WAIT_COUNT(COUNT1, 1)
	"mov " COUNT0 ", %edi\n\t"
	"mov " COUNT1 ", %esi\n\t"
	"mov " SAVE0 ", %edx\n\t"
	"mov " SAVE1 ", %ecx\n\t"
	GUEST_END
	ISR_XAPIC("ioapic_edge_isr", COUNT0)
	/* Level: remote IRR set, mask the pin, EOI, remote IRR clear. */
	"ioapic_level_isr:\n\t"
	"push %rax\n\t"
	"push %rbx\n\t"
	"mov $" __stringify(IOAPIC_REGSEL) ", %ebx\n\t"
	"movl $0x1a, (%rbx)\n\t"
	"mov 0x10(%rbx), %eax\n\t"
	"mov %eax, " SAVE0 "\n\t"
	"or $0x10000, %eax\n\t"
	"mov %eax, 0x10(%rbx)\n\t"
	"incl " COUNT1 "\n\t"
	MMIO_W(XAPIC_EOI, 0)
	"mov 0x10(%rbx), %eax\n\t"
	"mov %eax, " SAVE1 "\n\t"
	"pop %rbx\n\t"
	"pop %rax\n\t"
	"iretq\n");
GUEST_LABEL(ioapic_edge_isr);
GUEST_LABEL(ioapic_level_isr);

struct line_raiser {
	struct vm *vm;
	int err;
};

/* Raise the lines while the vCPU sleeps in HLT: the wake-up path. */
static void *raise_lines(void *arg)
{
	struct line_raiser *lr = arg;
	struct vmctl_irq_line edge_hi = { .irq = PIN_EDGE, .level = 1 };
	struct vmctl_irq_line edge_lo = { .irq = PIN_EDGE, .level = 0 };
	struct vmctl_irq_line level_hi = { .irq = PIN_LEVEL, .level = 1 };

	usleep(50000);
	if (ioctl(lr->vm->fd, VMCTL_IRQ_LINE, &edge_hi) ||
	    ioctl(lr->vm->fd, VMCTL_IRQ_LINE, &edge_lo))
		lr->err = errno;
	usleep(50000);
	if (ioctl(lr->vm->fd, VMCTL_IRQ_LINE, &level_hi))
		lr->err = errno;
	return NULL;
}

TEST_F(apic, irq_line_through_ioapic_with_eoi)
{
	struct line_raiser lr = { .vm = self->vm };
	struct vmctl_irq_line level_lo = { .irq = PIN_LEVEL, .level = 0 };
	pthread_t t;
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &ioapic_guest, VEC_EDGE, ioapic_edge_isr);
	idt_set_gate(self->vm, VEC_LEVEL,
		     guest_addr(&ioapic_guest, ioapic_level_isr));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	ASSERT_EQ(0, pthread_create(&t, NULL, raise_lines, &lr));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	pthread_join(t, NULL);
	EXPECT_EQ(0, lr.err);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	EXPECT_TRUE(uc.args[2] & (1U << 14)) TH_LOG("remote IRR before EOI");
	EXPECT_FALSE(uc.args[3] & (1U << 14)) TH_LOG("remote IRR after EOI");
	EXPECT_EQ(0, ioctl(self->vm->fd, VMCTL_IRQ_LINE, &level_lo));
}

/* ---- two vCPUs: INIT/SIPI and an IPI ---- */

FIXTURE(smp) {
	struct vm *vm;
	struct vcpu *bsp, *ap;
};

FIXTURE_SETUP(smp)
{
	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	smp_vm_create(&self->vm, &self->bsp, &self->ap);
}

FIXTURE_TEARDOWN(smp)
{
	smp_vm_destroy(self->vm, self->bsp, self->ap);
}

/* The AP in real mode: x2APIC on, report its ID, IPI the BSP. */
GUEST16(ap_guest,
	RDMSR(0x1b)
	"or $0xc00, %eax\n\t"
	"wrmsr\n\t"
	RDMSR(0x802)
	"mov %eax, %edi\n\t"
	"mov %cs, %si\n\t"
	G_UCALL(UCALL_SYNC)
	WRMSR(0x830, 0x4060, 0)			/* fixed VEC_IPI to APIC 0 */
	G_UCALL(UCALL_DONE)
	"1: cli\n\t"
	"hlt\n\t"
	"jmp 1b\n\t");

GUEST64(bsp_guest,
	XAPIC_ENABLE
	MMIO_W(XAPIC_ICR2, 0x01000000)		/* to APIC 1 */
	MMIO_W(XAPIC_ICR, 0x4500)		/* INIT, assert */
	MMIO_W(XAPIC_ICR, 0x4670)		/* SIPI, vector 0x70 */
	WAIT_COUNT(COUNT0, 1)
	"mov " COUNT0 ", %edi\n\t"
	MMIO_R(XAPIC_ID, "%esi")
	GUEST_END
	ISR_XAPIC("bsp_ipi_isr", COUNT0));
GUEST_LABEL(bsp_ipi_isr);

struct ap_result {
	struct vcpu *ap;
	int sync, done;
	struct ucall uc;
};

static void *run_ap(void *arg)
{
	struct ap_result *r = arg;
	struct ucall done;

	r->sync = vcpu_ucall(r->ap, &r->uc);
	r->done = vcpu_ucall(r->ap, &done);
	return NULL;
}

TEST_F(smp, init_sipi_starts_ap_and_ipi_wakes_bsp)
{
	struct ap_result r = { .ap = self->ap };
	size_t ap_size = ap_guest.end - ap_guest.start;
	pthread_t t;
	struct ucall uc;

	memcpy(gpa_to_hva(self->vm, AP_CODE_GPA), ap_guest.start, ap_size);
	vcpu_load_guest_isr(self->bsp, &bsp_guest, VEC_IPI, bsp_ipi_isr);
	/* The AP's RUN waits in the kernel for the SIPI. */
	ASSERT_EQ(0, pthread_create(&t, NULL, run_ap, &r));
	ASSERT_EQ(UCALL_DONE, run_to_done(self->bsp, &uc));
	pthread_join(t, NULL);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);		/* BSP's xAPIC ID */
	EXPECT_EQ(UCALL_SYNC, r.sync);
	EXPECT_EQ(1, r.uc.args[0]);		/* AP's x2APIC ID */
	EXPECT_EQ(SIPI_VECTOR << 8, r.uc.args[1] & 0xffff);	/* CS */
	EXPECT_EQ(UCALL_DONE, r.done);
}

static uint64_t read_tsc(struct vcpu *vcpu)
{
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = 0x10 };

	die_unless(ioctl(vcpu->fd, VMCTL_GET_MSRS, &m) == 1, "GET_MSRS TSC");
	return m.e.data;
}

/* A vCPU created later shares the TSC of the first (SMP guests check). */
TEST_F(smp, vcpus_share_one_tsc)
{
	long khz = ioctl(self->vm->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_TSC_KHZ);
	struct vcpu *late;
	uint64_t t0, t2;

	usleep(100000);
	late = vcpu_add(self->vm, 2);
	t0 = read_tsc(self->bsp);
	t2 = read_tsc(late);
	/* t2 follows t0 closely; 100 ms apart if each had its own origin. */
	EXPECT_LT(t2 - t0, (uint64_t)khz * 50) TH_LOG("t0 %llu t2 %llu",
		(unsigned long long)t0, (unsigned long long)t2);
	vcpu_destroy(late);
}

TEST_F(smp, ap_waits_for_sipi_until_a_signal)
{
	struct vmctl_vcpu_stats st;
	struct kicked_run kr;

	vcpu_run_kicked(self->ap, 10, &kr);
	EXPECT_EQ(-1, kr.ret);
	EXPECT_EQ(EINTR, kr.err);
	vcpu_get_stats(self->ap, &st);
	EXPECT_EQ(0, st.exits);			/* never entered the guest */
}

TEST_HARNESS_MAIN
