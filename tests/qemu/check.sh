#!/usr/bin/env bash
# tests/qemu/check.sh STAP [TEST-OR-DIR...]: `make check-qemu`, the lane's
# golden tests (tests/qemu/ by default) run in Debian's 6.1 kernel under qemu.
#
# The tests have tests/run-tests.sh's files (NAME.stp, NAME.out or NAME.err,
# NAME.opts, NAME.args, NAME.skip...) and that runner runs them, in three
# steps, with tests/qemu/prebuilt-stap.sh as its stap:
#
#   1. here, in build mode: every NAME.out test's module is compiled with
#      `stap -p4 -m` on this machine (CO-RE: it must run unchanged there);
#   2. here, in run mode, the tests named portable-*: their modules run
#      with staprun on this kernel, and must print NAME.out here too;
#   3. in one boot of the guest (tests/qemu/run-in-kernel.sh), in run mode:
#      the modules run with staprun; a test that did not build here, and
#      every NAME.err test, runs the whole `stap` there (about 25 s a
#      script under TCG when it reaches clang, 3 s when pass 2 stops it).
#
# Prints the runner's reports and one line "qemu: N passed, N failed,
# N skipped" (step 2 and 3's counts); without qemu, the kernel package or
# apt, every test is a SKIP with the reason.  UPDATE=1 and VERBOSE=1 work as
# in tests/run-tests.sh (UPDATE=1 rewrites the expected files from the guest).
set -uo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 STAP [TEST-OR-DIR...]" >&2
	exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
stap=$(realpath -e "$1") || exit 2
shift
targets=()
for arg in "$@"; do
	targets+=("$(realpath --relative-to="$root" "$arg")") || exit 2
done
cd "$root" || exit 2
[ ${#targets[@]} -gt 0 ] || targets=(tests/qemu)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The tests, as run-tests.sh names them (for the SKIP lines).
names=()
for t in "${targets[@]}"; do
	if [ -d "$t" ]; then
		for f in "$t"/*.stp; do
			[ -f "$f" ] && names+=("${f%.stp}")
		done
	else
		names+=("${t%.*}")
	fi
done

if ! bash tests/qemu/setup.sh >"$tmp/release" 2>"$tmp/setup.err"; then
	reason=$(tail -n 1 "$tmp/setup.err")
	for n in "${names[@]}"; do
		echo "SKIP ${n#tests/}: ${reason#setup: }"
	done
	echo "qemu: 0 passed, 0 failed, ${#names[@]} skipped"
	exit 0
fi
read -r release <"$tmp/release"

export LANE_STAP=$stap LANE_MODULES=$tmp/modules
mkdir -p "$LANE_MODULES"
runner=tests/qemu/prebuilt-stap.sh
start=$SECONDS

# 1. build here (never UPDATE: the outputs are not the tests'; the runner's
# 20 s are too few for clang on a loaded machine)
LANE_MODE=build UPDATE=0 VERBOSE=0 TEST_TIMEOUT=600 bash tests/run-tests.sh "$runner" \
	"${targets[@]}" >/dev/null 2>&1
built=$(find "$LANE_MODULES" -name '*.so' | wc -l)
echo "qemu: $built modules built here in $((SECONDS - start)) s"
# a script that does not build here is compiled in the guest: say why
for log in "$LANE_MODULES"/*.log; do
	[ -f "$log" ] && [ ! -f "${log%.log}.so" ] || continue
	echo "qemu: compiled in the guest, as here: $(grep -m 1 -E 'error|ERROR' "$log")"
done

passed=0
failed=0
skipped=0
# Add the counts of the runner's closing line in file $1, print the rest.
count() {
	local last p f k
	last=$(tail -n 1 "$1")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} k=${BASH_REMATCH[3]}
		sed '$d' "$1"
	else
		cat "$1"
		p=0 f=1 k=0
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + k))
}

# 2. the portable-* modules here
here=()
for n in "${names[@]}"; do
	[[ ${n##*/} == portable-* ]] && [ -f "$n.out" ] && here+=("$n.stp")
done
# (they need what tests/kernel/ needs of this machine: root, BTF, tracefs)
if [ ${#here[@]} -gt 0 ] && reason=$(bash tests/kernel/folder.skip </dev/null 2>&1); then
	for f in "${here[@]}"; do
		f=${f%.stp}
		echo "SKIP ${f#tests/} (here): $reason"
	done
	skipped=$((skipped + ${#here[@]}))
elif [ ${#here[@]} -gt 0 ]; then
	LANE_MODE=run LANE_REQUIRE_MODULE=1 UPDATE=0 bash tests/run-tests.sh "$runner" "${here[@]}" |
		sed 's#^\(PASS\|FAIL\|SKIP\) \([^:]*\)#\1 \2 (here)#' >"$tmp/here.log"
	count "$tmp/here.log"
fi

# 3. everything in the guest, in one boot
rw=()
[ "${UPDATE:-0}" = 1 ] && for t in "${targets[@]}"; do
	if [ -d "$t" ]; then rw+=(--rw "$t"); else rw+=(--rw "$(dirname "$t")"); fi
done
boot=$SECONDS
tests/qemu/run-in-kernel.sh --kernel "$release" --timeout "${STAP_QEMU_TIMEOUT:-270}" "${rw[@]}" -- \
	env LANE_MODE=run TEST_TIMEOUT="${TEST_TIMEOUT:-120}" bash tests/run-tests.sh "$runner" \
	"${targets[@]}" >"$tmp/guest.log" 2>"$tmp/guest.err"
status=$?
if [ $status -ge 124 ] && [ $status -le 126 ]; then
	echo "FAIL qemu: the guest gave no result (status $status):"
	sed 's/^/    /' "$tmp/guest.err"
	failed=$((failed + 1))
else
	sed 's/^/    /' "$tmp/guest.err"
	count "$tmp/guest.log"
fi
echo "qemu: $release, one boot, $((SECONDS - boot)) s; the lane took $((SECONDS - start)) s"
echo "qemu: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
