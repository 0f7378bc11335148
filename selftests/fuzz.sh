#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the fuzzers (fuzz_ioctl, fuzz_guest, fuzz_race; lib/fuzz.h) one
# after the other on the test machine and print their TAP.  Each runs for
# $FUZZ_SECONDS (default 40: the bounded run of `make check`; `make fuzz`
# asks for longer); $FUZZ_SEED, $FUZZ_ITERATIONS and $FUZZ_FIRST reach
# them as they are, and each prints the seed it used.
#
# Usage: fuzz.sh [FUZZER...]     (default: $FUZZERS, else all three)
# Exit status: 0 when every check of every fuzzer passed, 1 otherwise.

cd "$(dirname "$0")" || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-40}
export FUZZ_SECONDS

fuzzers=${*:-${FUZZERS:-fuzz_ioctl fuzz_guest fuzz_race}}
failed=0
# shellcheck source=lib/run_tests.sh
. ./lib/run_tests.sh
# shellcheck disable=SC2086
run_tests $fuzzers
exit $failed
