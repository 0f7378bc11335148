#!/bin/bash
# deps.sh: install what building and testing vmctl needs on Debian 12.
#
#   scripts/deps.sh              install whatever is missing (silent when
#                                nothing is)
#   scripts/deps.sh --print-env  the same, then print shell assignments
#                                saying where things are, for eval:
#                                eval "$(scripts/deps.sh --print-env)"
#   scripts/deps.sh --qemu ...   also install Debian's QEMU (qemu-system-x86,
#                                with SeaBIOS and its option ROMs), which
#                                only the benchmarks and the nested CI
#                                check put into the test machine
#
# Idempotent.  Runs `apt-get update` only when something is missing, and
# uses sudo when not root.  Everything it says goes to stderr, so stdout of
# --print-env holds only the assignments.
#
# What it provides:
#   - Debian packages: build tools, Bochs, busybox, ISO tools, libnl,
#     jansson (the control socket's JSON bodies), libdeflate (libvmctl's
#     CRC-32), cmocka,
#     and kernel headers for Debian's 6.1 (linux-headers-amd64;
#     VMCTL_KVER_61=6.1.0-N-amd64 pins one).
#   - Kernel headers for the newest 6.12 backport (VMCTL_KVER_612=
#     6.12.N+deb12-amd64 pins one), unpacked under
#     $VMCTL_CACHE/headers/<kver>/ rather than installed: Debian's
#     linux-headers-6.12.* package depends on a linux-image package, whose
#     installation rewrites the host's /boot and regenerates its initramfs
#     (minutes) for a kernel nobody boots here.  A cached tree is kept as it
#     is: the package lists are only consulted when none is cached.
#   - The test machine's kernels: linux-image-<kver>-unsigned fetched with
#     `apt-get download` and unpacked with `dpkg-deb -x` under
#     $VMCTL_CACHE/kernels/<kver>/ (vmlinuz and /lib/modules with kvm.ko,
#     kvm-intel.ko, irqbypass.ko), so no initramfs is ever generated on the
#     host and the host's /boot is left alone.
#
# A package that cannot be had (no network, gone from the archive) ends the
# run with one line naming it and what to do.
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
	busybox-static cpio xorriso isolinux syslinux-common e2fsprogs
	libnl-3-dev libnl-genl-3-dev libjansson-dev libcmocka-dev libdeflate-dev
)
# Bochs' headless display (rfb) is a plugin inside the bochs package
# itself, so no bochs-x / bochs-sdl is needed.

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

say() { echo "deps.sh: $*" >&2; }
die() { say "$*"; exit 1; }
# Whatever fails, the last line says what (make check shows that line).
trap 'say "failed (line $LINENO): $BASH_COMMAND"' ERR

updated=
apt_update() {
	[ -n "$updated" ] && return 0
	say "apt-get update"
	$SUDO apt-get update -qq >&2 ||
		die "apt-get update failed: check the network and the apt sources (/etc/apt), then run scripts/deps.sh again"
	updated=1
}

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# cannot PACKAGE: the one line that ends a run missing a package.
cannot() {
	die "cannot get Debian package $1: check the network and the apt sources (/etc/apt), or install it by hand, then run scripts/deps.sh again"
}

apt_install() {
	local pkg
	apt_update
	say "installing $*"
	$SUDO apt-get install -y -qq --no-install-recommends "$@" >&2 && return 0
	# Name the package at fault: the first that does not install alone.
	for pkg in "$@"; do
		installed "$pkg" ||
			$SUDO apt-get install -y -qq --no-install-recommends "$pkg" >&2 ||
			cannot "$pkg"
	done
}

# newest_kver MAJOR.MINOR PATH...: the newest kver MAJOR.MINOR.*-amd64 among
# PATHs ending in it.
newest_kver() {
	local mm=$1 d
	shift
	d=$(printf '%s\n' "$@" | sed -n "s/.*[-/]\($mm\.[^/]*-amd64\)\$/\1/p" |
		grep -v -e -rt- -e -cloud- | sort -V | tail -n 1)
	[ -n "$d" ] && echo "$d"
}

# The cached 6.12 trees: $VMCTL_CACHE/headers/<kver>/usr/src/linux-headers-*,
# complete once .complete exists.
headers_root() { echo "$VMCTL_CACHE/headers/$1"; }
cached_kdir() { echo "$(headers_root "$1")/usr/src/linux-headers-$1"; }

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

# Sets KVER_61, KDIR_61, KVER_612 and KDIR_612, getting headers when needed.
resolve_kernels() {
	KVER_61=${VMCTL_KVER_61:-$(newest_kver 6.1 /usr/src/linux-headers-* || true)}
	[ -n "$KVER_61" ] || die "no 6.1 headers after installing linux-headers-amd64"
	installed "linux-headers-$KVER_61" || apt_install "linux-headers-$KVER_61"
	KDIR_61=/usr/src/linux-headers-$KVER_61

	local cached
	cached=$(find "$VMCTL_CACHE/headers" -mindepth 2 -maxdepth 2 \
		-name .complete 2>/dev/null | sed 's|/.complete$||' || true)
	# shellcheck disable=SC2086 # one path per word
	KVER_612=${VMCTL_KVER_612:-$(newest_kver 6.12 $cached || true)}
	if [ -z "$KVER_612" ]; then
		apt_update
		KVER_612=$(apt-cache search --names-only \
				'^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
			awk '{ sub(/^linux-headers-/, "", $1); print $1 }' |
			sort -V | tail -n 1)
		[ -n "$KVER_612" ] || cannot "linux-headers-6.12.*+deb12-amd64 (none in the package lists)"
	fi
	fetch_headers "$KVER_612"
	KDIR_612=$(cached_kdir "$KVER_612")
}

# apt-get download PACKAGE into DIR (as root the download would otherwise
# warn that the _apt sandbox user cannot write there).
apt_download() {
	local pkg=$1 dir=$2
	(cd "$dir" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" \
		"$pkg" >&2) && return 0
	apt_update
	(cd "$dir" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" \
		"$pkg" >&2) || cannot "$pkg"
}

# fetch_headers KVER (6.12 naming: 6.12.N+deb12-amd64): unpack the headers,
# their -common half and kbuild's host programs into one root, where their
# relative links (scripts -> ../../lib/linux-kbuild-*/scripts) hold; the one
# absolute path, the -amd64 Makefile's include of the -common tree, is
# pointed into that root.
fetch_headers() {
	local kver=$1 root tmp deb pkg
	local base=${1%-amd64}
	root=$(headers_root "$kver")
	[ -f "$root/.complete" ] && return 0
	say "fetching the headers of $kver"
	tmp=$(mktemp -d "$VMCTL_CACHE/headers-deb.XXXXXX")
	for pkg in "linux-headers-$kver" "linux-headers-$base-common" \
		"linux-kbuild-$base"; do
		apt_download "$pkg" "$tmp"
	done
	rm -rf "$root"
	mkdir -p "$root"
	local needs=()
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$root"
		# What installing them would have brought (kbuild's programs
		# need pahole and libssl3, say), less the kernel packages and
		# the alternatives ("a | b": the first).
		mapfile -t -O "${#needs[@]}" needs < <(dpkg-deb -f "$deb" Depends |
			tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' |
			grep -v -e '^linux-' -e '^$')
	done
	rm -rf "$tmp"
	local missing=() pkg
	for pkg in "${needs[@]}"; do
		installed "$pkg" || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
	sed -i "s|^include /usr/src/|include $root/usr/src/|" \
		"$root/usr/src/linux-headers-$kver/Makefile"
	: >"$root/.complete"
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
	printf "KDIR_61='%s'\nKDIR_612='%s'\n" "$KDIR_61" "$KDIR_612"
	for kv in 61 612; do
		local kver_var=KVER_$kv
		local kver=${!kver_var}
		printf "VMLINUZ_%s='%s'\n" $kv "$VMCTL_CACHE/kernels/$kver/boot/vmlinuz-$kver"
		printf "KMODS_%s='%s'\n" $kv "$VMCTL_CACHE/kernels/$kver/lib/modules/$kver"
	done
	printf "KSFT_DIR='%s'\n" "$VMCTL_CACHE/kselftest"
	printf "CHECKPATCH='%s'\n" "$VMCTL_CACHE/checkpatch/checkpatch.pl"
}

print=
for arg in "$@"; do
	case $arg in
	--print-env) print=1 ;;
	--qemu) PACKAGES+=(qemu-system-x86) ;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		exit 0 ;;
	*) die "unknown argument '$arg' (try --help)" ;;
	esac
done

mkdir -p "$VMCTL_CACHE"
install_packages
resolve_kernels
fetch_kernel "$KVER_61"
fetch_kernel "$KVER_612"
fetch_source_files
[ -n "$print" ] && print_env
exit 0
