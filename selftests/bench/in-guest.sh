#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine (scripts/bench.sh boots it): vmbench under
# vmctl.ko, then under kvm-intel in the same L1 kernel.  Only one
# hypervisor can own VMX, so vmctl.ko is unloaded before kvm.ko goes in
# (on 6.12, kvm.ko turns VMX on when it loads).  The modules are where
# scripts/bench.sh put them: /bench/*.ko.  Arguments go to vmbench.
# A backend that cannot run says so in its "bench" line; the other still runs.

bench=/vmctl/selftests/bench/vmbench

echo "bench info kernel=$(uname -r)"
echo "bench info cmdline=$(cat /proc/cmdline)"
for f in /sys/devices/system/cpu/vulnerabilities/*; do
	echo "bench vuln $(basename "$f")=$(cat "$f")"
done

if out=$(insmod /bench/vmctl.ko 2>&1); then
	# Its load line says which entry flush (L1D, VERW, none) it chose.
	echo "bench info vmctl_probe=$(dmesg | grep -o 'vmctl: VMX on.*' | tail -n 1)"
	$bench vmctl "$@" || echo "bench backend=vmctl failed status=$?"
	rmmod vmctl || echo "bench backend=vmctl failed: rmmod"
else
	echo "bench backend=vmctl unavailable: insmod: $out"
fi

for m in irqbypass kvm kvm-intel; do
	if ! out=$(insmod /bench/$m.ko 2>&1); then
		echo "bench backend=kvm unavailable: insmod $m: $out"
		dmesg | tail -n 5
		exit 1
	fi
done
echo "bench info kvm_l1d_flush=$(cat /sys/module/kvm_intel/parameters/vmentry_l1d_flush)"
echo "bench info l1tf_with_kvm=$(cat /sys/devices/system/cpu/vulnerabilities/l1tf)"
$bench kvm "$@" || echo "bench backend=kvm failed status=$?"
