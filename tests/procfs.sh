#!/usr/bin/env bash
# procfs probes served by the session (docs/procfs.md), from a real client.
# tests/procfs.sh STAP
# For each tests/procfs/NAME.stp: stap -m MOD -c "sh NAME.sh DIR" NAME.stp
# (options from NAME.opts), the client reading and writing the files of DIR
# while the session runs and printing on stderr; stdout must be NAME.out
# and stderr NAME.err (the script's path and DIR written as in the
# original's run).  Then the directory's safety and its removal.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/bounded.sh"
stap=$(realpath "$1")
src=$(realpath "$(dirname "${BASH_SOURCE[0]}")/procfs")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SYSTEMTAP_DIR=$tmp/sysdir
cd "$tmp" || exit 2
passed=0
failed=0
skipped=0
user=$(id -un)
base=/var/tmp/systemtap-$user

ok() { passed=$((passed + 1)); [ -n "${VERBOSE:-}" ] && echo "PASS procfs/$1"; return 0; }
bad() {
	failed=$((failed + 1))
	echo "FAIL procfs/$1: $2"
	[ -f out ] && sed 's/^/    out: /' out | head -20
	[ -f err ] && sed 's/^/    err: /' err | head -20
	return 0
}

for stp in "$src"/*.stp; do
	name=$(basename "$stp" .stp)
	mod=procfs_test_$$
	opts=$(cat "$src/$name.opts" 2>/dev/null)
	# shellcheck disable=SC2086
	run_stap $opts -m "$mod" -c "sh $src/$name.sh $base/$mod" "$stp" >out 2>err
	# the original ran NAME.stp in its folder, its files in /proc/systemtap/MOD
	sed -i -e "s|$stp|$name.stp|g" -e "s|$base/$mod|/proc/systemtap/procfs_test|g" \
		-e '/staprun exited with status/d' -e '/^Pass 5: run failed/d' err
	if ! diff -u "$src/$name.out" out >diff.txt; then
		bad "$name" "stdout differs: $(head -30 diff.txt)"
	elif ! diff -u "$src/$name.err" err >diff.txt; then
		bad "$name" "stderr differs: $(head -30 diff.txt)"
	else
		ok "$name"
	fi
	if [ -e "$base/$mod" ]; then bad "$name-removed" "$base/$mod left behind"; else ok "$name-removed"; fi
done

rm -f out err
script='probe procfs.read { $value = "hi\n" }'
mod=procfs_safety_$$
# -v names the directory; a second session of the module is refused while
# the first runs; SIGINT removes it all
background_untrapped timeout -k 5 60 "$stap" -v -m "$mod" -e "$script" >out 2>err
pid=$bg_pid
for _ in $(seq 1 300); do [ -p "$base/$mod/command" ] && break; sleep 0.1; done
if [ "$(timeout 10 cat "$base/$mod/command")" = hi ]; then ok read-while-running; else bad read-while-running "cat gave no 'hi'"; fi
if grep -qx "Pass 5: procfs files in $base/$mod/" err; then ok verbose-path; else bad verbose-path "no path with -v"; fi
run_stap -m "$mod" -e "$script" >out2 2>err2
if [ $? != 0 ] && grep -q "ERROR: the procfs directory $base/$mod is in use by another session" err2; then
	ok second-session-refused
else
	bad second-session-refused "$(cat err2)"
fi
kill -INT "$pid"
wait "$pid"
rc=$?
if [ $rc = 0 ] && [ ! -e "$base/$mod" ]; then ok sigint-removes; else bad sigint-removes "rc $rc, $(ls -la "$base/$mod" 2>&1)"; fi

# what a session killed with SIGKILL leaves is cleared by the next one
background_untrapped "$stap" -m "$mod" -e "$script" >out 2>err
pid=$bg_pid
for _ in $(seq 1 300); do [ -p "$base/$mod/command" ] && break; sleep 0.1; done
kill -9 "$pid"
wait "$pid" 2>/dev/null
if [ -p "$base/$mod/command" ]; then
	run_stap -m "$mod" -e 'probe procfs.read { $value = "hi\n" } probe begin { exit() }' >out 2>err
	if [ $? = 0 ] && [ ! -e "$base/$mod" ]; then ok sigkill-leftovers; else bad sigkill-leftovers "$(cat err)"; fi
else
	bad sigkill-leftovers "no file to leave"
fi
rm -rf "${base:?}/$mod"

# a symbolic link planted where the session's directory goes is refused
mkdir -p "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$base/$mod"
run_stap -m "$mod" -e 'probe procfs.read { $value = "hi\n" } probe begin { exit() }' >out 2>err
if [ $? != 0 ] && grep -q "ERROR: cannot open the procfs directory $base/$mod: a symbolic link or not a directory" err &&
	[ -z "$(ls "$tmp/elsewhere")" ] && [ -L "$base/$mod" ]; then
	ok symlink-refused
else
	bad symlink-refused "$(cat err)"
fi
rm -f "$base/$mod"

echo "procfs: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
