# Sourced by the session tests: every run of $stap is bounded, so that a
# session that does not end is killed (and its test fails) instead of
# hanging the suite.

# Run $stap "$@", killed after 60 s (SIGKILL 5 s later).
run_stap() { timeout -k 5 60 "$stap" "$@"; }

# Run "$@" in the background with no EXIT trap.  A forked subshell keeps
# the script's EXIT trap (and bash's handlers for fatal signals, which run
# it) until it has reset them; a signal that reaches it in that window
# runs the script's cleanup -- which deleted the test's directory under
# the still running test, one run in three.  So the trap is removed while
# forking and put back after.  Sets $bg_pid.
background_untrapped() {
	local saved
	saved=$(trap -p EXIT)
	trap - EXIT
	"$@" &
	bg_pid=$!
	eval "${saved:-:}"
}

# The watchdog of wait_bounded: kill -9 pid $1 after $2 seconds.  Short
# sleeps, so that a watchdog killed early leaves no sleep running for long.
watchdog() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do sleep 0.1; done
	kill -9 "$1"
}

# Wait for background pid $1, killing it after 30 s if it has not ended;
# returns its exit status.
wait_bounded() {
	local dog rc
	background_untrapped watchdog "$1" 30 2>/dev/null
	dog=$bg_pid
	# (quietly: a job killed by a signal is no news to the test)
	{ wait "$1"; } 2>/dev/null
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	return $rc
}
