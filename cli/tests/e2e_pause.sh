#!/bin/sh
# End-to-end test: pausing and resuming a Linux guest through its
# control socket, inside the emulated test machine (busybox sh, vmctl.ko
# loaded, the build tree at /vmctl, Debian's kernel and the busybox
# initramfs at /vmctl/guest as for e2e_linux.sh).  TAP output.
#
#   scripts/vm-run --add cli/tests/e2e_pause.sh --add cli/tests/tap.sh \
#       --add cli/tests/linux_guest.sh \
#       --add "$VMLINUZ_612:/vmctl/guest/vmlinuz" \
#       --add initrd.gz:/vmctl/guest/initrd.gz -- sh cli/tests/e2e_pause.sh
#
# Checks: vmctl ps shows the VM's control socket; with a counter loop
# printing on the guest's console, vmctl pause holds the guest (no new
# line and no VM exit for a while), a second pause is no error, vmctl
# resume lets the loop go on from where it was; a paused VM still ends
# on vmctl stop; pause of a VM nobody serves fails with a clear message.
. "$(dirname "$0")/linux_guest.sh"
linux_guest_begin pause

# The last "tick-N" the guest printed (its lines end in CR LF, and the
# shell's prompt may share one).
last_tick() {
	sed -n 's/.*tick-\([0-9]*\).*/\1/p' "$TMP/out" | tail -n 1
}
# VM exits so far, all vCPUs.
exits() {
	"$VMCTL" stats --json "$1" |
		sed -n 's/.*"total":{"runs":[0-9]*,"exits":\([0-9]*\).*/\1/p'
}

# --- pause and resume ----------------------------------------------------
start_guest pause1 1
if wait_for "vmctl guest: ready" "$T_BOOT"; then
	ok "the guest boots to /init"
else
	not_ok "the guest boots to /init"
fi
"$VMCTL" ps --json >"$TMP/ps" 2>&1
check "vmctl ps shows the VM's control socket" \
	grep -q '"name":"pause1",.*"control_socket":"/[^"]*/[0-9]*\.sock"' "$TMP/ps"
type_line 'i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); echo "tick-$i"; sleep 0.2; done &'
check "the counter loop runs" wait_for "tick-5" "$T_CMD"

"$VMCTL" pause pause1 >"$TMP/pause.out" 2>&1
check "vmctl pause: exit status 0 ($(cat "$TMP/pause.out"))" [ $? = 0 ]
t1=$(last_tick) e1=$(exits pause1)
sleep 3
t2=$(last_tick) e2=$(exits pause1)
echo "# paused: tick $t1 -> $t2, exits $e1 -> $e2 over 3 s"
check "paused: the loop prints nothing for 3 s (tick $t1, then $t2)" \
	[ -n "$t1" ] && [ "$t1" = "$t2" ]
check "paused: no VM exit for 3 s ($e1, then $e2)" \
	[ -n "$e1" ] && [ "$e1" = "$e2" ]
"$VMCTL" pause pause1 >"$TMP/pause.out" 2>&1
check "vmctl pause of a paused VM: exit status 0" [ $? = 0 ]

"$VMCTL" resume pause1 >"$TMP/resume.out" 2>&1
check "vmctl resume: exit status 0 ($(cat "$TMP/resume.out"))" [ $? = 0 ]
check "resumed: the loop goes on from tick $t2" \
	wait_for "tick-$((t2 + 5))" "$T_CMD"
check "resumed: each tick once, none lost or repeated" \
	[ "$(grep -c "tick-$((t2 + 1))[^0-9]" "$TMP/out")" = 1 ]
type_line 'echo "reply-$((6 * 7))"'
check "resumed: the shell answers" wait_for "reply-42" "$T_CMD"

"$VMCTL" pause pause1 >/dev/null 2>&1
"$VMCTL" stop --timeout "$T_CMD" pause1 >"$TMP/stop.out" 2>&1
stop_rc=$?
wait_exit "$T_CMD"
check "vmctl stop of a paused VM: succeeds (got $stop_rc), vmctl run exits 6 (got $rc)" \
	[ "$stop_rc" = 0 ] && [ "$rc" = 6 ]
check "stopped: the VM's memory is freed" eventually_no_vm_left

"$VMCTL" pause nosuchvm >"$TMP/out" 2>"$TMP/err"
rc=$?
check "vmctl pause of no VM: status 1 (got $rc), says so" \
	[ "$rc" = 1 ] && has "no such VM: 'nosuchvm'" "$TMP/err"

tap_done
