#!/usr/bin/env bash
# The stap command line: options, exit codes and messages.
#
#   bash tests/cli.sh STAP_BINARY
#
# Each case runs the binary for real and checks its exit status and the exact
# stdout or stderr.  Ends with "cli: N passed, N failed, 0 skipped".
set -u
stap=${1:?usage: tests/cli.sh STAP_BINARY}
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
passed=0
failed=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect NAME STATUS STREAM EXPECTED -- ARGS...   (STREAM: stdout, stderr, stdout-head)
expect() {
	local name=$1 want_status=$2 stream=$3 want=$4
	shift 5
	timeout -k 5 20 "$stap" "$@" >"$out" 2>"$err" </dev/null
	local status=$? got
	case $stream in
	stdout) got=$(cat "$out") ;;
	stderr) got=$(cat "$err") ;;
	stdout-head) got=$(head -n 1 "$out") ;;
	esac
	if [ "$status" = "$want_status" ] && [ "$got" = "$want" ]; then
		passed=$((passed + 1))
		[ -n "${VERBOSE:-}" ] && echo "PASS cli/$name"
	else
		failed=$((failed + 1))
		echo "FAIL cli/$name: exit $status (want $want_status)"
		diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$got")
	fi
}

try_help="Try '--help' for more information. [man stap]"
expect version 0 stdout-head "Systemtap translator/driver (version 4.8/stap-on-ebpf 0.1)" -- -V
expect help 0 stdout-head "Systemtap translator/driver (version 4.8/stap-on-ebpf 0.1)" -- --help
expect unknown-long-option 1 stderr "stap: unrecognized option '--foo'
$try_help" -- --foo
expect unknown-short-option 1 stderr "stap: invalid option -- 'Q'
$try_help" -- -Q
expect missing-argument 1 stderr "stap: option requires an argument -- 'p'
$try_help" -- -p
expect no-script 1 stderr "A script must be specified.
$try_help" --
expect bad-pass 1 stderr "Invalid pass number (should be 1-5).
$try_help" -- -p9 -e 'probe begin {}'
expect two-scripts 1 stderr "Only one script can be given on the command line.
$try_help" -- -e 'probe begin {}' -e 'probe end {}'
expect bad-pid 1 stderr "Invalid target process ID number.
$try_help" -- -x abc -e 'probe begin {}'
expect bad-timeout 1 stderr "Invalid timeout interval.
$try_help" -- -T abc -e 'probe begin {}'
expect bad-buffer 1 stderr "Invalid buffer size (should be 1-4095).
$try_help" -- -s 0 -e 'probe begin {}'
expect bad-global-init 1 stderr "ERROR: Safety pattern mismatch for -G parameter ('Foo=1' vs. '^[a-z_][a-z0-9_]*=[a-z0-9_.-]+\$') rc=1" -- -G Foo=1 -e 'probe begin {}'
expect bad-runtime 1 stderr "Invalid runtime mode 'dyninst' (should be kernel or bpf).
$try_help" -- --runtime=dyninst -e 'probe begin {}'
expect missing-file 1 stderr "Input file 'tests/cli/no-such-file.stp' is missing.
Pass 1: parse failed.  [man error::pass1]" -- -p1 tests/cli/no-such-file.stp
expect empty-script 1 stderr "Input file '<input>' is empty.
Pass 1: parse failed.  [man error::pass1]" -- -p1 -e '# nothing but a comment'
expect e-script 0 stdout "# parse tree dump
# file <input>
probe begin{
println(\"A\", \"B C\");
}" -- -p1 -e 'probe begin { println(@1, @2) }' A 'B C'
expect options-after-script 0 stdout "# parse tree dump
# file tests/cli/embedded.stp
%{ int x; %}probe begin{
}" -- -p1 tests/cli/embedded.stp -g
expect double-dash-args 0 stdout "# parse tree dump
# file <input>
probe begin{
print(-(g));
}" -- -p1 -e 'probe begin { print($1) }' -- -g
expect pass2-listing 0 stdout "# probes
begin /* <- begin */
timer.ms(100) /* <- timer.ms(100) */" -- -p2 -e 'probe begin { print(1) } probe timer.ms(100) { print(2) }'
expect list-probes 0 stdout "timer.s(1)" -- -l 'timer.s(1)'
expect list-probes-none 1 stdout "" -- -l 'nosuchprobe'
expect dump-probe-types 0 stdout-head "begin" -- --dump-probe-types

# the script on standard input
printf 'probe end { exit() }\n' | timeout -k 5 20 "$stap" -p1 - >"$out" 2>"$err"
if [ $? = 0 ] && [ "$(cat "$out")" = "# parse tree dump
# file <input>
probe end{
exit();
}" ]; then passed=$((passed + 1)); else
	failed=$((failed + 1))
	echo "FAIL cli/stdin-script"
	cat "$out" "$err"
fi

# -v reports pass 1 the way the original does
timeout -k 5 20 "$stap" -p1 -v -e 'probe begin {}' >"$out" 2>"$err"
if grep -qE '^Pass 1: parsed user script and [0-9]+ library scripts using [0-9]+virt/[0-9]+res/[0-9]+shr/[0-9]+data kb, in [0-9]+usr/[0-9]+sys/[0-9]+real ms\.$' "$err"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAIL cli/verbose-pass1-line"
	cat "$err"
fi

# a macro named like a built-in operator is a warning; -w silences it
expect macro-redefines-builtin 0 stderr "WARNING: macro redefines built-in operator '@count': identifier 'count' at <input>:1:9
 source: @define count(x) %( 1 %) probe begin { a = @count(x) }
                 ^" -- -p1 -e '@define count(x) %( 1 %) probe begin { a = @count(x) }'
expect macro-redefines-builtin-w 0 stderr "" -- -w -p1 -e '@define count(x) %( 1 %) probe begin { a = @count(x) }'

echo "cli: $passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
