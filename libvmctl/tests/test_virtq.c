// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The split virtqueue walker against well-formed, crafted hostile and
 * random descriptor tables: every buffer it returns lies in guest RAM,
 * every broken table is refused with the right error and leaves the
 * queue's position where it was.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_ram.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define F_NEXT		VIRTQ_DESC_F_NEXT
#define F_WRITE		VIRTQ_DESC_F_WRITE
#define F_INDIRECT	VIRTQ_DESC_F_INDIRECT

static struct vmctl_vq vq;
static struct vmctl_vq_req req;

static int setup(void **state)
{
	(void)state;
	ram_setup();
	vq_setup(&vq, 16);
	vq.indirect = true;
	return vmctl_vq_start(&vq, &guest_ram) == VQ_OK ? 0 : -1;
}

static bool in_ram(const struct iovec *iov)
{
	uint8_t *p = iov->iov_base;

	return p >= ram && (uint64_t)(p - ram) <= RAM_SIZE &&
	       iov->iov_len <= RAM_SIZE - (uint64_t)(p - ram);
}

static void test_chain(void **state)
{
	(void)state;
	set_desc(3, BUF_GPA, 16, F_NEXT, 7);
	set_desc(7, BUF_GPA + 0x1000, 4096, F_NEXT | F_WRITE, 1);
	set_desc(1, BUF_GPA + 0x3000, 1, F_WRITE, 0);
	make_avail(16, 3);
	assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 1);
	assert_int_equal(req.head, 3);
	assert_int_equal(req.nr_out, 1);
	assert_int_equal(req.nr_in, 2);
	assert_int_equal(req.out_len, 16);
	assert_int_equal(req.in_len, 4097);
	assert_ptr_equal(req.iov[0].iov_base, host(BUF_GPA));
	assert_ptr_equal(req.iov[1].iov_base, host(BUF_GPA + 0x1000));
	assert_int_equal(req.iov[2].iov_len, 1);
	/* Nothing more available. */
	assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 0);

	vmctl_vq_push(&vq, 3, 4097);
	assert_int_equal(rd16(USED_GPA + 2), 1);
	assert_int_equal(rd32(USED_GPA + 4), 3);
	assert_int_equal(rd32(USED_GPA + 8), 4097);
}

/*
 * What a device writes is marked (the migration's userspace dirty log):
 * the writable buffers of the chains it completes, across page ends,
 * and the used ring on every store into it; never what it only read.
 */
static void test_writes_marked(void **state)
{
	(void)state;
	vq.event_idx = true;
	set_desc(0, BUF_GPA, 16, F_NEXT, 1);
	set_desc(1, BUF_GPA + 0x2ff0, 0x20, F_NEXT | F_WRITE, 2);
	set_desc(2, BUF_GPA + 0x5000, 1, F_WRITE, 0);
	make_avail(16, 0);
	assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 1);
	/* A pop writes nothing, and so marks nothing. */
	assert_false(written(USED_GPA));
	assert_false(written(BUF_GPA + 0x2000));
	vmctl_vq_complete(&vq, &req, 0x21);
	assert_true(written(BUF_GPA + 0x2000));
	assert_true(written(BUF_GPA + 0x3000));	/* the buffer's second page */
	assert_true(written(BUF_GPA + 0x5000));
	assert_true(written(USED_GPA));
	assert_false(written(BUF_GPA));		/* read, not written */
	assert_false(written(BUF_GPA + 0x4000));

	/* avail_event lives in the used ring too. */
	memset(ram_written, 0, sizeof(ram_written));
	assert_false(vmctl_vq_enable_notify(&vq));
	assert_true(written(USED_GPA));
	memset(ram_written, 0, sizeof(ram_written));
	assert_false(vmctl_vq_wait_more(&vq));
	assert_true(written(USED_GPA));
	/* A chain returned by head alone: only the used ring. */
	memset(ram_written, 0, sizeof(ram_written));
	vmctl_vq_push(&vq, 0, 0);
	assert_true(written(USED_GPA));
	assert_false(written(BUF_GPA + 0x2000));
}

static void test_indirect(void **state)
{
	uint64_t table = BUF_GPA + 0x10000;

	(void)state;
	set_idesc(table, 0, BUF_GPA, 16, F_NEXT, 2);
	set_idesc(table, 2, BUF_GPA + 0x100, 512, F_NEXT, 1);
	set_idesc(table, 1, BUF_GPA + 0x400, 1, F_WRITE, 0);
	set_desc(5, table, 3 * 16, F_INDIRECT, 0);
	make_avail(16, 5);
	assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 1);
	assert_int_equal(req.head, 5);
	assert_int_equal(req.nr_out, 2);
	assert_int_equal(req.nr_in, 1);
	assert_int_equal(req.out_len, 528);
	assert_ptr_equal(req.iov[1].iov_base, host(BUF_GPA + 0x100));
}

/* pop fails with err and the queue's position does not move. */
static void refused(int err)
{
	uint16_t before = vq.last_avail;

	assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), -err);
	assert_int_equal(vq.last_avail, before);
}

static void test_loop(void **state)
{
	(void)state;
	set_desc(0, BUF_GPA, 8, F_NEXT, 1);
	set_desc(1, BUF_GPA, 8, F_NEXT, 0);
	make_avail(16, 0);
	refused(VQ_ERR_LOOP);
}

static void test_self_loop_writable(void **state)
{
	(void)state;
	set_desc(4, BUF_GPA, 8, F_NEXT | F_WRITE, 4);
	make_avail(16, 4);
	refused(VQ_ERR_LOOP);
}

static void test_head_out_of_range(void **state)
{
	(void)state;
	make_avail(16, 16);
	refused(VQ_ERR_HEAD);
}

static void test_next_out_of_range(void **state)
{
	(void)state;
	set_desc(0, BUF_GPA, 8, F_NEXT, 0xffff);
	make_avail(16, 0);
	refused(VQ_ERR_HEAD);
}

static void test_outside_ram(void **state)
{
	(void)state;
	set_desc(0, RAM_GPA + RAM_SIZE - 8, 16, 0, 0);	/* straddles the end */
	make_avail(16, 0);
	refused(VQ_ERR_ADDR);
	set_desc(0, 0x1000, 16, 0, 0);			/* below RAM */
	refused(VQ_ERR_ADDR);
	set_desc(0, 0xfffffffffffff000ULL, 0x2000, 0, 0); /* wraps */
	refused(VQ_ERR_ADDR);
	set_desc(0, BUF_GPA, 0xffffffffU, F_WRITE, 0);	/* absurd length */
	refused(VQ_ERR_ADDR);
}

static void test_wrong_direction(void **state)
{
	(void)state;
	set_desc(0, BUF_GPA, 8, F_NEXT | F_WRITE, 1);
	set_desc(1, BUF_GPA, 8, 0, 0);
	make_avail(16, 0);
	refused(VQ_ERR_ORDER);
}

static void test_indirect_malformed(void **state)
{
	uint64_t table = BUF_GPA + 0x10000;

	(void)state;
	make_avail(16, 0);
	set_desc(0, table, 0, F_INDIRECT, 0);		/* empty */
	refused(VQ_ERR_INDIRECT);
	set_desc(0, table, 24, F_INDIRECT, 0);		/* not 16n */
	refused(VQ_ERR_INDIRECT);
	set_desc(0, table, 16, F_INDIRECT | F_NEXT, 1);	/* with NEXT */
	refused(VQ_ERR_INDIRECT);
	set_desc(0, table, 16 * 4096, F_INDIRECT, 0);	/* too long */
	refused(VQ_ERR_INDIRECT);
	set_idesc(table, 0, table, 16, F_INDIRECT, 0);	/* nested */
	set_desc(0, table, 16, F_INDIRECT, 0);
	refused(VQ_ERR_INDIRECT);
	set_idesc(table, 0, BUF_GPA, 8, F_NEXT, 1);	/* loop inside */
	set_idesc(table, 1, BUF_GPA, 8, F_NEXT, 0);
	set_desc(0, table, 32, F_INDIRECT, 0);
	refused(VQ_ERR_LOOP);
	set_idesc(table, 1, BUF_GPA, 8, F_NEXT, 2);	/* next beyond table */
	refused(VQ_ERR_HEAD);
	set_desc(0, RAM_GPA + RAM_SIZE - 16, 32, F_INDIRECT, 0); /* outside */
	refused(VQ_ERR_ADDR);
	/* Not negotiated. */
	vq.indirect = false;
	set_desc(0, table, 16, F_INDIRECT, 0);
	refused(VQ_ERR_INDIRECT);
}

/* 256 buffers of 48 MiB each: 12 GiB in one chain. */
static void test_chain_too_long_in_bytes(void **state)
{
	uint64_t table = BUF_GPA;
	unsigned int i;

	(void)state;
	vq_setup(&vq, 256);
	vq.indirect = true;
	assert_int_equal(vmctl_vq_start(&vq, &guest_ram), VQ_OK);
	for (i = 0; i < 256; i++)
		set_idesc(table, i, RAM_GPA + (8ULL << 20), 48U << 20,
			  F_WRITE | (i < 255 ? F_NEXT : 0), i + 1);
	set_desc(0, table, 256 * 16, F_INDIRECT, 0);
	make_avail(256, 0);
	refused(VQ_ERR_LEN);
}

static void test_avail_runs_ahead(void **state)
{
	(void)state;
	wr16(AVAIL_GPA + 2, 17);	/* 17 new entries in a ring of 16 */
	refused(VQ_ERR_AVAIL);
}

static void test_start_checks(void **state)
{
	static const uint16_t bad_sizes[] = { 0, 3, 12, 255, 512, 0x8000 };
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		vq_setup(&vq, bad_sizes[i]);
		assert_int_equal(vmctl_vq_start(&vq, &guest_ram), VQ_ERR_SIZE);
		assert_false(vq.started);
		/* A queue that did not start takes nothing. */
		assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 0);
	}
	vq_setup(&vq, 16);
	vq.desc_gpa += 8;			/* misaligned */
	assert_int_equal(vmctl_vq_start(&vq, &guest_ram), VQ_ERR_RING);
	vq_setup(&vq, 16);
	vq.used_gpa = RAM_GPA + RAM_SIZE - 64;	/* runs past RAM */
	assert_int_equal(vmctl_vq_start(&vq, &guest_ram), VQ_ERR_RING);
	vq_setup(&vq, 256);
	assert_int_equal(vmctl_vq_start(&vq, &guest_ram), VQ_OK);
}

static void test_no_interrupt_flag(void **state)
{
	(void)state;
	set_desc(0, BUF_GPA, 8, F_WRITE, 0);
	make_avail(16, 0);
	assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 1);
	vmctl_vq_push(&vq, 0, 8);
	assert_true(vmctl_vq_need_interrupt(&vq));
	wr16(AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	vmctl_vq_push(&vq, 0, 8);
	assert_false(vmctl_vq_need_interrupt(&vq));
}

static void test_event_idx(void **state)
{
	unsigned int i;

	(void)state;
	vq.event_idx = true;
	set_desc(0, BUF_GPA, 8, F_WRITE, 0);
	for (i = 0; i < 6; i++)
		make_avail(16, 0);
	/* used_event (after the ring's 16 entries): interrupt at entry 3. */
	wr16(AVAIL_GPA + 4 + 2 * 16, 3);
	/* The first interrupt is always sent. */
	assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 1);
	vmctl_vq_push(&vq, 0, 8);
	assert_true(vmctl_vq_need_interrupt(&vq));		/* used 1 */
	for (i = 0; i < 2; i++) {
		assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 1);
		vmctl_vq_push(&vq, 0, 8);
		assert_false(vmctl_vq_need_interrupt(&vq));	/* used 2, 3 */
	}
	assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 1);
	vmctl_vq_push(&vq, 0, 8);
	assert_true(vmctl_vq_need_interrupt(&vq));		/* used 4 > 3 */
	/* Two at once crossing the event index count as one crossing. */
	wr16(AVAIL_GPA + 4 + 2 * 16, 4);
	for (i = 0; i < 2; i++) {
		assert_int_equal(vmctl_vq_pop(&vq, &guest_ram, &req), 1);
		vmctl_vq_push(&vq, 0, 8);
	}
	assert_true(vmctl_vq_need_interrupt(&vq));

	/* avail_event: where the device wants the next notification. */
	assert_false(vmctl_vq_enable_notify(&vq));
	assert_int_equal(rd16(USED_GPA + 4 + 8 * 16), 6);
	make_avail(16, 0);
	assert_true(vmctl_vq_enable_notify(&vq));	/* work is waiting */
}

/*
 * Random descriptor tables and rings: whatever the walker returns lies
 * in RAM, the chain's counts add up, and it never takes more than the
 * driver made available.
 */
static void test_random_tables(void **state)
{
	unsigned int round, i, took = 0, broken = 0;
	uint32_t *words;

	(void)state;
	srandom(12345);
	for (round = 0; round < 4000; round++) {
		uint16_t size = 1U << (random() % 9), avail;
		int ret;

		vq_setup(&vq, size);
		vq.indirect = random() & 1;
		vq.event_idx = random() & 1;
		assert_int_equal(vmctl_vq_start(&vq, &guest_ram), VQ_OK);
		/* Random descriptors, biased towards plausible values. */
		words = host(DESC_GPA);
		for (i = 0; i < size * 4u; i++)
			words[i] = random();
		for (i = 0; i < size; i++) {
			uint64_t addr = random() % 4 ? BUF_GPA + random() % 0x100000 :
				(uint64_t)random() << 32 | random();
			uint32_t len = random() % 4 ? random() % 8192 : random();
			uint16_t flags = random() % 8, next = random() % 4 ?
				random() % size : random();

			if (flags & F_INDIRECT && random() % 2)
				addr = DESC_GPA, len = 16 * (random() % (size + 1));
			set_desc(i, addr, len, flags, next);
		}
		avail = random() % 4 ? random() % (size + 1) : random();
		for (i = 0; i < size; i++)
			wr16(AVAIL_GPA + 4 + 2 * i, random() % 8 ? random() % size : random());
		wr16(AVAIL_GPA + 2, avail);
		for (i = 0; i < size + 1u; i++) {
			uint16_t before = vq.last_avail;
			unsigned int j;

			ret = vmctl_vq_pop(&vq, &guest_ram, &req);
			if (ret <= 0) {
				assert_int_equal(vq.last_avail, before);
				broken += ret < 0;
				break;
			}
			took++;
			assert_true(req.head < size);
			assert_true(req.nr_out + req.nr_in <= VMCTL_VQ_MAX_SIZE);
			for (j = 0; j < req.nr_out + req.nr_in; j++)
				assert_true(in_ram(&req.iov[j]));
			vmctl_vq_push(&vq, req.head, 0);
		}
		assert_true(i <= size);
	}
	/* Both outcomes were exercised. */
	assert_true(took > 100);
	assert_true(broken > 100);
}

static void test_iov_helpers(void **state)
{
	uint8_t a[4] = { 1, 2, 3, 4 }, b[3] = { 5, 6, 7 }, out[5];
	struct iovec iov[2] = { { a, 4 }, { b, 3 } }, part[2];

	(void)state;
	assert_int_equal(vmctl_iov_slice(iov, 2, 3, 3, part, 2), 2);
	assert_ptr_equal(part[0].iov_base, a + 3);
	assert_int_equal(part[0].iov_len, 1);
	assert_int_equal(part[1].iov_len, 2);
	assert_int_equal(vmctl_iov_slice(iov, 2, 3, 3, part, 1), -1);
	assert_int_equal(vmctl_iov_slice(iov, 2, 5, 3, part, 2), -1);
	assert_true(vmctl_iov_read(iov, 2, 2, out, 5));
	assert_memory_equal(out, "\3\4\5\6\7", 5);
	assert_false(vmctl_iov_read(iov, 2, 2, out, 6));
	assert_true(vmctl_iov_write(iov, 2, 6, "\x55", 1));
	assert_int_equal(b[2], 0x55);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_chain, setup),
		cmocka_unit_test_setup(test_writes_marked, setup),
		cmocka_unit_test_setup(test_indirect, setup),
		cmocka_unit_test_setup(test_loop, setup),
		cmocka_unit_test_setup(test_self_loop_writable, setup),
		cmocka_unit_test_setup(test_head_out_of_range, setup),
		cmocka_unit_test_setup(test_next_out_of_range, setup),
		cmocka_unit_test_setup(test_outside_ram, setup),
		cmocka_unit_test_setup(test_wrong_direction, setup),
		cmocka_unit_test_setup(test_indirect_malformed, setup),
		cmocka_unit_test_setup(test_chain_too_long_in_bytes, setup),
		cmocka_unit_test_setup(test_avail_runs_ahead, setup),
		cmocka_unit_test_setup(test_start_checks, setup),
		cmocka_unit_test_setup(test_no_interrupt_flag, setup),
		cmocka_unit_test_setup(test_event_idx, setup),
		cmocka_unit_test_setup(test_random_tables, setup),
		cmocka_unit_test(test_iov_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
