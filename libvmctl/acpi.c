// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ACPI tables (see acpi.h).  Layouts from the ACPI 6.0 specification,
 * chapter 5.2: the 36-byte RSDP (ACPI 2.0 form: XSDT address, extended
 * checksum), the 36-byte header every other table starts with, the
 * 276-byte FADT of revision 6 and the MADT's interrupt controller
 * structures.  Each table's checksum makes its bytes sum to zero; the
 * RSDP has one over its first 20 bytes and one over all 36.
 */
#include <errno.h>
#include <string.h>

#include "acpi.h"
#include "bytes.h"
#include "pm.h"

#define RSDP_SIZE		36
#define RSDP_V1_SIZE		20
#define HEADER_SIZE		36
#define FADT_SIZE		276
#define MADT_HEADER_SIZE	44

#define OEM_ID			"VMCTL "	/* 6 characters */
#define OEM_TABLE_ID		"VMCTL VM"	/* 8 */
#define CREATOR_ID		"VMCT"
#define OEM_REVISION		1
#define CREATOR_REVISION	1

/* FADT fields (offsets) and flags */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_FIRMWARE_CTRL	132
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL	244
#define FADT_SLEEP_STATUS	256
#define FADT_REVISION		6	/* ACPI 6.0 */

#define BOOT_ARCH_LEGACY_DEVICES	(1U << 0)	/* COM1, CMOS */
#define BOOT_ARCH_VGA_NOT_PRESENT	(1U << 2)
/* no 8042 (bit 1 clear); a CMOS clock (bit 5 clear) */

#define FLAG_WBINVD		(1U << 0)
#define FLAG_PROC_C1		(1U << 2)
#define FLAG_PWR_BUTTON		(1U << 4)	/* none as fixed hardware */
#define FLAG_SLP_BUTTON		(1U << 5)
#define FLAG_RESET_REG_SUP	(1U << 10)
#define FLAG_HW_REDUCED_ACPI	(1U << 20)

/* Latencies above these say "no C2, no C3" */
#define NO_C2_LATENCY		101
#define NO_C3_LATENCY		1001

/* FACS: no checksum, 64-byte aligned */
#define FACS_SIZE		64
#define FACS_VERSION		2

/* Generic Address Structure */
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1

/* MADT */
#define MADT_REVISION		4	/* ACPI 6.0 */
#define MADT_LOCAL_APIC		0
#define MADT_IO_APIC		1
#define MADT_INT_OVERRIDE	2
#define MADT_LOCAL_APIC_NMI	4
#define MADT_PCAT_COMPAT	(1U << 0)
#define MADT_LOCAL_APIC_SIZE	8
#define MADT_IO_APIC_SIZE	12
#define MADT_INT_OVERRIDE_SIZE	10
#define MADT_LOCAL_APIC_NMI_SIZE 6
#define LAPIC_ENABLED		(1U << 0)
#define ALL_PROCESSORS		0xff
#define ISA_BUS			0
#define TIMER_IRQ		0
#define TIMER_GSI		2
#define INTI_CONFORMS		0	/* polarity and trigger of the bus */
#define NMI_LINT		1

/*
 * The SCI's ISA IRQ.  Hardware-reduced ACPI raises none here, but Linux
 * routes the one the FADT names: a line no ISA device of ours uses.
 */
#define SCI_IRQ			9

#define XSDT_REVISION		1
#define DSDT_REVISION		2	/* 64-bit integers */
#define NR_XSDT_ENTRIES		2	/* FADT, MADT */

static size_t align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* The common header; the checksum is set once the body is written. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	vmctl_put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	vmctl_put32(t + 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	vmctl_put32(t + 32, CREATOR_REVISION);
}

static void seal(uint8_t *t)
{
	t[9] = 0;
	t[9] = -vmctl_sum8(t, vmctl_get32(t + 4));
}

/* A byte-wide I/O port as a Generic Address Structure. */
static void gas_port(uint8_t *p, uint16_t port)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = 8;			/* register bit width */
	p[2] = 0;			/* bit offset */
	p[3] = GAS_ACCESS_BYTE;
	vmctl_put64(p + 4, port);
}

/*
 * The PM1 event and control blocks of full ACPI, and its FACS: no SMI
 * command port, so the platform is always in ACPI mode, no PM timer
 * (optional since ACPI 5.0A), no GPE block.
 */
static void fadt_full(uint8_t *t, uint32_t facs)
{
	vmctl_put32(t + FADT_FIRMWARE_CTRL, facs);
	vmctl_put64(t + FADT_X_FIRMWARE_CTRL, facs);
	vmctl_put32(t + FADT_PM1A_EVT_BLK, VMCTL_PM1_EVT);
	vmctl_put32(t + FADT_PM1A_CNT_BLK, VMCTL_PM1_CNT);
	t[FADT_PM1_EVT_LEN] = VMCTL_PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = VMCTL_PM1_CNT_LEN;
	vmctl_put16(t + FADT_P_LVL2_LAT, NO_C2_LATENCY);
	vmctl_put16(t + FADT_P_LVL3_LAT, NO_C3_LATENCY);
}

/* @facs: 0 for hardware-reduced ACPI, else the FACS's address. */
static void build_fadt(uint8_t *t, uint32_t dsdt, uint32_t facs)
{
	memset(t, 0, FADT_SIZE);
	header(t, "FACP", FADT_SIZE, FADT_REVISION);
	vmctl_put32(t + FADT_DSDT, dsdt);
	vmctl_put16(t + FADT_SCI_INT, SCI_IRQ);
	vmctl_put16(t + FADT_IAPC_BOOT_ARCH,
	      BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_VGA_NOT_PRESENT);
	vmctl_put32(t + FADT_FLAGS, FLAG_WBINVD | FLAG_PROC_C1 | FLAG_PWR_BUTTON |
	      FLAG_SLP_BUTTON | FLAG_RESET_REG_SUP |
	      (facs ? 0 : FLAG_HW_REDUCED_ACPI));
	if (facs)
		fadt_full(t, facs);
	gas_port(t + FADT_RESET_REG, VMCTL_PM_RESET);
	t[FADT_RESET_VALUE] = VMCTL_PM_RESET_VALUE;
	t[FADT_MINOR_VERSION] = 0;
	vmctl_put64(t + FADT_X_DSDT, dsdt);
	gas_port(t + FADT_SLEEP_CONTROL, VMCTL_PM_SLEEP_CONTROL);
	gas_port(t + FADT_SLEEP_STATUS, VMCTL_PM_SLEEP_STATUS);
	seal(t);
}

static size_t madt_size(unsigned int nr_cpus)
{
	return MADT_HEADER_SIZE + nr_cpus * MADT_LOCAL_APIC_SIZE +
	       MADT_IO_APIC_SIZE + MADT_INT_OVERRIDE_SIZE +
	       MADT_LOCAL_APIC_NMI_SIZE;
}

static void build_madt(uint8_t *t, const struct vmctl_acpi_config *cfg)
{
	size_t len = madt_size(cfg->nr_cpus);
	uint8_t *p = t + MADT_HEADER_SIZE;
	unsigned int i;

	memset(t, 0, len);
	header(t, "APIC", len, MADT_REVISION);
	vmctl_put32(t + 36, cfg->lapic_addr);
	if (cfg->pic_pit)
		vmctl_put32(t + 40, MADT_PCAT_COMPAT);	/* 8259s too */
	for (i = 0; i < cfg->nr_cpus; i++, p += MADT_LOCAL_APIC_SIZE) {
		p[0] = MADT_LOCAL_APIC;
		p[1] = MADT_LOCAL_APIC_SIZE;
		p[2] = i;			/* processor UID, as in the DSDT */
		p[3] = i;			/* APIC ID */
		vmctl_put32(p + 4, LAPIC_ENABLED);
	}
	p[0] = MADT_IO_APIC;
	p[1] = MADT_IO_APIC_SIZE;
	p[2] = cfg->ioapic_id;
	vmctl_put32(p + 4, cfg->ioapic_addr);
	vmctl_put32(p + 8, 0);			/* its inputs are GSIs 0.. */
	p += MADT_IO_APIC_SIZE;
	/* The only ISA IRQ not on the I/O APIC input of its number. */
	p[0] = MADT_INT_OVERRIDE;
	p[1] = MADT_INT_OVERRIDE_SIZE;
	p[2] = ISA_BUS;
	p[3] = TIMER_IRQ;
	vmctl_put32(p + 4, TIMER_GSI);
	vmctl_put16(p + 8, INTI_CONFORMS);
	p += MADT_INT_OVERRIDE_SIZE;
	p[0] = MADT_LOCAL_APIC_NMI;
	p[1] = MADT_LOCAL_APIC_NMI_SIZE;
	p[2] = ALL_PROCESSORS;
	vmctl_put16(p + 3, INTI_CONFORMS);
	p[5] = NMI_LINT;
	seal(t);
}

static void build_rsdp(uint8_t *p, uint64_t xsdt)
{
	memset(p, 0, RSDP_SIZE);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, OEM_ID, 6);
	p[15] = 2;			/* revision: ACPI 2.0 and later */
	/* RSDT address 0: an XSDT only, which every 64-bit OS reads */
	vmctl_put32(p + 20, RSDP_SIZE);
	vmctl_put64(p + 24, xsdt);
	p[8] = -vmctl_sum8(p, RSDP_V1_SIZE);
	p[32] = -vmctl_sum8(p, RSDP_SIZE);
}

int vmctl_acpi_build(const struct vmctl_acpi_config *cfg, uint32_t gpa,
		     void *buf, size_t room)
{
	size_t xsdt, fadt, madt, dsdt, facs = 0, end;
	uint8_t *b = buf;
	int aml;

	if (!cfg->nr_cpus || cfg->nr_cpus > 255 ||
	    cfg->ioapic_id < cfg->nr_cpus || (gpa & 15))
		return -EINVAL;
	xsdt = align8(RSDP_SIZE);
	fadt = align8(xsdt + HEADER_SIZE + 8 * NR_XSDT_ENTRIES);
	madt = align8(fadt + FADT_SIZE);
	dsdt = align8(madt + madt_size(cfg->nr_cpus));
	if (room < dsdt + HEADER_SIZE)
		return -ENOSPC;
	aml = vmctl_dsdt_aml(cfg->nr_cpus, b + dsdt + HEADER_SIZE,
			     room - dsdt - HEADER_SIZE);
	if (aml < 0)
		return aml;
	end = dsdt + HEADER_SIZE + aml;
	if (cfg->pic_pit) {
		facs = ((gpa + end + FACS_SIZE - 1) & ~(size_t)(FACS_SIZE - 1)) -
		       gpa;
		end = facs + FACS_SIZE;
		if (end > room)
			return -ENOSPC;
		memset(b + dsdt + HEADER_SIZE + aml, 0,
		       end - dsdt - HEADER_SIZE - aml);
		memcpy(b + facs, "FACS", 4);
		vmctl_put32(b + facs + 4, FACS_SIZE);
		b[facs + 32] = FACS_VERSION;
	}
	if ((uint64_t)gpa + end > UINT32_MAX)
		return -EINVAL;

	memset(b, 0, dsdt);
	build_rsdp(b, gpa + xsdt);
	header(b + xsdt, "XSDT", HEADER_SIZE + 8 * NR_XSDT_ENTRIES,
	       XSDT_REVISION);
	vmctl_put64(b + xsdt + HEADER_SIZE, gpa + fadt);
	vmctl_put64(b + xsdt + HEADER_SIZE + 8, gpa + madt);
	seal(b + xsdt);
	build_fadt(b + fadt, gpa + dsdt, facs ? gpa + facs : 0);
	build_madt(b + madt, cfg);
	header(b + dsdt, "DSDT", HEADER_SIZE + aml, DSDT_REVISION);
	seal(b + dsdt);
	return end;
}
