# bench-io-table.awk: the disk, network and state rows of
# scripts/bench-boot.sh, from the "io ..." and "state ..." lines of
# selftests/bench/io-in-guest.sh.  Each figure is the median of the runs;
# a figure with no run prints "n/a".  With bench-table.awk and
# -v date=YYYY-MM-DD -v what="io state" (the tables to print).
function add(vmm, what, v) {
	vals[vmm, what] = vals[vmm, what] " " v
	cnt[vmm, what]++
}
function cell(vmm, what) {
	return ((vmm, what) in vals) ? median(vals[vmm, what]) : "n/a"
}
function fmt(x, scale) {
	return x == "n/a" ? x : sprintf(x / scale >= 100 ? "%.0f" : "%.3g", x / scale)
}
function ratio(a, b) { return (a == "n/a" || b == "n/a" || b <= 0) ? "n/a" : sprintf("%.2f", a / b) }
# row LABEL WHAT SCALE VMM...: vmctl, then each other VMM with its ratio.
function row(label, what, scale, others,    o, n, i, v, x, line) {
	v = cell("vmctl", what)
	line = sprintf("| %s | %s", label, fmt(v, scale))
	n = split(others, o, " ")
	for (i = 1; i <= n; i++) {
		x = cell(o[i], what)
		line = line sprintf(" | %s | %s", fmt(x, scale), ratio(v, x))
	}
	print line " |"
}
/^bench info kernel=/ { sub(/^bench info kernel=/, ""); kernel = $0 }
/^bench info guest_mem=/ { mem = kv("guest_mem"); runs = kv("runs"); kib = kv("net_kib"); dirty = kv("dirty_kib") }
/^io label=/ {
	vmm = kv("label"); op = kv("op"); b = kv("bytes"); t = kv("tsc"); q = kv("requests")
	if (b <= 0 || t <= 0) next
	add(vmm, op "_mib", t * 1048576 / b)
	add(vmm, op "_req", t / q)
}
/^state label=/ {
	vmm = kv("label"); op = kv("op"); t = kv("tsc")
	if (t == "" || t <= 0) next
	add(vmm, op, t)
	if (kv("bytes") != "") add(vmm, op "_bytes", kv("bytes"))
	if (kv("disk_kib") != "") add(vmm, op "_disk", kv("disk_kib"))
	if (kv("downtime_ms") != "") add(vmm, op "_downtime", kv("downtime_ms"))
	if (kv("rounds") != "") add(vmm, op "_rounds", kv("rounds"))
}
END {
	q2 = "qemu-pc-vhost-off qemu-pc-vhost-on"
	printf "vmctl vs QEMU+KVM on I/O and state, %s: Debian kernel %s as host and guest,\n", date, kernel
	printf "in Bochs 2.7 (corei7_skylake_x, 2 CPUs); guest %s, 1 vCPU, same kernel, initramfs\n", mem
	printf "and command line; median of %s runs; L1 instructions (RDTSC: Bochs counts one per\n", runs
	printf "instruction; the guest's TSC is the test machine's plus an offset).  Runs measured:"
	for (k in cnt) { split(k, p, SUBSEP); if (p[2] ~ /^(read_mib|send_mib|snapshot)$/) printf " %s %s: %d;", p[1], p[2], cnt[k] }
	printf "\n\n"
	if (what !~ /io/) { print_state(); exit }
	print "| | vmctl | QEMU+KVM -M pc | vmctl/QEMU | QEMU+KVM -M pc, vhost-net | vmctl/QEMU vhost |"
	print "|---|---:|---:|---:|---:|---:|"
	row("virtio-blk: 1 MiB sequential O_DIRECT read, K instructions per MiB", "read_mib", 1e3, q2)
	row("virtio-blk: 1 MiB sequential O_DIRECT write, K instructions per MiB", "write_mib", 1e3, q2)
	row("virtio-blk: 4 KiB random O_DIRECT read, K instructions per request", "randread_req", 1e3, q2)
	row("virtio-blk: 4 KiB random O_DIRECT read, K instructions per MiB", "randread_mib", 1e3, q2)
	row(sprintf("virtio-net: TCP guest to host (%d KiB), K instructions per MiB", kib), "send_mib", 1e3, q2)
	row(sprintf("virtio-net: TCP host to guest (%d KiB), K instructions per MiB", kib), "recv_mib", 1e3, q2)
	if (what ~ /state/) { print ""; print_state() }
}
function print_state() {
	print "| | vmctl | QEMU+KVM -M pc | vmctl/QEMU |"
	print "|---|---:|---:|---:|"
	row(sprintf("snapshot of a running idle %s guest, M instructions", mem), "snapshot", 1e6, "qemu-pc")
	row("snapshot file, MiB (apparent size)", "snapshot_bytes", 1048576, "qemu-pc")
	row("snapshot file, MiB on disk", "snapshot_disk", 1024, "qemu-pc")
	row("restore to the guest's answer on its console, M instructions", "restore", 1e6, "qemu-pc")
	row("migration on localhost, idle guest, total, M instructions", "migrate", 1e6, "qemu-pc")
	row("migration on localhost, idle guest, MiB sent", "migrate_bytes", 1048576, "qemu-pc")
	row("migration on localhost, idle guest, downtime, ms (each VMM's own report)", "migrate_downtime", 1, "qemu-pc")
	row("migration on localhost, idle guest, dirty rounds (QEMU: dirty sync count)", "migrate_rounds", 1, "qemu-pc")
	busy = sprintf("busy guest (%s KiB rewritten without pause)", dirty)
	row(sprintf("migration on localhost, %s, total, M instructions", busy), "migrate_busy", 1e6, "qemu-pc")
	row(sprintf("migration on localhost, %s, MiB sent", busy), "migrate_busy_bytes", 1048576, "qemu-pc")
	row(sprintf("migration on localhost, %s, downtime, ms", busy), "migrate_busy_downtime", 1, "qemu-pc")
	row(sprintf("migration on localhost, %s, dirty rounds", busy), "migrate_busy_rounds", 1, "qemu-pc")
}
