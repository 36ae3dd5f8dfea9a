#!/usr/bin/env bash
# The Prometheus exporter (docs/exporter.md) from a real HTTP client.
# tests/exporter.sh STAP (stap-exporter is found beside it)
# tests/exporter/prom.stp: its __prometheus file under stap (as the original
# printed it, tests/exporter/prom.out), then over HTTP with curl: the status,
# the headers, the same lines, each line held to the Prometheus text
# format's rules; unknown scripts, other methods and paths out of the
# script directory refused; the session ended with the exporter.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/bounded.sh"
stap=$(realpath "$1")
exporter=$(dirname "$stap")/stap-exporter
src=$(realpath "$(dirname "${BASH_SOURCE[0]}")/exporter")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SYSTEMTAP_DIR=$tmp/sysdir
cd "$tmp" || exit 2
passed=0
failed=0
skipped=0
base=/var/tmp/systemtap-$(id -un)
ok() { passed=$((passed + 1)); [ -n "${VERBOSE:-}" ] && echo "PASS exporter/$1"; return 0; }
bad() { failed=$((failed + 1)); echo "FAIL exporter/$1: $2"; return 0; }
skip() { skipped=$((skipped + 1)); echo "SKIP exporter/$1: $2"; return 0; }

# the file itself, read by a client of the session
mod=prom_test_$$
run_stap -m "$mod" -c "sh $src/prom.sh $base/$mod" "$src/prom.stp" >out 2>err
if diff -u "$src/prom.out" err >diff.txt; then ok procfs-file; else bad procfs-file "$(cat diff.txt)"; fi

if ! command -v curl >/dev/null; then
	skip http "no curl (apt-get install curl)"
	echo "exporter: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit
fi
[ -x "$exporter" ] || { bad http "no $exporter (make builds it)"; exit 1; }
mkdir scripts
cp "$src/prom.stp" scripts/prom.stp
port=$((20000 + $$ % 20000))
background_untrapped timeout -k 40 300 "$exporter" -p "$port" -s scripts --stap "$stap" 2>exporter.log
pid=$bg_pid
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
curl -s -D head.txt -o body.txt --max-time 100 "http://127.0.0.1:$port/prom.stp"
tr -d '\r' <head.txt >h.txt
if head -1 h.txt | grep -qx 'HTTP/1.0 200 OK' && grep -qx 'Content-Type: text/plain; version=0.0.4' h.txt &&
	grep -qx "Content-Length: $(wc -c <body.txt)" h.txt; then
	ok http-headers
else
	bad http-headers "$(cat h.txt)"
fi
if [ "$(sed 1d "$src/prom.out")" = "$(sort body.txt)" ]; then ok http-body; else bad http-body "$(cat body.txt)"; fi
# the text format: name{label="value",...} number, label values escaping
# only \\, \" and \n
name='[a-zA-Z_:][a-zA-Z0-9_:]*'
label='[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\[\\"n])*"'
if [ -s body.txt ] && ! grep -Evx "$name(\{$label(,$label)*\})? -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?" body.txt >bad.txt; then
	ok text-format
else
	bad text-format "lines breaking the rules: $(cat bad.txt)"
fi
# a second scrape is served by the same session
curl -s -o body2.txt --max-time 30 "http://127.0.0.1:$port/prom.stp"
if cmp -s body.txt body2.txt && [ "$(pgrep -c -f "stap -m exporter_prom ")" = 1 ]; then ok second-scrape; else bad second-scrape "$(cat body2.txt)"; fi
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
[ "$(code "http://127.0.0.1:$port/nosuch.stp")" = 404 ] && ok unknown-404 || bad unknown-404 "not 404"
[ "$(code --path-as-is "http://127.0.0.1:$port/../scripts/prom.stp")" = 404 ] && ok dotdot-404 || bad dotdot-404 "not 404"
[ "$(code -X POST "http://127.0.0.1:$port/prom.stp")" = 405 ] && ok post-405 || bad post-405 "not 405"
kill -TERM "$pid"
wait "$pid"
# the sessions end as stap does on SIGTERM (their end probes, removing the
# files); a loaded machine may take a while
for _ in $(seq 1 100); do
	[ ! -e "$base/exporter_prom" ] && ! pgrep -f "stap -m exporter_prom " >/dev/null && break
	sleep 0.2
done
if [ ! -e "$base/exporter_prom" ] && ! pgrep -f "stap -m exporter_prom " >/dev/null; then
	ok sessions-ended
else
	bad sessions-ended "a session is left"
fi
echo "exporter: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
