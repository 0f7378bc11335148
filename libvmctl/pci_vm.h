/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PCI bus of a VM (pci_vm.c): pci.c's bus as a device on the VM's
 * list, claiming the configuration ports, the PCI hole and the I/O BAR
 * window in the VM's I/O table, its INTx pins connected to the I/O APIC
 * through device.h.  Every PC guest gets one (pc.c's list names its
 * constructor, vmctl_pci_host_create); a device model
 * plugs itself in with vmctl_pci_plug_virtio().
 */
#ifndef VMCTL_PCI_VM_H
#define VMCTL_PCI_VM_H

#include <stdint.h>

#include "virtq.h"

struct vmctl_vm;
struct vmctl_virtio_dev;

/* Put a virtio device on vm's bus (created first if vm has none). */
int vmctl_pci_plug_virtio(struct vmctl_vm *vm, struct vmctl_virtio_dev *vdev);

/*
 * vm's RAM as its virtio devices see it: mapped with
 * vmctl_vm_gpa_to_hva, writes marked in its userspace dirty log.
 */
struct vmctl_guest_ram vmctl_pci_guest_ram(struct vmctl_vm *vm);

#endif /* VMCTL_PCI_VM_H */
