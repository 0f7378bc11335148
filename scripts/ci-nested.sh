#!/bin/bash
# ci-nested.sh: prove the users' CI path, `scripts/vm-run --emulator qemu`,
# on a machine without VT-x: inside the Bochs test machine, load Debian's
# kvm-intel with nested=1 and run vm-run itself there with --emulator
# qemu, so QEMU+KVM boots the test machine's image one level deeper,
# loads vmctl.ko and runs the command.  Three levels: this host runs
# Bochs (L0), Bochs runs Linux with kvm-intel (L1), QEMU+KVM runs Linux
# with vmctl.ko (L2), vmctl runs the guests (L3).
#
# Usage: scripts/ci-nested.sh [--cpus N] [--mem MB] [--timeout SECONDS]
#                             [-- COMMAND [ARG...]]
#
#   --cpus N       L2's CPUs, vm-run's --cpus inside (default 2)
#   --mem MB       L2's memory, vm-run's --mem inside (default 256)
#   --timeout S    wall-clock limit of the whole run (default 7200)
#   COMMAND        what runs in L2 (default: the hello guest, then the
#                  cpuid, exits and io kselftests)
#
# The outer run is scripts/vm-run (Bochs, 2 CPUs, 2048 MB, no vmctl.ko).
# Inside, /vmctl is this repo's build tree with the real scripts/vm-run;
# its scripts/deps.sh and scripts/kmod-build are replaced
# by stand-ins that name the files built here (the kernel from deps.sh's
# cache, vmctl.ko from kmod-build), since L1 has no package manager and no
# compiler.  GNU bash, tail, cpio, gzip and ldd come along for vm-run
# (busybox lacks `tail --pid` and `cpio --quiet`, and its gzip takes
# minutes of Bochs time for the initramfs), and QEMU with its firmware.
# Exits with the inner vm-run's status (see vm-run --help), or the outer
# one's when it failed first.  Slow: 38 minutes on a 2-core host shared
# with other emulators (2026-12-02), most of it Bochs booting L1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROG=ci-nested.sh
cpus=2 mem=256 timeout=7200

say() { echo "[$PROG] $*" >&2; }
die() { say "$*"; exit 125; }
need_arg() { [ $# -ge 2 ] || die "$1 needs an argument"; }

while [ $# -gt 0 ]; do
	case $1 in
	--cpus) need_arg "$@"; cpus=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	--) shift; break ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
done
[[ $cpus =~ ^[12]$ ]] || die "--cpus must be 1 or 2 (L1 has 2 CPUs)"
[[ $mem =~ ^[0-9]+$ && $mem -ge 128 && $mem -le 1024 ]] || die "--mem must be 128..1024"
[[ $timeout =~ ^[0-9]+$ && $timeout -ge 1 ]] || die "--timeout must be a positive number"
[ $# -gt 0 ] || set -- sh -c 'vmctl run --mem 2M --image cli/guests/hello.bin &&
	selftests/cpuid_test && selftests/exits_test && selftests/io_test'

work=$(mktemp -d "${TMPDIR:-/tmp}/ci-nested.XXXXXX")
trap 'rm -rf "$work"' EXIT

eval "$("$ROOT/scripts/deps.sh" --qemu --print-env)"
. "$ROOT/scripts/lib/machine-files.sh"
make -s -C "$ROOT" libvmctl cli selftests >&2 || die "building failed"
ko=$("$ROOT/scripts/kmod-build" 6.12 2>"$work/kmod-build.log") || {
	sed 's/^/    /' "$work/kmod-build.log" >&2
	die "building vmctl.ko failed"
}

# --- /vmctl: the repo as vm-run sees it, inside L1 -------------------------
# The outer vm-run mirrors the build tree (CLI, library, selftests, guests)
# under /vmctl, which is what the inner one mirrors into L2: adding its
# scripts there makes /vmctl the inner vm-run's repo.
N=/vmctl
adds=(--add "$ROOT/scripts/vm-run:$N/scripts/vm-run"
	--add "$ko:$N/build/kmod-6.12/vmctl.ko"
	--add "$VMLINUZ_612:$N/kernels/vmlinuz-$KVER_612")
cat >"$work/deps.sh" <<EOF
#!/bin/sh
# Stand-in for scripts/deps.sh inside the test machine (ci-nested.sh):
# everything is installed already; only the 6.12 kernel is here.
echo "KVER_612='$KVER_612'"
echo "VMLINUZ_612='$N/kernels/vmlinuz-$KVER_612'"
EOF
cat >"$work/kmod-build" <<EOF
#!/bin/sh
# Stand-in for scripts/kmod-build inside the test machine (ci-nested.sh):
# vmctl.ko was built for 6.12 on the host.
[ "\$1" = 6.12 ] || { echo "kmod-build: only 6.12 is here" >&2; exit 1; }
echo $N/build/kmod-6.12/vmctl.ko
EOF
chmod +x "$work/deps.sh" "$work/kmod-build"
adds+=(--add "$work/deps.sh:$N/scripts/deps.sh" --add "$work/kmod-build:$N/scripts/kmod-build")
# GNU tools vm-run needs beyond busybox, first on PATH under $N/bin.
adds+=(--add /bin/bash:/bin/bash)
for tool in /bin/bash /usr/bin/tail /bin/cpio /bin/gzip /usr/bin/ldd; do
	adds+=(--add "$tool:$N/bin/$(basename "$tool")")
done
kvm_module_adds adds "$work" 6.12 || die "the kvm modules are missing"
qemu_adds adds || die "QEMU is missing"

# What runs in L1: kvm-intel with nested VMX, then the inner vm-run.
quote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
inner=
for a in "$@"; do inner+="$(quote "$a") "; done
cat >"$work/l1.sh" <<EOF
#!/bin/sh
# L1 of scripts/ci-nested.sh: kvm-intel with nested VMX, then vm-run --emulator qemu.
for m in irqbypass kvm; do insmod /bench/\$m.ko || exit 125; done
insmod /bench/kvm-intel.ko nested=1 || { dmesg | tail -n 5; exit 125; }
echo "ci-nested: L1 \$(uname -r), kvm_intel nested=\$(cat /sys/module/kvm_intel/parameters/nested)"
echo "ci-nested: L1 vmx flags: \$(grep -m1 '^vmx flags' /proc/cpuinfo | cut -d: -f2)"
t0=\$(cut -d' ' -f1 /proc/uptime)
PATH=$N/bin:\$PATH TMPDIR=/tmp $N/scripts/vm-run --emulator qemu --kernel 6.12 \\
	--cpus $cpus --mem $mem --timeout $timeout -- $inner
rc=\$?
echo "ci-nested: inner vm-run exited \$rc after \$(awk -v a=\$t0 '{ print \$1 - a }' /proc/uptime) s of L1 time"
exit \$rc
EOF
chmod +x "$work/l1.sh"
adds+=(--add "$work/l1.sh:/bench/l1.sh")

say "booting the test machine; inside it vm-run --emulator qemu ($cpus CPUs, $mem MB)"
start=$SECONDS
status=0
"$ROOT/scripts/vm-run" --kernel 6.12 --cpus 2 --mem 2048 --no-module \
	--timeout "$timeout" "${adds[@]}" -- /bench/l1.sh || status=$?
say "finished with status $status after $((SECONDS - start)) s"
exit $status
