/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests with the in-kernel interrupt controllers (VMCTL_CREATE_IRQCHIP):
 * the VM, interrupt gates of the test's own handlers, and the register
 * addresses guest assembly pastes in.
 */
#ifndef SELFTEST_IRQCHIP_H
#define SELFTEST_IRQCHIP_H

#include <stdbool.h>

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

/* Does the module offer VMCTL_CREATE_IRQCHIP (VMCTL_CAP_IRQCHIP)? */
bool irqchip_available(void);

/* vm_create() plus VMCTL_CREATE_IRQCHIP, before any vCPU. */
struct vm *irqchip_vm_create(void);

/* A 64-bit interrupt gate: @vector to guest address @handler. */
void idt_set_gate(struct vm *vm, unsigned int vector, unsigned long handler);

#endif /* SELFTEST_IRQCHIP_H */
