#!/bin/bash
# check.sh: everything `make check` runs, ending with one line
#   "N passed, N failed" (", N skipped" when any)
# that counts every TAP test of every layer; exits nonzero on any failure.
#
#   build  scripts/deps.sh, make all, make unit       (one TAP line each)
#   (a)    host: every */tests/test_* executable (cmocka binaries, test_*.sh
#          scripts), run from the repo root with CMOCKA_MESSAGE_OUTPUT=TAP
#   (b)    kmod builds against Debian's 6.1 and 6.12 headers with warnings
#          as errors (build/kmod-<k>); checkpatch --no-tree -f, no error
#          nor warning allowed, on kmod/**/*.[chS] (not kmod/tests/),
#          include/uapi/linux/vmctl.h and, with the userspace exceptions
#          below, libvmctl/, cli/ and selftests/ C files; no circle of
#          calls between kmod's files but the APIC bus (kmod-cycles)
#   (c)    two Bochs machines side by side (6.12, 2 CPUs each, one per
#          host core) with vmctl.ko loaded, running scripts/guest-tests.sh:
#          selftests/run_all.sh and every guest-side */tests/e2e*.sh
#          script shared out between them, all printing TAP
#
# Each layer's raw output is shown indented under a "== ... ==" heading.  A
# program that exits nonzero without reporting a "not ok" itself, or that
# prints no TAP at all, gets a "not ok" line of its own, so a crash is never
# a silent pass.  CHECK_SKIP_VM=1 leaves layer (c) out and reports it as one
# skipped test (for quick runs; a skip is never a pass).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

# Per run, so that runs in parallel do not mix their results.
out=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-check.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT
results=$out/results.tap
: >"$results"

# Userspace is not kernel code: these checkpatch rules ask for kernel-only
# facilities (fallthrough, __packed, strscpy, kstrto*, u32 types...) or
# forbid what userspace needs (volatile sig_atomic_t; usage text split
# across lines, where kernel log messages must stay greppable).
USER_IGNORES=PREFER_FALLTHROUGH,PREFER_DEFINED_ATTRIBUTE_MACRO,PREFER_KERNEL_TYPES
USER_IGNORES+=,SSCANF_TO_KSTRTO,STRCPY,STRLCPY,STRNCPY,VOLATILE,AVOID_EXTERNS
USER_IGNORES+=,EMBEDDED_FUNCTION_NAME,PREFER_PR_LEVEL,PRINTK_WITHOUT_KERN_LEVEL
USER_IGNORES+=,SPLIT_STRING

heading() { printf '\n== %s ==\n' "$*"; }
indent() { sed -u 's/^/    /'; }

# result ok|"not ok" DESCRIPTION: record and show one TAP line.
result() {
	printf '%s - %s\n' "$1" "$2" >>"$results"
	printf '%s - %s\n' "$1" "$2"
}

# judge NAME STATUS TAPFILE: count TAPFILE's results; add a "not ok" when
# the program failed without saying so, or said nothing.
judge() {
	local name=$1 rc=$2 file=$3
	grep -E '^(not )?ok([ 	]|$)' "$file" >>"$results"
	if [ "$rc" -ne 0 ] && ! grep -qE '^not ok([ 	]|$)' "$file"; then
		result "not ok" "$name exited with status $rc"
	elif ! grep -qE '^(not )?ok([ 	]|$)' "$file"; then
		result "not ok" "$name printed no TAP result"
	fi
}

# tap NAME CMD...: run a program that prints TAP on stdout; both streams
# are shown indented.
tap() {
	local name=$1 log rc
	shift
	log=$out/$(echo "$name" | tr -c 'A-Za-z0-9._-' _).tap
	"$@" 2>&1 >"$log" | indent
	rc=${PIPESTATUS[0]}
	indent <"$log"
	judge "$name" "$rc" "$log"
}

# step DESCRIPTION CMD...: one TAP line for a command's success.
step() {
	local what=$1 log
	shift
	log=$out/step.log
	if "$@" >"$log" 2>&1; then
		result ok "$what"
	else
		indent <"$log" | tail -n 40
		result "not ok" "$what"
	fi
}

heading "dependencies and build"
if env_out=$(scripts/deps.sh --print-env 2>"$out/deps.log"); then
	indent <"$out/deps.log"
	eval "$env_out"
	result ok "scripts/deps.sh"
else
	# Nothing can be built or run without them: say which one is
	# missing (deps.sh's last line) and stop.
	indent <"$out/deps.log"
	result "not ok" "scripts/deps.sh: $(tail -n 1 "$out/deps.log")"
	echo
	scripts/tap-summary "$results"
	exit 1
fi
step "make all" make -k -j"$(nproc)" all
step "make unit" make -k -j"$(nproc)" unit

heading "(a) host tests"
while IFS= read -r t; do
	echo "# $t"
	tap "$t" env CMOCKA_MESSAGE_OUTPUT=TAP "./$t"
done < <(find . -path ./build -prune -o -type f -perm -u+x \
	-path './*/tests/test_*' ! -name '*.[cho]' ! -name '*.d' -print |
	sed 's|^\./||' | sort)

heading "(b) kernel module builds and style"
for kv in 6.1 6.12; do
	step "kmod builds against Debian's $kv headers with -Werror" \
		scripts/kmod-build "$kv" WERROR=1
done
# Layers: no files of the module call each other in a circle but the
# APIC bus (scripts/kmod-cycles reads the 6.12 build's symbol tables).
step "kmod: no circle of calls between files but the APIC bus" \
	scripts/kmod-cycles build/kmod-6.12

# checkpatch_file FILE [EXTRA_ARGS...]
checkpatch_file() {
	local f=$1 log=$out/checkpatch.log
	shift
	if [ -z "${CHECKPATCH:-}" ]; then
		result "not ok" "checkpatch $f (checkpatch.pl missing)"
	elif "$CHECKPATCH" --no-tree --quiet --terse --show-types "$@" -f "$f" \
		>"$log" 2>&1 && ! grep -qE 'ERROR|WARNING' "$log"; then
		result ok "checkpatch $f"
	else
		indent <"$log"
		result "not ok" "checkpatch $f"
	fi
}
# Every folder of the module (not tests/, userspace); kbuild's generated
# *.mod.c is not ours.
for f in $(find kmod -path kmod/tests -prune -o -name '*.[chS]' -print |
	sort) include/uapi/linux/vmctl.h; do
	[[ $f == *.mod.c ]] || [ ! -f "$f" ] || checkpatch_file "$f"
done
for f in libvmctl/*.[ch] cli/*.[ch] selftests/*.[ch] selftests/lib/*.[ch]; do
	[ -f "$f" ] && checkpatch_file "$f" --ignore "$USER_IGNORES"
done

heading "(c) selftests and end-to-end tests in Bochs (6.12, 2 CPUs)"
if [ "${CHECK_SKIP_VM:-0}" = 1 ]; then
	result ok "tests in Bochs # SKIP CHECK_SKIP_VM=1"
else
	adds=(--add scripts/guest-tests.sh)
	for f in */tests/e2e*.sh cli/tests/tap.sh cli/tests/linux_guest.sh; do
		[ -f "$f" ] && adds+=(--add "$f")
	done
	# Debian's kvm_intel for selftests/reload_test.sh (VMX already in
	# use), unpacked here: xz in the emulated machine costs half a minute.
	# And zram with its lz4 modules: swap for selftests/swap_test
	# (selftests/lib/zram_swap.sh).  And tun: the tap of
	# cli/tests/e2e_virtio.sh's virtio-net card.
	for m in virt/lib/irqbypass:kvm arch/x86/kvm/kvm:kvm \
		arch/x86/kvm/kvm-intel:kvm lib/lz4/lz4_compress:zram \
		lib/lz4/lz4hc_compress:zram drivers/block/zram/zram:zram \
		drivers/net/tun:net; do
		dir=${m##*:} m=${m%:*}
		ko=$out/${m##*/}.ko
		xz -dc "${KMODS_612:-}/kernel/$m.ko.xz" >"$ko" 2>/dev/null &&
			adds+=(--add "$ko:/vmctl/$dir/${m##*/}.ko")
	done
	# cli/tests/e2e_linux.sh's guest: the test machine's own kernel and
	# a busybox initramfs (a missing one shows as that test's "not ok").
	if scripts/guest-initramfs.sh "$out/guest-initrd.gz" 2>&1 | indent; then
		adds+=(--add "${VMLINUZ_612:-}:/vmctl/guest/vmlinuz"
			--add "$out/guest-initrd.gz:/vmctl/guest/initrd.gz")
	fi
	# cli/tests/e2e_virtio.sh's disk, an ext4 file system made here (the
	# test machine has no mke2fs), and the loop driver that lets the
	# test machine look into it afterwards.
	mkdir -p "$out/ext4-root"
	echo "made by mke2fs -d on the host" >"$out/ext4-root/hello.txt"
	if mke2fs -q -F -t ext4 -d "$out/ext4-root" "$out/ext4.img" 16M 2>&1 | indent &&
		xz -dc "${KMODS_612:-}/kernel/drivers/block/loop.ko.xz" \
			>"$out/loop.ko" 2>/dev/null; then
		adds+=(--add "$out/ext4.img:/vmctl/guest/ext4.img"
			--add "$out/loop.ko:/vmctl/guest/loop.ko")
	fi
	# Two machines side by side, one per host core: Bochs emulates all
	# the CPUs of a machine on one host thread, so one machine leaves the
	# other core idle.  The second takes the e2e scripts that boot Linux
	# guests the most; the first everything else (a new script included)
	# and reload_test last.  Each script's "took" line gives its share in
	# the test machine's clock, the measure to balance them by: at
	# dd425e4 the first had 356 s of it, the second 217 s, and each
	# second cost about four of make check's.  Each one's output is
	# shown whole, the first as it runs.
	# WERROR=1 reaches kmod's make through the environment: the module
	# built in (b) is reused as it is instead of being rebuilt.
	# The timeout allows for the nested Linux boots (several minutes
	# each on a busy host).
	second="cli/tests/e2e_linux.sh cli/tests/e2e_balloon.sh"
	second+=" cli/tests/e2e_migrate.sh cli/tests/e2e_pause.sh"
	vm_tests() {
		WERROR=1 scripts/vm-run --kernel 6.12 --cpus 2 --timeout 3600 \
			"${adds[@]}" -- sh scripts/guest-tests.sh "$@" 2>&1
	}
	vm_tests --only $second >"$out/vm2.log" &
	vm2=$!
	echo "# machine 1: every script but $second"
	vm_tests --skip $second | tee "$out/vm1.log" | indent
	rc1=${PIPESTATUS[0]}
	echo "# machine 2: $second"
	wait "$vm2"
	rc2=$?
	indent <"$out/vm2.log"
	# vm-run's messages never start with "ok".
	for m in 1 2; do
		rc=rc$m
		rc=${!rc}
		log=$out/vm$m.log
		if { [ "$rc" -ge 120 ] && [ "$rc" -le 125 ]; } || [ "$rc" = 130 ]; then
			grep -E '^(not )?ok([ 	]|$)' "$log" >>"$results"
			result "not ok" "scripts/vm-run (machine $m) failed with status $rc (see its message above)"
		else
			judge "scripts/guest-tests.sh (machine $m)" "$rc" "$log"
		fi
	done
fi

echo
scripts/tap-summary "$results"
