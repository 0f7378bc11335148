#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# reload_test.sh: what needs vmctl.ko unloaded and loaded again.  Runs on
# the test machine after run_all.sh (scripts/guest-tests.sh), as root with
# busybox, and ends with the module loaded with its defaults again.
# Prints TAP: "ok - ..."/"not ok - ..." lines of its own, and the lines of
# the kselftest binaries it runs, tagged with the parameters in force
# ("ok 3 [vpid=0] long_mode_64").
#
#  1. VMX already in use: with Debian's kvm_intel loaded (irqbypass.ko,
#     kvm.ko, kvm-intel.ko from $VMCTL_KVM_DIR, default /vmctl/kvm; .ko.xz
#     works too, but unxz takes ~30 s under Bochs) loading vmctl.ko fails
#     with EBUSY and exactly one kernel-log line, naming kvm_intel, and
#     leaves no module or device behind; once kvm_intel and kvm are gone
#     vmctl loads again and works.  (The other way round, kvm_intel
#     refusing to load while vmctl holds VMX, was seen to work but is not
#     run: each load or unload of kvm costs 10-30 s under Bochs.)  A kvm
#     that takes VMX only while it has a VM (Linux 6.1, or 6.12 with
#     kvm.enable_virt_at_load=0) is given one by ./kvm_hold meanwhile.
#  2. A parameter value that makes no sense (vpid=maybe): EINVAL from the
#     kernel's parameter parser, one log line, nothing left behind.
#  3. vpid=0, ept_2m=0 and pml=0: the load line says so, and params_test
#     and the selftests each feature matters to pass under them.
# Modules are loaded with ./load_module: one finit_module() each, where
# busybox insmod would retry a refused module and log its refusal twice.
#
# Refusals that cannot be triggered in the emulated machine: "no VMX"
# (Bochs' CPU model has VMX, and the module reads CPUID itself, so
# clearcpuid= cannot hide it), "disabled by firmware" (the first load
# locks IA32_FEATURE_CONTROL with VMX enabled; only a reset unlocks it),
# "a required capability missing" (the model has every one, and the VMX
# capability MSRs are read-only).
#
# Environment: VMCTL_KO (default /vmctl/kmod/vmctl.ko), VMCTL_KVM_DIR.
# Exit status: 0 when everything passed (skips allowed), 1 otherwise.

cd "$(dirname "$0")" || exit 1
KO=${VMCTL_KO:-/vmctl/kmod/vmctl.ko}
KVM_DIR=${VMCTL_KVM_DIR:-/vmctl/kvm}
TMP=${TMPDIR:-/tmp}
failed=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
skip() { echo "ok - $1 # SKIP $2"; }
# check DESCRIPTION CMD...: one TAP line for CMD's success.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# The kernel log after the last mark (numbered: one never prefixes another).
marks=0
mark() {
	marks=$((marks + 1))
	marker="vmctl-reload-test-$$-$marks-$1"
	echo "$marker" >/dev/kmsg
}
log_since_mark() { dmesg | sed -n "/$marker/,\$p" | sed 1d; }
# The module's own lines since the mark, without the timestamps.
vmctl_lines() { log_since_mark | sed -n 's/^\[[^]]*\] //; /^vmctl: /p'; }

loaded() { [ -d /sys/module/vmctl ]; }
gone() { ! loaded && [ ! -e /dev/vmctl ]; }
unload() { ! loaded || rmmod vmctl; }

# load [PARAMS]: load_module (one attempt, unlike busybox insmod), then
# wait for /dev/vmctl (devtmpfs).
load() {
	./load_module "$KO" "$@" >/dev/null || return 1
	i=0
	while [ ! -e /dev/vmctl ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -e /dev/vmctl ]
}

# loaded_with DESCRIPTION PARAMS LINE_PATTERN: unload, mark, load with
# PARAMS (one word, may be empty) and check the load line against
# LINE_PATTERN (grep -E; a leading ! means must not match).
loaded_with() {
	desc=$1 params=$2 want=$3
	unload || { not_ok "$desc: rmmod vmctl failed"; return 1; }
	mark "load-$params"
	if ! load "$params"; then
		not_ok "$desc: loading vmctl.ko $params failed"
		vmctl_lines | sed 's/^/# /'
		return 1
	fi
	line=$(vmctl_lines | grep 'VMX on')
	echo "$line" | sed 's/^/# /'
	case $want in
	!*) ! echo "$line" | grep -qE "${want#!}" ;;
	*) echo "$line" | grep -qE "$want" ;;
	esac || { not_ok "$desc: load line"; return 1; }
	ok "$desc"
}

# run_tagged TAG TEST...: the binaries' TAP with TAG after each number.
run_tagged() {
	tag=$1
	shift
	for t in "$@"; do
		echo "# ---- $t ($tag)"
		{ "./$t"; echo $? >"$TMP/reload_test.status"; } |
			sed "s/^\(\(not \)\{0,1\}ok [0-9]*\) /\1 [$tag] /"
		status=$(cat "$TMP/reload_test.status")
		case $status in
		0) ;;
		1) failed=1 ;;	# the failing cases said "not ok"
		*) not_ok "$t [$tag] exited with status $status" ;;
		esac
	done
}

# kvm_ko NAME: the path of NAME.ko, unpacked from NAME.ko.xz if need be.
kvm_ko() {
	if [ -f "$KVM_DIR/$1.ko" ]; then
		echo "$KVM_DIR/$1.ko"
	elif [ -f "$KVM_DIR/$1.ko.xz" ] &&
		unxz -c "$KVM_DIR/$1.ko.xz" >"$TMP/$1.ko"; then
		echo "$TMP/$1.ko"
	else
		return 1
	fi
}

# irqbypass may stay: it holds no VMX, and each rmmod costs seconds here.
kvm_unload() {
	for m in kvm_intel kvm; do
		[ ! -d /sys/module/$m ] || rmmod $m
	done
}

# refused DESCRIPTION ERRNO PATTERN CMD...: CMD, a load_module that loads
# vmctl.ko, must fail with ERRNO and exactly one new "vmctl: " kernel-log
# line (the module's own or the kernel's about it) matching PATTERN
# (grep); afterwards no vmctl module or device may be left.
refused() {
	desc=$1 want_errno=$2 pattern=$3
	shift 3
	mark refused
	if err=$("$@"); then
		not_ok "$desc: it loaded"
		return 1
	fi
	lines=$(vmctl_lines)
	echo "$lines" | sed 's/^/# /'
	if [ "$err" != "$want_errno" ]; then
		not_ok "$desc: $err, want $want_errno"
	elif [ "$(echo "$lines" | grep -c .)" != 1 ] ||
		! echo "$lines" | grep -q "$pattern"; then
		not_ok "$desc: want one kernel-log line matching '$pattern'"
	else
		ok "$desc: $err and one log line"
	fi
	check "$desc: nothing left behind" gone
}

# kvm_load: irqbypass (unless loaded), kvm, kvm_intel.
kvm_load() {
	{ [ -d /sys/module/irqbypass ] || ./load_module "$irqbypass"; } &&
		./load_module "$kvm" && ./load_module "$kvm_intel"
}

test_vmx_in_use() {
	desc="vmctl refused while kvm_intel holds VMX"
	if ! irqbypass=$(kvm_ko irqbypass) || ! kvm=$(kvm_ko kvm) ||
		! kvm_intel=$(kvm_ko kvm-intel); then
		skip "$desc" "irqbypass, kvm, kvm-intel modules not in $KVM_DIR"
		return
	fi
	unload || { not_ok "$desc: rmmod vmctl failed"; return; }
	if ! kvm_load >/dev/null; then
		not_ok "$desc: loading kvm_intel failed"
		dmesg | tail -n 5 | sed 's/^/# /'
		kvm_unload
		return
	fi
	holder=
	if [ "$(cat /sys/module/kvm/parameters/enable_virt_at_load 2>/dev/null)" != Y ]; then
		# This kvm takes VMX only while it has a VM: give it one.
		holder=./kvm_hold
		desc="$desc and a VM"
	fi
	refused "$desc" EBUSY "^vmctl: .*kvm_intel" $holder ./load_module "$KO"
	kvm_unload
	loaded_with "vmctl loads after rmmod kvm_intel kvm" "" 'VMX on [0-9]+ CPUs' ||
		return

	run_tagged "after kvm_intel" params_test modes_test
}

test_bad_parameter() {
	unload || { not_ok "vpid=maybe: rmmod vmctl failed"; return; }
	refused "vmctl refused with vpid=maybe" EINVAL "maybe.*vpid" \
		./load_module "$KO" vpid=maybe
}

start="vmctl-reload-test-$$-start"
echo "$start" >/dev/kmsg

test_vmx_in_use
test_bad_parameter

loaded_with "loaded with vpid=0: VPID off" vpid=0 'VPID off' &&
	run_tagged vpid=0 params_test modes_test sched_test
loaded_with "loaded with ept_2m=0: no 2 MiB pages" ept_2m=0 '!2 MiB pages' &&
	run_tagged ept_2m=0 params_test ept_2m_test modes_test
loaded_with "loaded with pml=0: dirty log by write-protection" pml=0 \
	'dirty log by write-protection' &&
	run_tagged pml=0 params_test dirty_log_test
loaded_with "loaded again with the defaults: VPID on" "" 'VPID on'

bad=$(dmesg | sed -n "/$start/,\$p" |
      grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace')
if [ -n "$bad" ]; then
	echo "$bad" | sed 's/^/# dmesg: /'
	not_ok "kernel log clean during the reloads"
else
	ok "kernel log clean during the reloads"
fi
exit $failed
