// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ACPI table tests.  The bytes are read back the way a guest would: the
 * RSDP's checksums lead to the XSDT, whose entries lead to the FADT and
 * MADT, the FADT to the DSDT; every table's checksum is verified, the
 * MADT's entries walked, and the DSDT's AML parsed by a small reader
 * written here from the ACPI 6.4 grammar (independently of aml.c), so a
 * wrong PkgLength or opcode shows up as a parse failure.  The AML
 * encoder's corner cases (long PkgLengths, bad names, no room) are
 * tested on their own.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bytes.h"
#include "acpi.h"
#include "aml.h"
#include "pc_layout.h"
#include "pm.h"

#define GPA		0xf1000
#define ROOM		VMCTL_ACPI_ROOM

static uint8_t buf[ROOM];

static const struct vmctl_acpi_config cfg2 = {
	.nr_cpus = 2, .ioapic_id = 64,
	.ioapic_addr = 0xfec00000, .lapic_addr = 0xfee00000,
};

static int build(const struct vmctl_acpi_config *cfg)
{
	memset(buf, 0xa5, sizeof(buf));
	return vmctl_acpi_build(cfg, GPA, buf, sizeof(buf));
}

/* A table at a guest address inside buf, its header and checksum checked. */
static const uint8_t *table(uint64_t gpa, const char *sig, int size)
{
	const uint8_t *t;

	assert_true(gpa >= GPA && gpa + 36 <= GPA + (uint64_t)size);
	t = buf + (gpa - GPA);
	assert_memory_equal(t, sig, 4);
	assert_true(gpa + vmctl_get32(t + 4) <= GPA + (uint64_t)size);
	assert_int_equal(vmctl_sum8(t, vmctl_get32(t + 4)), 0);
	assert_memory_equal(t + 10, "VMCTL ", 6);
	return t;
}

/* The XSDT's entry whose table has signature sig. */
static const uint8_t *xsdt_entry(const char *sig, int size)
{
	const uint8_t *xsdt = table(vmctl_get64(buf + 24), "XSDT", size);
	uint32_t i, n = (vmctl_get32(xsdt + 4) - 36) / 8;

	for (i = 0; i < n; i++) {
		const uint8_t *t = buf + (vmctl_get64(xsdt + 36 + 8 * i) - GPA);

		if (!memcmp(t, sig, 4))
			return table(vmctl_get64(xsdt + 36 + 8 * i), sig, size);
	}
	fail_msg("no %s in the XSDT", sig);
	return NULL;
}

static void test_rsdp(void **state)
{
	int size;

	(void)state;
	size = build(&cfg2);
	assert_true(size > 36 && size <= ROOM);
	assert_memory_equal(buf, "RSD PTR ", 8);
	assert_int_equal(vmctl_sum8(buf, 20), 0);	/* ACPI 1.0 checksum */
	assert_int_equal(vmctl_sum8(buf, 36), 0);	/* extended checksum */
	assert_int_equal(buf[15], 2);		/* revision: has an XSDT */
	assert_int_equal(vmctl_get32(buf + 20), 36);
	assert_int_equal(vmctl_get32(buf + 16), 0);	/* no RSDT */
	table(vmctl_get64(buf + 24), "XSDT", size);
	/* FADT and MADT; the DSDT is reached through the FADT */
	assert_int_equal(vmctl_get32(buf + (vmctl_get64(buf + 24) - GPA) + 4), 36 + 16);
}

static void expect_gas_port(const uint8_t *g, uint16_t port)
{
	assert_int_equal(g[0], 1);		/* system I/O */
	assert_int_equal(g[1], 8);		/* 8 bits wide */
	assert_int_equal(g[2], 0);
	assert_int_equal(g[3], 1);		/* byte access */
	assert_int_equal(vmctl_get64(g + 4), port);
}

static void test_fadt(void **state)
{
	const uint8_t *fadt;
	uint32_t flags;
	int size;

	(void)state;
	size = build(&cfg2);
	fadt = xsdt_entry("FACP", size);
	assert_int_equal(vmctl_get32(fadt + 4), 276);
	assert_int_equal(fadt[8], 6);		/* ACPI 6.0 */
	flags = vmctl_get32(fadt + 112);
	assert_true(flags & (1U << 20));	/* HW_REDUCED_ACPI */
	assert_true(flags & (1U << 10));	/* RESET_REG_SUP */
	/* hardware-reduced: no FACS, PM1 blocks, PM timer or GPEs */
	assert_int_equal(vmctl_get32(fadt + 36), 0);
	assert_int_equal(vmctl_get64(fadt + 132), 0);
	for (size_t off = 56; off < 88; off += 4)
		assert_int_equal(vmctl_get32(fadt + off), 0);
	assert_int_equal(vmctl_get16(fadt + 46), 9);		/* SCI */
	/* reset register, sleep control and status: the PM device's ports */
	expect_gas_port(fadt + 116, VMCTL_PM_RESET);
	assert_int_equal(fadt[128], VMCTL_PM_RESET_VALUE);
	expect_gas_port(fadt + 244, VMCTL_PM_SLEEP_CONTROL);
	expect_gas_port(fadt + 256, VMCTL_PM_SLEEP_STATUS);
	/* no i8042, no VGA, a CMOS clock */
	assert_int_equal(vmctl_get16(fadt + 109) & 0x26, 0x04);
	/* the DSDT, by its 32- and 64-bit pointers alike */
	assert_int_equal(vmctl_get32(fadt + 40), vmctl_get64(fadt + 140));
	table(vmctl_get64(fadt + 140), "DSDT", size);
}

/* With the 8259s: full ACPI, PM1 blocks, a FACS, PCAT_COMPAT. */
static void test_full_acpi_with_pic_pit(void **state)
{
	struct vmctl_acpi_config cfg = cfg2;
	const uint8_t *fadt, *facs, *madt;
	uint64_t facs_gpa;
	int size;

	(void)state;
	cfg.pic_pit = true;
	size = build(&cfg);
	fadt = xsdt_entry("FACP", size);
	assert_false(vmctl_get32(fadt + 112) & (1U << 20));
	assert_int_equal(vmctl_get32(fadt + 48), 0);	/* no SMI_CMD */
	assert_int_equal(vmctl_get32(fadt + 56), VMCTL_PM1_EVT);
	assert_int_equal(vmctl_get32(fadt + 64), VMCTL_PM1_CNT);
	assert_int_equal(fadt[88], 4);
	assert_int_equal(fadt[89], 2);
	assert_int_equal(vmctl_get32(fadt + 76), 0);	/* no PM timer */
	assert_true(vmctl_get16(fadt + 96) > 100);	/* no C2 */
	assert_true(vmctl_get16(fadt + 98) > 1000);	/* no C3 */
	facs_gpa = vmctl_get32(fadt + 36);
	assert_int_equal(facs_gpa, vmctl_get64(fadt + 132));
	assert_int_equal(facs_gpa % 64, 0);
	assert_true(facs_gpa >= GPA && facs_gpa + 64 <= GPA + (uint64_t)size);
	facs = buf + (facs_gpa - GPA);
	assert_memory_equal(facs, "FACS", 4);
	assert_int_equal(vmctl_get32(facs + 4), 64);
	assert_int_equal(facs[32], 2);
	madt = xsdt_entry("APIC", size);
	assert_int_equal(vmctl_get32(madt + 40), 1);	/* PCAT_COMPAT */
	/* Without them, no PCAT_COMPAT. */
	size = build(&cfg2);
	madt = xsdt_entry("APIC", size);
	assert_int_equal(vmctl_get32(madt + 40), 0);
}

static void test_madt(void **state)
{
	struct vmctl_acpi_config cfg = cfg2;
	unsigned int cpus = 0, ioapics = 0, overrides = 0, nmis = 0;
	const uint8_t *madt, *p, *end;
	int size;

	(void)state;
	cfg.nr_cpus = 5;
	size = build(&cfg);
	madt = xsdt_entry("APIC", size);
	assert_int_equal(vmctl_get32(madt + 36), 0xfee00000);
	assert_int_equal(vmctl_get32(madt + 40), 0);	/* no 8259s (PCAT_COMPAT) */
	end = madt + vmctl_get32(madt + 4);
	for (p = madt + 44; p < end; p += p[1]) {
		assert_true(p[1] >= 2 && p + p[1] <= end);
		switch (p[0]) {
		case 0:		/* processor local APIC */
			assert_int_equal(p[1], 8);
			assert_int_equal(p[2], cpus);	/* UID */
			assert_int_equal(p[3], cpus);	/* APIC ID */
			assert_int_equal(vmctl_get32(p + 4), 1);	/* enabled */
			cpus++;
			break;
		case 1:		/* I/O APIC */
			assert_int_equal(p[1], 12);
			assert_int_equal(p[2], 64);
			assert_int_equal(vmctl_get32(p + 4), 0xfec00000);
			assert_int_equal(vmctl_get32(p + 8), 0);	/* GSI base */
			ioapics++;
			break;
		case 2:		/* interrupt source override */
			assert_int_equal(p[1], 10);
			assert_int_equal(p[2], 0);		/* ISA */
			assert_int_equal(p[3], 0);		/* IRQ 0 */
			assert_int_equal(vmctl_get32(p + 4), 2);	/* to pin 2 */
			assert_int_equal(vmctl_get16(p + 8), 0);	/* as ISA */
			overrides++;
			break;
		case 4:		/* local APIC NMI */
			assert_int_equal(p[1], 6);
			assert_int_equal(p[2], 0xff);		/* all */
			assert_int_equal(p[5], 1);		/* LINT1 */
			nmis++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", p[0]);
		}
	}
	assert_ptr_equal(p, end);
	assert_int_equal(cpus, 5);
	assert_int_equal(ioapics, 1);
	assert_int_equal(overrides, 1);
	assert_int_equal(nmis, 1);
}

static void test_refusals(void **state)
{
	struct vmctl_acpi_config cfg = cfg2;

	(void)state;
	cfg.nr_cpus = 0;
	assert_int_equal(build(&cfg), -EINVAL);
	cfg.nr_cpus = 256;
	cfg.ioapic_id = 255;
	assert_int_equal(build(&cfg), -EINVAL);
	cfg.nr_cpus = 65;			/* I/O APIC ID 64 is a CPU's */
	cfg.ioapic_id = 64;
	assert_int_equal(build(&cfg), -EINVAL);
	assert_int_equal(vmctl_acpi_build(&cfg2, GPA + 8, buf, ROOM), -EINVAL);
	assert_int_equal(vmctl_acpi_build(&cfg2, GPA, buf, 200), -ENOSPC);
	assert_int_equal(vmctl_acpi_build(&cfg2, GPA, buf, 1000), -ENOSPC);
}

/* ---- an AML reader for the subset a DSDT of ours may contain ---- */

enum obj_type { OBJ_INT, OBJ_STR, OBJ_BUF, OBJ_PKG };

struct obj {
	enum obj_type type;
	uint64_t v;			/* INT */
	const char *s;			/* STR */
	const uint8_t *data;		/* BUF bytes, PKG elements */
	size_t len;			/* BUF bytes, PKG element bytes */
	unsigned int count;		/* PKG elements */
};

#define MAX_NAMES	512

static struct {
	char path[64];
	struct obj o;
} names[MAX_NAMES];
static unsigned int nr_names;

/* PkgLength: returns its value (counting itself), *n its size. */
static size_t pkglen(const uint8_t *p, const uint8_t *end, size_t *n)
{
	size_t len, i;

	*n = (p[0] >> 6) + 1;
	assert_true(p + *n <= end);
	if (*n == 1)
		return p[0] & 0x3f;
	assert_int_equal(p[0] & 0x30, 0);	/* bits 4-5 reserved */
	len = p[0] & 0x0f;
	for (i = 1; i < *n; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	return len;
}

static const uint8_t *name_string(const uint8_t *p, const uint8_t *end,
				  char *out)
{
	size_t i = 0;

	if (*p == '\\')
		out[i++] = *p++;
	assert_true(p + 4 <= end);
	for (int j = 0; j < 4; j++) {
		assert_true((p[j] >= 'A' && p[j] <= 'Z') || p[j] == '_' ||
			    (j && p[j] >= '0' && p[j] <= '9'));
		out[i++] = p[j];
	}
	out[i] = 0;
	return p + 4;
}

/* One data object at p: *o filled, returns what follows it. */
static const uint8_t *data_object(const uint8_t *p, const uint8_t *end,
				  struct obj *o)
{
	const uint8_t *body;
	size_t len, n;

	assert_true(p < end);
	memset(o, 0, sizeof(*o));
	o->type = OBJ_INT;
	switch (*p) {
	case 0x00:
		o->v = 0;
		return p + 1;
	case 0x01:
		o->v = 1;
		return p + 1;
	case 0x0a:
		o->v = p[1];
		return p + 2;
	case 0x0b:
		o->v = vmctl_get16(p + 1);
		return p + 3;
	case 0x0c:
		o->v = vmctl_get32(p + 1);
		return p + 5;
	case 0x0e:
		o->v = vmctl_get64(p + 1);
		return p + 9;
	case 0x0d:
		o->type = OBJ_STR;
		o->s = (const char *)p + 1;
		len = strnlen(o->s, end - p - 1);
		assert_true(p + 1 + len < end);
		return p + 2 + len;
	case 0x11: {
		struct obj size;

		len = pkglen(p + 1, end, &n);
		assert_true(p + 1 + len <= end);
		body = data_object(p + 1 + n, p + 1 + len, &size);
		assert_int_equal(size.type, OBJ_INT);
		o->type = OBJ_BUF;
		o->data = body;
		o->len = size.v;
		assert_int_equal(body + o->len, p + 1 + len);
		return p + 1 + len;
	}
	case 0x12:
		len = pkglen(p + 1, end, &n);
		assert_true(p + 1 + len <= end);
		o->type = OBJ_PKG;
		o->count = p[1 + n];
		o->data = p + 2 + n;
		o->len = p + 1 + len - o->data;
		return p + 1 + len;
	default:
		fail_msg("unexpected data object opcode 0x%02x", *p);
		return end;
	}
}

/* Element i of a package. */
static struct obj element(const struct obj *pkg, unsigned int i)
{
	const uint8_t *p = pkg->data, *end = pkg->data + pkg->len;
	struct obj o;

	assert_int_equal(pkg->type, OBJ_PKG);
	assert_true(i < pkg->count);
	for (;;) {
		p = data_object(p, end, &o);
		if (!i--)
			return o;
	}
}

/* prefix.name, or name when it starts at the root */
static void join(char *path, const char *prefix, const char *name)
{
	if (name[0] == '\\')
		snprintf(path, 64, "%s", name);
	else if (!strcmp(prefix, "\\"))
		snprintf(path, 64, "\\%s", name);
	else
		snprintf(path, 64, "%s.%s", prefix, name);
}

static void record(const char *prefix, const char *name, const struct obj *o)
{
	assert_true(nr_names < MAX_NAMES);
	join(names[nr_names].path, prefix, name);
	names[nr_names++].o = *o;
}

/* A TermList of scopes, devices and names. */
static void term_list(const uint8_t *p, const uint8_t *end, const char *prefix)
{
	char name[6], path[64];
	const uint8_t *body_end;
	struct obj o;
	size_t len, n;

	while (p < end) {
		switch (*p) {
		case 0x08:		/* Name */
			p = name_string(p + 1, end, name);
			p = data_object(p, end, &o);
			record(prefix, name, &o);
			break;
		case 0x10:		/* Scope */
		case 0x5b:		/* Device (ExtOpPrefix 0x82) */
			if (*p == 0x5b)
				assert_int_equal(*++p, 0x82);
			len = pkglen(p + 1, end, &n);
			body_end = p + 1 + len;
			assert_true(body_end <= end);
			p = name_string(p + 1 + n, body_end, name);
			join(path, prefix, name);
			term_list(p, body_end, path);
			p = body_end;
			break;
		default:
			fail_msg("unexpected term opcode 0x%02x", *p);
		}
	}
	assert_ptr_equal(p, end);
}

static void parse_aml(const uint8_t *aml, size_t len)
{
	nr_names = 0;
	term_list(aml, aml + len, "\\");
}

static const struct obj *lookup(const char *path)
{
	for (unsigned int i = 0; i < nr_names; i++)
		if (!strcmp(names[i].path, path))
			return &names[i].o;
	fail_msg("%s is not in the AML", path);
	return NULL;
}

static void parse_dsdt(const struct vmctl_acpi_config *cfg)
{
	int size = build(cfg);
	const uint8_t *fadt, *dsdt;

	assert_true(size > 0);
	fadt = xsdt_entry("FACP", size);
	dsdt = table(vmctl_get64(fadt + 140), "DSDT", size);
	assert_int_equal(dsdt[8], 2);		/* 64-bit integers */
	parse_aml(dsdt + 36, vmctl_get32(dsdt + 4) - 36);
}

static void test_dsdt_pci_root(void **state)
{
	const struct obj *o;

	(void)state;
	parse_dsdt(&cfg2);
	o = lookup("\\_SB_.PCI0._HID");
	assert_int_equal(o->type, OBJ_INT);
	assert_int_equal(o->v, 0x030ad041);	/* EISAID("PNP0A03") */
	assert_int_equal(lookup("\\_SB_.PCI0._UID")->v, 0);
	assert_int_equal(lookup("\\_SB_.PCI0._SEG")->v, 0);
	assert_int_equal(lookup("\\_SB_.PCI0._BBN")->v, 0);
}

/* The root bridge's resources, descriptor by descriptor. */
static void test_dsdt_crs(void **state)
{
	const struct obj *crs;
	const uint8_t *p, *end;
	unsigned int words = 0, io = 0, mem = 0;

	(void)state;
	parse_dsdt(&cfg2);
	crs = lookup("\\_SB_.PCI0._CRS");
	assert_int_equal(crs->type, OBJ_BUF);
	p = crs->data;
	end = p + crs->len;
	while (p < end && *p != 0x79) {
		if (*p == 0x88) {		/* Word Address Space */
			uint16_t min = vmctl_get16(p + 8), max = vmctl_get16(p + 10);

			assert_int_equal(vmctl_get16(p + 1), 13);
			assert_int_equal(p[4] & 1, 0);	/* a producer */
			assert_int_equal(vmctl_get16(p + 14), max - min + 1);
			if (p[3] == 2) {		/* bus numbers */
				assert_int_equal(min, 0);
				assert_int_equal(max, 0xff);
			} else {
				assert_int_equal(p[3], 1);	/* I/O */
				assert_true((min == 0 && max == 0xcf7) ||
					    (min == 0xd00 && max == 0xffff));
			}
			words++;
			p += 16;
		} else if (*p == 0x87) {	/* DWord Address Space */
			assert_int_equal(vmctl_get16(p + 1), 23);
			assert_int_equal(p[3], 0);	/* memory */
			assert_int_equal(vmctl_get32(p + 10), VMCTL_PCI_HOLE_BASE);
			assert_int_equal(vmctl_get32(p + 14),
					 VMCTL_PCI_HOLE_END - 1);
			assert_int_equal(vmctl_get32(p + 22),
					 VMCTL_PCI_HOLE_END - VMCTL_PCI_HOLE_BASE);
			mem++;
			p += 26;
		} else {
			assert_int_equal(*p, 0x47);	/* I/O port */
			assert_int_equal(vmctl_get16(p + 2), 0xcf8);
			assert_int_equal(vmctl_get16(p + 4), 0xcf8);
			assert_int_equal(p[7], 8);
			io++;
			p += 8;
		}
	}
	assert_int_equal(words, 3);
	assert_int_equal(io, 1);
	assert_int_equal(mem, 1);
	/* the End Tag closes the buffer */
	assert_ptr_equal(p + 2, end);
	assert_int_equal(p[0], 0x79);
}

static void test_dsdt_prt(void **state)
{
	const struct obj *prt;
	unsigned int i;

	(void)state;
	parse_dsdt(&cfg2);
	prt = lookup("\\_SB_.PCI0._PRT");
	assert_int_equal(prt->count, 32 * 4);
	for (i = 0; i < prt->count; i++) {
		struct obj e = element(prt, i);
		unsigned int slot = i / 4, pin = i % 4;

		assert_int_equal(e.count, 4);
		assert_int_equal(element(&e, 0).v, (uint64_t)slot << 16 | 0xffff);
		assert_int_equal(element(&e, 1).v, pin);
		assert_int_equal(element(&e, 2).v, 0);	/* a GSI */
		/* the routing the PCI bus drives (pci.c) */
		assert_int_equal(element(&e, 3).v, vmctl_pci_intx_gsi(slot, pin));
		assert_in_range(element(&e, 3).v, 16, 23);
	}
	/* neighbouring slots and a slot's pins on different inputs */
	assert_int_not_equal(vmctl_pci_intx_gsi(1, 0), vmctl_pci_intx_gsi(2, 0));
	assert_int_not_equal(vmctl_pci_intx_gsi(1, 0), vmctl_pci_intx_gsi(1, 1));
}

/* COM1, so that Linux maps ISA IRQ 4 without a legacy PIC. */
static void test_dsdt_com1(void **state)
{
	const struct obj *crs;

	(void)state;
	parse_dsdt(&cfg2);
	assert_int_equal(lookup("\\_SB_.COM1._HID")->v, 0x0105d041);
	assert_int_equal(lookup("\\_SB_.COM1._UID")->v, 1);
	crs = lookup("\\_SB_.COM1._CRS");
	assert_int_equal(crs->len, 8 + 3 + 2);
	/* IO (Decode16, 0x3f8, 0x3f8, 1, 8) */
	assert_memory_equal(crs->data, "\x47\x01\xf8\x03\xf8\x03\x01\x08", 8);
	/* IRQNoFlags () {4}, then the End Tag */
	assert_memory_equal(crs->data + 8, "\x22\x10\x00\x79\x00", 5);
}

static void test_dsdt_processors_and_s5(void **state)
{
	struct vmctl_acpi_config cfg = cfg2;
	const struct obj *s5;
	char path[64];
	unsigned int i;

	(void)state;
	cfg.nr_cpus = 64;
	parse_dsdt(&cfg);
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "\\_SB_.C%03X._HID", i);
		assert_string_equal(lookup(path)->s, "ACPI0007");
		snprintf(path, sizeof(path), "\\_SB_.C%03X._UID", i);
		assert_int_equal(lookup(path)->v, i);
	}
	s5 = lookup("\\_S5_");
	assert_int_equal(s5->type, OBJ_PKG);
	assert_true(s5->count >= 2);
	assert_int_equal(element(s5, 0).v, VMCTL_PM_SLP_TYP_S5);
	assert_int_equal(element(s5, 1).v, VMCTL_PM_SLP_TYP_S5);
}

/* ---- the encoder's corner cases ---- */

static uint8_t aml_buf[16384];

static void test_aml_pkglen_sizes(void **state)
{
	static uint8_t big[5000];
	const struct obj *o;
	struct aml a;
	unsigned int i;
	int len;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = i * 7;
	aml_init(&a, aml_buf, sizeof(aml_buf));
	aml_name(&a, "SMAL");			/* 1-byte PkgLength */
	aml_package(&a, 3);
	aml_integer(&a, 0x12);
	aml_integer(&a, 0x1234);
	aml_integer(&a, 0x123456789aULL);
	aml_close(&a);
	aml_name(&a, "MIDL");			/* 2 bytes: 200 * 5 */
	aml_package(&a, 200);
	for (i = 0; i < 200; i++)
		aml_integer(&a, 0x10000 + i);
	aml_close(&a);
	aml_name(&a, "BIGB");			/* 3 bytes */
	aml_buffer(&a, big, sizeof(big));
	aml_name(&a, "EDGE");			/* body of 62: PkgLength 63 */
	aml_buffer(&a, big, 62 - 2);
	aml_name(&a, "EDG2");			/* body of 63: two bytes */
	aml_buffer(&a, big, 63 - 2);
	len = aml_finish(&a);
	assert_true(len > 6000);
	parse_aml(aml_buf, len);

	o = lookup("\\SMAL");
	assert_int_equal(o->count, 3);
	assert_int_equal(element(o, 0).v, 0x12);
	assert_int_equal(element(o, 1).v, 0x1234);
	assert_int_equal(element(o, 2).v, 0x123456789aULL);
	o = lookup("\\MIDL");
	assert_int_equal(o->count, 200);
	assert_int_equal(element(o, 199).v, 0x10000 + 199);
	o = lookup("\\BIGB");
	assert_int_equal(o->len, sizeof(big));
	assert_memory_equal(o->data, big, sizeof(big));
	assert_int_equal(lookup("\\EDGE")->len, 60);
	assert_int_equal(lookup("\\EDG2")->len, 61);
}

static void test_aml_eisaid(void **state)
{
	struct aml a;

	(void)state;
	aml_init(&a, aml_buf, sizeof(aml_buf));
	aml_eisaid(&a, "PNP0501");
	assert_int_equal(aml_finish(&a), 5);
	assert_int_equal(aml_buf[0], 0x0c);
	assert_int_equal(vmctl_get32(aml_buf + 1), 0x0105d041);
	aml_eisaid(&a, "pnp0501");
	assert_int_equal(aml_finish(&a), -EINVAL);
}

static void test_aml_errors(void **state)
{
	struct aml a;

	(void)state;
	aml_init(&a, aml_buf, sizeof(aml_buf));
	aml_name(&a, "1ABC");			/* digit first */
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, aml_buf, sizeof(aml_buf));
	aml_name(&a, "ABCDE");			/* five characters */
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, aml_buf, sizeof(aml_buf));
	aml_scope(&a, "\\_SB_");		/* never closed */
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, aml_buf, sizeof(aml_buf));
	aml_close(&a);				/* nothing open */
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, aml_buf, sizeof(aml_buf));
	for (int i = 0; i <= AML_MAX_DEPTH; i++)
		aml_package(&a, 1);
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, aml_buf, 10);
	aml_name(&a, "ABCD");
	aml_string(&a, "a string longer than the room");
	assert_int_equal(aml_finish(&a), -ENOSPC);
	/* the room ends exactly where the PkgLength would have to go */
	aml_init(&a, aml_buf, 3);
	aml_package(&a, 1);
	aml_integer(&a, 0);
	aml_close(&a);
	assert_int_equal(aml_finish(&a), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_full_acpi_with_pic_pit),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_dsdt_pci_root),
		cmocka_unit_test(test_dsdt_crs),
		cmocka_unit_test(test_dsdt_prt),
		cmocka_unit_test(test_dsdt_com1),
		cmocka_unit_test(test_dsdt_processors_and_s5),
		cmocka_unit_test(test_aml_pkglen_sizes),
		cmocka_unit_test(test_aml_eisaid),
		cmocka_unit_test(test_aml_errors),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
