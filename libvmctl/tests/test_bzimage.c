// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bzImage boot planning: synthetic images with a hand-built setup header
 * (good ones and every refusal), the zero page, e820 map, initrd and
 * command-line placement, GDT, page tables and entry registers; then the
 * real kernels in /boot when the host has any.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "bzimage.h"

#define MIB		(1ULL << 20)
#define SETUP_SECTS	3
#define SETUP_SIZE	((SETUP_SECTS + 1) * 512)
#define KERNEL_SIZE	(64 * 1024)
#define IMAGE_SIZE	(SETUP_SIZE + KERNEL_SIZE)
#define INIT_SIZE	(8 * MIB)

static uint8_t image[IMAGE_SIZE];
static uint8_t initrd[10000];
static struct vmctl_bzimage_plan plan;
static struct vmctl_ram_range ram[2] = { { 0, 256 * MIB } };
static struct vmctl_bzimage_params params;

static void set16(size_t off, uint16_t v)
{
	memcpy(image + off, &v, 2);
}

static void set32(size_t off, uint32_t v)
{
	memcpy(image + off, &v, 4);
}

static void set64(size_t off, uint64_t v)
{
	memcpy(image + off, &v, 8);
}

static uint16_t zp16(size_t off)
{
	uint16_t v;

	memcpy(&v, plan.zero_page + off, 2);
	return v;
}

static uint32_t zp32(size_t off)
{
	uint32_t v;

	memcpy(&v, plan.zero_page + off, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* A relocatable protocol 2.15 kernel with a 64-bit entry. */
static int setup(void **state)
{
	size_t i;

	(void)state;
	memset(image, 0, sizeof(image));
	image[0x1f1] = SETUP_SECTS;
	set32(0x1f4, KERNEL_SIZE / 16);
	set16(0x1fe, 0xaa55);
	image[0x200] = 0xeb;
	image[0x201] = 0x6a;		/* header ends at 0x26c */
	memcpy(image + 0x202, "HdrS", 4);
	set16(0x206, 0x20f);
	image[0x211] = 0x01;		/* LOADED_HIGH */
	set32(0x214, 0x100000);
	set32(0x22c, 0x7fffffff);
	set32(0x230, 0x200000);
	image[0x234] = 1;
	image[0x235] = 21;
	set16(0x236, 0x3);		/* KERNEL_64, CAN_BE_LOADED_ABOVE_4G */
	set32(0x238, 2047);
	set64(0x258, 0x1000000);
	set32(0x260, INIT_SIZE);
	image[0x270] = 0x77;		/* past the header: not copied */
	for (i = SETUP_SIZE; i < IMAGE_SIZE; i++)
		image[i] = i * 7;

	memset(initrd, 0x5a, sizeof(initrd));
	ram[0] = (struct vmctl_ram_range){ 0, 256 * MIB };
	params = (struct vmctl_bzimage_params){
		.image = image, .image_len = IMAGE_SIZE,
		.initrd = initrd, .initrd_len = sizeof(initrd),
		.cmdline = "console=ttyS0 quiet",
		.ram = ram, .nr_ram = 1, .nr_cpus = 2,
	};
	vmctl_clear_detail();
	return 0;
}

static int parse(struct vmctl_bzimage *bz)
{
	return vmctl_bzimage_parse(image, IMAGE_SIZE, bz);
}

static void expect_refused(int err, const char *detail)
{
	struct vmctl_bzimage bz;

	assert_int_equal(parse(&bz), err);
	if (!strstr(vmctl_error_detail(), detail))
		fail_msg("detail \"%s\" lacks \"%s\"", vmctl_error_detail(),
			 detail);
}

static void test_parse_good(void **state)
{
	struct vmctl_bzimage bz;

	(void)state;
	assert_int_equal(parse(&bz), 0);
	assert_int_equal(bz.version, 0x20f);
	assert_int_equal(bz.setup_size, SETUP_SIZE);
	assert_int_equal(bz.kernel_size, KERNEL_SIZE);
	assert_int_equal(bz.xloadflags, 3);
	assert_true(bz.relocatable);
	assert_int_equal(bz.kernel_alignment, 0x200000);
	assert_int_equal(bz.pref_address, 0x1000000);
	assert_int_equal(bz.init_size, INIT_SIZE);
	assert_int_equal(bz.cmdline_size, 2047);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
}

static void test_parse_setup_sects_zero_means_four(void **state)
{
	struct vmctl_bzimage bz;

	(void)state;
	image[0x1f1] = 0;
	set32(0x1f4, (IMAGE_SIZE - 5 * 512) / 16);
	assert_int_equal(parse(&bz), 0);
	assert_int_equal(bz.setup_size, 5 * 512);
	assert_int_equal(bz.kernel_size, IMAGE_SIZE - 5 * 512);
}

static void test_refuse_not_bzimage(void **state)
{
	struct vmctl_bzimage bz;

	(void)state;
	assert_int_equal(vmctl_bzimage_parse(image, 0x200, &bz),
			 -VMCTL_E_IMAGE_FORMAT);
	assert_non_null(strstr(vmctl_error_detail(), "only 512 bytes"));
	set16(0x1fe, 0x55aa);
	expect_refused(-VMCTL_E_IMAGE_FORMAT, "0xaa55");
	setup(NULL);
	memcpy(image + 0x202, "HdrX", 4);
	expect_refused(-VMCTL_E_IMAGE_FORMAT, "HdrS");
	/* An ELF file is not a bzImage either. */
	setup(NULL);
	memset(image, 0, 0x400);
	memcpy(image, "\177ELF", 4);
	expect_refused(-VMCTL_E_IMAGE_FORMAT, "not a Linux bzImage");
}

static void test_refuse_old_protocol(void **state)
{
	(void)state;
	set16(0x206, 0x205);
	expect_refused(-VMCTL_E_IMAGE_FORMAT,
		       "boot protocol 2.05 is too old: 2.06 or later");
	set16(0x206, 0x201);
	expect_refused(-VMCTL_E_IMAGE_FORMAT, "2.01");
}

static void test_refuse_zimage(void **state)
{
	(void)state;
	image[0x211] = 0;
	expect_refused(-VMCTL_E_IMAGE_FORMAT, "zImage");
}

static void test_refuse_truncated(void **state)
{
	struct vmctl_bzimage bz;

	(void)state;
	/* Ends inside the setup code. */
	assert_int_equal(vmctl_bzimage_parse(image, SETUP_SIZE, &bz),
			 -VMCTL_E_IMAGE_TRUNCATED);
	/* The header's syssize says more than the file holds. */
	assert_int_equal(vmctl_bzimage_parse(image, IMAGE_SIZE - 16, &bz),
			 -VMCTL_E_IMAGE_TRUNCATED);
	assert_non_null(strstr(vmctl_error_detail(), "header says 65536"));
}

static void test_refuse_bad_alignment(void **state)
{
	(void)state;
	set32(0x230, 0x300000);
	expect_refused(-VMCTL_E_IMAGE_FORMAT, "power of two");
}

static void test_protocol_206(void **state)
{
	struct vmctl_bzimage bz;

	(void)state;
	/* Before 2.10 and 2.12: no init_size, no xloadflags. */
	set16(0x206, 0x206);
	assert_int_equal(parse(&bz), 0);
	assert_int_equal(bz.xloadflags, 0);
	assert_int_equal(bz.pref_address, 0);
	assert_int_equal(bz.init_size, 4 * KERNEL_SIZE);
	/* So no 64-bit entry: the 32-bit one is chosen... */
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_false(plan.long_mode);
	assert_int_equal(plan.entry, 0x100000);
	/* ... and asking for 64-bit fails. */
	params.entry = VMCTL_BZ_ENTRY_64;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), -EINVAL);
	assert_non_null(strstr(vmctl_error_detail(), "64-bit entry"));
}

static const struct vmctl_guest_write *find_write(uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < plan.nr_writes; i++)
		if (plan.writes[i].gpa == gpa)
			return &plan.writes[i];
	fail_msg("no write at 0x%llx", (unsigned long long)gpa);
	return NULL;
}

static void test_plan_writes(void **state)
{
	const struct vmctl_guest_write *w;
	unsigned int i, j;

	(void)state;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_true(plan.long_mode);
	assert_int_equal(plan.entry, 0x100200);
	assert_int_equal(plan.kernel_gpa, 0x100000);
	/* Runs from its preferred 16 MiB, init_size bytes. */
	assert_int_equal(plan.kernel_end, 0x1000000 + INIT_SIZE);
	assert_int_equal(plan.nr_writes, 7);

	w = find_write(0x100000);
	assert_ptr_equal(w->data, image + SETUP_SIZE);
	assert_int_equal(w->len, KERNEL_SIZE);
	w = find_write(VMCTL_BZ_CMDLINE);
	assert_string_equal(w->data, "console=ttyS0 quiet");
	assert_int_equal(w->len, strlen("console=ttyS0 quiet") + 1);
	w = find_write(plan.initrd_gpa);
	assert_ptr_equal(w->data, initrd);
	assert_int_equal(w->len, sizeof(initrd));
	assert_ptr_equal(find_write(VMCTL_BZ_ZERO_PAGE)->data, plan.zero_page);
	assert_int_equal(find_write(VMCTL_BZ_PAGE_TABLES)->len, 6 * 4096);
	assert_int_equal(find_write(VMCTL_BZ_GDT)->len, 4096);
	w = find_write(VMCTL_BZ_BIOS);
	assert_memory_equal(w->data, "_MP_", 4);
	/* The I/O APIC entry follows the header, 2 CPUs and two buses. */
	assert_int_equal(((const uint8_t *)w->data)[16 + 44 + 40 + 16 + 1],
			 VMCTL_IOAPIC_ID);

	/* No two writes overlap. */
	for (i = 0; i < plan.nr_writes; i++)
		for (j = i + 1; j < plan.nr_writes; j++) {
			const struct vmctl_guest_write *a = &plan.writes[i];
			const struct vmctl_guest_write *b = &plan.writes[j];

			assert_true(a->gpa + a->len <= b->gpa ||
				    b->gpa + b->len <= a->gpa);
		}
}

static void test_no_initrd_no_cpus_no_cmdline(void **state)
{
	(void)state;
	params.initrd = NULL;
	params.initrd_len = 0;
	params.nr_cpus = 0;
	params.cmdline = NULL;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(plan.nr_writes, 5);
	assert_int_equal(plan.initrd_gpa, 0);
	assert_string_equal(find_write(VMCTL_BZ_CMDLINE)->data, "");
	assert_int_equal(zp32(0x218), 0);
	assert_int_equal(zp32(0x21c), 0);
}

static void test_zero_page(void **state)
{
	(void)state;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	/* The setup header, copied to its place, then our fields. */
	assert_memory_equal(plan.zero_page + 0x1f1, image + 0x1f1, 0x210 - 0x1f1);
	assert_int_equal(zp16(0x206), 0x20f);
	assert_int_equal(zp32(0x260), INIT_SIZE);
	assert_int_equal(plan.zero_page[0x270], 0);
	assert_int_equal(plan.zero_page[0x210], 0xff);	/* type_of_loader */
	assert_int_equal(plan.zero_page[0x211], 0x01);
	assert_int_equal(zp32(0x228), VMCTL_BZ_CMDLINE);
	assert_int_equal(zp32(0xc8), 0);
	assert_int_equal(zp32(0x218), plan.initrd_gpa);
	assert_int_equal(zp32(0x21c), sizeof(initrd));
	assert_int_equal(zp32(0xc0), 0);
	assert_int_equal(zp32(0xc4), 0);
	assert_int_equal(plan.zero_page[0x1ef], 0);	/* sentinel */
	/* acpi_rsdp_addr: see test_firmware_tables */
}

struct e820 { uint64_t addr, size; uint32_t type; };

static unsigned int read_e820(struct e820 *e)
{
	unsigned int i, n = plan.zero_page[0x1e8];

	for (i = 0; i < n; i++) {
		const uint8_t *p = plan.zero_page + 0x2d0 + 20 * i;

		e[i].addr = get64(p);
		e[i].size = get64(p + 8);
		memcpy(&e[i].type, p + 16, 4);
	}
	return n;
}

static void expect_e820(const struct e820 *e, uint64_t addr, uint64_t size,
			uint32_t type)
{
	assert_int_equal(e->addr, addr);
	assert_int_equal(e->size, size);
	assert_int_equal(e->type, type);
}

static void test_e820(void **state)
{
	struct e820 e[128];

	(void)state;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(read_e820(e), 4);
	expect_e820(&e[0], 0, 0x9fc00, 1);
	expect_e820(&e[1], 0x9fc00, 0x400, 2);
	expect_e820(&e[2], 0xf0000, 0x10000, 2);
	expect_e820(&e[3], 0x100000, 255 * MIB, 1);

	/* RAM above 4 GiB too, listed first: the map is in address order. */
	ram[1] = ram[0];
	ram[0] = (struct vmctl_ram_range){ 4096 * MIB, 512 * MIB };
	params.nr_ram = 2;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(read_e820(e), 5);
	expect_e820(&e[3], 0x100000, 255 * MIB, 1);
	expect_e820(&e[4], 4096 * MIB, 512 * MIB, 1);
}

static void test_initrd_placement(void **state)
{
	(void)state;
	/* At the top of RAM, page aligned. */
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(plan.initrd_gpa, (256 * MIB - sizeof(initrd)) &
			 ~4095ULL);
	/* Under initrd_addr_max when that is lower. */
	set32(0x22c, 64 * MIB - 1);
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(plan.initrd_gpa, (64 * MIB - sizeof(initrd)) &
			 ~4095ULL);
	/* Never into the kernel's boot-time footprint. */
	set32(0x22c, 0x1000000 + INIT_SIZE + 4096 - 1);
	assert_int_equal(vmctl_bzimage_plan(&params, &plan),
			 -VMCTL_E_IMAGE_RANGE);
	assert_non_null(strstr(vmctl_error_detail(), "initrd of 10000 bytes"));
}

static void test_initrd_too_big(void **state)
{
	(void)state;
	params.initrd_len = 250 * MIB;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan),
			 -VMCTL_E_IMAGE_RANGE);
	assert_non_null(strstr(vmctl_error_detail(), "does not fit"));
}

static void test_kernel_does_not_fit(void **state)
{
	(void)state;
	ram[0].size = 16 * MIB;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan),
			 -VMCTL_E_IMAGE_RANGE);
	assert_non_null(strstr(vmctl_error_detail(), "0x1800000"));
	/* No RAM at 0 at all. */
	ram[0].gpa = 1 * MIB;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan),
			 -VMCTL_E_IMAGE_RANGE);
}

static void test_kernel_footprint(void **state)
{
	(void)state;
	/* Relocatable, no preferred address: aligned up from 1 MiB. */
	set64(0x258, 0);
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(plan.kernel_end, 0x200000 + INIT_SIZE);
	/* Not relocatable: at its preferred address. */
	image[0x234] = 0;
	set64(0x258, 0x4000000);
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(plan.kernel_end, 0x4000000 + INIT_SIZE);
}

static void test_cmdline_limit(void **state)
{
	char line[2100];

	(void)state;
	memset(line, 'x', sizeof(line));
	line[2047] = '\0';
	params.cmdline = line;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	line[2047] = 'x';
	line[2048] = '\0';
	assert_int_equal(vmctl_bzimage_plan(&params, &plan),
			 -VMCTL_E_IMAGE_RANGE);
	assert_non_null(strstr(vmctl_error_detail(),
			       "2048 bytes; this kernel takes at most 2047"));
}

static void test_too_many_cpus(void **state)
{
	(void)state;
	params.nr_cpus = VMCTL_MAX_VCPUS + 1;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), -EINVAL);
	params.nr_cpus = VMCTL_MAX_VCPUS;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	/* the MP table and the ACPI tables for 64 CPUs fit their room */
	assert_true(find_write(VMCTL_BZ_BIOS)->len <= VMCTL_FW_ROOM);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/*
 * Where Linux looks for a table without EFI: a signature on a 16-byte
 * boundary in [from, 1 MiB) whose first len bytes sum to 0.  Only the
 * BIOS area's write is memory here; the rest reads as zero.
 */
static uint64_t scan(uint64_t from, const char *sig, size_t len)
{
	const struct vmctl_guest_write *w = find_write(VMCTL_BZ_BIOS);
	const uint8_t *data = w->data;
	uint64_t a;

	for (a = from; a < 0x100000; a += 16)
		if (a >= w->gpa && a + len <= w->gpa + w->len &&
		    !memcmp(data + (a - w->gpa), sig, strlen(sig)) &&
		    !sum(data + (a - w->gpa), len))
			return a;
	return 0;
}

static void test_firmware_tables(void **state)
{
	uint64_t rsdp;

	(void)state;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	/* the RSDP: found by the legacy scan, and named in the zero page */
	rsdp = scan(0xe0000, "RSD PTR ", 20);
	assert_int_not_equal(rsdp, 0);
	assert_int_equal(get64(plan.zero_page + 0x070), rsdp);
	/* SMBIOS and MP floating pointer in 0xf0000-0xfffff */
	assert_int_not_equal(scan(0xf0000, "_SM3_", 24), 0);
	assert_int_equal(scan(0xf0000, "_MP_", 16), VMCTL_BZ_BIOS);
	/* all of it inside the e820 reservation [0xf0000, 1 MiB) */
	assert_true(find_write(VMCTL_BZ_BIOS)->len <= 0x10000);
	/* the reset vector: mov al, 1; mov dx, 0x602; out dx, al; cli; hlt */
	assert_memory_equal((const uint8_t *)find_write(VMCTL_BZ_BIOS)->data +
			    0xfff0, "\xb0\x01\xba\x02\x06\xee\xfa\xf4", 8);

	/* before boot protocol 2.14 acpi_rsdp_addr is not a field yet */
	set16(0x206, 0x20d);
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(get64(plan.zero_page + 0x070), 0);
	assert_int_equal(scan(0xe0000, "RSD PTR ", 20), rsdp);
}

static void test_gdt_and_page_tables(void **state)
{
	const uint8_t *pt = plan.page_tables;

	(void)state;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(get64(plan.gdt_page), 0);
	assert_int_equal(get64(plan.gdt_page + 0x08), 0);
	assert_int_equal(get64(plan.gdt_page + 0x10), 0x00af9b000000ffffULL);
	assert_int_equal(get64(plan.gdt_page + 0x18), 0x00cf93000000ffffULL);
	assert_int_equal(get64(plan.gdt_page + 0x20), 0x00008b0010800067ULL);
	assert_int_equal(get64(plan.gdt_page + 0x28), 0);

	assert_int_equal(get64(pt), 0x3003);
	assert_int_equal(get64(pt + 8), 0);
	assert_int_equal(get64(pt + 4096), 0x4003);
	assert_int_equal(get64(pt + 4096 + 3 * 8), 0x7003);
	assert_int_equal(get64(pt + 4096 + 4 * 8), 0);
	assert_int_equal(get64(pt + 2 * 4096), 0x83);
	assert_int_equal(get64(pt + 2 * 4096 + 8), 0x200083);
	assert_int_equal(get64(pt + 5 * 4096 + 511 * 8), 0xffe00083ULL);

	/* 32-bit code segment for the 32-bit entry, no page tables. */
	params.entry = VMCTL_BZ_ENTRY_32;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	assert_int_equal(get64(plan.gdt_page + 0x10), 0x00cf9b000000ffffULL);
	assert_int_equal(plan.nr_writes, 6);
}

static void test_cpu_state_64(void **state)
{
	struct vmctl_regs regs;
	struct vmctl_sregs sregs = { .apic_base = 0xfee00d00, .cr8 = 3 };

	(void)state;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	vmctl_bzimage_cpu_state(plan.long_mode, plan.entry, &regs, &sregs);
	assert_int_equal(regs.rip, 0x100200);
	assert_int_equal(regs.rsi, VMCTL_BZ_ZERO_PAGE);
	assert_int_equal(regs.rflags, 2);		/* interrupts off */
	assert_int_equal(regs.rbx | regs.rbp | regs.rdi, 0);
	assert_int_equal(sregs.cs.selector, 0x10);
	assert_true(sregs.cs.l);
	assert_false(sregs.cs.db);
	assert_int_equal(sregs.cs.type, 0xb);
	assert_int_equal(sregs.ds.selector, 0x18);
	assert_int_equal(sregs.ss.selector, 0x18);
	assert_int_equal(sregs.es.selector, 0x18);
	assert_true(sregs.ds.db);
	assert_int_equal(sregs.ds.limit, 0xffffffff);
	assert_int_equal(sregs.tr.selector, 0x20);
	assert_int_equal(sregs.tr.base, 0x1080);
	assert_true(sregs.ldt.unusable);
	assert_int_equal(sregs.gdt.base, 0x1000);
	assert_int_equal(sregs.gdt.limit, 0x2f);
	assert_int_equal(sregs.cr0, 0x80000031);
	assert_int_equal(sregs.cr3, VMCTL_BZ_PAGE_TABLES);
	assert_int_equal(sregs.cr4, 0x20);
	assert_int_equal(sregs.efer, 0x500);
	/* Left alone. */
	assert_int_equal(sregs.apic_base, 0xfee00d00);
	assert_int_equal(sregs.cr8, 3);
}

static void test_cpu_state_32(void **state)
{
	struct vmctl_regs regs;
	struct vmctl_sregs sregs = { 0 };

	(void)state;
	params.entry = VMCTL_BZ_ENTRY_32;
	assert_int_equal(vmctl_bzimage_plan(&params, &plan), 0);
	vmctl_bzimage_cpu_state(plan.long_mode, plan.entry, &regs, &sregs);
	assert_int_equal(regs.rip, 0x100000);
	assert_int_equal(regs.rsi, VMCTL_BZ_ZERO_PAGE);
	assert_int_equal(sregs.cs.selector, 0x10);
	assert_false(sregs.cs.l);
	assert_true(sregs.cs.db);
	assert_int_equal(sregs.cr0, 0x31);
	assert_int_equal(sregs.cr3, 0);
	assert_int_equal(sregs.cr4, 0);
	assert_int_equal(sregs.efer, 0);
}

/* ---- the host's own kernels ---- */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc(size);
	if (buf && fread(buf, 1, size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = size;
	return buf;
}

static void test_host_kernels(void **state)
{
	glob_t g;
	size_t i, n = 0;

	(void)state;
	if (glob("/boot/vmlinuz-*", 0, NULL, &g)) {
		fprintf(stderr, "# SKIP: no /boot/vmlinuz-* on this host\n");
		skip();
	}
	for (i = 0; i < g.gl_pathc; i++) {
		struct vmctl_bzimage_params p = params;
		struct vmctl_regs regs;
		struct vmctl_sregs sregs;
		size_t len;
		uint8_t *img = read_file(g.gl_pathv[i], &len);

		if (!img) {
			fprintf(stderr, "# %s: unreadable, skipped\n",
				g.gl_pathv[i]);
			continue;
		}
		p.image = img;
		p.image_len = len;
		ram[0].size = 512 * MIB;
		if (vmctl_bzimage_plan(&p, &plan))
			fail_msg("%s: %s", g.gl_pathv[i], vmctl_error_detail());
		assert_true(plan.hdr.version >= 0x20c);
		assert_true(plan.hdr.xloadflags & VMCTL_XLF_KERNEL_64);
		assert_true(plan.long_mode);
		assert_true(plan.hdr.init_size > plan.hdr.kernel_size);
		assert_true(plan.initrd_gpa >= plan.kernel_end);
		assert_memory_equal(plan.zero_page + 0x202, "HdrS", 4);
		vmctl_bzimage_cpu_state(plan.long_mode, plan.entry, &regs, &sregs);
		assert_int_equal(regs.rip, 0x100200);
		fprintf(stderr, "# %s: protocol %u.%02u, kernel %u KiB, init_size %u KiB, up to 0x%llx\n",
			g.gl_pathv[i], plan.hdr.version >> 8,
			plan.hdr.version & 0xff, plan.hdr.kernel_size >> 10,
			plan.hdr.init_size >> 10,
			(unsigned long long)plan.kernel_end);
		free(img);
		n++;
	}
	globfree(&g);
	if (!n) {
		fprintf(stderr, "# SKIP: no readable /boot/vmlinuz-*\n");
		skip();
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(test_parse_good),
		T(test_parse_setup_sects_zero_means_four),
		T(test_refuse_not_bzimage),
		T(test_refuse_old_protocol),
		T(test_refuse_zimage),
		T(test_refuse_truncated),
		T(test_refuse_bad_alignment),
		T(test_protocol_206),
		T(test_plan_writes),
		T(test_no_initrd_no_cpus_no_cmdline),
		T(test_zero_page),
		T(test_e820),
		T(test_initrd_placement),
		T(test_initrd_too_big),
		T(test_kernel_does_not_fit),
		T(test_kernel_footprint),
		T(test_cmdline_limit),
		T(test_too_many_cpus),
		T(test_firmware_tables),
		T(test_gdt_and_page_tables),
		T(test_cpu_state_64),
		T(test_cpu_state_32),
		T(test_host_kernels),
	};

	return cmocka_run_group_tests_name("bzimage", tests, NULL, NULL);
}
