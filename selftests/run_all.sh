#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every vmctl kselftest binary on the test machine (busybox sh is
# enough) and print their TAP output: one "ok N name" / "not ok N name"
# line per test case.  rmmod_test runs last: it unloads and reloads the
# module.  Two more TAP lines cover what no binary can see itself: a
# binary that died without reporting, and WARN/BUG/Oops lines that the
# kernel log gained while the tests ran.
#
# Usage: run_all.sh [TEST...]      (default: every *_test next to it)
# Exit status: 0 when everything passed (skips allowed), 1 otherwise.

cd "$(dirname "$0")" || exit 1

if [ $# -gt 0 ]; then
	tests="$*"
else
	tests=
	for t in *_test; do
		[ "$t" = rmmod_test ] || tests="$tests $t"
	done
	[ -x rmmod_test ] && tests="$tests rmmod_test"
fi

# Everything the kernel logs after this line belongs to the tests.
marker="vmctl-selftests-start-$$-$(date +%s)"
echo "$marker" >/dev/kmsg 2>/dev/null || marker=

failed=0
# shellcheck source=lib/run_tests.sh
. ./lib/run_tests.sh
# shellcheck disable=SC2086
run_tests $tests

if [ -n "$marker" ]; then
	bad=$(dmesg | sed -n "/$marker/,\$p" |
	      grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace')
	if [ -n "$bad" ]; then
		echo "$bad" | sed 's/^/# dmesg: /'
		echo "not ok - kernel log clean during the tests"
		failed=1
	else
		echo "ok - kernel log clean during the tests"
	fi
else
	echo "not ok - kernel log clean during the tests: cannot write /dev/kmsg"
	failed=1
fi

exit $failed
