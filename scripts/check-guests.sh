#!/bin/bash
# check-guests.sh: `make check-guests`: the end-to-end scripts that boot
# Linux guests the ways users boot them (cli/tests/e2e_linux.sh and
# e2e_boots.sh: ACPI, reboot, poweroff, acpi=off, paravirt, x2APIC,
# steal time, nosmp, noapic, nolapic), with
# another Debian kernel as the guest than make check's, in a 6.12 test
# machine.  make check boots only the 6.12 kernel as a guest: its time is
# at its limit, and each of these runs costs about 13 nested boots.
#
#   scripts/check-guests.sh [--guest 6.1|6.12] [--keep]
#
# --guest: the guest's kernel (default 6.1, the other one Debian ships);
# --keep: keep the work directory (the log).  Ends with tap-summary's
# "N passed, N failed" line; exit status 1 when anything failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
guest=6.1 keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--guest) guest=${2:-}; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "usage: $0 [--guest 6.1|6.12] [--keep]" >&2; exit 2 ;;
	esac
done
case $guest in
6.1) var=VMLINUZ_61 ;;
6.12) var=VMLINUZ_612 ;;
*) echo "check-guests.sh: --guest 6.1 or 6.12" >&2; exit 2 ;;
esac

eval "$(scripts/deps.sh --print-env)" || exit 1
out=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-check-guests.XXXXXX") || exit 1
if [ "$keep" = 1 ]; then
	echo "# work directory: $out"
else
	trap 'rm -rf "$out"' EXIT
fi
scripts/guest-initramfs.sh "$out/guest-initrd.gz" || exit 1
scripts=(cli/tests/e2e_linux.sh cli/tests/e2e_boots.sh)
adds=(--add scripts/guest-tests.sh --add cli/tests/tap.sh
	--add cli/tests/linux_guest.sh
	--add "${!var}:/vmctl/guest/vmlinuz-$guest"
	--add "$out/guest-initrd.gz:/vmctl/guest/initrd.gz")
for s in "${scripts[@]}"; do
	adds+=(--add "$s")
done
# Two hours: a nested boot takes 3 to 15 minutes of wall time here.
WERROR=1 scripts/vm-run --kernel 6.12 --cpus 2 --timeout 7200 "${adds[@]}" \
	-- env LINUX_KERNEL="/vmctl/guest/vmlinuz-$guest" \
	sh scripts/guest-tests.sh --only "${scripts[@]}" 2>&1 |
	tee "$out/log"
rc=${PIPESTATUS[0]}
echo
scripts/tap-summary "$out/log"
[ "$rc" = 0 ]
