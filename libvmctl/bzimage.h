/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Booting a Linux bzImage with the 32-bit or 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst): parse and check the setup header,
 * plan where everything goes in guest memory, fill struct boot_params
 * (the "zero page") and give the registers the kernel starts with.
 * Pure logic: image bytes and sizes in, a list of guest-physical writes
 * and a CPU state out; the caller copies and sets registers.
 */
#ifndef VMCTL_BZIMAGE_H
#define VMCTL_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vmctl.h>

#include "firmware.h"

/* What the setup header says, once checked. */
struct vmctl_bzimage {
	uint16_t version;		/* boot protocol, 0x20f is 2.15 */
	uint32_t setup_size;		/* file bytes before the kernel proper */
	uint32_t kernel_size;		/* protected-mode kernel bytes */
	uint8_t loadflags;
	uint16_t xloadflags;		/* 0 before protocol 2.12 */
	bool relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;		/* 0 before 2.10 */
	uint32_t init_size;		/* before 2.10: an estimate */
	uint32_t cmdline_size;		/* longest command line, NUL excluded */
	uint32_t initrd_addr_max;	/* highest byte the initrd may use */
};

#define VMCTL_XLF_KERNEL_64	(1U << 0)	/* 64-bit entry at +0x200 */

/*
 * Check len bytes at img.  Fails with -VMCTL_E_IMAGE_FORMAT (not a
 * bzImage, boot protocol older than 2.06, a zImage loaded low) or
 * -VMCTL_E_IMAGE_TRUNCATED; vmctl_error_detail() says which.
 */
int vmctl_bzimage_parse(const void *img, size_t len, struct vmctl_bzimage *bz);

enum vmctl_bzimage_entry {
	VMCTL_BZ_ENTRY_AUTO,	/* 64-bit when the kernel has it, else 32 */
	VMCTL_BZ_ENTRY_64,
	VMCTL_BZ_ENTRY_32,
};

/* A range of guest RAM, for the e820 map. */
struct vmctl_ram_range {
	uint64_t gpa;
	uint64_t size;
};

struct vmctl_bzimage_params {
	const void *image;
	size_t image_len;
	const void *initrd;		/* NULL when initrd_len is 0 */
	size_t initrd_len;
	const char *cmdline;		/* NULL: empty */
	/* Guest RAM; one range must start at 0, everything is put there. */
	const struct vmctl_ram_range *ram;
	unsigned int nr_ram;
	/*
	 * > 0: the MP table and the ACPI tables list them (APIC ID = vCPU
	 * id) and the I/O APIC; SMBIOS tables name the machine
	 */
	unsigned int nr_cpus;
	bool pic_pit;			/* full ACPI, for the 8259s (acpi.h) */
	enum vmctl_bzimage_entry entry;
};

/* Where the plan puts things in low memory. */
#define VMCTL_BZ_GDT		0x1000ULL	/* GDT, then the TSS */
#define VMCTL_BZ_PAGE_TABLES	0x2000ULL	/* PML4, PDPT, 4 PDs */
#define VMCTL_BZ_ZERO_PAGE	0x8000ULL
#define VMCTL_BZ_STACK_TOP	0x20000ULL	/* 0x9000 up to here is free */
#define VMCTL_BZ_CMDLINE	0x20000ULL
#define VMCTL_BZ_CMDLINE_MAX	0x10000ULL
#define VMCTL_BZ_EBDA		0x9fc00ULL	/* reserved up to 640 KiB */
#define VMCTL_BZ_BIOS		VMCTL_FW_BASE	/* firmware tables, to 1 MiB */
#define VMCTL_BZ_KERNEL		0x100000ULL

/* The boot protocol's selectors (__BOOT_CS, __BOOT_DS), then our TSS. */
#define VMCTL_BZ_CS		0x10
#define VMCTL_BZ_DS		0x18
#define VMCTL_BZ_TR		0x20

#define VMCTL_BZ_NR_PDS		4	/* identity map of the first 4 GiB */
#define VMCTL_BZ_TABLES_SIZE	((2 + VMCTL_BZ_NR_PDS) * 4096)
#define VMCTL_BZ_MAX_WRITES	7
#define VMCTL_BZ_MAX_CPUS	VMCTL_MAX_VCPUS

/* One piece of guest memory to fill: len bytes from data at gpa. */
struct vmctl_guest_write {
	uint64_t gpa;
	const void *data;
	size_t len;
};

struct vmctl_bzimage_plan {
	struct vmctl_bzimage hdr;
	bool long_mode;			/* 64-bit entry */
	uint64_t kernel_gpa;
	uint64_t kernel_end;		/* end of what it uses while booting */
	uint64_t initrd_gpa;		/* 0 without an initrd */
	uint64_t entry;
	unsigned int nr_writes;
	struct vmctl_guest_write writes[VMCTL_BZ_MAX_WRITES];
	/* the buffers the writes point into, besides the caller's */
	uint8_t zero_page[4096];
	uint8_t gdt_page[4096];
	uint8_t page_tables[VMCTL_BZ_TABLES_SIZE];
	uint8_t firmware[VMCTL_FW_ROOM];
};

/*
 * Plan the boot of p->image.  Fails with the errors of
 * vmctl_bzimage_parse(), -VMCTL_E_IMAGE_RANGE (no RAM at 0, kernel,
 * initrd or command line do not fit, too many CPUs) or -EINVAL (64-bit
 * entry asked of a kernel without one).  The writes point into the plan,
 * p->image, p->initrd and p->cmdline: keep those until they are copied.
 */
int vmctl_bzimage_plan(const struct vmctl_bzimage_params *p,
		       struct vmctl_bzimage_plan *plan);

/*
 * Set the boot CPU's registers for a plan's entry (plan->long_mode,
 * plan->entry).  sregs should come from VMCTL_GET_SREGS: fields the boot
 * protocol does not concern (apic_base, cr8, flags) are left as they are.
 */
void vmctl_bzimage_cpu_state(bool long_mode, uint64_t entry,
			     struct vmctl_regs *regs,
			     struct vmctl_sregs *sregs);

#endif /* VMCTL_BZIMAGE_H */
