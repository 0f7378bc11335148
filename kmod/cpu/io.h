/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io.c: port I/O exits.
 */
#ifndef VMCTL_CPU_IO_H
#define VMCTL_CPU_IO_H

struct vmk_vcpu;

int vmctl_handle_io(struct vmk_vcpu *vcpu);

#endif /* VMCTL_CPU_IO_H */
