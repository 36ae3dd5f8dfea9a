#!/usr/bin/env bash
# The bench: the cost per event that stap, bpftrace and a hand-written libbpf
# tracer add to one tracepoint (syscalls:sys_enter_getppid), for three
# workloads, measured in the same run and interleaved; then the startup time
# of `stap -e 'probe begin{exit()}'` against bpftrace's `BEGIN { exit(); }`.
#
#   bash bench/run.sh          (as root; bench/README.md says how to read it)
#
# For each workload (global, comm, printf) there are ROUNDS rounds.  A round
# runs bench/build/workload under each tracer, in an order rotated from
# round to round, with a baseline run (nothing attached) before the first
# tracer and after each one: B T1 B T2 B T3 B.  The added cost of a tracer
# is its ns/call minus the mean of the two baselines around it, so that a
# machine that is slower for a while (other work on it) slows both.  A
# tracer counts as started when `bpftool perf` shows a program on
# sys_enter_getppid owned by its process group, not after a fixed sleep;
# one that exits first (a stap that cannot run kernel probes, or not this
# script, yet) is "n/a" for that workload and the rest goes on.  Every
# tracer is stopped with SIGINT (SIGTERM, then SIGKILL if it does not exit),
# and the script checks that nothing is left on the tracepoint.
#
# Environment (defaults in brackets):
#   ROUNDS [5]           rounds per workload
#   CALLS [500000]       calls per run, global and comm workloads
#   PRINTF_CALLS [200000] calls per run, printf workload (waking the
#                        consumer makes a call up to ~15x slower)
#   PRINTF_RATE [50000]  events/s of the paced printf loss test (0: skip)
#   PRINTF_PACED_CALLS [100000]
#   STARTUP_RUNS [10]    runs of each startup command
#   BPF_STATS [1]        one extra run per tracer with kernel.bpf_stats_enabled
#                        to read the program's own ns/run (0: skip)
#   WORKLOADS ["global comm printf"], TOOLS ["libbpf bpftrace stap"]
#   STAP [build/stap], BPFTRACE [bpftrace], HYPERFINE [hyperfine] (a name
#                        that is not a command: a shell loop instead)
#   BENCH_CPU [last CPU] the CPU the workload is pinned to; tracers run on
#                        the others
#   BENCH_NO_DEPS [0]    1: do not run bench/deps.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$here/build

ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-500000}
PRINTF_CALLS=${PRINTF_CALLS:-200000}
PRINTF_RATE=${PRINTF_RATE:-50000}
PRINTF_PACED_CALLS=${PRINTF_PACED_CALLS:-100000}
STARTUP_RUNS=${STARTUP_RUNS:-10}
BPF_STATS=${BPF_STATS:-1}
WORKLOADS=${WORKLOADS:-global comm printf}
TOOLS=${TOOLS:-libbpf bpftrace stap}
STAP=${STAP:-$root/build/stap}
BPFTRACE=${BPFTRACE:-bpftrace}
HYPERFINE=${HYPERFINE:-hyperfine}
ATTACH_TIMEOUT=${ATTACH_TIMEOUT:-60}
ncpus=$(nproc)
BENCH_CPU=${BENCH_CPU:-$((ncpus - 1))}

log() { echo "bench: $*" >&2; }
# BENCH_VERBOSE=1: every start, attach and stop, with the time
vlog() { [ "${BENCH_VERBOSE:-0}" != 1 ] || echo "bench: $(date +%T.%N | cut -c1-12) $*" >&2; }
die() {
	log "$*"
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (BPF programs are loaded)"
[ "${BENCH_NO_DEPS:-0}" = 1 ] || bash "$here/deps.sh"
make -s -C "$here" >&2 || die "building bench/ failed"
if [ ! -x "$STAP" ] && [ "$STAP" = "$root/build/stap" ]; then
	log "no $STAP: trying make in $root"
	make -s -C "$root" >&2 || log "make failed: the stap column will be n/a"
fi

tracing=/sys/kernel/tracing
if [ ! -d $tracing/events ]; then
	mount -t tracefs nodev $tracing || die "cannot mount tracefs at $tracing"
fi
[ -d $tracing/events/syscalls/sys_enter_getppid ] ||
	die "no tracepoint syscalls:sys_enter_getppid (kernel without CONFIG_FTRACE_SYSCALLS?)"

# Tracers run on every CPU but the workload's.
tracer_cpus=
if [ "$ncpus" -gt 1 ]; then
	tracer_cpus=$(seq 0 $((ncpus - 1)) | grep -vx "$BENCH_CPU" | paste -sd, -)
fi
# The prefix of a tracer's command line: its own process group (setsid does
# not fork here, so $! is the tracer's pid and the group's id), SIGINT back
# to its default (bash starts background commands with it ignored), pinned.
launch=(setsid env --default-signal=INT)
[ -z "$tracer_cpus" ] || launch+=(taskset -c "$tracer_cpus")

tmp=$(mktemp -d /dev/shm/stap-bench.XXXXXX 2>/dev/null || mktemp -d)
export SYSTEMTAP_DIR=$tmp/systemtap # stap's module cache, private to this run
tracer_pid=
tracer_name=
old_bpf_stats=

# -- stopping and cleaning up ------------------------------------------------

# wait_gone PID SECONDS: 0 once PID has exited, 1 if it is still there.
wait_gone() {
	local pid=$1 ticks=$(($2 * 20))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$ticks" -le 0 ] && return 1
		ticks=$((ticks - 1))
		sleep 0.05
	done
	return 0
}

stop_tracer() {
	local pid=$tracer_pid
	[ -n "$pid" ] || return 0
	vlog "stopping $tracer_name"
	# The signals go to the tracer's process group (its id is the pid), so
	# that helpers it started go too.  bpftrace 0.17 now and then sits on
	# a SIGINT; it handles SIGTERM as gracefully (prints its maps).
	kill -INT -- "-$pid" 2>/dev/null || true
	if ! wait_gone "$pid" 5; then
		log "$tracer_name (pid $pid) ignored SIGINT for 5 s: SIGTERM"
		kill -TERM -- "-$pid" 2>/dev/null || true
		if ! wait_gone "$pid" 5; then
			log "$tracer_name (pid $pid) ignored SIGTERM for 5 s: SIGKILL"
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
	# whatever of the group outlived its leader
	kill -KILL -- "-$pid" 2>/dev/null || true
	# only now: a signal that interrupts us above leaves the cleanup to
	# stop it again
	tracer_pid=
	vlog "stopped $tracer_name"
}

cleanup() {
	# Nothing may stop the cleanup, not a closed stdout or stderr either.
	trap '' PIPE HUP INT TERM
	exec >/dev/null 2>&1
	stop_tracer
	if [ -n "$old_bpf_stats" ]; then
		echo "$old_bpf_stats" >/proc/sys/kernel/bpf_stats_enabled || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
# Fatal signals go through the EXIT trap too (an untrapped one would skip it
# and leave a tracer attached, or bpf_stats on).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# Programs on sys_enter_getppid, one "PID PROG_ID" a line.
attachments() {
	bpftool perf 2>/dev/null |
		awk '/sys_enter_getppid/ { for (i = 1; i < NF; i++) if ($i == "prog_id") print $2, $(i + 1) }'
}
attached_count() { attachments | wc -l; }

# group_prog_ids PGID: the ids of the programs on sys_enter_getppid whose
# perf event is held by a process of group PGID.
group_prog_ids() {
	local pid id
	attachments | while read -r pid id; do
		# the group is the 5th field of /proc/PID/stat, counting from the
		# ")" that closes the command name
		[ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f3)" = "$1" ] && echo "$id"
	done
	return 0
}

# wait_detached: until no program is on sys_enter_getppid (the kernel may
# release a perf event a little after its owner exits); warns after 3 s.
wait_detached() {
	local ticks=30 left
	while :; do
		left=$(attached_count)
		[ "$left" -eq 0 ] && return 0
		ticks=$((ticks - 1))
		if [ "$ticks" -le 0 ]; then
			log "warning: after stopping $tracer_name, $left program(s) on sys_enter_getppid"
			return 0
		fi
		sleep 0.1
	done
}

# -- the tracers ---------------------------------------------------------------

# tracer_cmd TOOL WORKLOAD OUT: the command line, output (script output, or
# the printf lines) going to OUT.
tracer_cmd() {
	local tool=$1 workload=$2 out=$3 mode
	case $tool in
	libbpf)
		case $workload in
		global) mode="count" ;; comm) mode="comm" ;; printf) mode="ringbuf" ;;
		esac
		echo "$build/loader $mode $build $out"
		;;
	bpftrace) echo "$BPFTRACE -o $out $here/bpftrace/$workload.bt" ;;
	stap) echo "$STAP $here/stap/$workload.stp -o $out" ;;
	esac
}

# settle PID: until PID's CPU time has not grown for 0.1 s (at most 3 s):
# a tracer still busy setting up after attaching (threads, buffers) would
# compete with the workload, on a 2-CPU machine, for what the CPUs share.
settle() {
	local last=-1 now ticks=30
	while [ "$ticks" -gt 0 ]; do
		# utime + stime: the 14th and 15th fields of /proc/PID/stat
		now=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		[ -n "$now" ] || return 0
		[ "$now" = "$last" ] && return 0
		last=$now
		ticks=$((ticks - 1))
		sleep 0.1
	done
}

# start_tracer TOOL WORKLOAD PREFIX: starts it and waits until its program is
# on the tracepoint; the time that took is left in attach_ms.  Its files are
# PREFIX.out (script output), PREFIX.stdout and PREFIX.stderr.  Returns 1,
# with the reason in PREFIX.reason, if it exited or did not attach within
# ATTACH_TIMEOUT seconds.
start_tracer() {
	local tool=$1 workload=$2 prefix=$3
	local before ticks cmd rc launched
	before=$(attached_count)
	[ "$before" -eq 0 ] || log "warning: $before program(s) of others on sys_enter_getppid"
	if [ "$tool" = stap ] && [ ! -x "$STAP" ]; then
		echo "no $STAP" >"$prefix.reason"
		return 1
	fi
	read -ra cmd <<<"$(tracer_cmd "$tool" "$workload" "$prefix.out")"
	launched=$(date +%s%N)
	"${launch[@]}" "${cmd[@]}" >"$prefix.stdout" 2>"$prefix.stderr" &
	tracer_pid=$!
	tracer_name="$tool ($workload)"
	vlog "started $tracer_name"
	ticks=$((ATTACH_TIMEOUT * 40))
	while :; do
		if ! kill -0 "$tracer_pid" 2>/dev/null; then
			wait "$tracer_pid" && rc=0 || rc=$?
			tracer_pid=
			{
				if [ "$rc" -gt 128 ]; then
					echo -n "killed by signal $((rc - 128)) before attaching: "
				else
					echo -n "exited with status $rc before attaching: "
				fi
				grep -v -e '^ *$' -e 'RLIMIT_MEMLOCK' "$prefix.stderr" | head -1 | grep . ||
					echo "(nothing on stderr)"
			} >"$prefix.reason"
			return 1
		fi
		if [ -n "$(group_prog_ids "$tracer_pid")" ]; then
			attach_ms=$((($(date +%s%N) - launched) / 1000000))
			vlog "attached $tracer_name"
			settle "$tracer_pid"
			return 0
		fi
		ticks=$((ticks - 1))
		if [ "$ticks" -le 0 ]; then
			stop_tracer
			echo "not attached after ${ATTACH_TIMEOUT}s" >"$prefix.reason"
			return 1
		fi
		sleep 0.01
	done
}

# wait_drained FILE PID EXPECTED: until FILE holds EXPECTED lines of PID,
# or their number has not grown for 0.5 s (at most 60 s), so that a consumer
# still working through its buffer gets to finish.  Lines, not the file's
# size: other processes' getppid calls (ours among them) go on adding lines.
wait_drained() {
	local file=$1 pid=$2 expected=$3 last=-1 lines stable=0 ticks=600
	while [ "$stable" -lt 5 ] && [ "$ticks" -gt 0 ]; do
		lines=$(grep -c "^$pid " "$file" 2>/dev/null || true)
		[ "${lines:-0}" -ge "$expected" ] && return 0
		if [ "$lines" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
		last=$lines
		ticks=$((ticks - 1))
		sleep 0.1
	done
}

# tracer_count TOOL WORKLOAD PREFIX: what the tracer counted for the workload
# process (its comm is "workload").
tracer_count() {
	local tool=$1 workload=$2 prefix=$3
	case $tool/$workload in
	libbpf/global) awk '$1 == "count" { print $2 }' "$prefix.stdout" ;;
	libbpf/comm) awk '$1 == "comm" && $2 == "workload" { print $3 }' "$prefix.stdout" ;;
	bpftrace/global) awk '$1 == "@:" { print $2 }' "$prefix.out" ;;
	bpftrace/comm) awk '$1 == "@[workload]:" { print $2 }' "$prefix.out" ;;
	stap/global) awk '$1 == "count" { print $2 }' "$prefix.out" ;;
	stap/comm) awk '$1 == "comm" && $2 == "workload" { print $3 }' "$prefix.out" ;;
	esac | tail -1 || true
}

# reported_lost TOOL PREFIX: the events the tracer says it lost.
reported_lost() {
	local tool=$1 prefix=$2
	case $tool in
	libbpf) awk '$1 == "records" { print $4 }' "$prefix.stdout" ;;
	# bpftrace prints "Lost N events" into its output when the perf buffer
	# overflowed; SystemTap's words are "There were N transport failures"
	# (and its bpf backend's "lost N"), so look for both for stap.
	bpftrace | stap)
		cat "$prefix.out" "$prefix.stdout" "$prefix.stderr" 2>/dev/null |
			grep -v '^[0-9]* workload$' |
			grep -Eio 'lost [0-9]+|[0-9]+ transport failures' | grep -Eo '[0-9]+' |
			awk '{ n += $1 } END { print n + 0 }' || true
		;;
	esac
}

# keep_logs PREFIX: the tracer's stdout and stderr go to results/logs/.
logs=$here/results/logs
rm -rf "$logs"
mkdir -p "$logs"
keep_logs() {
	local f
	for f in "$1".stdout "$1".stderr "$1".reason; do
		[ -s "$f" ] && cp "$f" "$logs/"
	done
	return 0
}

# -- one measured run ------------------------------------------------------------

# One row a run: workload round tool ns_per_call baseline_ns count expected
# delivered lost events_per_s attach_ms mean_ns p10_ns ("-": does not
# apply).  ns_per_call is the median chunk's; mean_ns is over all the calls,
# p10_ns the 10th percentile chunk's.
raw=$tmp/raw.tsv
: >"$raw"
declare -A na_reason=()
attach_ms=
base_ns=  # the last baseline's ns/call
tracer_row= # the last tracer run, without its baseline yet

# field NAME LINE: the value after NAME in the workload's output line.
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$2"; }

workload_args() {
	local workload=$1 rate=$2 calls=$CALLS
	[ "$workload" = printf ] && calls=$PRINTF_CALLS
	[ "$rate" -gt 0 ] && calls=$PRINTF_PACED_CALLS
	echo "-n $calls -c $BENCH_CPU"
	[ "$rate" -gt 0 ] && echo "-r $rate"
	return 0
}

# run_baseline WORKLOAD ROUND: a run with nothing attached; base_ns.
run_baseline() {
	local line
	# shellcheck disable=SC2046 # the arguments are split on purpose
	line=$("$build/workload" $(workload_args "$1" 0))
	base_ns=$(field median_ns "$line")
	printf '%s\t%s\tbaseline\t%s\t-\t-\t-\t-\t-\t-\t-\t%s\t%s\n' "$1" "$2" "$base_ns" \
		"$(field mean_ns "$line")" "$(field p10_ns "$line")" >>"$raw"
}

# group_hwm PGID: the peak resident memory (VmHWM, kB) of the processes of a
# tracer's process group, added up.
group_hwm() {
	local kb=0 p v
	for p in $(pgrep -g "$1"); do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		kb=$((kb + ${v:-0}))
	done
	echo "$kb"
}

# run_tracer WORKLOAD ROUND TOOL [RATE]: a run under TOOL; returns 1 if TOOL
# cannot run (the reason goes to na_reason), else leaves the row, less its
# baseline, in tracer_row.  RATE paces the calls (the printf loss test).
# Not to be called in $(...), which would lose na_reason and tracer_pid.
run_tracer() {
	local workload=$1 round=$2 tool=$3 rate=${4:-0}
	local prefix=$tmp/$workload.$round.$tool line
	[ -z "${na_reason[$workload/$tool]:-}" ] || return 1
	if ! start_tracer "$tool" "$workload" "$prefix"; then
		na_reason[$workload/$tool]=$(cat "$prefix.reason")
		keep_logs "$prefix"
		log "$tool, $workload: n/a: ${na_reason[$workload/$tool]}"
		return 1
	fi
	# shellcheck disable=SC2046 # the arguments are split on purpose
	line=$("$build/workload" $(workload_args "$workload" "$rate"))
	local ns expected count=- delivered=- lost=- pid evrate left rss_kb
	ns=$(field median_ns "$line")
	pid=$(field pid "$line")
	expected=$(($(field warmup "$line") + $(field calls "$line")))
	[ "$workload" = printf ] && wait_drained "$prefix.out" "$pid" "$expected"
	rss_kb=$(group_hwm "$tracer_pid")
	stop_tracer
	wait_detached

	evrate=$(awk -v n="$(field calls "$line")" -v s="$(field seconds "$line")" \
		'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	if [ "$workload" = printf ]; then
		delivered=$(grep -c "^$pid " "$prefix.out" 2>/dev/null || true)
		lost=$(reported_lost "$tool" "$prefix")
	else
		count=$(tracer_count "$tool" "$workload" "$prefix")
		[ -n "$count" ] || count=0
	fi
	rm -f "$prefix.out" # printf output can be large; it lives in /dev/shm
	keep_logs "$prefix"
	tracer_row=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$workload" \
		"$round" "$tool" "$ns" "$count" "$expected" "${delivered:-0}" "${lost:-0}" "$evrate" \
		"$attach_ms" "$(field mean_ns "$line")" "$(field p10_ns "$line")" "$rss_kb")
	return 0
}

# put_row ROW BASELINE: ROW with BASELINE put in as the 5th field, to $raw.
put_row() {
	awk -F'\t' -v OFS='\t' -v b="$2" '{ $4 = $4 OFS b; print }' <<<"$1" >>"$raw"
}

# -- the rounds ------------------------------------------------------------------

started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "workload on CPU $BENCH_CPU, tracers on CPU(s) ${tracer_cpus:-all}; $ROUNDS rounds"

read -ra tools <<<"$TOOLS"
for workload in $WORKLOADS; do
	for ((round = 1; round <= ROUNDS; round++)); do
		shift_by=$(((round - 1) % ${#tools[@]}))
		rotated=("${tools[@]:shift_by}" "${tools[@]:0:shift_by}")
		run_baseline "$workload" "$round"
		summary="$workload round $round/$ROUNDS: base $base_ns"
		for tool in "${rotated[@]}"; do
			if ! run_tracer "$workload" "$round" "$tool"; then
				summary+=" $tool n/a"
				continue
			fi
			before_ns=$base_ns
			run_baseline "$workload" "$round"
			put_row "$tracer_row" "$(awk -v a="$before_ns" -v b="$base_ns" 'BEGIN { printf "%.2f", (a + b) / 2 }')"
			summary+=" $tool $(cut -f4 <<<"$tracer_row") base $base_ns"
		done
		log "$summary ($(($(date +%s) - started)) s)"
	done
	if [ "$workload" = printf ] && [ "$PRINTF_RATE" -gt 0 ]; then
		summary="printf paced at $PRINTF_RATE/s:"
		for tool in "${tools[@]}"; do
			if run_tracer printf paced "$tool" "$PRINTF_RATE"; then
				put_row "$tracer_row" -
				summary+=" $tool done"
			else
				summary+=" $tool n/a"
			fi
		done
		log "$summary ($(($(date +%s) - started)) s)"
	fi
done

# -- the program's own cost (bpf_stats) ---------------------------------------------

stats=$tmp/stats.tsv # workload tool ns_per_run
: >"$stats"
if [ "$BPF_STATS" = 1 ] && [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	old_bpf_stats=$(cat /proc/sys/kernel/bpf_stats_enabled)
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	for workload in $WORKLOADS; do
		calls=$((CALLS / 2))
		[ "$workload" = printf ] && calls=$((PRINTF_CALLS / 4))
		for tool in "${tools[@]}"; do
			[ -z "${na_reason[$workload/$tool]:-}" ] || continue
			prefix=$tmp/$workload.stats.$tool
			start_tracer "$tool" "$workload" "$prefix" || continue
			ids=$(group_prog_ids "$tracer_pid" | sort -u)
			line=$("$build/workload" -n "$calls" -c "$BENCH_CPU")
			per_run=$(for id in $ids; do bpftool prog show id "$id" 2>/dev/null; done |
				grep -Eo 'run_time_ns [0-9]+ run_cnt [0-9]+' |
				awk '{ t += $2; n += $4 } END { if (n) printf "%.1f", t / n }' || true)
			[ "$workload" = printf ] && wait_drained "$prefix.out" "$(field pid "$line")" \
				$(($(field warmup "$line") + $(field calls "$line")))
			stop_tracer
			wait_detached
			rm -f "$prefix.out"
			printf '%s\t%s\t%s\n' "$workload" "$tool" "${per_run:-n/a}" >>"$stats"
		done
	done
	echo "$old_bpf_stats" >/proc/sys/kernel/bpf_stats_enabled
	old_bpf_stats=
	log "bpf_stats pass done ($(($(date +%s) - started)) s)"
fi

# -- startup ---------------------------------------------------------------------------

startup=$tmp/startup.tsv # tool median_ms min_ms
: >"$startup"
stap_cmd="$STAP -e 'probe begin{exit()}'"
bpftrace_cmd="$BPFTRACE -e 'BEGIN { exit(); }'"
stap_ok=1
eval "$stap_cmd" >/dev/null 2>"$tmp/stap-startup.err" || stap_ok=0 # fills the cache
eval "$bpftrace_cmd" >/dev/null 2>&1 || true
# median and min of one number a line, as "MEDIAN MIN"
median_min() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "n/a n/a"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1] }'
}
if command -v "$HYPERFINE" >/dev/null && [ "$stap_ok" = 1 ]; then
	startup_how="hyperfine -N, 1 warmup, $STARTUP_RUNS runs each"
	"$HYPERFINE" -N -w 1 -r "$STARTUP_RUNS" --export-json "$tmp/startup.json" \
		"$stap_cmd" "$bpftrace_cmd" >/dev/null 2>&1
	# each result's "median" and "min", in seconds, in the order of the commands
	awk -F': ' '/"median"|"min"/ { gsub(/[ ,]/, "", $2); print $1, $2 }' "$tmp/startup.json" |
		awk '/median/ { m[++i] = $2 * 1000 } /"min"/ { n[++j] = $2 * 1000 }
			END { printf "stap\t%.1f\t%.1f\nbpftrace\t%.1f\t%.1f\n", m[1], n[1], m[2], n[2] }' \
			>"$startup"
else
	startup_how="interleaved shell loop (date +%s%N), $STARTUP_RUNS runs each"
	: >"$tmp/st.stap"
	: >"$tmp/st.bpftrace"
	for ((i = 0; i < STARTUP_RUNS; i++)); do
		if [ "$stap_ok" = 1 ]; then
			t0=$(date +%s%N)
			eval "$stap_cmd" >/dev/null 2>&1 || true
			t1=$(date +%s%N)
			echo "$(((t1 - t0) / 1000))" >>"$tmp/st.stap"
		fi
		t0=$(date +%s%N)
		eval "$bpftrace_cmd" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		echo "$(((t1 - t0) / 1000))" >>"$tmp/st.bpftrace"
	done
	for tool in stap bpftrace; do
		read -r m n < <(median_min <"$tmp/st.$tool")
		if [ "$m" = n/a ]; then
			printf '%s\tn/a\tn/a\n' "$tool"
		else
			awk -v t="$tool" -v m="$m" -v n="$n" 'BEGIN { printf "%s\t%.1f\t%.1f\n", t, m / 1000, n / 1000 }'
		fi
	done >"$startup"
fi
[ "$stap_ok" = 1 ] || sed -i 's/^stap\t.*/stap\tn\/a\tn\/a/' "$startup"
grep -q '^stap' "$startup" || printf 'stap\tn/a\tn/a\n' >>"$startup"
log "startup done"

# -- the report ----------------------------------------------------------------------------

# The summary, one "KEY VALUE" a line, read by the report below:
#   add WORKLOAD/TOOL MEDIAN MIN    added ns/event over the rounds
#   base WORKLOAD MEDIAN MIN        baseline ns/call
#   count WORKLOAD/TOOL SEEN EXPECTED SHORT_ROUNDS
#   printf WORKLOAD/TOOL DELIVERED EXPECTED LOST EVENTS_PER_S   (full rate, all rounds)
#   paced TOOL DELIVERED EXPECTED LOST EVENTS_PER_S
#   attach WORKLOAD/TOOL MEDIAN_MS
summary=$tmp/summary.txt
awk -F'\t' '
function sortn(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
}
function median(a, n) { sortn(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
$2 == "paced" { print "paced", $3, $8, $7, $9, $10; next }
$3 == "baseline" { b[$1, ++nb[$1]] = $4; next }
{
	k = $1 "/" $3; i = ++n[k]
	add[k, i] = $4 - $5; att[k, i] = $11; rate[k, i] = $10
	if ($14 + 0 > rss[k]) rss[k] = $14 + 0
	seen[k] += $6; exp_[k] += $7; dlv[k] += $8; lost[k] += $9
	if ($1 != "printf" && $6 + 0 < $7 + 0) short[k]++
	wl[k] = $1
}
END {
	for (w in nb) {
		m = nb[w]; for (i = 1; i <= m; i++) a[i] = b[w, i]
		med = median(a, m); print "base", w, med, a[1]
	}
	for (k in n) {
		m = n[k]
		for (i = 1; i <= m; i++) a[i] = add[k, i]
		med = median(a, m); print "add", k, med, a[1]
		for (i = 1; i <= m; i++) a[i] = att[k, i]
		print "attach", k, median(a, m)
		print "rss", k, rss[k] + 0
		if (wl[k] == "printf") {
			for (i = 1; i <= m; i++) a[i] = rate[k, i]
			print "printf", k, dlv[k], exp_[k], lost[k], median(a, m)
		} else
			print "count", k, seen[k], exp_[k], short[k] + 0
	}
}' "$raw" >"$summary"

# get KIND KEY N: the Nth value of that summary line (empty if none).
get() { awk -v t="$1" -v k="$2" -v n="$3" '$1 == t && $2 == k { print $(n + 2) }' "$summary"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
fmt_add() {
	local m
	m=$(get add "$1" 1)
	if [ -z "$m" ]; then echo n/a; else awk -v m="$m" -v n="$(get add "$1" 2)" 'BEGIN { printf "%.1f [%.1f]", m, n }'; fi
}

# table CELL: a row a workload, a column a tool; CELL WORKLOAD TOOL prints
# the value.
table() {
	local workload tool
	printf '%-8s' workload
	for tool in "${tools[@]}"; do printf ' %10s' "$tool"; done
	echo
	for workload in $WORKLOADS; do
		printf '%-8s' "$workload"
		for tool in "${tools[@]}"; do printf ' %10s' "$("$1" "$workload" "$tool")"; done
		echo
	done
}
# the peak RSS in MB, and the program's ns/run
rss_cell() {
	local v
	v=$(get rss "$1/$2" 1)
	if [ -z "$v" ] || [ "$v" = 0 ]; then echo n/a; else awk -v k="$v" 'BEGIN { printf "%.1f", k / 1024 }'; fi
}
stats_cell() {
	local v
	v=$(awk -F'\t' -v w="$1" -v t="$2" '$1 == w && $2 == t { print $3 }' "$stats")
	echo "${v:-n/a}"
}

report=$tmp/report.txt
left=$(attached_count)
{
	echo "stap on eBPF bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(uname -r), $ncpus CPU(s) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $load_before before"
	echo "tools: $($BPFTRACE --version 2>/dev/null | head -1), libbpf $(pkg-config --modversion libbpf 2>/dev/null || echo '?'), $(clang --version | head -1)"
	echo "tracepoint syscalls:sys_enter_getppid; workload pinned to CPU $BENCH_CPU, tracers on ${tracer_cpus:-all}"
	echo "$ROUNDS rounds of B T B T B T B, tracer order rotated; $CALLS calls a run (printf: $PRINTF_CALLS);"
	echo "ns/call = median of 1000-call chunks"
	echo
	echo "baseline ns/call (nothing attached), median [min] over all baseline runs:"
	for workload in $WORKLOADS; do
		m=$(get base "$workload" 1)
		[ -z "$m" ] || printf '  %-7s %8.1f [%.1f]\n' "$workload" "$m" "$(get base "$workload" 2)"
	done
	echo
	echo "added ns/event = tracer ns/call - mean of the baselines just before and after;"
	echo "median [min] over rounds"
	printf '%-8s' workload
	for tool in "${tools[@]}"; do printf ' %18s' "$tool"; done
	printf ' %14s %12s %16s\n' stap/bpftrace stap/libbpf bpftrace/libbpf
	for workload in $WORKLOADS; do
		printf '%-8s' "$workload"
		for tool in "${tools[@]}"; do printf ' %18s' "$(fmt_add "$workload/$tool")"; done
		s=$(get add "$workload/stap" 1)
		b=$(get add "$workload/bpftrace" 1)
		l=$(get add "$workload/libbpf" 1)
		printf ' %14s %12s %16s\n' "$(ratio "$s" "$b")" "$(ratio "$s" "$l")" "$(ratio "$b" "$l")"
	done

	echo
	echo "events seen by the tracer / events the workload made (all rounds):"
	for workload in $WORKLOADS; do
		for tool in "${tools[@]}"; do
			k=$workload/$tool
			if [ "$workload" = printf ]; then
				read -r d e lst r <<<"$(get printf "$k" 1) $(get printf "$k" 2) $(get printf "$k" 3) $(get printf "$k" 4)"
				[ -n "$d" ] || continue
				printf '  %-7s %-9s delivered %d / %d, missing %d, reported lost %d, at %.0f events/s (median)\n' \
					"$workload" "$tool" "$d" "$e" $((e - d)) "$lst" "$r"
			else
				read -r c e sh <<<"$(get count "$k" 1) $(get count "$k" 2) $(get count "$k" 3)"
				[ -n "$c" ] || continue
				if [ "$sh" -gt 0 ]; then verdict="SHORT in $sh round(s)"; else verdict=ok; fi
				printf '  %-7s %-9s counted %d / %d  %s\n' "$workload" "$tool" "$c" "$e" "$verdict"
			fi
		done
	done
	if grep -q '^paced' "$summary"; then
		echo
		echo "printf paced at $PRINTF_RATE events/s, $PRINTF_PACED_CALLS calls (loss test):"
		for tool in "${tools[@]}"; do
			read -r d e lst r <<<"$(get paced "$tool" 1) $(get paced "$tool" 2) $(get paced "$tool" 3) $(get paced "$tool" 4)"
			[ -n "$d" ] || continue
			printf '  %-9s delivered %d / %d, missing %d, reported lost %d, at %.0f events/s\n' \
				"$tool" "$d" "$e" $((e - d)) "$lst" "$r"
		done
	fi

	echo
	echo "from launch to attached, ms, median over rounds (bpftrace and stap compile here):"
	for workload in $WORKLOADS; do
		line=
		for tool in "${tools[@]}"; do
			a=$(get attach "$workload/$tool" 1)
			[ -z "$a" ] || line+=$(printf '  %s %.0f' "$tool" "$a")
		done
		[ -z "$line" ] || printf '  %-7s%s\n' "$workload" "$line"
	done

	echo
	echo "peak resident memory of the tracer's processes (VmHWM, MB, the most of any run):"
	table rss_cell

	if [ -s "$stats" ]; then
		echo
		echo "the program's own run time, ns/run (kernel.bpf_stats_enabled, one extra run each;"
		echo "includes the two clock reads bpf_stats adds around every run):"
		table stats_cell
	fi

	echo
	echo "startup, wall ms, median [min] ($startup_how):"
	awk -F'\t' -v s="$stap_cmd" -v b="$bpftrace_cmd" '
		$1 == "stap" { printf "  %-48s %s\n", s " (cached)", $2 == "n/a" ? "n/a" : $2 " [" $3 "]" }
		$1 == "bpftrace" { printf "  %-48s %s\n", b, $2 == "n/a" ? "n/a" : $2 " [" $3 "]" }' "$startup"

	echo
	echo "goals:"
	for workload in global comm; do
		case " $WORKLOADS " in *" $workload "*) ;; *) continue ;; esac
		s=$(get add "$workload/stap" 1)
		b=$(get add "$workload/bpftrace" 1)
		l=$(get add "$workload/libbpf" 1)
		if [ -z "$s" ]; then
			printf '  %-6s stap <= bpftrace, stap <= 1.05 x libbpf: n/a (stap did not run)\n' "$workload"
			continue
		fi
		printf '  %-6s stap <= bpftrace: %s;  stap <= 1.05 x libbpf: %s\n' "$workload" \
			"$(awk -v s="$s" -v b="$b" 'BEGIN { print b == "" ? "n/a" : s <= b ? "PASS" : "FAIL" }')" \
			"$(awk -v s="$s" -v l="$l" 'BEGIN { print l == "" ? "n/a" : s <= 1.05 * l ? "PASS" : "FAIL" }')"
	done
	case " $WORKLOADS " in
	*" printf "*)
		s=$(get add printf/stap 1)
		l=$(get add printf/libbpf 1)
		[ -z "$s" ] || [ -z "$l" ] ||
			printf '  printf stap <= 1.2 x libbpf: %s\n' \
				"$(awk -v s="$s" -v l="$l" 'BEGIN { print s <= 1.2 * l ? "PASS" : "FAIL" }')"
		;;
	esac
	for workload in $WORKLOADS; do
		v=$(get rss "$workload/stap" 1)
		[ -z "$v" ] || [ "$v" = 0 ] ||
			printf '  %-6s stap peak RSS < 10 MB: %s (%.1f MB)\n' "$workload" \
				"$(awk -v k="$v" 'BEGIN { print k < 10240 ? "PASS" : "FAIL" }')" "$(awk -v k="$v" 'BEGIN { print k / 1024 }')"
	done
	case " $WORKLOADS " in
	*" printf "*)
		sd=$(get printf printf/stap 1)
		if [ -z "$sd" ] && [ -z "$(get paced stap 1)" ]; then
			echo "  printf no loss where bpftrace loses none: n/a (stap did not run)"
		fi
		bd=$(get printf printf/bpftrace 1)
		if [ -n "$sd" ] && [ -n "$bd" ] && [ "$bd" = "$(get printf printf/bpftrace 2)" ]; then
			miss=$(($(get printf printf/stap 2) - sd))
			echo "  printf full rate: bpftrace missed none, stap missed $miss: $([ "$miss" -eq 0 ] && echo PASS || echo FAIL)"
		fi
		sd=$(get paced stap 1)
		bd=$(get paced bpftrace 1)
		if [ -n "$sd" ] && [ -n "$bd" ] && [ "$bd" = "$(get paced bpftrace 2)" ]; then
			miss=$(($(get paced stap 2) - sd))
			echo "  printf paced: bpftrace missed none, stap missed $miss: $([ "$miss" -eq 0 ] && echo PASS || echo FAIL)"
		fi
		;;
	esac
	awk -F'\t' '{ v[$1] = $2 } END {
		if (v["stap"] == "n/a" || v["stap"] == "" || v["bpftrace"] == "n/a") print "  startup stap < bpftrace: n/a"
		else printf "  startup stap < bpftrace: %s (%s ms vs %s ms)\n", v["stap"] + 0 < v["bpftrace"] + 0 ? "PASS" : "FAIL", v["stap"], v["bpftrace"]
	}' "$startup"

	na_shown=0
	for workload in $WORKLOADS; do
		for tool in "${tools[@]}"; do
			reason=${na_reason[$workload/$tool]:-}
			[ -n "$reason" ] || continue
			[ "$na_shown" = 1 ] || {
				echo
				echo "n/a (from then on):"
			}
			na_shown=1
			echo "  $tool, $workload: $reason"
		done
	done
	[ "$stap_ok" = 1 ] || echo "  stap startup: $(grep -v '^ *$' "$tmp/stap-startup.err" | head -1)"

	echo
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) after; $(($(date +%s) - started)) s in all;" \
		"programs left on sys_enter_getppid: $left"
} >"$report"

mkdir -p "$here/results"
cp "$report" "$here/results/latest.txt"
{
	printf 'workload\tround\ttool\tns_per_call\tbaseline_ns\tcount\texpected\tdelivered\tlost\tevents_per_s\tattach_ms\tmean_ns\tp10_ns\trss_kb\n'
	cat "$raw"
} >"$here/results/latest.tsv"
cat "$report"
echo "(written to bench/results/latest.txt; per-run figures in bench/results/latest.tsv," \
	"the tracers' stdout and stderr in bench/results/logs/)"
