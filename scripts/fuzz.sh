#!/bin/bash
# fuzz.sh: `make fuzz`.  Boots the test machine once (scripts/vm-run) and
# runs selftests/fuzz.sh there: the ioctl fuzzer, the hostile-guest fuzzer
# and the race driver, one after the other, each for FUZZ_SECONDS.
#
#   FUZZ_SECONDS      seconds per fuzzer (default 300)
#   FUZZ_SEED         the seed (default: a new one per fuzzer, printed)
#   FUZZ_ITERATIONS   stop each fuzzer after this many iterations too
#   FUZZ_FIRST        first iteration (with FUZZ_SEED: replay from there)
#   FUZZ_VERBOSE=1    print every call (for a replay)
#   FUZZ_KERNEL       the test machine's kernel: 6.12 (default) or 6.1
#   FUZZERS           which of fuzz_ioctl fuzz_guest fuzz_race (default all)
#
# Prints the fuzzers' TAP; exits with vm-run's status (0: every check of
# every fuzzer passed).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 125

secs=${FUZZ_SECONDS:-300}
envs=("FUZZ_SECONDS=$secs")
for v in FUZZ_SEED FUZZ_ITERATIONS FUZZ_FIRST FUZZ_VERBOSE FUZZ_HANG_SECONDS; do
	[ -n "${!v:-}" ] && envs+=("$v=${!v}")
done
# FUZZ_SECONDS is guest time, and Bochs runs the guest's clock (one tick
# per emulated instruction, 1e8 a second) 3 to 4 times slower than the wall
# clock on a 2-core host with another machine beside it: three fuzzers at
# a fifth of real speed, plus the boot.
timeout=$((3 * secs * 5 + 900))
# shellcheck disable=SC2086
exec scripts/vm-run --kernel "${FUZZ_KERNEL:-6.12}" --cpus 2 \
	--timeout "$timeout" -- env "${envs[@]}" sh selftests/fuzz.sh ${FUZZERS:-}
