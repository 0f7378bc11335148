# vmctl top-level build.  `make` builds everything; `make check` runs every
# test layer and ends with one line "N passed, N failed[, N skipped]".

# The kernel build tree is kmod/Makefile's business (KDIR= on the command
# line reaches it): computed here, it would be fixed when make starts,
# before `make check` has run scripts/deps.sh, and exported empty to every
# make below.
PREFIX ?= /usr/local
DESTDIR ?=
export PREFIX DESTDIR

SUBDIRS_USER := libvmctl cli selftests

.PHONY: all kmod libvmctl cli selftests unit check check-guests fuzz \
	fuzz-host demo bench bench-boot ci-nested \
	install clean deps

all: kmod libvmctl cli selftests

kmod:
	$(MAKE) -C kmod

libvmctl:
	$(MAKE) -C libvmctl

cli: libvmctl
	$(MAKE) -C cli

selftests: libvmctl
	$(MAKE) -C selftests

# Build (not run) every cmocka unit-test binary: */tests/test_*.
unit: libvmctl
	$(MAKE) -C kmod unit
	$(MAKE) -C libvmctl unit
	$(MAKE) -C cli unit

deps:
	scripts/deps.sh

check:
	scripts/check.sh

# The end-to-end scripts that boot Linux guests, with Debian's 6.1 kernel
# as the guest (GUEST=6.12 for the other): scripts/check-guests.sh.
GUEST ?= 6.1
check-guests: all
	scripts/check-guests.sh --guest $(GUEST)

# The fuzzers (selftests/fuzz_*) in the emulated machine, FUZZ_SECONDS
# each (default 300); FUZZ_SEED, FUZZ_KERNEL=6.1...: scripts/fuzz.sh.
fuzz: selftests
	scripts/fuzz.sh

# The host's fuzzers (the snapshot file, the migration stream, the
# control socket), FUZZ_SECONDS each (default 60), a new seed unless
# FUZZ_SEED is given: scripts/fuzz-host.sh.
fuzz-host: unit
	scripts/fuzz-host.sh

demo:
	scripts/demo.sh

# Exit costs of vmctl.ko next to kvm-intel in one emulated machine.
bench:
	scripts/bench.sh

# vmctl next to QEMU+KVM in one emulated machine: Linux boot, disk, network,
# snapshot, restore and migration (slow; --what picks rows).
bench-boot:
	scripts/bench-boot.sh

# The users' CI path (vm-run --emulator qemu) inside the emulated machine,
# with nested VMX three levels deep (slow).
ci-nested:
	scripts/ci-nested.sh

install: all
	$(MAKE) -C kmod install
	$(MAKE) -C libvmctl install
	$(MAKE) -C cli install

clean:
	$(MAKE) -C kmod clean
	for d in $(SUBDIRS_USER); do $(MAKE) -C $$d clean; done
	rm -rf build
