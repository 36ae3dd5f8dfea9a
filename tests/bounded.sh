# Sourced by the session tests: every run of $stap is bounded, so that a
# session that does not end is killed (and its test fails) instead of
# hanging the suite.

# Run $stap "$@", killed after 60 s (SIGKILL 5 s later).
run_stap() { timeout -k 5 60 "$stap" "$@"; }

# Wait for background pid $1, killing it after 30 s if it has not ended;
# returns its exit status.
wait_bounded() {
	(sleep 30 && kill -9 "$1") 2>/dev/null &
	local dog=$! rc
	wait "$1"
	rc=$?
	kill "$dog" 2>/dev/null
	return $rc
}
