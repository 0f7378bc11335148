#!/bin/sh
# End-to-end test of virtio-balloon: Debian's kernel booted as a vmctl
# guest inside the emulated test machine, its initramfs loading
# virtio_balloon.  TAP output.  Two guests:
#
#   balloon2, --mem 192M --balloon 0 (free page reporting on): the guest
#     writes 48 MiB into a tmpfs; it deletes the file, reports the free
#     memory, and the vmctl run process's RSS drops by at least 24 MiB
#     (reported_bytes counts it); the memory is used again after;
#   balloon1, --balloon 32M,no-report: the driver inflates to 32 MiB at
#     boot (vmctl stats: actual_pages, inflated_pages); vmctl balloon 0
#     deflates it; the guest writes and deletes 48 MiB (kept by the VM:
#     no reporting), vmctl balloon 48M inflates and the vmctl run
#     process's RSS drops by at least 24 MiB; a size above the RAM is
#     refused; the guest then writes more into a tmpfs than it has free:
#     its driver deflates on OOM (actual_pages falls), the file is whole,
#     the guest lives on.
#
#   scripts/vm-run --add cli/tests/e2e_balloon.sh --add cli/tests/tap.sh \
#       --add cli/tests/linux_guest.sh \
#       --add "$VMLINUZ_612:/vmctl/guest/vmlinuz" \
#       --add initrd.gz:/vmctl/guest/initrd.gz -- sh cli/tests/e2e_balloon.sh
. "$(dirname "$0")/linux_guest.sh"
linux_guest_begin balloon

# bal NAME COUNTER: a counter of the VM's balloon in vmctl stats.
bal() {
	"$VMCTL" stats "$1" 2>/dev/null |
		awk -v c="$2" '$1 == "virtio-balloon" && $3 == "-" && $4 == c { print $5 }'
}
# The vmctl run process's resident memory, KiB.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$guest_pid/status"; }
# until_ok SECONDS COMMAND...: until COMMAND succeeds.
until_ok() {
	deadline=$(($(uptime_cs) + $1 * 100))
	shift
	until "$@"; do
		[ "$(uptime_cs)" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}
# A tmpfs the size of all the guest's RAM (rootfs may be limited).
MOUNT_T='mkdir -p /t && mount -t tmpfs -o size=128m tmpfs /t'

boot() {
	start_guest "$@"
	if wait_for "vmctl guest: ready" "$T_BOOT"; then
		ok "$1: boots to /init"
	else
		not_ok "$1: boots to /init"
		sed 's/^/# /' "$TMP/err"
	fi
	check "$1: the initramfs loaded virtio_balloon" \
		has "vmctl guest: virtio modules loaded" "$TMP/out"
	ask DRV "$MOUNT_T && echo DRV=\$(ls /sys/bus/virtio/drivers/virtio_balloon | grep -c virtio)"
	check "$1: the guest's virtio_balloon driver has the device ($(answer DRV))" \
		[ "$(answer DRV)" = 1 ]
}

poweroff() {
	type_line exit
	wait_exit "$T_CMD"
	check "$1: powers off (status $rc)" [ "$rc" = 0 ]
	check "$1: the VM's memory is freed" eventually_no_vm_left
}

# --- balloon2: free page reporting -----------------------------------------
# Linux reports only while a zone keeps its low watermark plus 32 blocks
# of 2 MiB free (mm/page_reporting.c): a 128 MiB guest never does.
boot balloon2 1 --mem 192M --balloon 0
ask FILLED 'dd if=/dev/zero of=/t/fill bs=1M count=48 2>/dev/null; echo FILLED=$(($(wc -c </t/fill) / 1048576))'
full=$(rss)
echo "# balloon2: RSS $full KiB with 48 MiB written in the guest"
reported0=$(bal balloon2 reported_bytes)
ask GONE 'rm /t/fill; echo GONE=1'
dropped() { [ "$(rss)" -le $((full - 24 * 1024)) ]; }
until_ok "$T_CMD" dropped
check "balloon2: the file deleted, the guest reported it and the RSS dropped by at least 24 MiB (from $full to $(rss) KiB)" \
	dropped
reported=$(($(bal balloon2 reported_bytes) - ${reported0:-0}))
check "balloon2: reported_bytes grew by at least 24 MiB ($reported)" \
	[ "$reported" -ge $((24 << 20)) ]
ask AGAIN 'dd if=/dev/zero of=/t/fill bs=1M count=48 2>/dev/null; echo AGAIN=$(($(wc -c </t/fill) / 1048576))'
check "balloon2: the reported memory is used again ($(answer AGAIN) MiB written)" \
	[ "$(answer AGAIN)" = 48 ]
poweroff balloon2

# --- balloon1: sizes at boot and at run time, deflated by the guest on OOM --
boot balloon1 1 --balloon 32M,no-report
# at PAGES: the driver holds that many pages.
at() { [ "$(bal balloon1 actual_pages)" = "$1" ]; }
until_ok "$T_CMD" at 8192
check "balloon1: the driver inflated to 32 MiB at boot (actual_pages $(bal balloon1 actual_pages), inflated_pages $(bal balloon1 inflated_pages))" \
	at 8192
"$VMCTL" balloon balloon1 0
until_ok "$T_CMD" at 0
check "vmctl balloon balloon1 0: deflated (actual_pages $(bal balloon1 actual_pages), deflated_pages $(bal balloon1 deflated_pages))" \
	at 0
# Without free page reporting, memory the guest frees stays with the VM
# until the balloon takes it.
ask FREED 'dd if=/dev/zero of=/t/fill bs=1M count=48 2>/dev/null; rm /t/fill; echo FREED=1'
full=$(rss)
"$VMCTL" balloon balloon1 48M
until_ok "$T_CMD" at 12288
check "vmctl balloon balloon1 48M: inflated (actual_pages $(bal balloon1 actual_pages))" \
	at 12288
dropped() { [ "$(rss)" -le $((full - 24 * 1024)) ]; }
until_ok "$T_CMD" dropped
check "balloon1: the vmctl run process's RSS dropped by at least 24 MiB (from $full to $(rss) KiB)" \
	dropped
check "balloon1: no page number ignored ($(bal balloon1 ignored_pfns))" \
	[ "$(bal balloon1 ignored_pfns)" = 0 ]
"$VMCTL" balloon balloon1 129M 2>"$TMP/balloon.err"
brc=$?
check_all "vmctl balloon balloon1 129M: refused, status 1 (got $brc): $(cat "$TMP/balloon.err")" \
	'[ "$brc" = 1 ] && has "more than the VM" "$TMP/balloon.err"'
ask FREE "echo FREE=\$(awk '/^MemFree:/ { print \$2 }' /proc/meminfo)"
echo "# balloon1: MemFree $(answer FREE) kB with 48 MiB in the balloon"
# More than is free: the driver gives pages back on OOM.
want=$(($(answer FREE) / 1024 + 16))
ask OOMFILL "dd if=/dev/zero of=/t/fill bs=1M count=$want 2>/dev/null; echo OOMFILL=\$((\$(wc -c </t/fill) / 1048576))"
check "balloon1: the guest wrote $want MiB, 16 more than it had free ($(answer OOMFILL))" \
	[ "$(answer OOMFILL)" = "$want" ]
deflated() { [ "$(bal balloon1 actual_pages)" -lt 12288 ]; }
check "balloon1: deflated on OOM (actual_pages $(bal balloon1 actual_pages), deflated_pages $(bal balloon1 deflated_pages))" \
	deflated
ask ALIVE 'rm /t/fill; echo ALIVE=yes'
check "balloon1: the guest lives on" [ "$(answer ALIVE)" = yes ]
"$VMCTL" stats balloon1 2>&1 | grep balloon | sed 's/^/# /'
poweroff balloon1

tap_done
