// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * virtio-net's state in a snapshot or a migration: its DEVICE section
 * (snapshot.h) holds the transport's state (virtio_state.c: features,
 * status, each queue's rings and position), then struct net_snap,
 * versioned on its own.  Saved with the worker stopped (the VM paused):
 * it serves each transmitted chain whole and places a received frame
 * whole or not at all, so no chain is in flight.  A frame read from the
 * tap and still waiting for room is not kept: lost, as on a wire.
 *
 * The tap is the host's and is not in the state: the card is restored
 * on whatever tap it was made with (by name, or made for it), and the
 * offloads the driver accepted must be ones that tap hands over, since
 * the driver will not be asked again.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "virtio_net.h"
#include "virtio_pci.h"

#define NET_SNAP_VERSION	1

struct net_snap {
	uint32_t version;	/* NET_SNAP_VERSION */
	uint32_t size;		/* sizeof(struct net_snap) */
	uint8_t mac[6];
	uint8_t pad[2];
};

_Static_assert(sizeof(struct net_snap) == 16, "virtio-net snapshot");

int vmctl_net_save_state(struct vmctl_virtio_dev *vdev,
			 struct vmctl_state_writer *w)
{
	struct net_snap s = { .version = NET_SNAP_VERSION, .size = sizeof(s) };
	int ret;

	pthread_mutex_lock(&vdev->lock);
	memcpy(s.mac, vdev->config, sizeof(s.mac));
	pthread_mutex_unlock(&vdev->lock);
	ret = vmctl_virtio_save(vdev, w);
	return ret ? ret : vmctl_state_put(w, &s, sizeof(s));
}

/* The driver's offloads this card does not offer on its tap: refused. */
static int check_offloads(const struct vmctl_virtio_dev *vdev,
			  const char *ifname, uint64_t accepted)
{
	static const struct { unsigned int bit; const char *name; } off[] = {
		{ VIRTIO_NET_F_GUEST_CSUM, " guest_csum" },
		{ VIRTIO_NET_F_GUEST_TSO4, " guest_tso4" },
		{ VIRTIO_NET_F_GUEST_TSO6, " guest_tso6" },
		{ VIRTIO_NET_F_GUEST_ECN, " guest_ecn" },
		{ VIRTIO_NET_F_GUEST_USO4, " guest_uso4" },
		{ VIRTIO_NET_F_GUEST_USO6, " guest_uso6" },
		{ VIRTIO_NET_F_HOST_USO, " host_uso" },
	};
	uint64_t missing = accepted & ~vdev->host_features;
	char names[128] = "";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(off); i++)
		if (missing >> off[i].bit & 1)
			strcat(names, off[i].name);
	if (!*names)
		return 0;
	return vmctl_fail(-EINVAL,
			  "virtio-net: tap '%s' does not take offloads the guest's driver accepted:%s; attach the card to a tap that does",
			  ifname, names);
}

int vmctl_net_restore_state(struct vmctl_virtio_dev *vdev, const char *ifname,
			    struct vmctl_state_reader *r)
{
	struct net_snap s;
	uint64_t accepted;
	int ret;

	ret = vmctl_virtio_saved_features(r, &accepted);
	if (!ret)
		ret = check_offloads(vdev, ifname, accepted);
	if (!ret)
		ret = vmctl_virtio_restore(vdev, r);
	if (!ret)
		ret = vmctl_state_get(r, &s, sizeof(s));
	if (ret)
		return ret;
	if (s.version != NET_SNAP_VERSION || s.size != sizeof(s))
		return vmctl_fail(-EPROTO,
				  "virtio-net: state version %u (%u bytes); this vmctl reads version %u",
				  s.version, s.size, NET_SNAP_VERSION);
	pthread_mutex_lock(&vdev->lock);
	memcpy(vdev->config, s.mac, sizeof(s.mac));
	pthread_mutex_unlock(&vdev->lock);
	return 0;
}
