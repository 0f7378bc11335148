#!/bin/sh
# Print the kernel build directory vmctl.ko is built against by default:
# the running kernel's when its headers are installed, else the newest
# installed Debian linux-headers-*-amd64 tree (never the -common half,
# which cannot build modules on its own).
build=/lib/modules/$(uname -r)/build
if [ -d "$build" ]; then
	echo "$build"
	exit 0
fi
newest=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$newest" ]; then
	echo "kdir.sh: no kernel headers found; run scripts/deps.sh" >&2
	exit 1
fi
echo "$newest"
