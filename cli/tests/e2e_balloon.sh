#!/bin/sh
# End-to-end test of virtio-balloon: Debian's kernel booted as a vmctl
# guest inside the emulated test machine, its initramfs loading
# virtio_balloon.  TAP output.  One guest, --mem 192M --balloon 80M, free
# page reporting and deflate on OOM on, in an order that keeps each step
# apart from the others:
#
#   - the driver inflates to 80 MiB at boot (vmctl stats: actual_pages);
#   - the guest writes and deletes 32 MiB; vmctl balloon 112M inflates and
#     the vmctl run process's RSS drops by at least 16 MiB.  With 80 MiB
#     in the balloon the guest never has the free memory Linux needs
#     before it reports (the low watermark plus 64 MiB,
#     mm/page_reporting.c), so only the balloon can give these pages back;
#   - a size above the RAM is refused;
#   - the guest writes 16 MiB more into a tmpfs than it has free: its
#     driver deflates on OOM (actual_pages falls), the file is whole, the
#     guest lives on;
#   - vmctl balloon 0 deflates it all;
#   - now with all its memory free, the guest writes 48 MiB into a tmpfs
#     and deletes the file: it reports the free memory, the RSS drops by
#     at least 24 MiB (reported_bytes counts it), and the memory is used
#     again after.
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
MOUNT_T='mkdir -p /t && mount -t tmpfs -o size=192m tmpfs /t'

boot() {
	start_guest "$@"
	if wait_for "vmctl guest: ready" "$T_BOOT"; then
		ok "$1: boots to /init"
		report_boot "$1" "$1"
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

# at PAGES: the driver holds that many pages.
at() { [ "$(bal balloon actual_pages)" = "$1" ]; }
# The guest's free memory, as a TAP comment.
memfree() {
	ask "FREE$1" "echo FREE$1=\$(awk '/^MemFree:/ { print \$2 }' /proc/meminfo)"
	echo "# balloon: MemFree $(answer "FREE$1") kB $2"
}

boot balloon 1 --mem 192M --balloon 80M --cmdline "$QUIET_CMDLINE"
until_ok "$T_CMD" at 20480
check "balloon: the driver inflated to 80 MiB at boot (actual_pages $(bal balloon actual_pages), inflated_pages $(bal balloon inflated_pages))" \
	at 20480
memfree 0 "with 80 MiB in the balloon"

# --- inflated at run time: the RSS drops -----------------------------------
reported0=$(bal balloon reported_bytes)
ask FREED 'dd if=/dev/zero of=/t/fill bs=1M count=32 2>/dev/null; rm /t/fill; echo FREED=1'
full=$(rss)
"$VMCTL" balloon balloon 112M
until_ok "$T_CMD" at 28672
check "vmctl balloon balloon 112M: inflated (actual_pages $(bal balloon actual_pages))" \
	at 28672
dropped() { [ "$(rss)" -le $((full - 16 * 1024)) ]; }
until_ok "$T_CMD" dropped
check "balloon: the vmctl run process's RSS dropped by at least 16 MiB (from $full to $(rss) KiB)" \
	dropped
reported=$(bal balloon reported_bytes)
check "balloon: the guest reported none of it: the balloon took it (reported_bytes $reported0, then $reported)" \
	[ "$reported" = "$reported0" ]
check "balloon: no page number ignored ($(bal balloon ignored_pfns))" \
	[ "$(bal balloon ignored_pfns)" = 0 ]
"$VMCTL" balloon balloon 193M 2>"$TMP/balloon.err"
brc=$?
check_all "vmctl balloon balloon 193M: refused, status 1 (got $brc): $(cat "$TMP/balloon.err")" \
	'[ "$brc" = 1 ] && has "more than the VM" "$TMP/balloon.err"'

# --- deflated by the guest on OOM ------------------------------------------
memfree 1 "with 112 MiB in the balloon"
# More than is free: the driver gives pages back on OOM.
want=$(($(answer FREE1) / 1024 + 16))
ask OOMFILL "dd if=/dev/zero of=/t/fill bs=1M count=$want 2>/dev/null; echo OOMFILL=\$((\$(wc -c </t/fill) / 1048576))"
check "balloon: the guest wrote $want MiB, 16 more than it had free ($(answer OOMFILL))" \
	[ "$(answer OOMFILL)" = "$want" ]
deflated() { [ "$(bal balloon actual_pages)" -lt 28672 ]; }
check "balloon: deflated on OOM (actual_pages $(bal balloon actual_pages), deflated_pages $(bal balloon deflated_pages))" \
	deflated
ask ALIVE 'rm /t/fill; echo ALIVE=yes'
check "balloon: the guest lives on" [ "$(answer ALIVE)" = yes ]

"$VMCTL" balloon balloon 0
until_ok "$T_CMD" at 0
check "vmctl balloon balloon 0: deflated (actual_pages $(bal balloon actual_pages), deflated_pages $(bal balloon deflated_pages))" \
	at 0

# --- free page reporting ---------------------------------------------------
# Linux reports only while a zone keeps its low watermark plus 32 blocks
# of 2 MiB free (mm/page_reporting.c): all 192 MiB are needed for that.
memfree 2 "with the balloon empty"
ask FILLED 'dd if=/dev/zero of=/t/fill bs=1M count=48 2>/dev/null; echo FILLED=$(($(wc -c </t/fill) / 1048576))'
full=$(rss)
echo "# balloon: RSS $full KiB with 48 MiB written in the guest"
reported0=$(bal balloon reported_bytes)
ask GONE 'rm /t/fill; echo GONE=1'
dropped() { [ "$(rss)" -le $((full - 24 * 1024)) ]; }
until_ok "$T_CMD" dropped
check "balloon: the file deleted, the guest reported it and the RSS dropped by at least 24 MiB (from $full to $(rss) KiB)" \
	dropped
reported=$(($(bal balloon reported_bytes) - ${reported0:-0}))
check "balloon: reported_bytes grew by at least 24 MiB ($reported)" \
	[ "$reported" -ge $((24 << 20)) ]
ask AGAIN 'dd if=/dev/zero of=/t/fill bs=1M count=48 2>/dev/null; echo AGAIN=$(($(wc -c </t/fill) / 1048576))'
check "balloon: the reported memory is used again ($(answer AGAIN) MiB written)" \
	[ "$(answer AGAIN)" = 48 ]
"$VMCTL" stats balloon 2>&1 | grep balloon | sed 's/^/# /'
poweroff balloon

tap_done
