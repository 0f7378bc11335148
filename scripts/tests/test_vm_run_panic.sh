#!/bin/bash
# Self-test of scripts/vm-run's panic report, printing TAP: a stand-in for
# bochs (first on PATH) plays a guest console that ends in a soft-lockup
# panic, as CI saw it; vm-run must exit 120 and repeat, in its last
# message, the kernel lines that say why, and boot the guest kernel with
# every CPU's stack printed on a lockup and with HLT idle (Bochs loses
# MWAIT wake-ups: README, "The test machine").  Needs what vm-run needs
# (scripts/deps.sh), but no emulator: nothing is emulated.
root=$(cd "$(dirname "$0")/../.." && pwd)
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT

# The stand-in runs in vm-run's work directory: the serial log is named in
# bochsrc, the token vm-run waits for is in the staged init, the kernel
# command line in the ISO's isolinux.cfg.
cat >"$fake/bochs" <<'FAKE'
#!/bin/bash
serial=$(sed -n 's/^com1:.*dev=//p' bochsrc)
tok=$(grep -o 'VMRUN[0-9x]*' initramfs/init | head -n 1)
{
	echo "ISOLINUX 6.04"
	echo "$tok:INIT"
	echo "$tok:BEGIN"
	echo "cmdline: $(sed -n 's/^ *append //p' iso/isolinux/isolinux.cfg)"
	echo "# BUG: a test's own output, not a kernel message"
	echo "[  700.100000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [hotplug_test:123]"
	echo "[  700.100100] Modules linked in: vmctl(OE)"
	echo "[  700.100200] RIP: 0010:smp_call_function_many_cond+0x116/0x4c0"
	echo "[  700.100300] Sending NMI from CPU 0 to CPUs 1:"
	echo "[  710.100300] NMI backtrace for cpu 1"
	echo "[  710.100400] RIP: 0010:default_idle+0x10/0x20"
	echo "[  722.846047] Kernel panic - not syncing: softlockup: hung tasks"
	echo "[  722.984096] Kernel Offset: disabled"
} >>"$serial"
sleep 60
FAKE
chmod +x "$fake/bochs"

out=$(PATH=$fake:$PATH "$root/scripts/vm-run" --no-module --timeout 120 -- true 2>&1)
status=$?
why=$(printf '%s\n' "$out" | sed -n '/\[vm-run\] why/,$p')
n=0 failures=0

# check NAME CONDITION...
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		failures=$((failures + 1))
	fi
}
has() { printf '%s\n' "$1" | grep -qF -- "$2"; }
lacks() { ! has "$@"; }

echo "1..9"
check "a guest panic is status 120" [ "$status" = 120 ]
check "the report names the soft lockup" has "$why" "BUG: soft lockup - CPU#0 stuck"
check "the report has the stuck CPU's backtrace" has "$why" "NMI backtrace for cpu 1"
check "the report has where the CPUs were" has "$why" "RIP: 0010:default_idle"
check "the report ends with the panic's reason" \
	has "$(printf '%s\n' "$why" | tail -n 1)" "Kernel panic - not syncing: softlockup"
check "a test's own output is not taken for a kernel message" \
	lacks "$why" "a test's own output"
check "the guest prints every CPU's stack on a soft lockup" \
	has "$out" "softlockup_all_cpu_backtrace=1"
check "the guest prints every CPU's stack on a hung task" \
	has "$out" "sysctl.kernel.hung_task_all_cpu_backtrace=1"
check "the guest in Bochs idles with HLT, not MWAIT" has "$out" " idle=halt"
if [ $failures -ne 0 ]; then
	printf '%s\n' "$out" | sed 's/^/# /'
	exit 1
fi
