#!/usr/bin/env bash
# tests/qemu/original.sh [-c CMD] [stap options] SCRIPT|-e SCRIPT [script args]
#
# Runs the ORIGINAL SystemTap (Debian's 4.8, its kernel-module runtime) on a
# script, for real, in the qemu lane's 6.1 kernel: the module is built here
# with `stap -r RELEASE -p4` against Debian's linux-headers-RELEASE, and the
# original's `staprun` loads it in the guest (tests/qemu/run-in-kernel.sh).
# Prints the run's stdout and stderr, and exits with staprun's status: the
# place to take expected outputs from for kernel probes and the tapsets.
# -c CMD goes to staprun, everything else to `stap -p4`; -x is refused (no
# such process in the guest).  Not run by CI (a minute a call, and apt).
# Executables on 9p or overlayfs take no uprobes: process(...) probes on a
# program of this machine do not fire in the guest.
#
# Setup (first call): tests/qemu/setup.sh --original installs systemtap and
# linux-headers-RELEASE.  The packaged runtime of 4.8 does not build against
# 6.1 kernels from 6.1.170 on, whose task_work_cancel(task, func) became
# task_work_cancel_func (the new task_work_cancel takes a callback_head):
# when the headers declare it, the lane uses a copy of the runtime whose two
# references to the kernel's function name it, and nothing else changes.
set -uo pipefail
lane_name="original"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/qemu/lib.sh
source "$here/lib.sh"
lane_status=125

target=()
args=()
script=
while [ $# -gt 0 ]; do
	case $1 in
	-c) target=(-c "${2:-}"); shift 2 || lane_die "-c needs a command" ;;
	-c?*) target=(-c "${1#-c}"); shift ;;
	-x | -x*) lane_die "-x is not supported: no such process in the guest" ;;
	*)
		[ -z "$script" ] && [[ $1 == *.stp ]] && [ -f "$1" ] && script=$1
		args+=("$1")
		shift
		;;
	esac
done
[ ${#args[@]} -gt 0 ] || lane_die "usage: original.sh [-c CMD] [stap options] SCRIPT|-e SCRIPT [args]"

release=$(bash "$here/setup.sh" --original) || exit 125
dir=$lane_cache/$release
lane_check_private "$dir"
if [ ! -x /usr/bin/stap ] || [ ! -x /usr/bin/staprun ]; then
	lane_die "the original SystemTap is not installed"
fi

# The runtime, fixed for the headers when they need it.
runtime=/usr/share/systemtap/runtime
headers=/usr/src/linux-headers-${release%-amd64}-common/include/linux/task_work.h
if grep -q 'task_work_cancel_func' "$headers" 2>/dev/null; then
	runtime=$dir/original-runtime
	if [ ! -f "$runtime/.ready" ]; then
		rm -rf "$runtime" "$runtime.new"
		cp -r /usr/share/systemtap/runtime "$runtime.new" || lane_die "cannot copy the runtime"
		sed -i -e 's/typeof(&task_work_cancel)/typeof(\&task_work_cancel_func)/' \
			-e 's/kallsyms_lookup_name("task_work_cancel")/kallsyms_lookup_name("task_work_cancel_func")/' \
			"$runtime.new/stp_task_work.c" || lane_die "cannot fix the runtime"
		grep -q 'kallsyms_lookup_name("task_work_cancel_func")' "$runtime.new/stp_task_work.c" ||
			lane_die "the runtime's stp_task_work.c is not the one this fix knows"
		chmod -R go-w "$runtime.new" && mv "$runtime.new" "$runtime" && touch "$runtime/.ready"
	fi
	lane_check_private "$runtime"
fi

# Build here, in a private directory (-m writes NAME.ko into the current
# one, and the script's paths are the caller's: build from there, move).
work=$(mktemp -d "${TMPDIR:-/tmp}/stap-original.XXXXXX") || lane_die "cannot create a directory"
trap 'rm -rf "$work"' EXIT
name=orig_$$_$RANDOM
if ! /usr/bin/stap -R "$runtime" -r "$release" -p4 -m "$name" "${args[@]}" >"$work/build.log" 2>&1 ||
	[ ! -f "$name.ko" ]; then
	rm -f "$name.ko"
	echo "original: passes 1-4 of the original failed:" >&2
	grep -v '^ *$' "$work/build.log" | head -n 30 >&2
	exit 3
fi
mv "$name.ko" "$work/" || lane_die "cannot move $name.ko"
"$here/run-in-kernel.sh" --kernel "$release" -- /usr/bin/staprun "${target[@]}" "$work/$name.ko"
