#!/usr/bin/env bash
# Shrink a script the differential tester kept: tests/difftest/shrink.sh STAP SCRIPT [OUT]
#
# SCRIPT is build/difftest-failures/NAME/script.stp (names s0_*, probe K).
# What makes it interesting is taken from its first run: the outputs of
# the two contexts differ, or the kernel session fails (a verifier
# rejection, a compile error) where the host session runs; stderr counts as
# output.  Then lines are
# dropped -- halves, quarters ... single lines, and blocks with their
# braces or just their braces -- while it stays interesting; the result
# (default SCRIPT.min) is a regression test for tests/difftest/regress/.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
stap=$1
case $stap in /*) ;; *) stap=$root/$stap ;; esac
script=$2
result=${3:-$script.min}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SYSTEMTAP_DIR=$tmp/systemtap
opts=(-w -DMAXACTION=100000)

host_alias='probe K = begin(1), begin(2), begin(3) { }
probe begin(100) { exit() }'
kernel_alias='probe K = kernel.trace("syscalls:sys_enter_getppid") { if (pid() != target()) next }'

# What happens to FILE: "same", "differ", "kernel-fails" or "invalid"
classify() {
	local f=$1 d
	d=$(mktemp -d "$tmp/c.XXXX")
	{
		cat "$f"
		echo "$host_alias"
	} >"$d/host.stp"
	{
		cat "$f"
		echo "$kernel_alias"
	} >"$d/kernel.stp"
	(cd "$d" && timeout -k 5 60 "$stap" "${opts[@]}" host.stp </dev/null >host.out 2>host.err)
	local hs=$?
	if [ $hs -ne 0 ] || grep -q '^ERROR' "$d/host.err"; then
		echo invalid
		return
	fi
	(cd "$d" && timeout -k 5 120 "$stap" "${opts[@]}" -c "$root/build/trigger getppid 3" \
		kernel.stp </dev/null >kernel.out 2>kernel.err)
	local ks=$?
	if grep -q 'Pass [1-3]: .* failed' "$d/kernel.err"; then
		echo invalid
	elif [ $ks -ne 0 ] || grep -q '^ERROR' "$d/kernel.err"; then
		echo kernel-fails
	elif cmp -s "$d/host.out" "$d/kernel.out" &&
		cmp -s <(sed 's/\bhost\.stp\b/S.stp/g' "$d/host.err") \
			<(sed 's/\bkernel\.stp\b/S.stp/g' "$d/kernel.err"); then
		echo same
	else
		echo differ
	fi
	rm -rf "$d"
}

want=$(classify "$script")
case $want in
differ | kernel-fails) echo "shrinking: $want" ;;
*)
	echo "shrink: $script is not a mismatch ($want)" >&2
	exit 1
	;;
esac
mapfile -t lines <"$script"
checks=0

# Does the script made of lines[] minus the indexes in $drop stay interesting?
try_without() {
	local -A skip=()
	local i
	for i in "$@"; do
		skip[$i]=1
	done
	: >"$tmp/try.stp"
	for i in "${!lines[@]}"; do
		[ -n "${skip[$i]:-}" ] || printf '%s\n' "${lines[$i]}" >>"$tmp/try.stp"
	done
	checks=$((checks + 1))
	[ "$(classify "$tmp/try.stp")" = "$want" ]
}

commit() {
	mapfile -t lines <"$tmp/try.stp"
}

changed=1
while [ $changed = 1 ]; do
	changed=0
	# chunks of lines, from half the script down to one line
	size=$((${#lines[@]} / 2))
	while [ $size -ge 1 ]; do
		i=0
		while [ $i -lt ${#lines[@]} ]; do
			idx=()
			for ((j = i; j < i + size && j < ${#lines[@]}; j++)); do
				idx+=("$j")
			done
			if try_without "${idx[@]}"; then
				commit
				changed=1
			else
				i=$((i + size))
			fi
		done
		size=$((size / 2))
	done
	# a block's braces: "if (...) {" ... "}" becomes its body
	for ((i = 0; i < ${#lines[@]}; i++)); do
		case ${lines[$i]} in
		*'{') ;;
		*) continue ;;
		esac
		pre=${lines[$i]%%[! ]*}
		for ((j = i + 1; j < ${#lines[@]}; j++)); do
			[ "${lines[$j]}" = "$pre}" ] && break
			case ${lines[$j]} in "$pre}"*) j=${#lines[@]} ;; esac
		done
		[ $j -lt ${#lines[@]} ] || continue
		if try_without "$i" "$j"; then
			commit
			changed=1
		fi
	done
done
printf '%s\n' "${lines[@]}" >"$result"
echo "shrunk to ${#lines[@]} lines in $checks runs: $result"
