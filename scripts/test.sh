#!/usr/bin/env bash
# The whole test suite, as CI runs it: bash scripts/test.sh
#
# Installs what is missing (scripts/deps.sh), then runs, each step even when
# an earlier one failed so that every failure shows:
#
#   make WERROR=1 check         unit tests, golden tests, -p1 round trip
#   make WERROR=1 check-asan    the same under ASan/UBSan/LSan
#   make WERROR=1 check-qemu    tests/qemu/ in Debian's 6.1 kernel under qemu
#                               (installs qemu and the kernel package; SKIPs
#                               without them), bounded by QEMU_TIMEOUT (300)
#   make format-check           clang-format --dry-run -Werror
#   make fuzz fuzz-run          the parser fuzzer for FUZZ_SECONDS (60)
#
# Each step is killed after STEP_TIMEOUT seconds (1200) if it has not ended,
# and counts as failed.  Each step ends with a line "==> STEP: N passed,
# N failed, N skipped" (the sums of its runners' closing lines "[name: ]N
# passed, N failed[, N skipped]"), and the run with one line "N passed,
# N failed, N skipped": the counts of both check steps, plus one for
# format-check and one for the fuzzer.  A skipped test (a SKIP line: the
# machine lacks root, bpftool...) is never counted as passed.  A step that
# fails without reporting a failed test (say, a compile error) counts as one
# failure.  The exit status is 1 if anything failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

fuzz_seconds=${FUZZ_SECONDS:-60}
step_timeout=${STEP_TIMEOUT:-1200}
# Compile on every core.
export MAKEFLAGS=${MAKEFLAGS:--j$(nproc)}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

passed=0
failed=0
skipped=0
steps=()

# Run "$@" as one step, showing its output; add up the "N passed, N failed"
# lines it prints, or count the step itself when $1 is "--count-as-one";
# "--timeout S" first bounds this step by S seconds instead of STEP_TIMEOUT.
step() {
	local as_one=0 status p f k line step_passed=0 step_failed=0 step_skipped=0
	local step_timeout=$step_timeout
	if [ "$1" = --timeout ]; then
		step_timeout=$2
		shift 2
	fi
	if [ "$1" = --count-as-one ]; then
		as_one=1
		shift
	fi
	echo "==> $*"
	# A step that hangs is killed (with everything it started) after
	# STEP_TIMEOUT seconds, so that the whole run stays bounded.
	timeout -k 30 "$step_timeout" "$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "==> $*: killed after ${step_timeout}s"
	fi

	if [ $as_one = 1 ]; then
		if [ "$status" -eq 0 ]; then
			step_passed=1
		else
			step_failed=1
		fi
	else
		while IFS= read -r line; do
			p=${line%% passed*}
			p=${p##* }
			f=${line#*passed, }
			f=${f%% failed*}
			k=0
			if [[ $line =~ failed,\ ([0-9]+)\ skipped ]]; then
				k=${BASH_REMATCH[1]}
			fi
			step_passed=$((step_passed + p))
			step_failed=$((step_failed + f))
			step_skipped=$((step_skipped + k))
		done < <(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log")
		# Failed without a failed test: the build broke, or a runner did.
		if [ "$status" -ne 0 ] && [ $step_failed -eq 0 ]; then
			step_failed=1
		fi
	fi
	passed=$((passed + step_passed))
	failed=$((failed + step_failed))
	skipped=$((skipped + step_skipped))
	local counts="$step_passed passed, $step_failed failed, $step_skipped skipped"
	echo "==> $*: $counts"
	if [ "$status" -eq 0 ]; then
		steps+=("ok      $*: $counts")
	else
		steps+=("FAILED  $*: $counts")
	fi
}

start=$SECONDS
if ! bash scripts/deps.sh; then
	echo "scripts/deps.sh failed: missing packages; trying the steps anyway" >&2
fi

step make WERROR=1 check
step make WERROR=1 check-asan
# the qemu lane's CI budget: 5 minutes, its set-up (apt, the kernel) included
step --timeout "${QEMU_TIMEOUT:-300}" make WERROR=1 check-qemu
step --count-as-one make format-check
step --count-as-one make fuzz fuzz-run FUZZ_SECONDS="$fuzz_seconds"

echo
echo "==> summary ($((SECONDS - start))s)"
printf '    %s\n' "${steps[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
