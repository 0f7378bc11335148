# shellcheck shell=bash
# machine-files.sh: sourced by the scripts that put a second hypervisor
# into the test machine (bench.sh, bench-boot.sh, ci-nested.sh).  Each
# function appends `--add SRC:DEST` pairs for scripts/vm-run to the array
# named by its first argument.  Needs the assignments of
# `scripts/deps.sh --print-env` (KMODS_61, KMODS_612) in the environment.

# module_adds ARRAY WORKDIR KERNEL MODULE...: Debian's modules (paths under
# kernel/, without .ko.xz) of the test machine's kernel (6.1 or 6.12),
# decompressed into WORKDIR (busybox insmod hands the file to the kernel as
# it is), at /bench/NAME.ko in the machine.
module_adds() {
	# shellcheck disable=SC2178 # a name reference to the caller's array
	local -n _adds=$1
	local work=$2 kmods_var=KMODS_${3/./} m name
	shift 3
	for m in "$@"; do
		name=$(basename "$m")
		xz -dc "${!kmods_var}/kernel/$m.ko.xz" >"$work/$name.ko" || {
			echo "${!kmods_var}/kernel/$m.ko.xz: missing (run scripts/deps.sh)" >&2
			return 1
		}
		_adds+=(--add "$work/$name.ko:/bench/$name.ko")
	done
}

# kvm_module_adds ARRAY WORKDIR KERNEL: irqbypass.ko, kvm.ko, kvm-intel.ko.
kvm_module_adds() {
	module_adds "$1" "$2" "$3" virt/lib/irqbypass arch/x86/kvm/kvm \
		arch/x86/kvm/kvm-intel
}

# net_module_adds ARRAY WORKDIR KERNEL: tun.ko (the test machine's tap),
# tap.ko, vhost_iotlb.ko, vhost.ko and vhost_net.ko (QEMU's vhost=on).
net_module_adds() {
	module_adds "$1" "$2" "$3" drivers/net/tun drivers/net/tap \
		drivers/vhost/vhost_iotlb drivers/vhost/vhost drivers/vhost/vhost_net
}

# qemu_adds ARRAY: Debian's qemu-system-x86_64 (vm-run also copies the
# shared libraries it needs) and the firmware it opens for `-M pc -kernel`
# (SeaBIOS, the linuxboot DMA and kvmvapic option ROMs) and `-M microvm`
# (qboot), at the paths it looks for them (found with strace; the
# machines run with -nodefaults, so no VGA or network ROMs).
qemu_adds() {
	# shellcheck disable=SC2178 # a name reference to the caller's array
	local -n _adds=$1
	local qemu f d found
	qemu=$(command -v qemu-system-x86_64) || {
		echo "qemu-system-x86_64 missing (scripts/deps.sh --qemu)" >&2
		return 1
	}
	_adds+=(--add "$qemu:/usr/bin/qemu-system-x86_64")
	for f in bios-256k.bin bios-microvm.bin kvmvapic.bin linuxboot_dma.bin; do
		found=
		for d in /usr/share/qemu /usr/share/seabios; do
			[ -e "$d/$f" ] && found=$d/$f && break
		done
		[ -n "$found" ] || { echo "QEMU firmware $f missing" >&2; return 1; }
		_adds+=(--add "$found:$found")
	done
}
