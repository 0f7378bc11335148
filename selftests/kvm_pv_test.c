// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's paravirtual interface beyond kvmclock (kvmclock_test.c), served
 * in the kernel: the feature bits of CPUID 0x40000101 (the APIC ones only
 * with the in-kernel irqchip); PV EOI, where a guest that clears its flag
 * skips the EOI exit (not while another interrupt waits in IRR, and
 * never with the flag left set in guest memory for user space); steal
 * time, the vCPU thread's run delay on a CPU shared with a busy thread;
 * the send-IPI and sched-yield hypercalls with their errors; PV unhalt
 * (the kick-CPU hypercall ends a halt with interrupts off, before or
 * after the HLT, not for an APIC ID no vCPU has, not from CPL 3) and
 * hlt.vm_stopped, which says when no vCPU can run again; the MSRs in
 * GET_MSR_INDEX_LIST with their bad values refused; the module's writes
 * of the steal-time record, kvmclock's time info and the PV EOI flag in
 * the dirty log; and the
 * bare platform (no KVM leaves), where the MSRs #GP and the hypercalls go
 * to user space.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "irqchip.h"
#include "kick.h"
#include "layout.h"
#include "modes.h"
#include "ucall.h"

#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_KVM_STEAL_TIME	0x4b564d03
#define MSR_KVM_PV_EOI_EN	0x4b564d04
#define F_STEAL_TIME		(1U << 5)
#define F_PV_EOI		(1U << 6)
#define F_PV_UNHALT		(1U << 7)
#define F_PV_SEND_IPI		(1U << 11)
#define F_PV_SCHED_YIELD	(1U << 13)
#define KVM_HC_KICK_CPU		5
#define KVM_HC_SEND_IPI		10
#define KVM_HC_SCHED_YIELD	11
#define KVM_EPERM		1
#define KVM_EINVAL		22
#define X86_VECTOR_GP		13

#define VEC_LOW			0x40
#define VEC_HIGH		0x50
#define ROUNDS			20

/* Guest data (DATA_GPA): counters, the PV EOI flag, the steal time. */
#define COUNT0			"0x80000"	/* interrupts taken */
#define COUNT1			"0x80004"	/* of those, EOIs made by PV */
#define FLAG_GPA		0x80040
#define FLAG			"0x80040"
#define STEAL_GPA		0x80100
#define STEAL			"0x80100"

#define X2APIC_ON							\
	RDMSR(0x1b)							\
	"or $0xc00, %eax\n\t"						\
	"wrmsr\n\t"							\
	WRMSR(0x80f, 0x1ff, 0)

/*
 * A handler with Linux's PV EOI: clear the flag; only if it was not set,
 * the EOI register.  With R13 set, a ucall first (a trip to user space
 * while the interrupt is in service).
 */
#define ISR_PV_EOI(label)						\
	label ":\n\t"							\
	"push %rax\n\t"							\
	"push %rcx\n\t"							\
	"push %rdx\n\t"							\
	"incl " COUNT0 "\n\t"						\
	"test %r13, %r13\n\t"						\
	"jz 1f\n\t"							\
	G_UCALL(UCALL_SYNC)						\
	"1: btrl $0, " FLAG "\n\t"					\
	"jnc 2f\n\t"							\
	"incl " COUNT1 "\n\t"						\
	"jmp 3f\n"							\
	"2:\n\t"							\
	WRMSR(0x80b, 0, 0)						\
	"3: pop %rdx\n\t"						\
	"pop %rcx\n\t"							\
	"pop %rax\n\t"							\
	"iretq\n"

/*
 * ROUNDS self-IPIs, each taken at once; then two at the same time, the
 * higher first while the lower waits in IRR.  Reports ISR bits 0x40-0x5f
 * at the end (RDX).
 */
GUEST64(pv_eoi_guest,
	X2APIC_ON
	WRMSR(MSR_KVM_PV_EOI_EN, FLAG_GPA + 1, 0)
	"sti\n\t"
	"mov $" __stringify(ROUNDS) ", %r12d\n"
	"4:\n\t"
	WRMSR(0x83f, VEC_LOW, 0)
	"dec %r12d\n\t"
	"jnz 4b\n\t"
	"cli\n\t"
	WRMSR(0x83f, VEC_LOW, 0)
	WRMSR(0x83f, VEC_HIGH, 0)
	"sti\n\t"
	"nop\n\t"
	RDMSR(0x812)
	"mov %eax, %edx\n\t"
	"mov " COUNT0 ", %edi\n\t"
	"mov " COUNT1 ", %esi\n\t"
	GUEST_END
	ISR_PV_EOI("pv_eoi_isr"));
GUEST_LABEL(pv_eoi_isr);

/* One self-IPI, its handler stopping in user space (R13 set). */
GUEST64(pv_eoi_user_guest,
	X2APIC_ON
	WRMSR(MSR_KVM_PV_EOI_EN, FLAG_GPA + 1, 0)
	"sti\n\t"
	WRMSR(0x83f, VEC_LOW, 0)
	"nop\n\t"
	"mov " COUNT0 ", %edi\n\t"
	"mov " COUNT1 ", %esi\n\t"
	GUEST_END
	ISR_PV_EOI("pv_eoi_user_isr"));
GUEST_LABEL(pv_eoi_user_isr);

FIXTURE(pv) {
	struct vm *vm;
	struct vcpu *vcpu;
};

FIXTURE_SETUP(pv)
{
	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	self->vm = irqchip_vm_create();
	self->vcpu = vcpu_add(self->vm, 0);
}

FIXTURE_TEARDOWN(pv)
{
	if (!self->vm)
		return;
	vcpu_destroy(self->vcpu);
	vm_destroy(self->vm);
}

static uint32_t kvm_features(struct vcpu *vcpu)
{
	struct {
		struct vmctl_cpuid hdr;
		struct vmctl_cpuid_entry e[VMCTL_MAX_CPUID_ENTRIES];
	} c = { .hdr.nent = VMCTL_MAX_CPUID_ENTRIES };
	unsigned int i;

	if (ioctl(vcpu->fd, VMCTL_GET_CPUID, &c))
		return 0;
	for (i = 0; i < c.hdr.nent; i++)
		if (c.e[i].function == 0x40000101)
			return c.e[i].eax;
	return 0;
}

/* The bits with the irqchip, and without it the APIC ones absent. */
TEST_F(pv, cpuid_features)
{
	struct vcpu *bare = vcpu_create_guest(&pv_eoi_user_guest);
	uint32_t f = kvm_features(self->vcpu), b = kvm_features(bare);

	uint32_t all = F_PV_EOI | F_PV_SEND_IPI | F_PV_SCHED_YIELD |
		       F_STEAL_TIME | F_PV_UNHALT;

	EXPECT_EQ(all, f & all) TH_LOG("features %#x", f);
	EXPECT_EQ(F_PV_SCHED_YIELD | F_STEAL_TIME, b & all)
		TH_LOG("features %#x", b);
	guest_destroy(bare);
}

TEST_F(pv, pv_eoi_skips_the_eoi_exit)
{
	struct vmctl_vcpu_stats st;
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &pv_eoi_guest, VEC_LOW, pv_eoi_isr);
	idt_set_gate(self->vm, VEC_HIGH, guest_addr(&pv_eoi_guest, pv_eoi_isr));
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(ROUNDS + 2, uc.args[0]);	/* interrupts taken */
	/* All but the one taken while another waited in IRR. */
	EXPECT_EQ(ROUNDS + 1, uc.args[1]);
	EXPECT_EQ(0, uc.args[2]) TH_LOG("ISR 0x40-0x5f: %#llx",
					(unsigned long long)uc.args[2]);
	vcpu_get_stats(self->vcpu, &st);
	/* x2APIC on, SVR, PV EOI on, the self-IPIs and one EOI. */
	EXPECT_EQ(ROUNDS + 6, st.hw_exits[VMCTL_HW_EXIT_WRMSR]);
}

TEST_F(pv, pv_eoi_flag_cleared_for_user_space)
{
	uint8_t *flag = gpa_to_hva(self->vm, FLAG_GPA);
	struct vmctl_regs regs;
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &pv_eoi_user_guest, VEC_LOW,
			    pv_eoi_user_isr);
	vcpu_get_regs(self->vcpu, &regs);
	regs.r13 = 1;
	vcpu_set_regs(self->vcpu, &regs);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	/* In service, but nothing for a snapshot to miss: flag clear. */
	EXPECT_EQ(0, *flag & 1);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);	/* set again at the entry after */
}

static int set_msr(struct vcpu *vcpu, uint32_t index, uint64_t data)
{
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e = { .index = index, .data = data } };

	return ioctl(vcpu->fd, VMCTL_SET_MSRS, &m);
}

static uint64_t get_msr(struct vcpu *vcpu, uint32_t index)
{
	struct {
		struct vmctl_msrs hdr;
		struct vmctl_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };

	return ioctl(vcpu->fd, VMCTL_GET_MSRS, &m) == 1 ? m.e.data : ~0ULL;
}

static int listed(struct vcpu *vcpu, uint32_t index)
{
	struct {
		struct vmctl_msr_list hdr;
		uint32_t indices[64];
	} l = { .hdr.nmsrs = 64 };
	unsigned int i;

	if (ioctl(vcpu->fd, VMCTL_GET_MSR_INDEX_LIST, &l))
		return 0;
	for (i = 0; i < l.hdr.nmsrs; i++)
		if (l.indices[i] == index)
			return 1;
	return 0;
}

/* Saved and restored with the other MSRs; bad values refused. */
TEST_F(pv, msrs_for_snapshots)
{
	struct vcpu *bare = vcpu_create_guest(&pv_eoi_user_guest);

	EXPECT_TRUE(listed(self->vcpu, MSR_KVM_PV_EOI_EN));
	EXPECT_TRUE(listed(self->vcpu, MSR_KVM_STEAL_TIME));
	EXPECT_FALSE(listed(bare, MSR_KVM_PV_EOI_EN));	/* no irqchip */
	EXPECT_TRUE(listed(bare, MSR_KVM_STEAL_TIME));
	EXPECT_EQ(0, set_msr(bare, MSR_KVM_PV_EOI_EN, FLAG_GPA + 1));

	EXPECT_EQ(1, set_msr(self->vcpu, MSR_KVM_PV_EOI_EN, FLAG_GPA + 1));
	EXPECT_EQ(FLAG_GPA + 1, get_msr(self->vcpu, MSR_KVM_PV_EOI_EN));
	EXPECT_EQ(0, set_msr(self->vcpu, MSR_KVM_PV_EOI_EN, FLAG_GPA + 3));
	EXPECT_EQ(FLAG_GPA + 1, get_msr(self->vcpu, MSR_KVM_PV_EOI_EN));

	EXPECT_EQ(1, set_msr(self->vcpu, MSR_KVM_STEAL_TIME, STEAL_GPA + 1));
	EXPECT_EQ(STEAL_GPA + 1, get_msr(self->vcpu, MSR_KVM_STEAL_TIME));
	/* Bits 1-5 are reserved. */
	EXPECT_EQ(0, set_msr(self->vcpu, MSR_KVM_STEAL_TIME, STEAL_GPA + 3));
	EXPECT_EQ(0, set_msr(self->vcpu, MSR_KVM_STEAL_TIME,
			     STEAL_GPA + 0x21));
	EXPECT_EQ(STEAL_GPA + 1, get_msr(self->vcpu, MSR_KVM_STEAL_TIME));
	/* Outside RAM: taken, nothing written (as kvmclock). */
	EXPECT_EQ(1, set_msr(self->vcpu, MSR_KVM_STEAL_TIME, MMIO_GPA + 1));
	EXPECT_EQ(1, set_msr(self->vcpu, MSR_KVM_PV_EOI_EN, MMIO_GPA + 1));
	guest_destroy(bare);
}

/* ---- the module's writes in the dirty log ---- */

#define LOG_SLOT		1
#define LOG_GPA			0x40000000
#define LOG_PAGES		64

/*
 * Steal time in page 2 of a logged slot, kvmclock's time info in page 3,
 * the PV EOI flag in page 5; the guest writes none of these pages itself
 * (its handler ends the interrupt by the EOI register, leaving the flag
 * to the module).
 */
GUEST64(logged_guest,
	X2APIC_ON
	WRMSR(MSR_KVM_STEAL_TIME, LOG_GPA + 2 * 4096 + 1, 0)
	WRMSR(MSR_KVM_SYSTEM_TIME_NEW, LOG_GPA + 3 * 4096 + 1, 0)
	WRMSR(MSR_KVM_PV_EOI_EN, LOG_GPA + 5 * 4096 + 1, 0)
	"sti\n\t"
	WRMSR(0x83f, VEC_LOW, 0)
	"nop\n\t"
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	"logged_isr:\n\t"
	"incl " COUNT0 "\n\t"
	WRMSR(0x80b, 0, 0)
	"iretq\n");
GUEST_LABEL(logged_isr);

TEST_F(pv, module_writes_are_dirty_logged)
{
	struct vmctl_mem_slot slot = {
		.slot = LOG_SLOT, .flags = VMCTL_MEM_LOG_DIRTY,
		.guest_phys = LOG_GPA, .size = LOG_PAGES * 4096ULL,
	};
	struct vmctl_dirty_log d = {
		.slot = LOG_SLOT, .num_pages = LOG_PAGES,
	};
	uint64_t map = 0;
	uint32_t version;
	struct ucall uc;
	void *mem;

	if (ioctl(self->vm->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_DIRTY_LOG) <= 0)
		SKIP(return, "VMCTL_CAP_DIRTY_LOG: 0");
	mem = mmap(NULL, slot.size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	/*
	 * Present: the flag is written with interrupts off, where a page
	 * the mapping lacks means no PV EOI (a guest's own flag page is
	 * present, it reads it at every EOI).
	 */
	memset(mem, 0, slot.size);
	slot.user_addr = (unsigned long)mem;
	ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_SET_MEM_SLOT, &slot));
	vcpu_load_guest_isr(self->vcpu, &logged_guest, VEC_LOW, logged_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
	d.bitmap = (unsigned long)&map;
	ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_GET_DIRTY_LOG, &d));
	EXPECT_EQ(1ULL << 2 | 1ULL << 3 | 1ULL << 5, map)
		TH_LOG("log %#llx", (unsigned long long)map);
	/* Steal time's first entry wrote an even version. */
	version = *(uint32_t *)((char *)mem + 2 * 4096 + 8);
	EXPECT_EQ(0, version & 1);
	EXPECT_LE(2, version);
	munmap(mem, slot.size);
}

/* ---- steal time ---- */

/* Spin until the steal field is non-zero or RCX runs out. */
GUEST64(steal_guest,
	WRMSR(MSR_KVM_STEAL_TIME, STEAL_GPA + 1, 0)
	"mov $200000000, %rcx\n"
	"1: cmpq $0, " STEAL "\n\t"
	"jne 2f\n\t"
	"dec %rcx\n\t"
	"jnz 1b\n"
	"2: mov " STEAL ", %rdi\n\t"
	"mov " STEAL " + 8, %esi\n\t"	/* version */
	"mov " STEAL " + 16, %edx\n\t"	/* preempted (byte), pad */
	GUEST_END);

static int hog_stop;

static void *hog(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&hog_stop, __ATOMIC_RELAXED))
		;
	return NULL;
}

/* This thread's run delay (ns), from /proc/thread-self/schedstat. */
static unsigned long long run_delay(void)
{
	unsigned long long on_cpu = 0, delay = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &on_cpu, &delay) != 2)
		delay = 0;
	fclose(f);
	return delay;
}

/*
 * The vCPU thread shares one CPU with a busy thread: what the scheduler
 * made it wait shows up in the guest, no more than the thread's own
 * run delay, under an even version.
 */
TEST(steal_time_counts_the_run_delay)
{
	struct vcpu *vcpu = vcpu_create_guest(&steal_guest);
	unsigned long long d0, d1;
	pthread_attr_t attr;
	cpu_set_t cpu0;
	struct ucall uc;
	pthread_t t;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpu0), &cpu0);
	ASSERT_EQ(0, pthread_create(&t, &attr, hog, NULL));
	d0 = run_delay();
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	d1 = run_delay();
	__atomic_store_n(&hog_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	TH_LOG("steal %llu ns, version %llu; run delay %llu ns",
	       (unsigned long long)uc.args[0], (unsigned long long)uc.args[1],
	       d1 - d0);
	EXPECT_LT(0, uc.args[0]);
	EXPECT_GE(d1 - d0, uc.args[0]);
	EXPECT_EQ(0, uc.args[1] & 1);
	EXPECT_LT(0, uc.args[1]);
	EXPECT_EQ(0, uc.args[2] & 0xff);	/* running: not preempted */
	guest_destroy(vcpu);
}

/* ---- hypercalls ---- */

#define HC4(nr, a0, a1, a2, a3)						\
	"mov $" __stringify(nr) ", %eax\n\t"				\
	"mov $" __stringify(a0) ", %rbx\n\t"				\
	"mov $" __stringify(a1) ", %rcx\n\t"				\
	"mov $" __stringify(a2) ", %rdx\n\t"				\
	"mov $" __stringify(a3) ", %rsi\n\t"				\
	"vmcall\n\t"

/*
 * To APIC IDs 0 (itself) and 1 (the AP, waiting for SIPI): 2 delivered;
 * logical or shorthand ICRs -KVM_EINVAL; IDs past the last vCPU none.
 */
GUEST64(send_ipi_guest,
	X2APIC_ON
	"sti\n\t"
	HC4(KVM_HC_SEND_IPI, 3, 0, 0, VEC_LOW)
	"mov %rax, %r12\n\t"
	WAIT_COUNT(COUNT0, 1)
	HC4(KVM_HC_SEND_IPI, 1, 0, 0, 0x800 + VEC_LOW)
	"mov %rax, %r13\n\t"
	HC4(KVM_HC_SEND_IPI, 1, 0, 0, 0x40000 + VEC_LOW)
	"mov %rax, %r14\n\t"
	HC4(KVM_HC_SEND_IPI, 1, 1, 64, VEC_LOW)
	"mov %rax, %r15\n\t"
	HC4(KVM_HC_SEND_IPI, 1, 0, 0xffffffffffffffff, VEC_LOW)
	"add %rax, %r15\n\t"
	"mov %r12, %rdi\n\t"
	"mov %r13, %rsi\n\t"
	"mov %r14, %rdx\n\t"
	"mov %r15, %rcx\n\t"
	GUEST_END
	"send_ipi_isr:\n\t"
	"incl " COUNT0 "\n\t"
	"push %rax\n\t"
	"push %rcx\n\t"
	"push %rdx\n\t"
	WRMSR(0x80b, 0, 0)
	"pop %rdx\n\t"
	"pop %rcx\n\t"
	"pop %rax\n\t"
	"iretq\n");
GUEST_LABEL(send_ipi_isr);

TEST(send_ipi_hypercall)
{
	struct vcpu *bsp, *ap;
	struct vm *vm;
	struct ucall uc;

	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	smp_vm_create(&vm, &bsp, &ap);
	vcpu_load_guest_isr(bsp, &send_ipi_guest, VEC_LOW, send_ipi_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(bsp, &uc));
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_EQ(-KVM_EINVAL, (int64_t)uc.args[1]);
	EXPECT_EQ(-KVM_EINVAL, (int64_t)uc.args[2]);
	EXPECT_EQ(0, uc.args[3]);
	smp_vm_destroy(vm, bsp, ap);
}

/* To the AP (its thread asleep in RUN), to itself, to nobody: 0. */
GUEST64(yield_guest,
	HC4(KVM_HC_SCHED_YIELD, 1, 0, 0, 0)
	"mov %rax, %rdi\n\t"
	HC4(KVM_HC_SCHED_YIELD, 0, 0, 0, 0)
	"mov %rax, %rsi\n\t"
	HC4(KVM_HC_SCHED_YIELD, 0x12345678, 0, 0, 0)
	"mov %rax, %rdx\n\t"
	GUEST_END);

TEST(sched_yield_hypercall)
{
	struct vcpu *bsp, *ap;
	struct vm *vm;
	struct ucall uc;
	pthread_t t;
	int i;

	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	smp_vm_create(&vm, &bsp, &ap);
	kick_signal_install();
	ASSERT_EQ(0, pthread_create(&t, NULL, vcpu_run_until_error, ap));
	usleep(50000);		/* the AP's thread in RUN, waiting for SIPI */
	vcpu_load_guest(bsp, &yield_guest);
	ASSERT_EQ(UCALL_DONE, run_to_done(bsp, &uc));
	EXPECT_EQ(0, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(0, uc.args[2]);
	for (i = 0; i < 100 && pthread_tryjoin_np(t, NULL); i++) {
		pthread_kill(t, SIGUSR1);
		usleep(20000);
	}
	ASSERT_GT(100, i);
	smp_vm_destroy(vm, bsp, ap);
}

/* ---- PV unhalt ---- */

/*
 * vCPU 0 kicks APIC IDs no vCPU has (results in RDI, RSI), stops in user
 * space, then kicks vCPU 1 (RDI).  vCPU 1 starts at kick_ap: it halts
 * with interrupts off and reports RDI = 1 once the halt has ended.
 */
GUEST64(kick_guest,
	HC4(KVM_HC_KICK_CPU, 0, 0x12345678, 0, 0)
	"mov %rax, %r12\n\t"
	HC4(KVM_HC_KICK_CPU, 0, 2, 0, 0)
	"mov %rax, %rsi\n\t"
	"mov %r12, %rdi\n\t"
	G_UCALL(UCALL_SYNC)
	HC4(KVM_HC_KICK_CPU, 0, 1, 0, 0)
	"mov %rax, %rdi\n\t"
	GUEST_END
	"kick_ap:\n\t"
	"cli\n\t"
	"hlt\n\t"
	"mov $1, %edi\n\t"
	GUEST_END);
GUEST_LABEL(kick_ap);

/* vCPU 1 at kick_ap, started (no SIPI needed): 0 or -1. */
static int start_ap_at_kick_ap(struct vcpu *ap)
{
	struct vmctl_mpstate m = { .state = VMCTL_MP_STATE_RUNNABLE };

	vcpu_load_guest(ap, &kick_guest);
	vcpu_set_rip(ap, guest_addr(&kick_guest, kick_ap));
	return ioctl(ap->fd, VMCTL_SET_MP_STATE, &m);
}

static int ap_done;
static struct ucall ap_uc;

static void *run_ap(void *arg)
{
	int type = vcpu_ucall(arg, &ap_uc);

	__atomic_store_n(&ap_done, type, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * vCPU 1 halts with IF=0: user space hears of it, not stopped for good
 * (vCPU 0 can run), and its next RUN sleeps.  Kicks to IDs nobody has
 * leave it asleep; the kick to ID 1 wakes it, and it runs on.
 */
TEST(kick_ends_a_halt_with_interrupts_off)
{
	struct vcpu *bsp, *ap;
	struct vm *vm;
	struct ucall uc;
	pthread_t t;
	int i;

	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	smp_vm_create(&vm, &bsp, &ap);
	vcpu_load_guest(bsp, &kick_guest);
	ASSERT_EQ(0, start_ap_at_kick_ap(ap));
	ASSERT_EQ(0, vcpu_run(ap));
	ASSERT_EQ(VMCTL_EXIT_HLT, ap->run->exit_reason);
	EXPECT_EQ(0, ap->run->rflags & X86_RFLAGS_IF);
	EXPECT_EQ(0, ap->run->hlt.vm_stopped);

	ap_done = UCALL_NONE - 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, run_ap, ap));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(bsp, &uc));
	EXPECT_EQ(0, uc.args[0]);	/* bad IDs: 0, ignored */
	EXPECT_EQ(0, uc.args[1]);
	usleep(100000);
	EXPECT_EQ(UCALL_NONE - 1, __atomic_load_n(&ap_done, __ATOMIC_SEQ_CST))
		TH_LOG("vCPU 1 woke without a kick");
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(bsp, &uc));
	EXPECT_EQ(0, uc.args[0]);
	for (i = 0; i < 200 && __atomic_load_n(&ap_done, __ATOMIC_SEQ_CST) ==
	     UCALL_NONE - 1; i++)
		usleep(10000);
	EXPECT_EQ(UCALL_DONE, __atomic_load_n(&ap_done, __ATOMIC_SEQ_CST));
	EXPECT_EQ(1, ap_uc.args[0]);
	if (i == 200) {		/* never woke: end its RUN */
		kick_signal_install();
		pthread_kill(t, SIGUSR1);
	}
	pthread_join(t, NULL);
	smp_vm_destroy(vm, bsp, ap);
}

/*
 * A kick that comes before the HLT ends that HLT at once (the waiter's
 * check and its HLT are two instructions): no exit to user space.
 */
TEST(kick_before_the_halt)
{
	struct vcpu *bsp, *ap;
	struct vm *vm;
	struct ucall uc;

	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	smp_vm_create(&vm, &bsp, &ap);
	vcpu_load_guest(bsp, &kick_guest);
	ASSERT_EQ(0, start_ap_at_kick_ap(ap));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(bsp, &uc));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(bsp, &uc));
	ASSERT_EQ(UCALL_DONE, run_to_done(ap, &uc));
	EXPECT_EQ(1, uc.args[0]);
	smp_vm_destroy(vm, bsp, ap);
}

GUEST64(stop_guest,
	"cli\n\t"
	"hlt\n\t"
	GUEST_END);

/*
 * hlt.vm_stopped: vCPU 0 halting with IF=0 while vCPU 1 waits for a
 * SIPI the guest never sends (nosmp) is the end; so it is after vCPU 1
 * halted so too.  Not while vCPU 1 can run.
 */
TEST(vm_stopped)
{
	struct vmctl_mpstate m = { .state = VMCTL_MP_STATE_RUNNABLE };
	struct vcpu *bsp, *ap;
	struct vm *vm;

	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	smp_vm_create(&vm, &bsp, &ap);
	vcpu_load_guest(bsp, &stop_guest);
	ASSERT_EQ(0, vcpu_run(bsp));
	ASSERT_EQ(VMCTL_EXIT_HLT, bsp->run->exit_reason);
	EXPECT_EQ(1, bsp->run->hlt.vm_stopped);

	vcpu_load_guest(ap, &stop_guest);
	ASSERT_EQ(0, ioctl(ap->fd, VMCTL_SET_MP_STATE, &m));
	vcpu_load_guest(bsp, &stop_guest);	/* the halt ends */
	ASSERT_EQ(0, vcpu_run(bsp));
	ASSERT_EQ(VMCTL_EXIT_HLT, bsp->run->exit_reason);
	EXPECT_EQ(0, bsp->run->hlt.vm_stopped);
	ASSERT_EQ(0, vcpu_run(ap));
	ASSERT_EQ(VMCTL_EXIT_HLT, ap->run->exit_reason);
	EXPECT_EQ(1, ap->run->hlt.vm_stopped);
	smp_vm_destroy(vm, bsp, ap);
}

#define PTE_USER		(1ULL << 2)
#define RFLAGS_IOPL3		(3ULL << 12)

/* Kick itself from CPL 3: -KVM_EPERM. */
GUEST64(kick_cpl3_guest,
	HC4(KVM_HC_KICK_CPU, 0, 0, 0, 0)
	"mov %rax, %rdi\n\t"
	GUEST_END);

/*
 * The guest at CPL 3: its pages user pages, CS and SS of DPL 3 and
 * IOPL 3, so that its ucall's OUT is allowed.
 */
static void to_cpl3(struct vcpu *vcpu)
{
	uint64_t *pml4 = gpa_to_hva(vcpu->vm, PML4_GPA);
	uint64_t *pdpt = gpa_to_hva(vcpu->vm, pml4[0] & ~0xfffULL);
	uint64_t *pd = gpa_to_hva(vcpu->vm, pdpt[0] & ~0xfffULL);
	struct vmctl_sregs s;
	struct vmctl_regs r;

	pml4[0] |= PTE_USER;
	pdpt[0] |= PTE_USER;
	pd[0] |= PTE_USER;
	vcpu_get_sregs(vcpu, &s);
	s.cs.dpl = 3;
	s.cs.selector |= 3;
	s.ss.dpl = 3;
	s.ss.selector |= 3;
	vcpu_set_sregs(vcpu, &s);
	vcpu_get_regs(vcpu, &r);
	r.rflags |= RFLAGS_IOPL3;
	vcpu_set_regs(vcpu, &r);
}

TEST(kick_from_cpl3)
{
	struct vcpu *vcpu;
	struct ucall uc;
	struct vm *vm;

	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	vm = irqchip_vm_create();
	vcpu = vcpu_add(vm, 0);
	vcpu_load_guest(vcpu, &kick_cpl3_guest);
	to_cpl3(vcpu);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(-KVM_EPERM, (int64_t)uc.args[0]);
	vcpu_destroy(vcpu);
	vm_destroy(vm);
}

/* ---- the bare platform ---- */

GUEST64(bare_guest,
	HC4(KVM_HC_SEND_IPI, 1, 0, 0, VEC_LOW)
	WRMSR(MSR_KVM_PV_EOI_EN, FLAG_GPA + 1, 0)
	GUEST_END);

/* Without KVM's leaves: the hypercall is user space's, the MSR #GPs. */
TEST(bare_platform)
{
	struct {
		struct vmctl_cpuid hdr;
		struct vmctl_cpuid_entry e[VMCTL_MAX_CPUID_ENTRIES];
	} c = { .hdr.nent = VMCTL_MAX_CPUID_ENTRIES };
	struct vcpu *vcpu;
	unsigned int i, n = 0;
	struct ucall uc;
	struct vm *vm;

	if (!irqchip_available())
		SKIP(return, "VMCTL_CAP_IRQCHIP: 0");
	vm = irqchip_vm_create();
	vcpu = vcpu_add(vm, 0);
	vcpu_load_guest(vcpu, &bare_guest);
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_GET_CPUID, &c));
	for (i = 0; i < c.hdr.nent; i++)
		if (c.e[i].function < 0x40000100 ||
		    c.e[i].function > 0x400001ff)
			c.e[n++] = c.e[i];
	c.hdr.nent = n;
	ASSERT_EQ(0, ioctl(vcpu->fd, VMCTL_SET_CPUID, &c));
	EXPECT_FALSE(listed(vcpu, MSR_KVM_PV_EOI_EN));
	EXPECT_FALSE(listed(vcpu, MSR_KVM_STEAL_TIME));

	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_HYPERCALL, vcpu->run->exit_reason);
	EXPECT_EQ(KVM_HC_SEND_IPI, vcpu->run->hypercall.nr);
	ASSERT_EQ(UCALL_EXCEPTION, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(X86_VECTOR_GP, uc.args[0]);
	vcpu_destroy(vcpu);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
