#!/bin/sh
# Self-test of scripts/tap-summary, printing TAP: every case feeds it sample
# TAP and compares the summary line and exit status it gives.
summary=$(dirname "$0")/../tap-summary
n=0 failures=0

# check NAME EXPECTED_LINE EXPECTED_STATUS TAP_TEXT
check() {
	n=$((n + 1))
	got=$(printf '%s\n' "$4" | "$summary")
	status=$?
	if [ "$got" = "$2" ] && [ "$status" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "# expected '$2' (status $3), got '$got' (status $status)"
		failures=$((failures + 1))
	fi
}

echo "1..7"
check "all passing" "2 passed, 0 failed" 0 "1..2
ok 1 - a
ok 2 - b"
check "a failing test is counted and fails the run" "2 passed, 1 failed" 1 "1..3
ok 1 - a
not ok 2 - b
# b went wrong
ok 3 - c"
check "skips are not passes" "1 passed, 0 failed, 2 skipped" 0 "ok 1 - a
ok 2 - b # SKIP no vmx
not ok 3 - c # skip not here"
check "TODO counts as skipped" "0 passed, 0 failed, 1 skipped" 0 "not ok 1 - x # TODO later"
check "comments and indented subtests are not counted" "1 passed, 0 failed" 0 "# ok 1 - nested comment
    not ok 1 - subtest
ok 1 - parent"
check "unnumbered results" "1 passed, 1 failed" 1 "ok - built
not ok - crashed"
check "no test at all fails" "0 passed, 0 failed" 1 "1..0
hello"
[ $failures -eq 0 ]
