// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The virtio-net device on a TAP device (vmctl_net_create; the design
 * is in virtio_net.h).  Both queues are served on the device's worker
 * thread (virtio_pci.h): transmit when the driver notifies, receive
 * when the tap has a frame (the worker polls it) or the driver adds
 * buffers after the device ran out.  A frame is read from the tap into
 * one buffer, then copied into the driver's buffers, which is what
 * lets a frame of unknown length spread over as many mergeable buffers
 * as it needs; transmitted frames go to the tap straight from guest
 * memory (writev).
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pci_vm.h"
#include "virtio_net.h"
#include "virtio_pci.h"

#define RXQ			0
#define TXQ			1
#define QUEUE_SIZE		VMCTL_VQ_MAX_SIZE
/* Frames received per wake-up: transmit is not kept waiting longer. */
#define RX_BUDGET		64
#define PCI_CLASS_NETWORK_ETHERNET 0x020000
/* Dropped frames are logged this many times per card, then counted only. */
#define MAX_DROP_LOGS		3

struct vmctl_net_counters {
	uint64_t rx_frames, rx_bytes, rx_dropped;
	uint64_t tx_frames, tx_bytes, tx_dropped;
	uint64_t offload_errors;	/* TUNSETOFFLOAD refused while running */
	unsigned int drop_logs;
};

struct vmctl_virtio_net {
	struct vmctl_device dev;
	struct vmctl_virtio_dev vdev;
	int tap;
	char ifname[IFNAMSIZ];
	unsigned int tap_offloads;	/* the TUN_F_* it took when opened */
	bool named;			/* an existing tap, attached by name */
	bool tap_pending;		/* incoming: attached on restore */
	bool handed_over;		/* let go for a migration's destination */
	struct vmctl_net_counters stats;
	/* the worker's */
	bool tap_broken;		/* read failed: stop polling it */
	bool offloads_set;
	uint64_t offload_features;	/* the guest features they were set for */
	bool rx_stalled;		/* out of buffers: wait for the driver */
	size_t rx_pending;		/* a frame in rx_frame waiting for room */
	struct vmctl_vq_req req;
	uint8_t rx_frame[VMCTL_NET_MAX_FRAME];
};

static void count(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

/* A frame dropped (worker thread): said the first few times. */
static void drop(struct vmctl_virtio_net *n, uint64_t *counter,
		 const char *dir, const uint8_t *hdr, size_t len,
		 const char *why)
{
	count(counter, 1);
	if (n->stats.drop_logs++ >= MAX_DROP_LOGS)
		return;
	vmctl_log("virtio-net on tap '%s': %s frame of %zu bytes (header flags %#x, GSO type %#x) dropped: %s%s",
		  n->ifname, dir, len, hdr[VMCTL_NET_HDR_FLAGS],
		  hdr[VMCTL_NET_HDR_GSO_TYPE], why,
		  n->stats.drop_logs == MAX_DROP_LOGS ? " (not logged again)" : "");
}

/*
 * The tap hands over what the driver agreed to take, no more.  The tap
 * took these bits when it was opened, so a refusal now is unexpected;
 * with none, the host checksums and segments every frame itself, which
 * any driver takes.
 */
static void set_offloads(struct vmctl_virtio_net *n)
{
	uint64_t f = n->vdev.guest_features;
	int ret;

	if (n->offloads_set && n->offload_features == f)
		return;
	ret = vmctl_tap_set_offloads(n->tap, vmctl_net_tap_offloads(f));
	if (ret) {
		count(&n->stats.offload_errors, 1);
		vmctl_log("virtio-net: TUNSETOFFLOAD on tap '%s': %s; the tap's offloads turned off",
			  n->ifname, strerror(-ret));
		if (vmctl_tap_set_offloads(n->tap, 0))
			vmctl_log("virtio-net: turning off the offloads of tap '%s' failed too: frames from it may be dropped",
				  n->ifname);
	}
	n->offloads_set = true;
	n->offload_features = f;
}

static int rx(struct vmctl_virtio_net *n)
{
	struct vmctl_virtio_dev *vdev = &n->vdev;
	struct vmctl_vq *vq = &vdev->vqs[RXQ];
	bool mergeable = vmctl_virtio_has(vdev, VIRTIO_NET_F_MRG_RXBUF);
	bool pushed = false, dropped;
	unsigned int done = 0;
	int ret = 0;

	n->rx_stalled = false;
	while (!n->tap_broken) {
		if (!n->rx_pending) {
			ssize_t len;

			/*
			 * The budget stops only between frames: a frame read
			 * is placed, or waits with a notification asked for
			 * (rx_stalled), never left for the tap to wake.
			 */
			if (done == RX_BUDGET)
				break;
			len = read(n->tap, n->rx_frame, sizeof(n->rx_frame));

			if (len < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (len < 0) {
				vmctl_log("virtio-net: reading tap '%s': %s; no more frames from it",
					  n->ifname, strerror(errno));
				n->tap_broken = true;
				break;
			}
			done++;
			if (len < VMCTL_NET_HDR_LEN) {
				memset(n->rx_frame, 0, VMCTL_NET_HDR_LEN);
				drop(n, &n->stats.rx_dropped, "received",
				     n->rx_frame, len, "shorter than its header");
				continue;
			}
			if (!vmctl_net_rx_hdr_fix(n->rx_frame,
						  vdev->guest_features)) {
				drop(n, &n->stats.rx_dropped, "received",
				     n->rx_frame, len,
				     "offloads the driver did not agree to");
				continue;
			}
			n->rx_pending = len;
		}
		ret = vmctl_net_rx_place(vq, &vdev->ram, &n->req, n->rx_frame,
					 n->rx_pending, mergeable, &dropped);
		if (ret < 0)
			break;
		if (!ret && !dropped) {
			/* Keep the frame until the driver adds buffers. */
			if (vmctl_vq_wait_more(vq))
				continue;
			n->rx_stalled = true;
			break;
		}
		if (dropped) {
			drop(n, &n->stats.rx_dropped, "received", n->rx_frame,
			     n->rx_pending, "larger than the driver's buffers");
		} else {
			count(&n->stats.rx_frames, 1);
			count(&n->stats.rx_bytes,
			      n->rx_pending - VMCTL_NET_HDR_LEN);
			vmctl_virtio_count(vdev, RXQ, 1,
					   n->rx_pending - VMCTL_NET_HDR_LEN);
		}
		n->rx_pending = 0;
		pushed = true;
	}
	if (pushed)
		vmctl_virtio_used(vdev, RXQ);
	return ret < 0 ? ret : 0;
}

/* One frame to the tap, or dropped and counted. */
static void tx_frame(struct vmctl_virtio_net *n, struct vmctl_vq_req *req)
{
	uint8_t hdr[VMCTL_NET_HDR_LEN];
	const char *why = NULL;

	/*
	 * The guest can rewrite the header after this look: the check keeps
	 * to the features agreed, the host's tap checks what it is given.
	 */
	vmctl_iov_read(req->iov, req->nr_out, 0, hdr, sizeof(hdr));
	if (n->tap_broken)
		why = "the tap failed";
	else if (req->out_len > VMCTL_NET_MAX_FRAME)
		why = "longer than 64 KiB";
	else if (!vmctl_net_tx_hdr_ok(hdr, n->vdev.guest_features))
		why = "offloads the driver did not agree to";
	while (!why && writev(n->tap, req->iov, req->nr_out) < 0)
		if (errno != EINTR)
			why = strerror(errno);
	if (why) {
		drop(n, &n->stats.tx_dropped, "transmitted", hdr, req->out_len,
		     why);
		return;
	}
	count(&n->stats.tx_frames, 1);
	count(&n->stats.tx_bytes, req->out_len - VMCTL_NET_HDR_LEN);
	vmctl_virtio_count(&n->vdev, TXQ, 1, req->out_len - VMCTL_NET_HDR_LEN);
}

static int tx(struct vmctl_virtio_net *n)
{
	struct vmctl_virtio_dev *vdev = &n->vdev;
	struct vmctl_vq *vq = &vdev->vqs[TXQ];
	struct vmctl_vq_req *req = &n->req;
	int ret;

	do {
		bool pushed = false;

		while ((ret = vmctl_vq_pop(vq, &vdev->ram, req)) > 0) {
			if (req->nr_in)
				return -VQ_ERR_DIR;
			if (req->out_len < VMCTL_NET_HDR_LEN)
				return -VQ_ERR_SHORT;
			tx_frame(n, req);
			vmctl_vq_complete(vq, req, 0);
			pushed = true;
		}
		if (pushed)
			vmctl_virtio_used(vdev, TXQ);
		if (ret < 0)
			return ret;
	} while (vmctl_vq_enable_notify(vq));
	return 0;
}

static int net_handle(struct vmctl_virtio_dev *vdev, unsigned int q)
{
	struct vmctl_virtio_net *n = vdev->be_ctx;

	set_offloads(n);
	return q == RXQ ? rx(n) : tx(n);
}

/* The worker polls the tap while there is room for what it brings. */
static int net_wait_fd(struct vmctl_virtio_dev *vdev, unsigned int *q)
{
	struct vmctl_virtio_net *n = vdev->be_ctx;

	*q = RXQ;
	return n->rx_stalled || n->tap_broken ? -1 : n->tap;
}

static const char *const queue_names[] = { "rx", "tx" };

static const struct vmctl_virtio_backend net_backend = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.class = PCI_CLASS_NETWORK_ETHERNET,
	.handle = net_handle,
	.wait_fd = net_wait_fd,
	.features_ok = vmctl_net_features_ok,
	.queue_names = queue_names,
};

static void net_free(struct vmctl_device *dev)
{
	struct vmctl_virtio_net *n = container_of(dev, struct vmctl_virtio_net,
						  dev);

	vmctl_virtio_destroy(&n->vdev);
	if (n->tap >= 0)
		close(n->tap);
	free(n);
}

/*
 * Say which offloads the tap refused: the guest is not offered them.
 * Not USO, which hosts before Linux 6.2 lack as a rule: the counter
 * tap_offloads_refused shows it.
 */
static void log_refused(const struct vmctl_virtio_net *n)
{
	static const struct { unsigned int bit; const char *name; } tun[] = {
		{ TUN_F_CSUM, " csum" }, { TUN_F_TSO4, " tso4" },
		{ TUN_F_TSO6, " tso6" }, { TUN_F_TSO_ECN, " tso_ecn" },
	};
	char names[64] = "";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tun); i++)
		if (!(n->tap_offloads & tun[i].bit))
			strcat(names, tun[i].name);
	if (*names)
		vmctl_log("virtio-net: tap '%s' refused the offloads%s; the guest is not offered them",
			  n->ifname, names);
}

/*
 * The card's tap: name's (NULL: one made for it), the features offered
 * on it its offloads'.  An incoming card's, when the state comes (or the
 * VM starts).
 */
static int attach_tap(struct vmctl_virtio_net *n, const char *name)
{
	if (!n->tap_pending)
		return 0;
	n->tap = vmctl_tap_open(name, n->ifname, &n->tap_offloads);
	if (n->tap < 0)
		return n->tap;
	n->tap_pending = false;
	n->vdev.host_features |= vmctl_net_offered(n->tap_offloads);
	log_refused(n);
	return 0;
}

static int net_start(struct vmctl_device *dev)
{
	struct vmctl_virtio_net *n = container_of(dev, struct vmctl_virtio_net,
						  dev);
	int ret = attach_tap(n, n->ifname);

	return ret ? ret : vmctl_virtio_start(&n->vdev);
}

static void net_stop(struct vmctl_device *dev)
{
	vmctl_virtio_stop(&container_of(dev, struct vmctl_virtio_net,
					dev)->vdev);
}

/* The transport's counters, then the frames the card dropped. */
static void net_counters(struct vmctl_device *dev,
			 void (*fn)(void *ctx,
				    const struct vmctl_device_counter *c),
			 void *ctx)
{
	struct vmctl_virtio_net *n = container_of(dev, struct vmctl_virtio_net,
						  dev);
	char device[48];
	struct vmctl_device_counter c = { .device = device, .queue = "" };

	vmctl_virtio_counters(&n->vdev, fn, ctx);
	snprintf(device, sizeof(device), "virtio-net 00:%02x.0",
		 n->vdev.pci.slot);
	c.name = "rx_dropped";
	c.value = __atomic_load_n(&n->stats.rx_dropped, __ATOMIC_RELAXED);
	fn(ctx, &c);
	c.name = "tx_dropped";
	c.value = __atomic_load_n(&n->stats.tx_dropped, __ATOMIC_RELAXED);
	fn(ctx, &c);
	c.name = "tap_offloads_refused";
	c.value = __builtin_popcount(VMCTL_TAP_OFFLOADS & ~n->tap_offloads);
	fn(ctx, &c);
	c.name = "tap_offload_errors";
	c.value = __atomic_load_n(&n->stats.offload_errors, __ATOMIC_RELAXED);
	fn(ctx, &c);
}

/*
 * The state (virtio_net_state.c); the tap's offloads are set again for
 * the driver's features when the worker first serves.
 */
static int net_save(struct vmctl_device *dev, struct vmctl_state_writer *w)
{
	return vmctl_net_save_state(&container_of(dev, struct vmctl_virtio_net, dev)->vdev,
				    w);
}

/* An incoming card attaches its tap here: refused while the source has it. */
static int net_restore(struct vmctl_device *dev, struct vmctl_state_reader *r)
{
	struct vmctl_virtio_net *n = container_of(dev, struct vmctl_virtio_net,
						  dev);
	int ret = attach_tap(n, n->ifname);

	return ret ? ret : vmctl_net_restore_state(&n->vdev, n->ifname, r);
}

/*
 * A tap attached by name is let go for a destination on this host, which
 * attaches to it by the same name (a tap takes one process; a persistent
 * one outlives us).  One made for the VM stays: closing it would remove
 * it, and the destination made its own.  Taken back when the migration
 * fails, waiting a second for a destination that still holds it.
 */
static int net_hand_over(struct vmctl_device *dev, bool out)
{
	struct vmctl_virtio_net *n = container_of(dev, struct vmctl_virtio_net,
						  dev);
	unsigned int i;
	int fd = -1;

	if (!n->named || n->tap_pending || out == n->handed_over)
		return 0;
	n->handed_over = out;
	if (out) {
		close(n->tap);
		n->tap = -1;
		return 0;
	}
	for (i = 0; i < 50; i++) {
		fd = vmctl_tap_open(n->ifname, n->ifname, &n->tap_offloads);
		if (fd != -EBUSY)
			break;
		usleep(20000);
	}
	if (fd < 0) {
		/* Not fatal: the guest runs on, its card sees no frames. */
		vmctl_log("virtio-net: tap '%s' could not be attached again after a failed migration: %s",
			  n->ifname, vmctl_error_detail());
		n->tap_broken = true;
		return 0;
	}
	n->tap = fd;
	n->offloads_set = false;
	return 0;
}

static const struct vmctl_device_ops net_device_ops = {
	.name = "virtio-net",
	.hand_over = net_hand_over,
	.start = net_start,
	.stop = net_stop,
	.destroy = net_free,
	.counters = net_counters,
	.save = net_save,
	.restore = net_restore,
};

/* How many network cards vm has already: the new one's index. */
static unsigned int nr_nets(struct vmctl_vm *vm)
{
	struct vmctl_device *d;
	unsigned int nr = 0;

	for (d = vm->devices.first; d; d = d->next)
		nr += d->ops == &net_device_ops;
	return nr;
}

int vmctl_net_create(struct vmctl_vm *vm, const struct vmctl_net *net,
		     char *ifname)
{
	struct vmctl_guest_ram ram = vmctl_pci_guest_ram(vm);
	char name[VMCTL_NAME_LEN] = "";
	struct vmctl_virtio_net *n;
	uint8_t mac[6];
	int ret;

	vmctl_clear_detail();
	if (vm->running)
		return -VMCTL_E_VM_RUNNING;
	if (net->mac) {
		memcpy(mac, net->mac, 6);
	} else {
		ret = vmctl_vm_id(vm, NULL, name, sizeof(name));
		if (ret)
			return ret;
		vmctl_net_default_mac(name, nr_nets(vm), mac);
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->tap = -1;
	n->named = net->tap;
	/* The source may hold a named tap: only its name is checked now. */
	ret = net->tap ? vmctl_tap_check_name(net->tap) : 0;
	if (ret) {
		free(n);
		return ret;
	}
	ret = vmctl_virtio_init(&n->vdev, &net_backend, n, 2, QUEUE_SIZE, &ram);
	if (ret) {
		free(n);
		return ret;
	}
	if (net->tap)
		snprintf(n->ifname, IFNAMSIZ, "%s", net->tap);
	n->tap_pending = true;
	if (!(net->incoming && net->tap))
		ret = attach_tap(n, net->tap ? n->ifname : NULL);
	if (ret) {
		net_free(&n->dev);
		return ret;
	}
	vmctl_net_config(n->vdev.config, mac);
	n->vdev.config_len = VMCTL_NET_CONFIG_LEN;
	ret = vmctl_pci_plug_virtio(vm, &n->vdev);
	if (ret) {
		net_free(&n->dev);
		return ret;
	}
	if (ifname)
		memcpy(ifname, n->ifname, IFNAMSIZ);
	vmctl_device_add(vm, &n->dev, &net_device_ops);
	return 0;
}
