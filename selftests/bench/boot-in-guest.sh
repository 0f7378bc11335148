#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine (scripts/bench-boot.sh boots it): the same
# Linux guest booted to its /init by `vmctl run` under vmctl.ko, then by
# QEMU under kvm-intel (-M microvm and -M pc), in one boot of the machine,
# each measured by bootbench (L1 instructions, VMM memory, kernel memory).
#
#   boot-in-guest.sh [-r RUNS] [-c "CPUS..."] [-m MEM_MB] [-t]
#
# The files are where scripts/bench-boot.sh put them: /bench/vmctl.ko and
# the kvm modules, /bench/vmlinuz (this machine's own kernel), and
# /bench/initrd.gz (scripts/guest-initramfs.sh); QEMU and its firmware at
# their Debian paths.  Every configuration gets the same kernel, initramfs,
# command line, memory and vCPU count.  RUNS rounds, each booting every
# configuration once (vmctl.ko and kvm-intel loaded in turn: only one can
# own VMX), so a cut-short run still has figures for all.  Prints one
# "boot ..." line per boot, followed by the exits counted when the banner
# came ("# " lines: vmctl stats; KVM's debugfs counters).  With -t, after
# the first round, per QEMU machine, the exits by VMX reason of one more
# boot on the first vCPU count, from the kvm:kvm_exit tracepoint's
# histogram (not counted: the tracepoint costs instructions).
runs=3 cpus_list="1 2" mem=256 trace=0
while getopts r:c:m:t opt; do
	case $opt in
	r) runs=$OPTARG ;;
	c) cpus_list=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) trace=1 ;;
	*) echo "usage: $0 [-r RUNS] [-c CPUS...] [-m MEM_MB] [-t]" >&2; exit 2 ;;
	esac
done

B=/bench
bb=/vmctl/selftests/bench/bootbench
# shellcheck source=SCRIPTDIR/kernel-log.sh
. /vmctl/selftests/bench/kernel-log.sh
# vmctl run's default is a serial console from the first message; here
# every VMM gets the same quiet one: the boot is measured, not the console.
# cryptomgr.notests: without the crypto self-tests, a third of a nested boot.
cmdline="console=ttyS0,115200 quiet reboot=t panic=-1 io_delay=none cryptomgr.notests vmctl_init=poweroff"
tracing=/sys/kernel/tracing
[ -d $tracing/events ] || mount -t tracefs tracefs $tracing 2>/dev/null
trig=$tracing/events/kvm/kvm_exit/trigger
hist='hist:keys=exit_reason:sort=hitcount.descending'

echo "bench info kernel=$(uname -r)"
echo "bench info guest_cmdline=$cmdline"
echo "bench info guest_mem=${mem}M runs=$runs"
status=0

vmctl_boot() { # CPUS
	$bb -l "vmctl cpus=$1" -s "vmctl stats bb" -- \
		vmctl run --name bb --cpus "$1" --mem "${mem}M" \
		--kernel $B/vmlinuz --initrd $B/initrd.gz --cmdline "$cmdline"
}

# shellcheck disable=SC2016 # expanded by the sh -c that bootbench runs
kvm_stats='for f in exits io_exits mmio_exits halt_exits irq_exits irq_window_exits \
	signal_exits request_irq_exits insn_emulation hypercalls; do \
	printf "%s %s\n" $f "$(cat /sys/kernel/debug/kvm/$BOOTBENCH_PID-*/$f 2>/dev/null | \
	awk "{ s += \$1 } END { print s }")"; done'

qemu_boot() { # MACHINE CPUS [LABEL-SUFFIX]
	$bb -l "qemu-$1 cpus=$2${3:-}" -s "$kvm_stats" -- \
		qemu-system-x86_64 -M "$1" -enable-kvm -cpu host -smp "$2" \
		-m "$mem" -nodefaults -no-user-config -display none \
		-serial stdio -no-reboot -kernel $B/vmlinuz \
		-initrd $B/initrd.gz -append "$cmdline"
}

# qemu_traced MACHINE CPUS: the exits by reason of one boot.
qemu_traced() {
	if echo "$hist" >$trig 2>/dev/null; then
		qemu_boot "$1" "$2" " traced" >/dev/null
		sed -n 's/^{ exit_reason: *\([0-9]*\) *} hitcount: *\([0-9]*\)$/\1 \2/p' \
			$tracing/events/kvm/kvm_exit/hist |
			sed "s/^/# qemu-$1 cpus=$2 exit_reason /"
		echo "!$hist" >$trig
	else
		echo "# kvm_exit histogram unavailable"
	fi
}

load_kvm() {
	for m in irqbypass kvm kvm-intel; do
		out=$(insmod $B/$m.ko 2>&1) || { echo "bench kvm: insmod $m: $out"; return 1; }
	done
}

for round in $(seq "$runs"); do
	mark=$(klog_mark)
	if out=$(insmod $B/vmctl.ko 2>&1); then
		for cpus in $cpus_list; do
			vmctl_boot "$cpus" || status=1
		done
		rmmod vmctl || { echo "bench vmctl: rmmod failed"; exit 1; }
	else
		echo "bench vmctl: insmod: $out"
		status=1
	fi
	klog_judge "$mark" vmctl || status=1

	mark=$(klog_mark)
	load_kvm || exit 1
	for machine in microvm pc; do
		for cpus in $cpus_list; do
			qemu_boot $machine "$cpus" || status=1
		done
	done
	if [ "$round" = 1 ] && [ $trace = 1 ]; then
		for machine in microvm pc; do
			qemu_traced $machine "${cpus_list%% *}"
		done
	fi
	rmmod kvm_intel kvm irqbypass || { echo "bench kvm: rmmod failed"; exit 1; }
	# Reported, not judged: kvm-intel's, not vmctl's (kernel-log.sh).
	klog_judge "$mark" qemu+kvm-intel
done
exit $status
