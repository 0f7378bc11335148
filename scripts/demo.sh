#!/bin/bash
# demo.sh: what `make demo` runs.  Builds everything, boots the test
# machine (Bochs, Debian 6.12, vmctl.ko loaded) and runs the tiny guest
# cli/guests/hello.bin under `vmctl run`, which prints the guest's serial
# console: its greeting appears on the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -s -j"$(nproc)" all
exec scripts/vm-run -- vmctl run --name demo --mem 2M --image /vmctl/cli/guests/hello.bin
