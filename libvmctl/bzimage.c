// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Linux bzImage boot (see bzimage.h).  Offsets are those of the boot
 * protocol document (the setup header from 0x1f1) and of zero-page.rst
 * (the rest of struct boot_params).  We skip the kernel's real-mode setup
 * code and enter its protected-mode part directly, as the 32-bit and
 * 64-bit boot protocols allow, so we do what that setup code would: the
 * e820 map, the command line and initrd pointers.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "bzimage.h"
#include "x86_boot.h"

/* setup header */
#define HDR_START		0x1f1
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP_LEN		0x201	/* header ends at 0x202 + this byte */
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_KNOWN_END		0x268	/* the last field we read ends here */
#define HDR_COPY_LIMIT		0x290	/* boot_params.edd_mbr_sig_buffer */

/* the rest of struct boot_params */
#define BP_ACPI_RSDP_ADDR	0x070	/* read by boot protocol 2.14+ */
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define E820_ENTRY_SIZE		20
#define E820_MAX_ENTRIES	128
#define E820_RAM		1
#define E820_RESERVED		2

#define BOOT_FLAG		0xaa55
#define HDRS_MAGIC		"HdrS"
#define MIN_VERSION		0x206
#define RSDP_ADDR_VERSION	0x20e
#define LOADED_HIGH		(1U << 0)
#define LOADER_UNDEFINED	0xff	/* type_of_loader: no assigned ID */
#define ENTRY64_OFFSET		0x200
#define LOW_RAM_END		0xa0000ULL	/* 640 KiB */
#define ONE_MIB			0x100000ULL
#define PAGE			4096ULL

/* GDT: null, null, __BOOT_CS, __BOOT_DS, a 16-byte TSS; the TSS after. */
#define TSS_OFFSET		0x80

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));	/* host and guest are little-endian */
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int vmctl_bzimage_parse(const void *img, size_t len, struct vmctl_bzimage *bz)
{
	const uint8_t *b = img;
	unsigned int sects;
	uint64_t syssize;

	memset(bz, 0, sizeof(*bz));
	if (len < HDR_KNOWN_END)
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "not a Linux bzImage: only %zu bytes", len);
	if (get16(b + HDR_BOOT_FLAG) != BOOT_FLAG)
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "not a Linux bzImage: no boot flag 0xaa55 at 0x1fe");
	if (memcmp(b + HDR_MAGIC, HDRS_MAGIC, 4))
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "not a Linux bzImage: no \"HdrS\" setup header at 0x202");
	bz->version = get16(b + HDR_VERSION);
	if (bz->version < MIN_VERSION)
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "Linux boot protocol %u.%02u is too old: 2.%02u or later needed",
				  bz->version >> 8, bz->version & 0xff,
				  MIN_VERSION & 0xff);
	if (!(b[HDR_LOADFLAGS] & LOADED_HIGH))
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "a zImage (kernel loaded low) is not supported: use a bzImage");

	sects = b[HDR_SETUP_SECTS] ? b[HDR_SETUP_SECTS] : 4;
	bz->setup_size = (sects + 1) * 512;
	if (len <= bz->setup_size)
		return vmctl_fail(-VMCTL_E_IMAGE_TRUNCATED,
				  "bzImage of %zu bytes ends inside its %u bytes of setup code",
				  len, bz->setup_size);
	if (len - bz->setup_size > UINT32_MAX)
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "a %zu-byte bzImage is too large", len);
	bz->kernel_size = len - bz->setup_size;
	syssize = (uint64_t)get32(b + HDR_SYSSIZE) * 16;
	if (syssize > bz->kernel_size)
		return vmctl_fail(-VMCTL_E_IMAGE_TRUNCATED,
				  "bzImage kernel is %u bytes, its header says %llu",
				  bz->kernel_size, (unsigned long long)syssize);

	bz->loadflags = b[HDR_LOADFLAGS];
	bz->initrd_addr_max = get32(b + HDR_INITRD_ADDR_MAX);
	bz->kernel_alignment = get32(b + HDR_KERNEL_ALIGNMENT);
	bz->relocatable = b[HDR_RELOCATABLE];
	bz->cmdline_size = get32(b + HDR_CMDLINE_SIZE);
	if (bz->version >= 0x20c)
		bz->xloadflags = get16(b + HDR_XLOADFLAGS);
	if (bz->version >= 0x20a) {
		bz->pref_address = get64(b + HDR_PREF_ADDRESS);
		bz->init_size = get32(b + HDR_INIT_SIZE);
	} else {
		/* No init_size yet: room for decompressing in place. */
		bz->init_size = bz->kernel_size * 4;
	}
	if (bz->kernel_alignment & (bz->kernel_alignment - 1))
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "bzImage kernel_alignment 0x%x is not a power of two",
				  bz->kernel_alignment);
	if (!bz->kernel_alignment)
		bz->kernel_alignment = 1;
	return 0;
}

/* ---- memory layout ---- */

/* Where the protected-mode kernel runs from and what it needs there. */
static uint64_t kernel_end(const struct vmctl_bzimage *bz, uint64_t load)
{
	uint64_t run = align_up(load, bz->kernel_alignment);
	uint64_t end = load + bz->kernel_size;

	/* A kernel never runs below its preferred (link) address. */
	if (!bz->relocatable || run < bz->pref_address)
		run = bz->pref_address ? bz->pref_address : load;
	return run + bz->init_size > end ? run + bz->init_size : end;
}

static void e820_add(uint8_t *zp, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	uint8_t *e = zp + BP_E820_TABLE + zp[BP_E820_ENTRIES] * E820_ENTRY_SIZE;

	if (!size)
		return;
	put64(e, addr);
	put64(e + 8, size);
	put32(e + 16, type);
	zp[BP_E820_ENTRIES]++;
}

/*
 * RAM in address order, minus the firmware areas: the top of the first
 * 640 KiB (an EBDA's place) and the BIOS area under 1 MiB that holds the
 * MP, SMBIOS and ACPI tables.  The VGA hole between is simply not RAM.
 */
static void fill_e820(uint8_t *zp, const struct vmctl_ram_range *ram,
		      unsigned int nr)
{
	const struct vmctl_ram_range *order[VMCTL_MAX_MEM_SLOTS];
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		for (j = i; j > 0 && order[j - 1]->gpa > ram[i].gpa; j--)
			order[j] = order[j - 1];
		order[j] = &ram[i];
	}
	for (i = 0; i < nr; i++) {
		uint64_t start = order[i]->gpa, end = start + order[i]->size;

		if (start < VMCTL_BZ_EBDA)
			e820_add(zp, start, (end < VMCTL_BZ_EBDA ? end :
					     VMCTL_BZ_EBDA) - start,
				 E820_RAM);
		if (start <= VMCTL_BZ_EBDA && end >= ONE_MIB) {
			e820_add(zp, VMCTL_BZ_EBDA, LOW_RAM_END - VMCTL_BZ_EBDA,
				 E820_RESERVED);
			e820_add(zp, VMCTL_BZ_BIOS, ONE_MIB - VMCTL_BZ_BIOS,
				 E820_RESERVED);
		}
		if (end > ONE_MIB)
			e820_add(zp, start > ONE_MIB ? start : ONE_MIB,
				 end - (start > ONE_MIB ? start : ONE_MIB),
				 E820_RAM);
	}
}

static void fill_zero_page(struct vmctl_bzimage_plan *plan,
			   const struct vmctl_bzimage_params *p)
{
	const uint8_t *img = p->image;
	uint8_t *zp = plan->zero_page;
	size_t hdr_end = 0x202 + img[HDR_JUMP_LEN];
	uint64_t initrd = plan->initrd_gpa;

	memset(zp, 0, sizeof(plan->zero_page));
	if (hdr_end > HDR_COPY_LIMIT)
		hdr_end = HDR_COPY_LIMIT;
	if (hdr_end < HDR_KNOWN_END)
		hdr_end = HDR_KNOWN_END;
	memcpy(zp + HDR_START, img + HDR_START, hdr_end - HDR_START);

	zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(zp + HDR_CMD_LINE_PTR, VMCTL_BZ_CMDLINE);
	put32(zp + BP_EXT_CMD_LINE_PTR, 0);
	put32(zp + HDR_RAMDISK_IMAGE, initrd);
	put32(zp + BP_EXT_RAMDISK_IMAGE, initrd >> 32);
	put32(zp + HDR_RAMDISK_SIZE, p->initrd_len);
	put32(zp + BP_EXT_RAMDISK_SIZE, (uint64_t)p->initrd_len >> 32);
	fill_e820(zp, p->ram, p->nr_ram);
}

/* ---- GDT, TSS and page tables: x86_boot.c, at our addresses ---- */

static struct vmctl_x86_flat_boot flat_boot(bool long_mode)
{
	return (struct vmctl_x86_flat_boot){
		.long_mode = long_mode,
		.gdt = VMCTL_BZ_GDT, .tss = VMCTL_BZ_GDT + TSS_OFFSET,
		.cs = VMCTL_BZ_CS, .ds = VMCTL_BZ_DS, .tr = VMCTL_BZ_TR,
		.pml4 = VMCTL_BZ_PAGE_TABLES,
	};
}

/* ---- the plan ---- */

static void add_write(struct vmctl_bzimage_plan *plan, uint64_t gpa,
		      const void *data, size_t len)
{
	plan->writes[plan->nr_writes++] =
		(struct vmctl_guest_write){ gpa, data, len };
}

static int plan_initrd(struct vmctl_bzimage_plan *plan,
		       const struct vmctl_bzimage_params *p, uint64_t low_end)
{
	uint64_t top = (uint64_t)plan->hdr.initrd_addr_max + 1;

	if (!p->initrd_len)
		return 0;
	if (top > low_end)
		top = low_end;
	if (top >= p->initrd_len)
		plan->initrd_gpa = (top - p->initrd_len) & ~(PAGE - 1);
	if (top < p->initrd_len || plan->initrd_gpa < plan->kernel_end)
		return vmctl_fail(-VMCTL_E_IMAGE_RANGE,
				  "initrd of %zu bytes does not fit between the kernel's end 0x%llx and 0x%llx",
				  p->initrd_len,
				  (unsigned long long)plan->kernel_end,
				  (unsigned long long)top);
	return 0;
}

static int choose_entry(struct vmctl_bzimage_plan *plan,
			enum vmctl_bzimage_entry entry)
{
	bool has64 = plan->hdr.xloadflags & VMCTL_XLF_KERNEL_64;

	if (entry == VMCTL_BZ_ENTRY_64 && !has64)
		return vmctl_fail(-EINVAL,
				  "this kernel has no 64-bit entry point (XLF_KERNEL_64)");
	plan->long_mode = entry == VMCTL_BZ_ENTRY_64 ||
			  (entry == VMCTL_BZ_ENTRY_AUTO && has64);
	plan->kernel_gpa = VMCTL_BZ_KERNEL;
	plan->entry = VMCTL_BZ_KERNEL + (plan->long_mode ? ENTRY64_OFFSET : 0);
	return 0;
}

static int check_cmdline(const struct vmctl_bzimage *bz, size_t len)
{
	if (len > bz->cmdline_size || len + 1 > VMCTL_BZ_CMDLINE_MAX)
		return vmctl_fail(-VMCTL_E_IMAGE_RANGE,
				  "kernel command line is %zu bytes; this kernel takes at most %u",
				  len, bz->cmdline_size);
	return 0;
}

static uint64_t low_ram_end(const struct vmctl_bzimage_params *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_ram; i++)
		if (p->ram[i].gpa == 0)
			return p->ram[i].size;
	return 0;
}

/*
 * The BIOS area's tables; kernels of boot protocol 2.14 and later also
 * take the RSDP's address from the zero page instead of scanning for it.
 */
static int plan_firmware(struct vmctl_bzimage_plan *plan,
			 unsigned int nr_cpus, bool pic_pit)
{
	int size;

	if (!nr_cpus)
		return 0;
	size = vmctl_firmware_build(nr_cpus, pic_pit, plan->firmware,
				    sizeof(plan->firmware));
	if (size < 0)
		return vmctl_fail(size,
				  "cannot describe %u CPUs in the firmware tables",
				  nr_cpus);
	if (plan->hdr.version >= RSDP_ADDR_VERSION)
		put64(plan->zero_page + BP_ACPI_RSDP_ADDR, VMCTL_FW_ACPI);
	add_write(plan, VMCTL_BZ_BIOS, plan->firmware, size);
	return 0;
}

int vmctl_bzimage_plan(const struct vmctl_bzimage_params *p,
		       struct vmctl_bzimage_plan *plan)
{
	const char *cmdline = p->cmdline ? p->cmdline : "";
	size_t cmdline_len = strlen(cmdline);
	uint64_t low_end = low_ram_end(p);
	struct vmctl_x86_flat_boot boot;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (p->nr_ram > VMCTL_MAX_MEM_SLOTS || p->nr_cpus > VMCTL_BZ_MAX_CPUS)
		return vmctl_fail(-EINVAL, "%u RAM ranges, %u CPUs: too many",
				  p->nr_ram, p->nr_cpus);
	ret = vmctl_bzimage_parse(p->image, p->image_len, &plan->hdr);
	if (!ret)
		ret = choose_entry(plan, p->entry);
	if (!ret)
		ret = check_cmdline(&plan->hdr, cmdline_len);
	if (ret)
		return ret;

	plan->kernel_end = kernel_end(&plan->hdr, plan->kernel_gpa);
	if (plan->kernel_end > low_end)
		return vmctl_fail(-VMCTL_E_IMAGE_RANGE,
				  "the kernel needs guest RAM from 0 to 0x%llx (%llu MiB); there is 0x%llx (%llu MiB)",
				  (unsigned long long)plan->kernel_end,
				  (unsigned long long)(plan->kernel_end + ONE_MIB - 1) >> 20,
				  (unsigned long long)low_end,
				  (unsigned long long)low_end >> 20);
	ret = plan_initrd(plan, p, low_end);
	if (ret)
		return ret;

	fill_zero_page(plan, p);
	boot = flat_boot(plan->long_mode);
	vmctl_x86_flat_gdt(&boot, plan->gdt_page);
	add_write(plan, VMCTL_BZ_GDT, plan->gdt_page, PAGE);
	if (plan->long_mode) {
		vmctl_x86_identity_map(VMCTL_BZ_PAGE_TABLES, VMCTL_BZ_NR_PDS,
				       plan->page_tables);
		add_write(plan, VMCTL_BZ_PAGE_TABLES, plan->page_tables,
			  VMCTL_BZ_TABLES_SIZE);
	}
	add_write(plan, VMCTL_BZ_ZERO_PAGE, plan->zero_page, PAGE);
	add_write(plan, VMCTL_BZ_CMDLINE, cmdline, cmdline_len + 1);
	ret = plan_firmware(plan, p->nr_cpus, p->pic_pit);
	if (ret)
		return ret;
	add_write(plan, plan->kernel_gpa,
		  (const uint8_t *)p->image + plan->hdr.setup_size,
		  plan->hdr.kernel_size);
	if (p->initrd_len)
		add_write(plan, plan->initrd_gpa, p->initrd, p->initrd_len);
	return 0;
}

/* ---- registers ---- */

void vmctl_bzimage_cpu_state(bool long_mode, uint64_t entry,
			     struct vmctl_regs *regs,
			     struct vmctl_sregs *sregs)
{
	struct vmctl_x86_flat_boot boot = flat_boot(long_mode);

	/* Interrupts off; EBX, EBP, EDI zero as the 32-bit protocol asks. */
	memset(regs, 0, sizeof(*regs));
	regs->rflags = VMCTL_X86_RFLAGS_FIXED;
	regs->rip = entry;
	regs->rsi = VMCTL_BZ_ZERO_PAGE;
	regs->rsp = VMCTL_BZ_STACK_TOP;
	vmctl_x86_flat_sregs(&boot, sregs);
}
