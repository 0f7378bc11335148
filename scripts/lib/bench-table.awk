# bench-table.awk: what the tables of scripts/bench-boot.sh share, loaded
# before bench-boot-table.awk or bench-io-table.awk (awk -f this -f that).
# kv KEY: the value of KEY=VALUE among this line's fields 2..NF.
function kv(key,    i, n) {
	for (i = 2; i <= NF; i++) {
		n = index($i, "=")
		if (substr($i, 1, n - 1) == key)
			return substr($i, n + 1)
	}
	return ""
}
# median LIST: the median of the space-separated numbers in LIST.
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
