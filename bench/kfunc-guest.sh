#!/usr/bin/env bash
# bench/kfunc-guest.sh: kernel function probes, fentry against kprobe, in
# Debian's 6.1 kernel under qemu (results in bench/README.md).  Run from the
# repository's root, after `make` and `make build/trigger`:
#   tests/qemu/run-in-kernel.sh -- bash bench/kfunc-guest.sh
# The modules are built with `stap -p4` where this runs; STAP_KFUNC=kprobe
# makes the runtime use kprobes where it would use fentry.
set -u
export SYSTEMTAP_DIR=${SYSTEMTAP_DIR:-/tmp/stap-kfunc-bench}
ns() { date +%s%N; }
N=${N:-1000000}
for pat in 'vfs_*'; do
	t0=$(ns)
	m=$(build/stap -p4 -e "global n; probe kernel.function(\"$pat\") { n++ }") || exit 1
	t1=$(ns)
	n=$(build/stap -l "kernel.function(\"$pat\")" | wc -l)
	for mech in fentry kprobe; do
		t2=$(ns)
		STAP_KFUNC=$mech build/staprun -c true "$m" >/dev/null
		t3=$(ns)
		echo "$pat: $n functions, -p4 $(((t1 - t0) / 1000000)) ms, $mech: staprun -c true $(((t3 - t2) / 1000000)) ms"
	done
done
m=$(build/stap -p4 -e 'global n; probe kernel.function("__do_sys_getppid") { n++ } probe end { printf("%d\n", n) }') || exit 1
for i in 1 2 3; do
	t0=$(ns); build/trigger getppid "$N"; t1=$(ns)
	echo "no probe: $(((t1 - t0) / N)) ns/call"
	for mech in fentry kprobe; do
		t0=$(ns); hits=$(STAP_KFUNC=$mech build/staprun -c "build/trigger getppid $N" "$m"); t1=$(ns)
		echo "$mech: $(((t1 - t0) / N)) ns/call (with the session's start), $hits hits"
	done
done
