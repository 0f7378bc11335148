// SPDX-License-Identifier: GPL-2.0
/*
 * 2 MiB EPT pages.  A slot at a 2 MiB-aligned guest-physical address
 * backed by hugetlbfs pages (2 MiB, physically contiguous and aligned) is
 * mapped with one EPT entry per 2 MiB when VMCTL_CAP_EPT_2M says 2 MiB
 * pages are in use; the same slot in 4 KiB pages needs one more EPT page
 * table per 2 MiB.  The module's ept_table_pages counter shows which was
 * built, the VM's fault counters (VMCTL_GET_MEM_STATS) one 2 MiB fault per
 * 2 MiB entry, and the guest reads and writes every page of the slot
 * either way.
 * Loaded with ept_2m=0 (selftests/reload_test.sh) both cost the same.
 * Deleting such a slot must leave no 2 MiB translation behind.
 *
 * The test kernel's transparent huge pages cannot be relied on, so the
 * huge side uses MAP_HUGETLB, reserving the pages it needs in
 * /proc/sys/vm/nr_hugepages (root) and giving them back afterwards, and
 * the small side asks for no THP (MADV_NOHUGEPAGE); one case checks THP
 * backing where the kernel hands the range huge pages (THP turned on for
 * MADV_HUGEPAGE memory where it is off), and skips if not,
 * and one that the host splitting such a THP (part of it dropped or
 * replaced) splits the 2 MiB entry: the guest sees the new pages.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "stats.h"
#include "sysfile.h"
#include "thp.h"
#include "ucall.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << 26)	/* MAP_HUGE_SHIFT 26 */
#endif

#define SZ_2M		0x200000UL
#define SLOT_GPA	0x40000000	/* 1 GiB: 2 MiB aligned, own EPT PD */
#define SLOT_HUGE_PAGES	2
#define SLOT_SIZE	(SLOT_HUGE_PAGES * SZ_2M)
#define SLOT_PAGES	(512 * SLOT_HUGE_PAGES)	/* 4 KiB pages */
#define MAGIC		0x5a5a000012340000

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

/*
 * For every 4 KiB page i of the slot: check that its first qword holds
 * MAGIC ^ i (written by the host), write the complement of that to the
 * second.  Reports the number of pages whose first qword was wrong.
 */
GUEST64(touch_guest,
	G_UCALL(UCALL_SYNC)
	"movabs $" __stringify(MAGIC) ", %r8\n\t"
	"mov $" __stringify(SLOT_GPA) ", %rbx\n\t"
	"xor %ecx, %ecx\n\t"
	"xor %edi, %edi\n"
	"1:\n\t"
	"mov %rcx, %rax\n\t"
	"shl $12, %rax\n\t"
	"add %rbx, %rax\n\t"
	"mov %r8, %rdx\n\t"
	"xor %rcx, %rdx\n\t"
	"cmp (%rax), %rdx\n\t"
	"je 2f\n\t"
	"inc %edi\n"
	"2:\n\t"
	"not %rdx\n\t"
	"mov %rdx, 8(%rax)\n\t"
	"inc %ecx\n\t"
	"cmp $" __stringify(SLOT_PAGES) ", %ecx\n\t"
	"jne 1b\n\t"
	G_UCALL(UCALL_DONE));

/* What the host puts in the first qword of page @i (MAGIC is for asm). */
static uint64_t pattern(int i)
{
	return (uint64_t)MAGIC ^ i;
}

/* A field of /proc/meminfo, or -1. */
static long meminfo(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	size_t n = strlen(field);
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* One read of SLOT_GPA into RDI: MMIO once the slot is gone. */
GUEST64(probe_guest,
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"mov (%rbx), %rdi\n\t"
	G_UCALL(UCALL_DONE));

FIXTURE(ept_2m) {
	int sys_fd;
	long nr_hugepages;	/* to restore, or -1 */
	uint64_t *huge;		/* SLOT_SIZE of hugetlb memory, or NULL */
	uint64_t *small;	/* SLOT_SIZE of 4 KiB pages */
	const char *skip;
	bool thp_switched;	/* THP was off: back to never after */
};

/* Reserve SLOT_HUGE_PAGES more 2 MiB pages and map them. */
FIXTURE_SETUP(ept_2m)
{
	void *mem;

	self->sys_fd = vmctl_open();
	self->nr_hugepages = -1;
	self->small = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->small);
	ASSERT_EQ(0, madvise(self->small, SLOT_SIZE, MADV_NOHUGEPAGE));
	if (meminfo("Hugepagesize") != 2048) {
		self->skip = "the default huge page size is not 2 MiB";
		return;
	}
	if (meminfo("HugePages_Free") < SLOT_HUGE_PAGES) {
		long nr = read_long(NR_HUGEPAGES);

		if (nr < 0 || write_long(NR_HUGEPAGES, nr + SLOT_HUGE_PAGES)) {
			self->skip = "cannot reserve huge pages (needs root and " NR_HUGEPAGES ")";
			return;
		}
		self->nr_hugepages = nr;
	}
	mem = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB,
		   -1, 0);
	if (mem == MAP_FAILED)
		self->skip = "no 2 MiB huge pages free (MAP_HUGETLB failed)";
	else
		self->huge = mem;
}

FIXTURE_TEARDOWN(ept_2m)
{
	if (self->huge)
		munmap(self->huge, SLOT_SIZE);
	if (self->nr_hugepages >= 0)
		write_long(NR_HUGEPAGES, self->nr_hugepages);
	if (self->thp_switched)
		thp_never_again();
	munmap(self->small, SLOT_SIZE);
	close(self->sys_fd);
}

/* The VM's fault counters (VMCTL_GET_MEM_STATS). */
static void vm_faults(struct __test_metadata *_metadata, struct vcpu *vcpu,
		      struct vmctl_mem_stats *st)
{
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_GET_MEM_STATS, st));
}

/*
 * @mem at SLOT_GPA as slot 1 of @vcpu's VM, touch_guest run over it from
 * its start.  Returns how many EPT table pages the slot added; the faults
 * that mapped 2 MiB in *@faults_2m unless NULL.
 */
static long map_and_touch(struct __test_metadata *_metadata,
			  struct vcpu *vcpu, uint64_t *mem, long *faults_2m)
{
	struct vmctl_mem_stats f0, f1;
	struct vmctl_module_stats before, after;
	struct vmctl_mem_slot slot = {
		.slot = 1,
		.guest_phys = SLOT_GPA,
		.size = SLOT_SIZE,
		.user_addr = (unsigned long)mem,
	};
	struct ucall uc;
	int i;

	for (i = 0; i < SLOT_PAGES; i++) {
		mem[i * 512] = pattern(i);
		mem[i * 512 + 1] = 0;
	}
	EXPECT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &slot));
	vcpu_load_guest(vcpu, &touch_guest);
	/* EPT maps what the guest touches: count from here. */
	EXPECT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	module_stats(vcpu->vm->sys_fd, &before);
	vm_faults(_metadata, vcpu, &f0);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	vm_faults(_metadata, vcpu, &f1);
	module_stats(vcpu->vm->sys_fd, &after);
	/* Plus, in a fresh VM, the guest's page directory for that GiB. */
	EXPECT_LE(SLOT_PAGES, (long)(after.mapped_pages - before.mapped_pages));
	EXPECT_GE(SLOT_PAGES + 1,
		  (long)(after.mapped_pages - before.mapped_pages));
	/* Each first touch of a 4 KiB or 2 MiB entry was one fault. */
	EXPECT_EQ((long)(after.mapped_pages - before.mapped_pages),
		  (long)(f1.faults_4k - f0.faults_4k) +
		  512 * (long)(f1.faults_2m - f0.faults_2m));
	if (faults_2m)
		*faults_2m = f1.faults_2m - f0.faults_2m;
	EXPECT_EQ(0, uc.args[0]) TH_LOG("the guest read wrong data");
	for (i = 0; i < SLOT_PAGES; i++)
		if (mem[i * 512 + 1] != ~pattern(i)) {
			EXPECT_EQ(~pattern(i), mem[i * 512 + 1])
				TH_LOG("page %d: the guest's write is missing", i);
			break;
		}
	return after.ept_table_pages - before.ept_table_pages;
}

TEST_F_TIMEOUT(ept_2m, hugetlb_slot_uses_2m_ept_pages, 120)
{
	long ept_2m = ioctl(self->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_EPT_2M);
	long huge, small, huge_faults, small_faults;
	struct vcpu *vcpu;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	ASSERT_GE(ept_2m, 0);
	/* A VM each, so both slots start from the same empty EPT range. */
	vcpu = vcpu_create_guest(&touch_guest);
	huge = map_and_touch(_metadata, vcpu, self->huge, &huge_faults);
	guest_destroy(vcpu);
	vcpu = vcpu_create_guest(&touch_guest);
	small = map_and_touch(_metadata, vcpu, self->small, &small_faults);
	guest_destroy(vcpu);
	EXPECT_EQ(ept_2m ? SLOT_HUGE_PAGES : 0, huge_faults);
	EXPECT_EQ(0, small_faults);
	TH_LOG("EPT table pages for %lu MiB: %ld with hugetlb backing, %ld with 4 KiB pages (VMCTL_CAP_EPT_2M %ld)",
	       SLOT_SIZE >> 20, huge, small, ept_2m);

	/* One page directory for the new GiB, then a page table per 2 MiB. */
	EXPECT_EQ(1 + SLOT_HUGE_PAGES, small);
	/* The harness's EXPECT_* cannot stand alone under an if. */
	EXPECT_EQ(ept_2m ? 1 : small, huge);
}

/*
 * Transparent huge pages: an anonymous, 2 MiB-aligned range with
 * MADV_HUGEPAGE that the host backed with huge pages gets 2 MiB EPT
 * entries too.  Skips when the kernel gave it none (THP off, or no free
 * 2 MiB of memory).
 */
/*
 * SLOT_SIZE of anonymous memory, 2 MiB aligned, that the host backs with
 * transparent huge pages (AnonHugePages grew by that much; free memory
 * compacted first where root may), in *@raw (SLOT_SIZE + SZ_2M to
 * munmap); NULL when the kernel gave it none.  *@thp_kib: AnonHugePages
 * before.  Kernels turn THP off on machines with less than 512 MiB, as
 * the test machine: it is turned on for MADV_HUGEPAGE memory (root) and
 * *@switched set, for the teardown to turn it off again.
 */
static uint64_t *thp_range(char **raw, long *thp_kib, bool *switched)
{
	uint64_t *thp;

	if (thp_madvise_on())
		*switched = true;

	*raw = mmap(NULL, SLOT_SIZE + SZ_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*raw == MAP_FAILED)
		return NULL;
	thp = (uint64_t *)(((unsigned long)*raw + SZ_2M - 1) & ~(SZ_2M - 1));
	write_long("/proc/sys/vm/compact_memory", 1);
	*thp_kib = meminfo("AnonHugePages");
	if (madvise(thp, SLOT_SIZE, MADV_HUGEPAGE) == 0)
		memset(thp, 0, SLOT_SIZE);
	if (meminfo("AnonHugePages") - *thp_kib < (long)(SLOT_SIZE >> 10)) {
		munmap(*raw, SLOT_SIZE + SZ_2M);
		return NULL;
	}
	return thp;
}

TEST_F_TIMEOUT(ept_2m, thp_slot_uses_2m_ept_pages, 120)
{
	long ept_2m = ioctl(self->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_EPT_2M);
	long thp_before, tables, faults;
	struct vcpu *vcpu;
	uint64_t *thp;
	char *raw;

	ASSERT_GE(ept_2m, 0);
	thp = thp_range(&raw, &thp_before, &self->thp_switched);
	if (!thp)
		SKIP(return, "no transparent huge pages for the slot");
	vcpu = vcpu_create_guest(&touch_guest);
	tables = map_and_touch(_metadata, vcpu, thp, &faults);
	guest_destroy(vcpu);
	EXPECT_EQ(ept_2m ? SLOT_HUGE_PAGES : 0, faults);
	munmap(raw, SLOT_SIZE + SZ_2M);
	TH_LOG("EPT table pages for a THP-backed %lu MiB: %ld", SLOT_SIZE >> 20,
	       tables);
	EXPECT_EQ(ept_2m ? 1 : 1 + SLOT_HUGE_PAGES, tables);
}

/*
 * touch_guest over the slot again, the host's second qwords cleared
 * first: every write must reach the page the owner maps there now.
 * Returns how many EPT table pages the run added.
 */
static long touch_again(struct __test_metadata *_metadata,
			struct vcpu *vcpu, uint64_t *mem)
{
	struct vmctl_module_stats before, after;
	struct ucall uc;
	int i;

	for (i = 0; i < SLOT_PAGES; i++)
		mem[i * 512 + 1] = 0;
	vcpu_load_guest(vcpu, &touch_guest);
	EXPECT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	module_stats(vcpu->vm->sys_fd, &before);
	EXPECT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	module_stats(vcpu->vm->sys_fd, &after);
	EXPECT_EQ(0, uc.args[0]) TH_LOG("the guest read wrong data");
	for (i = 0; i < SLOT_PAGES; i++)
		if (mem[i * 512 + 1] != ~pattern(i)) {
			EXPECT_EQ(~pattern(i), mem[i * 512 + 1])
				TH_LOG("page %d: the guest's write went elsewhere", i);
			break;
		}
	return after.ept_table_pages - before.ept_table_pages;
}

/*
 * The host splits a THP the guest maps with a 2 MiB entry: half of the
 * first 2 MiB dropped (MADV_DONTNEED), one page in the middle of the
 * second replaced (munmap + mmap).  Each 2 MiB entry goes and the guest
 * maps the blocks again in 4 KiB pages (one EPT page table each): it
 * reads the host's new pages (the old huge page's copies would hold the
 * same first qwords, so the guest's writes are what tells them apart)
 * and the untouched halves keep their data.
 */
TEST_F_TIMEOUT(ept_2m, thp_split_by_the_host, 120)
{
	long ept_2m = ioctl(self->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_EPT_2M);
	long thp_before, tables;
	struct vcpu *vcpu;
	uint64_t *thp, *p;
	char *raw;
	int i;

	ASSERT_GE(ept_2m, 0);
	thp = thp_range(&raw, &thp_before, &self->thp_switched);
	if (!thp)
		SKIP(return, "no transparent huge pages for the slot");
	vcpu = vcpu_create_guest(&touch_guest);
	tables = map_and_touch(_metadata, vcpu, thp, NULL);
	EXPECT_EQ(ept_2m ? 1 : 1 + SLOT_HUGE_PAGES, tables);

	/* Block 0: its second half dropped, then refilled by the host. */
	ASSERT_EQ(0, madvise((char *)thp + SZ_2M / 2, SZ_2M / 2,
			     MADV_DONTNEED));
	for (i = 256; i < 512; i++) {
		EXPECT_EQ(0, thp[i * 512]);
		thp[i * 512] = pattern(i);
	}
	/* Block 1: page 100 of it a new page. */
	p = thp + (512 + 100) * 512;
	ASSERT_EQ(0, munmap(p, 4096));
	ASSERT_EQ(p, mmap(p, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	p[0] = pattern(512 + 100);
	/* Both huge pages are mapped in 4 KiB pages by the host now. */
	EXPECT_GT(thp_before + (long)(SLOT_SIZE >> 10),
		  meminfo("AnonHugePages")) TH_LOG("the host split no THP");

	tables = touch_again(_metadata, vcpu, thp);
	TH_LOG("EPT table pages added after the host split both THPs: %ld",
	       tables);
	EXPECT_EQ(ept_2m ? SLOT_HUGE_PAGES : 0, tables);
	guest_destroy(vcpu);
	munmap(raw, SLOT_SIZE + SZ_2M);
}

/*
 * Deleting a slot the guest used through 2 MiB entries leaves no stale
 * translation (the next read is MMIO), and 4 KiB pages mapped at the same
 * place afterwards are the ones the guest sees, not the old huge pages.
 */
TEST_F_TIMEOUT(ept_2m, slot_replaced_after_2m_mapping, 120)
{
	struct vcpu *vcpu;
	struct ucall uc;
	int i;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	vcpu = vcpu_create_guest(&touch_guest);
	map_and_touch(_metadata, vcpu, self->huge, NULL);
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT, 1));

	vcpu_load_guest(vcpu, &probe_guest);
	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_MMIO, vcpu->run->exit_reason);
	EXPECT_EQ(SLOT_GPA, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(0, vcpu->run->mmio.is_write);
	EXPECT_EQ(8, vcpu->run->mmio.len);
	memset(vcpu->run->mmio.data, 0x5a, 8);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, uc.args[0]);

	for (i = 0; i < SLOT_PAGES; i++)
		self->huge[i * 512 + 1] = 0;
	map_and_touch(_metadata, vcpu, self->small, NULL);
	for (i = 0; i < SLOT_PAGES; i++)
		if (self->huge[i * 512 + 1]) {
			EXPECT_EQ(0, self->huge[i * 512 + 1])
				TH_LOG("page %d: written through a stale mapping", i);
			break;
		}
	guest_destroy(vcpu);
}

/*
 * A 4 KiB slot in a 2 MiB range leaves an EPT page table behind when it is
 * deleted; a 2 MiB-mappable slot added there later turns the PDE above it
 * into a leaf, and the module frees that table, after an INVEPT on every
 * CPU (ept.c).  Bochs does not model the paging-structure caches, so a
 * missing INVEPT cannot show here as a stale walk; this drives the path
 * (the table count drops) and checks the guest then sees exactly the new
 * slot's memory, and that the old page was left alone.
 */
TEST_F_TIMEOUT(ept_2m, page_table_freed_for_a_2m_leaf, 120)
{
	long ept_2m = ioctl(self->sys_fd, VMCTL_CHECK_CAP, VMCTL_CAP_EPT_2M);
	struct vmctl_mem_slot slot = {
		.slot = 1,
		.guest_phys = SLOT_GPA,
		.size = 4096,
		.user_addr = (unsigned long)self->small,
	};
	struct vcpu *vcpu;
	struct ucall uc;
	long tables;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	ASSERT_GE(ept_2m, 0);
	vcpu = vcpu_create_guest(&probe_guest);
	self->small[0] = 0x1111111111111111ULL;
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_SET_MEM_SLOT, &slot));
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x1111111111111111ULL, uc.args[0]);
	ASSERT_EQ(0, ioctl(vcpu->vm->fd, VMCTL_DELETE_MEM_SLOT, 1));

	/* The guest touches the range: MMIO now. */
	vcpu_load_guest(vcpu, &probe_guest);
	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_MMIO, vcpu->run->exit_reason);
	EXPECT_EQ(SLOT_GPA, vcpu->run->mmio.phys_addr);
	memset(vcpu->run->mmio.data, 0x5a, 8);
	ASSERT_EQ(UCALL_DONE, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, uc.args[0]);

	tables = map_and_touch(_metadata, vcpu, self->huge, NULL);
	/* The PD exists: 2 MiB leaves free the old table; 4 KiB pages add one. */
	EXPECT_EQ(ept_2m ? -1 : 1, tables);
	EXPECT_EQ(0x1111111111111111ULL, self->small[0]);
	EXPECT_EQ(0, self->small[1]) TH_LOG("the old page was written");
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
