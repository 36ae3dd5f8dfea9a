# the client of overflow.stp (run with -DMAXERRORS=5); prints on stderr
exec 1>&2
D=${1:-$(ls -d /proc/systemtap/*/ | head -1)}
v=$(cat "$D/small")
sleep 1
echo "[$v]"
v=$(cat "$D/e")
sleep 1
echo "[$v]"
cat "$D/after"
