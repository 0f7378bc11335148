// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-blk and virtio-rng on a VM (the fake module stands in for the
 * kernel): refusals of bad images with nothing left behind, the image
 * locks, and requests driven through the VM's I/O tables the way a guest
 * driver would (PCI configuration at 0xcf8, BAR 0 in the hole, rings in
 * guest RAM), served by the device's worker thread into a real file.
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
#include <sys/file.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_module.h"
#include "guest_virtio.h"
#include "internal.h"
#include "virtio_blk.h"
#include "virtio_pci.h"

#define MIB		(1ULL << 20)
#define DESC		0x100000ULL
#define AVAIL		0x101000ULL
#define USED		0x102000ULL
#define HDR		0x110000ULL
#define DATA		0x120000ULL
#define STATUS		0x130000ULL
#define QSIZE		8

static char img_path[64];
static struct vmctl *sys;
static struct vmctl_vm *vm;
static uint8_t *ram;
static uint16_t next_avail;
static uint64_t data_gpa = DATA;	/* where request() puts its data */

static void make_image(size_t size)
{
	int fd;

	snprintf(img_path, sizeof(img_path), "/tmp/vmctl-test-disk.XXXXXX");
	fd = mkstemp(img_path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	make_image(MIB);
	assert_int_equal(vmctl_open(&sys), 0);
	assert_int_equal(vmctl_vm_create(sys, "disk", &vm), 0);
	assert_int_equal(vmctl_vm_add_memory(vm, 0, 64 * MIB, 0), 0);
	ram = vmctl_vm_gpa_to_hva(vm, 0, 64 * MIB);
	guest = (struct guest_virtio){ vm, ram, 0 };
	next_avail = 0;
	data_gpa = DATA;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
	unlink(img_path);
	return 0;
}

static void test_refusals(void **state)
{
	struct vmctl_disk d = { .path = "/nonexistent/disk.img" };
	int fd;

	(void)state;
	assert_int_equal(vmctl_disk_create(vm, &d), -ENOENT);
	assert_string_equal(vmctl_error_detail(), "opening the disk image");
	assert_int_equal(guest_nr_devices(), 0);

	d.path = img_path;
	assert_int_equal(truncate(img_path, 1000), 0);
	assert_int_equal(vmctl_disk_create(vm, &d), -VMCTL_E_DISK_SIZE);
	assert_int_equal(truncate(img_path, 0), 0);
	assert_int_equal(vmctl_disk_create(vm, &d), -VMCTL_E_DISK_SIZE);
	assert_int_equal(truncate(img_path, MIB), 0);
	d.serial = "123456789012345678901";		/* 21 bytes */
	assert_int_equal(vmctl_disk_create(vm, &d), -EINVAL);
	d.serial = NULL;
	d.path = "/tmp";
	assert_int_equal(vmctl_disk_create(vm, &d), -EISDIR);
	assert_int_equal(guest_nr_devices(), 0);

	/* Another process holds the image: refused, writable or not. */
	fd = open(img_path, O_RDONLY);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	d.path = img_path;
	assert_int_equal(vmctl_disk_create(vm, &d), -VMCTL_E_DISK_LOCKED);
	d.read_only = 1;
	assert_int_equal(vmctl_disk_create(vm, &d), -VMCTL_E_DISK_LOCKED);
	close(fd);
	assert_int_equal(guest_nr_devices(), 0);
	assert_string_not_equal(vmctl_strerror(-VMCTL_E_DISK_LOCKED), "");
}

static void test_locks(void **state)
{
	struct vmctl_disk rw = { .path = img_path };
	struct vmctl_disk ro = { .path = img_path, .read_only = 1 };

	(void)state;
	assert_int_equal(vmctl_disk_create(vm, &rw), 0);
	/* The PCI bus came with the first device. */
	assert_int_equal(guest_nr_devices(), 2);
	/* The same writable image again (in another VM, or this one). */
	assert_int_equal(vmctl_disk_create(vm, &rw), -VMCTL_E_DISK_LOCKED);
	assert_int_equal(vmctl_disk_create(vm, &ro), -VMCTL_E_DISK_LOCKED);
	assert_int_equal(guest_nr_devices(), 2);
}

/*
 * Live migration on shared storage: the destination's disk (incoming)
 * opens the image the source holds, and takes the lock when the state
 * arrives, only once the source has handed it over.
 */
static void test_lock_handover(void **state)
{
	struct vmctl_disk src = { .path = img_path };
	struct vmctl_disk dst = { .path = img_path, .incoming = 1 };
	struct vmctl_state_writer w = { 0 };
	struct vmctl_state_reader r;
	struct vmctl_device *a, *b;

	(void)state;
	assert_int_equal(vmctl_disk_create(vm, &src), 0);
	assert_int_equal(vmctl_disk_create(vm, &dst), 0);
	b = vm->devices.last;
	a = b->prev;
	assert_int_equal(a->ops->save(a, &w), 0);
	r = (struct vmctl_state_reader){ w.buf, w.len };
	assert_int_equal(b->ops->restore(b, &r), -VMCTL_E_DISK_LOCKED);
	assert_int_equal(a->ops->hand_over(a, true), 0);
	r = (struct vmctl_state_reader){ w.buf, w.len };
	assert_int_equal(b->ops->restore(b, &r), 0);
	/* Locked now: nobody else takes the image. */
	assert_int_equal(vmctl_disk_create(vm, &src), -VMCTL_E_DISK_LOCKED);
	free(w.buf);
}

static void test_read_only_shared(void **state)
{
	struct vmctl_disk ro = { .path = img_path, .read_only = 1 };
	struct vmctl_disk rw = { .path = img_path };
	char link[64], target[128], line[64];
	bool found = false;
	unsigned int fd;
	FILE *f;

	(void)state;
	assert_int_equal(vmctl_disk_create(vm, &ro), 0);
	assert_int_equal(vmctl_disk_create(vm, &ro), 0);	/* readers share */
	assert_int_equal(vmctl_disk_create(vm, &rw), -VMCTL_E_DISK_LOCKED);
	/* The image is open read-only. */
	for (fd = 3; fd < 1024; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%u", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = 0;
		if (strcmp(target, img_path))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fdinfo/%u", fd);
		f = fopen(link, "r");
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "flags:", 6)) {
				assert_int_equal(strtoul(line + 6, NULL, 8) & O_ACCMODE,
						 O_RDONLY);
				found = true;
			}
		fclose(f);
	}
	assert_true(found);
}

/* ---- a guest driver's side (guest_virtio.h) ---- */

/* Probe slot's virtio device up to DRIVER_OK with queue 0 at DESC. */
static uint64_t bring_up(unsigned int slot)
{
	uint64_t features;

	features = guest_negotiate(slot, 1ULL << VIRTIO_F_RING_EVENT_IDX);
	guest_queue(0, QSIZE, DESC, AVAIL, USED);
	guest_wr(20, 1, 0x0f);
	memset(ram + AVAIL, 0, 0x2000);
	next_avail = 0;
	return features;
}

static void desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	guest_desc(DESC, i, addr, len, flags, next);
}

/* A request made available: header, data (len bytes), status. */
static void make_request(uint32_t type, uint64_t sector, uint32_t len,
			 bool data_in)
{
	memcpy(ram + HDR, &type, 4);
	memset(ram + HDR + 4, 0, 4);
	memcpy(ram + HDR + 8, &sector, 8);
	ram[STATUS] = 0xee;
	desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	if (len) {
		desc(1, data_gpa, len, VIRTQ_DESC_F_NEXT |
		     (data_in ? VIRTQ_DESC_F_WRITE : 0), 2);
		desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	} else {
		desc(1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	memcpy(ram + AVAIL + 4 + 2 * (next_avail % QSIZE), &(uint16_t){ 0 }, 2);
	next_avail++;
	__atomic_store_n((uint16_t *)(ram + AVAIL + 2), next_avail,
			 __ATOMIC_RELEASE);
}

/* Every request made available served: the status byte of the last. */
static uint8_t wait_used(void)
{
	uint16_t used;
	unsigned int i;

	for (i = 0; i < 5000; i++) {
		used = __atomic_load_n((uint16_t *)(ram + USED + 2),
				       __ATOMIC_ACQUIRE);
		if (used == next_avail)
			break;
		usleep(1000);
	}
	assert_int_equal(used, next_avail);
	/* The INTx line went up; reading the ISR acknowledges it. */
	assert_int_equal(guest_wait_isr(1) & 1, 1);
	return ram[STATUS];
}

/* One request: made available, notified, waited for. */
static uint8_t request(uint32_t type, uint64_t sector, uint32_t len,
		       bool data_in)
{
	make_request(type, sector, len, data_in);
	guest_wr(VIRTIO_BAR_NOTIFY, 2, 0);
	return wait_used();
}

/* vmctl_vm_device_counters' report, kept for counter(). */
static struct {
	char device[32], queue[8], name[32];
	uint64_t value;
} counters[64];
static unsigned int nr_counters;

static void collect(void *ctx, const struct vmctl_device_counter *c)
{
	(void)ctx;
	assert_true(nr_counters < 64);
	snprintf(counters[nr_counters].device, 32, "%s", c->device);
	snprintf(counters[nr_counters].queue, 8, "%s", c->queue);
	snprintf(counters[nr_counters].name, 32, "%s", c->name);
	counters[nr_counters++].value = c->value;
}

static uint64_t counter(const char *device, const char *queue,
			const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_counters; i++)
		if (!strcmp(counters[i].device, device) &&
		    !strcmp(counters[i].queue, queue) &&
		    !strcmp(counters[i].name, name))
			return counters[i].value;
	fail_msg("no counter %s/%s/%s", device, queue, name);
	return 0;
}

static void file_read(uint64_t off, void *buf, size_t len)
{
	int fd = open(img_path, O_RDONLY);

	assert_int_equal(pread(fd, buf, len, off), len);
	close(fd);
}

static void test_requests(void **state)
{
	struct vmctl_disk d = { .path = img_path, .serial = "vmctl-serial" };
	uint8_t buf[4096], capacity[8];
	uint64_t features, cap;
	unsigned int i;

	(void)state;
	assert_int_equal(vmctl_disk_create(vm, &d), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	features = bring_up(1);
	assert_true(features & 1ULL << VIRTIO_BLK_F_FLUSH);
	assert_false(features & 1ULL << VIRTIO_BLK_F_RO);
	for (i = 0; i < 8; i++)
		capacity[i] = guest_rd(VIRTIO_BAR_DEVICE + i, 1);
	memcpy(&cap, capacity, 8);
	assert_int_equal(cap, MIB / 512);

	/* A write lands in the file, a read brings it back. */
	for (i = 0; i < sizeof(buf); i++)
		ram[DATA + i] = i * 7;
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 8, 4096, false), 0);
	file_read(8 * 512, buf, sizeof(buf));
	assert_memory_equal(buf, ram + DATA, sizeof(buf));
	memset(ram + DATA, 0, 4096);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 8, 4096, true), 0);
	assert_memory_equal(buf, ram + DATA, sizeof(buf));
	assert_int_equal(request(VIRTIO_BLK_T_FLUSH, 0, 0, false), 0);
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, 20, true), 0);
	assert_memory_equal(ram + DATA, "vmctl-serial\0", 13);
	/* Past the end: an error, and nothing written. */
	assert_int_equal(request(VIRTIO_BLK_T_OUT, MIB / 512 - 4, 4096, false),
			 VIRTIO_BLK_S_IOERR);
	/* Write zeroes over the data. */
	memcpy(ram + DATA, &(uint64_t){ 8 }, 8);
	memcpy(ram + DATA + 8, &(uint32_t){ 8 }, 4);
	memset(ram + DATA + 12, 0, 4);
	assert_int_equal(request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), 0);
	file_read(8 * 512, buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(request(12345, 0, 0, false), VIRTIO_BLK_S_UNSUPP);
	/* The counters vmctl stats shows: 7 requests, 8 KiB moved. */
	vmctl_vm_device_counters(vm, collect, NULL);
	assert_int_equal(counter("virtio-blk 00:01.0", "0", "requests"), 7);
	assert_int_equal(counter("virtio-blk 00:01.0", "0", "bytes"), 8192);
	assert_int_equal(counter("virtio-blk 00:01.0", "0", "notifications"), 7);
	assert_int_equal(counter("virtio-blk 00:01.0", "0", "interrupts"), 7);
	assert_int_equal(counter("virtio-blk 00:01.0", "", "broken"), 0);
	/* The queue's doorbell is in the module while the worker runs. */
	assert_int_equal(fake_doorbells, 1);
	vmctl_devices_stop(&vm->devices);
	assert_int_equal(fake_doorbells, 0);
}

static bool page_bit(const uint64_t *bits, uint64_t gpa)
{
	return bits[gpa / 4096 / 64] >> (gpa / 4096 % 64) & 1;
}

static unsigned int nr_bits(const uint64_t *bits, size_t words)
{
	unsigned int n = 0;

	while (words--)
		n += __builtin_popcountll(bits[words]);
	return n;
}

/*
 * The device's thread writes guest RAM behind the module's dirty log: a
 * read's data, its status byte and the used ring must be in the VM's
 * userspace log that a migration takes with the module's; the header
 * and descriptors it only read must not.  Taken once, they are gone.
 */
static void test_writes_logged(void **state)
{
	struct vmctl_disk d = { .path = img_path };
	static uint64_t bits[64 * MIB / 4096 / 64];

	(void)state;
	assert_int_equal(vmctl_disk_create(vm, &d), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	bring_up(1);
	assert_int_equal(vmctl_vm_user_dirty_start(vm), 0);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 8, 8192, true), 0);
	vmctl_vm_user_dirty_take(vm, 0, bits);
	assert_true(page_bit(bits, DATA));
	assert_true(page_bit(bits, DATA + 4096));
	assert_true(page_bit(bits, STATUS));
	assert_true(page_bit(bits, USED));
	assert_int_equal(nr_bits(bits, ARRAY_SIZE(bits)), 4);
	memset(bits, 0, sizeof(bits));
	vmctl_vm_user_dirty_take(vm, 0, bits);
	assert_int_equal(nr_bits(bits, ARRAY_SIZE(bits)), 0);
	/* Off (the migration over): nothing is kept. */
	vmctl_vm_user_dirty_stop(vm);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 8, 4096, true), 0);
	vmctl_vm_user_dirty_take(vm, 0, bits);
	assert_int_equal(nr_bits(bits, ARRAY_SIZE(bits)), 0);
	vmctl_devices_stop(&vm->devices);
}

/*
 * A request made available whose doorbell no worker read (rung as the
 * worker stopped for a pause, its eventfd closed; or before a snapshot
 * or a migration, which carry no doorbells): the next start serves it.
 */
static void test_start_looks(void **state)
{
	struct vmctl_disk d = { .path = img_path };

	(void)state;
	assert_int_equal(vmctl_disk_create(vm, &d), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	bring_up(1);
	/* Every kick served and the worker idle: none left for the start. */
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, 20, true), 0);
	usleep(200000);
	vmctl_devices_stop(&vm->devices);
	make_request(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	assert_int_equal(wait_used(), VIRTIO_BLK_S_OK);
	vmctl_devices_stop(&vm->devices);
}

/* O_DIRECT: aligned guest buffers go straight, others through a bounce. */
static void test_direct(void **state)
{
	struct vmctl_disk d = { .path = img_path, .direct = 1 };
	uint8_t buf[8192];
	unsigned int i;

	(void)state;
	assert_int_equal(vmctl_disk_create(vm, &d), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	bring_up(1);
	for (i = 0; i < sizeof(buf); i++)
		ram[DATA + 8 + i] = ram[DATA + 0x8000 + i] = i * 13 + 1;
	data_gpa = DATA + 8;			/* not 512-byte aligned */
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 16, 8192, false), 0);
	data_gpa = DATA + 0x8000;		/* page aligned */
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 64, 8192, false), 0);
	file_read(16 * 512, buf, sizeof(buf));
	assert_memory_equal(buf, ram + DATA + 0x8000, sizeof(buf));
	file_read(64 * 512, buf, sizeof(buf));
	assert_memory_equal(buf, ram + DATA + 0x8000, sizeof(buf));
	memset(ram + DATA, 0, 0x10000);
	data_gpa = DATA + 8;
	assert_int_equal(request(VIRTIO_BLK_T_IN, 64, 8192, true), 0);
	assert_memory_equal(buf, ram + DATA + 8, sizeof(buf));
	vmctl_devices_stop(&vm->devices);
}

static void test_read_only_requests(void **state)
{
	struct vmctl_disk d = { .path = img_path, .read_only = 1 };
	uint8_t buf[4096];
	int fd;

	(void)state;
	fd = open(img_path, O_WRONLY);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(pwrite(fd, buf, sizeof(buf), 0), sizeof(buf));
	close(fd);
	assert_int_equal(vmctl_disk_create(vm, &d), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	assert_true(bring_up(1) & 1ULL << VIRTIO_BLK_F_RO);
	memset(ram + DATA, 0x11, 4096);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 0, 4096, false),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 0, 4096, true), 0);
	assert_memory_equal(ram + DATA, buf, 4096);
	file_read(0, buf, sizeof(buf));
	assert_int_equal(buf[0], 0x5a);
	vmctl_devices_stop(&vm->devices);
}

static void test_rng(void **state)
{
	unsigned int i, nonzero = 0;
	uint16_t used;

	(void)state;
	assert_int_equal(vmctl_rng_create(vm), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	assert_int_equal(guest_cfg_read(1, 0) >> 16, 0x1044);
	bring_up(1);
	memset(ram + DATA, 0, 64);
	desc(0, DATA, 64, VIRTQ_DESC_F_WRITE, 0);
	__atomic_store_n((uint16_t *)(ram + AVAIL + 2), 1, __ATOMIC_RELEASE);
	guest_wr(VIRTIO_BAR_NOTIFY, 2, 0);
	for (i = 0; i < 5000; i++) {
		used = __atomic_load_n((uint16_t *)(ram + USED + 2),
				       __ATOMIC_ACQUIRE);
		if (used == 1)
			break;
		usleep(1000);
	}
	assert_int_equal(used, 1);
	assert_int_equal(*(uint32_t *)(ram + USED + 8), 64);
	for (i = 0; i < 64; i++)
		nonzero += ram[DATA + i] != 0;
	assert_true(nonzero > 32);
	vmctl_devices_stop(&vm->devices);
}

/*
 * A hostile guest: random ring contents and random register writes,
 * notification after notification, against a disk on a file.  The host
 * survives (and, under ASan, touches nothing outside the guest's RAM),
 * the device either keeps answering or says it needs a reset, and the
 * image only ever holds what valid writes put there: every sector
 * written is a copy of one of the guest's data sectors.
 */
static unsigned int log_lines;

static void count_log(void *opaque, const char *msg)
{
	(void)opaque;
	(void)msg;
	log_lines++;
}

static void test_hostile_guest(void **state)
{
	struct vmctl_disk d = { .path = img_path };
	unsigned int round, i, broken = 0;
	uint8_t sector[512];
	int fd;

	(void)state;
	vmctl_set_log(count_log, NULL);
	/* Every data buffer the guest could point at holds 0xd1 bytes. */
	memset(ram + DATA, 0xd1, 1 << 20);
	assert_int_equal(vmctl_disk_create(vm, &d), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	srandom(4242);
	for (round = 0; round < 300; round++) {
		bring_up(1);
		for (i = 0; i < 16 * QSIZE / 4; i++)
			((uint32_t *)(ram + DESC))[i] = random();
		for (i = 0; i < QSIZE; i++) {
			uint64_t addr = random() % 3 ? DATA + random() % (1 << 20) :
				(random() % 2 ? HDR : (uint64_t)random() << 20);
			uint32_t len = random() % 3 ? 512 * (random() % 8) :
				random();

			if (random() % 4 == 0)
				addr = HDR;		/* a plausible header */
			desc(i, addr, len, random() % 8, random() % (QSIZE + 2));
		}
		/* A header of any type, any sector. */
		for (i = 0; i < 16; i++)
			ram[HDR + i] = random();
		for (i = 0; i < QSIZE; i++)
			memcpy(ram + AVAIL + 4 + 2 * i, &(uint16_t){ random() % QSIZE }, 2);
		__atomic_store_n((uint16_t *)(ram + AVAIL + 2),
				 random() % 4 ? random() % (QSIZE + 1) : random(),
				 __ATOMIC_RELEASE);
		/* And random writes to the common configuration. */
		for (i = 0; i < 4; i++)
			guest_wr(random() % 0x40 & ~1U, 2, random());
		guest_wr(VIRTIO_BAR_NOTIFY, 2, 0);
		usleep(500);
		broken += !!(guest_rd(20, 1) & VIRTIO_STATUS_NEEDS_RESET);
		guest_wr(20, 1, 0);		/* reset: waits for the worker */
	}
	vmctl_devices_stop(&vm->devices);
	vmctl_set_log(NULL, NULL);
	assert_true(broken > 3);
	/* Three lines, however often the guest breaks the device. */
	assert_int_equal(log_lines, 3);
	/* The image: zeros, or sectors of 0xd1 that a valid write copied. */
	fd = open(img_path, O_RDONLY);
	for (i = 0; i < MIB / 512; i++) {
		unsigned int j;

		assert_int_equal(pread(fd, sector, 512, 512ULL * i), 512);
		for (j = 1; j < 512; j++)
			assert_int_equal(sector[j], sector[0]);
		assert_true(sector[0] == 0 || sector[0] == 0xd1);
	}
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_handover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writes_logged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_looks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rng, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_guest, setup, teardown),
	};

	return cmocka_run_group_tests(tests, fake_device_setup,
				      fake_device_teardown);
}
