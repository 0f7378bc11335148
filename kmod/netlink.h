/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "vmctl" generic netlink family (netlink.c): the hooks the rest of the
 * module calls.  All of them sleep (GFP_KERNEL, mutexes): process context.
 */
#ifndef VMCTL_NETLINK_H
#define VMCTL_NETLINK_H

#include <linux/vmctl_netlink.h>

struct vmctl_vm;
struct vmctl_vcpu;

int vmctl_nl_init(void);
void vmctl_nl_exit(void);

/* Multicast VMCTL_CMD_EVENT_VM_CREATED or _DESTROYED for @vm. */
void vmctl_nl_vm_event(struct vmctl_vm *vm, u8 cmd);

/*
 * VMCTL_RUN with the bookkeeping the family reports: the VM's running
 * state, and the shutdown / failed-entry events when the run ends so.
 */
long vmctl_nl_vcpu_run(struct vmctl_vcpu *vcpu);

#endif /* VMCTL_NETLINK_H */
