#!/bin/bash
# bench.sh: exit cost, creation cost and kernel memory per VM of vmctl.ko
# and of Debian's kvm-intel, side by side in the same emulated machine.
#
# Usage: scripts/bench.sh [--kernel 6.1|6.12] [--mitigations both|auto|off]
#                         [--batches N] [--vms N] [--raw FILE]
#
#   --kernel       the test machine's kernel (default 6.12); kvm.ko,
#                  kvm-intel.ko and irqbypass.ko come from the same package
#   --mitigations  boot with the kernel's default mitigations (auto), with
#                  mitigations=off, or once each (both, the default; "auto"
#                  needs vm-run's --append, else both falls back to off)
#   --batches N    batches per exit case, the median is reported (default 51)
#   --vms N        VMs created for the creation and memory figures (default 4)
#   --raw FILE     also keep every "bench" line of the runs in FILE
#
# Each boot of the test machine (scripts/vm-run, Bochs, about 2-3 minutes)
# runs selftests/bench/in-guest.sh: vmbench under vmctl.ko, rmmod, insmod
# kvm-intel, vmbench again.  The figures are L1 instructions: under Bochs
# (clock: sync=none) the TSC counts executed instructions, so they do not
# depend on the host's load (see selftests/bench/bench.c for the method).
# Prints one Markdown table on stdout; progress goes to stderr.
# VM_RUN=PATH runs another vm-run (same options and output).
# Exit status: 0 when every cell was measured, 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROG=bench.sh
VM_RUN=${VM_RUN:-$ROOT/scripts/vm-run}
kernel=6.12 mitigations=both batches=51 vms=4 raw=

say() { echo "[$PROG] $*" >&2; }
die() { say "$*"; exit 2; }
need_arg() { [ $# -ge 2 ] || die "$1 needs an argument"; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$@"; kernel=$2; shift 2 ;;
	--mitigations) need_arg "$@"; mitigations=$2; shift 2 ;;
	--batches) need_arg "$@"; batches=$2; shift 2 ;;
	--vms) need_arg "$@"; vms=$2; shift 2 ;;
	--raw) need_arg "$@"; raw=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done
case $kernel in 6.1 | 6.12) ;; *) die "--kernel must be 6.1 or 6.12" ;; esac
case $mitigations in both) modes="auto off" ;; auto | off) modes=$mitigations ;;
*) die "--mitigations must be both, auto or off" ;; esac
[[ $batches =~ ^[0-9]+$ && $batches -ge 1 ]] || die "--batches must be a positive number"
[[ $vms =~ ^[0-9]+$ && $vms -ge 1 && $vms -le 8 ]] || die "--vms must be 1..8"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- what goes into the machine ---------------------------------------------
make -s -C "$ROOT/selftests/bench" >&2 || die "building vmbench failed"
ko=$("$ROOT/scripts/kmod-build" "$kernel" 2>"$work/kmod-build.log") || {
	sed 's/^/    /' "$work/kmod-build.log" >&2
	die "building vmctl.ko failed"
}
eval "$("$ROOT/scripts/deps.sh" --print-env)"
. "$ROOT/scripts/lib/machine-files.sh"
adds=(--add "$ko:/bench/vmctl.ko")
kvm_module_adds adds "$work" "$kernel" || die "the kvm modules are missing"

# vm-run boots with mitigations=off; the default mitigations need its
# --append to put mitigations=auto after that (the last one counts).
if ! "$VM_RUN" --help | grep -q -- '--append'; then
	case $mitigations in
	auto) die "--mitigations auto: $VM_RUN has no --append option" ;;
	both) modes=off
		say "$VM_RUN has no --append option: measuring with mitigations=off only" ;;
	esac
fi

# --- one boot per mitigations setting ----------------------------------------
for mode in $modes; do
	out=$work/$mode.out
	append=()
	[ "$mode" = auto ] && append=(--append "mitigations=auto")
	say "mitigations=$mode: booting the test machine (a few minutes)"
	status=0
	"$VM_RUN" --kernel "$kernel" --mem 1024 --no-module \
		"${append[@]}" "${adds[@]}" -- \
		selftests/bench/in-guest.sh -b "$batches" -v "$vms" >"$out" || status=$?
	[ $status = 0 ] || say "mitigations=$mode: vm-run exited with status $status"
	sed -n '/^bench /s/^/    /p' "$out" >&2
	[ -n "$raw" ] && sed -n "s/^bench /bench mitigations=$mode /p" "$out" >>"$raw"
done

# --- the table ---------------------------------------------------------------
# Every "bench" line of every boot, tagged with its mitigations setting.
for mode in $modes; do
	sed -n "s/^bench /$mode /p" "$work/$mode.out"
done >"$work/all"

awk -v modes="$modes" -v date="$(date -u +%Y-%m-%d)" -v batches="$batches" \
	-v vms="$vms" '
function kv(key,    i, n, a) {
	for (i = 2; i <= NF; i++) {
		n = index($i, "=")
		if (substr($i, 1, n - 1) == key)
			return substr($i, n + 1)
	}
	return ""
}
{
	mode = $1
	if ($2 == "info") {
		sub(/^[^ ]+ info /, "")
		n = index($0, "=")
		info[mode, substr($0, 1, n - 1)] = substr($0, n + 1)
		next
	}
	b = kv("backend"); c = kv("case")
	if (c == "") next
	if (c == "memory") {
		val[mode, b, "kmem"] = kv("kernel_bytes") / 1024
		val[mode, b, "slab"] = kv("slab_bytes") / 1024
		if (kv("module_bytes") >= 0)
			val[mode, b, "module"] = kv("module_bytes") / 1024
	} else if (c == "create" || c == "create_prealloc") {
		val[mode, b, c] = kv("per_vm")
	} else if (c == "fault4k" || c == "fault2m") {
		val[mode, b, c] = kv("per_fault")
	} else if (c != "baseline") {
		val[mode, b, c] = kv("per_exit")
	}
}
function cell(m, b, r) { return ((m, b, r) in val) ? sprintf("%.0f", val[m, b, r]) : "n/a" }
function ratio(m, r) {
	if (!((m, "vmctl", r) in val) || !((m, "kvm", r) in val) || val[m, "kvm", r] <= 0)
		return "n/a"
	return sprintf("%.2f", val[m, "vmctl", r] / val[m, "kvm", r])
}
END {
	nm = split(modes, md, " ")
	nr = split("cpuid vmcall rdmsr out mmio doorbell hlt ipi ipi_pveoi pvipi create create_prealloc fault4k fault2m kmem slab module", row, " ")
	label["cpuid"] = "CPUID (in kernel), instructions per exit"
	label["vmcall"] = "VMCALL (in kernel), instructions per exit"
	label["rdmsr"] = "RDMSR IA32_APIC_BASE (in kernel), instructions per exit"
	label["out"] = "OUT to userspace and back, instructions per exit"
	label["mmio"] = "MMIO read to userspace and back, instructions per exit"
	label["doorbell"] = "OUT to a doorbell (vmctl) / ioeventfd (KVM): eventfd signalled in kernel, instructions per exit"
	label["hlt"] = "timer: one-shot APIC timer, STI;HLT, interrupt, EOI (3 exits), instructions per iteration"
	label["ipi"] = "self-IPI by ICR write, interrupt, EOI register (2 exits), instructions per iteration"
	label["ipi_pveoi"] = "the same with KVM PV EOI: the EOI without an exit (1 exit)"
	label["pvipi"] = "self-IPI by KVM_HC_SEND_IPI hypercall, PV EOI (1 exit)"
	label["create"] = "create VM + 1 vCPU + 64 MiB, run to first OUT, instructions"
	label["create_prealloc"] = "  the same with all 64 MiB mapped at creation (vmctl --mem-prealloc; KVM: none)"
	label["fault4k"] = "first touch of a 4 KiB page (EPT violation, page mapped), instructions per fault"
	label["fault2m"] = "first touch of a 2 MiB THP page (one 2 MiB EPT entry), instructions per fault"
	label["kmem"] = "kernel memory per VM (free pages), KiB"
	label["slab"] = "  of which Slab, KiB"
	label["module"] = "  vmctl GET_MODULE_STATS kernel_bytes, KiB"
	for (i = 1; i <= nm; i++)
		if ((md[i], "kernel") in info) kernel = info[md[i], "kernel"]
	printf "vmctl.ko vs kvm-intel, %s, Debian kernel %s in Bochs 2.7 (corei7_skylake_x),\n", date, kernel
	printf "L1 instructions (RDTSC deltas), median of %d batches; memory: average of %d VMs.\n\n", batches, vms
	hdr = "| |"; sep = "|---|"
	for (i = 1; i <= nm; i++) {
		hdr = hdr sprintf(" vmctl (mitigations=%s) | kvm-intel (mitigations=%s) | vmctl/kvm |", md[i], md[i])
		sep = sep "---:|---:|---:|"
	}
	print hdr; print sep
	for (r = 1; r <= nr; r++) {
		line = "| " label[row[r]] " |"
		for (i = 1; i <= nm; i++) {
			if (row[r] == "module" || row[r] == "create_prealloc")
				line = line " " cell(md[i], "vmctl", row[r]) " | n/a | n/a |"
			else if (row[r] == "slab")
				line = line " " cell(md[i], "vmctl", "slab") " | " cell(md[i], "kvm", "slab") " | |"
			else
				line = line " " cell(md[i], "vmctl", row[r]) " | " cell(md[i], "kvm", row[r]) " | " ratio(md[i], row[r]) " |"
		}
		print line
	}
	# What each hypervisor does on VM entry decides much of the
	# mitigations=auto column: say it under the table.
	print ""
	for (i = 1; i <= nm; i++) {
		vf = "?"
		if (match(info[md[i], "vmctl_probe"], /entry flush [^,]*/))
			vf = substr(info[md[i], "vmctl_probe"], RSTART + 12, RLENGTH - 12)
		kf = ((md[i], "kvm_l1d_flush") in info) ? info[md[i], "kvm_l1d_flush"] : "?"
		printf "mitigations=%s: vmctl entry flush: %s; kvm-intel vmentry_l1d_flush=%s\n", md[i], vf, kf
	}
}' "$work/all"

# Every figure present?
missing=0
for mode in $modes; do
	for b in vmctl kvm; do
		for c in cpuid vmcall rdmsr out mmio doorbell hlt ipi ipi_pveoi pvipi create fault4k fault2m memory; do
			grep -q "^$mode backend=$b case=$c " "$work/all" || missing=1
		done
	done
	grep -q "^$mode backend=vmctl case=create_prealloc " "$work/all" || missing=1
done
if [ $missing = 1 ]; then
	say "some figures are missing: n/a in the table (reasons above)"
	grep -E 'unavailable|failed' "$work/all" | sed 's/^/    /' >&2 || true
	exit 1
fi
