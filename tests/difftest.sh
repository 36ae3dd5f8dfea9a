#!/usr/bin/env bash
# The differential tester: tests/difftest.sh STAP [FIRST_SEED COUNT]
#
# Generated scripts (build/difftest-gen, tests/difftest/gen.c) run twice: in
# host context (their probe K is three begin points) and in kernel context
# (K is kernel.trace("syscalls:sys_enter_getppid"), fired three times by
# build/trigger); each script's stdout, caught runtime errors included, must
# be the same, and so must stderr.  BATCH scripts (default 40, at most 60)
# share one session, so that one
# compile and one load test them all; a batch that fails as a whole is cut
# down: the script a located message names is set aside (a clean pass-2
# refusal in kernel context counts as "refused", anything else -- a verifier
# rejection, a compile error -- as a failure), and a batch whose failure
# names no script is bisected.  Then tests/difftest/regress/*.stp, the shrunk
# scripts of bugs found before, run the same way (one session, each its own
# script number); the host context's part must also equal NAME.out, checked
# against the original SystemTap (tests/difftest/README.md).
#
# Without arguments it runs the CI set: seeds 1..DIFFTEST_SEEDS (default
# 200, as make check).  Each mismatch leaves its script and both outputs in
# $DIFFTEST_KEEP (default build/difftest-failures/); shrink one with
# tests/difftest/shrink.sh.  Ends with "difftest: N passed, N failed".
# Needs root (BPF); without it prints SKIP.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stap=${1:-build/stap}
case $stap in /*) ;; *) stap=$root/$stap ;; esac
first=${2:-1}
count=${3:-${DIFFTEST_SEEDS:-200}}
batch=${BATCH:-40}
# the kernel attaches at most 64 BPF programs to one tracepoint (the
# scripts' probes K): a larger batch would never load
[ "$batch" -gt 60 ] && batch=60
cd "$root" || exit 2
gen=$root/build/difftest-gen
keep=${DIFFTEST_KEEP:-$root/build/difftest-failures}

if reason=$(bash tests/kernel/folder.skip 2>&1); then
	echo "SKIP difftest: $reason"
	echo "difftest: 0 passed, 0 failed"
	exit 0
fi
if [ ! -x "$gen" ]; then
	echo "SKIP difftest: $gen is not built (make check builds it)"
	echo "difftest: 0 passed, 0 failed"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SYSTEMTAP_DIR=$tmp/systemtap
# @variance in the scripts only if pass 2 takes it in kernel context (each
# refusal costs the batch another compile)
if [ -z "${DIFFTEST_VARIANCE:-}" ]; then
	printf 'global s\nprobe kernel.trace("syscalls:sys_enter_getppid") { s <<< 1; println(@variance(s)) }\n' >"$tmp/variance.stp"
	DIFFTEST_VARIANCE=0
	"$stap" -p2 "$tmp/variance.stp" >/dev/null 2>&1 && DIFFTEST_VARIANCE=1
	export DIFFTEST_VARIANCE
fi
mkdir -p "$keep"
# The C of the user-space part is compiled with $DIFFTEST_CC_OPT (default
# -O0) after stap's own -O2: gcc -O2 takes most of a host session's time
# (40 scripts: 38 s, at -O0 6 s) and the optimizer is not what is tested
# here.  DIFFTEST_CC_OPT= keeps stap's flags.
cc_opt=${DIFFTEST_CC_OPT--O0}
if [ -n "$cc_opt" ]; then
	printf '#!/bin/sh\nexec %s "$@" %s\n' "${CC:-cc}" "$cc_opt" >"$tmp/cc"
	chmod +x "$tmp/cc"
	export CC=$tmp/cc
fi
passed=0 failed=0 refused=0
opts=(-w -DMAXACTION=100000)
# the seeds' scripts, or a regression file, by script number
declare -A source

host_alias='probe K = begin(1), begin(2), begin(3) { }
probe begin(100) { exit() }'
kernel_alias='probe K = kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next }'

# script N's text, numbered N
script_text() {
	local n=$1 src=${source[$1]}
	case $src in
	seed:*) "$gen" "${src#seed:}" "$n" ;;
	*) sed "s/\bs0_/s${n}_/g; s/@@0/@@$n/" "$src" ;;
	esac
}

# describe script N for a report
script_name() {
	local src=${source[$1]}
	case $src in
	seed:*) echo "seed ${src#seed:}" ;;
	*) echo "$src" ;;
	esac
}

# Compose the session of scripts "$@" in $dir: host.stp and kernel.stp,
# the same lines but the alias at the end, and lines.map (first line, id).
compose() {
	local dir=$1 n lineno=1 lines
	shift
	: >"$dir/body.stp"
	: >"$dir/lines.map"
	for n in "$@"; do
		script_text "$n" >"$dir/s$n.stp"
		echo "$lineno $n" >>"$dir/lines.map"
		lines=$(wc -l <"$dir/s$n.stp")
		lineno=$((lineno + lines))
		cat "$dir/s$n.stp" >>"$dir/body.stp"
	done
	{
		cat "$dir/body.stp"
		echo "$kernel_alias"
	} >"$dir/kernel.stp"
	{
		cat "$dir/body.stp"
		echo "$host_alias"
	} >"$dir/host.stp"
}

# Which script of the session owns line L of the file?
owner_of_line() {
	awk -v l="$2" '$1 <= l { id = $2 } END { print id }' "$1/lines.map"
}

# Run both halves in $dir, at the same time (two cores); 0 when both ran.
run_pair() {
	local dir=$1
	(
		cd "$dir" && timeout -k 5 180 "$stap" "${opts[@]}" host.stp \
			</dev/null >host.out 2>host.err
		echo $? >host.rc
	) &
	local hpid=$!
	(cd "$dir" && timeout -k 5 240 "$stap" "${opts[@]}" -c "$root/build/trigger getppid 3" \
		kernel.stp </dev/null >kernel.out 2>kernel.err)
	echo $? >"$dir/kernel.rc"
	wait "$hpid"
	# stderr too, whole: every body runs inside try/catch, so a clean run
	# writes none; what either writes must be the same (file names aside)
	sed 's/\b\(host\|kernel\)\.stp\b/S.stp/g' "$dir/host.err" >"$dir/host.msgs"
	sed 's/\b\(host\|kernel\)\.stp\b/S.stp/g' "$dir/kernel.err" >"$dir/kernel.msgs"
	[ "$(cat "$dir/host.rc")" = 0 ] && [ "$(cat "$dir/kernel.rc")" = 0 ] &&
		cmp -s "$dir/host.msgs" "$dir/kernel.msgs" &&
		! grep -q '^ERROR\|^WARNING' "$dir/kernel.err" "$dir/host.err"
}

# Cut OUT at the @@N markers into DIR/N.PART files
split_output() {
	# the empty line before a marker is the marker's own "\n"
	awk -v dir="$2" -v part="$3" '
		/^@@[0-9]+$/ {
			held = 0
			cur = substr($0, 3)
			if (!(cur in seen)) { seen[cur] = 1; printf "" > (dir "/" cur "." part) }
			next
		}
		cur == "" { next }
		held { print "" >> (dir "/" cur "." part); held = 0 }
		$0 == "" { held = 1; next }
		{ print >> (dir "/" cur "." part) }
		END { if (held && cur != "") print "" >> (dir "/" cur "." part) }
	' "$1"
}

# Keep script N's failure: the script alone, both outputs, the reason
keep_failure() {
	local n=$1 what=$2 dir=$3 name
	name=$(script_name "$n" | tr ' /' '--')
	mkdir -p "$keep/$name"
	sed "s/\bs${n}_/s0_/g; s/@@$n\$/@@0/; s/@@$n\\\\n/@@0\\\\n/" "$dir/s$n.stp" >"$keep/$name/script.stp"
	echo "$what" >"$keep/$name/reason"
	cp "$dir"/*.err "$keep/$name/" 2>/dev/null
	[ -f "$dir/parts/$n.host" ] && cp "$dir/parts/$n.host" "$keep/$name/host.out"
	[ -f "$dir/parts/$n.kernel" ] && cp "$dir/parts/$n.kernel" "$keep/$name/kernel.out"
}

run_set() {
	local dir n l owner half
	dir=$(mktemp -d "$tmp/b.XXXX")
	compose "$dir" "$@"
	local t0=$SECONDS
	if run_pair "$dir"; then
		[ "${VERBOSE:-0}" = 1 ] && echo "batch of $# ran in $((SECONDS - t0)) s"
		mkdir -p "$dir/parts"
		split_output "$dir/host.out" "$dir/parts" host
		split_output "$dir/kernel.out" "$dir/parts" kernel
		for n in "$@"; do
			touch "$dir/parts/$n.host" "$dir/parts/$n.kernel"
			local expected=${source[$n]%.stp}.out
			if [ -f "$expected" ] && ! cmp -s "$expected" "$dir/parts/$n.host"; then
				failed=$((failed + 1))
				echo "FAIL difftest $(script_name "$n"): host context differs from $expected"
				diff -u --label "$expected" --label host "$expected" "$dir/parts/$n.host" | head -n 12
			elif cmp -s "$dir/parts/$n.host" "$dir/parts/$n.kernel"; then
				passed=$((passed + 1))
			else
				failed=$((failed + 1))
				echo "FAIL difftest $(script_name "$n"): the outputs differ"
				diff -u --label host --label kernel "$dir/parts/$n.host" "$dir/parts/$n.kernel" | head -n 12
				keep_failure "$n" "outputs differ" "$dir"
			fi
		done
		rm -rf "$dir"
		return
	fi
	# The session failed: which script?  A location in host.stp or
	# kernel.stp names a line, and the line a script.
	l=$(grep -o -m1 -E '(host|kernel)\.stp:[0-9]+' "$dir/host.err" "$dir/kernel.err" | head -n1 | sed 's/.*://')
	owner=
	[ -n "$l" ] && owner=$(owner_of_line "$dir" "$l")
	if [ -z "$owner" ] && [ $# -eq 1 ]; then
		owner=$1
	fi
	if [ -n "$owner" ]; then
		local rest=() err=$dir/kernel.err
		[ "$(cat "$dir/host.rc")" != 0 ] && err=$dir/host.err
		if [ "$err" = "$dir/kernel.err" ] && grep -q 'Pass 2: analysis failed' "$err" &&
			grep -q 'kernel context' "$err"; then
			refused=$((refused + 1))
			[ "${VERBOSE:-0}" = 1 ] && echo "refused $(script_name "$owner"): $(grep -m1 'error' "$err")"
		else
			failed=$((failed + 1))
			if [ "$(cat "$dir/host.rc")" = 0 ] && [ "$(cat "$dir/kernel.rc")" = 0 ] &&
				! cmp -s "$dir/host.msgs" "$dir/kernel.msgs"; then
				echo "FAIL difftest $(script_name "$owner"): the messages (stderr) differ"
				diff -u --label host --label kernel "$dir/host.msgs" "$dir/kernel.msgs" |
					head -n 12
			else
				echo "FAIL difftest $(script_name "$owner"): the session failed ($(basename "$err"))"
				grep -v '^ *$' "$err" | head -n 8 | sed 's/^/    /'
			fi
			keep_failure "$owner" "session failed" "$dir"
		fi
		for n in "$@"; do
			[ "$n" != "$owner" ] && rest+=("$n")
		done
		rm -rf "$dir"
		[ ${#rest[@]} -gt 0 ] && run_set "${rest[@]}"
		return
	fi
	rm -rf "$dir"
	half=$(($# / 2))
	run_set "${@:1:half}"
	run_set "${@:half+1}"
}

start=$SECONDS
ids=()
n=1
for ((seed = first; seed < first + count; seed++)); do
	source[$n]=seed:$seed
	ids+=("$n")
	n=$((n + 1))
	if [ ${#ids[@]} -ge "$batch" ]; then
		run_set "${ids[@]}"
		ids=()
	fi
done
[ ${#ids[@]} -gt 0 ] && run_set "${ids[@]}"

# the regression scripts, shrunk from the bugs found before
ids=()
for f in tests/difftest/regress/*.stp; do
	[ -f "$f" ] || continue
	source[$n]=$f
	ids+=("$n")
	n=$((n + 1))
done
[ ${#ids[@]} -gt 0 ] && run_set "${ids[@]}"

echo "difftest: seeds $first..$((first + count - 1)) in $((SECONDS - start)) s ($refused refused in kernel context)"
echo "difftest: $passed passed, $failed failed"
[ $failed -eq 0 ]
