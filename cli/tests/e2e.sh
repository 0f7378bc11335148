#!/bin/sh
# End-to-end test of the vmctl command line, for the emulated test machine
# (busybox sh, vmctl.ko loaded, the build tree at /vmctl).  TAP output.
#
#   scripts/vm-run -- sh /vmctl/cli/tests/e2e.sh
#
# VMCTL (default: vmctl on PATH) and GUESTS (default: the guests next to
# this script) can be overridden.
VMCTL=${VMCTL:-vmctl}
GUESTS=${GUESTS:-$(dirname "$0")/../guests}
TMP=${TMPDIR:-/tmp}/vmctl-e2e.$$
mkdir -p "$TMP" || exit 1
trap 'rm -rf "$TMP"' EXIT

. "$(dirname "$0")/tap.sh"

# vmctl_run ARGS...: run vmctl with no input; status in $rc
vmctl_run() {
	"$VMCTL" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
has() { grep -q "$1" "$2"; }

# --- the demo guest -------------------------------------------------------
vmctl_run run --name demo --mem 2M --image "$GUESTS/hello.bin"
check "hello.bin: exit status 0 (got $rc)" [ "$rc" -eq 0 ]
check "hello.bin: greets on the serial console" has "Hello from a vmctl guest!" "$TMP/out"
check "hello.bin: CPUID shows the hypervisor bit and signature" \
	has "hypervisor bit: set (vmctlvmctlvm)" "$TMP/out"
check "hello.bin: one line says it powered off" \
	has "vmctl run: demo: guest powered off" "$TMP/err"

vmctl_run run --name demo2 --mem 2M --cpus 2 --image "$GUESTS/hello.bin"
check "hello.bin on 2 vCPUs: exit status 0 (got $rc)" [ "$rc" -eq 0 ]
check "hello.bin on 2 vCPUs: greets once" \
	[ "$(grep -c 'Hello from' "$TMP/out")" -eq 1 ]

vmctl_run run --mem 8M --mem-prealloc --image "$GUESTS/hello.bin"
check "--mem-prealloc: exit status 0 (got $rc)" [ "$rc" -eq 0 ]
check "--mem-prealloc: greets" has "Hello from a vmctl guest!" "$TMP/out"

vmctl_run run --mem 2M --image "$GUESTS/hello.bin" --console "$TMP/console.log"
check "--console: exit status 0 (got $rc)" [ "$rc" -eq 0 ]
check "--console: output goes to the file" has "Hello from a vmctl guest!" "$TMP/console.log"
check "--console: nothing on stdout" [ ! -s "$TMP/out" ]

# --- ELF guests: protected and long mode ----------------------------------
for g in 32:"32-bit protected mode" 64:"64-bit long mode"; do
	bits=${g%%:*} mode=${g#*:}
	if [ -f "$GUESTS/hello$bits.elf" ]; then
		vmctl_run run --mem 4M --elf "$GUESTS/hello$bits.elf"
		check "hello$bits.elf: exit status 0 (got $rc)" [ "$rc" -eq 0 ]
		check "hello$bits.elf: runs in $mode" has "running in $mode" "$TMP/out"
	else
		n=$((n + 1)); echo "ok $n - hello$bits.elf # SKIP not copied into this machine"
	fi
done

# --- how guests end -------------------------------------------------------
vmctl_run run --mem 2M --image "$GUESTS/triple.bin"
check "triple fault: exit status 3 (got $rc)" [ "$rc" -eq 3 ]
check "triple fault: reported as such" has "triple fault" "$TMP/err"

# --- errors ---------------------------------------------------------------
vmctl_run run --mem 2M --image /nonexistent.bin
check "missing image: exit status 1 (got $rc)" [ "$rc" -eq 1 ]
check "missing image: named in the message" \
	has "cannot read '/nonexistent.bin': No such file" "$TMP/err"

vmctl_run run --mem 2Q --image "$GUESTS/hello.bin"
check "bad size: exit status 2 (got $rc)" [ "$rc" -eq 2 ]
check "bad size: says why" has "'2Q' is not a size" "$TMP/err"

vmctl_run run --mem 4K --image "$GUESTS/hello.bin"
check "image beyond memory: exit status 1 (got $rc)" [ "$rc" -eq 1 ]
check "image beyond memory: says so" has "does not fit in guest memory" "$TMP/err"

VMCTL_DEVICE=/nonexistent "$VMCTL" run --image "$GUESTS/hello.bin" \
	</dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
check "no device: exit status 1 (got $rc)" [ "$rc" -eq 1 ]
check "no device: tells how to load the module" \
	has "the vmctl module is not loaded: sudo insmod kmod/vmctl.ko" "$TMP/err"

# --- info and version -----------------------------------------------------
vmctl_run info
check "info: exit status 0 (got $rc)" [ "$rc" -eq 0 ]
check "info: API version 1" grep -q "^api version: *1$" "$TMP/out"
check "info: lists capabilities" has "max_vcpus *64" "$TMP/out"
check "info: VMX on both CPUs of the test machine" \
	has "^VMX on: *CPUs 0-1 (2 of 2 online)$" "$TMP/out"

vmctl_run info --json
check "info --json: module loaded, API version 1" \
	has '"module_loaded":true,"api_version":1' "$TMP/out"
check "info --json: CPU 1 online and in VMX operation" \
	has '"cpus":\[{"cpu":0,"online":true,"vmx":true},{"cpu":1,"online":true,"vmx":true}' "$TMP/out"

vmctl_run version
check "version: shows the module's API version" has "module: API version 1" "$TMP/out"

# --- the module let go of everything --------------------------------------
vmctl_run info --json
check "no VM left behind in the module" has '"vms":0,' "$TMP/out"

tap_done
