// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-net's pure parts: feature dependencies (and the transport
 * refusing FEATURES_OK for a driver that breaks them), the features
 * offered for what a tap takes, the tap offloads for the agreed features, the header of a transmitted frame checked
 * and that of a received one fixed, the default MAC, and received
 * frames placed into the driver's buffers: over several mergeable
 * chains with num_buffers, published to the driver all at once (every
 * store to the used ring watched), kept back when there is no room,
 * dropped when they can never fit, and a broken receive queue refused
 * with the queue's position unchanged.
 */
#include <linux/if_tun.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_ram.h"
#include "store_watch.h"
#include "virtio_net.h"
#include "virtio_pci.h"

#define F(bit)		(1ULL << VIRTIO_NET_F_##bit)
#define F_WRITE		VIRTQ_DESC_F_WRITE
#define F_NEXT		VIRTQ_DESC_F_NEXT
#define QSIZE		16

static struct vmctl_vq vq;
static struct vmctl_vq_req req;
static uint8_t frame[VMCTL_NET_MAX_FRAME];

static void test_features_ok(void **state)
{
	(void)state;
	assert_true(vmctl_net_features_ok(0));
	assert_true(vmctl_net_features_ok(VMCTL_NET_FEATURES));
	assert_true(vmctl_net_features_ok(F(GUEST_CSUM) | F(GUEST_TSO4)));
	assert_true(vmctl_net_features_ok(F(CSUM) | F(HOST_TSO6) | F(HOST_ECN)));
	assert_false(vmctl_net_features_ok(F(GUEST_TSO4)));
	assert_false(vmctl_net_features_ok(F(GUEST_CSUM) | F(GUEST_ECN)));
	assert_false(vmctl_net_features_ok(F(HOST_TSO4)));
	assert_false(vmctl_net_features_ok(F(CSUM) | F(HOST_ECN)));
	assert_false(vmctl_net_features_ok(VMCTL_NET_FEATURES & ~F(CSUM)));
	assert_false(vmctl_net_features_ok(F(GUEST_USO4)));
	assert_false(vmctl_net_features_ok(F(HOST_USO)));
	assert_true(vmctl_net_features_ok(F(GUEST_CSUM) | F(GUEST_USO6) |
					  F(CSUM) | F(HOST_USO)));
}

/* Only what the tap took is offered; the driver's offloads always are. */
static void test_offered(void **state)
{
	const uint64_t always = F(CSUM) | F(MAC) | F(HOST_TSO4) |
				F(HOST_TSO6) | F(HOST_ECN) | F(MRG_RXBUF) |
				F(STATUS);
	const uint64_t tso = F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_TSO6) |
			     F(GUEST_ECN);

	(void)state;
	assert_int_equal(vmctl_net_offered(VMCTL_TAP_OFFLOADS),
			 VMCTL_NET_FEATURES);
	assert_int_equal(vmctl_net_offered(0), always);
	/* Before Linux 6.2: no USO either way. */
	assert_int_equal(vmctl_net_offered(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
					   TUN_F_TSO_ECN), always | tso);
	assert_int_equal(vmctl_net_offered(TUN_F_CSUM), always | F(GUEST_CSUM));
	/* Each TSO on its own bit; ECN with a TSO only. */
	assert_int_equal(vmctl_net_offered(TUN_F_CSUM | TUN_F_TSO6 |
					   TUN_F_TSO_ECN),
			 always | F(GUEST_CSUM) | F(GUEST_TSO6) | F(GUEST_ECN));
	assert_int_equal(vmctl_net_offered(TUN_F_CSUM | TUN_F_TSO_ECN),
			 always | F(GUEST_CSUM));
	/* USO for one IP version only is not one Linux takes. */
	assert_int_equal(vmctl_net_offered(TUN_F_CSUM | TUN_F_USO4),
			 always | F(GUEST_CSUM));
	assert_int_equal(vmctl_net_offered(TUN_F_CSUM | TUN_F_USO4 | TUN_F_USO6),
			 always | F(GUEST_CSUM) | F(GUEST_USO4) |
			 F(GUEST_USO6) | F(HOST_USO));
	/* Nothing rides without the checksum under it. */
	assert_int_equal(vmctl_net_offered(VMCTL_TAP_OFFLOADS & ~TUN_F_CSUM),
			 always & ~F(HOST_USO));
	assert_true(vmctl_net_features_ok(vmctl_net_offered(TUN_F_CSUM |
							    TUN_F_TSO4)));
}

/* The transport asks the device type before it sets FEATURES_OK. */
static int no_handle(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	(void)vdev;
	(void)q;
	return 0;
}

static void test_transport_refuses_broken_dependencies(void **state)
{
	static const struct vmctl_virtio_backend be = {
		.name = "virtio-net", .device_id = VIRTIO_ID_NET,
		.class = 0x020000, .handle = no_handle,
		.features_ok = vmctl_net_features_ok,
	};
	static struct vmctl_virtio_dev vdev;
	const struct vmctl_io_ops *ops = &vmctl_virtio_bar_ops;
	uint64_t want[] = { F(GUEST_TSO4), F(GUEST_CSUM) | F(GUEST_TSO4) };
	unsigned int i;

	(void)state;
	ram_setup();
	assert_int_equal(vmctl_virtio_init(&vdev, &be, NULL, 2, QSIZE,
					   &guest_ram), 0);
	vdev.host_features |= VMCTL_NET_FEATURES;
	for (i = 0; i < 2; i++) {
		ops->write(&vdev, 20, 1, 0);				/* reset */
		ops->write(&vdev, 20, 1, VIRTIO_STATUS_ACKNOWLEDGE |
			   VIRTIO_STATUS_DRIVER);
		ops->write(&vdev, 8, 4, 0);
		ops->write(&vdev, 12, 4, want[i]);
		ops->write(&vdev, 8, 4, 1);
		ops->write(&vdev, 12, 4, 1);			/* VERSION_1 */
		ops->write(&vdev, 20, 1, 0x0b);
		assert_int_equal(!!(ops->read(&vdev, 20, 1) &
				    VIRTIO_STATUS_FEATURES_OK), i);
	}
	vmctl_virtio_destroy(&vdev);
}

static void test_tap_offloads(void **state)
{
	(void)state;
	assert_int_equal(vmctl_net_tap_offloads(0), 0);
	/* The driver's own TSO is not the tap's business. */
	assert_int_equal(vmctl_net_tap_offloads(F(CSUM) | F(HOST_TSO4)), 0);
	assert_int_equal(vmctl_net_tap_offloads(F(GUEST_CSUM)), TUN_F_CSUM);
	assert_int_equal(vmctl_net_tap_offloads(F(GUEST_CSUM) | F(GUEST_TSO6)),
			 TUN_F_CSUM | TUN_F_TSO6);
	assert_int_equal(vmctl_net_tap_offloads(VMCTL_NET_FEATURES),
			 VMCTL_TAP_OFFLOADS);
	assert_int_equal(vmctl_net_tap_offloads(VMCTL_NET_FEATURES &
						~F(GUEST_USO6)),
			 TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN);
	/* Without the checksum under it, no TSO either. */
	assert_int_equal(vmctl_net_tap_offloads(F(GUEST_TSO4)), 0);
}

static void hdr(uint8_t *h, uint8_t flags, uint8_t gso)
{
	memset(h, 0, VMCTL_NET_HDR_LEN);
	h[0] = flags;
	h[1] = gso;
}

static void test_tx_header(void **state)
{
	uint64_t all = VMCTL_NET_FEATURES;
	uint8_t h[VMCTL_NET_HDR_LEN];

	(void)state;
	hdr(h, 0, VIRTIO_NET_HDR_GSO_NONE);
	assert_true(vmctl_net_tx_hdr_ok(h, 0));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
	assert_true(vmctl_net_tx_hdr_ok(h, F(CSUM)));
	assert_false(vmctl_net_tx_hdr_ok(h, 0));
	/* DATA_VALID is the device's flag. */
	hdr(h, VIRTIO_NET_HDR_F_DATA_VALID, 0);
	assert_false(vmctl_net_tx_hdr_ok(h, all));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_true(vmctl_net_tx_hdr_ok(h, all));
	assert_false(vmctl_net_tx_hdr_ok(h, all & ~F(HOST_TSO4)));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6);
	assert_true(vmctl_net_tx_hdr_ok(h, all));
	assert_false(vmctl_net_tx_hdr_ok(h, all & ~F(HOST_TSO6)));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
	assert_true(vmctl_net_tx_hdr_ok(h, all));
	assert_false(vmctl_net_tx_hdr_ok(h, all & ~F(HOST_ECN)));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4);
	assert_true(vmctl_net_tx_hdr_ok(h, all));
	assert_false(vmctl_net_tx_hdr_ok(h, all & ~F(HOST_USO)));
	/* ECN alone or on UDP, and UFO (3): not offered. */
	hdr(h, 0, VIRTIO_NET_HDR_GSO_ECN);
	assert_false(vmctl_net_tx_hdr_ok(h, all));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN);
	assert_false(vmctl_net_tx_hdr_ok(h, all));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 3);
	assert_false(vmctl_net_tx_hdr_ok(h, all));
}

static void test_rx_header(void **state)
{
	uint64_t all = VMCTL_NET_FEATURES;
	uint8_t h[VMCTL_NET_HDR_LEN];

	(void)state;
	/* Without GUEST_CSUM the flags are cleared. */
	hdr(h, VIRTIO_NET_HDR_F_DATA_VALID, 0);
	h[10] = 0x55;
	assert_true(vmctl_net_rx_hdr_fix(h, 0));
	assert_int_equal(h[0], 0);
	assert_int_equal(h[10], 0);		/* num_buffers: set later */
	hdr(h, VIRTIO_NET_HDR_F_DATA_VALID | 4, 0);
	assert_true(vmctl_net_rx_hdr_fix(h, all));
	assert_int_equal(h[0], VIRTIO_NET_HDR_F_DATA_VALID);
	/* A TSO frame for a driver that takes it, and one that does not. */
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_true(vmctl_net_rx_hdr_fix(h, all));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_false(vmctl_net_rx_hdr_fix(h, all & ~F(GUEST_TSO4)));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6);
	assert_false(vmctl_net_rx_hdr_fix(h, F(GUEST_CSUM) | F(GUEST_TSO4)));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN);
	assert_false(vmctl_net_rx_hdr_fix(h, all & ~F(GUEST_ECN)));
	/* USO: the tap makes it only for a driver that took both. */
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4);
	assert_true(vmctl_net_rx_hdr_fix(h, all));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4);
	assert_false(vmctl_net_rx_hdr_fix(h, all & ~F(GUEST_USO6)));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN);
	assert_false(vmctl_net_rx_hdr_fix(h, all));
	hdr(h, VIRTIO_NET_HDR_F_NEEDS_CSUM, 3);
	assert_false(vmctl_net_rx_hdr_fix(h, all));
	/* GSO without a checksum to finish is not a frame the tap makes. */
	hdr(h, 0, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_false(vmctl_net_rx_hdr_fix(h, all));
}

static void test_default_mac(void **state)
{
	static const uint8_t web0[6] = { 0x32, 0xc1, 0x50, 0x7e, 0xa3, 0x5f };
	uint8_t a[6], b[6], c[6], d[6];

	(void)state;
	vmctl_net_default_mac("web", 0, a);
	vmctl_net_default_mac("web", 0, b);
	vmctl_net_default_mac("web", 1, c);
	vmctl_net_default_mac("web1", 0, d);
	assert_memory_equal(a, b, 6);		/* stable */
	assert_memory_not_equal(a, c, 6);	/* per card */
	assert_memory_not_equal(a, d, 6);	/* per VM */
	assert_int_equal(a[0] & 3, 2);		/* local, unicast */
	assert_int_equal(c[0] & 3, 2);
	assert_int_equal(d[0] & 3, 2);
	/* The same on every host and build: FNV-1a of "web\0" and le32 0. */
	assert_memory_equal(a, web0, 6);
	vmctl_net_default_mac("", 0, a);
	assert_int_equal(a[0] & 3, 2);
}

static void test_config(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x15 };
	uint8_t cfg[VMCTL_NET_CONFIG_LEN];

	(void)state;
	vmctl_net_config(cfg, mac);
	assert_memory_equal(cfg, mac, 6);
	assert_int_equal(cfg[6] | cfg[7] << 8, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(cfg[8] | cfg[9] << 8, 1);
}

/* ---- placing received frames ---- */

static int rx_setup(void **state)
{
	(void)state;
	ram_setup();
	vq_setup(&vq, QSIZE);
	vq.event_idx = true;
	return vmctl_vq_start(&vq, &guest_ram) == VQ_OK ? 0 : -1;
}

/* Offer chain i: one writable buffer of len bytes at BUF_GPA + i * 64K. */
static void offer(unsigned int i, uint32_t len)
{
	set_desc(i, BUF_GPA + i * 0x10000ULL, len, F_WRITE, 0);
	make_avail(QSIZE, i);
}

static void make_frame(size_t len)
{
	size_t i;

	memset(frame, 0, VMCTL_NET_HDR_LEN);
	for (i = VMCTL_NET_HDR_LEN; i < len; i++)
		frame[i] = i * 7;
}

static void test_rx_one_buffer(void **state)
{
	bool dropped;

	(void)state;
	make_frame(1514 + VMCTL_NET_HDR_LEN);
	offer(0, 1536 + VMCTL_NET_HDR_LEN);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame,
					    1526, false, &dropped), 1);
	assert_false(dropped);
	assert_int_equal(rd16(USED_GPA + 2), 1);
	assert_int_equal(rd32(USED_GPA + 4), 0);		/* id */
	assert_int_equal(rd32(USED_GPA + 8), 1526);		/* len */
	assert_int_equal(rd16(BUF_GPA + VMCTL_NET_HDR_NUM_BUFFERS), 1);
	assert_memory_equal(host(BUF_GPA) + VMCTL_NET_HDR_LEN,
			    frame + VMCTL_NET_HDR_LEN, 1514);
}

static void test_rx_mergeable(void **state)
{
	size_t len = 65536 + VMCTL_NET_HDR_LEN, off = 0;
	unsigned int i;
	bool dropped;

	(void)state;
	make_frame(len);
	/*
	 * 16 page-sized buffers: a 64 KiB frame and its header need 17, so
	 * the whole ring can never hold it: dropped, nothing taken.
	 */
	for (i = 0; i < QSIZE; i++)
		offer(i, 4096);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, len,
					    true, &dropped), 0);
	assert_true(dropped);
	assert_int_equal(rd16(USED_GPA + 2), 0);
	assert_int_equal(vq.last_avail, 0);
	/* 12 fewer bytes fit in exactly 16. */
	len -= VMCTL_NET_HDR_LEN;
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, len,
					    true, &dropped), QSIZE);
	assert_int_equal(rd16(USED_GPA + 2), QSIZE);
	assert_int_equal(rd16(BUF_GPA + VMCTL_NET_HDR_NUM_BUFFERS), QSIZE);
	for (i = 0; i < QSIZE; i++) {
		assert_int_equal(rd32(USED_GPA + 4 + 8 * i), i);
		assert_int_equal(rd32(USED_GPA + 8 + 8 * i), 4096);
		if (i)
			assert_memory_equal(host(BUF_GPA + i * 0x10000ULL),
					    frame + off, 4096);
		off += 4096;
	}
}

/* Every value the used index takes (store_watch.h). */
static uint16_t indices[64];
static unsigned int nr_indices;

static void note_used_index(void *addr)
{
	uint16_t idx;

	(void)addr;
	idx = rd16(USED_GPA + 2);
	if ((!nr_indices || indices[nr_indices - 1] != idx) && nr_indices < 64)
		indices[nr_indices++] = idx;
}

static void test_rx_published_at_once(void **state)
{
	size_t len = 3 * 4096 + 100;
	unsigned int i;
	bool dropped;
	int ret;

	(void)state;
	make_frame(len);
	for (i = 0; i < 4; i++)
		offer(i, 4096);
	/* A frame over 4 buffers, then one in 1: indices 0, 4, 5 only. */
	nr_indices = 0;
	watch_stores(host(USED_GPA), note_used_index);
	ret = vmctl_net_rx_place(&vq, &guest_ram, &req, frame, len, true,
				 &dropped);
	offer(4, 4096);
	if (ret == 4)
		ret = vmctl_net_rx_place(&vq, &guest_ram, &req, frame, 100,
					 true, &dropped);
	unwatch_stores();
	assert_int_equal(ret, 1);
	assert_int_equal(rd16(USED_GPA + 2), 5);
	assert_int_equal(rd16(BUF_GPA + VMCTL_NET_HDR_NUM_BUFFERS), 4);
	/* Never 1, 2 or 3: a driver would find 1 of 4 buffers and drop. */
	for (i = 0; i < nr_indices; i++)
		if (indices[i] != (i ? 3 + i : 0))
			fail_msg("the driver could see used index %u", indices[i]);
	assert_int_equal(nr_indices, 3);
}

static void test_rx_waits_for_room(void **state)
{
	size_t len = 6000;
	bool dropped;

	(void)state;
	make_frame(len);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, len,
					    true, &dropped), 0);
	assert_false(dropped);
	offer(0, 4096);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, len,
					    true, &dropped), 0);
	assert_false(dropped);
	assert_int_equal(vq.last_avail, 0);	/* given back */
	/*
	 * The driver adds a buffer after the device looked and before it
	 * asks to hear of more: the device must look again, not wait for a
	 * notification the driver will not send.
	 */
	offer(1, 4096);
	assert_true(vmctl_vq_wait_more(&vq));
	assert_int_equal(rd16(USED_GPA + 4 + 8 * QSIZE), 1);
	/* It asked to hear of what comes after what it saw (avail_event). */
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame,
					    len + 8192, true, &dropped), 0);
	assert_false(vmctl_vq_wait_more(&vq));
	assert_int_equal(rd16(USED_GPA + 4 + 8 * QSIZE), 2);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, len,
					    true, &dropped), 2);
	assert_int_equal(rd16(BUF_GPA + VMCTL_NET_HDR_NUM_BUFFERS), 2);
	assert_int_equal(rd32(USED_GPA + 8), 4096);
	assert_int_equal(rd32(USED_GPA + 16), len - 4096);
}

static void test_rx_too_big_without_mergeable(void **state)
{
	bool dropped;

	(void)state;
	make_frame(3000);
	offer(0, 1536);
	offer(1, 4096);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, 3000,
					    false, &dropped), 0);
	assert_true(dropped);
	/* The short chain went back empty; the next frame takes the next. */
	assert_int_equal(rd16(USED_GPA + 2), 1);
	assert_int_equal(rd32(USED_GPA + 8), 0);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, 3000,
					    false, &dropped), 1);
	assert_int_equal(rd32(USED_GPA + 12), 1);
	assert_int_equal(rd32(USED_GPA + 16), 3000);
}

static void test_rx_broken_queue(void **state)
{
	bool dropped;

	(void)state;
	make_frame(100);
	/* A readable buffer on the receive queue. */
	set_desc(0, BUF_GPA, 64, F_NEXT, 1);
	set_desc(1, BUF_GPA + 4096, 4096, F_WRITE, 0);
	make_avail(QSIZE, 0);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, 100,
					    true, &dropped), -VQ_ERR_DIR);
	assert_int_equal(vq.last_avail, 0);
	/* A first buffer that cannot hold the header. */
	rx_setup(NULL);
	offer(0, VMCTL_NET_HDR_LEN - 1);
	offer(1, 4096);
	assert_int_equal(vmctl_net_rx_place(&vq, &guest_ram, &req, frame, 100,
					    true, &dropped), -VQ_ERR_SHORT);
	assert_int_equal(vq.last_avail, 0);
	assert_int_equal(rd16(USED_GPA + 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_ok),
		cmocka_unit_test(test_offered),
		cmocka_unit_test(test_transport_refuses_broken_dependencies),
		cmocka_unit_test(test_tap_offloads),
		cmocka_unit_test(test_tx_header),
		cmocka_unit_test(test_rx_header),
		cmocka_unit_test(test_default_mac),
		cmocka_unit_test(test_config),
		cmocka_unit_test_setup(test_rx_one_buffer, rx_setup),
		cmocka_unit_test_setup(test_rx_mergeable, rx_setup),
		cmocka_unit_test_setup(test_rx_published_at_once, rx_setup),
		cmocka_unit_test_setup(test_rx_waits_for_room, rx_setup),
		cmocka_unit_test_setup(test_rx_too_big_without_mergeable, rx_setup),
		cmocka_unit_test_setup(test_rx_broken_queue, rx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
