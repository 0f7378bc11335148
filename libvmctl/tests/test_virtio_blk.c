// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The virtio-blk request parser: well-formed requests of every type,
 * and malformed ones (wrong direction, partial sectors, ranges past the
 * end or wrapping, writes to a read-only disk, bad segments, no status
 * byte) refused before anything reaches the image.  Chains are built as
 * the virtqueue walker hands them over: readable iovecs, then writable.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "virtio_blk.h"

#define CAPACITY	2048	/* sectors: 1 MiB */

static struct vmctl_vq_req req;
static struct vmctl_blk_req out;
static uint8_t hdr[16], data[8192], status[4], seg[16];

static void header(uint32_t type, uint64_t sector)
{
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
}

static void chain_reset(void)
{
	memset(&req, 0, sizeof(req));
	memset(status, 0xee, sizeof(status));
}

static void add(void *p, size_t len, bool writable)
{
	unsigned int i = req.nr_out + req.nr_in;

	req.iov[i].iov_base = p;
	req.iov[i].iov_len = len;
	if (writable) {
		req.nr_in++;
		req.in_len += len;
	} else {
		req.nr_out++;
		req.out_len += len;
	}
}

static uint8_t parse(bool ro)
{
	assert_int_equal(vmctl_blk_parse(&req, CAPACITY, ro, &out), 0);
	assert_ptr_equal(out.status_byte, &status[0]);
	return out.status;
}

/* A header, data of len bytes in the given direction, the status. */
static void rw(uint32_t type, uint64_t sector, size_t len, bool data_in)
{
	chain_reset();
	header(type, sector);
	add(hdr, 16, false);
	if (len)
		add(data, len, data_in);
	add(status, 1, true);
}

static void test_read_write(void **state)
{
	(void)state;
	rw(VIRTIO_BLK_T_IN, 8, 4096, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_OK);
	assert_int_equal(out.type, VIRTIO_BLK_T_IN);
	assert_int_equal(out.sector, 8);
	assert_int_equal(out.len, 4096);
	assert_int_equal(out.nr_data, 1);
	assert_ptr_equal(out.data[0].iov_base, data);
	/* Reads from a read-only disk are fine. */
	assert_int_equal(parse(true), VIRTIO_BLK_S_OK);

	rw(VIRTIO_BLK_T_OUT, CAPACITY - 16, 8192, false);
	assert_int_equal(parse(false), VIRTIO_BLK_S_OK);
	assert_int_equal(out.len, 8192);
	assert_ptr_equal(out.data[0].iov_base, data);
	/* ... but not writes. */
	assert_int_equal(parse(true), VIRTIO_BLK_S_IOERR);
}

static void test_split_header_and_data(void **state)
{
	(void)state;
	chain_reset();
	header(VIRTIO_BLK_T_OUT, 3);
	add(hdr, 5, false);
	add(hdr + 5, 11, false);
	add(data, 512, false);
	add(data + 512, 512, false);
	add(status, 1, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_OK);
	assert_int_equal(out.sector, 3);
	assert_int_equal(out.nr_data, 2);
	assert_int_equal(out.len, 1024);

	/* Read data and the status byte share the last buffer. */
	chain_reset();
	header(VIRTIO_BLK_T_IN, 0);
	add(hdr, 16, false);
	add(data, 512, true);
	req.iov[1].iov_len = 513;
	req.in_len = 513;
	assert_int_equal(vmctl_blk_parse(&req, CAPACITY, false, &out), 0);
	assert_int_equal(out.status, VIRTIO_BLK_S_OK);
	assert_ptr_equal(out.status_byte, data + 512);
	assert_int_equal(out.len, 512);
}

static void test_bad_ranges(void **state)
{
	static const uint64_t sectors[] = {
		CAPACITY - 1, CAPACITY, CAPACITY + 1, UINT64_MAX,
		UINT64_MAX - 7, 1ULL << 63,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(sectors) / sizeof(sectors[0]); i++) {
		rw(VIRTIO_BLK_T_OUT, sectors[i], 1024, false);
		assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
		rw(VIRTIO_BLK_T_IN, sectors[i], 1024, true);
		assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	}
	/* Partial sectors and empty transfers. */
	rw(VIRTIO_BLK_T_OUT, 0, 100, false);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	rw(VIRTIO_BLK_T_IN, 0, 513, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	rw(VIRTIO_BLK_T_IN, 0, 0, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
}

static void test_wrong_direction(void **state)
{
	(void)state;
	/* A write whose data is writable, a read whose data is readable. */
	rw(VIRTIO_BLK_T_OUT, 0, 512, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	rw(VIRTIO_BLK_T_IN, 0, 512, false);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	/* A header that is short or writable. */
	chain_reset();
	add(hdr, 8, false);
	add(status, 1, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	chain_reset();
	add(hdr, 16, true);
	add(status, 1, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
}

static void test_no_status_byte(void **state)
{
	(void)state;
	chain_reset();
	header(VIRTIO_BLK_T_IN, 0);
	add(hdr, 16, false);
	add(data, 512, false);
	assert_int_equal(vmctl_blk_parse(&req, CAPACITY, false, &out), -1);
}

static void test_flush_get_id_unknown(void **state)
{
	(void)state;
	rw(VIRTIO_BLK_T_FLUSH, 12345678, 0, false);
	assert_int_equal(parse(false), VIRTIO_BLK_S_OK);
	assert_int_equal(parse(true), VIRTIO_BLK_S_OK);
	rw(VIRTIO_BLK_T_FLUSH, 0, 512, false);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);

	rw(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	assert_int_equal(parse(true), VIRTIO_BLK_S_OK);
	assert_int_equal(out.len, 20);
	rw(VIRTIO_BLK_T_GET_ID, 0, 64, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_OK);
	assert_int_equal(out.len, 20);			/* at most 20 */
	rw(VIRTIO_BLK_T_GET_ID, 0, 0, true);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);

	rw(10, 0, 512, true);			/* GET_LIFETIME */
	assert_int_equal(parse(false), VIRTIO_BLK_S_UNSUPP);
	rw(0xdeadbeef, 0, 0, false);
	assert_int_equal(parse(false), VIRTIO_BLK_S_UNSUPP);
}

static void segment(uint32_t type, uint64_t sector, uint32_t n,
		    uint32_t flags)
{
	rw(type, 0, 0, false);
	memcpy(seg, &sector, 8);
	memcpy(seg + 8, &n, 4);
	memcpy(seg + 12, &flags, 4);
	/* header, segment, status */
	req.iov[2] = req.iov[1];
	req.iov[1].iov_base = seg;
	req.iov[1].iov_len = 16;
	req.nr_out = 2;
	req.out_len = 32;
}

static void test_discard_write_zeroes(void **state)
{
	(void)state;
	segment(VIRTIO_BLK_T_DISCARD, 16, 32, 0);
	assert_int_equal(parse(false), VIRTIO_BLK_S_OK);
	assert_int_equal(out.sector, 16);
	assert_int_equal(out.nr_sectors, 32);
	assert_int_equal(parse(true), VIRTIO_BLK_S_IOERR);	/* read-only */
	segment(VIRTIO_BLK_T_DISCARD, 16, 32, VIRTIO_BLK_WZ_FLAG_UNMAP);
	assert_int_equal(parse(false), VIRTIO_BLK_S_UNSUPP);
	segment(VIRTIO_BLK_T_WRITE_ZEROES, 0, CAPACITY, VIRTIO_BLK_WZ_FLAG_UNMAP);
	assert_int_equal(parse(false), VIRTIO_BLK_S_OK);
	assert_true(out.unmap);
	segment(VIRTIO_BLK_T_WRITE_ZEROES, 0, CAPACITY, 0x80);
	assert_int_equal(parse(false), VIRTIO_BLK_S_UNSUPP);
	segment(VIRTIO_BLK_T_WRITE_ZEROES, 1, CAPACITY, 0);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	segment(VIRTIO_BLK_T_DISCARD, UINT64_MAX, 2, 0);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	segment(VIRTIO_BLK_T_DISCARD, 0, 0, 0);
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
	/* Two segments: we said one. */
	segment(VIRTIO_BLK_T_DISCARD, 0, 8, 0);
	req.iov[1].iov_len = 32;
	req.out_len = 48;
	assert_int_equal(parse(false), VIRTIO_BLK_S_IOERR);
}

static void test_config(void **state)
{
	uint8_t cfg[VMCTL_BLK_CONFIG_LEN];
	uint64_t cap;
	uint32_t v;

	(void)state;
	vmctl_blk_config(cfg, 123456, 126);
	memcpy(&cap, cfg, 8);
	assert_int_equal(cap, 123456);
	memcpy(&v, cfg + 12, 4);
	assert_int_equal(v, 126);
	memcpy(&v, cfg + 20, 4);
	assert_int_equal(v, 512);
	memcpy(&v, cfg + 40, 4);
	assert_int_equal(v, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_split_header_and_data),
		cmocka_unit_test(test_bad_ranges),
		cmocka_unit_test(test_wrong_direction),
		cmocka_unit_test(test_no_status_byte),
		cmocka_unit_test(test_flush_get_id_unknown),
		cmocka_unit_test(test_discard_write_zeroes),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
