// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host side of virtio-net: a TAP device, attached by name or
 * created for the VM (see virtio_net.h).  A tap created here is not
 * persistent, so the kernel removes it when the VM's descriptor closes,
 * however the process ends.  Which offloads it takes is asked once, when
 * it is opened (vmctl_tap_probe_offloads).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "virtio_net.h"

#define TAP_TEMPLATE	"vmctl%d"

/* Bring interface name up (a tap made here starts down). */
static int link_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		ret = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			ret = -errno;
	}
	close(s);
	return ret;
}

static int attach_error(int err, const char *name)
{
	if (!name)
		return vmctl_fail(err, err == -EPERM ?
				  "creating a tap needs CAP_NET_ADMIN" :
				  "creating a tap");
	switch (err) {
	case -EPERM:
		return vmctl_fail(err, "no permission to attach to tap '%s'",
				  name);
	case -EBUSY:
		return vmctl_fail(err, "tap '%s' is in use by another process",
				  name);
	case -EINVAL:
		return vmctl_fail(err, "'%s' is not a tap device (or not one made with IFF_TAP, without multiqueue)",
				  name);
	default:
		return vmctl_fail(err, "attaching to tap '%s'", name);
	}
}

int vmctl_tap_check_name(const char *name)
{
	if (!*name || strlen(name) >= IFNAMSIZ || strchr(name, '%'))
		return vmctl_fail(-EINVAL, "'%s' is not an interface name",
				  name);
	/* An existing tap only: never make one by a name the user mistyped. */
	if (!if_nametoindex(name))
		return vmctl_fail(-ENODEV, "no network interface named '%s'",
				  name);
	return 0;
}

int vmctl_tap_open(const char *name, char *ifname, unsigned int *offloads)
{
	struct ifreq ifr = { 0 };
	int fd, hdr = VMCTL_NET_HDR_LEN, ret;

	ret = name ? vmctl_tap_check_name(name) : 0;
	if (ret)
		return ret;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return vmctl_fail(-errno, errno == ENOENT ?
				  "/dev/net/tun is missing (modprobe tun)" :
				  "opening /dev/net/tun");
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name ? name : TAP_TEMPLATE);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = attach_error(-errno, name);
		goto fail;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	ifname[IFNAMSIZ - 1] = '\0';
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		ret = vmctl_fail(-errno, "TUNSETVNETHDRSZ on tap '%s'", ifname);
		goto fail;
	}
	/* This also takes away what a persistent tap's last user set. */
	ret = vmctl_tap_probe_offloads(fd);
	if (ret >= 0) {
		*offloads = ret;
		ret = name ? 0 : link_up(ifname);
	}
	if (ret) {
		vmctl_fail(ret, "setting up tap '%s'", ifname);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

int vmctl_tap_set_offloads(int fd, unsigned int offloads)
{
	return ioctl(fd, TUNSETOFFLOAD, offloads) < 0 ? -errno : 0;
}

int vmctl_tap_probe_offloads(int fd)
{
	/* In this order: each needs the checksum, ECN needs a TSO. */
	static const unsigned int ask[] = {
		TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_TSO_ECN,
		TUN_F_USO4 | TUN_F_USO6,
	};
	unsigned int took = 0, i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(ask); i++)
		if (!vmctl_tap_set_offloads(fd, took | ask[i]))
			took |= ask[i];
	ret = vmctl_tap_set_offloads(fd, 0);
	return ret ? ret : (int)took;
}
