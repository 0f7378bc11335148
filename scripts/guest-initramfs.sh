#!/bin/bash
# guest-initramfs.sh: build the initramfs of the Linux guest that
# `vmctl run --kernel` boots in the demo and in cli/tests/e2e_linux.sh.
#
#   scripts/guest-initramfs.sh OUT.cpio.gz
#
# A gzip'd newc cpio holding busybox-static, the modules a guest needs
# for vmctl's virtio devices (Debian builds them as modules: virtio_blk,
# virtio-rng, virtio_balloon, virtio_net, ext4 and their dependencies,
# from the 6.12 kernel that scripts/deps.sh unpacks; $KMODS_612
# overrides where) under /lib/modules/vmctl, and an /init that mounts
# /proc, /sys and /dev, loads those modules when the VM has a virtio
# PCI device (vendor 0x1af4; "vmctl guest: virtio modules loaded"),
# prints the banner
#   vmctl guest: Linux <release>, <n> CPUs, MemTotal <kB> kB
# runs a few commands, then acts on vmctl_init= from the kernel command
# line (the kernel hands name=value words it does not know to init's
# environment):
#   vmctl_init=poweroff   power off at once (boot measurements)
#   vmctl_init=/PATH      run the script PATH (one a later initramfs
#                         archive added, e.g. the benchmarks'), then
#                         power off
#   anything else         a shell on the console, "vmctl guest: ready"
#                         before its first prompt; the guest powers off
#                         when the shell exits
# Power off is ACPI S5 (with acpi=off a halt: every CPU ends in HLT with
# interrupts off); either ends `vmctl run` with status 0.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT.cpio.gz" >&2; exit 2; }
out=$1
busybox=/bin/busybox
[ -x $busybox ] || { echo "$0: $busybox missing: apt-get install busybox-static" >&2; exit 1; }
if LC_ALL=C ldd $busybox >/dev/null 2>&1; then
	echo "$0: $busybox is dynamically linked: install busybox-static" >&2
	exit 1
fi

if [ -z "${KMODS_612:-}" ]; then
	env_out=$("$(dirname "$0")/deps.sh" --print-env) || exit 1
	eval "$env_out"
fi
# In load order: dependencies first.  crc32c serves ext4's metadata
# checksums (the kernel cannot load it on demand without modprobe).
modules="lib/crc16 fs/mbcache fs/jbd2/jbd2 crypto/crc32c_generic fs/ext4/ext4
	drivers/block/virtio_blk drivers/char/hw_random/virtio-rng
	drivers/virtio/virtio_balloon
	net/core/failover drivers/net/net_failover drivers/net/virtio_net"

stage=$(mktemp -d "${TMPDIR:-/tmp}/guest-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,root,etc,mnt,lib/modules/vmctl}
cp $busybox "$stage/bin/busybox"
for m in $modules; do
	ko=${KMODS_612:-}/kernel/$m.ko.xz
	[ -r "$ko" ] || { echo "$0: $ko missing (scripts/deps.sh unpacks it)" >&2; exit 1; }
	xz -dc "$ko" >"$stage/lib/modules/vmctl/${m##*/}.ko"
	echo "${m##*/}" >>"$stage/lib/modules/vmctl/order"
done

cat >"$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
hostname vmctl-linux-guest

# Debian's kernel has the virtio device drivers as modules.
if grep -qs 0x1af4 /sys/bus/pci/devices/*/vendor; then
	ok=1
	for m in $(cat /lib/modules/vmctl/order); do
		insmod /lib/modules/vmctl/$m.ko || ok=0
	done
	[ $ok = 1 ] && echo "vmctl guest: virtio modules loaded"
fi

mem=$(awk '/^MemTotal:/ { print $2 " " $3 }' /proc/meminfo)
echo "vmctl guest: Linux $(uname -r), $(nproc) CPUs, MemTotal $mem"
echo "vmctl guest: uptime $(cut -d' ' -f1 /proc/uptime) s, clock $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
echo "vmctl guest: $(grep -c '^processor' /proc/cpuinfo) processors in /proc/cpuinfo; serial: $(grep -m1 ttyS0 /proc/interrupts | tr -s ' ')"

off() {
	sync
	poweroff -f
	# Only reached if the kernel returned: never let init exit.
	while :; do sleep 60; done
}

case ${vmctl_init:-shell} in
poweroff)
	echo "vmctl guest: powering off"
	off ;;
/*)
	sh "$vmctl_init"
	off ;;
*)
	echo "vmctl guest: ready"
	setsid cttyhack sh
	echo "vmctl guest: shell ended, powering off"
	off ;;
esac
INIT
chmod 755 "$stage/init"

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9) >"$out.tmp"
mv "$out.tmp" "$out"
