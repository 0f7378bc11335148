// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The virtio-pci modern transport, driven the way Linux's virtio_pci
 * driver drives it: capabilities, feature negotiation, queue setup,
 * notification, used buffers with INTx and the ISR or with MSI-X
 * vectors per queue, doorbells that follow BAR 0, and a guest that
 * breaks the rules (notifications before DRIVER_OK, a queue size that is
 * not a power of 2, a descriptor loop) getting DEVICE_NEEDS_RESET.
 * A test backend answers each chain with its writable length.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_ram.h"
#include "virtio_pci.h"

static struct vmctl_pci_bus bus;
static struct vmctl_virtio_dev vdev;
static struct vmctl_vq_req req;
static int pin_level[24];
static unsigned int handled;

static void set_irq(void *ctx, unsigned int pin, int level)
{
	(void)ctx;
	pin_level[pin] = level;
}

static int echo_handle(struct vmctl_virtio_dev *d, unsigned int q)
{
	struct vmctl_vq *vq = &d->vqs[q];
	int ret;

	while ((ret = vmctl_vq_pop(vq, &d->ram, &req)) > 0) {
		handled++;
		vmctl_vq_push(vq, req.head, req.in_len);
		vmctl_virtio_used(d, q);
	}
	return ret;
}

static const struct vmctl_virtio_backend echo = {
	.name = "virtio-test", .device_id = 4, .class = 0xff0000,
	.handle = echo_handle,
};

static uint32_t bar_base;

/* MSI-X messages sent (the VM's VMCTL_SIGNAL_MSI). */
static unsigned int msis;
static uint64_t msi_address;
static uint32_t msi_data;

static void send_msi(void *ctx, uint64_t address, uint32_t data)
{
	(void)ctx;
	msis++;
	msi_address = address;
	msi_data = data;
}

/* The VM's doorbells: which eventfd rings for which address. */
#define MAX_DOORBELLS 8
static struct { uint64_t addr; int fd; } doorbells[MAX_DOORBELLS];
static unsigned int nr_doorbells, doorbell_calls;
static int doorbell_refusal;

static int doorbell(void *ctx, int efd, uint64_t addr, unsigned int len,
		    bool assign)
{
	unsigned int i;

	(void)ctx;
	doorbell_calls++;
	assert_int_equal(len, 2);
	if (assign && doorbell_refusal)
		return doorbell_refusal;
	for (i = 0; i < nr_doorbells; i++)
		if (doorbells[i].addr == addr && doorbells[i].fd == efd)
			break;
	if (assign) {
		assert_int_equal(i, nr_doorbells);	/* never twice */
		assert_true(nr_doorbells < MAX_DOORBELLS);
		doorbells[nr_doorbells].addr = addr;
		doorbells[nr_doorbells++].fd = efd;
	} else {
		assert_true(i < nr_doorbells);		/* only what was there */
		doorbells[i] = doorbells[--nr_doorbells];
	}
	return 0;
}

/* The eventfd that rings for a write to addr, or -1. */
static int doorbell_at(uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < nr_doorbells; i++)
		if (doorbells[i].addr == addr)
			return doorbells[i].fd;
	return -1;
}

static int setup(void **state)
{
	(void)state;
	ram_setup();
	handled = 0;
	msis = 0;
	nr_doorbells = doorbell_calls = 0;
	doorbell_refusal = 0;
	memset(pin_level, 0, sizeof(pin_level));
	vmctl_pci_bus_init(&bus, set_irq, NULL);
	assert_int_equal(vmctl_virtio_init(&vdev, &echo, NULL, 2, 16,
					   &guest_ram), 0);
	vdev.host_features |= 1ULL << 5;	/* a device feature */
	vdev.config[0] = 0x5a;
	vdev.config_len = 4;
	vdev.msix.send = send_msi;
	vdev.host = (struct vmctl_virtio_host){ doorbell, NULL };
	assert_int_equal(vmctl_pci_bus_plug(&bus, &vdev.pci), 0);
	bar_base = vmctl_pci_cfg_read(&bus, 1, 0, 0x10, 4) & ~15U;
	vmctl_pci_cfg_write(&bus, 1, 0, 0x04, 2, PCI_COMMAND_MEMORY);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmctl_virtio_destroy(&vdev);
	vmctl_pci_bus_destroy(&bus);
	return 0;
}

/* BAR 0 accesses through the bus, as the guest's MMIO would arrive. */
static uint64_t rd(uint64_t off, unsigned int size)
{
	return vmctl_pci_mem_ops.read(&bus, bar_base + off - VMCTL_PCI_HOLE_BASE,
				      size);
}

static void wr(uint64_t off, unsigned int size, uint64_t v)
{
	vmctl_pci_mem_ops.write(&bus, bar_base + off - VMCTL_PCI_HOLE_BASE,
				size, v);
}

static uint8_t status(void)
{
	return rd(20, 1);
}

static void test_pci_identity_and_caps(void **state)
{
	unsigned int off, found = 0, msix = 0;

	(void)state;
	assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, 0, 4), 0x10441af4);
	assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, 0x08, 1), 1);
	for (off = vmctl_pci_cfg_read(&bus, 1, 0, 0x34, 1); off;
	     off = vmctl_pci_cfg_read(&bus, 1, 0, off + 1, 1)) {
		unsigned int type = vmctl_pci_cfg_read(&bus, 1, 0, off + 3, 1);
		uint32_t at = vmctl_pci_cfg_read(&bus, 1, 0, off + 8, 4);

		if (vmctl_pci_cfg_read(&bus, 1, 0, off, 1) == PCI_CAP_ID_MSIX) {
			msix = off;
			continue;
		}
		assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, off, 1), 0x09);
		assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, off + 4, 1), 0);
		found |= 1U << type;
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			assert_int_equal(at, VIRTIO_BAR_NOTIFY);
			assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, off + 16, 4),
					 VIRTIO_NOTIFY_MULTIPLIER);
		}
		if (type == VIRTIO_PCI_CAP_COMMON_CFG)
			assert_true(vmctl_pci_cfg_read(&bus, 1, 0, off + 12, 4) >= 56);
	}
	assert_int_equal(found, 0x1e);	/* common, notify, ISR, device */
	assert_int_equal(rd(VIRTIO_BAR_DEVICE, 1), 0x5a);
	/* MSI-X: 3 vectors (2 queues, configuration), off; table in BAR 0. */
	assert_true(msix);
	assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, msix + 2, 2), 2);
	assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, msix + 4, 4),
			 VIRTIO_BAR_MSIX_TABLE);
	assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, msix + 8, 4),
			 VIRTIO_BAR_MSIX_PBA);
	/* Only Enable and Function Mask are writable. */
	vmctl_pci_cfg_write(&bus, 1, 0, msix + 2, 2, 0xffff);
	assert_int_equal(vmctl_pci_cfg_read(&bus, 1, 0, msix + 2, 2), 0xc002);
	/* Vectors read "none" until the driver maps them. */
	assert_int_equal(rd(16, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(rd(26, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(rd(18, 2), 2);		/* num_queues */
}

static void test_features(void **state)
{
	(void)state;
	wr(0, 4, 0);
	assert_int_equal(rd(4, 4), 1U << 5 | 1U << 28 | 1U << 29);
	wr(0, 4, 1);
	assert_int_equal(rd(4, 4), 1);			/* VERSION_1 */
	wr(0, 4, 2);
	assert_int_equal(rd(4, 4), 0);
	/* A legacy driver (no VERSION_1) is refused FEATURES_OK. */
	wr(20, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(8, 4, 0);
	wr(12, 4, 1U << 5);
	wr(20, 1, 0x0b);
	assert_false(status() & VIRTIO_STATUS_FEATURES_OK);
	/* A feature not offered: refused too. */
	wr(8, 4, 1);
	wr(12, 4, 1 | 2);
	wr(20, 1, 0x0b);
	assert_false(status() & VIRTIO_STATUS_FEATURES_OK);
	wr(12, 4, 1);
	wr(8, 4, 0);
	wr(12, 4, 1U << 29);
	wr(20, 1, 0x0b);
	assert_int_equal(status(), 0x0b);
	assert_true(vmctl_virtio_has(&vdev, VIRTIO_F_RING_EVENT_IDX));
	assert_true(vdev.vqs[1].event_idx);
	/* Fixed from now on. */
	wr(20, 1, 0x0f);
	assert_int_equal(status(), 0x0f);
	wr(12, 4, 0);
	assert_int_equal(rd(12, 4), 1U << 29);
	/* Reset clears everything. */
	wr(20, 1, 0);
	assert_int_equal(status(), 0);
	assert_int_equal(vdev.guest_features, 0);
}

/* What Linux does up to DRIVER_OK, with queue 0 at the test rings. */
static void bring_up(uint16_t qsize)
{
	wr(20, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(8, 4, 1);
	wr(12, 4, 1);
	wr(20, 1, 0x0b);
	wr(22, 2, 0);
	assert_int_equal(rd(24, 2), 16);		/* maximum */
	wr(24, 2, qsize);
	wr(32, 4, DESC_GPA);
	wr(36, 4, 0);
	wr(40, 4, AVAIL_GPA);
	wr(44, 4, 0);
	wr(48, 4, USED_GPA);
	wr(52, 4, 0);
	assert_int_equal(rd(30, 2), 0);			/* notify offset */
	wr(28, 2, 1);
}

static void test_request_and_intx(void **state)
{
	(void)state;
	bring_up(8);
	assert_int_equal(rd(28, 2), 1);
	assert_int_equal(rd(32, 4), DESC_GPA);
	/* Ring addresses are fixed while the queue is enabled. */
	wr(32, 4, 0x5000);
	assert_int_equal(rd(32, 4), DESC_GPA);
	wr(20, 1, 0x0f);
	set_desc(0, BUF_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 0);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	assert_int_equal(vdev.stats.notifications, 1);
	vmctl_virtio_serve(&vdev);
	assert_int_equal(handled, 1);
	assert_int_equal(rd16(USED_GPA + 2), 1);
	assert_int_equal(rd32(USED_GPA + 8), 100);
	assert_int_equal(pin_level[17], 1);
	/* Reading the ISR says "queue", clears it and lowers the line. */
	assert_int_equal(rd(VIRTIO_BAR_ISR, 1), 1);
	assert_int_equal(pin_level[17], 0);
	assert_int_equal(rd(VIRTIO_BAR_ISR, 1), 0);
}

static void test_notify_before_driver_ok(void **state)
{
	(void)state;
	bring_up(8);
	set_desc(0, BUF_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 0);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	wr(VIRTIO_BAR_NOTIFY + 4 * 7, 2, 0);		/* no such queue */
	vmctl_virtio_serve(&vdev);
	assert_int_equal(handled, 0);
	assert_int_equal(vdev.stats.ignored_notifications, 2);
	assert_int_equal(rd16(USED_GPA + 2), 0);
	assert_int_equal(pin_level[17], 0);
	/* DRIVER_OK then serves what was queued. */
	wr(20, 1, 0x0f);
	vmctl_virtio_serve(&vdev);
	assert_int_equal(handled, 1);
}

/* The device needs a reset and says so with a configuration interrupt. */
static void assert_broken(void)
{
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(pin_level[17], 1);
	assert_int_equal(rd(VIRTIO_BAR_ISR, 1), 2);
	/* Further notifications are ignored. */
	handled = 0;
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	vmctl_virtio_serve(&vdev);
	assert_int_equal(handled, 0);
	/* Until a reset. */
	wr(20, 1, 0);
	assert_int_equal(status(), 0);
	assert_int_equal(rd(28, 2), 0);
}

static void test_driver_ok_without_features_ok(void **state)
{
	(void)state;
	wr(20, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(8, 4, 1);
	wr(12, 4, 1);
	wr(22, 2, 0);
	wr(24, 2, 8);
	wr(32, 4, DESC_GPA);
	wr(40, 4, AVAIL_GPA);
	wr(48, 4, USED_GPA);
	wr(28, 2, 1);
	wr(20, 1, 0x07);			/* DRIVER_OK, no FEATURES_OK */
	set_desc(0, BUF_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 0);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	vmctl_virtio_serve(&vdev);
	assert_int_equal(handled, 0);
	assert_int_equal(vdev.stats.ignored_notifications, 1);
	/* Too late to agree on features now. */
	wr(20, 1, 0x0f);
	assert_int_equal(status(), 0x07);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	vmctl_virtio_serve(&vdev);
	assert_int_equal(handled, 0);
}

static void test_queue_size_not_power_of_2(void **state)
{
	(void)state;
	bring_up(12);
	assert_int_equal(rd(28, 2), 0);		/* not enabled */
	assert_broken();
	/* A queue bigger than the maximum, after the reset. */
	bring_up(32);
	assert_broken();
	bring_up(16);
	assert_false(status() & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_ring_outside_ram(void **state)
{
	(void)state;
	wr(20, 1, 3);
	wr(22, 2, 1);
	wr(40, 4, 0x1000);			/* below RAM */
	wr(28, 2, 1);
	assert_broken();
}

static void test_descriptor_loop(void **state)
{
	(void)state;
	bring_up(8);
	wr(20, 1, 0x0f);
	set_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 0);
	make_avail(8, 0);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	vmctl_virtio_serve(&vdev);
	assert_int_equal(vdev.broken_err, VQ_ERR_LOOP);
	assert_int_equal(rd16(USED_GPA + 2), 0);	/* nothing returned */
	assert_broken();
	/* After the reset the device works again. */
	bring_up(8);
	wr(20, 1, 0x0f);
	memset(host(AVAIL_GPA), 0, 64);
	memset(host(USED_GPA), 0, 64);
	set_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 0);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	vmctl_virtio_serve(&vdev);
	assert_int_equal(handled, 1);
	assert_int_equal(rd16(USED_GPA + 2), 1);
}

/* One 100-byte chain on queue 0, notified and served on this thread. */
static void serve_one(void)
{
	set_desc(0, BUF_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 0);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	vmctl_virtio_serve(&vdev);
}

/* The MSI-X capability's offset. */
static unsigned int msix_cap(void)
{
	unsigned int off;

	for (off = vmctl_pci_cfg_read(&bus, 1, 0, 0x34, 1); off;
	     off = vmctl_pci_cfg_read(&bus, 1, 0, off + 1, 1))
		if (vmctl_pci_cfg_read(&bus, 1, 0, off, 1) == PCI_CAP_ID_MSIX)
			return off;
	fail();
	return 0;
}

/* What Linux's vp_find_vqs_msix does: vector v = 0xfee00000, data 0x40+v. */
static void enable_msix(void)
{
	unsigned int v;

	for (v = 0; v < 3; v++) {
		wr(VIRTIO_BAR_MSIX_TABLE + 16 * v, 4, 0xfee00000);
		wr(VIRTIO_BAR_MSIX_TABLE + 16 * v + 4, 4, 0);
		wr(VIRTIO_BAR_MSIX_TABLE + 16 * v + 8, 4, 0x40 + v);
		wr(VIRTIO_BAR_MSIX_TABLE + 16 * v + 12, 4, 0);	/* unmask */
	}
	vmctl_pci_cfg_write(&bus, 1, 0, msix_cap() + 2, 2,
			    PCI_MSIX_FLAGS_ENABLE);
}

static void test_msix_vector_per_queue(void **state)
{
	(void)state;
	enable_msix();
	/* Config vector 0, queue 0 vector 1, queue 1 vector 2. */
	wr(16, 2, 0);
	assert_int_equal(rd(16, 2), 0);
	bring_up(8);
	wr(26, 2, 1);
	assert_int_equal(rd(26, 2), 1);
	wr(22, 2, 1);
	wr(26, 2, 3);			/* no vector 3: "none" */
	assert_int_equal(rd(26, 2), VIRTIO_MSI_NO_VECTOR);
	wr(26, 2, 2);
	assert_int_equal(rd(26, 2), 2);
	wr(22, 2, 0);
	assert_int_equal(rd(26, 2), 1);
	wr(20, 1, 0x0f);
	serve_one();
	assert_int_equal(handled, 1);
	/* Queue 0's message, and no INTx nor ISR with MSI-X on. */
	assert_int_equal(msis, 1);
	assert_int_equal(msi_address, 0xfee00000);
	assert_int_equal(msi_data, 0x41);
	assert_int_equal(pin_level[17], 0);
	assert_int_equal(rd(VIRTIO_BAR_ISR, 1), 0);
	assert_int_equal(vdev.stats.q[0].interrupts, 1);
	assert_int_equal(vdev.stats.q[0].notifications, 1);
	/* A broken queue: the configuration vector. */
	set_desc(1, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	make_avail(8, 1);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	vmctl_virtio_serve(&vdev);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(msis, 2);
	assert_int_equal(msi_data, 0x40);
	/* A reset unmaps the vectors; MSI-X itself stays on (PCI state). */
	wr(20, 1, 0);
	assert_int_equal(rd(16, 2), VIRTIO_MSI_NO_VECTOR);
	assert_true(vmctl_msix_enabled(&vdev.msix));
}

static void test_msix_masked_vector_pends(void **state)
{
	(void)state;
	enable_msix();
	bring_up(8);
	wr(26, 2, 1);
	wr(20, 1, 0x0f);
	/* The driver masks vector 1 (Linux does while it moves an IRQ). */
	wr(VIRTIO_BAR_MSIX_TABLE + 16 + 12, 4, 1);
	serve_one();
	assert_int_equal(handled, 1);
	assert_int_equal(msis, 0);
	assert_int_equal(rd(VIRTIO_BAR_MSIX_PBA, 4), 2);
	/* The new message goes out on unmask, once. */
	wr(VIRTIO_BAR_MSIX_TABLE + 16 + 8, 4, 0x51);
	wr(VIRTIO_BAR_MSIX_TABLE + 16 + 12, 4, 0);
	assert_int_equal(msis, 1);
	assert_int_equal(msi_data, 0x51);
	assert_int_equal(rd(VIRTIO_BAR_MSIX_PBA, 4), 0);
	wr(VIRTIO_BAR_MSIX_TABLE + 16 + 12, 4, 0);
	assert_int_equal(msis, 1);
}

static void test_msix_disabled_means_intx(void **state)
{
	(void)state;
	/* Vectors mapped but MSI-X left off: INTx and the ISR. */
	bring_up(8);
	wr(26, 2, 1);
	wr(20, 1, 0x0f);
	serve_one();
	assert_int_equal(msis, 0);
	assert_int_equal(pin_level[17], 1);
	assert_int_equal(rd(VIRTIO_BAR_ISR, 1), 1);
}

static void wait_handled(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 2000 && __atomic_load_n(&handled, __ATOMIC_SEQ_CST) < n;
	     i++)
		usleep(1000);
	assert_int_equal(__atomic_load_n(&handled, __ATOMIC_SEQ_CST), n);
}

static void test_doorbells(void **state)
{
	uint64_t notify = bar_base + VIRTIO_BAR_NOTIFY;
	int fd;

	(void)state;
	/* None without a worker to listen. */
	assert_int_equal(nr_doorbells, 0);
	assert_int_equal(vmctl_virtio_start(&vdev), 0);
	/* One per queue, 16-bit writes at each queue's notify address. */
	assert_int_equal(nr_doorbells, 2);
	assert_true(doorbell_at(notify) >= 0);
	assert_true(doorbell_at(notify + VIRTIO_NOTIFY_MULTIPLIER) >= 0);
	/* A ring of queue 0's doorbell is a notification: served. */
	bring_up(8);
	wr(20, 1, 0x0f);
	set_desc(0, BUF_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 0);
	eventfd_write(doorbell_at(notify), 1);
	wait_handled(1);
	assert_int_equal(vdev.stats.q[0].notifications, 1);
	/* Decoding off: gone; on at a new address: there. */
	vmctl_pci_cfg_write(&bus, 1, 0, 0x04, 2, 0);
	assert_int_equal(nr_doorbells, 0);
	vmctl_pci_cfg_write(&bus, 1, 0, 0x10, 4, bar_base + 0x100000);
	assert_int_equal(nr_doorbells, 0);
	vmctl_pci_cfg_write(&bus, 1, 0, 0x04, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(nr_doorbells, 2);
	fd = doorbell_at(notify + 0x100000);
	assert_true(fd >= 0);
	/* Moved while decoding: follows. */
	vmctl_pci_cfg_write(&bus, 1, 0, 0x10, 4, bar_base);
	assert_int_equal(doorbell_at(notify), fd);
	assert_int_equal(doorbell_at(notify + 0x100000), -1);
	set_desc(1, BUF_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 1);
	eventfd_write(fd, 1);
	wait_handled(2);
	/* The worker stops: the doorbells go. */
	vmctl_virtio_stop(&vdev);
	assert_int_equal(nr_doorbells, 0);
}

static void test_doorbells_refused(void **state)
{
	(void)state;
	/* A module without doorbells: none left half-made, notifies exit. */
	doorbell_refusal = -ENOTTY;
	assert_int_equal(vmctl_virtio_start(&vdev), 0);
	assert_int_equal(nr_doorbells, 0);
	bring_up(8);
	wr(20, 1, 0x0f);
	set_desc(0, BUF_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 0);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	wait_handled(1);
	vmctl_virtio_stop(&vdev);
	assert_int_equal(nr_doorbells, 0);
}

static void test_worker_thread(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(vmctl_virtio_start(&vdev), 0);
	bring_up(8);
	wr(20, 1, 0x0f);
	set_desc(0, BUF_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(8, 0);
	wr(VIRTIO_BAR_NOTIFY, 2, 0);
	for (i = 0; i < 2000 && !__atomic_load_n(&handled, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	assert_int_equal(__atomic_load_n(&handled, __ATOMIC_SEQ_CST), 1);
	vmctl_virtio_stop(&vdev);
	assert_false(vdev.worker_running);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pci_identity_and_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_and_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_before_driver_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_ok_without_features_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_size_not_power_of_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_vector_per_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_masked_vector_pends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_disabled_means_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doorbells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doorbells_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_thread, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
