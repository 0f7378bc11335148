#!/bin/bash
# deps.sh: install what building and testing vmctl needs on Debian 12.
#
#   scripts/deps.sh              install whatever is missing (silent when
#                                nothing is)
#   scripts/deps.sh --print-env  the same, then print shell assignments
#                                saying where things are, for eval:
#                                eval "$(scripts/deps.sh --print-env)"
#
# Idempotent.  Runs `apt-get update` only when something is missing, and
# uses sudo when not root.  Everything it says goes to stderr, so stdout of
# --print-env holds only the assignments.
#
# What it provides:
#   - Debian packages: build tools, Bochs, busybox, ISO tools, libnl, cmocka,
#     and kernel headers for Debian's 6.1 (linux-headers-amd64) and the
#     newest 6.12 backport (VMCTL_KVER_612=6.12.N+deb12-amd64 pins one;
#     VMCTL_KVER_61 likewise).  An installed 6.12 tree is kept as it is:
#     the package lists are only consulted when none is installed.
#   - The test machine's kernels: linux-image-<kver>-unsigned fetched with
#     `apt-get download` and unpacked with `dpkg-deb -x` under
#     $VMCTL_CACHE/kernels/<kver>/ (vmlinuz and /lib/modules with kvm.ko,
#     kvm-intel.ko, irqbypass.ko), so no initramfs is ever generated on the
#     host and the host's /boot is left alone.
#   - From linux-source-6.1: kselftest_harness.h and kselftest.h in
#     $VMCTL_CACHE/kselftest/, checkpatch.pl with spelling.txt and
#     const_structs.checkpatch in $VMCTL_CACHE/checkpatch/.
#
# Environment: VMCTL_CACHE (default ~/.cache/vmctl), VMCTL_KVER_61,
# VMCTL_KVER_612.
set -euo pipefail

VMCTL_CACHE=${VMCTL_CACHE:-$HOME/.cache/vmctl}

PACKAGES=(
	build-essential bc kmod pkg-config libelf-dev perl xz-utils
	linux-headers-amd64
	bochs bochsbios vgabios
	busybox-static cpio xorriso isolinux syslinux-common
	libnl-3-dev libnl-genl-3-dev libcmocka-dev
)
# Bochs' headless display (rfb) is a plugin inside the bochs package
# itself, so no bochs-x / bochs-sdl is needed.

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

say() { echo "deps.sh: $*" >&2; }
die() { say "$*"; exit 1; }

updated=
apt_update() {
	[ -n "$updated" ] && return 0
	say "apt-get update"
	$SUDO apt-get update -qq >&2
	updated=1
}

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

apt_install() {
	apt_update
	say "installing $*"
	$SUDO apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Newest /usr/src/linux-headers-<major.minor>.*-amd64 installed, as a kver.
newest_headers() {
	local d
	d=$(printf '%s\n' /usr/src/linux-headers-"$1".*-amd64 |
		grep -v -e -rt- -e -cloud- -e '\*' | sort -V | tail -n 1)
	[ -n "$d" ] && echo "${d#/usr/src/linux-headers-}"
}

install_packages() {
	local missing
	# One dpkg-query for all: it lists the installed ones.
	missing=$(comm -23 <(printf '%s\n' "${PACKAGES[@]}" | sort) \
		<(dpkg-query -W -f='${db:Status-Status} ${Package}\n' \
			"${PACKAGES[@]}" 2>/dev/null |
			awk '$1 == "installed" { sub(/:.*/, "", $2); print $2 }' | sort))
	# shellcheck disable=SC2086 # one word per package
	[ -z "$missing" ] || apt_install $missing
}

# Sets KVER_61 and KVER_612, installing headers when needed.
resolve_kernels() {
	KVER_61=${VMCTL_KVER_61:-$(newest_headers 6.1 || true)}
	[ -n "$KVER_61" ] || die "no 6.1 headers after installing linux-headers-amd64"
	installed "linux-headers-$KVER_61" || apt_install "linux-headers-$KVER_61"

	KVER_612=${VMCTL_KVER_612:-$(newest_headers 6.12 || true)}
	if [ -z "$KVER_612" ]; then
		apt_update
		KVER_612=$(apt-cache search --names-only \
				'^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
			awk '{ sub(/^linux-headers-/, "", $1); print $1 }' |
			sort -V | tail -n 1)
		[ -n "$KVER_612" ] || die "no linux-headers-6.12.*+deb12-amd64 in the package lists"
	fi
	installed "linux-headers-$KVER_612" || apt_install "linux-headers-$KVER_612"
}

# apt-get download PACKAGE into DIR (as root the download would otherwise
# warn that the _apt sandbox user cannot write there).
apt_download() {
	local pkg=$1 dir=$2
	(cd "$dir" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" \
		"$pkg" >&2) && return 0
	apt_update
	(cd "$dir" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" \
		"$pkg" >&2)
}

# Unpack linux-image-<kver>-unsigned under $VMCTL_CACHE/kernels/<kver>/.
fetch_kernel() {
	local kver=$1 dir=$VMCTL_CACHE/kernels/$1 tmp
	[ -f "$dir/boot/vmlinuz-$kver" ] && return 0
	say "fetching linux-image-$kver-unsigned"
	tmp=$(mktemp -d "$VMCTL_CACHE/kernel-deb.XXXXXX")
	apt_download "linux-image-$kver-unsigned" "$tmp"
	rm -rf "$dir.partial"
	mkdir -p "$VMCTL_CACHE/kernels"
	dpkg-deb -x "$tmp"/linux-image-*.deb "$dir.partial"
	rm -rf "$tmp"
	mv "$dir.partial" "$dir"
}

# Extract the few files we need from the 6.1 source tarball.
fetch_source_files() {
	local ksft=$VMCTL_CACHE/kselftest cp=$VMCTL_CACHE/checkpatch
	local tarball=/usr/src/linux-source-6.1.tar.xz tmp='' top=linux-source-6.1
	local members=(
		tools/testing/selftests/kselftest_harness.h
		tools/testing/selftests/kselftest.h
		scripts/checkpatch.pl scripts/spelling.txt
		scripts/const_structs.checkpatch
	)
	[ -f "$ksft/kselftest_harness.h" ] && [ -f "$ksft/kselftest.h" ] &&
		[ -f "$cp/checkpatch.pl" ] && [ -f "$cp/spelling.txt" ] &&
		[ -f "$cp/const_structs.checkpatch" ] && return 0

	say "extracting kselftest harness and checkpatch from linux-source-6.1"
	tmp=$(mktemp -d "$VMCTL_CACHE/src.XXXXXX")
	if [ ! -f "$tarball" ]; then
		apt_download linux-source-6.1 "$tmp"
		dpkg-deb -x "$tmp"/linux-source-6.1_*.deb "$tmp/deb"
		tarball=$tmp/deb/usr/src/linux-source-6.1.tar.xz
	fi
	tar -xJf "$tarball" -C "$tmp" "${members[@]/#/$top/}"
	mkdir -p "$ksft" "$cp"
	cp "$tmp/$top"/tools/testing/selftests/kselftest{_harness,}.h "$ksft/"
	cp "$tmp/$top"/scripts/{checkpatch.pl,spelling.txt,const_structs.checkpatch} "$cp/"
	chmod +x "$cp/checkpatch.pl"
	rm -rf "$tmp"
}

print_env() {
	local kv
	printf "VMCTL_CACHE='%s'\n" "$VMCTL_CACHE"
	printf "KVER_61='%s'\nKVER_612='%s'\n" "$KVER_61" "$KVER_612"
	for kv in 61 612; do
		local kver_var=KVER_$kv
		local kver=${!kver_var}
		printf "KDIR_%s='%s'\n" $kv "/usr/src/linux-headers-$kver"
		printf "VMLINUZ_%s='%s'\n" $kv "$VMCTL_CACHE/kernels/$kver/boot/vmlinuz-$kver"
		printf "KMODS_%s='%s'\n" $kv "$VMCTL_CACHE/kernels/$kver/lib/modules/$kver"
	done
	printf "KSFT_DIR='%s'\n" "$VMCTL_CACHE/kselftest"
	printf "CHECKPATCH='%s'\n" "$VMCTL_CACHE/checkpatch/checkpatch.pl"
}

case "${1:-}" in
"" | --print-env) ;;
-h | --help)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0 ;;
*) die "unknown argument '$1' (try --help)" ;;
esac

mkdir -p "$VMCTL_CACHE"
install_packages
resolve_kernels
fetch_kernel "$KVER_61"
fetch_kernel "$KVER_612"
fetch_source_files
[ "${1:-}" = --print-env ] && print_env
exit 0
