// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel 8259A pair and 8254 PIT (VMCTL_CREATE_PIC_PIT): the
 * ioctl's errors and capability; a guest that programs the PIC as Linux
 * does and takes an ISA interrupt from VMCTL_IRQ_LINE through LINT0
 * (virtual wire), with its EOI, masking and IRR; the same with LINT0
 * masked (nothing comes) and with the local APIC disabled (it comes
 * straight); the PIT's counter 0 in mode 2 interrupting at its period;
 * counter 2 behind port 0x61 as Linux calibrates with it; every port
 * with every byte, and every pin, with no exit to user space and nothing
 * left behind.  Their state (VMCTL_GET/SET_PIC_PIT): a guest whose PIT
 * ticks in mode 2 is moved into a new VM and keeps its period there;
 * states no guest makes are refused and change nothing; random ones
 * leave the host unharmed.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "die.h"
#include "irqchip.h"
#include "state.h"
#include "stats.h"
#include "ucall.h"

#define COUNT0			"0x80000"
#define PIC_VECTORS		0x20	/* master 0x20-0x27, slave 0x28-0x2f */
#define PIT_HZ			1193182
#define PERIOD_TICKS		11932	/* 10 ms */
#define CH2_TICKS		1193	/* 1 ms */

/* outb @val to @port (clobbers RAX, RDX). */
#define OUTB(port, val)							\
	"mov $" __stringify(port) ", %dx\n\t"				\
	"mov $" __stringify(val) ", %al\n\t"				\
	"out %al, %dx\n\t"
#define INB(port)							\
	"mov $" __stringify(port) ", %dx\n\t"				\
	"in %dx, %al\n\t"

/*
 * Linux's init_8259A() (ICW1 to ICW4 to each chip), vectors 0x20 and
 * 0x28, then masks @m0 and @m1 (clobbers RAX).
 */
#define PIC_INIT(m0, m1)						\
	"mov $0x11, %al\n\t"						\
	"out %al, $0x20\n\t"						\
	"out %al, $0xa0\n\t"						\
	"mov $0x20, %al\n\t"						\
	"out %al, $0x21\n\t"						\
	"mov $0x28, %al\n\t"						\
	"out %al, $0xa1\n\t"						\
	"mov $0x04, %al\n\t"						\
	"out %al, $0x21\n\t"						\
	"mov $0x02, %al\n\t"						\
	"out %al, $0xa1\n\t"						\
	"mov $0x01, %al\n\t"						\
	"out %al, $0x21\n\t"						\
	"out %al, $0xa1\n\t"						\
	"mov $" __stringify(m0) ", %al\n\t"				\
	"out %al, $0x21\n\t"						\
	"mov $" __stringify(m1) ", %al\n\t"				\
	"out %al, $0xa1\n\t"

/* Count, non-specific EOI to the master, return. */
#define ISR_PIC(label)							\
	label ":\n\t"							\
	"push %rax\n\t"							\
	"push %rdx\n\t"							\
	"incl " COUNT0 "\n\t"						\
	OUTB(0x20, 0x20)						\
	"pop %rdx\n\t"							\
	"pop %rax\n\t"							\
	"iretq\n"

/* A while with interrupts on and no exit. */
#define SPIN								\
	"mov $200000, %ecx\n\t"						\
	"1: pause\n\t"							\
	"loop 1b\n\t"

#define RDTSC_TO(reg)							\
	"rdtsc\n\t"							\
	"shl $32, %rdx\n\t"						\
	"or %rax, %rdx\n\t"						\
	"mov %rdx, " reg "\n\t"

static bool pic_pit_available(void)
{
	int fd = vmctl_open();
	long r = ioctl(fd, VMCTL_CHECK_CAP, VMCTL_CAP_PIC_PIT);

	close(fd);
	return r > 0;
}

static void irq_pulse(struct vm *vm, unsigned int pin)
{
	struct vmctl_irq_line l = { .irq = pin, .level = 1 };

	die_unless(ioctl(vm->fd, VMCTL_IRQ_LINE, &l) == 0, "IRQ_LINE");
	l.level = 0;
	die_unless(ioctl(vm->fd, VMCTL_IRQ_LINE, &l) == 0, "IRQ_LINE");
}

static long tsc_khz(struct vm *vm)
{
	return ioctl(vm->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_TSC_KHZ);
}

/* ---- the ioctl ---- */

TEST(create_errors)
{
	struct vm *vm;
	struct vcpu *vcpu;

	if (!pic_pit_available())
		SKIP(return, "VMCTL_CAP_PIC_PIT: 0");
	vm = vm_create("");
	ASSERT_EQ(-1, ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 0));
	EXPECT_EQ(ENXIO, errno);		/* no irqchip */
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_CREATE_IRQCHIP, 0));
	ASSERT_EQ(-1, ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 0));
	ASSERT_EQ(-1, ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 0));
	EXPECT_EQ(EEXIST, errno);
	vm_destroy(vm);

	vm = irqchip_vm_create();
	vcpu = vcpu_add(vm, 0);
	ASSERT_EQ(-1, ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 0));
	EXPECT_EQ(EBUSY, errno);
	vcpu_destroy(vcpu);
	vm_destroy(vm);
}

/* ---- one vCPU with the irqchip, the PIC and the PIT ---- */

FIXTURE(pic) {
	struct vm *vm;
	struct vcpu *vcpu;
	struct vmctl_module_stats base;
};

FIXTURE_SETUP(pic)
{
	if (!pic_pit_available())
		SKIP(return, "VMCTL_CAP_PIC_PIT: 0");
	module_stats_now(&self->base);
	self->vm = irqchip_vm_create();
	die_unless(ioctl(self->vm->fd, VMCTL_CREATE_PIC_PIT, 0) == 0,
		   "VMCTL_CREATE_PIC_PIT");
	self->vcpu = vcpu_add(self->vm, 0);
}

FIXTURE_TEARDOWN(pic)
{
	if (!self->vm)
		return;
	vcpu_destroy(self->vcpu);
	vm_destroy(self->vm);
	/* The PIT's timer may still be armed: nothing may stay behind. */
	EXPECT_MODULE_BASELINE(&self->base);
}

GUEST64(virtual_wire_guest,
	PIC_INIT(0xef, 0xff)			/* IRQ 4 only */
	"sti\n\t"
	G_UCALL(UCALL_SYNC)			/* the host pulses IRQ 4 */
	WAIT_COUNT(COUNT0, 1)
	OUTB(0x21, 0xff)			/* masked now */
	G_UCALL(UCALL_SYNC)			/* the host pulses it again */
	SPIN
	OUTB(0x20, 0x0a)			/* OCW3: read IRR */
	INB(0x20)
	"movzbl %al, %edi\n\t"
	"mov " COUNT0 ", %esi\n\t"
	G_UCALL(UCALL_SYNC)
	OUTB(0x21, 0xef)			/* the request waited */
	WAIT_COUNT(COUNT0, 2)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_PIC("virtual_wire_isr"));
GUEST_LABEL(virtual_wire_isr);

TEST_F(pic, irq_line_through_lint0_virtual_wire)
{
	struct vmctl_vcpu_stats st;
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &virtual_wire_guest, PIC_VECTORS + 4,
			    virtual_wire_isr);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	irq_pulse(self->vm, 4);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	irq_pulse(self->vm, 4);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(0x10, uc.args[0]);		/* IRR: IRQ 4 waits */
	EXPECT_EQ(1, uc.args[1]);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(2, uc.args[0]);
	/* The PIC's ports never left the kernel: only the four ucalls did. */
	vcpu_get_stats(self->vcpu, &st);
	EXPECT_EQ(4, st.user_exits);
}

GUEST64(lint0_guest,
	XAPIC_ENABLE
	MMIO_W(0xfee00350, 0x10700)		/* LINT0: ExtINT, masked */
	PIC_INIT(0xf7, 0xff)			/* IRQ 3 only */
	"sti\n\t"
	G_UCALL(UCALL_SYNC)			/* the host pulses IRQ 3 */
	SPIN
	OUTB(0x20, 0x0a)
	INB(0x20)
	"movzbl %al, %edi\n\t"
	"mov " COUNT0 ", %esi\n\t"
	G_UCALL(UCALL_SYNC)
	/* No local APIC: INTR goes straight to the CPU. */
	RDMSR(0x1b)
	"and $~0x800, %eax\n\t"
	"wrmsr\n\t"
	WAIT_COUNT(COUNT0, 1)
	"mov " COUNT0 ", %edi\n\t"
	GUEST_END
	ISR_PIC("lint0_isr"));
GUEST_LABEL(lint0_isr);

TEST_F(pic, masked_lint0_then_apic_disabled)
{
	struct ucall uc;

	vcpu_load_guest_isr(self->vcpu, &lint0_guest, PIC_VECTORS + 3,
			    lint0_isr);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	irq_pulse(self->vm, 3);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(0x08, uc.args[0]);		/* requested ... */
	EXPECT_EQ(0, uc.args[1]);		/* ... but LINT0 is masked */
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu, &uc));
	EXPECT_EQ(1, uc.args[0]);
}

/* IRQ 0 alone on the PIC, the PIT's counter 0 in mode 2 every 10 ms. */
#define PIT_EVERY_10MS							\
	PIC_INIT(0xfe, 0xff)						\
	OUTB(0x43, 0x34)			/* counter 0, mode 2 */	\
	OUTB(0x40, 0x9c)						\
	OUTB(0x40, 0x2e)			/* 11932: 10 ms */	\
	"sti\n\t"
/* Linux's shutdown of the PIT: mode 0, no count. */
#define PIT_STOP							\
	"cli\n\t"							\
	OUTB(0x43, 0x30)						\
	OUTB(0x40, 0)							\
	OUTB(0x40, 0)

GUEST64(pit_period_guest,
	PIT_EVERY_10MS
	WAIT_COUNT(COUNT0, 1)
	RDTSC_TO("%r8")
	WAIT_COUNT(COUNT0, 11)
	RDTSC_TO("%rdi")
	"sub %r8, %rdi\n\t"
	PIT_STOP
	GUEST_END
	ISR_PIC("pit_isr"));
GUEST_LABEL(pit_isr);

TEST_F(pic, pit_mode2_period)
{
	struct ucall uc;
	uint64_t want;

	vcpu_load_guest_isr(self->vcpu, &pit_period_guest, PIC_VECTORS,
			    pit_isr);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	/* Ten periods in TSC ticks: never fewer, and not wildly more. */
	want = 10ULL * PERIOD_TICKS * tsc_khz(self->vm) / (PIT_HZ / 1000);
	EXPECT_LE(want * 9 / 10, uc.args[0]);
	EXPECT_GE(want * 5, uc.args[0]);
	TH_LOG("10 periods: %lu TSC ticks, %lu expected",
	       (unsigned long)uc.args[0], (unsigned long)want);
}

GUEST64(port61_guest,
	INB(0x61)
	"and $0xfc, %al\n\t"
	"or $0x01, %al\n\t"			/* gate on, speaker off */
	"out %al, $0x61\n\t"
	OUTB(0x43, 0xb0)			/* counter 2, mode 0 */
	OUTB(0x42, 0xa9)
	OUTB(0x42, 0x04)			/* 1193: 1 ms */
	RDTSC_TO("%r8")
	INB(0x61)
	"movzbl %al, %esi\n\t"			/* output low while counting */
	"1: in $0x61, %al\n\t"
	"test $0x20, %al\n\t"
	"jz 1b\n\t"
	RDTSC_TO("%rdi")
	"sub %r8, %rdi\n\t"
	GUEST_END);

TEST_F(pic, counter2_gate_and_output_on_port61)
{
	struct ucall uc;
	uint64_t want;

	vcpu_load_guest_isr(self->vcpu, &port61_guest, 0, NULL);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	EXPECT_EQ(0x01, uc.args[1] & 0x23);
	want = (uint64_t)CH2_TICKS * tsc_khz(self->vm) / (PIT_HZ / 1000);
	EXPECT_LE(want * 9 / 10, uc.args[0]);
	TH_LOG("terminal count after %lu TSC ticks, %lu expected",
	       (unsigned long)uc.args[0], (unsigned long)want);
}

/* Every byte to every port, with interrupts off; reads and wide ones too. */
GUEST64(hostile_guest,
	"lea ports(%rip), %rsi\n\t"
	"mov $11, %ecx\n"
	"3: movzwl (%rsi), %edx\n\t"
	"xor %eax, %eax\n\t"
	"xor %ebx, %ebx\n"
	"4: out %al, %dx\n\t"
	"in %dx, %al\n\t"
	"out %ax, %dx\n\t"
	"in %dx, %eax\n\t"
	"inc %ebx\n\t"
	"mov %ebx, %eax\n\t"
	"and $0xff, %eax\n\t"
	"jnz 4b\n\t"
	"add $2, %rsi\n\t"
	"loop 3b\n\t"
	GUEST_END
	"ports: .word 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1\n\t"
	".word 0x40, 0x41, 0x42, 0x43, 0x61\n");

TEST_F(pic, hostile_ports_and_lines)
{
	struct vmctl_irq_line l;
	struct ucall uc;
	unsigned int pin;

	vcpu_load_guest_isr(self->vcpu, &hostile_guest, 0, NULL);
	ASSERT_EQ(UCALL_DONE, run_to_done(self->vcpu, &uc));
	for (pin = 0; pin < VMCTL_IOAPIC_PINS; pin++) {
		l = (struct vmctl_irq_line){ .irq = pin, .level = 1 };
		ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_IRQ_LINE, &l));
	}
	for (pin = 0; pin < VMCTL_IOAPIC_PINS; pin += 2) {
		l = (struct vmctl_irq_line){ .irq = pin, .level = 0 };
		ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_IRQ_LINE, &l));
	}
	/* Destroyed with lines up and the PIT perhaps armed: teardown. */
}

/* ---- their state ---- */

TEST(state_errors_and_capability)
{
	struct vmctl_pic_pit_state st;
	struct vm *vm;
	int fd;

	if (!pic_pit_available())
		SKIP(return, "VMCTL_CAP_PIC_PIT: 0");
	fd = vmctl_open();
	EXPECT_TRUE(ioctl(fd, VMCTL_CHECK_CAP, VMCTL_CAP_VM_STATE) &
		    VMCTL_VM_STATE_PIC_PIT);
	close(fd);
	vm = irqchip_vm_create();
	ASSERT_EQ(-1, ioctl(vm->fd, VMCTL_GET_PIC_PIT, &st));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(-1, ioctl(vm->fd, VMCTL_SET_PIC_PIT, &st));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 0));
	ASSERT_EQ(-1, ioctl(vm->fd, VMCTL_GET_PIC_PIT, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_GET_PIC_PIT, &st));
	EXPECT_EQ(VMCTL_PIC_PIT_STATE_VERSION, st.version);
	/* Power-up: counters 0 and 1 gated on, nothing armed. */
	EXPECT_EQ(VMCTL_PIT_GATE, st.pit[0].flags);
	EXPECT_EQ(0, st.pit[2].flags);
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_SET_PIC_PIT, &st));
	vm_destroy(vm);
}

GUEST64(pit_move_guest,
	PIT_EVERY_10MS
	WAIT_COUNT(COUNT0, 3)
	G_UCALL(UCALL_SYNC)			/* into a new VM */
	WAIT_COUNT(COUNT0, 5)
	RDTSC_TO("%r8")
	WAIT_COUNT(COUNT0, 15)
	RDTSC_TO("%rdi")
	"sub %r8, %rdi\n\t"
	PIT_STOP
	GUEST_END
	ISR_PIC("pit_move_isr"));
GUEST_LABEL(pit_move_isr);

TEST(pit_mode2_keeps_its_period_in_a_new_vm)
{
	struct vmctl_module_stats base;
	struct vmctl_pic_pit_state now;
	struct vcpu_state *st;
	struct vm_state vst;
	struct vm *vm, *old;
	struct vcpu *vcpu;
	struct ucall uc;
	uint64_t want;

	if (!pic_pit_available())
		SKIP(return, "VMCTL_CAP_PIC_PIT: 0");
	st = calloc(1, sizeof(*st));
	ASSERT_NE(NULL, st);
	module_stats_now(&base);
	vm = irqchip_vm_create();
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_CREATE_PIC_PIT, 0));
	vcpu = vcpu_add(vm, 0);
	vcpu_load_guest_isr(vcpu, &pit_move_guest, PIC_VECTORS, pit_move_isr);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));

	vm_save_state(vm, &vst);
	vcpu_save_state(vcpu, st);
	ASSERT_TRUE(vst.pic_pit);
	old = vm;
	vm = vm_create_from_state(&vst);
	memcpy(vm->mem, old->mem, vm->mem_size);
	vcpu_destroy(vcpu);
	vm_destroy(old);
	/* The new VM's counter 0 is the old one's, and goes on counting. */
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_GET_PIC_PIT, &now));
	EXPECT_EQ(PERIOD_TICKS, now.pit[0].reload);
	EXPECT_EQ(2, now.pit[0].mode);
	ASSERT_EQ(VMCTL_PIT_COUNTING | VMCTL_PIT_ARMED | VMCTL_PIT_GATE,
		  now.pit[0].flags & (VMCTL_PIT_COUNTING | VMCTL_PIT_ARMED |
				      VMCTL_PIT_GATE));
	EXPECT_LE(vst.pic_pit_state.pit[0].ticks, now.pit[0].ticks);
	EXPECT_EQ(0xfe, now.pic[0].imr);
	EXPECT_EQ(PIC_VECTORS, now.pic[0].vector_base);

	vcpu = vcpu_add(vm, 0);
	vcpu_load_state(vcpu, st);
	ASSERT_EQ(UCALL_DONE, run_to_done(vcpu, &uc));
	want = 10ULL * PERIOD_TICKS * tsc_khz(vm) / (PIT_HZ / 1000);
	EXPECT_LE(want * 9 / 10, uc.args[0]);
	EXPECT_GE(want * 5, uc.args[0]);
	TH_LOG("10 periods in the new VM: %lu TSC ticks, %lu expected",
	       (unsigned long)uc.args[0], (unsigned long)want);
	vcpu_destroy(vcpu);
	vm_destroy(vm);
	free(st);
	EXPECT_MODULE_BASELINE(&base);
}

TEST_F(pic, hostile_state_refused_unchanged)
{
	struct vmctl_pic_pit_state good, bad, after;
	unsigned int i, n, j;
	uint8_t *p;

	ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_GET_PIC_PIT, &good));
#define REFUSED(field, value) do {					\
		bad = good;						\
		bad.field = value;					\
		EXPECT_EQ(-1, ioctl(self->vm->fd, VMCTL_SET_PIC_PIT, &bad)) \
			TH_LOG(#field " = " #value);			\
		EXPECT_EQ(EINVAL, errno);				\
	} while (0)
	REFUSED(version, 0);
	REFUSED(version, 2);
	REFUSED(flags, 2);
	REFUSED(reserved[3], 1);
	REFUSED(pic[0].flags, 1U << 8);
	REFUSED(pic[1].reserved, 1);
	REFUSED(pic[0].elcr, 0x01);		/* IRQ 0 is edge */
	REFUSED(pic[0].vector_base, 0x21);
	REFUSED(pic[1].priority_add, 8);
	REFUSED(pic[0].init_state, 4);
	REFUSED(pit[0].flags, 1U << 8);
	REFUSED(pit[1].reserved, 1);
	REFUSED(pit[2].mode, 6);
	REFUSED(pit[0].rw, 4);
	REFUSED(pit[0].bcd, 2);
	REFUSED(pit[0].reload, 0x10001);
	REFUSED(pit[1].flags, VMCTL_PIT_COUNTING);	/* not armed */
	REFUSED(pit[0].flags, VMCTL_PIT_ARMED | VMCTL_PIT_COUNTING);
	REFUSED(pit[0].ticks, 1ULL << 56);
	REFUSED(pit[0].ticks, ~0ULL);
#undef REFUSED
	ASSERT_EQ(0, ioctl(self->vm->fd, VMCTL_GET_PIC_PIT, &after));
	EXPECT_EQ(0, memcmp(&good, &after, sizeof(good)));

	/*
	 * Random states with the uapi's own fields right: some taken (the
	 * PIT's timer armed with whatever they hold), none may hurt the
	 * host (vm-run fails the run on a WARNING in its log).
	 */
	srand(4);
	for (i = n = 0; i < 2000; i++) {
		p = (uint8_t *)&bad;
		for (j = 0; j < sizeof(bad); j++)
			p[j] = rand();
		bad.version = VMCTL_PIC_PIT_STATE_VERSION;
		bad.flags &= VMCTL_PIC_PIT_SPEAKER;
		memset(bad.reserved, 0, sizeof(bad.reserved));
		for (j = 0; j < 2; j++) {
			bad.pic[j].flags &= 0xff;
			bad.pic[j].reserved = 0;
			bad.pic[j].vector_base &= 0xf8;
			bad.pic[j].priority_add &= 7;
			bad.pic[j].init_state &= 3;
			bad.pic[j].elcr &= j ? 0xde : 0xf8;
		}
		for (j = 0; j < 3; j++) {
			bad.pit[j].flags &= 0xff;
			bad.pit[j].reserved = 0;
			bad.pit[j].mode %= 6;
			bad.pit[j].rw &= 3;
			bad.pit[j].bcd &= 1;
			bad.pit[j].ticks >>= 8 + rand() % 56;
			bad.pit[j].reload = rand() % 0x10001 + (i & 1);
		}
		n += !ioctl(self->vm->fd, VMCTL_SET_PIC_PIT, &bad);
	}
	TH_LOG("%u of 2000 random states taken", n);
	EXPECT_LT(0, n);
	/* Destroyed with whatever the last one armed: teardown checks. */
}

TEST_HARNESS_MAIN
