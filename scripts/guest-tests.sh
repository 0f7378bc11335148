#!/bin/sh
# guest-tests.sh: layer (c) of scripts/check.sh, run inside the test
# machine by scripts/vm-run (busybox sh, cwd /vmctl, vmctl.ko loaded):
# selftests/run_all.sh, the hostile-guest fuzzer's bounded run
# (selftests/fuzz.sh, 600 iterations of seed 3, at most 120 s), then
# every guest-side end-to-end script
# */tests/e2e*.sh, then selftests/reload_test.sh (module reloads with other
# parameters, kvm_intel; last, so that nothing else depends on how it
# leaves the module), one after the other in the same boot.  Prints their
# TAP.
# A script that is missing, or that fails without printing a "not ok" of
# its own, gets a "not ok" line here.  Exit status 1 when anything failed.
# Each one's time in this machine's clock follows it as a TAP comment:
# Bochs advances the TSC once per instruction, so time x the TSC rate is
# instructions, whatever the load on the host (make check's budget).
#
# scripts/check.sh runs two test machines side by side, one per host core
# (Bochs emulates every CPU of a machine on one host thread), and shares
# the scripts out between them with the arguments:
#   --only SCRIPT...   run just these, in this order;
#   --skip SCRIPT...   run all the others.
# so a new script lands in the --skip machine without anyone listing it.
cd /vmctl || exit 1
only= skip=
case ${1:-} in
--only) shift; only=" $* " ;;
--skip) shift; skip=" $* " ;;
'') ;;
*) echo "usage: $0 [--only|--skip SCRIPT...]" >&2; exit 2 ;;
esac
# The fuzzers still find things now and then (README, "Fuzzing"): make
# check runs a fixed stretch of the guest fuzzer (seed 3, iterations
# 0-599, all clean) as a regression test; make fuzz explores new seeds.
FUZZERS=${FUZZERS:-fuzz_guest}
FUZZ_SEED=${FUZZ_SEED:-3}
FUZZ_ITERATIONS=${FUZZ_ITERATIONS:-600}
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
export FUZZERS FUZZ_SEED FUZZ_ITERATIONS FUZZ_SECONDS
failed=0
echo "# this machine's TSC: $(awk '/^cpu MHz/ { print $4; exit }' /proc/cpuinfo) MHz"
all=$(echo selftests/run_all.sh selftests/fuzz.sh */tests/e2e*.sh \
	selftests/reload_test.sh)
[ -n "$only" ] && all=$only
for t in $all; do
	case $skip in *" $t "*) continue ;; esac
	echo "# ==== $t"
	if [ ! -f "$t" ]; then
		echo "not ok - $t is missing"
		failed=1
		continue
	fi
	# selftests/swap_test needs swap: zram while the selftests run.
	[ "$t" = selftests/run_all.sh ] && sh selftests/lib/zram_swap.sh on
	t0=$(cut -d' ' -f1 /proc/uptime)
	{ sh "$t"; echo $? >/tmp/guest-tests.status; } | tee /tmp/guest-tests.out
	echo "# $t took $(awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }' /proc/uptime) s of this machine's clock"
	[ "$t" = selftests/run_all.sh ] && sh selftests/lib/zram_swap.sh off
	status=$(cat /tmp/guest-tests.status)
	[ "$status" = 0 ] && continue
	failed=1
	grep -q '^not ok' /tmp/guest-tests.out ||
		echo "not ok - $t exited with status $status"
done
exit $failed
