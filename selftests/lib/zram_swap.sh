#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Swap for selftests/swap_test in the test machine, which has no disk to
# swap to (and a swap file on tmpfs is refused: swapon needs a file system
# that maps file blocks to disk, which tmpfs has not): a 256 MiB zram
# device, from Debian's zram.ko and the lz4 modules it needs, which
# scripts/check.sh puts in $ZRAM_DIR (default /vmctl/zram).
#
# Usage: zram_swap.sh on|off.  "on" does nothing when swap is active
# already or the modules are not there (swap_test then skips, saying so);
# "off" undoes only what "on" did.  Status 0 either way.
ZRAM_DIR=${ZRAM_DIR:-/vmctl/zram}
MARK=/tmp/vmctl-zram-swap

case $1 in
on)
	[ -f "$ZRAM_DIR/zram.ko" ] || exit 0
	[ "$(wc -l </proc/swaps)" -gt 1 ] && exit 0
	for m in lz4_compress lz4hc_compress zram; do
		insmod "$ZRAM_DIR/$m.ko" 2>/dev/null
	done
	if echo 256M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
		touch "$MARK"
		echo "# zram swap on: $(tail -n 1 /proc/swaps | tr -s ' \t' ' ')"
	else
		echo "# zram swap: could not be turned on"
	fi ;;
off)
	[ -f "$MARK" ] || exit 0
	swapoff /dev/zram0 && echo 1 >/sys/block/zram0/reset
	rm -f "$MARK" ;;
esac
exit 0
