#!/usr/bin/env bash
# Golden test runner: tests/run-tests.sh STAP [DIR-OR-FILE...]
#
# Each test is a script DIR/NAME.stp; the file beside it that holds the
# expected output picks the mode, as in cproc's runtests:
#
#   NAME.p1 NAME.p2 NAME.p3   stdout of `stap -pN`          must match, exit 0
#   NAME.out                  stdout of a full run (no -p)  must match, exit 0
#   NAME.err                  stderr                        must match, exit != 0
#                             (with NAME.out beside it, stdout must match too)
#
# A test with only NAME.err runs in its folder's pass (parse: -p1,
# elaborate: -p2, translate: -p3, run, kernel, qemu: none).  Optional files:
#
#   NAME.opts   one line of shell words put before the script (e.g. -g)
#   NAME.args   one line of shell words after it: the script's $1, $2...
#   NAME.env    one line of VAR=VALUE words set in the run's environment
#               (e.g. STAP_KFUNC=kprobe)
#   NAME.timeout  seconds the test may take, instead of the 20 s default
#   NAME.skip   a bash script run first; if it exits 0, its output is the
#               reason the test cannot run here and the test is a SKIP
#               (DIR/folder.skip does the same for every test of DIR)
#
# Tests run from the repository root as `STAP -pN OPTS DIR/NAME.stp ARGS`
# with stdin from /dev/null and a 20 s timeout (SIGKILL 5 s later).  A crash
# (killed by a signal) or a sanitizer report on stderr fails the test
# whatever the files say.
#
# Tests run JOBS at a time (default: two per CPU); their reports are printed
# in order.  VERBOSE=1 prints every PASS; UPDATE=1 rewrites the expected files from what
# the binary printed (NAME.err when it failed, the stdout file otherwise):
# review the diff before committing.  The last line is
# "N passed, N failed, N skipped"; the exit status is 1 if any test failed.
set -uo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 STAP_BINARY [TEST-DIR-OR-FILE...]" >&2
	exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stap=$1
shift
case $stap in
/*) ;;
*/*) stap=$(cd "$(dirname "$stap")" && pwd)/$(basename "$stap") ;;
esac
if [ ! -x "$stap" ]; then
	echo "$0: $stap: not an executable" >&2
	exit 2
fi

# Arguments are relative to where we were called from; tests run from $root.
targets=()
for arg in "$@"; do
	if [ ! -e "$arg" ]; then
		echo "$0: $arg: no such file or directory" >&2
		exit 2
	fi
	targets+=("$(realpath --relative-to="$root" "$arg")")
done
cd "$root" || exit 2
if [ ${#targets[@]} -eq 0 ]; then
	for dir in tests/parse tests/elaborate tests/translate tests/run tests/kernel tests/uprobes; do
		[ -d "$dir" ] && targets+=("$dir")
	done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# compiled modules are cached here, not in the user's ~/.systemtap
export SYSTEMTAP_DIR=${SYSTEMTAP_DIR:-$tmp/systemtap}

timeout_s=${TEST_TIMEOUT:-20}
jobs=${JOBS:-$(($(nproc) * 2))}

# Set $mode for test $1 (path without .stp): p1, p2, p3 or out, from its
# expected file, else from its folder.  (No subshells: they cost more than
# the test itself.)
set_mode() {
	local ext folder
	for ext in p1 p2 p3 out; do
		if [ -f "$1.$ext" ]; then
			mode=$ext
			return
		fi
	done
	folder=${1%/*}
	case ${folder##*/} in
	elaborate) mode=p2 ;;
	translate) mode=p3 ;;
	run | kernel | qemu | uprobes) mode=out ;;
	*) mode=p1 ;;
	esac
}

# Read the shell words of file $1 into the array named $2.
# shellcheck disable=SC2034 # words is a nameref: the caller's array
read_words() {
	local -n words=$2
	local line
	words=()
	if [ -f "$1" ]; then
		IFS= read -r line <"$1"
		eval "words=($line)"
	fi
}

fail() {
	echo "FAIL $name: $*"
}

# A report from ASan, LSan or UBSan on stderr.
has_sanitizer_report() {
	[ -s "$1" ] && grep -qE 'ERROR: [A-Za-z]+Sanitizer|^[^ ]*:[0-9]+:[0-9]+: runtime error:' "$1"
}

# Run test $1 (NAME.stp), keeping its output in files named $2.*; print
# what went wrong and return 0 (passed), 1 (failed) or 2 (skipped).
run_test() {
	local base=${1%.stp} out=$2
	local name=${base#tests/}
	local mode expected actual status
	local opts args envs pflag=()

	local skip
	for skip in "${base%/*}/folder.skip" "$base.skip"; do
		[ -f "$skip" ] || continue
		local reason
		if reason=$(STAP="$stap" bash "$skip" </dev/null 2>&1); then
			echo "SKIP $name: ${reason:-no reason given}"
			return 2
		fi
	done

	set_mode "$base"
	[ "$mode" != out ] && pflag=("-$mode")
	read_words "$base.opts" opts
	read_words "$base.args" args
	read_words "$base.env" envs

	local limit=$timeout_s
	[ -f "$base.timeout" ] && read -r limit <"$base.timeout"
	env "${envs[@]}" timeout -k 5 "$limit" "$stap" "${pflag[@]}" "${opts[@]}" "$1" \
		"${args[@]}" </dev/null >"$out.stdout" 2>"$out.stderr"
	status=$?

	if [ $status -eq 124 ]; then
		fail "timed out after ${limit}s"
		return 1
	fi
	if [ $status -ge 128 ] || has_sanitizer_report "$out.stderr"; then
		fail "crashed (exit status $status)"
		sed 's/^/    /' "$out.stderr" | head -n 60
		return 1
	fi

	if [ "${UPDATE:-0}" = 1 ]; then
		if [ $status -ne 0 ]; then
			cp "$out.stderr" "$base.err"
			rm -f "$base.$mode"
		else
			cp "$out.stdout" "$base.$mode"
			rm -f "$base.err"
		fi
	fi

	if [ -f "$base.err" ]; then
		expected=$base.err
		if [ $status -eq 0 ]; then
			fail "exit status 0, expected an error"
			sed 's/^/    /' "$out.stdout" | head -n 20
			return 1
		fi
		# The driver names its runner ("WARNING: DIR/staprun exited with
		# status: 1"); the expected files have the original's path.
		sed -E 's#^WARNING: /.*/staprun exited with status: #WARNING: /usr/bin/staprun exited with status: #' \
			"$out.stderr" >"$out.stderr.norm"
		actual=$out.stderr.norm
		if [ -f "$base.out" ] && ! cmp -s "$base.out" "$out.stdout"; then
			fail "output differs from $base.out"
			diff -u --label "$base.out" --label "actual" "$base.out" "$out.stdout"
			return 1
		fi
	else
		expected=$base.$mode
		if [ ! -f "$expected" ]; then
			fail "no $base.$mode or $base.err (run with UPDATE=1 to create it)"
			return 1
		fi
		if [ $status -ne 0 ]; then
			fail "exit status $status"
			sed 's/^/    /' "$out.stderr" | head -n 20
			return 1
		fi
		actual=$out.stdout
	fi

	if ! cmp -s "$expected" "$actual"; then
		fail "output differs from $expected"
		diff -u --label "$expected" --label "actual" "$expected" "$actual"
		return 1
	fi
	[ "${VERBOSE:-0}" = 1 ] && echo "PASS $name"
	return 0
}

files=()
for target in "${targets[@]}"; do
	if [ -d "$target" ]; then
		for file in "$target"/*.stp; do
			[ -f "$file" ] && files+=("$file")
		done
	else
		files+=("${target%.*}.stp") # NAME.stp, NAME.p1, NAME.err... all name the test
	fi
done

# Up to $jobs tests at a time, each writing its report to $tmp/N.log and its
# result to $tmp/N.rc.
running=0
for ((i = 0; i < ${#files[@]}; i++)); do
	{
		run_test "${files[i]}" "$tmp/$i"
		echo $? >"$tmp/$i.rc"
	} >"$tmp/$i.log" 2>&1 &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

passed=0
failed=0
skipped=0
for ((i = 0; i < ${#files[@]}; i++)); do
	[ -s "$tmp/$i.log" ] && cat "$tmp/$i.log"
	rc=1
	{ read -r rc <"$tmp/$i.rc"; } 2>/dev/null
	case $rc in
	0) passed=$((passed + 1)) ;;
	2) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
done

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
