#!/usr/bin/env bash
# Whole sessions with kernel probes: tests/kernel-session.sh STAP
#
# How a session with BPF programs ends: exit() in a kernel handler, SIGINT,
# SIGTERM, -T, and kill -9.  Each time the end probes run (but after
# kill -9), what the handlers printed before is all there, and afterwards
# nothing of the session is left in the kernel: none of the BPF programs,
# links and maps it held (its /proc fdinfo) exists any more (bpftool; a
# SKIP without it).  Also: the events the ring buffer had no room for are
# reported, and delivered + lost = all; -t's probe hit report; MAXSKIPPED
# and the skipped-probes count.  Needs root; without
# it every test is a SKIP.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stap=$1
case $stap in /*) ;; *) stap=$root/$stap ;; esac
cd "$root" || exit 2
trigger=$root/build/trigger

if reason=$(bash tests/kernel/folder.skip 2>&1); then
	echo "SKIP kernel-session: $reason"
	echo "kernel-session: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

tmp=$(mktemp -d)
export SYSTEMTAP_DIR=$tmp/systemtap
passed=0
failed=0
skipped=0
bpftool=$(command -v bpftool)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT

. tests/bounded.sh

pass() { passed=$((passed + 1)); [ "${VERBOSE:-0}" = 1 ] && echo "PASS kernel-session/$1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP kernel-session/$1: $2"; }
fail() {
	failed=$((failed + 1))
	echo "FAIL kernel-session/$1: $2"
	[ -f "$tmp/out" ] && sed 's/^/    out: /' "$tmp/out" | head -n 5
	[ -f "$tmp/err" ] && sed 's/^/    err: /' "$tmp/err" | head -n 5
	return 0
}

# The BPF objects pid $1 holds, as "prog N", "link N", "map N" lines (from
# its /proc fdinfo: only this session's, never another process's).
bpf_objects() {
	sed -n 's/^\(prog\|link\|map\)_id:[[:space:]]*\([0-9]*\)$/\1 \2/p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u
}

# How many of the BPF objects listed in $1 (bpf_objects) still exist.
still_there() {
	local n=0 kind id
	while read -r kind id; do
		[ -n "$id" ] && bpftool "$kind" show id "$id" >/dev/null 2>&1 && n=$((n + 1))
	done <<<"$1"
	echo "$n"
}

script='global n
probe kernel.trace("syscalls:sys_enter_getpgid") { n++; printf("event %d\n", n) }
probe end { printf("end ran after %d events\n", n) }'

# Start the session in the background; wait until its probe is attached
# (its first event printed), with events made by the trigger.
start() {
	rm -f "$tmp/out" "$tmp/err"
	background_untrapped "$stap" "$@" -e "$script" >"$tmp/out" 2>"$tmp/err"
	spid=$bg_pid
	pids+=("$spid")
	for _ in $(seq 1 200); do
		"$trigger" getpgid 1
		grep -q '^event' "$tmp/out" 2>/dev/null && return 0
		kill -0 "$spid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# $1 name, $2 the signal (or "" to wait), rest: stap options
ends_by() {
	local name=$1 sig=$2
	shift 2
	if ! start "$@"; then
		fail "$name" "the session did not start"
		kill -9 "$spid" 2>/dev/null
		return
	fi
	# the session's BPF objects, read at once: with -T the session may
	# end soon after it starts, on a loaded machine
	local objects
	objects=$(bpf_objects "$spid")
	"$trigger" getpgid 3
	sleep 0.2
	[ -n "$sig" ] && kill "-$sig" "$spid"
	wait_bounded "$spid"
	local status=$?
	local events
	events=$(grep -c '^event' "$tmp/out")
	if [ "$sig" = KILL ]; then
		[ "$status" -eq 137 ] || { fail "$name" "exit status $status"; return; }
	elif ! grep -q "^end ran after $events events\$" "$tmp/out"; then
		fail "$name" "end did not run after the $events events printed"
		return
	elif [ "$status" -ne 0 ]; then
		fail "$name" "exit status $status"
		return
	fi
	if [ -z "$objects" ]; then
		fail "$name" "no BPF object seen in /proc/$spid/fdinfo"
		return
	fi
	pass "$name"
	# Afterwards nothing of the session is left in the kernel.  The kernel
	# frees a closed program or map after an RCU grace period, from a work
	# queue: under load that is not at once, so it is given 5 s.
	local left=0
	for _ in $(seq 1 50); do
		left=$(still_there "$objects")
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	if [ -z "$bpftool" ]; then
		skip "$name-leftovers" "no bpftool to look for the session's BPF objects"
	elif [ "$left" != 0 ]; then
		fail "$name-leftovers" "BPF objects of pid $spid still exist after it ended: $(echo $objects)"
	else
		pass "$name-leftovers"
	fi
}

ends_by sigint INT
ends_by sigterm TERM
ends_by timeout-T "" -T 2
ends_by kill-9 KILL

# exit() in the kernel handler, then the command goes on making events
rm -f "$tmp/out" "$tmp/err"
run_stap -e 'global n
probe kernel.trace("syscalls:sys_enter_getpgid") { if (pid() != target()) next; if (++n == 2) exit() }
probe end { printf("end after %d\n", n) }' -c "$trigger getpgid 10 sleep 300 getpgid 10" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ $status -ne 0 ] || [ "$(cat "$tmp/out")" != "end after 2" ]; then
	fail exit-in-kernel "exit status $status"
else
	pass exit-in-kernel
fi

# lost events: a reader that cannot keep up (its output blocked) loses
# records, says how many, and what it printed plus what it lost is all.
# The reader stops for 2 s after the first record, not after the start: a
# compilation slower than 2 s (a loaded machine) left nothing to lose.
rm -f "$tmp/out" "$tmp/err"
run_stap -s 1 -e 'global s
probe begin { s = "x"; for (i = 0; i < 9; i++) s = s . s }
probe kernel.trace("syscalls:sys_enter_getpgid") { if (pid() == target()) printf("%s\n", s) }' \
	-c "$trigger getpgid 100000" 2>"$tmp/err" |
	if IFS= read -r _; then
		sleep 2
		echo $(($(wc -l) + 1)) >"$tmp/out"
	else
		echo 0 >"$tmp/out"
	fi
lines=$(cat "$tmp/out")
lost=$(sed -n 's/^WARNING: \([0-9]*\) events lost$/\1/p' "$tmp/err")
if [ -z "$lost" ] || [ $((lines + lost)) -ne 100000 ]; then
	fail lost-events "printed $lines, lost '${lost}', of 100000"
else
	pass lost-events
fi

# symbols: a kernel stack printed from BPF (deferred strings, expanded in
# user space), symname/symdata of a known function, a user stack's symbol
# from the process's ELF file.  User addresses are named when the record is
# printed, from the live process's maps: the command sleeps until the
# session ends and kills it (a short sleep let it exit first, under load,
# while /proc/kallsyms was read for the kernel stack: no symbol).
addr=$(awk '$3 == "do_syscall_64" { print "0x" $1; exit }' /proc/kallsyms)
rm -f "$tmp/out" "$tmp/err"
run_stap -G "addr=$addr" -e 'global addr
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() != target()) next
	print_backtrace()
	printf("sprint: %s", sprint_backtrace())
	printf("name: %s data: %s\n", symname(addr), symdata(addr + 1))
	print_ubacktrace()
	exit()
}' -c "$trigger getppid 1 sleep 60000" >"$tmp/out" 2>"$tmp/err"
if grep -qE '^ 0x[0-9a-f]{16} : do_syscall_64\+0x[0-9a-f]+/0x[0-9a-f]+ \[kernel\]$' "$tmp/out" &&
	grep -qE '^sprint:  0x[0-9a-f]{16} : [a-z_0-9]+\+0x' "$tmp/out" &&
	grep -qE '^name: do_syscall_64 data: do_syscall_64\+0x1/0x[0-9a-f]+ \[kernel\]$' "$tmp/out" &&
	grep -qE '^ 0x[0-9a-f]{16} : syscall\+0x[0-9a-f]+/0x[0-9a-f]+ \[.*/trigger\]$' "$tmp/out"; then
	pass symbols
else
	fail symbols "the stacks and symbols printed are not the expected forms: $(tail -n 3 "$tmp/out" | tr '\n' '|')"
fi

# listing: -l of perf events with a wildcard; -L of a tracepoint's C
# arguments with their types (the original's -L, stap 4.8 -r 6.1.0-47-amd64
# with that kernel's headers: the same three lines), and of an event that
# has none (syscalls:*, ftrace's own: the original has no such tracepoint)
# its record's fields
out=$(run_stap -l 'perf.sw.page_fault*' 2>&1)
if [ "$out" = "perf.sw.page_faults
perf.sw.page_faults_maj
perf.sw.page_faults_min" ]; then pass list-perf; else fail list-perf "got: $out"; fi
out=$(run_stap -L 'kernel.trace("sched:sched_process_exe?")' 2>&1)
if [ "$out" = 'kernel.trace("sched:sched_process_exec") $p:struct task_struct* $old_pid:pid_t $bprm:struct linux_binprm*' ]; then
	pass list-tracepoint-args
else
	fail list-tracepoint-args "got: $out"
fi
out=$(run_stap -L 'kernel.trace("sched:sched_switch")' 2>&1)
if [ "$out" = 'kernel.trace("sched:sched_switch") $preempt:bool $prev:struct task_struct* $next:struct task_struct* $prev_state:unsigned int' ]; then
	pass list-tracepoint-args-switch
else
	fail list-tracepoint-args-switch "got: $out"
fi
out=$(run_stap -L 'kernel.trace("raw_syscalls:sys_enter")' 2>&1)
if [ "$out" = 'kernel.trace("raw_syscalls:sys_enter") $regs:struct pt_regs* $id:long int' ]; then
	pass list-tracepoint-args-raw-syscalls
else
	fail list-tracepoint-args-raw-syscalls "got: $out"
fi
out=$(run_stap -L 'kernel.trace("syscalls:sys_enter_getppid")' 2>&1)
if [ "$out" = 'kernel.trace("syscalls:sys_enter_getppid") $__syscall_nr:int' ]; then
	pass list-tracepoint-fields
else
	fail list-tracepoint-fields "got: $out"
fi

# -t: the original's probe hit report after the end probes, one line per
# probe that ran, kernel (timed in BPF) and user space alike; the times vary,
# the rest is the original's layout (stap 4.8 -t run in qemu).
cat >"$tmp/t.stp" <<'EOF'
global n
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) n++ }
probe begin { println("b") }
probe end { println(n) }
EOF
(cd "$tmp" && run_stap -t -c "$trigger getppid 2" t.stp >out 2>err)
status=$?
c='cycles: [0-9]+min/[0-9]+avg/[0-9]+max, variance: [0-9]+'
if [ $status -eq 0 ] && [ "$(sed -n 1,3p "$tmp/out")" = "b
2
----- probe hit report: " ] &&
	sed -n 4p "$tmp/out" | grep -qE "^kernel\.trace\(\"syscalls:sys_enter_getppid\"\), \(t\.stp:2:1\), hits: [0-9]+, $c, from: kernel\.trace\(\"syscalls:sys_enter_getppid\"\), index: 0\$" &&
	sed -n 5p "$tmp/out" | grep -qE "^begin, \(t\.stp:3:1\), hits: 1, $c, from: begin, index: 1\$" &&
	sed -n 6p "$tmp/out" | grep -qE "^end, \(t\.stp:4:1\), hits: 1, $c, from: end, index: 2\$" &&
	[ "$(sed -n '7,$p' "$tmp/out")" = "----- refresh report:" ]; then
	pass timing-report
else
	fail timing-report "status $status, not the report's layout"
fi
# -t through an alias: the location is the alias's use, the derivation names
# the alias at each step, probes that never ran are left out but keep their
# index (never included): the original's report for the same script.
cat >"$tmp/t3.stp" <<'EOF'
global n
probe foo = timer.ms(10) { n++ }
probe foo { if (n > 3) exit() }
probe never { println("never") }
probe timer.s(100) { println("not hit") }
probe end, error { println("e") }
EOF
(cd "$tmp" && run_stap -t t3.stp >out 2>err)
status=$?
if [ $status -eq 0 ] && [ "$(sed -n 1,2p "$tmp/out")" = "e
----- probe hit report: " ] &&
	sed -n 3p "$tmp/out" | grep -qE "^timer\.ms\(10\), \(t3\.stp:3:7\), hits: 4, $c, from: foo from: foo, index: 0\$" &&
	sed -n 4p "$tmp/out" | grep -qE "^end, \(t3\.stp:6:1\), hits: 1, $c, from: end, index: 3\$" &&
	[ "$(sed -n '5,$p' "$tmp/out")" = "----- refresh report:" ]; then
	pass timing-alias
else
	fail timing-alias "status $status, not the report's layout"
fi
# without -t, no report (and the BPF object has no timing code: STP_TIMING
# is not defined)
(cd "$tmp" && run_stap -c "$trigger getppid 2" t.stp >out 2>err)
if [ "$(cat "$tmp/out")" = "b
2" ]; then
	pass timing-off
else
	fail timing-off "a report without -t"
fi

# MAXSKIPPED: a kernel handler that runs ~50 ms keeps the CPU's softirqs
# from running theirs (the kernel counts them as missed: reentrancy).  Past
# MAXSKIPPED the session ends as after too many errors (no end probe), with
# the original's message; under it, the count is only reported.
cat >"$tmp/s.stp" <<'EOF'
global n, m
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() != target()) next
	for (i = 0; i < 6000000; i++) n++
}
probe kernel.trace("irq:softirq_entry") { x = 1; m += x }
probe end { println("end") }
EOF
# Whether a softirq comes due on that CPU during the handler is the
# machine's business (under load ksoftirqd may run them later instead): a
# session that saw no skip is run again, three times at most.
for attempt in 1 2 3; do
	(cd "$tmp" && run_stap -DMAXSKIPPED=0 -DMAXACTION=10000000 -c "$trigger getppid 1 sleep 100" s.stp >out 2>err)
	status=$?
	grep -qE '^WARNING: Number of errors: 0, skipped probes: [1-9][0-9]*$' "$tmp/err" && break
done
if [ $status -ne 0 ] && ! grep -q '^end$' "$tmp/out" &&
	[ "$(head -1 "$tmp/err")" = "ERROR: Skipped too many probes, check MAXSKIPPED or try again with stap -t for more details." ] &&
	grep -qE '^WARNING: Number of errors: 0, skipped probes: [1-9][0-9]*$' "$tmp/err"; then
	pass maxskipped
else
	fail maxskipped "status $status"
fi
for attempt in 1 2 3; do
	(cd "$tmp" && run_stap -DMAXACTION=10000000 -c "$trigger getppid 1 sleep 100" s.stp >out 2>err)
	status=$?
	grep -qE '^WARNING: Number of errors: 0, skipped probes: [1-9][0-9]*$' "$tmp/err" && break
done
if [ $status -eq 0 ] && grep -q '^end$' "$tmp/out" &&
	grep -qE '^WARNING: Number of errors: 0, skipped probes: [1-9][0-9]*$' "$tmp/err"; then
	pass skipped-counted
else
	fail skipped-counted "status $status"
fi

echo "kernel-session: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
