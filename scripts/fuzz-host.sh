#!/bin/bash
# fuzz-host.sh: `make fuzz-host`.  Runs the host-side fuzzers, built by
# `make unit` with AddressSanitizer and UBSan (libvmctl/tests/fuzz_host.h):
# libvmctl/tests/test_fuzz_snapshot (the snapshot file and the migration
# stream) and cli/tests/test_fuzz_control (the control socket's requests),
# each fuzzing loop for FUZZ_SECONDS, with a new seed unless one is given.
#
#   FUZZ_SECONDS      seconds per fuzzing loop (default 60)
#   FUZZ_SEED         the seed (default: from the clock, printed)
#   FUZZ_ITERATIONS   stop each loop after this many iterations too
#   FUZZ_FIRST        first iteration (with FUZZ_SEED: replay from there)
#   FUZZ_VERBOSE=1    say what each iteration got (the snapshot fuzzer)
#
# Prints the fuzzers' TAP; exits nonzero when any of them failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

export FUZZ_SECONDS=${FUZZ_SECONDS:-60}
export FUZZ_SEED=${FUZZ_SEED:-$(date +%s%N)}
export CMOCKA_MESSAGE_OUTPUT=TAP
rc=0
for t in libvmctl/tests/test_fuzz_* cli/tests/test_fuzz_*; do
	case $t in *.c | *.d | *.o) continue ;; esac
	[ -x "$t" ] || continue
	echo "# $t"
	"./$t" || rc=1
done
exit $rc
