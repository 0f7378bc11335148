// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-net's pure parts (see virtio_net.h): the configuration space,
 * the default MAC, the features a tap allows and the tap offloads for
 * the agreed features, checking
 * the header of a transmitted frame and fixing that of a received one,
 * and placing a received frame into the driver's buffers.
 */
#include <string.h>

#include "internal.h"
#include "virtio_net.h"

static bool has(uint64_t features, unsigned int bit)
{
	return features >> bit & 1;
}

void vmctl_net_config(uint8_t *cfg, const uint8_t mac[6])
{
	uint16_t status = VIRTIO_NET_S_LINK_UP, pairs = 1;

	memcpy(cfg, mac, 6);
	memcpy(cfg + 6, &status, 2);
	memcpy(cfg + 8, &pairs, 2);
}

/* FNV-1a, 64 bits: the same input gives the same MAC on every host. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void vmctl_net_default_mac(const char *name, unsigned int index,
			   uint8_t mac[6])
{
	uint8_t idx[4] = { index, index >> 8, index >> 16, index >> 24 };
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int i;

	h = fnv1a(h, name, strlen(name) + 1);	/* the NUL ends the name */
	h = fnv1a(h, idx, sizeof(idx));
	for (i = 0; i < 6; i++)
		mac[i] = h >> (8 * i);
	/* Locally administered (bit 1), unicast (bit 0 clear). */
	mac[0] = (mac[0] & 0xfc) | 0x02;
}

bool vmctl_net_features_ok(uint64_t f)
{
	bool guest_tso = has(f, VIRTIO_NET_F_GUEST_TSO4) ||
			 has(f, VIRTIO_NET_F_GUEST_TSO6);
	bool host_tso = has(f, VIRTIO_NET_F_HOST_TSO4) ||
			has(f, VIRTIO_NET_F_HOST_TSO6);
	bool guest_uso = has(f, VIRTIO_NET_F_GUEST_USO4) ||
			 has(f, VIRTIO_NET_F_GUEST_USO6);

	if ((guest_tso || guest_uso || has(f, VIRTIO_NET_F_GUEST_ECN)) &&
	    !has(f, VIRTIO_NET_F_GUEST_CSUM))
		return false;
	if (has(f, VIRTIO_NET_F_GUEST_ECN) && !guest_tso)
		return false;
	if ((host_tso || has(f, VIRTIO_NET_F_HOST_ECN) ||
	     has(f, VIRTIO_NET_F_HOST_USO)) && !has(f, VIRTIO_NET_F_CSUM))
		return false;
	return !has(f, VIRTIO_NET_F_HOST_ECN) || host_tso;
}

uint64_t vmctl_net_offered(unsigned int tap)
{
	static const struct { unsigned int tun; uint64_t features; } need[] = {
		{ TUN_F_CSUM, 1ULL << VIRTIO_NET_F_GUEST_CSUM |
			      1ULL << VIRTIO_NET_F_GUEST_TSO4 |
			      1ULL << VIRTIO_NET_F_GUEST_TSO6 |
			      1ULL << VIRTIO_NET_F_GUEST_ECN |
			      1ULL << VIRTIO_NET_F_GUEST_USO4 |
			      1ULL << VIRTIO_NET_F_GUEST_USO6 |
			      1ULL << VIRTIO_NET_F_HOST_USO },
		{ TUN_F_TSO4, 1ULL << VIRTIO_NET_F_GUEST_TSO4 },
		{ TUN_F_TSO6, 1ULL << VIRTIO_NET_F_GUEST_TSO6 },
		{ TUN_F_TSO_ECN, 1ULL << VIRTIO_NET_F_GUEST_ECN },
		{ TUN_F_USO4 | TUN_F_USO6, 1ULL << VIRTIO_NET_F_GUEST_USO4 |
					   1ULL << VIRTIO_NET_F_GUEST_USO6 |
					   1ULL << VIRTIO_NET_F_HOST_USO },
	};
	uint64_t f = VMCTL_NET_FEATURES;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(need); i++)
		if ((tap & need[i].tun) != need[i].tun)
			f &= ~need[i].features;
	/* ECN is a TSO's: with neither, the tap's ECN bit means nothing. */
	if (!(f & (1ULL << VIRTIO_NET_F_GUEST_TSO4 |
		   1ULL << VIRTIO_NET_F_GUEST_TSO6)))
		f &= ~(1ULL << VIRTIO_NET_F_GUEST_ECN);
	return f;
}

unsigned int vmctl_net_tap_offloads(uint64_t f)
{
	unsigned int off = 0;

	/* TSO needs the checksum offload under it (virtio 1.2, 5.1.3.1). */
	if (!has(f, VIRTIO_NET_F_GUEST_CSUM))
		return 0;
	off |= TUN_F_CSUM;
	if (has(f, VIRTIO_NET_F_GUEST_TSO4))
		off |= TUN_F_TSO4;
	if (has(f, VIRTIO_NET_F_GUEST_TSO6))
		off |= TUN_F_TSO6;
	if ((off & (TUN_F_TSO4 | TUN_F_TSO6)) &&
	    has(f, VIRTIO_NET_F_GUEST_ECN))
		off |= TUN_F_TSO_ECN;
	/* Linux takes USO for both IP versions or for neither. */
	if (has(f, VIRTIO_NET_F_GUEST_USO4) && has(f, VIRTIO_NET_F_GUEST_USO6))
		off |= TUN_F_USO4 | TUN_F_USO6;
	return off;
}

bool vmctl_net_tx_hdr_ok(const uint8_t hdr[VMCTL_NET_HDR_LEN], uint64_t f)
{
	uint8_t flags = hdr[VMCTL_NET_HDR_FLAGS];
	uint8_t gso = hdr[VMCTL_NET_HDR_GSO_TYPE];

	/* DATA_VALID and RSC_INFO are the device's to set, never the driver's. */
	if (flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return false;
	if ((flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !has(f, VIRTIO_NET_F_CSUM))
		return false;
	if ((gso & VIRTIO_NET_HDR_GSO_ECN) && !has(f, VIRTIO_NET_F_HOST_ECN))
		return false;
	switch (gso & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return !(gso & VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(f, VIRTIO_NET_F_HOST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(f, VIRTIO_NET_F_HOST_TSO6);
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return !(gso & VIRTIO_NET_HDR_GSO_ECN) &&
		       has(f, VIRTIO_NET_F_HOST_USO);
	default:
		return false;	/* UDP (UFO): never offered */
	}
}

bool vmctl_net_rx_hdr_fix(uint8_t hdr[VMCTL_NET_HDR_LEN], uint64_t f)
{
	uint8_t gso = hdr[VMCTL_NET_HDR_GSO_TYPE];
	bool ok;

	if (!has(f, VIRTIO_NET_F_GUEST_CSUM))
		hdr[VMCTL_NET_HDR_FLAGS] = 0;	/* and the frame is whole */
	else
		hdr[VMCTL_NET_HDR_FLAGS] &= VIRTIO_NET_HDR_F_NEEDS_CSUM |
					    VIRTIO_NET_HDR_F_DATA_VALID;
	switch (gso & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		ok = !(gso & VIRTIO_NET_HDR_GSO_ECN);
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		ok = has(f, VIRTIO_NET_F_GUEST_TSO4);
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		ok = has(f, VIRTIO_NET_F_GUEST_TSO6);
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		/* Which IP version is inside is the frame's to say. */
		ok = !(gso & VIRTIO_NET_HDR_GSO_ECN) &&
		     has(f, VIRTIO_NET_F_GUEST_USO4) &&
		     has(f, VIRTIO_NET_F_GUEST_USO6);
		break;
	default:
		ok = false;
		break;
	}
	if ((gso & VIRTIO_NET_HDR_GSO_ECN) && !has(f, VIRTIO_NET_F_GUEST_ECN))
		ok = false;
	/* A GSO frame comes with its checksum to finish. */
	if (gso != VIRTIO_NET_HDR_GSO_NONE &&
	    !(hdr[VMCTL_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		ok = false;
	memset(hdr + VMCTL_NET_HDR_NUM_BUFFERS, 0, 2);
	return ok;
}

int vmctl_net_rx_place(struct vmctl_vq *vq, const struct vmctl_guest_ram *ram,
		       struct vmctl_vq_req *req, uint8_t *frame, size_t len,
		       bool mergeable, bool *dropped)
{
	struct vmctl_vq_used_elem used[VMCTL_VQ_MAX_SIZE];
	struct iovec num_buffers[2];
	uint16_t taken = 0, n16;
	int nr_nb = 0, ret, i;
	size_t off = 0;

	*dropped = false;
	while (off < len) {
		struct iovec *w;
		size_t n;

		ret = taken < vq->size ? vmctl_vq_pop(vq, ram, req) : 0;
		if (ret <= 0) {
			vmctl_vq_unpop(vq, taken);
			/* The whole ring is not enough: it never will be. */
			*dropped = !ret && taken == vq->size;
			return ret;
		}
		taken++;
		if (req->nr_out || (taken == 1 && req->in_len < VMCTL_NET_HDR_LEN)) {
			vmctl_vq_unpop(vq, taken);
			return req->nr_out ? -VQ_ERR_DIR : -VQ_ERR_SHORT;
		}
		w = req->iov + req->nr_out;
		if (!mergeable && req->in_len < len) {
			vmctl_vq_complete(vq, req, 0);
			*dropped = true;
			return 0;
		}
		if (taken == 1)
			nr_nb = vmctl_iov_slice(w, req->nr_in,
						VMCTL_NET_HDR_NUM_BUFFERS, 2,
						num_buffers, 2);
		n = req->in_len < len - off ? req->in_len : len - off;
		vmctl_iov_write(w, req->nr_in, 0, frame + off, n);
		/* Marked before req is reused for the next chain. */
		vmctl_vq_written(vq, req);
		used[taken - 1].head = req->head;
		used[taken - 1].len = n;
		off += n;
	}
	n16 = taken;
	if (nr_nb > 0)
		vmctl_iov_write(num_buffers, nr_nb, 0, &n16, 2);
	for (i = 0; i < nr_nb; i++)
		vmctl_guest_ram_written(ram, num_buffers[i].iov_base,
					num_buffers[i].iov_len);
	/* All the frame's buffers at once: the first says how many. */
	vmctl_vq_push_n(vq, used, taken);
	return taken;
}
