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
 * frames need only num_buffers set.  Offloads: the driver's checksum and
 * TSO (CSUM, HOST_TSO4/6, HOST_ECN) pass through to the host's stack,
 * which segments or checksums what leaves the tap; the guest may take
 * partially checksummed frames (GUEST_CSUM; and TSO frames, GUEST_TSO4/6
 * and GUEST_ECN, once those are offered: see VMCTL_NET_FEATURES) once it
 * agreed to them, because only then does the tap get the matching
 * TUNSETOFFLOAD bits.  Mergeable receive buffers let a 64 KiB frame
 * spread over the driver's page-sized buffers.  UFO and USO
 * are left out (UFO is deprecated, USO needs Linux 6.2 on the host).
 */
#ifndef VMCTL_VIRTIO_NET_H
#define VMCTL_VIRTIO_NET_H

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

/*
 * What the device offers.  Not GUEST_TSO4/6 and GUEST_ECN yet: with
 * them, TCP from the test machine into a guest stalled in the emulated
 * machine (guest to host TSO moved 8 MiB), cause not found; the code
 * that takes TSO frames from the tap stays tested by the unit tests.
 */
#define VMCTL_NET_FEATURES \
	(1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM | \
	 1ULL << VIRTIO_NET_F_MAC | \
	 1ULL << VIRTIO_NET_F_HOST_TSO4 | 1ULL << VIRTIO_NET_F_HOST_TSO6 | \
	 1ULL << VIRTIO_NET_F_HOST_ECN | 1ULL << VIRTIO_NET_F_MRG_RXBUF | \
	 1ULL << VIRTIO_NET_F_STATUS)
/* Everything the code here handles (the guest's TSO too). */
#define VMCTL_NET_FEATURES_ALL \
	(VMCTL_NET_FEATURES | 1ULL << VIRTIO_NET_F_GUEST_TSO4 | \
	 1ULL << VIRTIO_NET_F_GUEST_TSO6 | 1ULL << VIRTIO_NET_F_GUEST_ECN)

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
 * GUEST_TSO4/6 and GUEST_ECN need GUEST_CSUM, GUEST_ECN a GUEST_TSO;
 * HOST_TSO4/6 need CSUM, HOST_ECN a HOST_TSO.
 */
bool vmctl_net_features_ok(uint64_t features);

/* The TUNSETOFFLOAD bits for what the driver agreed to take (TUN_F_*). */
unsigned int vmctl_net_tap_offloads(uint64_t features);

/*
 * Whether a transmitted header asks only for what the driver agreed to
 * (NEEDS_CSUM with CSUM, TSO with HOST_TSO4/6, ECN with HOST_ECN; no
 * other flag or GSO type): a frame whose header does not is dropped.
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

/* ---- tap.c ---- */

/*
 * Attach to the existing tap name, or create one ("vmctl%d", brought up;
 * the kernel removes it when the last descriptor closes) when name is
 * NULL: nonblocking, frames with the 12-byte virtio-net header, no
 * offloads yet.  Its name into ifname (IFNAMSIZ bytes).  Returns the
 * descriptor or -errno with a detail saying what was refused.
 */
int vmctl_tap_open(const char *name, char *ifname);

/* Let the tap hand over frames with these offloads (TUN_F_*). */
int vmctl_tap_set_offloads(int fd, unsigned int offloads);

#endif /* VMCTL_VIRTIO_NET_H */
