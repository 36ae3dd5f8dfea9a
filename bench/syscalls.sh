#!/usr/bin/env bash
# The syscall family's cost: `probe syscall.* { calls[name]++ }` as one
# program per system call (the syscall tracepoints) against one program on
# raw_syscalls:sys_enter with a dispatch on the number, and a hand-written
# libbpf program counting by number (bench/libbpf/sysid.bpf.c), the bound.
#
#   bash bench/syscalls.sh      (as root; about 2 minutes on a quiet machine)
#
# Per event: the median ns/call of bench/build/workload (getppid calls,
# pinned to the last CPU) under each tracer, minus the mean of the baseline
# runs (nothing attached) before and after it; ROUNDS rounds, the median
# and minimum of the added ns.  Startup: the wall time of `stap ... -c
# /bin/true` with the module cached (load, verify, attach, detach), and of
# the first, uncached run (compile too).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
STAP=${STAP:-$root/build/stap}
ROUNDS=${ROUNDS:-3}
CALLS=${CALLS:-300000}
cpu=$(($(nproc) - 1))
make -s -C "$here" >/dev/null
cache=$(mktemp -d)
export SYSTEMTAP_DIR=$cache
trap 'rm -rf "$cache"' EXIT

median_ns() { "$here/build/workload" -n "$CALLS" -c "$cpu" | sed 's/.*median_ns \([0-9.]*\).*/\1/'; }

# start TRACER... in the background, wait until it holds its programs
# (bpftool perf names the holder's pid), and a second more
started=""
start() {
	setsid "$@" >/dev/null 2>&1 &
	started=$!
	for _ in $(seq 1 600); do
		sleep 0.5
		bpftool perf 2>/dev/null | grep -q "^pid $started " && sleep 1 && return 0
	done
	echo "bench: $* did not start" >&2
	return 1
}
stop() { kill -INT -- "-$started" 2>/dev/null || true; wait "$started" 2>/dev/null || true; }

declare -A added
tools=(libbpf dispatch tracepoints)
cmd_libbpf=("$here/build/loader" sysid "$here/build")
cmd_dispatch=("$STAP" "$here/stap/syscalls-dispatch.stp")
cmd_tracepoints=("$STAP" "$here/stap/syscalls-tracepoints.stp")
# compile both scripts first (and time it), so that the rounds start cached
for t in dispatch tracepoints; do
	eval "c=(\"\${cmd_$t[@]}\")"
	s=$(date +%s.%N)
	"${c[@]}" -c /bin/true >/dev/null 2>&1
	echo "startup $t uncached: $(echo "$(date +%s.%N) - $s" | bc) s"
	s=$(date +%s.%N)
	"${c[@]}" -c /bin/true >/dev/null 2>&1
	echo "startup $t cached: $(echo "$(date +%s.%N) - $s" | bc) s"
done
for r in $(seq 1 "$ROUNDS"); do
	b0=$(median_ns)
	for t in "${tools[@]}"; do
		eval "c=(\"\${cmd_$t[@]}\")"
		start "${c[@]}"
		v=$(median_ns)
		stop
		b1=$(median_ns)
		added[$t]+="$(echo "$v - ($b0 + $b1) / 2" | bc -l) "
		b0=$b1
	done
done
for t in "${tools[@]}"; do
	read -ra xs <<<"${added[$t]}"
	sorted=$(printf '%s\n' "${xs[@]}" | sort -g)
	med=$(echo "$sorted" | sed -n "$(((${#xs[@]} + 1) / 2))p")
	min=$(echo "$sorted" | head -1)
	printf 'per event %-12s added %7.1f ns (min %.1f)\n' "$t" "$med" "$min"
done
