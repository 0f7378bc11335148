#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Sourced by boot-in-guest.sh and io-in-guest.sh in the test machine: its
# kernel log judged per VMM.  scripts/vm-run fails a run on any WARNING,
# BUG or Oops; bench-boot.sh lets it pass them (--allow-dmesg-errors, and
# vm-run still prints them) because Debian's kvm-intel warns under Bochs
# while QEMU runs, where vmctl.ko is not even loaded.  So each part says
# what the kernel logged while it ran, and only vmctl's part fails.
#
# kvm-intel's warning (6.12.118, vmx.c:6208, a WARN_ON without _ONCE in
# vmx_flush_pml_buffer(), inlined into vmx_handle_exit: its __bug_table
# entry points there) is about Bochs: a PML log entry must be a page's
# address (SDM: bits 11:0 clear), and Bochs 2.7 logs the guest-physical
# address of the write itself, offset and all (later Bochs stores
# LPFOf(guest_paddr)).  It comes whenever kvm-intel logs dirty pages with
# PML, which QEMU's snapshot and migration turn on.  vmctl.ko takes the
# page of each entry and has no such check.

KLOG_BAD='WARNING:|BUG:|Oops|general protection|Call Trace'

# klog_mark: the uptime now, for klog_judge (the log's own clock).
klog_mark() {
	cut -d' ' -f1 /proc/uptime
}

# klog_judge MARK WHO: the bad lines the kernel logged since MARK, as one
# "bench dmesg WHO lines=N first: ..." line and the most frequent ones as
# "# dmesg WHO" lines; status 1 when there were any.
klog_judge() {
	bad=$(dmesg | awk -v t="$1" '{ s = $0; sub(/^\[ */, "", s); split(s, a, "]") }
		a[1] + 0 >= t + 0' | grep -E "$KLOG_BAD")
	[ -z "$bad" ] && return 0
	echo "bench dmesg $2 lines=$(echo "$bad" | wc -l) first: $(echo "$bad" | head -n 1)"
	echo "$bad" | sed 's/^\[[^]]*\] *//' | sort | uniq -c | sort -rn |
		head -n 5 | sed "s/^/# dmesg $2 /"
	return 1
}
