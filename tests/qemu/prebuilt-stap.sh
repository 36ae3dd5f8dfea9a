#!/usr/bin/env bash
# tests/qemu/prebuilt-stap.sh [stap arguments]: the `stap` that
# tests/qemu/check.sh gives tests/run-tests.sh, so that the lane's tests are
# compiled on the host and only run in the guest (clang under TCG takes
# about 25 s a script; the host, 1 s).  Two modes, by $LANE_MODE:
#
#   build  (on the host) `STAP -p4 -m lane_KEY ARGS` into $LANE_MODULES,
#          where KEY hashes the directory and the arguments but -c CMD;
#          prints and fails nothing (a script that does not build here
#          is compiled in the guest)
#   run    (in the guest) `staprun [-c CMD] $LANE_MODULES/lane_KEY.so` when
#          that module exists, else `STAP ARGS`
#
# With LANE_REQUIRE_MODULE=1, a missing module is an error (check.sh's runs
# of the portable-* tests here).  STAP is $LANE_STAP, staprun the one beside it.  Runs with -pN, and tests
# that expect an error (NAME.err), always go to STAP itself: the driver's
# messages are part of what they check.
set -uo pipefail
stap=${LANE_STAP:?LANE_STAP is not set}
modules=${LANE_MODULES:?LANE_MODULES is not set}

all=("$@")
rest=()
cmd=()
script=
direct=0
while [ $# -gt 0 ]; do
	case $1 in
	-c) cmd=(-c "${2:-}"); shift 2 || break ;;
	-c?*) cmd=(-c "${1#-c}"); shift ;;
	-p*) direct=1; rest+=("$1"); shift ;;
	*)
		[ -z "$script" ] && [[ $1 == *.stp ]] && [ -f "$1" ] && script=$1
		rest+=("$1")
		shift
		;;
	esac
done
[ -n "$script" ] && [ -f "${script%.stp}.err" ] && direct=1

key=$( { pwd; printf '%s\0' "${rest[@]}"; } | sha1sum | cut -c1-16)
module=$modules/lane_$key.so

case ${LANE_MODE:-run} in
build)
	[ $direct = 1 ] && exit 0
	# -m writes NAME.so into the current directory: build from the
	# caller's (relative paths) and move the module; the log says why a
	# script did not build here.
	if "$stap" -p4 -m "lane_$key" "${rest[@]}" >"$modules/lane_$key.log" 2>&1 &&
		[ -f "lane_$key.so" ]; then
		mv "lane_$key.so" "$module"
	else
		rm -f "lane_$key.so"
	fi
	exit 0
	;;
run)
	if [ $direct = 0 ] && [ -f "$module" ]; then
		exec "$(dirname "$stap")/staprun" "${cmd[@]}" "$module"
	fi
	if [ -n "${LANE_REQUIRE_MODULE:-}" ]; then
		echo "prebuilt-stap: ${script:-the script} was not compiled here (see the build step)" >&2
		exit 1
	fi
	exec "$stap" "${all[@]}"
	;;
esac
