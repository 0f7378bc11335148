/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virtio-net (virtio 1.2, 5.1) on a TAP device: the pure parts
 * (virtio_net_hdr.c: features, the header each way, the default MAC,
 * placing a received frame into the driver's buffers), the tap
 * (tap.c) and the device (virtio_net.c).
 *
 * One receive and one transmit queue, no control queue.  Frames cross
 * the tap with the virtio-net header in front (IFF_VNET_HDR, 12 bytes:
 * TUNSETVNETHDRSZ), which is the header the driver reads and writes with
 * VERSION_1, so transmitted frames go to the tap as the guest wrote them
 * (after the header is checked against the features) and received
 * frames need only num_buffers set.
 *
 * Offloads.  The driver's checksum and segmentation (CSUM, HOST_TSO4/6,
 * HOST_ECN) pass through to the host's stack, which checksums or
 * segments what comes out of the tap: any tap with IFF_VNET_HDR takes
 * them.  The other way (GUEST_CSUM, GUEST_TSO4/6, GUEST_ECN,
 * GUEST_USO4/6) the tap hands over partly checksummed or unsegmented
 * frames only with the matching TUNSETOFFLOAD bits, set for exactly
 * what the driver agreed to take.  A kernel refuses bits it does not
 * know, so the tap is asked for each one when it is opened and a
 * feature is offered only when the tap took its bit (vmctl_net_offered);
 * USO (Linux 6.2, both UDP versions at once) also stands for the host
 * parsing the driver's USO frames, so HOST_USO goes with it.  UFO is
 * never offered: Linux accepts TUN_F_UFO but ignores it (deprecated).
 * Mergeable receive buffers let a 64 KiB frame spread over the driver's
 * page-sized buffers.
 */
#ifndef VMCTL_VIRTIO_NET_H
#define VMCTL_VIRTIO_NET_H

#include <linux/if_tun.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtq.h"

#define VIRTIO_ID_NET			1

#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_GUEST_ECN		9
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_HOST_ECN		13
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
#define VIRTIO_NET_F_GUEST_USO4		54
#define VIRTIO_NET_F_GUEST_USO6		55
#define VIRTIO_NET_F_HOST_USO		56

/* Linux 6.2's, missing from older headers. */
#ifndef TUN_F_USO4
#define TUN_F_USO4			0x20
#define TUN_F_USO6			0x40
#endif

/* Everything the device can offer, on a tap that takes every offload. */
#define VMCTL_NET_FEATURES \
	(1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM | \
	 1ULL << VIRTIO_NET_F_MAC | \
	 1ULL << VIRTIO_NET_F_GUEST_TSO4 | 1ULL << VIRTIO_NET_F_GUEST_TSO6 | \
	 1ULL << VIRTIO_NET_F_GUEST_ECN | \
	 1ULL << VIRTIO_NET_F_HOST_TSO4 | 1ULL << VIRTIO_NET_F_HOST_TSO6 | \
	 1ULL << VIRTIO_NET_F_HOST_ECN | 1ULL << VIRTIO_NET_F_MRG_RXBUF | \
	 1ULL << VIRTIO_NET_F_STATUS | \
	 1ULL << VIRTIO_NET_F_GUEST_USO4 | 1ULL << VIRTIO_NET_F_GUEST_USO6 | \
	 1ULL << VIRTIO_NET_F_HOST_USO)

/* Every TUN_F_* bit a tap is asked for. */
#define VMCTL_TAP_OFFLOADS \
	(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | \
	 TUN_F_USO6)

/*
 * struct virtio_net_hdr_v1: flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset, num_buffers (le16 from hdr_len on).
 */
#define VMCTL_NET_HDR_LEN		12
#define VMCTL_NET_HDR_FLAGS		0
#define VMCTL_NET_HDR_GSO_TYPE		1
#define VMCTL_NET_HDR_NUM_BUFFERS	10

#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_F_DATA_VALID	2
#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#define VIRTIO_NET_HDR_GSO_ECN		0x80

#define VIRTIO_NET_S_LINK_UP		1

/*
 * The largest frame the tap hands over: a 64 KiB TSO frame, its
 * Ethernet and VLAN headers and ours.
 */
#define VMCTL_NET_MAX_FRAME		(65536 + 14 + 4 + VMCTL_NET_HDR_LEN)

/* The device configuration: mac[6], le16 status, le16 max_virtqueue_pairs. */
#define VMCTL_NET_CONFIG_LEN		10
void vmctl_net_config(uint8_t *cfg, const uint8_t mac[6]);

/*
 * The default MAC of the index'th card of the VM called name: a locally
 * administered unicast address (first octet xxxxxx10) from a hash of
 * both, the same every time the VM has that name.
 */
void vmctl_net_default_mac(const char *name, unsigned int index,
			   uint8_t mac[6]);

/*
 * Whether the driver's features keep virtio 1.2 5.1.3.1's dependencies:
 * GUEST_TSO4/6, GUEST_ECN and GUEST_USO4/6 need GUEST_CSUM, GUEST_ECN a
 * GUEST_TSO; HOST_TSO4/6 and HOST_USO need CSUM, HOST_ECN a HOST_TSO.
 */
bool vmctl_net_features_ok(uint64_t features);

/*
 * The features to offer on a tap that took the TUNSETOFFLOAD bits
 * tap_offloads (TUN_F_*): VMCTL_NET_FEATURES without those whose
 * frames it would never hand over, or whose bit it refused.
 */
uint64_t vmctl_net_offered(unsigned int tap_offloads);

/* The TUNSETOFFLOAD bits for what the driver agreed to take (TUN_F_*). */
unsigned int vmctl_net_tap_offloads(uint64_t features);

/*
 * Whether a transmitted header asks only for what the driver agreed to
 * (NEEDS_CSUM with CSUM, TSO with HOST_TSO4/6, ECN with HOST_ECN, USO
 * with HOST_USO; no other flag or GSO type): a frame whose header does
 * not is dropped.
 */
bool vmctl_net_tx_hdr_ok(const uint8_t hdr[VMCTL_NET_HDR_LEN],
			 uint64_t features);

/*
 * Make a header from the tap fit what the driver agreed to take; false
 * when it cannot (a GSO type it did not accept): the frame is dropped.
 */
bool vmctl_net_rx_hdr_fix(uint8_t hdr[VMCTL_NET_HDR_LEN], uint64_t features);

/*
 * Put a received frame (len bytes, the header first) into the driver's
 * receive buffers on vq, across several chains when mergeable, and set
 * the header's num_buffers; req is scratch.  The chains are returned
 * with one update of the used index, never one by one.  Returns the
 * number of chains used (pushed, not yet signalled); 0 when there is not enough
 * room yet (nothing taken: wait for the driver) or, with *dropped set,
 * when the frame can never fit (not mergeable and longer than the
 * chain, which is returned empty; or longer than the whole ring); or
 * -VQ_ERR_* for a broken queue (a readable buffer, a first buffer
 * shorter than the header).
 */
int vmctl_net_rx_place(struct vmctl_vq *vq, const struct vmctl_guest_ram *ram,
		       struct vmctl_vq_req *req, uint8_t *frame, size_t len,
		       bool mergeable, bool *dropped);

/* ---- virtio_net_state.c: the card's state in a snapshot ---- */

struct vmctl_virtio_dev;
struct vmctl_state_writer;
struct vmctl_state_reader;

/*
 * The transport's state (virtio_state.c), then the card's own, versioned
 * on its own: its MAC, which the guest knows (a VM restored under
 * another name must not get another default address).
 */
int vmctl_net_save_state(struct vmctl_virtio_dev *vdev,
			 struct vmctl_state_writer *w);
/*
 * The state at r back into vdev, once the tap is attached: the offloads
 * the driver had accepted must be among those offered on this tap
 * (ifname), else -EINVAL naming them.  0, -EINVAL or -EPROTO with a
 * detail.
 */
int vmctl_net_restore_state(struct vmctl_virtio_dev *vdev, const char *ifname,
			    struct vmctl_state_reader *r);

/* ---- tap.c ---- */

/*
 * Attach to the existing tap name, or create one ("vmctl%d", brought up;
 * the kernel removes it when the last descriptor closes) when name is
 * NULL: nonblocking, frames with the 12-byte virtio-net header, no
 * offloads yet.  Its name into ifname (IFNAMSIZ bytes), the offloads it
 * would take (vmctl_tap_probe_offloads) into *offloads.  Returns the
 * descriptor or -errno with a detail saying what was refused.
 */
int vmctl_tap_open(const char *name, char *ifname, unsigned int *offloads);

/*
 * Whether name could be an existing tap's (a valid interface name that
 * exists): 0, or -EINVAL or -ENODEV with a detail, as vmctl_tap_open()'s.
 */
int vmctl_tap_check_name(const char *name);

/* Let the tap hand over frames with these offloads (TUN_F_*). */
int vmctl_tap_set_offloads(int fd, unsigned int offloads);

/*
 * The offloads of VMCTL_TAP_OFFLOADS the tap takes (each tried on top of
 * those taken before it), the tap left with none; -errno when it cannot
 * even be left with none.
 */
int vmctl_tap_probe_offloads(int fd);

#endif /* VMCTL_VIRTIO_NET_H */
