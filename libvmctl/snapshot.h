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
 *   PIC_PIT     struct vmctl_pic_pit_state (versioned on its own), when
 *               the VM has the 8259s and PIT (vmctl_vm_create_pic_pit());
 *               a VM that has them restores only such a file, and a
 *               file that has it only into such a VM
 *   DEVICE      one per device model: a 32-byte NUL-padded model name
 *               ("uart", "cmos", "pci"), then what its save op put;
 *               index = its rank among the VM's devices of that model.
 *               A virtio device's starts with the transport's state
 *               (virtio_state.c); virtio-balloon's goes on with its own,
 *               versioned on its own (virtio_balloon_state.c: the sizes
 *               asked and held, features, counters, statistics), and
 *               virtio-net's likewise (virtio_net_state.c: its MAC)
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC		"VMCTLSNP"
#define SNAP_VERSION		1
#define SNAP_PAGE		4096ULL
#define SNAP_MAX_SECTIONS	(2 * VMCTL_MAX_VCPUS + 64 + VMCTL_MAX_MEM_SLOTS)
#define SNAP_MAX_STATE		(16U << 20)	/* a non-memory payload */
#define SNAP_DEVICE_NAME	32

/*
 * SNAP_PAGES and SNAP_ZEROS: a migration stream's pages (migrate.h),
 * never in a file.  SNAP_PIC_PIT came after them: the types before it
 * kept their numbers, so files written before it still read.
 */
enum snap_type {
	SNAP_END = 0, SNAP_CONFIG, SNAP_CLOCK, SNAP_VCPU, SNAP_IOAPIC,
	SNAP_DEVICE, SNAP_MEMORY, SNAP_PAGES, SNAP_ZEROS, SNAP_PIC_PIT,
	SNAP_NR_TYPES
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

/*
 * What tells a file's header from a migration stream's, and the words
 * their refusals use (users and tests know them as they are).
 */
struct snap_format {
	const char *magic;		/* 8 bytes */
	uint32_t version;
	const char *not_magic;		/* another magic */
	const char *version_name;	/* "<this> %u; this vmctl <verb> ..." */
	const char *verb;
	const char *bad_crc;
	const char *corrupt;		/* flags set, sizes impossible */
};

/* h's magic, version, CRC and flags for f: 0, or -EPROTO with f's words. */
int snap_check_header(const struct snap_header *h,
		      const struct snap_format *f);

/*
 * The section writer and reader, shared by the file and the migration
 * stream (migrate_*.c): where the bytes go or come from is the write or
 * read op, at the offsets the format gives (a stream's op writes the
 * padding as zeros, or reads and drops it, and never goes back).
 */
struct vmctl_vm;

struct snap_out {
	int fd;
	uint64_t pos;		/* where the next section header goes */
	uint64_t done;		/* a stream's bytes so far */
	uint32_t nr;
	int (*write)(struct snap_out *o, const void *buf, size_t len,
		     uint64_t off);
};

struct snap_in {
	int fd;
	uint64_t size;		/* a file's size; a stream's: UINT64_MAX */
	uint64_t done;		/* a stream's bytes so far */
	int (*read)(struct snap_in *in, void *buf, size_t len, uint64_t off);
};

struct snap_data {
	struct snap_section h;
	uint8_t *data;		/* the payload (malloc'd), but for MEMORY */
};

struct vmctl_snapshot {
	int fd;
	unsigned int nr;
	struct snap_data s[SNAP_MAX_SECTIONS];
};

/* A section whose payload is a then b, right after its header. */
int snap_put(struct snap_out *o, uint32_t type, uint32_t index, uint64_t arg,
	     const void *a, size_t alen, const void *b, size_t blen);
/* Whether the SNAP_PAGE bytes at p are all zeros. */
bool snap_zero_page(const uint8_t *p);
/*
 * The VM's state but its memory: CLOCK, each VCPU, IOAPIC, PIC_PIT, each
 * DEVICE.
 */
int snap_put_state(struct snap_out *o, struct vmctl_vm *vm);
/*
 * The section whose header is at *pos into sec, its payload read and
 * checked (bounds, CRC; the payload of a non-MEMORY section right after
 * its header); *pos past it.  0 or -EPROTO with the detail, -errno.
 */
int snap_read_section(struct snap_in *in, struct snap_data *sec,
		      uint64_t *pos);
/*
 * s into vm (vmctl_snapshot_restore()); with memory false, the RAM is
 * the VM's already (a migration's) and s has no MEMORY section.
 */
int snap_restore(struct vmctl_snapshot *s, struct vmctl_vm *vm, bool memory);

#endif /* VMCTL_SNAPSHOT_H */
