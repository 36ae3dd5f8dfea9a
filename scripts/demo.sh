#!/usr/bin/env bash
# The demonstration: bash scripts/demo.sh
#
# Installs what is missing, builds stap and staprun, and runs a real script:
# examples/collatz.stp goes through all five passes (parse, elaborate,
# translate to C, compile with cc, run) and prints its statistics.  Then the
# same module runs again from the cache, and stap -p1 shows the kernel-side
# example (examples/hello.stp) parsed back, which the eBPF target will run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh
make -s
echo "==> build/stap -v examples/collatz.stp"
build/stap -v examples/collatz.stp
echo "==> again: the module comes from the cache"
build/stap -v examples/collatz.stp 2>&1 >/dev/null | grep '^Pass [345]'
echo "==> build/stap -p1 examples/hello.stp"
build/stap -p1 examples/hello.stp
