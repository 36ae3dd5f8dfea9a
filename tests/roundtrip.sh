#!/usr/bin/env bash
# Printing round trip: tests/roundtrip.sh STAP
#
# `stap -p1` prints a script back canonically, so printing must be a
# fixpoint: for every .stp file of the repository (tests/, examples/,
# tapset/) that parses, its -p1 output, less the two header lines
# ("# parse tree dump", "# file NAME"), is fed back through `stap -p1 -`
# and must come out the same, apart from the "# file" line.
#
# Files are parsed with -g under tapset/ (embedded C), and with the words of
# NAME.opts and NAME.args beside a test.  A file that does not parse (a test
# of an error) is counted as skipped.  Files are checked JOBS at a time
# (default: two per CPU).  The last line is
# "roundtrip: N passed, N failed, N skipped"; the exit status is 1 if any
# file failed.  VERBOSE=1 prints every PASS.
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 STAP_BINARY" >&2
	exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stap=$1
case $stap in
/*) ;;
*/*) stap=$(cd "$(dirname "$stap")" && pwd)/$(basename "$stap") ;;
esac
if [ ! -x "$stap" ]; then
	echo "$0: $stap: not an executable" >&2
	exit 2
fi
cd "$root" || exit 2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

timeout_s=${TEST_TIMEOUT:-20}
jobs=${JOBS:-$(($(nproc) * 2))}

# Tracked files, and new ones not yet added (but not ignored ones); outside a
# git checkout, whatever is there.
list_scripts() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard -- \
			'tests/*.stp' 'examples/*.stp' 'tapset/*.stp' | sort -u
	else
		find tests examples tapset -name '*.stp' -type f 2>/dev/null | sort
	fi
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

# Is file $1 a -p1 dump: "# parse tree dump", then "# file ..."?
has_header() {
	local line1='' line2=''
	{
		IFS= read -r line1
		IFS= read -r line2
	} <"$1"
	[ "$line1" = "# parse tree dump" ] && [ "${line2#\# file }" != "$line2" ]
}

# Killed by a signal, timed out, or a sanitizer report in file $2.
is_crash() {
	[ "$1" -ge 124 ] ||
		{ [ -s "$2" ] && grep -qE 'ERROR: [A-Za-z]+Sanitizer|^[^ ]*:[0-9]+:[0-9]+: runtime error:' "$2"; }
}

fail() {
	echo "FAIL roundtrip $file: $*"
}

# Check file $1, keeping the outputs in files named $2.*; print what went
# wrong and return 0 (passed), 1 (failed) or 2 (skipped: does not parse).
check_file() {
	local file=$1 out=$2
	local base=${1%.stp}
	local opts=() args=() status

	case $file in
	tapset/*) opts=(-g) ;;
	*)
		read_words "$base.opts" opts
		read_words "$base.args" args
		;;
	esac

	timeout -k 5 "$timeout_s" "$stap" -p1 "${opts[@]}" "$file" "${args[@]}" \
		</dev/null >"$out.first" 2>"$out.first.err"
	status=$?
	if is_crash $status "$out.first.err"; then
		fail "crashed or timed out (exit status $status) on the first parse"
		sed 's/^/    /' "$out.first.err" | head -n 60
		return 1
	fi
	if [ $status -ne 0 ]; then
		return 2
	fi
	if ! has_header "$out.first"; then
		fail "-p1 output does not start with '# parse tree dump' and '# file ...'"
		return 1
	fi

	tail -n +3 "$out.first" >"$out.printed"
	timeout -k 5 "$timeout_s" "$stap" -p1 "${opts[@]}" - "${args[@]}" \
		<"$out.printed" >"$out.second" 2>"$out.second.err"
	status=$?
	if is_crash $status "$out.second.err"; then
		fail "crashed or timed out (exit status $status) on the printed script"
		sed 's/^/    /' "$out.second.err" | head -n 60
		return 1
	fi
	if [ $status -ne 0 ]; then
		fail "the printed script does not parse (exit status $status)"
		sed 's/^/    /' "$out.second.err" | head -n 20
		return 1
	fi

	# The first lines are equal (has_header), the second ones name the input.
	tail -n +3 "$out.second" >"$out.second.body"
	if ! has_header "$out.second" || ! cmp -s "$out.printed" "$out.second.body"; then
		fail "printing the printed script changes it"
		diff -u --label "$file (printed once)" --label "$file (printed twice)" \
			"$out.first" "$out.second"
		return 1
	fi
	[ "${VERBOSE:-0}" = 1 ] && echo "PASS roundtrip $file"
	return 0
}

files=()
while IFS= read -r file; do
	[ -f "$file" ] && files+=("$file") # not when deleted but still in the index
done < <(list_scripts)

# Up to $jobs files at a time, each writing its report to $tmp/N.log and its
# result to $tmp/N.rc; the reports are printed in order.
running=0
for ((i = 0; i < ${#files[@]}; i++)); do
	{
		check_file "${files[i]}" "$tmp/$i"
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

echo "roundtrip: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
