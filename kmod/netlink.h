/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "vmctl" generic netlink family (netlink.c): registered at module
 * load, it hears of VMs through the VM layer's watcher hook (vm.c).
 */
#ifndef VMCTL_NETLINK_H
#define VMCTL_NETLINK_H

#include <linux/vmctl_netlink.h>

int vmctl_nl_init(void);
void vmctl_nl_exit(void);

#endif /* VMCTL_NETLINK_H */
