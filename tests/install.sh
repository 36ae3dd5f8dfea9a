#!/usr/bin/env bash
# The installed copy, as a user gets it: tests/install.sh
#
#   make install into a temporary DESTDIR: the layout the binaries search
#     (bin/, share/stap-ebpf/{tapset,runtime/include}, man pages, completion)
#   the installed stap run from / by full path, as another user's shell would
#     (no SYSTEMTAP_TAPSET, a fresh HOME): a begin script, a tapset function,
#     -p4 then the installed staprun, a kernel tracepoint (root and BPF only),
#     and a few golden tests (tests/run-tests.sh with the installed binary);
#     and a begin script as the user nobody
#   every man page renders without a warning (groff -ww; man -l on one of
#     each kind: a pipeline per page costs a second on a loaded machine), man finds
#     our stap(1) and function::execname(3stap) in the installed tree
#   every tapset function (stap --dump-functions) and probe alias (tapset/)
#     has its page, and every reference page names one that exists
#   stap --help and stap(1) list the same options (staprun's usage and
#     staprun(8) too); every option letter of
#     the parser (src/main.c) is in --help
#   the bash completion completes options, probe points and functions
#   make uninstall leaves no file behind
#   the Debian package (scripts/build-deb.sh): its contents, and installed
#     then removed with dpkg --root in an empty root, leaving nothing
#
# Prints PASS/FAIL/SKIP lines (VERBOSE=1 for the passes) and ends with
# "install: N passed, N failed, N skipped"; exit status 1 if any failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
skipped=0
pass() {
	passed=$((passed + 1))
	[ "${VERBOSE:-0}" = 1 ] && echo "PASS install/$1"
	return 0
}
fail() {
	failed=$((failed + 1))
	echo "FAIL install/$1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /' | head -n 40
	return 0
}
skip() {
	skipped=$((skipped + 1))
	echo "SKIP install/$1: $2"
}
# check NAME CMD...: passes when CMD exits 0; its output is shown otherwise
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# Build as the last build was (WERROR=1 changes no code, but another flag
# set would recompile everything); make check passes its own down anyway.
make_args=(--no-print-directory -s)
if [ -z "${WERROR:-}" ] && grep -q -- -Werror build/obj/.flags 2>/dev/null; then
	make_args+=(WERROR=1)
fi

dest=$tmp/dest
prefix=/usr/local
bin=$dest$prefix/bin
man=$dest$prefix/share/man
if ! out=$(make "${make_args[@]}" install DESTDIR="$dest" PREFIX=$prefix 2>&1); then
	fail make-install "$out"
	echo "install: $passed passed, $failed failed, $skipped skipped"
	exit 1
fi
pass make-install

layout() {
	local f missing=()
	for f in bin/stap bin/staprun share/stap-ebpf/tapset/context.stp \
		share/stap-ebpf/tapset/macros.stpm share/stap-ebpf/runtime/include/stp_host.h \
		share/stap-ebpf/runtime/include/stp_bpf.h share/man/man1/stap.1 \
		share/man/man8/staprun.8 share/man/man3/stapprobes.3stap \
		share/man/man3/function::execname.3stap share/man/man3/probe::scheduler.cpu_off.3stap \
		share/man/man3/tapset::context.3stap share/bash-completion/completions/stap \
		share/bash-completion/completions/staprun; do
		[ -e "$dest$prefix/$f" ] || missing+=("$f")
	done
	[ -x "$bin/stap" ] && [ -x "$bin/staprun" ] || missing+=("executable stap, staprun")
	[ ${#missing[@]} -eq 0 ] || { printf 'missing %s\n' "${missing[@]}"; return 1; }
	# every tapset file, byte for byte
	(cd tapset && find . -type f) | while read -r f; do
		cmp "tapset/$f" "$dest$prefix/share/stap-ebpf/tapset/$f" || exit 1
	done
}
check layout layout

# The installed stap as a user runs it: from /, by itself, with no
# environment pointing back at the source tree.
user_env=(env -u SYSTEMTAP_TAPSET -u STAP_RUNTIME_INCLUDE HOME="$tmp/home"
	SYSTEMTAP_DIR="$tmp/home/.systemtap")
mkdir -p "$tmp/home"
expect_output() { # NAME EXPECTED CMD...
	local name=$1 want=$2 got
	shift 2
	got=$(cd / && "${user_env[@]}" "$@" 2>&1)
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "expected: $want" "got: $got"; fi
}
expect_output run-from-root hello "$bin/stap" -e 'probe begin { println("hello") exit() }'
expect_output tapset-from-install 'ab
Cd' "$bin/stap" -e 'probe begin { println(substr("xaby", 1, 2)) println(str_replace("cd", "c", "C")) exit() }'
# the search path reaches the installed library, not the source tree's
got=$(cd / && "${user_env[@]}" "$bin/stap" -p2 -e 'probe begin { println(pid()) }' 2>&1)
if printf '%s\n' "$got" | grep -q "^# functions" && ! printf '%s\n' "$got" | grep -q "$root/tapset"; then
	pass tapset-path
else
	fail tapset-path "$got"
fi
module=$(cd "$tmp" && "${user_env[@]}" "$bin/stap" -p4 -m installed_mod \
	-e 'global n = 1 probe begin { println(n * 2) exit() }' 2>&1)
expect_output staprun-installed 14 "$bin/staprun" "$tmp/installed_mod.so" n=7
[ "$module" = installed_mod.so ] || fail staprun-module "$module"

# Another user's shell: an unprivileged user runs a begin script (its
# module cache in its own HOME).
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
	skip run-as-nobody "needs root, setpriv and the user nobody"
else
	chmod 755 "$tmp"
	mkdir -p "$tmp/nobody"
	chown nobody "$tmp/nobody"
	got=$(cd / && setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		env -i PATH=/usr/bin:/bin HOME="$tmp/nobody" "$bin/stap" \
		-e 'probe begin { printf("%d\n", uid()) exit() }' 2>&1)
	if [ "$got" = "$(id -u nobody)" ]; then pass run-as-nobody; else fail run-as-nobody "$got"; fi
fi

# The issue's "done when": a kernel tracepoint, from /, with the installed copy.
if [ "$(id -u)" -ne 0 ]; then
	skip kernel-trace-installed "not root"
elif [ ! -e /sys/kernel/btf/vmlinux ]; then
	skip kernel-trace-installed "no kernel BTF"
else
	got=$(cd / && "${user_env[@]}" timeout 60 "$bin/stap" \
		-e 'probe kernel.trace("sched:sched_switch") { println("switched") exit() }' 2>&1)
	if [ "$got" = switched ]; then pass kernel-trace-installed; else fail kernel-trace-installed "$got"; fi
fi

# A few golden tests through the installed binary (make installcheck runs them all).
goldens=()
for t in tests/run/example-collatz tests/run/print-family tests/run/hist-log \
	tests/run/option-c-command tests/run/context-probe-types \
	tests/elaborate/error-include-tapset-type; do
	[ -f "$t.stp" ] && goldens+=("$t.stp")
done
if [ ${#goldens[@]} -lt 3 ]; then
	mapfile -t goldens < <(ls tests/run/*.out | head -n 6 | sed 's/\.out$/.stp/')
fi
out=$(bash tests/run-tests.sh "$bin/stap" "${goldens[@]}" 2>&1)
if [ $? -eq 0 ]; then pass "golden-installed (${#goldens[@]})"; else fail golden-installed "$out"; fi

# ---- man pages ----
# groff once over every page (it names the file of each warning); man -l,
# a pipeline per page, on the written pages and one generated page of each
# kind.
pages=("$man"/man1/* "$man"/man8/* "$man"/man3/*)
if ! command -v groff >/dev/null; then
	skip groff-ww "no groff (groff-base)"
elif warn=$(groff -ww -man -Tutf8 -z "${pages[@]}" 2>&1) && [ -z "$warn" ] &&
	[ ${#pages[@]} -gt 100 ]; then
	pass "groff-ww (${#pages[@]} pages)"
else
	fail groff-ww "$warn"
fi
if command -v man >/dev/null; then
	bad=()
	for page in man1/stap.1 man8/staprun.8 man3/stapprobes.3stap man3/function::execname.3stap \
		man3/function::ansi_set_color.3stap man3/probe::scheduler.cpu_off.3stap \
		man3/tapset::context.3stap; do
		warn=$(MANWIDTH=80 MAN_KEEP_STDERR=1 man -l "$man/$page" 2>&1 >/dev/null)
		[ $? -eq 0 ] && [ -z "$warn" ] || bad+=("$page: $warn")
	done
	if [ ${#bad[@]} -eq 0 ]; then pass man-l; else fail man-l "${bad[@]}"; fi
	for name in stap staprun stapprobes function::execname probe::scheduler.cpu_off; do
		found=$(man -M "$man" -w "$name" 2>&1)
		case $found in
		"$man"/*) pass "man-finds-$name" ;;
		*) fail "man-finds-$name" "$found" ;;
		esac
	done
else
	skip man-l "no man command"
fi

# Every public function and probe alias of the installed library has its
# page, and every reference page names something the library defines.
want=$(mktemp -p "$tmp")
{
	cd / && "${user_env[@]}" "$bin/stap" --dump-functions |
		sed -n 's/^\([A-Za-z][A-Za-z0-9_]*\)[:( ].*/function::\1/p'
	cat "$dest$prefix"/share/stap-ebpf/tapset/*.stp |
		sed -n 's/^probe[[:space:]]\{1,\}\([A-Za-z][A-Za-z0-9_.]*\)[[:space:]]*+\{0,1\}=.*/probe::\1/p' |
		grep -v '\._'
} | sort -u > "$want"
have=$(cd "$man/man3" && ls | sed -n 's/^\(\(function\|probe\)::.*\)\.3stap$/\1/p' | sort -u)
missing=$(comm -23 "$want" <(printf '%s\n' "$have"))
stale=$(comm -13 "$want" <(printf '%s\n' "$have"))
if [ -z "$missing" ] && [ -z "$stale" ] && [ "$(wc -l < "$want")" -gt 100 ]; then
	pass "reference-pages ($(wc -l < "$want"))"
else
	fail reference-pages ${missing:+"no page for:" $missing} ${stale:+"page of nothing:" $stale}
fi

# --help and stap(1) name the same options; the parser accepts no option
# --help leaves out.
help_opts=$("$bin/stap" --help | grep -oE '(^|[[:space:]])--?[A-Za-z][-A-Za-z]*' | tr -d ' \t' | sort -u)
man_opts=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man/man1/stap.1" | grep -A1 '^\.TP' |
	grep -E '^\.B' | sed 's/\\-/-/g' | grep -oE '(^|[ "])--?[A-Za-z][-A-Za-z]*' | tr -d ' "' | sort -u)
diff_opts=$(diff <(printf '%s\n' "$help_opts") <(printf '%s\n' "$man_opts"))
if [ -z "$diff_opts" ] && [ "$(printf '%s\n' "$help_opts" | wc -l)" -gt 30 ]; then
	pass "help-matches-man ($(printf '%s\n' "$help_opts" | wc -l) options)"
else
	fail help-matches-man "< stap --help, > stap.1" "$diff_opts"
fi
# staprun's usage line and staprun(8) likewise
run_opts=$("$bin/staprun" 2>&1 | grep -oE '\[-[A-Za-z]' | tr -d '[' | sort -u)
run_man=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man/man8/staprun.8" | grep -A1 '^\.TP' |
	grep -E '^\.B' | sed 's/\\-/-/g' | grep -oE '(^|[ "])-[A-Za-z]' | tr -d ' "' | sort -u)
if [ -n "$run_opts" ] && [ "$run_opts" = "$run_man" ]; then
	pass staprun-help-matches-man
else
	fail staprun-help-matches-man "usage:" $run_opts "staprun.8:" $run_man
fi
letters=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' src/main.c | tr -d ':' | fold -w1)
longs=$(sed -n 's/^[[:space:]]*{"\([a-z-]*\)", [a-z_]*_argument.*/--\1/p' src/main.c)
undocumented=()
for o in $(printf -- '-%s\n' $letters) $longs; do
	printf '%s\n' "$help_opts" | grep -qx -- "$o" || undocumented+=("$o")
done
if [ -n "$letters" ] && [ -n "$longs" ] && [ ${#undocumented[@]} -eq 0 ]; then
	pass parser-options-in-help
else
	fail parser-options-in-help "accepted but not in --help: ${undocumented[*]}"
fi

# ---- bash completion ----
completion_out=$(PATH="$bin:$PATH" bash -c '
	source "$1"
	t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _stap 2>/dev/null
		printf "%s|" "${COMPREPLY[@]}"; echo; }
	t stap --dump-f
	t stap --runtime=b
	t stap -l "kernel.trace(\"sched:sched_proc*_ex"
	t stap -e "probe begin { print(execn"
	t stap -e "probe sche"
' _ "$dest$prefix/share/bash-completion/completions/stap" 2>&1)
expected='--dump-functions|
--runtime=bpf|
kernel.trace("sched:sched_process_exec")|kernel.trace("sched:sched_process_exit")|
probe begin { print(execname|
probe scheduler.|'
if [ "$(id -u)" -ne 0 ] && [ ! -r /sys/kernel/tracing/available_events ]; then
	expected=$(printf '%s\n' "$expected" | grep -v sched_process)
	completion_out=$(printf '%s\n' "$completion_out" | grep -v sched_process)
fi
if [ "$completion_out" = "$expected" ]; then pass completion; else
	fail completion "expected:" "$expected" "got:" "$completion_out"; fi

# ---- uninstall ----
out=$(make "${make_args[@]}" uninstall DESTDIR="$dest" PREFIX=$prefix 2>&1)
left=$(find "$dest" -not -type d)
if [ -z "$left" ]; then pass uninstall; else fail uninstall "$out" "left behind:" "$left"; fi

# ---- the Debian package ----
if [ ! -f scripts/build-deb.sh ]; then
	skip deb "no scripts/build-deb.sh"
elif ! command -v dpkg-deb >/dev/null || ! command -v dpkg >/dev/null; then
	skip deb "no dpkg-deb"
else
	deb=$(WERROR= bash scripts/build-deb.sh "$tmp/deb" 2>&1 | tail -n 1)
	if [ ! -f "$deb" ]; then
		fail deb-build "$deb"
	else
		pass deb-build
		contents=$(dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|')
		control=$(dpkg-deb --field "$deb" Package Depends)
		bad=()
		for f in /usr/lib/stap-ebpf/bin/stap /usr/lib/stap-ebpf/bin/staprun /usr/bin/stap-ebpf \
			/usr/bin/staprun-ebpf /usr/lib/stap-ebpf/share/stap-ebpf/tapset/context.stp \
			/usr/lib/stap-ebpf/share/stap-ebpf/runtime/include/stp_bpf.h \
			/usr/lib/stap-ebpf/share/man/man1/stap.1.gz \
			/usr/lib/stap-ebpf/share/man/man3/function::execname.3stap.gz \
			/usr/share/man/man1/stap-ebpf.1.gz /usr/share/bash-completion/completions/stap-ebpf; do
			printf '%s\n' "$contents" | grep -qx -- "$f" || bad+=("not in the package: $f")
		done
		# beside the original: none of the systemtap packages' files
		for f in /usr/bin/stap /usr/bin/staprun /usr/share/man/man1/stap.1.gz \
			/usr/share/bash-completion/completions/stap; do
			printf '%s\n' "$contents" | grep -qx -- "$f" && bad+=("shared with systemtap: $f")
		done
		for d in clang libbpf libelf1 libdw1 libc6-dev linux-libc-dev; do
			printf '%s\n' "$control" | grep -q "$d" || bad+=("Depends lacks $d")
		done
		if [ ${#bad[@]} -eq 0 ]; then pass deb-contents; else fail deb-contents "${bad[@]}"; fi

		# installed and removed in an empty root: dpkg's own database
		# there, dependencies not present in it (--force-depends)
		r=$tmp/root
		mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/usr/bin"
		: > "$r/var/lib/dpkg/status"
		: > "$r/var/lib/dpkg/available"
		if out=$(dpkg --root="$r" --force-depends --force-not-root --log=/dev/null \
			-i "$deb" 2>&1); then
			ok=1
			for f in /usr/bin/stap-ebpf /usr/lib/stap-ebpf/share/stap-ebpf/tapset/context.stp; do
				[ -e "$r$f" ] || { ok=0; out+=$'\n'"missing $f"; }
			done
			got=$(cd / && "${user_env[@]}" "$r/usr/bin/stap-ebpf" \
				-e 'probe begin { println(execname()) exit() }' 2>&1)
			[ "$got" = stap-ebpf ] || { ok=0; out+=$'\n'"stap-ebpf from the package printed: $got"; }
			if [ $ok = 1 ]; then pass deb-install; else fail deb-install "$out"; fi
		else
			fail deb-install "$out"
		fi
		out=$(dpkg --root="$r" --force-not-root --log=/dev/null --purge stap-ebpf 2>&1)
		left=$(find "$r" -not -type d -not -path "$r/var/lib/dpkg/*")
		if [ -z "$left" ] && ! grep -q 'Package: stap-ebpf' "$r/var/lib/dpkg/status"; then
			pass deb-remove
		else
			fail deb-remove "$out" "left behind:" "$left"
		fi
	fi
fi

echo "install: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
