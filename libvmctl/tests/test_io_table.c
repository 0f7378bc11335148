// SPDX-License-Identifier: LGPL-2.1-or-later
/* The I/O dispatch table and the serving of I/O and MMIO exits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

struct fake_dev {
	uint64_t last_offset;
	unsigned int last_size;
	uint64_t last_value;
	unsigned int reads, writes;
	uint64_t read_value;
};

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct fake_dev *d = opaque;

	d->reads++;
	d->last_offset = offset;
	d->last_size = size;
	return d->read_value + d->reads - 1;	/* distinct per read */
}

static void dev_write(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->last_offset = offset;
	d->last_size = size;
	d->last_value = value;
}

static const struct vmctl_io_ops dev_ops = { dev_read, dev_write };

static void test_add_and_find(void **state)
{
	struct vmctl_io_table t = { 0 };
	struct fake_dev a = { 0 }, b = { 0 };

	(void)state;
	assert_int_equal(vmctl_io_table_add(&t, 0x3f8, 8, &dev_ops, &a), 0);
	assert_int_equal(vmctl_io_table_add(&t, 0x60, 1, &dev_ops, &b), 0);
	assert_int_equal(t.nr, 2);
	assert_true(t.ranges[0].base < t.ranges[1].base);	/* sorted */
	assert_ptr_equal(vmctl_io_table_find(&t, 0x3f8)->opaque, &a);
	assert_ptr_equal(vmctl_io_table_find(&t, 0x3ff)->opaque, &a);
	assert_null(vmctl_io_table_find(&t, 0x400));
	assert_null(vmctl_io_table_find(&t, 0x3f7));
	assert_ptr_equal(vmctl_io_table_find(&t, 0x60)->opaque, &b);
	assert_null(vmctl_io_table_find(&t, 0x61));
	vmctl_io_table_free(&t);
}

static void test_overlap_rejected(void **state)
{
	struct vmctl_io_table t = { 0 };
	struct fake_dev a = { 0 };

	(void)state;
	assert_int_equal(vmctl_io_table_add(&t, 0x100, 0x10, &dev_ops, &a), 0);
	/* same, inside, straddling either end, containing */
	assert_int_equal(vmctl_io_table_add(&t, 0x100, 0x10, &dev_ops, &a),
			 -VMCTL_E_IO_OVERLAP);
	assert_int_equal(vmctl_io_table_add(&t, 0x104, 1, &dev_ops, &a),
			 -VMCTL_E_IO_OVERLAP);
	assert_int_equal(vmctl_io_table_add(&t, 0xf8, 0x9, &dev_ops, &a),
			 -VMCTL_E_IO_OVERLAP);
	assert_int_equal(vmctl_io_table_add(&t, 0x10f, 0x10, &dev_ops, &a),
			 -VMCTL_E_IO_OVERLAP);
	assert_int_equal(vmctl_io_table_add(&t, 0, 0x1000, &dev_ops, &a),
			 -VMCTL_E_IO_OVERLAP);
	assert_non_null(strstr(vmctl_error_detail(), "overlaps [0x100, 0x110)"));
	/* touching is fine */
	assert_int_equal(vmctl_io_table_add(&t, 0xf0, 0x10, &dev_ops, &a), 0);
	assert_int_equal(vmctl_io_table_add(&t, 0x110, 0x10, &dev_ops, &a), 0);
	assert_int_equal(t.nr, 3);
	vmctl_io_table_free(&t);
}

static void test_bad_ranges(void **state)
{
	struct vmctl_io_table t = { 0 };
	struct vmctl_io_ops no_write = { dev_read, NULL };

	(void)state;
	assert_int_equal(vmctl_io_table_add(&t, 0, 0, &dev_ops, NULL), -EINVAL);
	assert_int_equal(vmctl_io_table_add(&t, UINT64_MAX, 2, &dev_ops, NULL),
			 -EINVAL);
	assert_int_equal(vmctl_io_table_add(&t, 0, 1, &no_write, NULL), -EINVAL);
	assert_int_equal(vmctl_io_table_add(&t, 0, 1, NULL, NULL), -EINVAL);
	assert_int_equal(t.nr, 0);
}

static void test_many_ranges_stay_sorted(void **state)
{
	struct vmctl_io_table t = { 0 };
	struct fake_dev d[40];
	unsigned int i;

	(void)state;
	/* Insert out of order, past the first growth of the array. */
	for (i = 0; i < 40; i++)
		assert_int_equal(vmctl_io_table_add(&t, ((i * 7) % 40) * 0x10,
						    0x10, &dev_ops, &d[i]), 0);
	for (i = 1; i < t.nr; i++)
		assert_true(t.ranges[i - 1].base < t.ranges[i].base);
	for (i = 0; i < 40; i++)
		assert_ptr_equal(vmctl_io_table_find(&t, ((i * 7) % 40) * 0x10 + 5)->opaque,
				 &d[i]);
	vmctl_io_table_free(&t);
}

static void test_access_and_unclaimed(void **state)
{
	struct vmctl_io_table t = { 0 };
	struct fake_dev a = { .read_value = 0x42 };
	uint64_t v;

	(void)state;
	vmctl_io_table_add(&t, 0x70, 2, &dev_ops, &a);
	v = 0;
	assert_true(vmctl_io_table_access(&t, 0x71, 1, false, &v));
	assert_int_equal(v, 0x42);
	assert_int_equal(a.last_offset, 1);
	v = 0x1234;
	assert_true(vmctl_io_table_access(&t, 0x70, 2, true, &v));
	assert_int_equal(a.last_value, 0x1234);
	assert_int_equal(a.last_size, 2);

	assert_false(vmctl_io_table_access(&t, 0x80, 1, false, &v));
	assert_int_equal(v, 0xff);
	assert_false(vmctl_io_table_access(&t, 0x80, 2, false, &v));
	assert_int_equal(v, 0xffff);
	assert_false(vmctl_io_table_access(&t, 0x80, 4, false, &v));
	assert_int_equal(v, 0xffffffff);
	assert_false(vmctl_io_table_access(&t, 0x80, 8, false, &v));
	assert_true(v == ~0ULL);
	v = 5;
	assert_false(vmctl_io_table_access(&t, 0x80, 1, true, &v));
	assert_int_equal(a.writes, 1);		/* dropped, not misrouted */
	vmctl_io_table_free(&t);
}

/* A run page as the module would fill it for an I/O exit. */
static union {
	struct vmctl_run run;
	uint8_t bytes[4096];
} page;

static unsigned int unclaimed_calls;
static uint64_t unclaimed_addr;

static void count_unclaimed(void *ctx, uint64_t addr, bool is_write)
{
	(void)ctx;
	(void)is_write;
	unclaimed_calls++;
	unclaimed_addr = addr;
}

static void io_exit(uint8_t dir, uint8_t size, uint16_t port, uint32_t count)
{
	memset(&page, 0, sizeof(page));
	page.run.exit_reason = VMCTL_EXIT_IO;
	page.run.io.direction = dir;
	page.run.io.size = size;
	page.run.io.port = port;
	page.run.io.count = count;
	page.run.io.data_offset = 1024;
}

static void test_pio_exit(void **state)
{
	struct vmctl_io_table t = { 0 };
	struct fake_dev a = { .read_value = 0x11223344 };

	(void)state;
	vmctl_io_table_add(&t, 0x3f8, 8, &dev_ops, &a);

	io_exit(VMCTL_IO_OUT, 1, 0x3f8, 1);
	page.bytes[1024] = 'A';
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      count_unclaimed, NULL), 0);
	assert_int_equal(a.last_value, 'A');

	/* IN of 4 bytes lands little-endian in the data area. */
	io_exit(VMCTL_IO_IN, 4, 0x3f8, 1);
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      count_unclaimed, NULL), 0);
	assert_int_equal(page.bytes[1024], 0x44);
	assert_int_equal(page.bytes[1027], 0x11);

	/* REP OUTSW: three elements, each a separate access */
	a.writes = 0;
	io_exit(VMCTL_IO_OUT, 2, 0x3f9, 3);
	memcpy(&page.bytes[1024], "\x01\x02\x03\x04\x05\x06", 6);
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      count_unclaimed, NULL), 0);
	assert_int_equal(a.writes, 3);
	assert_int_equal(a.last_value, 0x0605);
	assert_int_equal(a.last_offset, 1);

	/* unclaimed IN: all-ones, and the callback hears of it */
	unclaimed_calls = 0;
	io_exit(VMCTL_IO_IN, 2, 0x80, 2);
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      count_unclaimed, NULL), 0);
	assert_int_equal(unclaimed_calls, 2);
	assert_int_equal(unclaimed_addr, 0x80);
	assert_memory_equal(&page.bytes[1024], "\xff\xff\xff\xff", 4);
	vmctl_io_table_free(&t);
}

static void test_malformed_exits(void **state)
{
	struct vmctl_io_table t = { 0 };

	(void)state;
	io_exit(VMCTL_IO_OUT, 3, 0x3f8, 1);
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      NULL, NULL), -EINVAL);
	io_exit(VMCTL_IO_OUT, 1, 0x3f8, 0);
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      NULL, NULL), -EINVAL);
	io_exit(VMCTL_IO_OUT, 4, 0x3f8, 1000);	/* 4000 bytes past 1024 */
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      NULL, NULL), -EINVAL);
	io_exit(VMCTL_IO_OUT, 1, 0x3f8, 1);
	page.run.io.data_offset = 1ULL << 40;
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      NULL, NULL), -EINVAL);
	io_exit(VMCTL_IO_OUT, 4, 0x3f8, UINT32_MAX);	/* count * size wraps */
	assert_int_equal(vmctl_serve_pio_exit(&t, &page.run, sizeof(page),
					      NULL, NULL), -EINVAL);

	memset(&page, 0, sizeof(page));
	page.run.mmio.len = 3;
	assert_int_equal(vmctl_serve_mmio_exit(&t, &page.run, NULL, NULL),
			 -EINVAL);
}

static void test_mmio_exit(void **state)
{
	struct vmctl_io_table t = { 0 };
	struct fake_dev a = { .read_value = 0x0102030405060708ULL };

	(void)state;
	vmctl_io_table_add(&t, 0xfee00000, 0x1000, &dev_ops, &a);
	memset(&page, 0, sizeof(page));
	page.run.exit_reason = VMCTL_EXIT_MMIO;
	page.run.mmio.phys_addr = 0xfee00020;
	page.run.mmio.len = 8;
	assert_int_equal(vmctl_serve_mmio_exit(&t, &page.run, NULL, NULL), 0);
	assert_int_equal(a.last_offset, 0x20);
	assert_memory_equal(page.run.mmio.data,
			    "\x08\x07\x06\x05\x04\x03\x02\x01", 8);

	page.run.mmio.is_write = 1;
	page.run.mmio.len = 4;
	memcpy(page.run.mmio.data, "\xef\xbe\xad\xde", 4);
	assert_int_equal(vmctl_serve_mmio_exit(&t, &page.run, NULL, NULL), 0);
	assert_int_equal(a.last_value, 0xdeadbeef);

	unclaimed_calls = 0;
	page.run.mmio.is_write = 0;
	page.run.mmio.phys_addr = 0xd0000000;
	page.run.mmio.len = 2;
	assert_int_equal(vmctl_serve_mmio_exit(&t, &page.run, count_unclaimed,
					       NULL), 0);
	assert_int_equal(unclaimed_calls, 1);
	assert_memory_equal(page.run.mmio.data, "\xff\xff", 2);
	vmctl_io_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_find),
		cmocka_unit_test(test_overlap_rejected),
		cmocka_unit_test(test_bad_ranges),
		cmocka_unit_test(test_many_ranges_stay_sorted),
		cmocka_unit_test(test_access_and_unclaimed),
		cmocka_unit_test(test_pio_exit),
		cmocka_unit_test(test_malformed_exits),
		cmocka_unit_test(test_mmio_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
