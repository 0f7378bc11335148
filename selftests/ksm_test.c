// SPDX-License-Identifier: GPL-2.0
/*
 * KSM merges guest RAM and the guests go on reading and writing the
 * right data.  Two VMs each write the same 8 MiB (MAGIC at the start of
 * every page, zeros elsewhere) through writable EPT entries; with their
 * slots MADV_MERGEABLE and ksmd running, pages_sharing rises by about the
 * two slots' pages: KSM write-protected and replaced pages the guests
 * had mapped, which the MMU notifier must zap.  Both guests then read
 * MAGIC everywhere (the shared page, mapped read-only), and each writes
 * its own value into every page and reads it back: each write breaks
 * copy-on-write through the fault path, and the host sees each VM's own
 * values in its own memory, never the other's.  (pages_sharing itself
 * only falls when ksmd scans again.)
 *
 * Needs root for /sys/kernel/mm/ksm (the settings are put back after);
 * skips on a kernel without KSM.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ucall.h"

#define SLOT_ID		1
#define SLOT_GPA	0x40000000	/* 1 GiB */
#define SLOT_SIZE	0x800000	/* 8 MiB */
#define SLOT_PAGES	(SLOT_SIZE / 4096)
#define MAGIC		0x4b534d0000c0ffee
#define KSM		"/sys/kernel/mm/ksm/"

/*
 * Fill: MAGIC into every page.  Check: RDI = pages not holding MAGIC.
 * Write: RSI ^ i into the second qword of page i, read back both; RDI =
 * pages that did not read back right.
 */
GUEST64(ksm_guest,
	"movabs $" __stringify(MAGIC) ", %r8\n\t"
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"mov $" __stringify(SLOT_PAGES) ", %ecx\n"
	"1:\n\t"
	"mov %r8, (%rbx)\n\t"
	"add $4096, %rbx\n\t"
	"loop 1b\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"mov $" __stringify(SLOT_PAGES) ", %ecx\n\t"
	"xor %edi, %edi\n"
	"2:\n\t"
	"cmp (%rbx), %r8\n\t"
	"je 3f\n\t"
	"inc %edi\n"
	"3:\n\t"
	"add $4096, %rbx\n\t"
	"loop 2b\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" __stringify(SLOT_GPA) ", %ebx\n\t"
	"xor %ecx, %ecx\n\t"
	"xor %edi, %edi\n"
	"4:\n\t"
	"mov %rsi, %rax\n\t"
	"xor %rcx, %rax\n\t"
	"mov %rax, 8(%rbx)\n\t"
	"cmp 8(%rbx), %rax\n\t"
	"jne 5f\n\t"
	"cmp (%rbx), %r8\n\t"
	"je 6f\n"
	"5:\n\t"
	"inc %edi\n"
	"6:\n\t"
	"add $4096, %rbx\n\t"
	"inc %ecx\n\t"
	"cmp $" __stringify(SLOT_PAGES) ", %ecx\n\t"
	"jne 4b\n\t"
	G_UCALL(UCALL_DONE));

static long ksm_read(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), KSM "%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int ksm_write(const char *name, long v)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), KSM "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%ld\n", v) < 0;
	return (fclose(f) || ret) ? -1 : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(ksm) {
	struct vcpu *vcpu[2];
	uint64_t *mem[2];
	long run, pages_to_scan, sleep_ms;	/* to put back */
};

FIXTURE_SETUP(ksm)
{
	struct vmctl_mem_slot s = {
		.slot = SLOT_ID,
		.guest_phys = SLOT_GPA,
		.size = SLOT_SIZE,
	};
	int i;

	self->run = ksm_read("run");
	self->pages_to_scan = ksm_read("pages_to_scan");
	self->sleep_ms = ksm_read("sleep_millisecs");
	for (i = 0; i < 2; i++) {
		self->mem[i] = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, self->mem[i]);
		/* 4 KiB pages: KSM merges those. */
		madvise(self->mem[i], SLOT_SIZE, MADV_NOHUGEPAGE);
		self->vcpu[i] = vcpu_create_guest(&ksm_guest);
		s.user_addr = (unsigned long)self->mem[i];
		ASSERT_EQ(0, ioctl(self->vcpu[i]->vm->fd, VMCTL_SET_MEM_SLOT,
				   &s));
	}
}

FIXTURE_TEARDOWN(ksm)
{
	int i;

	if (self->run >= 0) {
		ksm_write("run", self->run);
		ksm_write("pages_to_scan", self->pages_to_scan);
		ksm_write("sleep_millisecs", self->sleep_ms);
	}
	for (i = 0; i < 2; i++) {
		if (self->vcpu[i])
			guest_destroy(self->vcpu[i]);
		munmap(self->mem[i], SLOT_SIZE);
	}
}

TEST_F_TIMEOUT(ksm, merged_guest_memory_stays_correct, 600)
{
	long base, sharing = 0, want = 2 * SLOT_PAGES * 9 / 10;
	struct vmctl_regs regs;
	struct ucall uc;
	double deadline;
	int i, p;

	if (self->run < 0)
		SKIP(return, "no KSM in this kernel (" KSM ")");
	ASSERT_EQ(0, ksm_write("run", 0));
	base = ksm_read("pages_sharing");
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, madvise(self->mem[i], SLOT_SIZE, MADV_MERGEABLE));
		ASSERT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu[i], &uc));
	}
	ASSERT_EQ(0, ksm_write("pages_to_scan", 2000));
	ASSERT_EQ(0, ksm_write("sleep_millisecs", 10));
	ASSERT_EQ(0, ksm_write("run", 1));
	deadline = now() + 300;
	while (now() < deadline) {
		sharing = ksm_read("pages_sharing") - base;
		if (sharing >= want)
			break;
		usleep(100000);
	}
	ASSERT_EQ(0, ksm_write("run", 0));
	TH_LOG("pages_sharing rose by %ld for 2 x %d guest pages", sharing,
	       SLOT_PAGES);
	ASSERT_LE(want, sharing);

	for (i = 0; i < 2; i++) {
		EXPECT_EQ(UCALL_SYNC, vcpu_ucall(self->vcpu[i], &uc));
		EXPECT_EQ(0, uc.args[0]) TH_LOG("VM %d read wrong data", i);
	}
	for (i = 0; i < 2; i++) {
		vcpu_get_regs(self->vcpu[i], &regs);
		regs.rsi = (i + 1) << 20;
		vcpu_set_regs(self->vcpu[i], &regs);
		EXPECT_EQ(UCALL_DONE, vcpu_ucall(self->vcpu[i], &uc));
		EXPECT_EQ(0, uc.args[0]) TH_LOG("VM %d wrote wrong data", i);
	}
	for (i = 0; i < 2; i++)
		for (p = 0; p < SLOT_PAGES; p++) {
			uint64_t *page = self->mem[i] + p * 512;

			if (page[0] != MAGIC ||
			    page[1] != ((uint64_t)(i + 1) << 20 ^ p)) {
				EXPECT_EQ((uint64_t)(i + 1) << 20 ^ p, page[1])
					TH_LOG("VM %d page %d", i, p);
				break;
			}
		}
}

TEST_HARNESS_MAIN
