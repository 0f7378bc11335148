// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-balloon: the pure part (queue numbering by features, page frame
 * numbers into runs of guest RAM with hostile numbers ignored, reported
 * ranges cut to whole pages, statistics) on a fake RAM with a hole; then
 * the device on a VM (the fake module stands in for the kernel) driven
 * as Linux's driver drives it: the size the host asks for, inflating
 * (the pages' memory goes back to the host: not resident, zero when
 * read), numbers outside RAM ignored, free page reporting, statistics;
 * and its state saved and restored into a balloon on another VM, with a
 * damaged or truncated state refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_module.h"
#include "guest_virtio.h"
#include "internal.h"
#include "tmp_file.h"
#include "virtio_balloon.h"
#include "virtio_pci.h"

#define MIB		(1ULL << 20)
#define PAGE		4096ULL

/* ---- the pure part, on two RAM ranges with a hole between them ---- */

#define LOW_SIZE	(1 * MIB)	/* [0, 1M) */
#define HIGH_GPA	(2 * MIB)	/* [2M, 3M) */
#define HIGH_SIZE	(1 * MIB)

static uint8_t *low, *high;

static void *two_ranges(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	if (gpa < LOW_SIZE && len <= LOW_SIZE - gpa)
		return low + gpa;
	if (gpa >= HIGH_GPA && gpa - HIGH_GPA < HIGH_SIZE &&
	    len <= HIGH_SIZE - (gpa - HIGH_GPA))
		return high + (gpa - HIGH_GPA);
	return NULL;
}

static const struct vmctl_guest_ram two = { two_ranges, NULL, NULL };

static struct {
	void *hva;
	uint64_t len;
} runs[64];
static unsigned int nr_runs;

/* Counts every run, keeps the first 64. */
static void record(void *ctx, void *hva, uint64_t len)
{
	(void)ctx;
	if (nr_runs < 64)
		runs[nr_runs] = (typeof(runs[0])){ hva, len };
	nr_runs++;
}

static int pure_setup(void **state)
{
	(void)state;
	low = malloc(LOW_SIZE);
	high = malloc(HIGH_SIZE);
	nr_runs = 0;
	return 0;
}

static int pure_teardown(void **state)
{
	(void)state;
	free(low);
	free(high);
	return 0;
}

static struct vmctl_balloon_walk walk(const uint32_t *pfns, uint64_t len)
{
	struct iovec iov = { (void *)pfns, len };
	struct vmctl_balloon_walk w = { 0 };

	nr_runs = 0;
	vmctl_balloon_pfns(&two, &iov, 1, len, record, NULL, &w);
	return w;
}

static void test_queue_roles(void **state)
{
	uint64_t stats = 1ULL << VIRTIO_BALLOON_F_STATS_VQ;
	uint64_t report = 1ULL << VIRTIO_BALLOON_F_REPORTING;

	(void)state;
	assert_int_equal(vmctl_balloon_queue_role(0, 0), BALLOON_Q_INFLATE);
	assert_int_equal(vmctl_balloon_queue_role(1, 0), BALLOON_Q_DEFLATE);
	assert_int_equal(vmctl_balloon_queue_role(2, 0), BALLOON_Q_NONE);
	assert_int_equal(vmctl_balloon_queue_role(2, stats), BALLOON_Q_STATS);
	assert_int_equal(vmctl_balloon_queue_role(3, stats), BALLOON_Q_NONE);
	/* Without statistics the reporting queue moves up to 2. */
	assert_int_equal(vmctl_balloon_queue_role(2, report),
			 BALLOON_Q_REPORTING);
	assert_int_equal(vmctl_balloon_queue_role(3, report), BALLOON_Q_NONE);
	assert_int_equal(vmctl_balloon_queue_role(2, stats | report),
			 BALLOON_Q_STATS);
	assert_int_equal(vmctl_balloon_queue_role(3, stats | report),
			 BALLOON_Q_REPORTING);
	assert_int_equal(vmctl_balloon_queue_role(7, stats | report),
			 BALLOON_Q_NONE);
}

static void test_pfn_runs(void **state)
{
	/* 3 ascending, a jump, 2 more; the last RAM page of each range. */
	uint32_t pfns[] = { 4, 5, 6, 9, 10, 255, 512, 767, 766 };
	struct vmctl_balloon_walk w;

	(void)state;
	w = walk(pfns, sizeof(pfns));
	assert_int_equal(w.pages, 9);
	assert_int_equal(w.ignored, 0);
	assert_int_equal(nr_runs, 6);
	assert_ptr_equal(runs[0].hva, low + 4 * PAGE);
	assert_int_equal(runs[0].len, 3 * PAGE);
	assert_ptr_equal(runs[1].hva, low + 9 * PAGE);
	assert_int_equal(runs[1].len, 2 * PAGE);
	assert_ptr_equal(runs[2].hva, low + 255 * PAGE);
	assert_int_equal(runs[2].len, PAGE);
	/* pfn 512 is 2M: the first page of the high range. */
	assert_ptr_equal(runs[3].hva, high);
	assert_ptr_equal(runs[4].hva, high + 255 * PAGE);
	/* Descending is not merged: each its own run. */
	assert_ptr_equal(runs[5].hva, high + 254 * PAGE);
	assert_int_equal(runs[5].len, PAGE);
}

static void test_pfn_hostile(void **state)
{
	/*
	 * In the hole (1M-2M), just past RAM, the largest number (16 TiB,
	 * which a 32-bit shift would wrap to 0), the PCI hole: ignored;
	 * the good ones around them act (1 and 2 still merge).  The last
	 * page of the low range does not run on into the hole.
	 */
	uint32_t pfns[] = { 1, 256, 300, 511, 768, 0xffffffff, 0xc0000, 2,
			    255, 256 };
	struct vmctl_balloon_walk w;
	uint8_t bytes[4 * 3 + 2];

	(void)state;
	w = walk(pfns, sizeof(pfns));
	assert_int_equal(w.pages, 3);
	assert_int_equal(w.ignored, 7);
	assert_int_equal(nr_runs, 2);
	assert_ptr_equal(runs[0].hva, low + PAGE);
	assert_int_equal(runs[0].len, 2 * PAGE);
	assert_ptr_equal(runs[1].hva, low + 255 * PAGE);
	assert_int_equal(runs[1].len, PAGE);

	/* A partial number at the end: ignored, the whole ones used. */
	memcpy(bytes, pfns + 7, 12);		/* 2, 255, 256 */
	bytes[12] = bytes[13] = 0;
	w = walk((const uint32_t *)bytes, sizeof(bytes));
	assert_int_equal(w.pages, 2);
	assert_int_equal(w.ignored, 2);

	/* Empty. */
	w = walk(pfns, 0);
	assert_int_equal(w.pages + w.ignored, 0);
	assert_int_equal(nr_runs, 0);
}

static void test_pfn_split_buffers(void **state)
{
	/* Numbers split across buffers, one straddling two of them. */
	uint32_t pfns[] = { 7, 8, 9 };
	uint8_t *b = (uint8_t *)pfns;
	struct iovec iov[3] = { { b, 3 }, { b + 3, 6 }, { b + 9, 3 } };
	struct vmctl_balloon_walk w = { 0 };

	(void)state;
	nr_runs = 0;
	vmctl_balloon_pfns(&two, iov, 3, 12, record, NULL, &w);
	assert_int_equal(w.pages, 3);
	assert_int_equal(nr_runs, 1);
	assert_int_equal(runs[0].len, 3 * PAGE);
}

static void test_pfn_cap(void **state)
{
	uint64_t n = VMCTL_BALLOON_MAX_PFN_BYTES / 4 + 100;
	uint32_t *pfns = calloc(n, 4);
	struct vmctl_balloon_walk w;

	(void)state;
	w = walk(pfns, n * 4);		/* all page 0 */
	assert_int_equal(w.pages, VMCTL_BALLOON_MAX_PFN_BYTES / 4);
	assert_int_equal(w.ignored, 100);
	free(pfns);
}

static void test_whole_pages(void **state)
{
	uint8_t *base = (uint8_t *)0x10000000;
	struct iovec buf;
	uint64_t len;
	void *hva;

	(void)state;
	buf = (struct iovec){ base, 2 * MIB };
	assert_true(vmctl_balloon_whole_pages(&buf, &hva, &len));
	assert_ptr_equal(hva, base);
	assert_int_equal(len, 2 * MIB);
	/* Unaligned both ends: the whole pages inside. */
	buf = (struct iovec){ base + 100, 3 * PAGE };
	assert_true(vmctl_balloon_whole_pages(&buf, &hva, &len));
	assert_ptr_equal(hva, base + PAGE);
	assert_int_equal(len, 2 * PAGE);
	/* Less than a page, or one crossing a boundary: nothing. */
	buf = (struct iovec){ base + 100, PAGE };
	assert_false(vmctl_balloon_whole_pages(&buf, &hva, &len));
	buf = (struct iovec){ base, PAGE - 1 };
	assert_false(vmctl_balloon_whole_pages(&buf, &hva, &len));
	buf = (struct iovec){ base, 0 };
	assert_false(vmctl_balloon_whole_pages(&buf, &hva, &len));
}

static void put_stat(uint8_t *p, uint16_t tag, uint64_t v)
{
	memcpy(p, &tag, 2);
	memcpy(p + 2, &v, 8);
}

static void test_stats(void **state)
{
	struct vmctl_balloon_state st = { 0 };
	uint8_t buf[10 * 5];
	struct iovec iov = { buf, 45 };

	(void)state;
	put_stat(buf, VIRTIO_BALLOON_S_MEMFREE, 123 * MIB);
	put_stat(buf + 10, 999, 5);			/* unknown: skipped */
	put_stat(buf + 20, VIRTIO_BALLOON_S_MEMTOT, 128 * MIB);
	put_stat(buf + 30, VIRTIO_BALLOON_S_AVAIL, 100 * MIB);
	put_stat(buf + 40, VIRTIO_BALLOON_S_CACHES, 7);	/* cut short */
	vmctl_balloon_parse_stats(&st, &iov, 1, iov.iov_len);
	assert_int_equal(st.stats[VIRTIO_BALLOON_S_MEMFREE], 123 * MIB);
	assert_int_equal(st.stats[VIRTIO_BALLOON_S_MEMTOT], 128 * MIB);
	assert_int_equal(st.stats[VIRTIO_BALLOON_S_AVAIL], 100 * MIB);
	assert_int_equal(st.stats_seen, 1U << VIRTIO_BALLOON_S_MEMFREE |
			 1U << VIRTIO_BALLOON_S_MEMTOT |
			 1U << VIRTIO_BALLOON_S_AVAIL);
}

/* ---- the device on a VM ---- */

#define RAM_MIB		64
#define QSIZE		8
#define QUEUES(q)	(0x100000ULL + 0x10000ULL * (q))	/* rings */
#define BUF		0x200000ULL		/* the driver's buffers */
#define VICTIM		0x400000ULL		/* pages to give back */
#define VICTIMS		16

static struct vmctl *sys;
static struct vmctl_vm *vm;
static uint8_t *ram;
static uint16_t next_avail[4];

static int vm_setup(void **state)
{
	(void)state;
	assert_int_equal(vmctl_open(&sys), 0);
	assert_int_equal(vmctl_vm_create(sys, "balloon", &vm), 0);
	assert_int_equal(vmctl_vm_add_memory(vm, 0, RAM_MIB * MIB, 0), 0);
	ram = vmctl_vm_gpa_to_hva(vm, 0, RAM_MIB * MIB);
	guest = (struct guest_virtio){ vm, ram, 0 };
	memset(next_avail, 0, sizeof(next_avail));
	return 0;
}

static int vm_teardown(void **state)
{
	(void)state;
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
	return 0;
}

static void test_refusals(void **state)
{
	struct vmctl_balloon b = { .size = RAM_MIB * MIB + PAGE };
	struct vmctl_balloon_info info;

	(void)state;
	assert_int_equal(vmctl_vm_balloon_set(vm, 0), -ENODEV);
	assert_int_equal(vmctl_vm_balloon_info(vm, &info), -ENODEV);
	assert_int_equal(vmctl_balloon_create(vm, &b), -EINVAL);
	b.size = 100;
	assert_int_equal(vmctl_balloon_create(vm, &b), -EINVAL);
	assert_int_equal(guest_nr_devices(), 0);
	b.size = RAM_MIB * MIB;
	assert_int_equal(vmctl_balloon_create(vm, &b), 0);
	assert_int_equal(vmctl_balloon_create(vm, &b), -EEXIST);
	assert_int_equal(guest_nr_devices(), 2);	/* and the bus */
	assert_int_equal(vmctl_vm_balloon_set(vm, RAM_MIB * MIB + PAGE),
			 -EINVAL);
	assert_int_equal(vmctl_vm_balloon_set(vm, 3), -EINVAL);
}

/* A chain of one buffer on queue q; waits until the device used it. */
static void post(unsigned int q, uint64_t addr, uint32_t len, bool writable)
{
	uint64_t rings = QUEUES(q);
	uint16_t used, slot = next_avail[q] % QSIZE;
	unsigned int i;

	guest_desc(rings, slot, addr, len, writable ? VIRTQ_DESC_F_WRITE : 0,
		   0);
	memcpy(ram + rings + 0x1000 + 4 + 2 * slot, &slot, 2);
	next_avail[q]++;
	__atomic_store_n((uint16_t *)(ram + rings + 0x1002), next_avail[q],
			 __ATOMIC_RELEASE);
	guest_wr(VIRTIO_BAR_NOTIFY + 4 * q, 2, q);
	for (i = 0; i < 5000; i++) {
		used = __atomic_load_n((uint16_t *)(ram + rings + 0x2002),
				       __ATOMIC_ACQUIRE);
		if (used == next_avail[q])
			break;
		usleep(1000);
	}
	assert_int_equal(used, next_avail[q]);
}

/* The used ring's index of queue q in a VM's RAM mem. */
static uint16_t used_idx_in(uint8_t *mem, unsigned int q)
{
	return __atomic_load_n((uint16_t *)(mem + QUEUES(q) + 0x2002),
			       __ATOMIC_ACQUIRE);
}

static uint16_t used_idx(unsigned int q)
{
	return used_idx_in(ram, q);
}

/* The next avail index the device waits for on queue q (EVENT_IDX). */
static uint16_t avail_event(unsigned int q)
{
	return __atomic_load_n((uint16_t *)(ram + QUEUES(q) + 0x2004 +
					    8 * QSIZE), __ATOMIC_ACQUIRE);
}

/* Whether the host has the guest page at gpa in memory. */
static bool resident(uint64_t gpa)
{
	unsigned char v;

	assert_int_equal(mincore(ram + gpa, PAGE, &v), 0);
	return v & 1;
}

static struct {
	char name[32];
	uint64_t value;
} counters[64];
static unsigned int nr_counters;

static void collect(void *ctx, const struct vmctl_device_counter *c)
{
	(void)ctx;
	if (strncmp(c->device, "virtio-balloon", 14) || c->queue[0] ||
	    nr_counters == 64)
		return;
	snprintf(counters[nr_counters].name, 32, "%s", c->name);
	counters[nr_counters++].value = c->value;
}

static uint64_t counter_of(struct vmctl_vm *v, const char *name)
{
	unsigned int i;

	nr_counters = 0;
	vmctl_vm_device_counters(v, collect, NULL);
	for (i = 0; i < nr_counters; i++)
		if (!strcmp(counters[i].name, name))
			return counters[i].value;
	return UINT64_MAX;
}

static uint64_t counter(const char *name)
{
	return counter_of(vm, name);
}

/* A balloon of @b on the VM, every feature taken, its queues ready. */
static void balloon_up(const struct vmctl_balloon *b)
{
	unsigned int q;

	assert_int_equal(vmctl_balloon_create(vm, b), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	guest_negotiate(1, 0);
	for (q = 0; q < 4; q++)
		guest_queue(q, QSIZE, QUEUES(q), QUEUES(q) + 0x1000,
			    QUEUES(q) + 0x2000);
	guest_wr(20, 1, 0x0f);
}

/* Kernel's "Anonymous:" of the mapping that holds @p, in KiB, or -1. */
static long anon_kib(const void *p)
{
	unsigned long lo, hi, at = (unsigned long)p;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	bool in = false;
	long kib = -1;

	assert_non_null(f);
	while (kib < 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo <= at && at < hi;
		else if (in)
			sscanf(line, "Anonymous: %ld kB", &kib);
	}
	fclose(f);
	return kib;
}

/*
 * RAM restored from a snapshot is the file mapped copy-on-write.  Pages
 * given back (inflated or reported) lose the guest's copies: the host
 * frees that memory, and the pages read the file's bytes again, which
 * the guest accepts (it gave their contents up); the file is not
 * touched, since other VMs may be restored from it.
 */
static void test_private_file_ram(void **state)
{
	char path[] = "/tmp/vmctl-test-balloon-XXXXXX";
	struct vmctl_balloon b = { .size = 8 * MIB };
	uint8_t file[VICTIMS * PAGE];
	uint32_t pfns[VICTIMS / 2];
	unsigned int i;
	int fd;

	(void)state;
	assert_int_equal(tmp_file_make(path), 0);
	fd = open(path, O_RDWR);
	unlink(path);
	assert_true(fd >= 0);
	memset(file, 0x33, sizeof(file));
	assert_int_equal(pwrite(fd, file, sizeof(file), 0), sizeof(file));
	assert_ptr_equal(mmap(ram + VICTIM, sizeof(file),
			      PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
			      fd, 0), ram + VICTIM);
	memset(ram + VICTIM, 0x5a, sizeof(file));	/* the guest's copies */
	assert_int_equal(anon_kib(ram + VICTIM), sizeof(file) / 1024);

	balloon_up(&b);
	for (i = 0; i < VICTIMS / 2; i++)
		pfns[i] = VICTIM / PAGE + i;
	memcpy(ram + BUF, pfns, sizeof(pfns));
	post(0, BUF, sizeof(pfns), false);
	post(3, VICTIM + VICTIMS / 2 * PAGE, VICTIMS / 2 * PAGE, true);
	assert_int_equal(counter("discard_errors"), 0);
	assert_int_equal(anon_kib(ram + VICTIM), 0);
	for (i = 0; i < VICTIMS; i++)
		assert_int_equal(ram[VICTIM + i * PAGE + 9], 0x33);
	memset(file, 0, sizeof(file));
	assert_int_equal(pread(fd, file, sizeof(file), 0), sizeof(file));
	for (i = 0; i < sizeof(file); i += PAGE)
		assert_int_equal(file[i + 9], 0x33);
	vmctl_devices_stop(&vm->devices);
	close(fd);
}

static void test_device(void **state)
{
	struct vmctl_balloon b = { .size = 8 * MIB };
	struct vmctl_balloon_info info;
	uint32_t pfns[VICTIMS + 3], v32;
	uint64_t features;
	unsigned int i, q;

	(void)state;
	assert_int_equal(vmctl_balloon_create(vm, &b), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	assert_int_equal(guest_cfg_read(1, 0) >> 16, 0x1045);
	features = guest_negotiate(1, 1ULL << VIRTIO_F_RING_EVENT_IDX);
	assert_true(features >> VIRTIO_BALLOON_F_STATS_VQ & 1);
	assert_true(features >> VIRTIO_BALLOON_F_DEFLATE_ON_OOM & 1);
	assert_true(features >> VIRTIO_BALLOON_F_REPORTING & 1);
	assert_int_equal(guest_rd(18, 2), 4);		/* num_queues */
	for (q = 0; q < 4; q++)
		guest_queue(q, QSIZE, QUEUES(q), QUEUES(q) + 0x1000,
			    QUEUES(q) + 0x2000);
	guest_wr(20, 1, 0x0f);

	/* The size asked at creation, then a new one with an interrupt. */
	assert_int_equal(guest_rd(VIRTIO_BAR_DEVICE, 4), 8 * MIB / PAGE);
	guest_rd(VIRTIO_BAR_ISR, 1);
	assert_int_equal(vmctl_vm_balloon_set(vm, 16 * MIB), 0);
	assert_int_equal(guest_rd(VIRTIO_BAR_DEVICE, 4), 16 * MIB / PAGE);
	assert_int_equal(guest_rd(VIRTIO_BAR_ISR, 1) & 2, 2);
	assert_int_equal(guest_rd(21, 1), 1);		/* generation */
	/* num_pages is the host's: the driver's write there is ignored. */
	guest_wr(VIRTIO_BAR_DEVICE, 4, 1);
	assert_int_equal(guest_rd(VIRTIO_BAR_DEVICE, 4), 16 * MIB / PAGE);

	/* Inflate: the pages' memory goes back to the host. */
	memset(ram + VICTIM, 0x5a, (VICTIMS + 1) * PAGE);
	for (i = 0; i < VICTIMS; i++)
		pfns[i] = VICTIM / PAGE + i;
	pfns[VICTIMS] = 0xc0000;		/* the PCI hole */
	pfns[VICTIMS + 1] = RAM_MIB * MIB / PAGE;	/* just past RAM */
	pfns[VICTIMS + 2] = 0xffffffff;
	memcpy(ram + BUF, pfns, sizeof(pfns));
	assert_true(resident(VICTIM));
	post(0, BUF, sizeof(pfns), false);
	for (i = 0; i < VICTIMS; i++) {
		assert_false(resident(VICTIM + i * PAGE));
		assert_int_equal(ram[VICTIM + i * PAGE + 7], 0);
	}
	assert_int_equal(ram[VICTIM + VICTIMS * PAGE], 0x5a);	/* next one */
	assert_int_equal(counter("inflated_pages"), VICTIMS);
	assert_int_equal(counter("ignored_pfns"), 3);
	assert_int_equal(counter("discard_errors"), 0);

	/* The driver says what it holds. */
	v32 = VICTIMS;
	guest_wr(VIRTIO_BAR_DEVICE + 4, 4, v32);
	assert_int_equal(vmctl_vm_balloon_info(vm, &info), 0);
	assert_int_equal(info.target, 16 * MIB);
	assert_int_equal(info.actual, VICTIMS * PAGE);
	assert_int_equal(counter("actual_pages"), VICTIMS);

	/* Deflate: counted; the guest's next touch brings pages back. */
	post(1, BUF, 4 * 4, false);
	assert_int_equal(counter("deflated_pages"), 4);
	ram[VICTIM] = 1;
	assert_true(resident(VICTIM));

	/* Free page reporting: whole pages of writable buffers. */
	memset(ram + VICTIM + 8 * PAGE, 0x77, 4 * PAGE);
	post(3, VICTIM + 8 * PAGE, 4 * PAGE, true);
	assert_false(resident(VICTIM + 8 * PAGE));
	assert_false(resident(VICTIM + 11 * PAGE));
	assert_int_equal(counter("reported_bytes"), 4 * PAGE);

	/*
	 * Statistics: the buffer is held (not used) until the counters are
	 * read, then given back for fresh figures.
	 */
	put_stat(ram + BUF, VIRTIO_BALLOON_S_MEMFREE, 40 * MIB);
	put_stat(ram + BUF + 10, VIRTIO_BALLOON_S_MEMTOT, 60 * MIB);
	guest_desc(QUEUES(2), 0, BUF, 20, 0, 0);
	memset(ram + QUEUES(2) + 0x1004, 0, 2);
	__atomic_store_n((uint16_t *)(ram + QUEUES(2) + 0x1002), 1,
			 __ATOMIC_RELEASE);
	guest_wr(VIRTIO_BAR_NOTIFY + 8, 2, 2);
	for (i = 0; i < 5000 && counter("guest_free_bytes") != 40 * MIB; i++)
		usleep(1000);
	assert_int_equal(counter("guest_free_bytes"), 40 * MIB);
	for (i = 0; i < 5000 && used_idx(2) != 1; i++)
		usleep(1000);
	assert_int_equal(used_idx(2), 1);
	assert_int_equal(vmctl_vm_balloon_info(vm, &info), 0);
	assert_int_equal(info.guest_total, 60 * MIB);

	/* A driver reset: actual back to 0, the size asked stays. */
	guest_wr(20, 1, 0);
	assert_int_equal(vmctl_vm_balloon_info(vm, &info), 0);
	assert_int_equal(info.actual, 0);
	assert_int_equal(info.target, 16 * MIB);
	vmctl_devices_stop(&vm->devices);
}

/* A hostile inflate: a buffer straddling the end of RAM breaks the queue. */
static void test_broken_chain(void **state)
{
	struct vmctl_balloon b = { .no_stats = 1 };
	unsigned int i;

	(void)state;
	assert_int_equal(vmctl_balloon_create(vm, &b), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	guest_negotiate(1, 1ULL << VIRTIO_F_RING_EVENT_IDX);
	assert_int_equal(guest_rd(18, 2), 3);
	guest_queue(0, QSIZE, QUEUES(0), QUEUES(0) + 0x1000,
		    QUEUES(0) + 0x2000);
	guest_wr(20, 1, 0x0f);
	guest_desc(QUEUES(0), 0, RAM_MIB * MIB - 8, 16, 0, 0);
	__atomic_store_n((uint16_t *)(ram + QUEUES(0) + 0x1002), 1,
			 __ATOMIC_RELEASE);
	guest_wr(VIRTIO_BAR_NOTIFY, 2, 0);
	for (i = 0; i < 5000 && !(guest_rd(20, 1) & 0x40); i++)
		usleep(1000);
	assert_int_equal(guest_rd(20, 1) & VIRTIO_STATUS_NEEDS_RESET,
			 VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(counter("inflated_pages"), 0);
	vmctl_devices_stop(&vm->devices);
}

static struct vmctl_device *balloon_of(struct vmctl_vm *v)
{
	struct vmctl_device *dev;

	for (dev = v->devices.first; dev; dev = dev->next)
		if (!strcmp(dev->ops->name, "virtio-balloon"))
			return dev;
	return NULL;
}

/*
 * The balloon's own part of its saved state, after the transport's
 * (virtio_balloon_state.c's struct balloon_snap): these offsets.
 */
#define SNAP_LEN		136
#define SNAP_VERSION_AT		0
#define SNAP_OFFERED_AT		8
#define SNAP_NUM_PAGES_AT	16
#define SNAP_STATS_HEAD_AT	68

/* dev restored from state with byte at (from the end) set: the error. */
static int restore_patched(struct vmctl_device *dev,
			   const struct vmctl_state_writer *w, size_t at,
			   const void *v, size_t len)
{
	uint8_t *copy = malloc(w->len);
	struct vmctl_state_reader r = { copy, w->len };
	int ret;

	assert_non_null(copy);
	memcpy(copy, w->buf, w->len);
	memcpy(copy + w->len - SNAP_LEN + at, v, len);
	ret = dev->ops->restore(dev, &r);
	free(copy);
	return ret;
}

/*
 * A balloon inflated, its size changed, the driver's actual written, the
 * statistics buffer held: saved (the worker stopped, as a pause does),
 * then restored into a balloon made with the same options on a second VM
 * given the first one's RAM, as a snapshot's restore does.  The sizes,
 * counters and statistics come back, and the held statistics buffer is
 * given back to the driver when fresh figures are asked for.  A state
 * cut short, of another version, with other features offered, a size
 * above RAM or a statistics buffer outside the queue is refused.
 */
static void test_snapshot_state(void **state)
{
	struct vmctl_balloon b = { .size = 8 * MIB };
	struct vmctl_state_writer w = { 0 };
	struct vmctl_state_reader r;
	struct vmctl_balloon_info info;
	struct vmctl_device *dev, *dev2;
	struct vmctl_vm *vm2;
	uint32_t pfns[VICTIMS], u32;
	uint8_t *ram2;
	uint16_t u16;
	uint64_t u64;
	unsigned int i;

	(void)state;
	balloon_up(&b);
	assert_int_equal(vmctl_vm_balloon_set(vm, 16 * MIB), 0);
	for (i = 0; i < VICTIMS; i++)
		pfns[i] = VICTIM / PAGE + i;
	memcpy(ram + BUF, pfns, sizeof(pfns));
	post(0, BUF, sizeof(pfns), false);
	guest_wr(VIRTIO_BAR_DEVICE + 4, 4, VICTIMS);
	put_stat(ram + BUF + 0x1000, VIRTIO_BALLOON_S_MEMFREE, 40 * MIB);
	guest_desc(QUEUES(2), 0, BUF + 0x1000, 10, 0, 0);
	memset(ram + QUEUES(2) + 0x1004, 0, 2);
	__atomic_store_n((uint16_t *)(ram + QUEUES(2) + 0x1002), 1,
			 __ATOMIC_RELEASE);
	guest_wr(VIRTIO_BAR_NOTIFY + 8, 2, 2);
	/*
	 * Taken once the device asks for the next one (avail_event): read
	 * no counter, which would ask for fresh figures and give it back.
	 */
	for (i = 0; i < 5000 && avail_event(2) != 1; i++)
		usleep(1000);
	assert_int_equal(avail_event(2), 1);
	vmctl_devices_stop(&vm->devices);
	assert_int_equal(used_idx(2), 0);		/* held */

	dev = balloon_of(vm);
	assert_non_null(dev->ops->save);
	assert_int_equal(dev->ops->save(dev, &w), 0);
	assert_true(w.len > SNAP_LEN);

	assert_int_equal(vmctl_vm_create(sys, "balloon2", &vm2), 0);
	assert_int_equal(vmctl_vm_add_memory(vm2, 0, RAM_MIB * MIB, 0), 0);
	ram2 = vmctl_vm_gpa_to_hva(vm2, 0, RAM_MIB * MIB);
	memcpy(ram2, ram, RAM_MIB * MIB);
	assert_int_equal(vmctl_balloon_create(vm2, &b), 0);
	dev2 = balloon_of(vm2);

	/* Cut short anywhere: the transport's part or the balloon's. */
	r = (struct vmctl_state_reader){ w.buf, w.len - 1 };
	assert_int_equal(dev2->ops->restore(dev2, &r), -EPROTO);
	r = (struct vmctl_state_reader){ w.buf, w.len - SNAP_LEN - 1 };
	assert_int_equal(dev2->ops->restore(dev2, &r), -EPROTO);
	u32 = 2;
	assert_int_equal(restore_patched(dev2, &w, SNAP_VERSION_AT, &u32, 4),
			 -EPROTO);
	assert_non_null(strstr(vmctl_error_detail(), "version 2"));
	u64 = 1ULL << VIRTIO_BALLOON_F_STATS_VQ;
	assert_int_equal(restore_patched(dev2, &w, SNAP_OFFERED_AT, &u64, 8),
			 -EINVAL);
	u32 = RAM_MIB * MIB / PAGE + 1;
	assert_int_equal(restore_patched(dev2, &w, SNAP_NUM_PAGES_AT, &u32,
					 4), -EPROTO);
	u16 = QSIZE;
	assert_int_equal(restore_patched(dev2, &w, SNAP_STATS_HEAD_AT, &u16,
					 2), -EPROTO);

	r = (struct vmctl_state_reader){ w.buf, w.len };
	assert_int_equal(dev2->ops->restore(dev2, &r), 0);
	assert_int_equal(r.left, 0);
	assert_int_equal(vmctl_vm_balloon_info(vm2, &info), 0);
	assert_int_equal(info.target, 16 * MIB);
	assert_int_equal(info.actual, VICTIMS * PAGE);
	assert_int_equal(info.guest_free, 40 * MIB);
	assert_int_equal(counter_of(vm2, "inflated_pages"), VICTIMS);
	/* The held buffer goes back when fresh figures are wanted. */
	assert_int_equal(vmctl_devices_start(&vm2->devices), 0);
	assert_int_equal(vmctl_vm_balloon_info(vm2, &info), 0);
	for (i = 0; i < 5000 && used_idx_in(ram2, 2) != 1; i++)
		usleep(1000);
	assert_int_equal(used_idx_in(ram2, 2), 1);
	assert_int_equal(used_idx(2), 0);		/* not the first VM's */
	vmctl_devices_stop(&vm2->devices);
	vmctl_vm_destroy(vm2);
	free(w.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_roles),
		cmocka_unit_test_setup_teardown(test_pfn_runs, pure_setup,
						pure_teardown),
		cmocka_unit_test_setup_teardown(test_pfn_hostile, pure_setup,
						pure_teardown),
		cmocka_unit_test_setup_teardown(test_pfn_split_buffers,
						pure_setup, pure_teardown),
		cmocka_unit_test_setup_teardown(test_pfn_cap, pure_setup,
						pure_teardown),
		cmocka_unit_test(test_whole_pages),
		cmocka_unit_test(test_stats),
		cmocka_unit_test_setup_teardown(test_refusals, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(test_private_file_ram, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(test_device, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(test_broken_chain, vm_setup,
						vm_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_state, vm_setup,
						vm_teardown),
	};

	return cmocka_run_group_tests(tests, fake_device_setup,
				      fake_device_teardown);
}
