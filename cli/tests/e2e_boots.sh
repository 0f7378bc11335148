#!/bin/sh
# End-to-end test: Debian's kernel booted as a vmctl guest the odd ways
# users boot it on KVM, inside the emulated test machine (see
# e2e_linux.sh for how it gets there).  TAP output.  Checks:
#   - --cpus 2 with maxcpus=1 and acpi=off: a vCPU the guest never
#     starts does not keep vmctl run alive; poweroff -f ends it with
#     status 0 (without ACPI, Linux halts the CPU it runs on with
#     interrupts off and the other one waits for a SIPI; with ACPI, S5
#     ends it whatever the vCPUs do, as nosmp below shows);
#   - --no-paravirt (on that guest): the guest finds neither KVM nor
#     kvm-clock, and boots on the bare platform;
#   - 4 vCPUs on this 2-CPU machine: the TSC stays stable and the
#     clocksource is the TSC or kvm-clock, steal time shows in /proc/stat,
#     and Linux takes PV spinlocks (PV unhalt) and PV IPIs;
#   - nosmp (--cpus 2), noapic and nolapic: Linux sends COM1's interrupt
#     (and with nolapic its timer) through the 8259 PICs, which vmctl run
#     then gives it with the PIT: the shell answers on the console, the
#     PIC's interrupts show in /proc/interrupts (XT-PIC), and poweroff
#     ends vmctl run with status 0 through full ACPI's PM1 control;
#   - the nolapic guest, whose timer is the PIT through the PIC, is
#     snapshotted (vmctl snapshot --stop) and restored (vmctl run
#     --restore): its console answers again and sleep 1 returns, with
#     more PIT interrupts than before.
# Every guest is quiet (errors only on the console), skips the crypto
# self-tests and has 96 MiB: each boot still costs about 2e9 instructions.
#
# VMCTL, LINUX_KERNEL and LINUX_INITRD can be overridden; E2E_BOOTS="NAME
# ..." boots only the guests of those names (maxcpus1, maxcpus1-acpi-off,
# vcpus4, nosmp, noapic, nolapic), for a targeted run.
# Timeouts are instruction budgets (see linux_guest.sh).
. "$(dirname "$0")/linux_guest.sh"
linux_guest_begin boots

CMDLINE="console=ttyS0,115200 panic=-1 io_delay=none quiet cryptomgr.notests"
echo "# this machine's TSC: ${tsc_mhz:-?} MHz; timeouts: boot ${T_BOOT} s, command ${T_CMD} s"

# boot NAME CPUS EXTRA-CMDLINE [ARGS...]: a guest to /init, an ok line;
# status 1 (the guest killed) when it does not get there: typing to a
# guest that has gone would end this script (SIGPIPE); status 1 and no
# line when E2E_BOOTS leaves NAME out.
boot() {
	name=$1 cpus=$2 extra=$3
	shift 3
	case " ${E2E_BOOTS:-$name} " in *" $name "*) ;; *) return 1 ;; esac
	start_guest "$name" "$cpus" --mem 96M --cmdline "$CMDLINE $extra" "$@"
	if wait_for "vmctl guest: ready" "$T_BOOT"; then
		ok "$name: boots to /init"
		return 0
	fi
	not_ok "$name: boots to /init"
	kill -9 "$guest_pid" 2>/dev/null
	wait_exit "$T_CMD"
	return 1
}
# off NAME: poweroff -f in the guest ends vmctl run with status 0.
off() {
	type_line 'poweroff -f'
	wait_exit "$T_CMD"
	check "$1: poweroff -f ends vmctl run with status 0 (got $rc)" \
		[ "$rc" = 0 ]
	check "$1: the VM's memory is freed" eventually_no_vm_left
}
one_cpu() {
	ask cpus 'echo "cpus=$(nproc)"'
	check "$1: the guest runs on 1 CPU (got $(answer cpus))" \
		[ "$(answer cpus)" = 1 ]
}

# --- a vCPU the guest never starts; the bare platform ---------------------
# One boot for both: each costs make check about 90 s.
if boot maxcpus1-acpi-off 2 "maxcpus=1 acpi=off" --no-paravirt; then
	one_cpu maxcpus1-acpi-off
	ask kvm 'echo "kvm=$(dmesg | grep -c -e "Hypervisor detected: KVM" -e kvm-clock)"'
	check "--no-paravirt: the guest finds neither KVM nor kvm-clock (got $(answer kvm))" \
		[ "$(answer kvm)" = 0 ]
	off maxcpus1-acpi-off
fi

# --- more vCPUs than this machine has CPUs --------------------------------
if boot vcpus4 4 ""; then
	report_boot "4 vCPUs" vcpus4
	ask cs 'echo "cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"'
	check_all "vcpus4: the clocksource is the TSC or kvm-clock (got $(answer cs))" \
		'[ "$(answer cs)" = tsc ] || [ "$(answer cs)" = kvm-clock ]'
	ask unstable 'echo "unstable=$(dmesg | grep -c -i "tsc.*unstable")"'
	check "vcpus4: the TSC is not marked unstable (got $(answer unstable))" \
		[ "$(answer unstable)" = 0 ]
	ask steal 'echo "steal=$(awk "/^cpu / { print \$9 }" /proc/stat)"'
	check "vcpus4: steal time shows in /proc/stat (got $(answer steal))" \
		[ "$(answer steal)" -gt 0 ]
	ask pv 'echo "pv=$(dmesg | grep -c -e "PV spinlocks enabled" -e "setup PV IPIs")"'
	check "vcpus4: PV spinlocks and PV IPIs are set up (got $(answer pv) of 2)" \
		[ "$(answer pv)" = 2 ]
	off vcpus4
fi

# --- the 8259 PICs and the PIT ---------------------------------------------
# legacy NAME CPUS WORD [restore]: the guest booted with WORD answers on
# its console through the PIC (and with "restore" does again after a
# snapshot and a restore) and powers off.
legacy() {
	boot "$1" "$2" "$3" || return
	ask pic 'echo "pic=$(grep -c XT-PIC /proc/interrupts)"'
	check "$1: interrupts through the 8259 PIC, console answers (got $(answer pic) XT-PIC lines)" \
		[ "$(answer pic)" -gt 0 ]
	if [ "${4:-}" = restore ] && ! snap_restore "$1"; then
		kill -9 "$guest_pid" 2>/dev/null
		wait_exit "$T_CMD"
		return
	fi
	off "$1"
}
# The timer's interrupts so far: IRQ 0's count in /proc/interrupts.
IRQ0='echo "irq0=$(awk "/^ *0:/ { print \$2 }" /proc/interrupts)"'
# snap_restore NAME: the guest saved and ended, then restored from the
# file; the PIT must tick on through the PIC for sleep 1 to return.
# Status 1 when there is no restored guest to type to (SIGPIPE).
snap_restore() {
	ask irq0 "$IRQ0"
	before=$(answer irq0)
	"$VMCTL" snapshot --stop "$1" "$TMP/snap" >"$TMP/snap.out" 2>&1
	rc_snap=$?
	wait_exit "$T_CMD"
	check "$1: vmctl snapshot --stop saves the 8259s and PIT (status $rc_snap: $(cat "$TMP/snap.out"))" \
		[ "$rc_snap" = 0 ]
	[ "$rc_snap" = 0 ] || return 1
	echo "# $1: vmctl run --restore (the snapshot: $(du -k "$TMP/snap" | cut -f1) KiB)"
	run_bg --restore "$TMP/snap"
	# A file it refuses ends it at once.
	sleep 2
	if ! kill -0 "$guest_pid" 2>/dev/null; then
		not_ok "$1: vmctl run --restore runs the guest"
		return 1
	fi
	type_line 'sleep 1; echo "restored-$((6 * 7))"'
	check "$1: restored, the console answers and sleep 1 returns" \
		wait_for "restored-42" "$T_CMD"
	ask irq0 "$IRQ0"
	check "$1: restored, the PIT's IRQ 0 counts on ($before, then $(answer irq0))" \
		[ "$(answer irq0)" -gt "${before:-0}" ]
	rm -f "$TMP/snap"
}
legacy nosmp 2 nosmp
legacy noapic 1 noapic
legacy nolapic 1 nolapic restore

tap_done
