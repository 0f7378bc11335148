#!/bin/sh
# End-to-end test: Debian's kernel booted as a vmctl guest with
# `vmctl run --kernel`, inside the emulated test machine (busybox sh,
# vmctl.ko loaded, the build tree at /vmctl).  TAP output.
#
#   scripts/vm-run --add cli/tests/e2e_linux.sh --add cli/tests/tap.sh \
#       --add cli/tests/linux_guest.sh \
#       --add "$VMLINUZ_612:/vmctl/guest/vmlinuz" \
#       --add initrd.gz:/vmctl/guest/initrd.gz -- sh cli/tests/e2e_linux.sh
#
# (scripts/check.sh adds all of them: the kernel from scripts/deps.sh'
# cache, the initramfs from scripts/guest-initramfs.sh.)  Checks: a guest
# with 2 vCPUs boots to /init, whose banner reports nproc and memory; it
# finds the ACPI tables (MADT among them, and no MP table) and SMBIOS's
# "vmctl"; it detects KVM's signature, registers kvm-clock, takes PV
# EOI (logged since Linux 6.6), PV IPIs and PV sched yield and enables
# x2APIC; input typed on the console reaches the
# guest's shell and the reply comes back; `sleep 1` returns and uptime
# advances; `reboot -f` (ACPI reset) boots the kernel again to /init;
# `poweroff -f` (ACPI S5) ends the guest and frees its memory, and so does
# `vmctl kill` during a boot; with acpi=off the guest boots through the MP
# table and, with --no-reboot, its reboot (triple fault) ends vmctl run
# with status 3; bad images are refused with a clear message and leave no
# VM behind.  Boot figures (time
# to /init in this machine's clock, whose TSC counts Bochs instructions,
# and the exits by reason) are printed as TAP comments.
#
# VMCTL, LINUX_KERNEL and LINUX_INITRD can be overridden.
# Timeouts are instruction budgets (see linux_guest.sh).
. "$(dirname "$0")/linux_guest.sh"
linux_guest_begin linux

echo "# this machine's TSC: ${tsc_mhz:-?} MHz; timeouts: boot ${T_BOOT} s, command ${T_CMD} s"

# --- 2 vCPUs: boot, firmware, paravirt, console, reboot, poweroff ---------
# One guest carries every check of a booted kernel: each nested boot costs
# 2.5 to 3.3e9 instructions, a minute and more of make check.  The other
# e2e scripts boot 1 vCPU guests.
start_guest linux2 2
if wait_for "vmctl guest: ready" "$T_BOOT"; then
	ok "2 vCPUs: Debian's kernel boots to /init"
	report_boot "2 vCPUs" linux2
else
	not_ok "2 vCPUs: Debian's kernel boots to /init"
fi
check "2 vCPUs: the banner names the kernel and 2 CPUs" \
	has "vmctl guest: Linux [0-9.]*.*, 2 CPUs, MemTotal [0-9]* kB" "$TMP/out"
mem=$(sed -n 's/.*MemTotal \([0-9]*\) kB.*/\1/p' "$TMP/out" | head -n 1)
check_all "MemTotal ${mem:-?} kB, a little under --mem 128M" \
	'[ "${mem:-0}" -gt 65536 ] && [ "${mem:-0}" -le 131072 ]'

# The firmware tables, as the guest's kernel log names them.
acpi_tables() {
	for t in RSDP XSDT FACP DSDT APIC; do
		has "ACPI: $t 0x" "$TMP/out" || return 1
	done
}
check "ACPI: the guest lists the RSDP, XSDT, FADT, DSDT and MADT (APIC)" \
	acpi_tables
check_all "ACPI: the CPUs come from the MADT, no MP-table fallback" \
	'has "Using ACPI (MADT) for SMP configuration" "$TMP/out" &&
	! has "Intel MultiProcessor Specification" "$TMP/out"'
check_all "ACPI: the guest enables its interpreter and finds S5 and the PCI root" \
	'has "ACPI: PM: (supports S0 S5)" "$TMP/out" &&
	has "ACPI: PCI Root Bridge \[PCI0\]" "$TMP/out"'
type_line 'echo "dmi-$(cat /sys/class/dmi/id/sys_vendor)-$(cat /sys/class/dmi/id/product_name)"'
check "SMBIOS: the guest's DMI names vendor and product vmctl" \
	wait_for "dmi-vmctl-vmctl" "$T_CMD"

# KVM's signature and kvmclock, as Linux's paravirtual code takes them,
# and the features it announces (steal time and PV EOI's flag are silent:
# selftests/kvm_pv_test.c checks those).
check_all "paravirt: the guest detects KVM and registers kvm-clock" \
	'has "Hypervisor detected: KVM" "$TMP/out" &&
	has "kvm-clock: Using msrs 4b564d01 and 4b564d00" "$TMP/out"'
check_all "paravirt: the guest uses KVM's PV IPIs and PV sched yield" \
	'has "kvm-guest: setup PV IPIs" "$TMP/out" &&
	has "kvm-guest: setup PV sched yield" "$TMP/out"'
# Linux logs its PV EOI since 6.6 (apic_update_callback); 6.1 takes it
# silently (selftests/kvm_pv_test checks the MSR either way).
kver=$(sed -n 's/.*vmctl guest: Linux \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' "$TMP/out" |
	head -n 1)
if [ "$(echo "$kver" | awk '{ print $1 * 1000 + $2 }')" -ge 6006 ]; then
	check "paravirt: the guest uses KVM's PV EOI" \
		has "kvm-guest: APIC: eoi() replaced with kvm_guest_apic_eoi_write" "$TMP/out"
else
	skip "paravirt: the guest uses KVM's PV EOI" "Linux $kver does not log it"
fi
# Linux keeps x2APIC on without interrupt remapping only for a hypervisor
# it knows (x2apic_available: KVM's signature).
check "x2APIC: the guest enables it" has "x2apic enabled" "$TMP/out"
type_line 'echo "clocksource-$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"'
wait_for "clocksource-[a-z]" "$T_CMD" &&
	echo "# clocksource: $(sed -n 's/.*clocksource-\([a-z-]*\).*/\1/p' "$TMP/out" | tail -n 1)"

type_line 'echo "reply-$((6 * 7))"'
check "console input reaches the guest's shell and the reply comes back" \
	wait_for "reply-42" "$T_CMD"
type_line 'a=$(cut -d" " -f1 /proc/uptime); sleep 1; echo "slept from $a to $(cut -d" " -f1 /proc/uptime)"'
if wait_for "slept from [0-9]" $((T_CMD + 2)); then
	ok "sleep 1 in the guest returns"
else
	not_ok "sleep 1 in the guest returns"
fi
span=$(sed -n 's/.*slept from \([0-9.]*\) to \([0-9.]*\).*/\1 \2/p' "$TMP/out" |
	awk '{ print ($2 - $1 >= 1.0) ? "yes" : "no" }')
check "the guest's uptime advances by at least 1 s across sleep 1" [ "$span" = yes ]

type_line 'reboot -f'
if wait_for_count "vmctl guest: ready" 2 "$T_BOOT"; then
	ok "reboot -f: the ACPI reset boots the kernel again to /init"
else
	not_ok "reboot -f: the ACPI reset boots the kernel again to /init"
fi
check "reboot -f: vmctl run says the guest reset the machine and boots it again" \
	has "guest reset the machine (ACPI reset register.*; booting again" "$TMP/err"
check "reboot -f: the second boot has the banner again" \
	wait_for_count "vmctl guest: Linux [0-9.]*.*, 2 CPUs" 2 "$T_CMD"

type_line 'poweroff -f'
wait_exit "$T_CMD"
check "poweroff -f in the guest ends vmctl run with status 0 (got $rc)" \
	[ "$rc" = 0 ]
check_all "poweroff -f: through ACPI S5 (\"reboot: Power down\")" \
	'has "reboot: Power down" "$TMP/out" &&
	has "guest powered off (ACPI S5" "$TMP/err"'
check "poweroff: the VM's memory is freed" eventually_no_vm_left

# --- acpi=off: the MP table; --no-reboot ----------------------------------
start_guest linux4 1 --no-reboot \
	--cmdline "$FAST_CMDLINE acpi=off reboot=t"
if wait_for "vmctl guest: ready" "$T_BOOT"; then
	ok "acpi=off: Debian's kernel boots to /init"
else
	not_ok "acpi=off: Debian's kernel boots to /init"
fi
check_all "acpi=off: the CPUs come from the MP table, no ACPI table is read" \
	'has "Intel MultiProcessor Specification" "$TMP/out" &&
	! has "ACPI: RSDP" "$TMP/out"'
type_line 'reboot -f'
wait_exit "$T_CMD"
check_all "acpi=off reboot=t --no-reboot: the triple fault ends vmctl run with status 3 (got $rc)" \
	'[ "$rc" = 3 ] && has "triple fault" "$TMP/err"'
check "--no-reboot: the kernel did not boot again" \
	[ "$(grep -c "vmctl guest: ready" "$TMP/out")" = 1 ]
check "--no-reboot: the VM's memory is freed" eventually_no_vm_left

# --- vmctl kill while the kernel boots ------------------------------------
start_guest linux3 1
wait_for "Linux version" "$T_BOOT"
"$VMCTL" kill --timeout "$T_CMD" linux3 >"$TMP/kill.out" 2>&1
kill_rc=$?
wait_exit "$T_CMD"
check_all "vmctl kill: succeeds (got $kill_rc) and vmctl run is killed (status $rc)" \
	'[ "$kill_rc" = 0 ] && [ "$rc" = 137 ]'
check "vmctl kill: the VM's memory is freed" eventually_no_vm_left

# --- bad images -----------------------------------------------------------
dd if=/dev/urandom of="$TMP/random" bs=1024 count=1024 2>/dev/null
refused "random file as --kernel" "not a Linux bzImage" --kernel "$TMP/random"
head -c 4000000 "$KERNEL" >"$TMP/truncated"
refused "truncated bzImage" "image file is truncated" --kernel "$TMP/truncated"
refused "kernel bigger than --mem 16M" "the kernel needs guest RAM" \
	--kernel "$KERNEL" --mem 16M
# Room for the kernel (it runs at 16M and needs init_size bytes from
# there, per its setup header) plus 4M: an 8M initrd cannot fit.
init_size=$(od -An -tu4 -j 608 -N 4 "$KERNEL" | tr -d ' ')
mem_mb=$(( ( (16 << 20) + init_size + (4 << 20) ) >> 20 ))
dd if=/dev/urandom of="$TMP/initrd8m" bs=1024 count=8192 2>/dev/null
refused "initrd bigger than the memory left" "initrd of 8388608 bytes does not fit" \
	--kernel "$KERNEL" --initrd "$TMP/initrd8m" \
	--mem "${mem_mb}M"

tap_done
