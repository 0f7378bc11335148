#!/bin/bash
# guest-initramfs.sh: build the initramfs of the Linux guest that
# `vmctl run --kernel` boots in the demo and in cli/tests/e2e_linux.sh.
#
#   scripts/guest-initramfs.sh OUT.cpio.gz
#
# A gzip'd newc cpio holding busybox-static and an /init that mounts
# /proc, /sys and /dev, prints the banner
#   vmctl guest: Linux <release>, <n> CPUs, MemTotal <kB> kB
# runs a few commands, then acts on vmctl_init= from the kernel command
# line (the kernel hands name=value words it does not know to init's
# environment):
#   vmctl_init=poweroff   power off at once (boot measurements)
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

stage=$(mktemp -d "${TMPDIR:-/tmp}/guest-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,root,etc}
cp $busybox "$stage/bin/busybox"

cat >"$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
hostname vmctl-linux-guest

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
