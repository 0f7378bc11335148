# shellcheck shell=sh disable=SC2034
# SPDX-License-Identifier: GPL-2.0
# Sourced by run_all.sh and fuzz.sh (busybox sh is enough).
#
# run_tests NAME...: run each executable ./NAME in turn after a
# "# ---- NAME" line; one that is missing, or ends with a status other
# than 0 (passed) or 1 (failed, its own "not ok" lines say what), gets a
# "not ok" line of its own.  Sets $failed to 1 when anything failed, else
# leaves it alone (SC2034: the caller reads it).
run_tests() {
	for t in "$@"; do
		echo "# ---- $t"
		if [ ! -x "./$t" ]; then
			echo "not ok - $t: not found"
			failed=1
			continue
		fi
		"./$t"
		status=$?
		case $status in
		0) ;;
		1) failed=1 ;;
		*) echo "not ok - $t: exited with status $status"; failed=1 ;;
		esac
	done
}
