#!/bin/bash
# gen.sh NAME...: regenerate tests/pending/run/NAME.out or NAME.err with
# emu.sh, run as `stap OPTS tests/run/NAME.stp ARGS` from a scratch copy (so
# locations read tests/run/...), and compare with the original's BPF runtime:
#   BPF-SAME     the BPF runtime printed the same stdout (verified)
#   BPF-REFUSED  the BPF runtime does not support the script
#   BPF-DIFFERS  it runs it differently (see the README for why)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
ref=${REFERENCE_STAP:-/work/shared/tools/reference-stap}
scratch=${GEN_SCRATCH:-/tmp/stap-emu-scratch}
mkdir -p "$scratch/tests/run"
for n in "$@"; do
	cd "$scratch" || exit 1
	cp "$src/$n.stp" tests/run/
	opts=(); args=()
	[ -f "$src/$n.opts" ] && eval "opts=($(<"$src/$n.opts"))"
	[ -f "$src/$n.args" ] && eval "args=($(<"$src/$n.args"))"
	"$here/emu.sh" "${opts[@]}" "tests/run/$n.stp" "${args[@]}" </dev/null >"$n.emu.out" 2>"$n.emu.err"; erc=$?
	if [ $erc -ge 97 ]; then echo "== $n: EMU FAILED rc=$erc"; cat "$n.emu.err"; continue; fi
	rm -f "$src/$n.out" "$src/$n.err"
	if [ $erc -eq 0 ]; then cp "$n.emu.out" "$src/$n.out"; else cp "$n.emu.err" "$src/$n.err"; fi
	timeout 30 "$ref" --runtime=bpf "${opts[@]}" "tests/run/$n.stp" "${args[@]}" </dev/null >"$n.bpf.out" 2>"$n.bpf.err"; brc=$?
	if [ $erc -eq 0 ] && [ $brc -eq 0 ] && cmp -s "$n.emu.out" "$n.bpf.out"; then v=BPF-SAME
	elif [ $brc -ne 0 ] && grep -q 'bpf runtime\|not supported\|Pass [1-4]' "$n.bpf.err"; then v=BPF-REFUSED
	else v=BPF-DIFFERS; fi
	echo "== $n: $v (emulated kernel runtime rc=$erc, bpf rc=$brc)"
	if [ $erc -eq 0 ]; then cat "$src/$n.out"; else cat "$src/$n.err"; fi
done
