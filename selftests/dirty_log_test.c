// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty-page logging (VMCTL_MEM_LOG_DIRTY, VMCTL_GET_DIRTY_LOG and
 * VMCTL_CLEAR_DIRTY_LOG), modelled on KVM's dirty_log_test:
 *
 * - A guest writes the host's iteration number into random pages of a
 *   4 MiB slot, forever, on a vCPU thread.  Logging starts while it runs
 *   (the slot set again with the flag).  Every round the host fetches the
 *   log, clears (re-protects) what it fetched, then reads every page: a
 *   page whose content changed since the last round must be in this
 *   round's log or, written after the fetch, in the next one's (no false
 *   negatives); a page in the log holds no iteration from the future.
 *   Once with the slot in small pages, once backed by transparent huge
 *   pages (2 MiB EPT entries before logging starts).  With PML, the
 *   log fills (PML-full exits); without, writes fault.
 * - GET answers for the writes made before it: a guest adds one to a
 *   page forever; the host clears the log, sees the page change, fetches
 *   the log: the page is in it, every time (with PML the write waited in
 *   the running vCPU's buffer until its next exit, up to 1 ms later).
 * - The cost of a logged write, printed: PML or write-protection.
 * - Pages the module writes for the guest are logged: an MMIO read by
 *   MOVS and a port read by INS land in pages the guest never wrote
 *   itself.
 * - Bad input: a slot without logging or none at all (ENOENT), flags and
 *   ranges (EINVAL), a bad bitmap pointer (EFAULT).
 * - A race: one thread fetches and clears the log while another deletes
 *   and re-adds the slot: every call succeeds or says ENOENT, no host
 *   warning, the module's counters back to baseline.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "assert_errno.h"
#include "die.h"
#include "stats.h"
#include "sysfile.h"
#include "thp.h"
#include "ucall.h"

#define LOG_SLOT	1
/* Plain numbers: pasted into guest assembly too. */
#define LOG_GPA		0x40000000
#define LOG_PAGES	1024
#define LOG_PAGES_MASK	1023
#define LOG_SIZE	(LOG_PAGES * 4096ULL)
#define LOG_WORDS	(LOG_PAGES / 64)
#define HUGE		(2ULL << 20)
#define INS_PORT	0x1234		/* no device: user space answers */

/* The control block the host writes and the guest reads, in slot 0. */
#define CTL_ITER	DATA_GPA		/* the iteration to write */
#define CTL_STOP	(DATA_GPA + 8)		/* non-zero: report and stop */

/*
 * Forever: the next xorshift64 number picks a page of the slot, which
 * gets the current iteration in its first qword.  With CTL_STOP set,
 * report UCALL_DONE.
 */
GUEST64(writer_guest,
	"mov $0x9e3779b97f4a7c15, %r8\n\t"
	"mov $" __stringify(DATA_GPA) ", %ebx\n"
	"1:\n\t"
	"mov %r8, %rax\n\t"
	"shl $13, %rax\n\t"
	"xor %rax, %r8\n\t"
	"mov %r8, %rax\n\t"
	"shr $7, %rax\n\t"
	"xor %rax, %r8\n\t"
	"mov %r8, %rax\n\t"
	"shl $17, %rax\n\t"
	"xor %rax, %r8\n\t"
	"mov %r8, %rdx\n\t"
	"shr $20, %rdx\n\t"
	"and $" __stringify(LOG_PAGES_MASK) ", %rdx\n\t"
	"shl $12, %rdx\n\t"
	"mov $" __stringify(LOG_GPA) ", %rax\n\t"
	"add %rax, %rdx\n\t"
	"mov (%rbx), %rax\n\t"
	"mov %rax, (%rdx)\n\t"
	"cmpq $0, 8(%rbx)\n\t"
	"je 1b\n\t"
	G_UCALL(UCALL_DONE));

static int set_slot(struct vm *vm, void *mem, uint32_t flags)
{
	struct vmctl_mem_slot s = {
		.slot = LOG_SLOT, .flags = flags, .guest_phys = LOG_GPA,
		.size = LOG_SIZE, .user_addr = (unsigned long)mem,
	};

	return ioctl(vm->fd, VMCTL_SET_MEM_SLOT, &s);
}

static int dirty_log(struct vm *vm, unsigned long cmd, uint32_t slot,
		     uint64_t first, uint64_t num, void *bitmap)
{
	struct vmctl_dirty_log d = {
		.slot = slot, .first_page = first, .num_pages = num,
		.bitmap = (unsigned long)bitmap,
	};

	return ioctl(vm->fd, cmd, &d);
}

/* LOG_SIZE bytes, 2 MiB aligned, with or without huge pages. */
static void *alloc_slot_mem(bool thp)
{
	uint8_t *p = mmap(NULL, LOG_SIZE + HUGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *a;

	die_unless(p != MAP_FAILED, "mmap");
	a = (uint8_t *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
	die_unless(!madvise(a, LOG_SIZE, thp ? MADV_HUGEPAGE :
					     MADV_NOHUGEPAGE), "madvise");
	memset(a, 0, LOG_SIZE);
	return a;
}

/* AnonHugePages of this process, KiB (/proc/self/smaps_rollup). */
static long anon_huge_kib(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[128];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

struct writer {
	struct vcpu *vcpu;
	int result;		/* UCALL_DONE when the guest stopped cleanly */
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	struct ucall uc;

	w->result = vcpu_ucall(w->vcpu, &uc);
	return NULL;
}

static uint64_t hw_exits(struct vcpu *vcpu, unsigned int reason)
{
	struct vmctl_vcpu_stats st = { 0 };

	die_unless(ioctl(vcpu->fd, VMCTL_GET_VCPU_STATS, &st) == 0,
		   "VMCTL_GET_VCPU_STATS");
	return st.hw_exits[reason];
}

static bool bit(const uint64_t *map, uint64_t page)
{
	return map[page / 64] & (1ULL << (page % 64));
}

/*
 * The dirty_log_test loop.  @thp: the slot's memory is backed by huge
 * pages, which the guest writes (2 MiB EPT entries) before logging
 * starts.
 */
static void run_rounds(struct __test_metadata *_metadata, bool thp)
{
	static uint64_t map[LOG_WORDS], seen[LOG_PAGES];
	static bool pending[LOG_PAGES];
	volatile uint64_t *iter, *stop;
	uint64_t round, p, changed = 0, logged = 0;
	struct writer w = { 0 };
	bool switched;
	pthread_t t;
	uint8_t *mem;

	w.vcpu = vcpu_create_guest(&writer_guest);
	vm_prefault_ram(w.vcpu->vm);
	iter = gpa_to_hva(w.vcpu->vm, CTL_ITER);
	stop = gpa_to_hva(w.vcpu->vm, CTL_STOP);
	*iter = 1;
	*stop = 0;
	switched = thp && thp_madvise_on();
	write_long("/proc/sys/vm/compact_memory", 1);
	mem = alloc_slot_mem(thp);
	if (switched)
		thp_never_again();	/* the range keeps its huge pages */
	if (thp && anon_huge_kib() <= 0) {
		guest_destroy(w.vcpu);
		SKIP(return, "the kernel gave no transparent huge pages");
	}
	ASSERT_EQ(0, set_slot(w.vcpu->vm, mem, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, writer_thread, &w));
	usleep(20000);		/* writes before logging: EPT mapped */

	/* Start logging while the guest writes; then copy it all once. */
	ASSERT_EQ(0, set_slot(w.vcpu->vm, mem, VMCTL_MEM_LOG_DIRTY));
	for (p = 0; p < LOG_PAGES; p++)
		seen[p] = *(volatile uint64_t *)(mem + p * 4096);

	for (round = 2; round <= 12; round++) {
		*iter = round;
		usleep(10000);
		ASSERT_EQ(0, dirty_log(w.vcpu->vm, VMCTL_GET_DIRTY_LOG,
				       LOG_SLOT, 0, LOG_PAGES, map));
		ASSERT_EQ(0, dirty_log(w.vcpu->vm, VMCTL_CLEAR_DIRTY_LOG,
				       LOG_SLOT, 0, LOG_PAGES, map));
		for (p = 0; p < LOG_PAGES; p++) {
			uint64_t v = *(volatile uint64_t *)(mem + p * 4096);

			if (bit(map, p)) {
				logged++;
				EXPECT_LE(v, round);
			} else if (pending[p]) {
				TH_LOG("round %llu: page %llu changed last round and is in neither log",
				       (unsigned long long)round,
				       (unsigned long long)p);
				EXPECT_TRUE(bit(map, p));
			}
			/* Changed after the fetch: due in the next log. */
			pending[p] = v != seen[p] && !bit(map, p);
			if (v != seen[p])
				changed++;
			seen[p] = v;
		}
	}
	*stop = 1;
	pthread_join(t, NULL);
	EXPECT_EQ(UCALL_DONE, w.result);
	ASSERT_EQ(0, dirty_log(w.vcpu->vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 0,
			       LOG_PAGES, map));
	for (p = 0; p < LOG_PAGES; p++) {
		uint64_t v = *(volatile uint64_t *)(mem + p * 4096);

		if ((pending[p] || v != seen[p]) && !bit(map, p)) {
			TH_LOG("page %llu changed but is not logged",
			       (unsigned long long)p);
			EXPECT_TRUE(bit(map, p));
		}
	}
	/* The guest wrote between rounds: the test saw something. */
	EXPECT_GT(changed, 0);
	EXPECT_GT(logged, 0);
	TH_LOG("%llu changes seen, %llu pages logged",
	       (unsigned long long)changed, (unsigned long long)logged);
	guest_destroy(w.vcpu);
	munmap(mem - ((uintptr_t)mem & (HUGE - 1)), LOG_SIZE + HUGE);
}

/* Adds one to the slot's first page until CTL_STOP is set. */
GUEST64(inc_guest,
	"mov $" __stringify(LOG_GPA) ", %ebx\n\t"
	"mov $" __stringify(CTL_STOP) ", %ecx\n"
	"1:\n\t"
	"incq (%rbx)\n\t"
	"cmpq $0, (%rcx)\n\t"
	"je 1b\n\t"
	G_UCALL(UCALL_DONE));

TEST(get_sees_running_writes)
{
	uint8_t *mem = alloc_slot_mem(false);
	volatile uint64_t *page = (volatile uint64_t *)mem, *stop;
	uint64_t map[LOG_WORDS], v;
	struct writer w = { 0 };
	int round, missed = 0;
	pthread_t t;

	w.vcpu = vcpu_create_guest(&inc_guest);
	vm_prefault_ram(w.vcpu->vm);
	stop = gpa_to_hva(w.vcpu->vm, CTL_STOP);
	*stop = 0;
	ASSERT_EQ(0, set_slot(w.vcpu->vm, mem, VMCTL_MEM_LOG_DIRTY));
	ASSERT_EQ(0, pthread_create(&t, NULL, writer_thread, &w));
	for (round = 0; round < 20; round++) {
		ASSERT_EQ(0, dirty_log(w.vcpu->vm, VMCTL_GET_DIRTY_LOG,
				       LOG_SLOT, 0, LOG_PAGES, map));
		ASSERT_EQ(0, dirty_log(w.vcpu->vm, VMCTL_CLEAR_DIRTY_LOG,
				       LOG_SLOT, 0, LOG_PAGES, map));
		v = *page;
		while (*page == v)
			;	/* written again since the clear */
		ASSERT_EQ(0, dirty_log(w.vcpu->vm, VMCTL_GET_DIRTY_LOG,
				       LOG_SLOT, 0, LOG_PAGES, map));
		if (!bit(map, 0))
			missed++;
	}
	*stop = 1;
	pthread_join(t, NULL);
	EXPECT_EQ(UCALL_DONE, w.result);
	EXPECT_EQ(0, missed);
	guest_destroy(w.vcpu);
	munmap(mem - ((uintptr_t)mem & (HUGE - 1)), LOG_SIZE + HUGE);
}

/*
 * The cost of a logged write: reads map every page of the slot; then
 * RDTSC around one write to each page (each logged: a write fault, or a
 * PML entry) and around writing them all again (none logged).  Under
 * Bochs the TSC counts instructions, guest's and host's.
 */
GUEST64(cost_guest,
	"mov $" __stringify(LOG_GPA) ", %ebx\n\t"
	"mov $" __stringify(LOG_PAGES) ", %ecx\n"
	"1:\n\t"
	"mov (%rbx), %rax\n\t"
	"add $4096, %rbx\n\t"
	"loop 1b\n\t"
	G_UCALL(UCALL_SYNC)
	"2:\n\t"
	"rdtsc\n\t"
	"shl $32, %rdx\n\t"
	"or %rax, %rdx\n\t"
	"mov %rdx, %r9\n\t"
	"mov $" __stringify(LOG_GPA) ", %ebx\n\t"
	"mov $" __stringify(LOG_PAGES) ", %ecx\n"
	"3:\n\t"
	"mov %rcx, (%rbx)\n\t"
	"add $4096, %rbx\n\t"
	"loop 3b\n\t"
	"rdtsc\n\t"
	"shl $32, %rdx\n\t"
	"or %rax, %rdx\n\t"
	"sub %r9, %rdx\n\t"
	"mov %rdx, %rdi\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 2b\n\t");

TEST(logged_write_cost)
{
	struct vcpu *vcpu = vcpu_create_guest(&cost_guest);
	uint8_t *mem = alloc_slot_mem(false);
	uint64_t map[LOG_WORDS], logged, again, w;
	long pml = ioctl(vcpu->vm->sys_fd, VMCTL_CHECK_CAP,
			 VMCTL_CAP_DIRTY_LOG_PML);
	struct ucall uc;

	vm_prefault_ram(vcpu->vm);
	ASSERT_EQ(0, set_slot(vcpu->vm, mem, VMCTL_MEM_LOG_DIRTY));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	logged = uc.args[0];
	ASSERT_EQ(0, dirty_log(vcpu->vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 0,
			       LOG_PAGES, map));
	for (w = 0; w < LOG_WORDS; w++)
		EXPECT_EQ(~0ULL, map[w]);
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	again = uc.args[0];
	TH_LOG("%s: a logged write costs %llu instructions (%llu per write, %llu when not logged)",
	       pml ? "PML" : "write-protection",
	       (unsigned long long)((logged - again) / LOG_PAGES),
	       (unsigned long long)(logged / LOG_PAGES),
	       (unsigned long long)(again / LOG_PAGES));
	if (pml) {	/* PML in use: the log filled */
		EXPECT_GT(hw_exits(vcpu, VMCTL_HW_EXIT_PML_FULL), 0);
	} else {	/* a fault for each read, then each write */
		EXPECT_GE(hw_exits(vcpu, VMCTL_HW_EXIT_EPT_VIOLATION),
			  2 * LOG_PAGES);
	}
	guest_destroy(vcpu);
	munmap(mem - ((uintptr_t)mem & (HUGE - 1)), LOG_SIZE + HUGE);
}

TEST(rounds_4k)
{
	run_rounds(_metadata, false);
}

TEST(rounds_thp)
{
	run_rounds(_metadata, true);
}

/*
 * MOVSQ from MMIO into page 5 of the logged slot, INSB from a port into
 * page 7: the module writes both.
 */
GUEST64(movs_guest,
	"mov $" __stringify(MMIO_GPA) ", %esi\n\t"
	"mov $" __stringify(LOG_GPA + 5 * 4096) ", %edi\n\t"
	"movsq\n\t"
	"mov $" __stringify(INS_PORT) ", %dx\n\t"
	"mov $" __stringify(LOG_GPA + 7 * 4096) ", %edi\n\t"
	"insb\n\t"
	G_UCALL(UCALL_SYNC));

TEST(module_writes_logged)
{
	uint64_t map[LOG_WORDS], val = 0x5a5a5a5a5a5a5a5aULL;
	struct vcpu *vcpu = vcpu_create_guest(&movs_guest);
	struct vmctl_run *run = vcpu->run;
	uint8_t *mem = alloc_slot_mem(false);
	struct ucall uc;

	ASSERT_EQ(0, set_slot(vcpu->vm, mem, VMCTL_MEM_LOG_DIRTY));
	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_MMIO, run->exit_reason);
	ASSERT_EQ(MMIO_GPA, run->mmio.phys_addr);
	memcpy(run->mmio.data, &val, 8);
	ASSERT_EQ(0, vcpu_run(vcpu));
	ASSERT_EQ(VMCTL_EXIT_IO, run->exit_reason);
	ASSERT_EQ(VMCTL_IO_IN, run->io.direction);
	ASSERT_EQ(INS_PORT, run->io.port);
	ASSERT_EQ(1, run->io.count);
	*((uint8_t *)run + run->io.data_offset) = 0xa5;
	ASSERT_EQ(UCALL_SYNC, vcpu_ucall(vcpu, &uc));
	EXPECT_EQ(val, *(uint64_t *)(mem + 5 * 4096));
	EXPECT_EQ(0xa5, mem[7 * 4096]);
	ASSERT_EQ(0, dirty_log(vcpu->vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 0,
			       LOG_PAGES, map));
	EXPECT_EQ(1ULL << 5 | 1ULL << 7, map[0]);
	guest_destroy(vcpu);
}

TEST(bad_input)
{
	struct vm *vm = vm_create("");
	uint64_t map[LOG_WORDS + 1];
	uint8_t *mem = alloc_slot_mem(false);
	struct vmctl_dirty_log d = { .slot = LOG_SLOT, .flags = 1,
				     .num_pages = LOG_PAGES,
				     .bitmap = (unsigned long)map };

	/* Slot 0 does not log; slot 1 does not exist; nor does 99. */
	ASSERT_ERRNO(ENOENT, dirty_log(vm, VMCTL_GET_DIRTY_LOG, 0, 0, 64, map));
	ASSERT_ERRNO(ENOENT, dirty_log(vm, VMCTL_CLEAR_DIRTY_LOG, 0, 0, 64,
				       map));
	ASSERT_ERRNO(ENOENT, dirty_log(vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 0,
				       64, map));
	ASSERT_ERRNO(ENOENT, dirty_log(vm, VMCTL_GET_DIRTY_LOG, 99, 0, 64,
				       map));
	ASSERT_EQ(0, set_slot(vm, mem, VMCTL_MEM_LOG_DIRTY));
	ASSERT_ERRNO(EINVAL, ioctl(vm->fd, VMCTL_GET_DIRTY_LOG, &d));
	/* Ranges: unaligned start, empty, past the end, ragged middle. */
	ASSERT_ERRNO(EINVAL, dirty_log(vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 1,
				       64, map));
	ASSERT_ERRNO(EINVAL, dirty_log(vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 0,
				       0, map));
	ASSERT_ERRNO(EINVAL, dirty_log(vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 0,
				       LOG_PAGES + 64, map));
	ASSERT_ERRNO(EINVAL, dirty_log(vm, VMCTL_CLEAR_DIRTY_LOG, LOG_SLOT,
				       LOG_PAGES, 64, map));
	ASSERT_ERRNO(EINVAL, dirty_log(vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 64,
				       65, map));
	/* A range that ends the slot may be ragged. */
	ASSERT_EQ(0, dirty_log(vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 64,
			       LOG_PAGES - 64, map));
	/* Bad pointers. */
	ASSERT_ERRNO(EFAULT, dirty_log(vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 0,
				       LOG_PAGES, (void *)8));
	ASSERT_ERRNO(EFAULT, dirty_log(vm, VMCTL_CLEAR_DIRTY_LOG, LOG_SLOT, 0,
				       LOG_PAGES, (void *)8));
	ASSERT_ERRNO(EFAULT, ioctl(vm->fd, VMCTL_GET_DIRTY_LOG, (void *)8));
	/* Setting the slot again changes only the logging flag. */
	ASSERT_ERRNO(EEXIST, set_slot(vm, mem, VMCTL_MEM_LOG_DIRTY));
	ASSERT_ERRNO(EEXIST, set_slot(vm, mem, VMCTL_MEM_LOG_DIRTY |
					       VMCTL_MEM_READONLY));
	ASSERT_EQ(0, set_slot(vm, mem, 0));
	ASSERT_ERRNO(ENOENT, dirty_log(vm, VMCTL_GET_DIRTY_LOG, LOG_SLOT, 0,
				       LOG_PAGES, map));
	ASSERT_EQ(0, ioctl(vm->fd, VMCTL_DELETE_MEM_SLOT, LOG_SLOT));
	vm_destroy(vm);
	munmap(mem - ((uintptr_t)mem & (HUGE - 1)), LOG_SIZE + HUGE);
}

struct racer {
	struct vm *vm;
	volatile bool stop;
	unsigned long ok, gone, bad;
};

static void *fetch_thread(void *arg)
{
	struct racer *r = arg;
	static uint64_t map[LOG_WORDS];

	while (!r->stop) {
		unsigned long cmd = (r->ok + r->gone) & 1 ?
				    VMCTL_CLEAR_DIRTY_LOG : VMCTL_GET_DIRTY_LOG;

		memset(map, 0xff, sizeof(map));
		if (!dirty_log(r->vm, cmd, LOG_SLOT, 0, LOG_PAGES, map))
			r->ok++;
		else if (errno == ENOENT)
			r->gone++;
		else
			r->bad++;
	}
	return NULL;
}

TEST(delete_while_fetching)
{
	struct vmctl_module_stats base;
	struct racer r = { 0 };
	uint8_t *mem;
	pthread_t t;
	int i;

	r.vm = vm_create("");
	module_stats(r.vm->sys_fd, &base);
	mem = alloc_slot_mem(false);
	ASSERT_EQ(0, pthread_create(&t, NULL, fetch_thread, &r));
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, set_slot(r.vm, mem, VMCTL_MEM_LOG_DIRTY));
		if (i & 1)	/* logging off and on again meanwhile */
			ASSERT_EQ(0, set_slot(r.vm, mem, 0));
		ASSERT_EQ(0, ioctl(r.vm->fd, VMCTL_DELETE_MEM_SLOT, LOG_SLOT));
	}
	r.stop = true;
	pthread_join(t, NULL);
	EXPECT_EQ(0, r.bad);
	TH_LOG("%lu calls found the slot, %lu did not", r.ok, r.gone);
	EXPECT_STATS_BASELINE(r.vm->sys_fd, &base);
	vm_destroy(r.vm);
	munmap(mem - ((uintptr_t)mem & (HUGE - 1)), LOG_SIZE + HUGE);
}

TEST_HARNESS_MAIN
