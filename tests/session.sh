#!/usr/bin/env bash
# Session tests: passes 3-5 as a whole, the module cache, staprun, -k, -p4,
# signals and -c.  tests/session.sh STAP (staprun is found beside it).
# Each check runs real scripts through the compiler; the cache lives in a
# private $SYSTEMTAP_DIR.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/bounded.sh"
stap=$(realpath "$1")
staprun=$(dirname "$stap")/staprun
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SYSTEMTAP_DIR=$tmp/sysdir
cd "$tmp" || exit 2
passed=0
failed=0
skipped=0

ok() { passed=$((passed + 1)); [ -n "${VERBOSE:-}" ] && echo "PASS session/$1"; return 0; }
bad() {
	failed=$((failed + 1))
	echo "FAIL session/$1: $2"
	[ -f out ] && sed 's/^/    out: /' out | head -20
	[ -f err ] && sed 's/^/    err: /' err | head -20
	return 0
}

script='global n; probe begin { n = 41 } probe timer.ms(10) { n++; exit() } probe end { printf("n=%d\n", n) }'

# first run compiles; the second uses the cache (and says so with -v)
run_stap -v -e "$script" >out 2>err
if [ $? = 0 ] && [ "$(cat out)" = "n=42" ] && grep -q '^Pass 4: compiled C into ' err; then ok compile; else bad compile "first run"; fi
run_stap -v -e "$script" >out 2>err
if [ $? = 0 ] && [ "$(cat out)" = "n=42" ] && grep -q '^Pass 3: using cached ' err &&
	grep -q '^Pass 4: using cached ' err && ! grep -q 'compiled C' err; then ok cache-hit; else bad cache-hit "second run did not use the cache"; fi
# a change in the script, or in a -D option, compiles again
run_stap -v -e "${script/41/1}" >out 2>err
if [ "$(cat out)" = "n=2" ] && grep -q '^Pass 4: compiled C into ' err; then ok cache-script-change; else bad cache-script-change "changed script reused a module"; fi
run_stap -v -DMAXACTION=500 -e "$script" >out 2>err
if [ "$(cat out)" = "n=42" ] && grep -q '^Pass 4: compiled C into ' err; then ok cache-option-change; else bad cache-option-change "-D did not invalidate"; fi

# -p4 prints the module; staprun runs it without the translator
run_stap -p4 -e "$script" >out 2>err
module=$(cat out)
if [ -f "$module" ]; then ok p4-path; else bad p4-path "no module at '$module'"; fi
timeout -k 5 60 "$staprun" "$module" >out 2>err
if [ $? = 0 ] && [ "$(cat out)" = "n=42" ]; then ok staprun; else bad staprun "staprun output"; fi
timeout -k 5 60 "$staprun" -o "$tmp/o.txt" "$module" n=0 >out 2>err
if [ "$(cat "$tmp/o.txt")" = "n=42" ]; then ok staprun-o; else bad staprun-o "staprun -o"; fi
timeout -k 5 60 "$staprun" >out 2>err
if [ $? = 1 ] && grep -q '^Usage: staprun' err; then ok staprun-usage; else bad staprun-usage "no usage"; fi
run_stap -p4 -m mymod -e "$script" >out 2>err
if [ "$(cat out)" = "mymod.so" ] && [ -f mymod.so ]; then ok p4-module-name; else bad p4-module-name "-m"; fi

# -k keeps the temporary directory and names it
run_stap -k -p4 -DMAXNESTING=7 -e "$script" >out 2>err
dir=$(sed -n 's/^Keeping temporary directory "\(.*\)"$/\1/p' err)
if [ -n "$dir" ] && [ -d "$dir" ] && ls "$dir"/*.c >/dev/null 2>&1; then ok keep-tmpdir; rm -rf "$dir"; else bad keep-tmpdir "-k"; fi

# -p3 prints the C
run_stap -p3 -e "$script" >out 2>err
if [ $? = 0 ] && grep -q 'stp_module_desc' out; then ok p3; else bad p3 "-p3 output"; fi

# a compiler failure is pass 4's
run_stap -g -e 'probe begin { %{ this is not C %} exit() }' >out 2>err
if [ $? = 1 ] && grep -q '^Pass 4: compilation failed.  \[man error::pass4\]$' err; then ok pass4-failure; else bad pass4-failure "no pass-4 failure"; fi

# SIGINT and SIGTERM end the session like exit(): end probes run
for sig in INT TERM; do
	background_untrapped "$stap" -e 'probe begin { println("started") } probe end { println("ended") }' >out 2>err
	pid=$bg_pid
	for _ in $(seq 100); do grep -q started out 2>/dev/null && break; sleep 0.1; done
	kill -$sig $pid
	wait_bounded $pid
	rc=$?
	if [ $rc = 0 ] && [ "$(cat out)" = "started
ended" ]; then ok "sig$sig"; else bad "sig$sig" "exit $rc"; fi
done

# -T ends the session after that many seconds
start=$(date +%s%N)
run_stap -T 1 -e 'probe end { println("timeout") }' >out 2>err
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$(cat out)" = "timeout" ] && [ $ms -ge 1000 ]; then ok timeout; else bad timeout "-T 1 (${ms} ms)"; fi

# -c runs the command, the session ends when it exits
run_stap -c 'echo from-child' -e 'probe end { println("after child") }' >out 2>err
if [ $? = 0 ] && [ "$(cat out)" = "from-child
after child" ]; then ok target-cmd; else bad target-cmd "-c"; fi

# -x: target() is the pid given
run_stap -x $$ -e 'probe begin { println(target()); exit() }' >out 2>err
if [ $? = 0 ] && [ "$(cat out)" = "$$" ]; then ok target-pid; else bad target-pid "-x"; fi

# -G sets a global before the probes run; a bad name is an error
run_stap -G n=5 -e 'global n = 1; probe begin { println(n); exit() }' >out 2>err
if [ $? = 0 ] && [ "$(cat out)" = "5" ]; then ok option-G; else bad option-G "-G"; fi

# the module cache: made private (0700 directories, 0600 modules), and a
# directory or module another user could write is refused, not loaded as root
find "$SYSTEMTAP_DIR" -printf '%m %p\n' >modes
if ! grep -qv -e '^700 ' -e '^600 .*\.so$' modes && grep -q '^600 .*\.so$' modes; then
	ok cache-private-modes
else bad cache-private-modes "$(grep -v -e '^700 ' -e '^600 ' modes | head -3)"; fi
run_stap -v -e "$script" >out 2>err
cached=$(sed -n 's/^Pass 4: using cached //p' err)
chmod g+w "$SYSTEMTAP_DIR/cache"
run_stap -e "$script" >out 2>err
if [ $? = 1 ] && [ ! -s out ] && grep -q "^ERROR: module cache $SYSTEMTAP_DIR/cache is writable by group or others (owner [0-9]*, mode 0720); refusing to use it" err; then
	ok cache-dir-group-writable
else bad cache-dir-group-writable "a group-writable cache was used"; fi
chmod g-w "$SYSTEMTAP_DIR/cache"
chmod 0666 "$cached"
run_stap -e "$script" >out 2>err
if [ $? = 1 ] && [ ! -s out ] && grep -q "^ERROR: module cache $cached is writable by group or others" err; then
	ok cache-module-writable
else bad cache-module-writable "a world-writable module was loaded"; fi
chmod 0600 "$cached"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chown nobody "$cached"
	run_stap -e "$script" >out 2>err
	if [ $? = 1 ] && [ ! -s out ] && grep -q "^ERROR: module cache $cached is not owned by the invoking user" err; then
		ok cache-module-foreign
	else bad cache-module-foreign "another user's module was loaded"; fi
	chown "$(id -u)" "$cached"
else
	echo "SKIP session/cache-module-foreign: needs root and a 'nobody' user"
	skipped=$((skipped + 1))
fi
run_stap -e "$script" >out 2>err
if [ $? = 0 ] && [ "$(cat out)" = "n=42" ]; then ok cache-restored; else bad cache-restored "run after the checks"; fi

# staprun NAME.so after -m NAME: a name without a slash is loaded from here,
# not looked up in the library path
run_stap -p4 -m mymod2 -e "$script" >out 2>err
timeout -k 5 60 "$staprun" mymod2.so >out 2>err
if [ $? = 0 ] && [ "$(cat out)" = "n=42" ]; then ok staprun-bare-name; else bad staprun-bare-name "staprun mymod2.so"; fi

# output that cannot be written (a full disk) fails the run
run_stap -o /dev/full -e "$script" >out 2>err
if [ $? = 1 ] && grep -q '^ERROR: cannot write /dev/full: No space left on device$' err; then
	ok output-full-disk
else bad output-full-disk "-o /dev/full"; fi
run_stap -e "$script" >/dev/full 2>err
if [ $? = 1 ] && grep -q '^ERROR: cannot write standard output: No space left on device$' err; then
	ok stdout-full-disk
else bad stdout-full-disk "stdout on /dev/full"; fi

echo "session: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
