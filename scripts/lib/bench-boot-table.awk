# bench-boot-table.awk: the boot rows of scripts/bench-boot.sh, from the
# "boot ..." lines of selftests/bench/boot-in-guest.sh; with
# bench-table.awk, -v date=YYYY-MM-DD and -v cpus="1 2".
/^bench info kernel=/ { sub(/^bench info kernel=/, ""); kernel = $0 }
/^bench info guest_mem=/ { mem = kv("guest_mem"); runs = kv("runs") }
/^boot / {
	# "boot label=vmctl cpus=1 status=..." (the label holds one space)
	vmm = kv("label"); c = kv("cpus")
	# the I/O and state rows' boots are not boot rows
	if (vmm !~ /^(vmctl|qemu-microvm|qemu-pc)$/) next
	if (kv("status") != 0 || kv("to_init") < 0) { failed[vmm, c]++; next }
	n[vmm, c]++
	for (f = 1; f <= 6; f++) {
		k = split("to_init total hwm_kib rss_kib ram_rss_kib kernel_kib", key, " ")
		v = kv(key[f])
		if (key[f] == "rss_kib") v = kv("rss_kib") - kv("ram_rss_kib")
		vals[vmm, c, key[f]] = vals[vmm, c, key[f]] " " v
	}
}
function cell(vmm, c, k) {
	return ((vmm, c) in n) ? median(vals[vmm, c, k]) : "n/a"
}
function fmt(x) { return x == "n/a" ? x : sprintf("%.0f", x) }
function ratio(a, b) { return (a == "n/a" || b == "n/a" || b <= 0) ? "n/a" : sprintf("%.2f", a / b) }
function row(label, k, c, scale,    v, m, p) {
	v = cell("vmctl", c, k); m = cell("qemu-microvm", c, k); p = cell("qemu-pc", c, k)
	if (scale) {
		if (v != "n/a") v /= scale
		if (m != "n/a") m /= scale
		if (p != "n/a") p /= scale
	}
	printf "| %s | %s | %s | %s | %s | %s |\n", label, fmt(v), fmt(m), ratio(v, m), fmt(p), ratio(v, p)
}
END {
	printf "vmctl vs QEMU+KVM booting Linux, %s: Debian kernel %s as host and guest,\n", date, kernel
	printf "in Bochs 2.7 (corei7_skylake_x, 2 CPUs); guest %s, same kernel, initramfs and command line;\n", mem
	printf "median of the boots measured (%d rounds asked); instructions are L1 instructions\n", runs
	printf "in millions (RDTSC, Bochs counts one per instruction).  Boots measured:"
	for (k in n) { split(k, p, SUBSEP); printf " %s/%s vCPU: %d;", p[1], p[2], n[k] }
	printf "\n\n"
	print "| | vmctl | QEMU+KVM -M microvm | vmctl/microvm | QEMU+KVM -M pc | vmctl/pc |"
	print "|---|---:|---:|---:|---:|---:|"
	nc = split(cpus, cl, " ")
	for (i = 1; i <= nc; i++) {
		c = cl[i]
		row(sprintf("boot to /init, %d vCPU%s, M instructions", c, c > 1 ? "s" : ""), "to_init", c, 1e6)
		row(sprintf("boot to power-off, %d vCPU%s, M instructions", c, c > 1 ? "s" : ""), "total", c, 1e6)
	}
	c = cl[1]
	row(sprintf("VMM peak RSS (VmHWM), %d vCPU, MiB", c), "hwm_kib", c, 1024)
	row(sprintf("VMM RSS at /init outside guest RAM, %d vCPU, MiB", c), "rss_kib", c, 1024)
	row(sprintf("guest RAM resident at /init, %d vCPU, MiB", c), "ram_rss_kib", c, 1024)
	row(sprintf("kernel memory for the VM and its VMM at /init, %d vCPU, KiB", c), "kernel_kib", c, 0)
	for (k in failed) { split(k, p, SUBSEP); printf "\n%s cpus=%s: %d boots failed\n", p[1], p[2], failed[k] }
}