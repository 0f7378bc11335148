// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Image planning and loading without the module: the ELF and flat
 * planners, the boot area and CPU state, and load.c copying into a VM
 * whose "guest RAM" is plain memory (no vCPUs, so no ioctls).
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"

#define MIB (1ULL << 20)

/* An ELF image in a buffer: header, program headers, then payload. */
struct elf_seg {
	uint32_t type;
	uint64_t off, filesz, paddr, memsz;
};

static size_t build_elf(uint8_t *buf, size_t room, bool is64, uint64_t entry,
			const struct elf_seg *segs, unsigned int n)
{
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	unsigned int i;

	memset(buf, 0, room);
	memcpy(buf, ELFMAG, SELFMAG);
	buf[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	buf[EI_DATA] = ELFDATA2LSB;
	buf[EI_VERSION] = EV_CURRENT;
	if (is64) {
		Elf64_Ehdr e = { .e_type = ET_EXEC, .e_machine = EM_X86_64,
			.e_version = EV_CURRENT, .e_entry = entry,
			.e_phoff = ehsize, .e_ehsize = ehsize,
			.e_phentsize = phsize, .e_phnum = n };

		memcpy(e.e_ident, buf, EI_NIDENT);
		memcpy(buf, &e, sizeof(e));
	} else {
		Elf32_Ehdr e = { .e_type = ET_EXEC, .e_machine = EM_386,
			.e_version = EV_CURRENT, .e_entry = entry,
			.e_phoff = ehsize, .e_ehsize = ehsize,
			.e_phentsize = phsize, .e_phnum = n };

		memcpy(e.e_ident, buf, EI_NIDENT);
		memcpy(buf, &e, sizeof(e));
	}
	for (i = 0; i < n; i++) {
		uint8_t *ph = buf + ehsize + i * phsize;

		if (is64) {
			Elf64_Phdr p = { .p_type = segs[i].type,
				.p_offset = segs[i].off, .p_paddr = segs[i].paddr,
				.p_vaddr = segs[i].paddr,
				.p_filesz = segs[i].filesz,
				.p_memsz = segs[i].memsz };
			memcpy(ph, &p, sizeof(p));
		} else {
			Elf32_Phdr p = { .p_type = segs[i].type,
				.p_offset = segs[i].off, .p_paddr = segs[i].paddr,
				.p_vaddr = segs[i].paddr,
				.p_filesz = segs[i].filesz,
				.p_memsz = segs[i].memsz };
			memcpy(ph, &p, sizeof(p));
		}
	}
	return room;
}

static uint8_t img[8192];

/* Two segments (text, data+bss) and a non-load note, for ELF32/64. */
static const struct elf_seg good_segs[] = {
	{ PT_LOAD, 0x1000, 0x200, 0x100000, 0x200 },
	{ PT_NOTE, 0x1200, 0x10, 0, 0x10 },
	{ PT_LOAD, 0x1400, 0x100, 0x101000, 0x3000 },
};

static void test_elf64_plan(void **state)
{
	struct vmctl_load_plan plan;

	(void)state;
	build_elf(img, sizeof(img), true, 0x100010, good_segs, 3);
	assert_int_equal(vmctl_elf_plan(img, sizeof(img), 16 * MIB, &plan), 0);
	assert_int_equal(plan.mode, VMCTL_MODE_LONG64);
	assert_int_equal(plan.entry, 0x100010);
	assert_int_equal(plan.nr_segs, 2);
	assert_int_equal(plan.segs[1].gpa, 0x101000);
	assert_int_equal(plan.segs[1].file_size, 0x100);
	assert_int_equal(plan.segs[1].mem_size, 0x3000);
}

static void test_elf32_plan(void **state)
{
	struct vmctl_load_plan plan;

	(void)state;
	build_elf(img, sizeof(img), false, 0x100000, good_segs, 3);
	assert_int_equal(vmctl_elf_plan(img, sizeof(img), 16 * MIB, &plan), 0);
	assert_int_equal(plan.mode, VMCTL_MODE_PROT32);
	assert_int_equal(plan.nr_segs, 2);
}

static void expect_elf_error(const struct elf_seg *segs, unsigned int n,
			     uint64_t entry, size_t len, int err,
			     const char *detail)
{
	struct vmctl_load_plan plan;
	bool is64;

	for (is64 = false; ; is64 = true) {
		build_elf(img, sizeof(img), is64, entry, segs, n);
		assert_int_equal(vmctl_elf_plan(img, len, 2 * MIB, &plan), err);
		if (detail && !strstr(vmctl_error_detail(), detail))
			fail_msg("detail \"%s\" lacks \"%s\"",
				 vmctl_error_detail(), detail);
		if (is64)
			break;
	}
}

static void test_elf_truncated(void **state)
{
	const struct elf_seg seg = { PT_LOAD, 0x1000, 0x200, 0x100000, 0x200 };

	(void)state;
	/* header cut, program headers cut, segment bytes cut */
	expect_elf_error(&seg, 1, 0x100000, 10, -VMCTL_E_IMAGE_TRUNCATED, NULL);
	expect_elf_error(&seg, 1, 0x100000, 40, -VMCTL_E_IMAGE_TRUNCATED, NULL);
	expect_elf_error(&seg, 1, 0x100000, 70, -VMCTL_E_IMAGE_TRUNCATED,
			 "program headers");
	expect_elf_error(&seg, 1, 0x100000, 0x1100, -VMCTL_E_IMAGE_TRUNCATED,
			 "past the end of the file");
}

static void test_elf_outside_memory(void **state)
{
	const struct elf_seg high = { PT_LOAD, 0x1000, 0x200, 0x1fff00, 0x200 };
	const struct elf_seg wrap = { PT_LOAD, 0x1000, 0x200,
				      0xffffffffffffff00ULL, 0x200 };

	(void)state;
	expect_elf_error(&high, 1, 0x1fff00, sizeof(img), -VMCTL_E_IMAGE_RANGE,
			 "outside guest memory");
	build_elf(img, sizeof(img), true, 0, &wrap, 1);
	{
		struct vmctl_load_plan plan;

		assert_int_equal(vmctl_elf_plan(img, sizeof(img), 2 * MIB, &plan),
				 -VMCTL_E_IMAGE_RANGE);
	}
}

static void test_elf_overlap(void **state)
{
	const struct elf_seg segs[] = {
		{ PT_LOAD, 0x1000, 0x200, 0x100000, 0x1000 },
		{ PT_LOAD, 0x1200, 0x200, 0x100fff, 0x200 },
	};

	(void)state;
	expect_elf_error(segs, 2, 0x100000, sizeof(img),
			 -VMCTL_E_IMAGE_OVERLAP, "segment 1");
}

static void test_elf_entry_outside(void **state)
{
	(void)state;
	expect_elf_error(good_segs, 3, 0x100200, sizeof(img),
			 -VMCTL_E_IMAGE_ENTRY, "entry 0x100200");
	expect_elf_error(good_segs, 3, 0, sizeof(img), -VMCTL_E_IMAGE_ENTRY,
			 NULL);
}

static void test_elf_bad_format(void **state)
{
	const struct elf_seg bad = { PT_LOAD, 0x1000, 0x300, 0x100000, 0x200 };
	const struct elf_seg note = { PT_NOTE, 0x1000, 0x10, 0, 0x10 };
	struct vmctl_load_plan plan;

	(void)state;
	expect_elf_error(&bad, 1, 0x100000, sizeof(img), -VMCTL_E_IMAGE_FORMAT,
			 "file size");
	expect_elf_error(&note, 1, 0, sizeof(img), -VMCTL_E_IMAGE_EMPTY, NULL);
	expect_elf_error(&note, 0, 0, sizeof(img), -VMCTL_E_IMAGE_EMPTY, NULL);

	build_elf(img, sizeof(img), true, 0x100000, good_segs, 3);
	img[0] = 0x7e;
	assert_int_equal(vmctl_elf_plan(img, sizeof(img), 16 * MIB, &plan),
			 -VMCTL_E_IMAGE_FORMAT);
	assert_int_equal(vmctl_elf_plan("\x7f" "EL", 3, 16 * MIB, &plan),
			 -VMCTL_E_IMAGE_FORMAT);

	build_elf(img, sizeof(img), true, 0x100000, good_segs, 3);
	img[EI_DATA] = ELFDATA2MSB;
	assert_int_equal(vmctl_elf_plan(img, sizeof(img), 16 * MIB, &plan),
			 -VMCTL_E_IMAGE_FORMAT);

	build_elf(img, sizeof(img), true, 0x100000, good_segs, 3);
	img[offsetof(Elf64_Ehdr, e_machine)] = EM_386;	/* 64-bit i386? */
	assert_int_equal(vmctl_elf_plan(img, sizeof(img), 16 * MIB, &plan),
			 -VMCTL_E_IMAGE_FORMAT);

	build_elf(img, sizeof(img), true, 0x100000, good_segs, 3);
	img[offsetof(Elf64_Ehdr, e_type)] = ET_DYN;
	assert_int_equal(vmctl_elf_plan(img, sizeof(img), 16 * MIB, &plan),
			 -VMCTL_E_IMAGE_FORMAT);
	assert_non_null(strstr(vmctl_error_detail(), "ET_EXEC"));
}

static void test_flat_plan(void **state)
{
	struct vmctl_load_plan plan;

	(void)state;
	assert_int_equal(vmctl_flat_plan(512, VMCTL_ENTRY_DEFAULT,
					 VMCTL_ENTRY_DEFAULT, 2 * MIB, &plan), 0);
	assert_int_equal(plan.mode, VMCTL_MODE_REAL);
	assert_int_equal(plan.segs[0].gpa, VMCTL_FLAT_DEFAULT_LOAD);
	assert_int_equal(plan.entry, VMCTL_FLAT_DEFAULT_LOAD);
	assert_int_equal(vmctl_flat_plan(0x100, 0x1000, 0x1080, 2 * MIB, &plan), 0);
	assert_int_equal(plan.entry, 0x1080);

	assert_int_equal(vmctl_flat_plan(0, 0x1000, VMCTL_ENTRY_DEFAULT,
					 2 * MIB, &plan), -VMCTL_E_IMAGE_EMPTY);
	assert_int_equal(vmctl_flat_plan(0x1000, 2 * MIB - 0x800,
					 VMCTL_ENTRY_DEFAULT, 2 * MIB, &plan),
			 -VMCTL_E_IMAGE_RANGE);
	assert_int_equal(vmctl_flat_plan(0x10, UINT64_MAX - 1,
					 VMCTL_ENTRY_DEFAULT, 2 * MIB, &plan),
			 -VMCTL_E_IMAGE_RANGE);
	assert_int_equal(vmctl_flat_plan(0x100, 0x1000, 0x1100, 2 * MIB, &plan),
			 -VMCTL_E_IMAGE_ENTRY);
	assert_int_equal(vmctl_flat_plan(0x100, 0x1000, 0xfff, 2 * MIB, &plan),
			 -VMCTL_E_IMAGE_ENTRY);
	assert_int_equal(vmctl_flat_plan(0x100, 0x100000, VMCTL_ENTRY_DEFAULT,
					 2 * MIB, &plan), -VMCTL_E_IMAGE_ENTRY);
	assert_non_null(strstr(vmctl_error_detail(), "1 MiB"));
}

static void test_real_mode_state(void **state)
{
	struct vmctl_load_plan plan;
	struct vmctl_boot_area area;
	struct vmctl_sregs s = { .apic_base = 0xfee00900 };
	struct vmctl_regs r;

	(void)state;
	vmctl_flat_plan(512, VMCTL_ENTRY_DEFAULT, VMCTL_ENTRY_DEFAULT, 2 * MIB,
			&plan);
	assert_int_equal(vmctl_boot_area_plan(&plan, 2 * MIB, &area), 0);
	assert_int_equal(area.size, 0);		/* real mode needs none */
	vmctl_boot_cpu_state(&plan, &area, &r, &s);
	assert_int_equal(s.cs.selector, 0);
	assert_int_equal(s.cs.base, 0);
	assert_int_equal(s.cs.limit, 0xffff);
	assert_int_equal(s.cs.type, 0xb);
	assert_int_equal(s.cs.db, 0);
	assert_int_equal(r.rip, 0x7c00);
	assert_int_equal(r.rsp, 0x7c00);
	assert_int_equal(r.rflags, 0x2);
	assert_int_equal(s.cr0 & 1, 0);		/* PE off */
	assert_int_equal(s.efer, 0);
	assert_int_equal(s.idt.limit, 0x3ff);
	assert_int_equal(s.apic_base, 0xfee00900);	/* left alone */
	assert_int_equal(s.ldt.unusable, 1);
	assert_int_equal(s.tr.present, 1);

	/* Above 64 KiB: CS is the entry's segment, IP the rest. */
	vmctl_flat_plan(0x1000, 0x12000, 0x12345, 2 * MIB, &plan);
	vmctl_boot_cpu_state(&plan, &area, &r, &s);
	assert_int_equal(s.cs.selector, 0x1000);
	assert_int_equal(s.cs.base, 0x10000);
	assert_int_equal(s.ds.selector, 0x1000);
	assert_int_equal(s.ss.base, 0x10000);
	assert_int_equal(r.rip, 0x2345);
	assert_int_equal(r.rsp, 0x2000);
}

static void test_boot_area_avoids_segments(void **state)
{
	struct vmctl_load_plan plan = {
		.mode = VMCTL_MODE_PROT32, .entry = 0x1000, .nr_segs = 2,
		.segs = { { 0, 0x10, 0x1000, 0x10 },
			  { 0, 0x10, 0x3800, 0x900 } },
	};
	struct vmctl_boot_area area;

	(void)state;
	assert_int_equal(vmctl_boot_area_plan(&plan, 2 * MIB, &area), 0);
	/* 0x2000-0x3000 is free but too small for GDT + 16K stack. */
	assert_int_equal(area.gpa, 0x5000);
	assert_int_equal(area.size, 0x1000 + VMCTL_BOOT_STACK_SIZE);
	assert_int_equal(area.stack_top, area.gpa + area.size);
	assert_int_equal(area.nr_pds, 0);

	/* No room at all in a memory the image fills. */
	plan.segs[1] = (struct vmctl_load_seg){ 0, 0x10, 0x2000, 0x7000 };
	assert_int_equal(vmctl_boot_area_plan(&plan, 0x9000, &area),
			 -VMCTL_E_NO_BOOT_ROOM);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void test_long_mode_tables(void **state)
{
	struct vmctl_load_plan plan;
	struct vmctl_boot_area area;
	struct vmctl_sregs s = { 0 };
	struct vmctl_regs r;
	uint8_t *mem;
	uint64_t pdpt, pd1;

	(void)state;
	build_elf(img, sizeof(img), true, 0x100010, good_segs, 3);
	assert_int_equal(vmctl_elf_plan(img, sizeof(img), 3ULL << 30, &plan), 0);
	assert_int_equal(vmctl_boot_area_plan(&plan, 3ULL << 30, &area), 0);
	assert_int_equal(area.gpa, 0x1000);
	assert_int_equal(area.nr_pds, 3);	/* 3 GiB: three PDs */
	mem = malloc(area.size);
	vmctl_boot_area_fill(&area, plan.mode, mem);

	/* GDT: 64-bit code (L, not D), flat data, busy TSS at area.tss */
	assert_true(get64(mem + VMCTL_GDT_CODE) == 0x00af9b000000ffffULL);
	assert_true(get64(mem + VMCTL_GDT_DATA) == 0x00cf93000000ffffULL);
	assert_int_equal((get64(mem + VMCTL_GDT_TSS) >> 40) & 0xff, 0x8b);
	assert_int_equal((get64(mem + VMCTL_GDT_TSS) >> 16) & 0xffffff,
			 area.tss);

	/* PML4[0] -> PDPT; PDPT[i] -> PD i; PD maps 2 MiB pages 1:1 */
	pdpt = get64(mem + (area.pml4 - area.gpa)) & ~0xfffULL;
	assert_int_equal(pdpt, area.pml4 + 0x1000);
	pd1 = get64(mem + (pdpt - area.gpa) + 8) & ~0xfffULL;
	assert_true(get64(mem + (pd1 - area.gpa) + 8 * 3) ==
		    (((1ULL << 30) + 3 * (2ULL << 20)) | 0x83));
	assert_int_equal(get64(mem + (pdpt - area.gpa) + 8 * 3), 0);

	vmctl_boot_cpu_state(&plan, &area, &r, &s);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0);
	assert_int_equal(s.cs.selector, VMCTL_GDT_CODE);
	assert_int_equal(s.ds.db, 1);
	assert_int_equal(s.cr3, area.pml4);
	assert_true(s.cr0 & (1ULL << 31));
	assert_int_equal(s.cr4 & 0x20, 0x20);
	assert_int_equal(s.efer, 0x500);
	assert_int_equal(s.tr.selector, VMCTL_GDT_TSS);
	assert_int_equal(s.gdt.base, area.gdt);
	assert_int_equal(r.rip, 0x100010);
	assert_int_equal(r.rsp, area.stack_top);
	free(mem);
}

static void test_prot32_state(void **state)
{
	struct vmctl_load_plan plan;
	struct vmctl_boot_area area;
	struct vmctl_sregs s = { 0 };
	struct vmctl_regs r;
	uint8_t *mem;

	(void)state;
	build_elf(img, sizeof(img), false, 0x100000, good_segs, 3);
	assert_int_equal(vmctl_elf_plan(img, sizeof(img), 2 * MIB, &plan), 0);
	assert_int_equal(vmctl_boot_area_plan(&plan, 2 * MIB, &area), 0);
	assert_int_equal(area.size, 0x1000 + VMCTL_BOOT_STACK_SIZE);
	mem = malloc(area.size);
	vmctl_boot_area_fill(&area, plan.mode, mem);
	assert_true(get64(mem + VMCTL_GDT_CODE) == 0x00cf9b000000ffffULL);
	vmctl_boot_cpu_state(&plan, &area, &r, &s);
	assert_int_equal(s.cr0 & 0x80000001, 1);	/* PE, no PG */
	assert_int_equal(s.efer, 0);
	assert_int_equal(s.cs.db, 1);
	assert_int_equal(s.cs.l, 0);
	assert_int_equal(s.cs.g, 1);
	assert_int_equal(s.cs.limit, 0xffffffff);
	free(mem);
}

/* load.c end to end on a VM whose RAM is ordinary memory. */
static void test_load_into_memory(void **state)
{
	static struct vmctl_vm vm;
	char path[] = "/tmp/test_loader_XXXXXX";
	uint8_t *ram;
	int fd;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	ram = calloc(1, 2 * MIB);
	memset(ram + 0x101000, 0xcc, 0x4000);	/* stale bytes for the bss */
	vm.mem[0] = (struct vmctl_mem_region){
		.used = true, .size = 2 * MIB, .hva = ram };

	build_elf(img, sizeof(img), true, 0x100000, good_segs, 3);
	memset(img + 0x1000, 0x90, 0x200);
	memset(img + 0x1400, 0xab, 0x100);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, sizeof(img)), sizeof(img));
	close(fd);

	assert_int_equal(vmctl_load_elf(&vm, path), 0);
	assert_true(vm.boot.valid);
	assert_int_equal(ram[0x100000], 0x90);
	assert_int_equal(ram[0x1011ff], 0);		/* bss zeroed */
	assert_int_equal(ram[0x1010ff], 0xab);
	assert_int_equal(ram[0x103fff], 0);
	assert_int_equal(ram[0x104000], 0xcc);	/* beyond memsz untouched */
	/* the boot area's GDT is there */
	assert_true(get64(ram + vm.boot.area.gdt + 8) == 0x00af9b000000ffffULL);

	/* The same file as a flat image at 0x2000. */
	assert_int_equal(vmctl_load_flat(&vm, path, 0x2000, 0x2004), 0);
	assert_memory_equal(ram + 0x2000, img, sizeof(img));
	assert_int_equal(vm.boot.plan.entry, 0x2004);

	/* Too big for memory */
	vm.mem[0].size = 0x2000;
	assert_int_equal(vmctl_load_flat(&vm, path, 0x1000, VMCTL_ENTRY_DEFAULT),
			 -VMCTL_E_IMAGE_RANGE);
	unlink(path);

	assert_int_equal(vmctl_load_flat(&vm, path, 0, 0), -ENOENT);
	assert_non_null(strstr(vmctl_error_detail(), path));
	assert_int_equal(vmctl_load_elf(&vm, "/tmp"), -EISDIR);
	free(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf64_plan),
		cmocka_unit_test(test_elf32_plan),
		cmocka_unit_test(test_elf_truncated),
		cmocka_unit_test(test_elf_outside_memory),
		cmocka_unit_test(test_elf_overlap),
		cmocka_unit_test(test_elf_entry_outside),
		cmocka_unit_test(test_elf_bad_format),
		cmocka_unit_test(test_flat_plan),
		cmocka_unit_test(test_real_mode_state),
		cmocka_unit_test(test_boot_area_avoids_segments),
		cmocka_unit_test(test_long_mode_tables),
		cmocka_unit_test(test_prot32_state),
		cmocka_unit_test(test_load_into_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
