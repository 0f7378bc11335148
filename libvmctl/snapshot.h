/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The snapshot file (vmctl_vm_snapshot(), vmctl_snapshot_open()), all
 * integers little-endian:
 *
 *   header      64 bytes at offset 0: magic "VMCTLSNP", version, the
 *               number of sections, the file's size, a CRC-32 of the
 *               header (computed with its crc field 0)
 *   sections    one after the other from offset 64, each a 40-byte
 *               section header at an 8-byte boundary, then its payload
 *               at the offset the header gives (right after it, or at
 *               the next 4 KiB boundary for memory)
 *   END         the last section, empty
 *
 * Sections, in the order they are written and restored:
 *   CONFIG      the caller's bytes (vmctl writes its run options there)
 *   CLOCK       struct vmctl_clock (VMCTL_GET_CLOCK)
 *   VCPU        one per vCPU, index = its id: vmctl_vcpu_save_state()'s
 *               blob (CPUID the guest saw, registers, FPU/XSAVE, MSRs,
 *               LAPIC, events, MP state; versioned on its own)
 *   IOAPIC      struct vmctl_ioapic_state, when the VM has the irqchip
 *   DEVICE      one per device model: a 32-byte NUL-padded model name
 *               ("uart", "cmos", "pci"), then what its save op put;
 *               index = its rank among the VM's devices of that model.
 *               A virtio device's starts with the transport's state
 *               (virtio_state.c); virtio-balloon's goes on with its own,
 *               versioned on its own (virtio_balloon_state.c: the sizes
 *               asked and held, features, counters, statistics)
 *   MEMORY      one per RAM slot, arg = its guest-physical address,
 *               size = its size; the pages as they are, page-aligned in
 *               the file so that a restore maps them copy-on-write and
 *               faults them in as the guest touches them; pages of zeros
 *               are holes (not written, sparse on disk)
 *
 * Every section's crc covers its header (crc field 0) and, but for
 * MEMORY (read lazily, so never read whole), its payload.  A file whose
 * size is not the header's, whose sections overlap, run past the end or
 * fail their CRC, or that lacks END, is refused before anything is
 * restored.
 */
#ifndef VMCTL_SNAPSHOT_H
#define VMCTL_SNAPSHOT_H

#include <stdint.h>

#define SNAP_MAGIC		"VMCTLSNP"
#define SNAP_VERSION		1
#define SNAP_PAGE		4096ULL
#define SNAP_MAX_SECTIONS	(2 * VMCTL_MAX_VCPUS + 64 + VMCTL_MAX_MEM_SLOTS)
#define SNAP_MAX_STATE		(16U << 20)	/* a non-memory payload */
#define SNAP_DEVICE_NAME	32

enum snap_type {
	SNAP_END = 0, SNAP_CONFIG, SNAP_CLOCK, SNAP_VCPU, SNAP_IOAPIC,
	SNAP_DEVICE, SNAP_MEMORY, SNAP_NR_TYPES
};

struct snap_header {
	char magic[8];
	uint32_t version;
	uint32_t nr_sections;	/* END included */
	uint64_t file_size;
	uint32_t crc;
	uint32_t flags;		/* none defined: 0 */
	uint8_t reserved[32];	/* 0 */
};

struct snap_section {
	uint32_t type;		/* enum snap_type */
	uint32_t index;
	uint64_t arg;
	uint64_t offset;	/* of the payload, from the file's start */
	uint64_t size;
	uint32_t crc;
	uint32_t flags;		/* none defined: 0 */
};

_Static_assert(sizeof(struct snap_header) == 64, "snapshot header");
_Static_assert(sizeof(struct snap_section) == 40, "snapshot section");

#endif /* VMCTL_SNAPSHOT_H */
