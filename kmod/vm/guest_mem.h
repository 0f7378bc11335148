/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_mem.c: guest-physical memory access for the emulator and string
 * I/O, through the slots' pinned pages (context: the vCPU).
 */
#ifndef VMCTL_VM_GUEST_MEM_H
#define VMCTL_VM_GUEST_MEM_H

#include "model/emulate.h"

extern const struct vmctl_emu_ops vmctl_guest_mem_ops;

#endif /* VMCTL_VM_GUEST_MEM_H */
