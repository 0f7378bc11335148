#!/bin/bash
# demo.sh: what `make demo` runs.  Builds everything and boots the test
# machine (Bochs, Debian 6.12, vmctl.ko loaded).  There it runs the tiny
# guest cli/guests/hello.bin, then boots the same Debian kernel as a vmctl
# guest on 2 vCPUs with a busybox initramfs (scripts/guest-initramfs.sh):
# the guest's serial console shows on this terminal, from the first kernel
# message to its /init banner
#   vmctl guest: Linux 6.12..., 2 CPUs, MemTotal ... kB
# and its poweroff, which ends `vmctl run`.  Expect several minutes: the
# guest runs nested inside an emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
env_out=$(scripts/deps.sh --print-env)
eval "$env_out"
make -s -j"$(nproc)" all
work=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
scripts/guest-initramfs.sh "$work/initrd.gz"
scripts/vm-run --mem 1024 --timeout 1800 \
	--add "$VMLINUZ_612:/vmctl/guest/vmlinuz" \
	--add "$work/initrd.gz:/vmctl/guest/initrd.gz" -- sh -c '
vmctl run --name hello --mem 2M --image /vmctl/cli/guests/hello.bin &&
vmctl run --name linux --cpus 2 --kernel /vmctl/guest/vmlinuz \
	--initrd /vmctl/guest/initrd.gz \
	--no-reboot \
	--cmdline "console=ttyS0,115200 panic=-1 io_delay=none vmctl_init=poweroff"'
