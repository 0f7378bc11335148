// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ELF32/ELF64 executables: parse and validate, and plan which bytes go
 * where in guest memory.  Pure logic on a buffer, unit-tested; load.c does
 * the copying.  Segments load at their physical addresses (p_paddr), so a
 * kernel linked high but loaded low (vmlinux) lands where it expects.
 */
#include <elf.h>
#include <string.h>

#include "internal.h"

/* The fields we use, from either class. */
struct elf_info {
	bool is64;
	uint16_t type, machine, phentsize, phnum;
	uint64_t entry, phoff;
};

static int read_header(const unsigned char *p, size_t len,
		       struct elf_info *h)
{
	if (len < SELFMAG || memcmp(p, ELFMAG, SELFMAG))
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "not an ELF file (no ELF magic)");
	if (len < EI_NIDENT)
		return vmctl_fail(-VMCTL_E_IMAGE_TRUNCATED,
				  "ELF identification cut short at %zu bytes", len);
	if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64)
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "unknown ELF class %u", p[EI_CLASS]);
	if (p[EI_DATA] != ELFDATA2LSB)
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "not a little-endian ELF file");
	h->is64 = p[EI_CLASS] == ELFCLASS64;

	if (h->is64) {
		Elf64_Ehdr e;

		if (len < sizeof(e))
			return vmctl_fail(-VMCTL_E_IMAGE_TRUNCATED,
					  "ELF header cut short at %zu bytes", len);
		memcpy(&e, p, sizeof(e));
		*h = (struct elf_info){ true, e.e_type, e.e_machine,
			e.e_phentsize, e.e_phnum, e.e_entry, e.e_phoff };
		if (h->machine != EM_X86_64)
			return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
					  "ELF64 machine %u is not x86-64",
					  h->machine);
		if (h->phentsize != sizeof(Elf64_Phdr))
			return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
					  "bad program header size %u",
					  h->phentsize);
	} else {
		Elf32_Ehdr e;

		if (len < sizeof(e))
			return vmctl_fail(-VMCTL_E_IMAGE_TRUNCATED,
					  "ELF header cut short at %zu bytes", len);
		memcpy(&e, p, sizeof(e));
		*h = (struct elf_info){ false, e.e_type, e.e_machine,
			e.e_phentsize, e.e_phnum, e.e_entry, e.e_phoff };
		if (h->machine != EM_386)
			return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
					  "ELF32 machine %u is not i386",
					  h->machine);
		if (h->phentsize != sizeof(Elf32_Phdr))
			return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
					  "bad program header size %u",
					  h->phentsize);
	}
	if (h->type != ET_EXEC)
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "ELF type %u is not a static executable (ET_EXEC)",
				  h->type);
	if (!h->phnum)
		return vmctl_fail(-VMCTL_E_IMAGE_EMPTY, "no program headers");
	if (h->phoff > len ||
	    (uint64_t)h->phnum * h->phentsize > len - h->phoff)
		return vmctl_fail(-VMCTL_E_IMAGE_TRUNCATED,
				  "program headers run past the end of the file");
	return 0;
}

/* Program header i as a plan segment; false when it loads nothing. */
static bool read_segment(const unsigned char *p, const struct elf_info *h,
			 unsigned int i, struct vmctl_load_seg *seg)
{
	const unsigned char *ph = p + h->phoff + (uint64_t)i * h->phentsize;

	if (h->is64) {
		Elf64_Phdr e;

		memcpy(&e, ph, sizeof(e));
		if (e.p_type != PT_LOAD)
			return false;
		*seg = (struct vmctl_load_seg){ e.p_offset, e.p_filesz,
						e.p_paddr, e.p_memsz };
	} else {
		Elf32_Phdr e;

		memcpy(&e, ph, sizeof(e));
		if (e.p_type != PT_LOAD)
			return false;
		*seg = (struct vmctl_load_seg){ e.p_offset, e.p_filesz,
						e.p_paddr, e.p_memsz };
	}
	return seg->mem_size != 0;
}

static int check_segment(const struct vmctl_load_plan *plan,
			 const struct vmctl_load_seg *s, unsigned int i,
			 size_t len, uint64_t mem_size)
{
	unsigned int j;

	if (s->file_size > s->mem_size)
		return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
				  "segment %u: file size 0x%llx above memory size 0x%llx",
				  i, (unsigned long long)s->file_size,
				  (unsigned long long)s->mem_size);
	if (s->file_off > len || s->file_size > len - s->file_off)
		return vmctl_fail(-VMCTL_E_IMAGE_TRUNCATED,
				  "segment %u: bytes 0x%llx-0x%llx lie past the end of the file (%zu bytes)",
				  i, (unsigned long long)s->file_off,
				  (unsigned long long)(s->file_off + s->file_size),
				  len);
	if (s->gpa > mem_size || s->mem_size > mem_size - s->gpa)
		return vmctl_fail(-VMCTL_E_IMAGE_RANGE,
				  "segment %u: [0x%llx, 0x%llx) lies outside guest memory (0x%llx bytes)",
				  i, (unsigned long long)s->gpa,
				  (unsigned long long)(s->gpa + s->mem_size),
				  (unsigned long long)mem_size);
	for (j = 0; j < plan->nr_segs; j++) {
		const struct vmctl_load_seg *o = &plan->segs[j];

		if (s->gpa < o->gpa + o->mem_size && o->gpa < s->gpa + s->mem_size)
			return vmctl_fail(-VMCTL_E_IMAGE_OVERLAP,
					  "segment %u [0x%llx, 0x%llx) overlaps [0x%llx, 0x%llx)",
					  i, (unsigned long long)s->gpa,
					  (unsigned long long)(s->gpa + s->mem_size),
					  (unsigned long long)o->gpa,
					  (unsigned long long)(o->gpa + o->mem_size));
	}
	return 0;
}

int vmctl_elf_plan(const void *img, size_t len, uint64_t mem_size,
		   struct vmctl_load_plan *plan)
{
	struct elf_info h = { 0 };
	unsigned int i, j;
	int ret;

	ret = read_header(img, len, &h);
	if (ret)
		return ret;
	memset(plan, 0, sizeof(*plan));
	for (i = 0; i < h.phnum; i++) {
		struct vmctl_load_seg s;

		if (!read_segment(img, &h, i, &s))
			continue;
		ret = check_segment(plan, &s, i, len, mem_size);
		if (ret)
			return ret;
		if (plan->nr_segs == VMCTL_MAX_LOAD_SEGS)
			return vmctl_fail(-VMCTL_E_IMAGE_FORMAT,
					  "more than %d loadable segments",
					  VMCTL_MAX_LOAD_SEGS);
		plan->segs[plan->nr_segs++] = s;
	}
	if (!plan->nr_segs)
		return vmctl_fail(-VMCTL_E_IMAGE_EMPTY, "no loadable segment");

	for (j = 0; j < plan->nr_segs; j++)
		if (h.entry - plan->segs[j].gpa < plan->segs[j].mem_size)
			break;
	if (j == plan->nr_segs)
		return vmctl_fail(-VMCTL_E_IMAGE_ENTRY,
				  "entry 0x%llx is in no loadable segment",
				  (unsigned long long)h.entry);
	plan->entry = h.entry;
	plan->mode = h.is64 ? VMCTL_MODE_LONG64 : VMCTL_MODE_PROT32;
	return 0;
}
