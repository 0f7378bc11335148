#!/bin/sh
# End-to-end test of vmctl migrate with a Linux guest (Debian's kernel
# and the busybox initramfs, as for e2e_pause.sh) inside the emulated test
# machine, moved to a vmctl run --incoming on the same machine.  TAP
# output.  One 128M guest with a virtio-blk disk, a virtio-net card on a
# tap the test machine made (tunctl, with an address) and a
# virtio-balloon holding 16 MiB, running a counter loop on its console.
#
#   scripts/vm-run --add cli/tests/e2e_migrate.sh --add cli/tests/tap.sh \
#       --add cli/tests/linux_guest.sh --add "$TUN_KO:/vmctl/net/tun.ko" \
#       --add "$VMLINUZ_612:/vmctl/guest/vmlinuz" \
#       --add initrd.gz:/vmctl/guest/initrd.gz -- sh cli/tests/e2e_migrate.sh
#
# Before: the guest writes a marker into its disk's first sector, brings
# its eth0 up and pings the test machine, and its driver fills the
# balloon.  A destination that cannot make the VM (--net given twice for
# one card) refuses it: the source runs on and still pings.  Then the
# migration: the source's vmctl run ends with status 0, the destination
# attaches to the tap the source let go, and there the loop goes on from
# where it was, the shell answers, the guest's uptime has not gone back,
# the disk holds the marker, the guest pings the test machine again, the
# balloon holds what it held, and dmesg has no soft lockup.
. "$(dirname "$0")/linux_guest.sh"
linux_guest_begin migrate
TUN_KO=${TUN_KO:-/vmctl/net/tun.ko}
TAP=vmctlm0 HOST_IP=10.0.3.1 GUEST_IP=10.0.3.15 PORT=4446
migrate_cleanup() {
	tunctl -d "$TAP" >/dev/null 2>&1
	linux_guest_cleanup
}
trap migrate_cleanup EXIT

# bal NAME COUNTER: a counter of the VM's balloon in vmctl stats.
bal() {
	"$VMCTL" stats "$1" 2>/dev/null |
		awk -v c="$2" '$1 == "virtio-balloon" && $3 == "-" && $4 == c { print $5 }'
}
# ballooned NAME: the VM's balloon holds 16 MiB.
ballooned() { [ "$(bal "$1" actual_pages)" = 4096 ]; }
# until_ok SECONDS COMMAND...: until COMMAND succeeds.
until_ok() {
	deadline=$(($(uptime_cs) + $1 * 100))
	shift
	until "$@"; do
		[ "$(uptime_cs)" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}
PING="ping -c 1 -W 20 $HOST_IP >/dev/null"

[ -c /dev/net/tun ] || insmod "$TUN_KO"
if tunctl -t "$TAP" >"$TMP/err" 2>&1 &&
	ip addr add "$HOST_IP/24" dev "$TAP" 2>>"$TMP/err" &&
	ip link set "$TAP" up 2>>"$TMP/err"; then
	ok "the test machine made tap $TAP with address $HOST_IP"
else
	not_ok "the test machine made tap $TAP with address $HOST_IP"
	sed 's/^/# /' "$TMP/err"
fi

# --- the source ------------------------------------------------------------
dd if=/dev/zero of="$TMP/disk" bs=1024 count=1024 2>/dev/null
start_guest mig1 1 --cmdline "$QUIET_CMDLINE" --disk "$TMP/disk" \
	--net "tap=$TAP" --balloon 16M
if wait_for "vmctl guest: ready" "$T_BOOT"; then
	ok "the guest boots to /init"
	report_boot mig1 mig1
else
	not_ok "the guest boots to /init"
	sed 's/^/# /' "$TMP/err"
fi
ask WROTE 'echo before-migrate | dd of=/dev/vda bs=512 count=1 conv=sync 2>/dev/null; sync; echo WROTE=$?'
check "disk: the guest writes sector 0 (status $(answer WROTE))" \
	[ "$(answer WROTE)" = 0 ]
ask NETUP "ip link set eth0 up && ip addr add $GUEST_IP/24 dev eth0 && $PING; echo NETUP=\$?"
check "net: the guest's eth0 pings $HOST_IP (status $(answer NETUP))" \
	[ "$(answer NETUP)" = 0 ]
until_ok "$T_CMD" ballooned mig1
check "balloon: the driver holds 16 MiB (actual_pages $(bal mig1 actual_pages))" \
	ballooned mig1
ask UP1 'echo UP1=$(cut -d. -f1 /proc/uptime)'
up1=$(answer UP1)
type_line 'i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); echo "tick-$i"; sleep 0.2; done &'
check "the counter loop runs" wait_for "tick-5" "$T_CMD"

# --- a destination that cannot make the VM --------------------------------
incoming refuser "$PORT" --net tap --net tap
migrate_to mig1 "$PORT"
sed 's/^/# /' "$TMP/mig.err"
check_all "migrate to a destination given --net twice for one card: status 1 (got $rc), refused" \
	'[ "$rc" = 1 ] && has "the destination refused" "$TMP/mig.err"'
wait "$dst_pid"
drc=$?
dst_pid=
exec 4>&-
check_all "that destination ends with status 1 (got $drc), says why" \
	'[ "$drc" = 1 ] && has "given 2 times, for a VM with 1 network cards" "$TMP/refuser.err"'
t=$(last_tick)
check "the source runs on (tick $t)" wait_for "tick-$((t + 3))" "$T_CMD"
ask PING1 "$PING; echo PING1=\$?"
check "the source's eth0 still pings $HOST_IP (status $(answer PING1))" \
	[ "$(answer PING1)" = 0 ]

# --- the migration -----------------------------------------------------------
incoming mig2 "$PORT"
migrate_to mig1 "$PORT"
sed 's/^/# /' "$TMP/mig.err" | tail -n 3
sed 's/^/# /' "$TMP/mig.out"
check "vmctl migrate mig1: status 0 (got $rc)" [ "$rc" = 0 ]
wait_exit "$T_CMD"
check_all "the source's vmctl run ends with status 0, handed over (got $rc)" \
	'[ "$rc" = 0 ] && has "handed over by vmctl migrate" "$TMP/err"'
t=$(last_tick)
migrated mig2
check "the loop goes on at the destination after tick $t" \
	wait_for "tick-$((t + 5))" "$T_CMD"
ask UP2 'echo UP2=$(cut -d. -f1 /proc/uptime)'
check_all "the shell answers; uptime went on ($up1 s, then $(answer UP2) s)" \
	'[ -n "$up1" ] && [ "$(answer UP2)" -ge "$up1" ]'
ask DISK 'echo DISK=$(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -c 14)'
check "disk: sector 0 holds what the guest wrote before ($(answer DISK))" \
	[ "$(answer DISK)" = before-migrate ]
ask PING2 "$PING; echo PING2=\$?"
check "net: eth0 pings $HOST_IP through the tap the source let go (status $(answer PING2))" \
	[ "$(answer PING2)" = 0 ]
check "balloon: the destination's holds 16 MiB (actual_pages $(bal mig2 actual_pages))" \
	ballooned mig2
ask LOCKUP 'echo LOCKUP=$(dmesg | grep -c "soft lockup")'
check "dmesg has no soft lockup ($(answer LOCKUP))" [ "$(answer LOCKUP)" = 0 ]
type_line exit
wait_exit "$T_CMD"
check "the destination's guest powers off (status $rc)" [ "$rc" = 0 ]
check "the VMs' memory is freed" eventually_no_vm_left

tap_done
