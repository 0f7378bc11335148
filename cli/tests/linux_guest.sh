# Helpers for the end-to-end scripts that boot Debian's kernel as a vmctl
# guest inside the test machine, sourced by them (POSIX sh), which then
# call linux_guest_begin:
#   . "$(dirname "$0")/linux_guest.sh"
#   linux_guest_begin NAME
# Not a test itself (no e2e prefix).  It sources tap.sh.
#
# Timeouts: this machine's clock is its TSC, which Bochs advances once
# per instruction, while the rate its kernel assumes for it varies from
# boot to boot (100 MHz or 3.5 GHz seen): a boot to /init is about 3.6e9
# instructions, 36 s or 1 s on this clock.  So timeouts are instruction
# budgets, turned into seconds with the TSC rate of this boot.
. "$(dirname "$0")/tap.sh"
VMCTL=${VMCTL:-vmctl}
KERNEL=${LINUX_KERNEL:-/vmctl/guest/vmlinuz}
INITRD=${LINUX_INITRD:-/vmctl/guest/initrd.gz}
has() { grep -q -- "$1" "$2"; }
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# The TSC rate this machine's kernel assumes, in MHz.
tsc_mhz=$(grep -Eo '(TSC|tsc).* [0-9]+\.[0-9]+ MHz' /tmp/dmesg.boot 2>/dev/null |
	tail -n 1 | grep -Eo '[0-9]+\.[0-9]+ MHz' | cut -d' ' -f1)
[ -n "$tsc_mhz" ] ||
	tsc_mhz=$(awk '/^cpu MHz/ { print $4; exit }' /proc/cpuinfo)
# secs GINSTR: seconds of this machine's clock for GINSTR 1e9 instructions.
secs() {
	awk -v g="$1" -v mhz="${tsc_mhz:-100}" \
		'BEGIN { s = int(g * 1000 / mhz) + 1; print (s < 2) ? 2 : s }'
}
T_BOOT=$(secs 40)	# a boot to /init: ~3.6
T_CMD=$(secs 10)	# a shell command, poweroff, stop

# A command line for guests whose checks are not about the boot itself:
# cryptomgr.notests skips the crypto self-tests, a third of a nested
# boot's instructions (31.4 s of guest time to 21.4 s for one vCPU);
# quiet lets the kernel print only errors, so the boot costs fewer exits
# on the serial port.  e2e_linux.sh boots with vmctl's default command
# line: what a user gets.
FAST_CMDLINE="console=ttyS0,115200 panic=-1 io_delay=none cryptomgr.notests"
QUIET_CMDLINE="$FAST_CMDLINE quiet"

# linux_guest_begin NAME: the start of every such script: $TMP, its
# scratch directory (vmctl-e2e-NAME.PID), removed on exit along with a
# guest still running; one "not ok" and exit 1 when the guest's kernel or
# initramfs is not in this machine.
linux_guest_begin() {
	TMP=${TMPDIR:-/tmp}/vmctl-e2e-$1.$$
	mkdir -p "$TMP" || exit 1
	guest_pid= dst_pid=
	trap 'linux_guest_cleanup' EXIT
	if [ ! -r "$KERNEL" ] || [ ! -r "$INITRD" ]; then
		not_ok "guest kernel $KERNEL and initramfs $INITRD are in this machine"
		tap_done
		exit 1
	fi
}
linux_guest_cleanup() {
	[ -n "$guest_pid" ] && kill -9 "$guest_pid" 2>/dev/null
	[ -n "$dst_pid" ] && kill -9 "$dst_pid" 2>/dev/null
	rm -rf "$TMP"
}

# Memory the module holds for VMs: "vms N" and "mapped_pages N" of info.
no_vm_left() {
	"$VMCTL" info >"$TMP/info" 2>&1 &&
		grep -Eq '^ *vms +0$' "$TMP/info" &&
		grep -Eq '^ *mapped_pages +0$' "$TMP/info"
}
# The module frees a VM when its last fd closes: allow it a moment.
eventually_no_vm_left() {
	i=0
	while ! no_vm_left && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
	no_vm_left
}

# run_bg ARGS...: vmctl run ARGS in the background with its console in
# $TMP/out and $TMP/err and its input from a fifo held open on fd 3.
run_bg() {
	rm -f "$TMP/in" "$TMP/out" "$TMP/err"
	mkfifo "$TMP/in"
	"$VMCTL" run "$@" <"$TMP/in" >"$TMP/out" 2>"$TMP/err" &
	guest_pid=$!
	exec 3>"$TMP/in"
}

# start_guest NAME CPUS [ARGS...]: a boot in the background (run_bg);
# the boot clock starts.
start_guest() {
	name=$1 cpus=$2
	shift 2
	echo "# $name: vmctl run --cpus $cpus --kernel $KERNEL $*"
	t0=$(uptime_cs)
	run_bg --name "$name" --cpus "$cpus" --mem 128M \
		--kernel "$KERNEL" --initrd "$INITRD" "$@"
}

# nap: the pause between two looks of a wait, short for the first second
# (most answers come quickly), then half a second: each look forks grep
# and awk, and a look every 20 ms kept one of this machine's two CPUs
# busy all through a guest's boot, time Bochs spends as it spends it on
# the guest.  The waits below set naps=0 first.
nap() {
	naps=$((naps + 1))
	if [ "$naps" -le 25 ]; then sleep 0.04; else sleep 0.5; fi
}

# wait_for PATTERN SECONDS: until the console shows PATTERN; fails early
# when vmctl run has ended.
wait_for() {
	deadline=$(($(uptime_cs) + $2 * 100)) naps=0
	while ! has "$1" "$TMP/out"; do
		kill -0 "$guest_pid" 2>/dev/null || { has "$1" "$TMP/out"; return; }
		[ "$(uptime_cs)" -lt "$deadline" ] || return 1
		nap
	done
}

# wait_for_count PATTERN N SECONDS: until the console shows PATTERN on
# N lines (a guest that booted N times).
wait_for_count() {
	deadline=$(($(uptime_cs) + $3 * 100)) naps=0
	while [ "$(grep -c -- "$1" "$TMP/out")" -lt "$2" ]; do
		kill -0 "$guest_pid" 2>/dev/null || break
		[ "$(uptime_cs)" -lt "$deadline" ] || return 1
		nap
	done
	[ "$(grep -c -- "$1" "$TMP/out")" -ge "$2" ]
}

# wait_exit SECONDS: until vmctl run exits; its status in $rc.
wait_exit() {
	deadline=$(($(uptime_cs) + $1 * 100)) naps=0
	while kill -0 "$guest_pid" 2>/dev/null; do
		if [ "$(uptime_cs)" -ge "$deadline" ]; then
			rc=timeout
			return 1
		fi
		nap
	done
	wait "$guest_pid"
	rc=$?
	guest_pid=
	exec 3>&-
}

# incoming NAME PORT ARGS...: a vmctl run --incoming 127.0.0.1:PORT in
# the background, its console in $TMP/NAME.out, its input from the fifo
# $TMP/NAME.in held open on fd 4; its pid in $dst_pid.
incoming() {
	name=$1 port=$2
	shift 2
	mkfifo "$TMP/$name.in"
	"$VMCTL" run --incoming "127.0.0.1:$port" --name "$name" "$@" \
		<"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	dst_pid=$!
	exec 4>"$TMP/$name.in"
}
# migrate_to SRC PORT: vmctl migrate SRC to the destination on PORT,
# which says it waits a moment before it listens; status in $rc, output
# in $TMP/mig.out and $TMP/mig.err.
migrate_to() {
	i=0
	while :; do
		"$VMCTL" migrate "$1" "127.0.0.1:$2" >"$TMP/mig.out" \
			2>"$TMP/mig.err"
		rc=$?
		{ [ "$rc" = 1 ] && has "onnection refused" "$TMP/mig.err" &&
			[ $i -lt 60 ]; } || break
		sleep 1
		i=$((i + 1))
	done
}
# migrated NAME: after a migration to incoming NAME, the helpers look at
# the destination (its console, its input, its pid); the source's
# console is kept as $TMP/out.src.
migrated() {
	mv "$TMP/out" "$TMP/out.src"
	ln -s "$1.out" "$TMP/out"
	exec 3>&4 4>&-
	guest_pid=$dst_pid dst_pid=
}

# The last "tick-N" the guest printed (the scripts' counter loops; its
# lines end in CR LF, and the shell's prompt may share one).
last_tick() {
	sed -n 's/.*tick-\([0-9]*\).*/\1/p' "$TMP/out" | tail -n 1
}

# type_line TEXT: a line typed on the guest's console.
type_line() { printf '%s\n' "$1" >&3; }
# The guest's answer to a typed command: the text after "TAG=" on the
# console (the echo of the typed line itself says "TAG=$").
answer() { sed -n "s/^$1=\([^$].*\)/\1/p" "$TMP/out" | tr -d '\r' | tail -n 1; }
# ask TAG COMMAND: type COMMAND, whose output is one line "TAG=...", and
# wait for it.
ask() {
	type_line "$2"
	wait_for "^$1=[^$]" "$T_CMD"
}

# Boot figures as TAP comments: time to /init and the exits by reason.
# This machine's clock comes from its TSC, which Bochs advances by one
# tick per instruction, so time x TSC rate = instructions.
report_boot() {
	t1=$(uptime_cs)
	mhz=$tsc_mhz
	echo "# $1: vmctl run to the guest's /init banner: $((t1 - t0))0 ms of test-machine time, TSC ${mhz:-?} MHz: $(awk -v cs=$((t1 - t0)) -v mhz="${mhz:-0}" 'BEGIN { printf "%.3g", cs / 100 * mhz * 1e6 }') TSC ticks (Bochs instructions)"
	"$VMCTL" stats "$2" 2>&1 | sed 's/^/# /'
}

# refused DESC EXPECTED-TEXT ARGS...: vmctl run fails at once with status
# 1 and the text, and no VM is left behind.
refused() {
	what=$1 text=$2
	shift 2
	"$VMCTL" run --mem 128M "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	rc=$?
	sed 's/^/# /' "$TMP/err"
	check "$what: exit status 1 (got $rc)" [ "$rc" = 1 ]
	check "$what: says \"$text\"" has "$text" "$TMP/err"
	check "$what: no VM left behind" eventually_no_vm_left
}
