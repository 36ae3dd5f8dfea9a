#!/usr/bin/env bash
# The demonstration: bash scripts/demo.sh
#
# Installs what is missing, builds stap and staprun, and runs real scripts:
# examples/collatz.stp goes through all five passes (parse, elaborate,
# translate to C, compile with cc, run) and prints its statistics; the same
# module runs again from the cache.  Then, as root, examples/hello.stp counts
# the machine's system calls for 6 seconds in BPF (a tracepoint) and reports
# them from user space.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh
make -s
echo "==> build/stap -v examples/collatz.stp"
build/stap -v examples/collatz.stp
echo "==> again: the module comes from the cache"
build/stap -v examples/collatz.stp 2>&1 >/dev/null | grep '^Pass [345]'
if [ "$(id -u)" -eq 0 ]; then
	echo "==> build/stap -T 6 examples/hello.stp"
	build/stap -T 6 examples/hello.stp
else
	echo "==> examples/hello.stp loads BPF programs, which needs root: its C instead"
	build/stap -p3 examples/hello.stp | head -n 40
fi
