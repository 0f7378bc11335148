/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqfd.c: interrupt eventfds (VMCTL_IRQFD, KVM's irqfd): an eventfd
 * write raises an I/O APIC pin or sends an MSI, with no ioctl.
 */
#ifndef VMCTL_IRQCHIP_IRQFD_H
#define VMCTL_IRQCHIP_IRQFD_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/vmctl.h>

struct vmk_vm;

/* A VM's irqfds (struct vmk_vm.irqfds). */
struct vmk_irqfds {
	struct mutex assign;	/* assign vs deassign: whole registrations */
	spinlock_t lock;	/* items, nr; taken in eventfd wake-ups */
	struct list_head items;	/* the active irqfds */
	u32 nr;
};

/* The module's cleanup workqueue: module init and exit. */
int vmk_irqfd_init(void);
void vmk_irqfd_exit(void);

void vmk_irqfds_init(struct vmk_irqfds *fds);
int vmk_irqfd(struct vmk_vm *vm, const struct vmctl_irqfd *args);
/*
 * VM teardown, before the vCPUs and the irqchip go: every irqfd is gone
 * when this returns, and no wake-up of theirs still runs.
 */
void vmk_irqfds_release(struct vmk_vm *vm);

#endif /* VMCTL_IRQCHIP_IRQFD_H */
