#!/bin/bash
# bench-boot.sh: vmctl next to QEMU+KVM on the main job, booting Linux,
# in one boot of the emulated test machine, counted in its instructions.
#
# Usage: scripts/bench-boot.sh [--what "boot io state"] [--runs N]
#                              [--boot-runs N] [--cpus "1 2"] [--mem MB]
#                              [--net-kib KIB] [--trace] [--raw FILE]
#                              [--vmctl-x "GUEST ARGS"]
#
#   --what L   which rows (default all three):
#                boot   Linux boot to /init and power-off, memory
#                io     virtio-blk and virtio-net workloads in the guest
#                       (selftests/bench/io-in-guest.sh: one guest per VMM)
#                state  snapshot, restore and migration of an idle guest,
#                       migration of a busy one
#   --runs N   boots (io: workload rounds in one boot; state: snapshots,
#              restores, migrations) per configuration, the median is
#              reported (default 3)
#   --boot-runs N  boots per configuration of the boot rows alone (default:
#              --runs): each is a whole guest boot, the other rows' runs
#              are not
#   --net-kib KIB  TCP transfer each way per io round (default 8192)
#   --cpus L   the guests' vCPU counts (default "1 2")
#   --mem MB   the guests' memory (default 256)
#   --trace    also count KVM's exits by VMX reason (kvm:kvm_exit
#              histogram) in one extra boot per QEMU machine
#   --vmctl-x A  io: also a vmctl guest with A added to its command line
#              (a diagnosis, e.g. clearcpuid=erms; "vmctl-x" lines in the
#              raw output, not in the table)
#   --raw FILE also append the machine's output to FILE as it comes
#   --table FILE  no run: print the table of a --raw FILE kept before
#
# The test machine (scripts/vm-run: Debian 6.12 in Bochs 2.7, 2 CPUs,
# 1536 MB, mitigations=off) runs selftests/bench/boot-in-guest.sh: its own
# kernel and scripts/guest-initramfs.sh's initramfs booted to /init and
# powered off by `vmctl run` under vmctl.ko, then by Debian's QEMU
# (-M microvm, and -M pc with -kernel: SeaBIOS and the linuxboot option
# ROM) under Debian's kvm-intel.  Same command line, memory and vCPU count
# for all; bootbench (selftests/bench/bootbench.c) reads the TSC, which
# Bochs advances once per instruction, at fork() and when the /init
# banner comes out of the VMM's console pipe.  QEMU comes from
# `scripts/deps.sh --qemu`, installed on first use; it only ever goes into
# this machine, not into make check's.  Prints one Markdown table on
# stdout, progress on stderr.  Each guest boot is about 3 billion Bochs
# instructions (30 s of an idle core), the machine's own boot with QEMU in
# its initramfs a few minutes: about 15 minutes with the defaults (18 guest
# boots) on an idle 2-core machine, two hours and more when other
# emulators share it (2026-12-02: 9 minutes to boot the machine, then
# about 6 minutes per guest boot).  --what "io state" (three guest boots
# and the state rows) took 61 minutes on 2026-12-03 on that shared machine.
# VM_RUN=PATH runs another vm-run.
# Exit status: 0 when every boot was measured, 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROG=bench-boot.sh
VM_RUN=${VM_RUN:-$ROOT/scripts/vm-run}
runs=3 cpus="1 2" mem=256 raw="" table="" trace="" what="boot io state" net_kib=8192
boot_runs="" vmctl_x=""

say() { echo "[$PROG] $*" >&2; }
die() { say "$*"; exit 2; }
need_arg() { [ $# -ge 2 ] || die "$1 needs an argument"; }

while [ $# -gt 0 ]; do
	case $1 in
	--runs) need_arg "$@"; runs=$2; shift 2 ;;
	--boot-runs) need_arg "$@"; boot_runs=$2; shift 2 ;;
	--vmctl-x) need_arg "$@"; vmctl_x=$2; shift 2 ;;
	--cpus) need_arg "$@"; cpus=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--what) need_arg "$@"; what=$2; shift 2 ;;
	--net-kib) need_arg "$@"; net_kib=$2; shift 2 ;;
	--raw) need_arg "$@"; raw=$2; shift 2 ;;
	--trace) trace=-t; shift ;;
	--table) need_arg "$@"; table=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 ]] || die "--runs must be a positive number"
boot_runs=${boot_runs:-$runs}
[[ $boot_runs =~ ^[0-9]+$ && $boot_runs -ge 1 ]] || die "--boot-runs must be a positive number"
[[ $cpus =~ ^[1-2]( [1-2])*$ ]] || die "--cpus must list 1 or 2 (the machine has 2 CPUs)"
[[ $mem =~ ^[0-9]+$ && $mem -ge 64 && $mem -le 512 ]] || die "--mem must be 64..512"
[[ $what =~ ^(boot|io|state)( (boot|io|state))*$ ]] || die "--what must list boot, io or state"
[[ $net_kib =~ ^[0-9]+$ && $net_kib -ge 64 ]] || die "--net-kib must be 64 or more"
has() { [[ " $what " == *" $1 "* ]]; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-boot.XXXXXX")
trap 'rm -rf "$work"' EXIT
# --- what goes into the machine, and the run --------------------------------
measure() {
	eval "$("$ROOT/scripts/deps.sh" --qemu --print-env)"
	. "$ROOT/scripts/lib/machine-files.sh"
	make -s -C "$ROOT" cli >&2 || die "building the CLI failed"
	make -s -C "$ROOT/selftests/bench" >&2 || die "building bootbench failed"
	ko=$("$ROOT/scripts/kmod-build" 6.12 2>"$work/kmod-build.log") || {
		sed 's/^/    /' "$work/kmod-build.log" >&2
		die "building vmctl.ko failed"
	}
	"$ROOT/scripts/guest-initramfs.sh" "$work/initrd.gz" ||
		die "building the guest initramfs failed"
	adds=(--add "$ko:/bench/vmctl.ko" --add "$VMLINUZ_612:/bench/vmlinuz"
		--add "$work/initrd.gz:/bench/initrd.gz")
	kvm_module_adds adds "$work" 6.12 || die "the kvm modules are missing"
	qemu_adds adds || die "QEMU is missing"
	cmds=()
	has boot && cmds+=("selftests/bench/boot-in-guest.sh -r $boot_runs -c '$cpus' -m $mem $trace")
	if has io || has state; then
		io_initrd "$work" || die "building the I/O guest's initramfs failed"
		adds+=(--add "$work/initrd-io.gz:/bench/initrd-io.gz")
		net_module_adds adds "$work" 6.12 || die "the tun and vhost modules are missing"
		# shellcheck disable=SC2016 # the single quotes are for the machine's sh
		cmds+=("selftests/bench/io-in-guest.sh -r $runs -k $net_kib -m $mem -w '${what/boot/}'${vmctl_x:+ -x '$vmctl_x'}")
	fi

	say "booting the test machine: $runs runs per configuration (slow: see --help)"
	# The scripts judge the kernel log per VMM (kernel-log.sh): warnings
	# while vmctl ran fail the run, kvm-intel's are reported below.
	"$VM_RUN" --kernel 6.12 --cpus 2 --mem 1536 --no-module --timeout 10800 \
		--allow-dmesg-errors \
		"${adds[@]}" -- sh -c "s=0; $(printf '%s || s=1; ' "${cmds[@]}")exit \$s" |
		tee -a "${raw:-/dev/null}" >"$work/out" || status=$?
	[ $status = 0 ] || say "vm-run exited with status $status"
	grep -E '^(boot |bench |io |state |# )' "$work/out" | sed 's/^/    /' >&2 || true
}

# io_initrd WORKDIR: WORKDIR/initrd.gz with a second archive appended (the
# kernel unpacks one after the other): the workload script and iobench.
io_initrd() {
	local stage=$1/io-stage
	mkdir -p "$stage/bench" &&
		cp "$ROOT/selftests/bench/guest-io.sh" "$stage/bench/io.sh" &&
		cp "$ROOT/selftests/bench/iobench" "$stage/bench/iobench" &&
		(cd "$stage" && find . | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet | gzip -9) >"$1/io.cpio.gz" &&
		cat "$1/initrd.gz" "$1/io.cpio.gz" >"$1/initrd-io.gz"
}

status=0
if [ -n "$table" ]; then
	cp "$table" "$work/out" || die "--table: cannot read $table"
else
	measure
fi

# --- the tables --------------------------------------------------------------
lib=$ROOT/scripts/lib
has boot && awk -v date="$(date -u +%Y-%m-%d)" -v cpus="$cpus" \
	-f "$lib/bench-table.awk" -f "$lib/bench-boot-table.awk" "$work/out"
if has io || has state; then
	has boot && echo
	awk -v date="$(date -u +%Y-%m-%d)" -v what="$what" -f "$lib/bench-table.awk" \
		-f "$lib/bench-io-table.awk" "$work/out"
fi

# What the kernel logged while each VMM ran (kernel-log.sh): vmctl's fail
# the run (io-in-guest.sh's status), kvm-intel's are only reported.
if grep -q '^bench dmesg ' "$work/out"; then
	echo
	echo "Kernel warnings in the test machine while each VMM ran (only vmctl's fail the run):"
	sed -n 's/^bench dmesg \(.*\)/- \1/p' "$work/out"
fi

[ $status = 0 ] || exit 1
