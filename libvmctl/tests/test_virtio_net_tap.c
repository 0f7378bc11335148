// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-net on a VM (the fake module stands in for the kernel) and a
 * real tap on this host: refusals with nothing left behind, a tap made
 * for the VM (up while the VM lives, gone after it), the default MAC in
 * the configuration space, and frames both ways between a guest driver
 * (driven through the VM's I/O tables, rings in guest RAM) and a packet
 * socket on the tap, served by the device's worker thread; the
 * receive budget never stranding a frame it read; the offloads: only
 * those the tap takes offered (the fake module refuses some), a refusal
 * while running leaving the tap with none, and a TSO frame the host
 * sends reaching a driver that took GUEST_TSO4 whole (segmented by the
 * host for one that did not).  The card's state: moved between two VMs
 * on a tap the source lets go (a migration on one host), with its MAC
 * and queues; refused on a tap that lacks an offload its driver took.
 * Needs CAP_NET_ADMIN and /dev/net/tun; without them the tests that
 * need a tap are skipped (and say so), never passed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_module.h"
#include "guest_virtio.h"
#include "store_watch.h"
#include "internal.h"
#include "virtio_net.h"
#include "virtio_pci.h"

#define MIB		(1ULL << 20)
#define RX_DESC		0x100000ULL
#define TX_DESC		0x104000ULL
#define AVAIL		0x1000		/* from the descriptors */
#define USED		0x2000
#define RX_BUF		0x200000ULL	/* 4 KiB each */
#define TX_BUF		0x300000ULL
#define QSIZE		16
#define ETHERTYPE_TEST	0x88b5		/* IEEE local experimental */

static struct vmctl *sys;
static struct vmctl_vm *vm;
static uint8_t *ram;

static bool can_make_taps(void)
{
	char name[IFNAMSIZ];
	unsigned int offloads;
	int fd = vmctl_tap_open(NULL, name, &offloads);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(vmctl_open(&sys), 0);
	assert_int_equal(vmctl_vm_create(sys, "net", &vm), 0);
	assert_int_equal(vmctl_vm_add_memory(vm, 0, 64 * MIB, 0), 0);
	ram = vmctl_vm_gpa_to_hva(vm, 0, 64 * MIB);
	guest = (struct guest_virtio){ vm, ram, 0 };
	fake_tun_refused = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmctl_vm_destroy(vm);
	vmctl_close(sys);
	return 0;
}

static void test_refusals(void **state)
{
	struct vmctl_net n = { .tap = "nosuch0" };

	(void)state;
	assert_int_equal(vmctl_net_create(vm, &n, NULL), -ENODEV);
	assert_string_equal(vmctl_error_detail(),
			    "no network interface named 'nosuch0'");
	n.tap = "way-too-long-name";
	assert_int_equal(vmctl_net_create(vm, &n, NULL), -EINVAL);
	n.tap = "tap%d";
	assert_int_equal(vmctl_net_create(vm, &n, NULL), -EINVAL);
	assert_int_equal(guest_nr_devices(), 0);
	if (access("/dev/net/tun", R_OK | W_OK))
		skip();
	/* An interface that is not a tap. */
	n.tap = "lo";
	assert_int_equal(vmctl_net_create(vm, &n, NULL), -EINVAL);
	assert_non_null(strstr(vmctl_error_detail(), "'lo' is not a tap"));
	assert_int_equal(guest_nr_devices(), 0);
}

/* ---- a guest driver's side (guest_virtio.h) ---- */

/*
 * Probe the card in slot 1 up to DRIVER_OK with every feature offered
 * but those in drop; returns the features offered.
 */
static uint64_t bring_up_without(uint64_t drop)
{
	uint64_t features;

	assert_int_equal(guest_cfg_read(1, 0), 0x10411af4);	/* virtio-net */
	assert_int_equal(guest_cfg_read(1, 8) >> 8, 0x020000);	/* Ethernet */
	features = guest_negotiate(1, drop);
	memset(ram + RX_DESC, 0, 0x8000);
	guest_queue(0, QSIZE, RX_DESC, RX_DESC + AVAIL, RX_DESC + USED);
	guest_queue(1, QSIZE, TX_DESC, TX_DESC + AVAIL, TX_DESC + USED);
	guest_wr(20, 1, 0x0f);
	return features;
}

static uint64_t bring_up(void)
{
	return bring_up_without(0);
}

static void desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len,
		 uint16_t flags)
{
	guest_desc(table, i, addr, len, flags, 0);
}

static void make_avail(uint64_t table, uint16_t head)
{
	uint16_t idx = *(uint16_t *)(ram + table + AVAIL + 2);

	memcpy(ram + table + AVAIL + 4 + 2 * (idx % QSIZE), &head, 2);
	__atomic_store_n((uint16_t *)(ram + table + AVAIL + 2), idx + 1,
			 __ATOMIC_RELEASE);
}

static uint16_t used_idx(uint64_t table)
{
	return __atomic_load_n((uint16_t *)(ram + table + USED + 2),
			       __ATOMIC_ACQUIRE);
}

/* A packet socket on the tap's side for the test's frames only. */
static int packet_socket(const char *ifname, struct sockaddr_ll *sll)
{
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_TEST));

	assert_true(s >= 0);
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons(ETHERTYPE_TEST);
	sll->sll_ifindex = if_nametoindex(ifname);
	assert_true(sll->sll_ifindex > 0);
	assert_int_equal(bind(s, (struct sockaddr *)sll, sizeof(*sll)), 0);
	return s;
}

static void make_frame(uint8_t *f, const uint8_t *src, size_t len,
		       uint8_t seed)
{
	size_t i;

	memset(f, 0xff, 6);			/* broadcast */
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	for (i = 14; i < len; i++)
		f[i] = seed + i;
}

static void test_frames_both_ways(void **state)
{
	struct vmctl_net n = { 0 };
	char ifname[IFNAMSIZ];
	static const uint8_t host_mac[6] = { 2, 1, 2, 3, 4, 5 };
	uint8_t mac[6], want[6], frame[1514], got[2048];
	struct sockaddr_ll sll;
	struct pollfd pfd;
	unsigned int i, idx, found = 0;
	uint16_t head, nb;
	int s;

	(void)state;
	if (!can_make_taps())
		skip();
	assert_int_equal(vmctl_net_create(vm, &n, ifname), 0);
	assert_int_equal(strncmp(ifname, "vmctl", 5), 0);
	assert_true(if_nametoindex(ifname) > 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	assert_true(bring_up() & 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	for (i = 0; i < 6; i++)
		mac[i] = guest_rd(VIRTIO_BAR_DEVICE + i, 1);
	vmctl_net_default_mac("net", 0, want);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(guest_rd(VIRTIO_BAR_DEVICE + 6, 2), VIRTIO_NET_S_LINK_UP);
	s = packet_socket(ifname, &sll);

	/* Guest -> tap: the header, then the frame, in two buffers. */
	make_frame(frame, mac, sizeof(frame), 1);
	memset(ram + TX_BUF, 0, VMCTL_NET_HDR_LEN);
	memcpy(ram + TX_BUF + 0x1000, frame, sizeof(frame));
	desc(TX_DESC, 0, TX_BUF, VMCTL_NET_HDR_LEN, VIRTQ_DESC_F_NEXT);
	memcpy(ram + TX_DESC + 14, &(uint16_t){ 1 }, 2);
	desc(TX_DESC, 1, TX_BUF + 0x1000, sizeof(frame), 0);
	make_avail(TX_DESC, 0);
	guest_wr(VIRTIO_BAR_NOTIFY + 4, 2, 1);
	pfd = (struct pollfd){ .fd = s, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(recv(s, got, sizeof(got), 0), sizeof(frame));
	assert_memory_equal(got, frame, sizeof(frame));
	for (i = 0; i < 5000 && used_idx(TX_DESC) != 1; i++)
		usleep(1000);
	assert_int_equal(used_idx(TX_DESC), 1);

	/* Tap -> guest: page-sized receive buffers, as Linux gives them. */
	for (i = 0; i < QSIZE; i++) {
		desc(RX_DESC, i, RX_BUF + 0x1000 * i, 4096, VIRTQ_DESC_F_WRITE);
		make_avail(RX_DESC, i);
	}
	guest_wr(VIRTIO_BAR_NOTIFY, 2, 0);
	make_frame(frame, host_mac, sizeof(frame), 9);
	assert_int_equal(sendto(s, frame, sizeof(frame), 0,
				(struct sockaddr *)&sll, sizeof(sll)),
			 sizeof(frame));
	/* The host may send frames of its own (IPv6): find ours. */
	for (idx = 0; !found && idx < QSIZE; idx++) {
		uint32_t len;

		for (i = 0; i < 5000 && used_idx(RX_DESC) <= idx; i++)
			usleep(1000);
		assert_true(used_idx(RX_DESC) > idx);
		memcpy(&head, ram + RX_DESC + USED + 4 + 8 * idx, 2);
		memcpy(&len, ram + RX_DESC + USED + 8 + 8 * idx, 4);
		if (memcmp(ram + RX_BUF + 0x1000 * head + VMCTL_NET_HDR_LEN + 12,
			   "\x88\xb5", 2))
			continue;
		found = 1;
		assert_int_equal(len, VMCTL_NET_HDR_LEN + sizeof(frame));
		memcpy(&nb, ram + RX_BUF + 0x1000 * head + 10, 2);
		assert_int_equal(nb, 1);
		assert_memory_equal(ram + RX_BUF + 0x1000 * head +
				    VMCTL_NET_HDR_LEN, frame, sizeof(frame));
	}
	assert_true(found);
	/* The INTx line went up; reading the ISR acknowledges it. */
	assert_int_equal(guest_wait_isr(1) & 1, 1);
	close(s);
	vmctl_devices_stop(&vm->devices);
	/* The tap made for the VM goes with it. */
	vmctl_vm_destroy(vm);
	vm = NULL;
	assert_int_equal(if_nametoindex(ifname), 0);
	assert_int_equal(vmctl_vm_create(sys, "net", &vm), 0);
}

/*
 * A card on a tap made for it, its worker running, up to DRIVER_OK with
 * the features offered but drop; returns the features offered.
 */
static uint64_t start_card(char *ifname, uint64_t drop)
{
	struct vmctl_net n = { 0 };

	if (!can_make_taps())
		skip();
	assert_int_equal(vmctl_net_create(vm, &n, ifname), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	return bring_up_without(drop);
}

/*
 * A burst of frames through a receive ring kept short, refilled the way
 * Linux does it (buffers given back as they are used, a notification only
 * when avail_event asks for one): the device, out of buffers again and
 * again, must never sleep while buffers are there nor miss the driver's
 * notification.
 */
static void give_back(uint16_t head)
{
	uint16_t old = *(uint16_t *)(ram + RX_DESC + AVAIL + 2), event;

	make_avail(RX_DESC, head);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	memcpy(&event, ram + RX_DESC + USED + 4 + 8 * QSIZE, 2);
	if ((uint16_t)(old + 1 - event - 1) < 1)
		guest_wr(VIRTIO_BAR_NOTIFY, 2, 0);
}

static void test_rx_burst(void **state)
{
	enum { FRAMES = 200, RING = 4 };
	static const uint8_t host_mac[6] = { 2, 1, 2, 3, 4, 6 };
	unsigned int i, spins, got = 0, used = 0;
	char ifname[IFNAMSIZ];
	uint8_t frame[1000];
	struct sockaddr_ll sll;
	int s;

	(void)state;
	start_card(ifname, 0);
	s = packet_socket(ifname, &sll);
	for (i = 0; i < RING; i++) {
		desc(RX_DESC, i, RX_BUF + 0x1000 * i, 4096, VIRTQ_DESC_F_WRITE);
		make_avail(RX_DESC, i);
	}
	guest_wr(VIRTIO_BAR_NOTIFY, 2, 0);
	for (i = 0; i < FRAMES; i++) {
		make_frame(frame, host_mac, sizeof(frame), 0);
		frame[14] = i;
		assert_int_equal(sendto(s, frame, sizeof(frame), 0,
					(struct sockaddr *)&sll, sizeof(sll)),
				 sizeof(frame));
	}
	for (spins = 0; got < FRAMES && spins < 10000; spins++) {
		uint16_t head;
		uint8_t *f;

		if (used == used_idx(RX_DESC)) {
			usleep(1000);
			continue;
		}
		memcpy(&head, ram + RX_DESC + USED + 4 + 8 * (used % QSIZE), 2);
		used++;
		f = ram + RX_BUF + 0x1000 * head + VMCTL_NET_HDR_LEN;
		if (!memcmp(f + 12, "\x88\xb5", 2)) {
			assert_int_equal(f[14], (uint8_t)got);
			got++;
		}
		give_back(head);
	}
	assert_int_equal(got, FRAMES);
	close(s);
	vmctl_devices_stop(&vm->devices);
}

/*
 * The receive budget (frames read per wake-up) never leaves a frame it
 * read waiting for the tap to wake the device again: here a driver adds
 * one buffer each time the device, out of room, asks for more (its
 * avail_event store, seen through store_watch.h), so the device may
 * place every frame it reads, and after one wake-up each of them is in
 * the ring.  The device is served on this thread, so the order is fixed.
 */
static void driver_adds_one(void *addr)
{
	uint16_t idx;

	if (addr != ram + RX_DESC + USED + 4 + 8 * QSIZE)
		return;				/* not avail_event */
	memcpy(&idx, ram + RX_DESC + AVAIL + 2, 2);
	make_avail(RX_DESC, idx % QSIZE);	/* that buffer came back */
}

static void test_rx_budget_strands_nothing(void **state)
{
	static const uint8_t host_mac[6] = { 2, 1, 2, 3, 4, 7 };
	struct vmctl_net n = { 0 };
	struct vmctl_virtio_dev *vdev;
	struct vmctl_pci_bus *bus;
	char ifname[IFNAMSIZ];
	uint8_t frame[1000];
	struct sockaddr_ll sll;
	unsigned int i;
	int s;

	(void)state;
	if (!can_make_taps())
		skip();
	assert_int_equal(vmctl_net_create(vm, &n, ifname), 0);
	bring_up();
	bus = vmctl_io_table_find(&vm->pio, 0xcf8)->opaque;
	vdev = container_of(bus->devs[1], struct vmctl_virtio_dev, pci);
	for (i = 0; i < QSIZE; i++) {
		desc(RX_DESC, i, RX_BUF + 0x1000 * i, 4096, VIRTQ_DESC_F_WRITE);
		make_avail(RX_DESC, i);
	}
	/* More frames than one wake-up reads. */
	s = packet_socket(ifname, &sll);
	make_frame(frame, host_mac, sizeof(frame), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(sendto(s, frame, sizeof(frame), 0,
					(struct sockaddr *)&sll, sizeof(sll)),
				 sizeof(frame));
	guest_wr(VIRTIO_BAR_NOTIFY, 2, 0);
	watch_stores(ram + RX_DESC + USED, driver_adds_one);
	vmctl_virtio_serve(vdev);
	unwatch_stores();
	/* 64 read, 64 in the ring: the 64th not kept back. */
	assert_int_equal(used_idx(RX_DESC), 64);
	close(s);
}

/*
 * The receive queue's doorbell (what the module signals on the guest's
 * write to the queue's notify address; written here as the module
 * would): a device out of receive buffers, holding a frame it read,
 * waits for that doorbell and nothing else (not the tap, not the
 * transmit queue's doorbell); rung after the driver added buffers, it
 * brings the frame in, counted as a notification of the rx queue.
 */
static uint64_t notify_addr(unsigned int q)
{
	guest_wr(22, 2, q);				/* queue_select */
	return guest.bar + VIRTIO_BAR_NOTIFY +
	       guest_rd(30, 2) * VIRTIO_NOTIFY_MULTIPLIER; /* notify_off */
}

/* Frames the device took from the tap (tun counts them as sent). */
static unsigned long tap_frames_read(const char *ifname)
{
	char path[96];
	unsigned long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_packets",
		 ifname);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu", &n), 1);
	fclose(f);
	return n;
}

static void ring(int bell)
{
	assert_int_equal(write(bell, &(uint64_t){ 1 }, 8), 8);
}

/* Whether a frame of ours came into one of the buffers used so far. */
static bool test_frame_received(uint8_t seed)
{
	unsigned int i;

	for (i = 0; i < used_idx(RX_DESC); i++) {
		uint16_t head;
		uint8_t *f;

		memcpy(&head, ram + RX_DESC + USED + 4 + 8 * (i % QSIZE), 2);
		f = ram + RX_BUF + 0x1000 * head + VMCTL_NET_HDR_LEN;
		if (!memcmp(f + 12, "\x88\xb5", 2) && f[14] == (uint8_t)(seed + 14))
			return true;
	}
	return false;
}

/* The queues' notification counters: [0] rx, [1] tx. */
static uint64_t notified[2];

static void note_notified(void *ctx, const struct vmctl_device_counter *c)
{
	(void)ctx;
	if (*c->queue && !strcmp(c->name, "notifications"))
		notified[strcmp(c->queue, "rx") != 0] = c->value;
}

static void test_rx_doorbell(void **state)
{
	static const uint8_t host_mac[6] = { 2, 1, 2, 3, 4, 8 };
	char ifname[IFNAMSIZ];
	struct sockaddr_ll sll;
	uint8_t frame[600];
	uint16_t *avail_event;
	int s, rx_bell, tx_bell;
	unsigned int i;

	(void)state;
	start_card(ifname, 0);
	rx_bell = fake_doorbell_fd(notify_addr(0));
	tx_bell = fake_doorbell_fd(notify_addr(1));
	assert_true(rx_bell >= 0 && tx_bell >= 0 && rx_bell != tx_bell);
	/*
	 * A frame, and no buffer for it: the device reads it and waits.
	 * Buffers added before it has taken the rx doorbell and asked for
	 * the next notification (it stores avail_event, EVENT_IDX, over the
	 * test's marker 0xffff) would be taken without a second doorbell:
	 * the frame can come through the tap's readiness before the
	 * doorbell is read.  So wait for all three, and for the worker to
	 * finish that pass.
	 */
	avail_event = (uint16_t *)(ram + RX_DESC + USED + 4 + 8 * QSIZE);
	__atomic_store_n(avail_event, 0xffff, __ATOMIC_RELEASE);
	s = packet_socket(ifname, &sll);
	make_frame(frame, host_mac, sizeof(frame), 0x40);
	assert_int_equal(sendto(s, frame, sizeof(frame), 0,
				(struct sockaddr *)&sll, sizeof(sll)),
			 sizeof(frame));
	ring(rx_bell);
	for (i = 0; i < 5000; i++) {
		vmctl_vm_device_counters(vm, note_notified, NULL);
		if (tap_frames_read(ifname) && notified[0] == 1 &&
		    __atomic_load_n(avail_event, __ATOMIC_ACQUIRE) != 0xffff)
			break;
		usleep(1000);
	}
	assert_true(tap_frames_read(ifname) > 0);
	assert_int_equal(notified[0], 1);
	assert_int_not_equal(__atomic_load_n(avail_event, __ATOMIC_ACQUIRE),
			     0xffff);
	usleep(100000);
	/* Buffers, then the wrong doorbell: nothing moves. */
	for (i = 0; i < QSIZE; i++) {
		desc(RX_DESC, i, RX_BUF + 0x1000 * i, 4096, VIRTQ_DESC_F_WRITE);
		make_avail(RX_DESC, i);
	}
	ring(tx_bell);
	usleep(100000);
	assert_int_equal(used_idx(RX_DESC), 0);
	/* The rx queue's doorbell: the frame comes in. */
	ring(rx_bell);
	for (i = 0; !test_frame_received(0x40) && i < 5000; i++)
		usleep(1000);
	assert_true(test_frame_received(0x40));
	vmctl_vm_device_counters(vm, note_notified, NULL);
	assert_int_equal(notified[0], 2);
	assert_int_equal(notified[1], 1);
	close(s);
	vmctl_devices_stop(&vm->devices);
}

/* A counter of the card's own (not a queue's). */
struct card_counter {
	const char *name;
	uint64_t value;
	bool found;
};

static void note_card_counter(void *ctx, const struct vmctl_device_counter *c)
{
	struct card_counter *cc = ctx;

	if (!*c->queue && !strncmp(c->device, "virtio-net ", 11) &&
	    !strcmp(c->name, cc->name)) {
		cc->value = c->value;
		cc->found = true;
	}
}

static uint64_t card_counter(const char *name)
{
	struct card_counter cc = { .name = name };

	vmctl_vm_device_counters(vm, note_card_counter, &cc);
	assert_true(cc.found);
	return cc.value;
}

#define OFFERED(bit)	(features >> VIRTIO_NET_F_##bit & 1)

/*
 * A tap that refuses some offloads (as a kernel without them would):
 * their features are not offered, the rest are, vmctl stats says how
 * many were refused, and the tap gets what the driver agreed to.
 */
static void test_offloads_the_tap_refuses(void **state)
{
	char ifname[IFNAMSIZ];
	uint64_t features;
	unsigned int i;

	(void)state;
	fake_tun_refused = TUN_F_TSO6 | TUN_F_USO6;
	features = start_card(ifname, 0);
	assert_true(OFFERED(GUEST_CSUM) && OFFERED(GUEST_TSO4) &&
		    OFFERED(GUEST_ECN) && OFFERED(MRG_RXBUF));
	assert_false(OFFERED(GUEST_TSO6) || OFFERED(GUEST_USO4) ||
		     OFFERED(GUEST_USO6) || OFFERED(HOST_USO));
	/* The driver's own offloads need nothing of the tap. */
	assert_true(OFFERED(CSUM) && OFFERED(HOST_TSO4) && OFFERED(HOST_TSO6));
	/* TSO6, and USO4 with USO6 (Linux takes both or neither). */
	assert_int_equal(card_counter("tap_offloads_refused"), 3);
	ring(fake_doorbell_fd(notify_addr(0)));
	for (i = 0; fake_tun_offloads != (TUN_F_CSUM | TUN_F_TSO4 |
					   TUN_F_TSO_ECN) && i < 5000; i++)
		usleep(1000);
	assert_int_equal(fake_tun_offloads,
			 TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO_ECN);
	assert_int_equal(card_counter("tap_offload_errors"), 0);
	vmctl_devices_stop(&vm->devices);
}

/*
 * A tap that took every offload when opened, then refuses the driver's:
 * it is left with none (the host checksums and segments), and counted.
 */
static void test_offloads_refused_while_running(void **state)
{
	char ifname[IFNAMSIZ];
	uint64_t features;
	unsigned int i;

	(void)state;
	if (!can_make_taps())
		skip();
	assert_int_equal(vmctl_net_create(vm, &(struct vmctl_net){ 0 }, ifname),
			 0);
	/* Before the worker first serves (a frame from the host may wake it). */
	fake_tun_refused = TUN_F_TSO4;
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	features = bring_up();
	assert_int_equal(card_counter("tap_offloads_refused"), 0);
	assert_true(OFFERED(GUEST_TSO4) && OFFERED(GUEST_TSO6));
	ring(fake_doorbell_fd(notify_addr(0)));
	for (i = 0; !card_counter("tap_offload_errors") && i < 5000; i++)
		usleep(1000);
	assert_int_equal(card_counter("tap_offload_errors"), 1);
	assert_int_equal(fake_tun_offloads, 0);
	vmctl_devices_stop(&vm->devices);
}

/* One's complement sum of 16-bit big-endian words (RFC 1071), unfolded. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	return len & 1 ? sum + (p[len - 1] << 8) : sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

#define TSO_PORT	5555
#define TSO_MSS		1448
#define TSO_HDRS	(14 + 20 + 20)

/*
 * What a host's TCP hands a device with TSO: a virtio-net header (the
 * packet socket's, 10 bytes) asking for segments of TSO_MSS with the
 * checksum to finish, then one IPv4/TCP frame carrying payload bytes.
 */
static size_t tso_frame(uint8_t *p, const uint8_t *dst, size_t payload)
{
	static const uint8_t ip[20] = {
		0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2,		/* 10.0.0.1 -> 10.0.0.2 */
	};
	uint16_t v, tcp_len = 20 + payload;
	uint8_t *e = p + 10, *iph = e + 14, *tcp = iph + 20;
	size_t i;

	memset(p, 0, 10);
	p[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	p[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	memcpy(p + 2, &(uint16_t){ TSO_HDRS }, 2);	/* hdr_len */
	memcpy(p + 4, &(uint16_t){ TSO_MSS }, 2);	/* gso_size */
	memcpy(p + 6, &(uint16_t){ 14 + 20 }, 2);	/* csum_start */
	memcpy(p + 8, &(uint16_t){ 16 }, 2);		/* csum_offset */
	memcpy(e, dst, 6);
	memcpy(e + 6, "\x02\x01\x02\x03\x04\x09", 6);
	e[12] = 0x08;
	e[13] = 0x00;
	memcpy(iph, ip, 20);
	iph[2] = (20 + tcp_len) >> 8;
	iph[3] = (20 + tcp_len) & 0xff;
	v = ~fold(sum16(0, iph, 20));
	iph[10] = v >> 8;
	iph[11] = v & 0xff;
	memset(tcp, 0, 20);
	tcp[0] = 40000 >> 8;
	tcp[1] = 40000 & 0xff;
	tcp[2] = TSO_PORT >> 8;
	tcp[3] = TSO_PORT & 0xff;
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;					/* PSH, ACK */
	tcp[14] = 0xff;
	tcp[15] = 0xff;
	for (i = 0; i < payload; i++)
		tcp[20 + i] = i * 7;
	/* CHECKSUM_PARTIAL: the pseudo-header's sum, left for the device. */
	v = fold(sum16(6 + tcp_len, iph + 12, 8));
	tcp[16] = v >> 8;
	tcp[17] = v & 0xff;
	return 10 + TSO_HDRS + payload;
}

/*
 * The next frame of ours in the receive ring (used entries from *next
 * on), gathered over its num_buffers buffers into got: its length, 0
 * when none came in time.
 */
static size_t tso_frame_received(uint16_t *next, uint8_t *got)
{
	unsigned int i;

	for (i = 0; i < 2000; i++, usleep(1000)) {
		while (*next != used_idx(RX_DESC)) {
			uint16_t head, nb, k;
			uint32_t l;
			size_t off = 0;

			for (k = 0; k == 0 || k < nb; k++) {
				uint8_t *slot = ram + RX_DESC + USED + 4 +
						8 * ((uint16_t)(*next + k) % QSIZE);

				memcpy(&head, slot, 2);
				memcpy(&l, slot + 4, 4);
				memcpy(got + off, ram + RX_BUF + 0x1000 * head, l);
				off += l;
				/* A frame's buffers are published at once. */
				memcpy(&nb, got + 10, 2);
				assert_true(nb >= 1 && nb <= (uint16_t)(used_idx(RX_DESC) - *next));
			}
			*next += nb;
			/* IPv4 (not the host's own IPv6 chatter) to TSO_PORT. */
			if (!memcmp(got + 12 + 12, "\x08\x00", 2) &&
			    got[12 + 14 + 20 + 2] == TSO_PORT >> 8 &&
			    got[12 + 14 + 20 + 3] == (TSO_PORT & 0xff))
				return off;
		}
	}
	return 0;
}

/*
 * A TCP frame of 8 segments' payload sent by the host: a driver that
 * took GUEST_TSO4 gets it whole, in one go over mergeable buffers, with
 * the header saying how to segment it and the checksum to finish; one
 * that did not gets 8 frames the host segmented.
 */
static void test_tso_frame_to_the_guest(void **state)
{
	enum { PAYLOAD = 8 * TSO_MSS, FRAME = 10 + TSO_HDRS + PAYLOAD };
	static uint8_t sent[FRAME], got[QSIZE * 4096];
	struct sockaddr_ll sll;
	char ifname[IFNAMSIZ];
	uint16_t next, v;
	unsigned int i, tso;
	uint8_t mac[6];
	int s, one = 1;

	(void)state;
	for (tso = 0; tso < 2; tso++) {
		start_card(ifname, tso ? 0 : 1ULL << VIRTIO_NET_F_GUEST_TSO4);
		for (i = 0; i < 6; i++)
			mac[i] = guest_rd(VIRTIO_BAR_DEVICE + i, 1);
		for (i = 0; i < QSIZE; i++) {
			desc(RX_DESC, i, RX_BUF + 0x1000 * i, 4096,
			     VIRTQ_DESC_F_WRITE);
			make_avail(RX_DESC, i);
		}
		ring(fake_doorbell_fd(notify_addr(0)));
		/* The tap gets its offloads when the device first serves. */
		for (i = 0; !(fake_tun_offloads & TUN_F_CSUM) && i < 5000; i++)
			usleep(1000);
		assert_int_equal(!!(fake_tun_offloads & TUN_F_TSO4), tso);
		s = packet_socket(ifname, &sll);
		assert_int_equal(setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one,
					    sizeof(one)), 0);
		sll.sll_protocol = htons(ETH_P_IP);
		tso_frame(sent, mac, PAYLOAD);
		assert_int_equal(sendto(s, sent, FRAME, 0,
					(struct sockaddr *)&sll, sizeof(sll)),
				 FRAME);
		next = 0;
		if (tso) {
			assert_int_equal(tso_frame_received(&next, got),
					 VMCTL_NET_HDR_LEN + FRAME - 10);
			assert_int_equal(got[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM,
					 VIRTIO_NET_HDR_F_NEEDS_CSUM);
			assert_int_equal(got[1], VIRTIO_NET_HDR_GSO_TCPV4);
			memcpy(&v, got + 4, 2);
			assert_int_equal(v, TSO_MSS);
			/* 4 KiB buffers: the frame needed 3, all at once. */
			memcpy(&v, got + 10, 2);
			assert_int_equal(v, 3);
			assert_memory_equal(got + VMCTL_NET_HDR_LEN, sent + 10,
					    FRAME - 10);
		} else {
			for (i = 0; i < 8; i++) {
				assert_int_equal(tso_frame_received(&next, got),
						 VMCTL_NET_HDR_LEN + TSO_HDRS +
						 TSO_MSS);
				assert_int_equal(got[1], VIRTIO_NET_HDR_GSO_NONE);
			}
		}
		close(s);
		vmctl_devices_stop(&vm->devices);
		/* A new VM for the next round. */
		teardown(NULL);
		setup(NULL);
	}
}

/* An existing tap by name, and a given MAC. */
static void test_existing_tap(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x15 };
	struct vmctl_net n = { .mac = mac };
	char made[IFNAMSIZ], ifname[IFNAMSIZ];
	unsigned int i, offloads;
	int keep;

	(void)state;
	if (!can_make_taps())
		skip();
	/* Another holder of a tap (as `ip tuntap add` would be). */
	keep = vmctl_tap_open(NULL, made, &offloads);
	assert_true(keep >= 0);
	n.tap = made;
	/* Held by another: refused as in use. */
	assert_int_equal(vmctl_net_create(vm, &n, ifname), -EBUSY);
	assert_non_null(strstr(vmctl_error_detail(), "in use"));
	assert_int_equal(guest_nr_devices(), 0);
	/* Made persistent and let go: attached by name. */
	assert_int_equal(ioctl(keep, TUNSETPERSIST, 1), 0);
	close(keep);
	assert_int_equal(vmctl_net_create(vm, &n, ifname), 0);
	assert_string_equal(ifname, made);
	bring_up();
	for (i = 0; i < 6; i++)
		assert_int_equal(guest_rd(VIRTIO_BAR_DEVICE + i, 1), mac[i]);
	vmctl_vm_destroy(vm);
	vm = NULL;
	/* A persistent tap stays: remove it here. */
	assert_true(if_nametoindex(made) > 0);
	keep = vmctl_tap_open(made, ifname, &offloads);
	assert_true(keep >= 0);
	assert_int_equal(ioctl(keep, TUNSETPERSIST, 0), 0);
	close(keep);
	assert_int_equal(if_nametoindex(made), 0);
	assert_int_equal(vmctl_vm_create(sys, "net", &vm), 0);
}

/* ---- the card's state: snapshot, restore, migration ---- */

/* A persistent tap nobody holds (as `ip tuntap add` makes): its name. */
static void persistent_tap(char *name)
{
	unsigned int offloads;
	int fd = vmctl_tap_open(NULL, name, &offloads);

	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, TUNSETPERSIST, 1), 0);
	close(fd);
}

static void remove_tap(const char *name)
{
	char ifname[IFNAMSIZ];
	unsigned int offloads;
	int fd = vmctl_tap_open(name, ifname, &offloads);

	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, TUNSETPERSIST, 0), 0);
	close(fd);
	assert_int_equal(if_nametoindex(name), 0);
}

/* Frame k of the test to the tap, from transmit chain 2k, 2k + 1. */
static void transmit(unsigned int k, const uint8_t *frame, size_t len)
{
	uint64_t buf = TX_BUF + 0x2000 * k;

	memset(ram + buf, 0, VMCTL_NET_HDR_LEN);
	memcpy(ram + buf + 0x1000, frame, len);
	guest_desc(TX_DESC, 2 * k, buf, VMCTL_NET_HDR_LEN, VIRTQ_DESC_F_NEXT,
		   2 * k + 1);
	guest_desc(TX_DESC, 2 * k + 1, buf + 0x1000, len, 0, 0);
	make_avail(TX_DESC, 2 * k);
	guest_wr(VIRTIO_BAR_NOTIFY + 4, 2, 1);
}

/* The frame came out of the tap and the used index is at used. */
static void transmitted(int s, const uint8_t *frame, size_t len,
			uint16_t used)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };
	uint8_t got[2048];
	unsigned int i;

	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(recv(s, got, sizeof(got), 0), len);
	assert_memory_equal(got, frame, len);
	for (i = 0; i < 5000 && used_idx(TX_DESC) != used; i++)
		usleep(1000);
	assert_int_equal(used_idx(TX_DESC), used);
}

static struct vmctl_device *card_of(struct vmctl_vm *v)
{
	return v->devices.last;
}

/*
 * A live migration on this host between two VMs of this process, the
 * card on a persistent tap by name: the destination's card (incoming)
 * is made while the source holds the tap, attaches to it only once the
 * source let it go, and goes on with the source's queues (the next
 * transmit chain) and MAC (not the default of its own VM's name).  The
 * migration failed after all: the source takes its tap back and
 * transmits again.  A state of another version is refused.
 */
static void test_migration_hand_over(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x17 };
	struct vmctl_net n = { .mac = mac };
	struct vmctl_state_writer w = { 0 };
	struct vmctl_state_reader r;
	char tap[IFNAMSIZ];
	uint8_t frame[100], *ram1, *ram2;
	struct vmctl_device *a, *b;
	struct sockaddr_ll sll;
	struct vmctl_vm *vm2;
	uint32_t version = 2;
	unsigned int i;
	int s;

	(void)state;
	if (!can_make_taps())
		skip();
	persistent_tap(tap);
	n.tap = tap;
	s = packet_socket(tap, &sll);
	assert_int_equal(vmctl_net_create(vm, &n, NULL), 0);
	a = card_of(vm);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	bring_up();
	make_frame(frame, mac, sizeof(frame), 1);
	transmit(0, frame, sizeof(frame));
	transmitted(s, frame, sizeof(frame), 1);
	vmctl_devices_stop(&vm->devices);		/* paused */
	assert_int_equal(a->ops->save(a, &w), 0);

	/* The destination: its card made while the source holds the tap. */
	assert_int_equal(vmctl_vm_create(sys, "net2", &vm2), 0);
	assert_int_equal(vmctl_vm_add_memory(vm2, 0, 64 * MIB, 0), 0);
	ram2 = vmctl_vm_gpa_to_hva(vm2, 0, 64 * MIB);
	memcpy(ram2, ram, 64 * MIB);
	n = (struct vmctl_net){ .tap = "nosuch0", .incoming = 1 };
	assert_int_equal(vmctl_net_create(vm2, &n, NULL), -ENODEV);
	n.tap = tap;
	assert_int_equal(vmctl_net_create(vm2, &n, NULL), 0);
	b = card_of(vm2);
	r = (struct vmctl_state_reader){ w.buf, w.len };
	assert_int_equal(b->ops->restore(b, &r), -EBUSY);
	assert_non_null(strstr(vmctl_error_detail(), "in use"));
	assert_int_equal(a->ops->hand_over(a, true), 0);
	/* The card's own part, of another version. */
	memcpy(w.buf + w.len - 16, &version, 4);
	r = (struct vmctl_state_reader){ w.buf, w.len };
	assert_int_equal(b->ops->restore(b, &r), -EPROTO);
	assert_non_null(strstr(vmctl_error_detail(), "version 2"));
	version = 1;
	memcpy(w.buf + w.len - 16, &version, 4);
	r = (struct vmctl_state_reader){ w.buf, w.len };
	assert_int_equal(b->ops->restore(b, &r), 0);
	assert_int_equal(r.left, 0);

	/* The guest on the destination: its MAC, its next chain. */
	ram1 = ram;
	ram = guest.ram = ram2;
	guest.vm = vm2;
	for (i = 0; i < 6; i++)
		assert_int_equal(guest_rd(VIRTIO_BAR_DEVICE + i, 1), mac[i]);
	assert_int_equal(vmctl_devices_start(&vm2->devices), 0);
	make_frame(frame, mac, sizeof(frame), 2);
	transmit(1, frame, sizeof(frame));
	transmitted(s, frame, sizeof(frame), 2);
	vmctl_devices_stop(&vm2->devices);
	vmctl_vm_destroy(vm2);

	/* Failed after all: the source takes its tap back. */
	ram = guest.ram = ram1;
	guest.vm = vm;
	assert_int_equal(a->ops->hand_over(a, false), 0);
	assert_int_equal(vmctl_devices_start(&vm->devices), 0);
	make_frame(frame, mac, sizeof(frame), 3);
	transmit(1, frame, sizeof(frame));
	transmitted(s, frame, sizeof(frame), 2);
	vmctl_devices_stop(&vm->devices);
	vmctl_vm_destroy(vm);
	vm = NULL;
	close(s);
	free(w.buf);
	remove_tap(tap);
	assert_int_equal(vmctl_vm_create(sys, "net", &vm), 0);
}

/*
 * A card restored onto a tap that does not take an offload its driver
 * accepted (GUEST_TSO6 here) is refused, naming it; one whose driver
 * did not accept it is restored there.
 */
static void test_restore_offloads(void **state)
{
	struct vmctl_state_writer w = { 0 }, w2 = { 0 };
	struct vmctl_state_reader r;
	struct vmctl_device *a, *b;
	struct vmctl_vm *vm2;

	(void)state;
	start_card(NULL, 0);
	vmctl_devices_stop(&vm->devices);
	a = card_of(vm);
	assert_int_equal(a->ops->save(a, &w), 0);
	guest_wr(20, 1, 0);				/* reset */
	bring_up_without(1ULL << VIRTIO_NET_F_GUEST_TSO6);
	assert_int_equal(a->ops->save(a, &w2), 0);

	assert_int_equal(vmctl_vm_create(sys, "net2", &vm2), 0);
	assert_int_equal(vmctl_vm_add_memory(vm2, 0, 64 * MIB, 0), 0);
	memcpy(vmctl_vm_gpa_to_hva(vm2, 0, 64 * MIB), ram, 64 * MIB);
	fake_tun_refused = TUN_F_TSO6;
	assert_int_equal(vmctl_net_create(vm2, &(struct vmctl_net){ 0 }, NULL),
			 0);
	b = card_of(vm2);
	r = (struct vmctl_state_reader){ w.buf, w.len };
	assert_int_equal(b->ops->restore(b, &r), -EINVAL);
	assert_non_null(strstr(vmctl_error_detail(),
			       "does not take offloads the guest's driver accepted: guest_tso6;"));
	r = (struct vmctl_state_reader){ w2.buf, w2.len };
	assert_int_equal(b->ops->restore(b, &r), 0);
	vmctl_vm_destroy(vm2);
	free(w.buf);
	free(w2.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frames_both_ways, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_budget_strands_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_doorbell, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_offloads_the_tap_refuses,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_offloads_refused_while_running,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tso_frame_to_the_guest,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_tap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_migration_hand_over, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restore_offloads, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, fake_device_setup,
				      fake_device_teardown);
}
