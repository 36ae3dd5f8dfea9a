#!/bin/bash
# emu.sh [STAP-OPTS...] SCRIPT [ARGS...]
# Run a script the way the original SystemTap 4.8 kernel runtime would:
# the original translator (reference-stap -p3 -k) writes the module's C; it is
# compiled for user space against the original runtime's portable code
# (vsprintf.c, map*.c, stat*.c, stp_string.c, arith.c...) plus the shims of
# setup.sh, and run: begin probes, timers on a simulated clock, end and error
# probes.  stdout is the module's output; stderr is what stap would print:
# pass-2 warnings, module messages (ERROR lines; WARNING lines deduplicated as
# staprun does) and, when the run fails, the driver's two closing lines.
# Exit status: the module's (0 or 1); 97 = the script would never end by
# itself; 98 = harness compile failure; 99 = the translator refused the script.
set -u
dir=${STAP_EMU_DIR:-/tmp/stap-emu}
ref=${REFERENCE_STAP:-/work/shared/tools/reference-stap}
[ -d "$dir/rt" ] || "$(dirname "${BASH_SOURCE[0]}")/setup.sh" "$dir" >/dev/null
work=$(mktemp -d /tmp/emuw.XXXXXX)
"$ref" -p3 -k "$@" </dev/null >"$work/gen.c" 2>"$work/p3.err"
rc=$?
tmpd=$(grep -o '"/tmp/stap[A-Za-z0-9]*"' "$work/p3.err" | tr -d '"' | head -1)
grep -v '^Keeping temporary directory\|README.Debian' "$work/p3.err" >"$work/warn.err"
if [ $rc -ne 0 ]; then cat "$work/warn.err" >&2; rm -rf "$work" "$tmpd"; exit 99; fi
cp "$tmpd/stap_common.h" "$work/"; rm -rf "$tmpd"
dopts=(); prev=; params=; outfile=
for a in "$@"; do
	if [ "$prev" = -D ]; then dopts+=("-D$a"); fi
	if [ "$prev" = -G ]; then params+="$a"$'\n'; fi
	if [ "$prev" = -o ]; then outfile=$a; fi
	case $a in -D) ;; -D*) dopts+=("$a") ;; esac
	case $a in -G) ;; -G*) params+="${a#-G}"$'\n' ;; esac
	prev=$a
done
export EMU_PARAMS="$params"
if [ -n "$outfile" ]; then export EMU_OUTPUT="$outfile"; else unset EMU_OUTPUT; fi
cat "$dir/main.c" >>"$work/gen.c"
if ! gcc -w -O0 -g -fwrapv -fno-strict-aliasing -D__DYNINST__ -DEMU "${dopts[@]}" \
	-I"$work" -I"$dir/rt" -I"$dir/sys" -o "$work/mod" "$work/gen.c" 2>"$work/cc.err"; then
	head -40 "$work/cc.err" >&2; echo "EMU: compile failed ($work)" >&2; exit 98
fi
cat "$work/warn.err" >&2
timeout 60 "$work/mod"; rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 97 ]; then
	echo "WARNING: /usr/bin/staprun exited with status: $rc" >&2
	echo "Pass 5: run failed.  [man error::pass5]" >&2
fi
rm -rf "$work"
exit $rc
