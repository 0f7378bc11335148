#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine (scripts/bench-boot.sh --what io,state
# boots it): the disk, network and state rows, vmctl under vmctl.ko next to
# QEMU (-M pc) under kvm-intel, in one boot of the machine.
#
#   io-in-guest.sh [-r RUNS] [-k KIB] [-m MEM_MB] [-w "io state"]
#                  [-x "GUEST ARGS"]
#
# Every guest is the same: /bench/vmlinuz (this machine's kernel),
# /bench/initrd-io.gz (scripts/guest-initramfs.sh's with
# selftests/bench/guest-io.sh and iobench added), 1 vCPU, MEM_MB, and one
# command line.  The guest runs the workloads itself and times them with
# its TSC (the test machine's, plus an offset): see guest-io.sh.
#  - io: a guest with a 64 MiB raw image on this machine's tmpfs (vmctl
#    --disk, QEMU -drive if=virtio,format=raw: both through the page cache)
#    and a card on the tap vmctlt0 (10.0.2.1/24 here; vmctl --net tap,
#    QEMU -netdev tap with vhost off, then on when /bench/vhost_net.ko
#    loads).  Between phases the VMM's exit counters are read ("# stats"
#    lines: vmctl stats, KVM's debugfs counters), and so are, at no cost
#    to the guest, this machine's CPU time by kind (/proc/stat: idle
#    included) and each thread's of the VMM and of the peer: CPU time in
#    ticks, voluntary and forced context switches, read- and write-like
#    system calls ("# task" lines, /proc/PID/task/TID).
#  - state: an idle guest without devices, saved RUNS times while running
#    (vmctl snapshot; QEMU's monitor: migrate "exec:cat > FILE", cont),
#    restored RUNS times from that file with a line on its console that it
#    answers (timed by bootbench: from fork() to the answer), and moved
#    RUNS times over TCP on localhost, each destination the next source
#    (vmctl migrate to vmctl run --incoming; QEMU migrate tcp: to
#    -incoming tcp:).  Timed by this machine's TSC around the command.
#    Then a busy guest (bench_dirty: a vCPU rewriting DIRTY_KIB without
#    pause) moved RUNS times the same way, each VMM with its defaults.
#  - -x: after vmctl's io guest, a second one with GUEST ARGS added to its
#    command line ("io label=vmctl-x"): a diagnosis (what the guest does
#    with less), never a row of the table.
#  Kernel warnings while vmctl ran fail the run, kvm-intel's are reported
#  (kernel-log.sh).
# Output: "io label=L run=N op=..." and "state label=L run=N op=... tsc=N
# [bytes=N] [disk_kib=N] [downtime_ms=N rounds=N]" lines, bootbench's
# "boot ..." lines, "bench dmesg" lines (kernel-log.sh), "# " lines.
# shellcheck disable=SC2086 # $linux, $qemu_base, $qemu_linux: word lists
runs=3 kib=8192 mem=256 what="io state" extra=
while getopts r:k:m:w:x: opt; do
	case $opt in
	r) runs=$OPTARG ;;
	k) kib=$OPTARG ;;
	m) mem=$OPTARG ;;
	w) what=$OPTARG ;;
	x) extra=$OPTARG ;;
	*) echo "usage: $0 [-r RUNS] [-k KIB] [-m MEM_MB] [-w \"io state\"] [-x \"GUEST ARGS\"]" >&2; exit 2 ;;
	esac
done

B=/bench
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/kernel-log.sh
. "$here/kernel-log.sh"
bb=$here/bootbench
iob=$here/iobench
W=${TMPDIR:-/tmp}/bench-io
TAP=vmctlt0 HOST_IP=10.0.2.1 GUEST_IP=10.0.2.15
# The busy guest's working set, rewritten without pause: small enough for
# both VMMs to finish under their default downtime limit.
DIRTY_KIB=2048
# The boot rows' command line, without the crypto self-tests (a third of
# a nested boot), with the workload for /init.
cmdline="console=ttyS0,115200 quiet reboot=t panic=-1 io_delay=none cryptomgr.notests bench_runs=$runs bench_kib=$kib vmctl_init=/bench/io.sh"
linux="--kernel $B/vmlinuz --initrd $B/initrd-io.gz"
qemu_linux="-kernel $B/vmlinuz -initrd $B/initrd-io.gz"
qemu_base="-M pc -enable-kvm -cpu host -smp 1 -m $mem -nodefaults -no-user-config -display none -serial stdio -no-reboot"
status=0
mkdir -p "$W"
printf 'ping\nping\nping\n' >"$W/ping"

echo "bench info kernel=$(uname -r)"
echo "bench info guest_cmdline=$cmdline"
echo "bench info guest_mem=${mem}M runs=$runs net_kib=$kib dirty_kib=$DIRTY_KIB"

tsc() { "$iob" tsc; }

# wait_line FILE TEXT: until FILE holds a line starting with TEXT (600 s).
wait_line() {
	i=0
	while ! grep -q "^$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 3000 ] || { echo "# no '$2' in $1"; return 1; }
		sleep 0.2
	done
}

# watch LABEL STATS_CMD VMM CONSOLE PHASE...: the counters at each phase:
# the VMM's (STATS_CMD), the CPUs', and the threads' of the process called
# VMM and of the peer ($peer).
watch() {
	label=$1 cmd=$2 vmm=$3 con=$4
	shift 4
	for p in "$@"; do
		wait_line "$con" "io phase $p" || return
		sh -c "$cmd" 2>&1 | sed "s/^/# stats $label $p /"
		sed -n "s/^cpu /# stats $label $p cpu_ticks /p" /proc/stat
		threads "$(pidof "$vmm" | cut -d' ' -f1)" "$peer" |
			sed "s/^/# task $label $p /"
	done
}

# threads PID...: "TID COMM utime stime voluntary_switches
# forced_switches syscr syscw" for each thread of each process (CPU time
# in the kernel's USER_HZ ticks).
threads() {
	for pid in "$@"; do
		for t in /proc/"$pid"/task/*; do
			[ -r "$t/stat" ] || continue
			awk -v tid="${t##*/}" '
				FILENAME ~ /stat$/ { c = $0; sub(/^[^(]*\(/, "", c); sub(/\).*/, "", c)
					n = split($0, f, ") "); split(f[n], g, " "); ut = g[12]; st = g[13] }
				/^voluntary_ctxt_switches/ { v = $2 }
				/^nonvoluntary_ctxt_switches/ { nv = $2 }
				/^syscr/ { r = $2 }
				/^syscw/ { w = $2 }
				END { print tid, c, ut, st, v, nv, r, w }' \
				"$t/stat" "$t/status" "$t/io" 2>/dev/null
		done
	done
}

# shellcheck disable=SC2016 # run by the sh -c of watch
# "NAME VALUE" lines: exits by reason (the TOTAL column; 1 vCPU) and the
# devices' counters of `vmctl stats`.
vmctl_stats='vmctl stats bio | awk '\''NF >= 3 && $NF ~ /^[0-9]+$/ && $(NF - 1) ~ /^[0-9]+$/ {
	k = substr($0, 1, 30); gsub(/ +$/, "", k); gsub(/[ ()]+/, "_", k); print k, $(NF - 1) }
	$1 ~ /^virtio/ && $NF ~ /^[0-9]+$/ { print $1 "_" $3 "_" $4, $NF }'\'
# shellcheck disable=SC2016 # expanded by the sh -c of watch
kvm_stats='for f in exits io_exits mmio_exits halt_exits irq_exits irq_window_exits \
	signal_exits request_irq_exits insn_emulation hypercalls halt_wakeup \
	halt_attempted_poll halt_successful_poll halt_poll_invalid \
	halt_poll_success_ns halt_poll_fail_ns; do \
	printf "%s %s\n" $f "$(cat /sys/kernel/debug/kvm/*-*/$f 2>/dev/null | \
	awk "{ s += \$1 } END { print s }")"; done'

io_results() { # LABEL CONSOLE
	sed -n -E "s/^io run=/io label=$1 run=/p; s/^io (irq|cpu|vuln|flags) /# \1 $1 /p" "$2" |
		tr -d '\r'
}

load_kvm() {
	for m in irqbypass kvm kvm-intel; do
		out=$(insmod $B/$m.ko 2>&1) || { echo "bench kvm: insmod $m: $out"; return 1; }
	done
}

# --- io ----------------------------------------------------------------------
io_setup() {
	[ -c /dev/net/tun ] || insmod $B/tun.ko
	if ! { tunctl -t $TAP >/dev/null && ip addr add $HOST_IP/24 dev $TAP &&
		ip link set $TAP up; }; then
		echo "bench io: no tap"
		return 1
	fi
	dd if=/dev/zero of="$W/disk.img" bs=1M count=64 2>/dev/null
}

# io_boot LABEL STATS_CMD VMM [ARG...]: one guest with disk and card.
io_boot() {
	label=$1 cmd=$2
	shift 2
	con=$W/con.$label
	: >"$con"
	echo "# $label starts at $(cut -d' ' -f1 /proc/uptime) s of uptime"
	"$iob" peer $GUEST_IP "$runs" "$kib" >"$W/peer.$label" 2>&1 &
	peer=$!
	watch "$label" "$cmd" "$1" "$con" disk net end &
	watcher=$!
	"$bb" -l "io-$label cpus=1" -o "$con" -- "$@" || status=1
	kill $peer $watcher 2>/dev/null
	wait $peer $watcher 2>/dev/null
	sed 's/^/# peer /' "$W/peer.$label"
	io_results "$label" "$con"
	grep -q '^io done' "$con" || { echo "# $label: the guest did not finish:"; tail -n 20 "$con" | sed 's/^/#   /'; status=1; }
}

io_vmctl() { # LABEL [GUEST ARGS]
	io_boot "$1" "$vmctl_stats" vmctl run --name bio --cpus 1 --mem "${mem}M" \
		$linux --cmdline "$cmdline${2:+ $2}" --disk "$W/disk.img" --net tap=$TAP
}

io_qemu() { # vhost=on|off
	io_boot "qemu-pc-vhost-$1" "$kvm_stats" qemu-system-x86_64 $qemu_base \
		$qemu_linux -append "$cmdline" \
		-drive file="$W/disk.img",if=virtio,format=raw \
		-netdev tap,id=n0,ifname=$TAP,script=no,downscript=no,vhost="$1" \
		-device virtio-net-pci,netdev=n0,romfile=
}

# --- state -------------------------------------------------------------------
state() { # LABEL RUN OP TSC [MORE...]
	l=$1 r=$2 o=$3 t=$4
	shift 4
	echo "state label=$l run=$r op=$o tsc=$t $*"
}

# The restore: bootbench from fork() to the guest's answer ("to_init").
restored() { # LABEL RUN
	sed -n "s/^boot label=$1-restore run=$2 status=0 to_init=\([0-9]*\) .*/\1/p" "$W/boot.out"
}

state_vmctl() {
	echo "# vmctl state rows start at $(cut -d' ' -f1 /proc/uptime) s of uptime"
	vmctl run --name st --mem "${mem}M" $linux --cmdline "$cmdline" \
		</dev/null >"$W/con.st" 2>&1 &
	src_pid=$!
	wait_line "$W/con.st" "io idle" || { kill $src_pid; status=1; return; }
	for r in $(seq "$runs"); do
		t0=$(tsc)
		vmctl snapshot st "$W/snap" >"$W/snap.out" 2>&1 || { cat "$W/snap.out"; status=1; }
		t1=$(tsc)
		state vmctl "$r" snapshot $((t1 - t0)) "bytes=$(stat -c %s "$W/snap")" \
			"disk_kib=$(du -k "$W/snap" | cut -f1)"
	done
	for r in $(seq "$runs"); do
		"$bb" -l "vmctl-restore run=$r" -b "io pong" -i "$W/ping" -o "$W/con.r$r" -- \
			vmctl run --restore "$W/snap" --name "re$r" | tee -a "$W/boot.out"
		state vmctl "$r" restore "$(restored vmctl "$r")"
	done
	rm -f "$W/snap"
	migrate_vmctl migrate st 4440
	vmctl run --name bz --mem "${mem}M" $linux --cmdline "$cmdline bench_dirty=$DIRTY_KIB" \
		</dev/null >"$W/con.bz" 2>&1 &
	src_pid=$!
	wait_line "$W/con.bz" "io busy" || { kill $src_pid; status=1; return; }
	migrate_vmctl migrate_busy bz 4460
}

# last_json KEY: the last value of "KEY": in $W/mig.out (vmctl migrate's).
last_json() {
	sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$W/mig.out" | tail -n 1
}

# migrate_vmctl OP SRC PORT: RUNS migrations of the VM SRC (its `vmctl
# run` is $src_pid), each destination the next source; the last is killed.
migrate_vmctl() {
	op=$1 src=$2
	for r in $(seq "$runs"); do
		port=$(($3 + r))
		vmctl run --incoming 127.0.0.1:$port --name "$op$r" </dev/null \
			>"$W/con.$op$r" 2>&1 &
		dst_pid=$!
		wait_line "$W/con.$op$r" "vmctl run: waiting for a migration" || break
		t0=$(tsc)
		if ! vmctl migrate "$src" 127.0.0.1:$port >"$W/mig.out" 2>&1; then
			# The source runs on: the next run would wait for it.
			sed 's/^/# failed: /' "$W/mig.out"
			status=1
			kill $dst_pid
			wait $dst_pid
			break
		fi
		t1=$(tsc)
		state vmctl "$r" "$op" $((t1 - t0)) "bytes=$(last_json bytes)" \
			"downtime_ms=$(last_json downtime_ms)" "rounds=$(last_json rounds)"
		sed 's/^/# /' "$W/mig.out"
		wait $src_pid
		src=$op$r src_pid=$dst_pid
	done
	vmctl kill "$src" >/dev/null 2>&1
	wait $src_pid
}

# qemu_info SOCKET: `info migrate` as "# " lines.
qemu_info() {
	"$iob" hmp "$1" "info migrate" | tr -d '\r' |
		grep -E '^(Migration status|total time|downtime|setup|transferred ram|total ram|dirty sync count):' |
		sed 's/^/# /'
}

state_qemu() {
	echo "# qemu-pc state rows start at $(cut -d' ' -f1 /proc/uptime) s of uptime"
	qemu-system-x86_64 $qemu_base $qemu_linux -append "$cmdline" \
		-monitor unix:"$W/mon.st",server=on,wait=off </dev/null >"$W/con.qst" 2>&1 &
	src_pid=$!
	wait_line "$W/con.qst" "io idle" || { kill $src_pid; status=1; return; }
	for r in $(seq "$runs"); do
		rm -f "$W/qsnap"
		t0=$(tsc)
		"$iob" hmp "$W/mon.st" "migrate \"exec:cat > $W/qsnap\"" >"$W/snap.out"
		t1=$(tsc)
		state qemu-pc "$r" snapshot $((t1 - t0)) "bytes=$(stat -c %s "$W/qsnap")" \
			"disk_kib=$(du -k "$W/qsnap" | cut -f1)"
		qemu_info "$W/mon.st"
		"$iob" hmp "$W/mon.st" cont >/dev/null
	done
	for r in $(seq "$runs"); do
		"$bb" -l "qemu-pc-restore run=$r" -b "io pong" -i "$W/ping" -o "$W/con.qr$r" -- \
			qemu-system-x86_64 $qemu_base $qemu_linux -append "$cmdline" \
			-incoming "exec:cat $W/qsnap" | tee -a "$W/boot.out"
		state qemu-pc "$r" restore "$(restored qemu-pc "$r")"
	done
	rm -f "$W/qsnap"
	migrate_qemu migrate "$W/mon.st" 4450
	qemu-system-x86_64 $qemu_base $qemu_linux -append "$cmdline bench_dirty=$DIRTY_KIB" \
		-monitor unix:"$W/mon.bz",server=on,wait=off </dev/null >"$W/con.qbz" 2>&1 &
	src_pid=$!
	wait_line "$W/con.qbz" "io busy" || { kill $src_pid; status=1; return; }
	migrate_qemu migrate_busy "$W/mon.bz" 4470
}

# qemu_mig KEY: the number of `info migrate`'s KEY in $W/mig.out.
qemu_mig() {
	sed -n "s/^# $1: \([0-9]*\).*/\1/p" "$W/mig.out"
}

# migrate_qemu OP MONITOR PORT: as migrate_vmctl, the source's monitor
# socket MONITOR (its QEMU is $src_pid); QEMU's defaults (no
# auto-converge, 300 ms downtime limit).
migrate_qemu() {
	op=$1 src=$2
	for r in $(seq "$runs"); do
		port=$(($3 + r))
		qemu-system-x86_64 $qemu_base $qemu_linux -append "$cmdline" \
			-monitor unix:"$W/mon.$op$r",server=on,wait=off \
			-incoming tcp:127.0.0.1:$port </dev/null >"$W/con.q$op$r" 2>&1 &
		dst_pid=$!
		"$iob" hmp "$W/mon.$op$r" "info status" >/dev/null
		t0=$(tsc)
		"$iob" hmp "$src" "migrate tcp:127.0.0.1:$port" >"$W/mig.out"
		t1=$(tsc)
		qemu_info "$src" >"$W/mig.out"
		kb=$(qemu_mig "transferred ram")
		state qemu-pc "$r" "$op" $((t1 - t0)) "bytes=$((${kb:-0} * 1024))" \
			"downtime_ms=$(qemu_mig downtime)" \
			"rounds=$(qemu_mig "dirty sync count")"
		cat "$W/mig.out"
		"$iob" hmp "$src" quit >/dev/null
		wait $src_pid
		src=$W/mon.$op$r src_pid=$dst_pid
	done
	"$iob" hmp "$src" quit >/dev/null
	wait $src_pid
}

# --- the run -----------------------------------------------------------------
: >"$W/boot.out"
case " $what " in *" io "*) io_setup || exit 1 ;; esac
mark=$(klog_mark)
if out=$(insmod $B/vmctl.ko 2>&1); then
	case " $what " in *" io "*)
		io_vmctl vmctl
		[ -z "$extra" ] || io_vmctl vmctl-x "$extra" ;;
	esac
	case " $what " in *" state "*) state_vmctl ;; esac
	rmmod vmctl || { echo "bench vmctl: rmmod failed"; exit 1; }
else
	echo "bench vmctl: insmod: $out"
	status=1
fi
klog_judge "$mark" vmctl || status=1
mark=$(klog_mark)
load_kvm || exit 1
case " $what " in *" io "*)
	io_qemu off
	if insmod $B/tap.ko && insmod $B/vhost_iotlb.ko && insmod $B/vhost.ko &&
		insmod $B/vhost_net.ko; then
		io_qemu on
	else
		echo "# vhost_net did not load: no vhost=on row"
	fi ;;
esac
case " $what " in *" state "*) state_qemu ;; esac
# Reported, not judged: kvm-intel's, not vmctl's (kernel-log.sh).
klog_judge "$mark" qemu+kvm-intel
exit $status
