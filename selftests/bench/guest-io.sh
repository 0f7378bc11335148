#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Linux guest's side of the I/O and state rows of scripts/bench-boot.sh:
# /bench/io.sh in the guest's initramfs, run by its /init
# (vmctl_init=/bench/io.sh) under vmctl and under QEMU alike.  What it does
# depends on the devices the VMM gave it, not on the VMM:
#   - a disk (/dev/vda): bench_runs rounds of 32 sequential O_DIRECT reads
#     of 1 MiB, 32 such writes, 1024 O_DIRECT reads of 4 KiB at random;
#   - a network card (eth0, 10.0.2.15/24): bench_runs rounds of bench_kib
#     KiB over TCP to the test machine (10.0.2.1, port 5001), then from it
#     (port 5002; the test machine runs `iobench peer`);
#   - neither: the state rows' idle guest: says "io idle", waits for a line
#     on its console, says "io pong" (a snapshot, restore or migration
#     happens in between); with bench_dirty=KIB the busy guest instead:
#     `iobench dirty KIB` in the background, then "io busy", and it waits
#     likewise;
# then powers off.  Each phase starts with "io phase NAME", the interrupt
# counts of the virtio vectors ("io irq"), the guest's CPU time by kind
# ("io cpu", /proc/stat) and 2 s of idle (its mitigations and CPU flags
# come first: "io vuln", "io flags"),
# so that the test machine can read the VMM's exit counters between
# phases.  Results: "io run=N op=... bytes=... requests=... tsc=...".
runs=${bench_runs:-3}
kib=${bench_kib:-8192}
io=/bench/iobench

# The phase, and the interrupts taken so far per virtio vector (1 vCPU):
# "io irq PHASE VECTOR COUNT".
phase() {
	echo "io phase $1"
	awk -v p="$1" '/virtio/ { print "io irq", p, $NF, $2 }' /proc/interrupts
	sed -n "s/^cpu /io cpu $1 /p" /proc/stat
	sleep 2
}

# What the guest made of the CPU it was given: its mitigations differ
# with the CPUID bits each VMM passes on.
for f in /sys/devices/system/cpu/vulnerabilities/*; do
	echo "io vuln ${f##*/} $(cat "$f")"
done
grep -m1 '^flags' /proc/cpuinfo | sed 's/^flags[^:]*:/io flags/'

if [ -b /dev/vda ]; then
	phase disk
	for r in $(seq "$runs"); do
		echo "io run=$r $($io read /dev/vda 1048576 32)"
		echo "io run=$r $($io write /dev/vda 1048576 32)"
		echo "io run=$r $($io randread /dev/vda 4096 1024)"
	done
fi
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	ip addr add 10.0.2.15/24 dev eth0
	phase net
	for r in $(seq "$runs"); do
		echo "io run=$r $($io send 10.0.2.1 5001 "$kib")"
		echo "io run=$r $($io recv 5002)"
	done
fi
if [ ! -b /dev/vda ] && [ ! -e /sys/class/net/eth0 ]; then
	if [ -n "$bench_dirty" ]; then
		$io dirty "$bench_dirty" &
		echo "io busy"
	else
		echo "io idle"
	fi
	read -r _
	echo "io pong"
fi
phase end
echo "io done"
