# TAP helpers for the end-to-end scripts, sourced by them (POSIX sh):
#   . "$(dirname "$0")/tap.sh"
# The caller sets TMP first: a failed check shows the end of $TMP/out and
# $TMP/err as TAP comments.  Not a test itself (no e2e prefix), so
# scripts/guest-tests.sh does not run it.
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	for f in "$TMP/out" "$TMP/err"; do
		[ -s "$f" ] && tail -n 25 "$f" | sed 's/^/# /'
	done
}
# check DESC COMMAND...: a passing command makes an ok line
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }
# check_all DESC 'COND && COND...': an ok line when the whole condition,
# given as one string, holds.  Written after check's arguments, a shell
# && would join the second test to check's own status, and its failure
# would never be reported.
check_all() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
# skip DESC REASON: a check that cannot be made here (TAP's SKIP, which
# scripts/tap-summary counts apart: never a pass)
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# tap_done: the plan line; status 0 when every check passed
tap_done() { echo "1..$n"; [ "$failed" -eq 0 ]; }
