#!/usr/bin/env bash
# The demonstration: bash scripts/demo.sh
#
# Installs what is missing, builds stap, and runs pass 1 on the example
# script: examples/hello.stp is parsed and printed back in SystemTap's
# canonical -p1 form.  (Later passes will make it trace for real.)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh
make -s
echo "==> build/stap -p1 examples/hello.stp"
build/stap -p1 examples/hello.stp
