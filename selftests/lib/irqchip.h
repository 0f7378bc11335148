/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests with the in-kernel interrupt controllers (VMCTL_CREATE_IRQCHIP):
 * the VM, interrupt gates of the test's own handlers, the register
 * addresses and the guest assembly that drive the APICs, and the vCPU's
 * exit counters (to prove an interrupt needed no exit to userspace).
 */
#ifndef SELFTEST_IRQCHIP_H
#define SELFTEST_IRQCHIP_H

#include <stdbool.h>

#include "ucall.h"
#include "vm.h"

/* xAPIC page registers (VMCTL_APIC_BASE + offset); plain numbers for asm. */
#define XAPIC_ID	0xfee00020
#define XAPIC_VERSION	0xfee00030
#define XAPIC_EOI	0xfee000b0
#define XAPIC_SVR	0xfee000f0
#define XAPIC_IRR	0xfee00200	/* + 0x10 per 32 vectors */
#define XAPIC_ICR	0xfee00300
#define XAPIC_ICR2	0xfee00310
#define XAPIC_LVT_TIMER	0xfee00320
#define XAPIC_TIMER_ICR	0xfee00380
#define XAPIC_TIMER_DCR	0xfee003e0
#define IOAPIC_REGSEL	0xfec00000
#define IOAPIC_WIN_OFF	0x10

/*
 * Guest assembly (64-bit) for the APICs: the clobbers are the
 * registers each macro names.
 */
/* 32-bit MMIO above 2 GiB: the address goes through RAX. */
#define MMIO_W(addr, val)						\
	"mov $" __stringify(addr) ", %eax\n\t"				\
	"movl $" __stringify(val) ", (%rax)\n\t"
#define MMIO_R(addr, reg)						\
	"mov $" __stringify(addr) ", %eax\n\t"				\
	"mov (%rax), " reg "\n\t"
#define WRMSR(msr, lo, hi)						\
	"mov $" __stringify(msr) ", %ecx\n\t"				\
	"mov $" __stringify(lo) ", %eax\n\t"				\
	"mov $" __stringify(hi) ", %edx\n\t"				\
	"wrmsr\n\t"
#define RDMSR(msr)							\
	"mov $" __stringify(msr) ", %ecx\n\t"				\
	"rdmsr\n\t"

/* Software-enable the APIC, spurious vector 0xff. */
#define XAPIC_ENABLE		MMIO_W(XAPIC_SVR, 0x1ff)

/*
 * Sleep until the u32 at @counter reaches @n.  The check runs with IF=0
 * and STI's shadow covers the HLT, so an interrupt cannot slip in between
 * the check and the sleep.
 */
#define WAIT_COUNT(counter, n)						\
	"1: cli\n\t"							\
	"cmpl $" __stringify(n) ", " counter "\n\t"			\
	"jae 2f\n\t"							\
	"sti\n\t"							\
	"hlt\n\t"							\
	"jmp 1b\n"							\
	"2: sti\n\t"

/* An interrupt handler: count, EOI through the xAPIC page, return. */
#define ISR_XAPIC(label, counter)					\
	label ":\n\t"							\
	"push %rax\n\t"							\
	"incl " counter "\n\t"						\
	MMIO_W(XAPIC_EOI, 0)						\
	"pop %rax\n\t"							\
	"iretq\n"

/* The guest is done: UCALL_DONE, never to return. */
#define GUEST_END	G_UCALL(UCALL_DONE) "ud2\n"

/* Write @val to I/O APIC register @reg (clobbers RBX). */
#define IOAPIC_W(reg, val)						\
	"mov $" __stringify(IOAPIC_REGSEL) ", %ebx\n\t"			\
	"movl $" __stringify(reg) ", (%rbx)\n\t"			\
	"movl $" __stringify(val) ", " __stringify(IOAPIC_WIN_OFF) "(%rbx)\n\t"


/* Does the module offer VMCTL_CREATE_IRQCHIP (VMCTL_CAP_IRQCHIP)? */
bool irqchip_available(void);

/* vm_create() plus VMCTL_CREATE_IRQCHIP, before any vCPU. */
struct vm *irqchip_vm_create(void);

/* A 64-bit interrupt gate: @vector to guest address @handler. */
void idt_set_gate(struct vm *vm, unsigned int vector, unsigned long handler);

/* vcpu_load_guest(), and @vector to @code's label @isr unless NULL. */
void vcpu_load_guest_isr(struct vcpu *vcpu, const struct guest_code *code,
			 unsigned int vector, const char *isr);

/* VMCTL_GET_VCPU_STATS, or die. */
void vcpu_get_stats(struct vcpu *vcpu, struct vmctl_vcpu_stats *st);

/*
 * RUN until the guest's ucall, which must be the first and only exit to
 * user space of the vCPU (the kernel handles the rest): returns the
 * ucall type, or UCALL_NONE, the count printed, when there were more.
 */
int run_to_done(struct vcpu *vcpu, struct ucall *uc);

/* An irqchip VM with vCPU 0 (*@bsp) and vCPU 1 (*@ap). */
void smp_vm_create(struct vm **vm, struct vcpu **bsp, struct vcpu **ap);
/* Undoes it; nothing when @vm is NULL (a skipped setup). */
void smp_vm_destroy(struct vm *vm, struct vcpu *bsp, struct vcpu *ap);

#endif /* SELFTEST_IRQCHIP_H */
