#!/bin/bash
# setup.sh [DIR]: build the emulation tree in DIR (default /tmp/stap-emu):
# a copy of the original runtime (/usr/share/systemtap/runtime, Debian's
# systemtap 4.8) whose __DYNINST__ hooks are pointed at the shims here.
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:-${STAP_EMU_DIR:-/tmp/stap-emu}}
[ -d /usr/share/systemtap/runtime ] || { echo "setup.sh: install Debian's systemtap first (reference-stap does)" >&2; exit 1; }
rm -rf "$dir/rt" "$dir/sys"
mkdir -p "$dir/sys/linux" "$dir/sys/asm"
cp -r /usr/share/systemtap/runtime "$dir/rt"
rt=$dir/rt
# map.h keeps node_mem only for the kernel; map_runtime.h (reused) needs it.
python3 - "$rt/map.h" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("#ifdef __KERNEL__\n\tvoid *node_mem;\n#endif", "\tvoid *node_mem;")
open(p, "w").write(s)
PY
mkdir -p "$rt/dyninst"
# portable kernel-runtime pieces reused as they are
for f in map_list.h map_runtime.h stat_runtime.h arith.c common_session_state.h; do
	cp "$rt/linux/$f" "$rt/dyninst/$f"
done
# our shims
cp "$here"/shim/* "$rt/dyninst/"
for f in runtime_defines.h timer.h namespaces.h alloc.c ilog2.h; do : >"$rt/dyninst/$f"; done
: >"$rt/linux/perf_read.h"
for f in asm/types.h linux/mutex.h linux/version.h linux/workqueue.h linux/log2.h linux/list.h; do : >"$dir/sys/$f"; done
cp "$here/main.c" "$dir/main.c"
echo "emulation tree ready in $dir"
