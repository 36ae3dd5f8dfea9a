# the client of basic.stp: $1 is the session's directory (the original's
# /proc/systemtap/MODNAME/ without it); prints on stderr
exec 1>&2
D=${1:-$(ls -d /proc/systemtap/*/ | head -1)}
for f in bar big command foo r3 w2; do echo "$(stat -c %A "$D/$f" | cut -c2-) $f"; done
cat "$D/foo"
echo hello >"$D/bar"
cat "$D/foo"
printf 'abc' >"$D/bar"
cat "$D/command"
cat "$D/r3"
cat "$D/big" | wc -c
cat "$D/big" | tail -2
printf 'a\nb\n' >"$D/w2"
sleep 0.3
: >"$D/w2"
(printf 'part1'; sleep 0.3; printf 'part2') >"$D/w2"
dd if="$D/foo" bs=1 count=3 2>/dev/null
echo
sleep 0.3
