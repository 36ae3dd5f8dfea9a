#!/usr/bin/env bash
# The language golden tests again, in kernel context: tests/kernel-lang.sh STAP
#
# Each tests/run/NAME.stp whose begin probes are plain `probe begin {` is
# rewritten so that they run in BPF instead: `probe begin {` becomes
# `probe Begin {`, an alias of kernel.trace("syscalls:sys_enter_getppid")
# whose prologue skips other processes' events, defined after the last line
# (so every location stays where it was); the script runs with
# -c 'build/trigger getppid 1', which makes that event exactly once.  The expected output is the test's own NAME.out or NAME.err:
# the same bytes as in user space.
#
# A test is not applicable when its begin probes are something else
# (begin(N), several points, none at all), when it needs user space for
# another reason (its options), or when pass 2 says that something it does
# cannot run in kernel context yet: those are listed, with the reason, and
# counted as skipped (VERBOSE=1 lists them).  Needs root (BPF); without it
# the whole runner is one SKIP.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stap=$1
case $stap in /*) ;; *) stap=$root/$stap ;; esac
cd "$root" || exit 2

if reason=$(bash tests/kernel/folder.skip 2>&1); then
	echo "SKIP kernel-lang: $reason"
	echo "kernel-lang: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SYSTEMTAP_DIR=$tmp/systemtap
passed=0 failed=0 na=0
na_list=()

for stp in tests/run/*.stp; do
	name=${stp%.stp}
	base=${name##*/}
	if [ -f "$name.out" ]; then
		expected=$name.out
	elif [ -f "$name.err" ]; then
		expected=$name.err
	else
		continue
	fi
	# what tests the begin probe's own place in the session
	case $base in
	exit-in-begin-*)
		na=$((na + 1))
		na_list+=("$base: about begin itself (it runs before the timers)")
		continue
		;;
	array-wrap)
		na=$((na + 1))
		na_list+=("$base: a wrap-around array in BPF evicts the least recently used element")
		continue
		;;
	esac
	# only plain begin probes, and no options that shape user space
	if ! grep -qE '^probe begin \{' "$stp" || grep -qE 'probe begin[^ ]|probe begin \{.*\bbegin\b|probe [^{]*,[^{]*\{' "$stp" ||
		grep -qE '^probe (begin|end|error)[ ]*,' "$stp" || [ -f "$name.opts" ] || [ -f "$name.args" ]; then
		na=$((na + 1))
		na_list+=("$base: not a plain begin probe, or needs options")
		continue
	fi
	out=$tmp/$base
	mkdir -p "$out"
	sed -E 's/^probe begin \{/probe Begin {/' "$stp" >"$out/$base.stp"
	printf '\nprobe Begin = kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next }\n' \
		>>"$out/$base.stp"
	(cd "$out" && timeout -k 5 30 "$stap" -c "$root/build/trigger getppid 1" "$base.stp" \
		</dev/null >stdout 2>stderr)
	status=$?
	if grep -q 'cannot run in kernel context\|needs user space and cannot be called in kernel context' "$out/stderr"; then
		na=$((na + 1))
		na_list+=("$base: $(grep -m1 -o '[^:]*cannot run in kernel context[^:]*\|function .* needs user space' "$out/stderr")")
		continue
	fi
	# a kernel probe's limit is MAXACTION, a begin probe's ten times that
	if grep -q 'MAXACTION exceeded' "$out/stderr" && ! grep -q 'MAXACTION exceeded' "$expected"; then
		na=$((na + 1))
		na_list+=("$base: runs more statements than a kernel probe's MAXACTION (begin has 10x)")
		continue
	fi
	# the locations name the rewritten file: the original's path again
	sed -E "s#(^|[^/])$base\.stp#\1tests/run/$base.stp#g; s#^WARNING: /.*/staprun exited#WARNING: /usr/bin/staprun exited#" \
		"$out/stderr" >"$out/stderr.norm"
	if [ "$expected" = "$name.out" ]; then
		actual=$out/stdout
		ok=$([ $status -eq 0 ] && echo 1 || echo 0)
	else
		actual=$out/stderr.norm
		ok=$([ $status -ne 0 ] && echo 1 || echo 0)
	fi
	if [ "$ok" = 1 ] && cmp -s "$expected" "$actual"; then
		passed=$((passed + 1))
		[ "${VERBOSE:-0}" = 1 ] && echo "PASS kernel-lang/$base"
	else
		failed=$((failed + 1))
		echo "FAIL kernel-lang/$base (exit status $status)"
		diff -u --label "$expected" --label actual "$expected" "$actual" | head -n 20
		[ "$expected" = "$name.out" ] && sed 's/^/    /' "$out/stderr" | head -n 10
	fi
done

if [ "${VERBOSE:-0}" = 1 ]; then
	for line in "${na_list[@]}"; do
		echo "N/A  $line"
	done
fi
echo "kernel-lang: $passed passed, $failed failed, $na skipped (not applicable in kernel context)"
[ $failed -eq 0 ]
