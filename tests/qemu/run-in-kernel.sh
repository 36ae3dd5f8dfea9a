#!/usr/bin/env bash
# tests/qemu/run-in-kernel.sh [--kernel RELEASE] [--timeout S] [--rw DIR]... -- CMD...
#
# Boots Debian's 6.1 kernel under qemu-system-x86_64 (TCG), runs CMD in it as
# root, in the caller's working directory, with the caller's environment, and
# returns CMD's stdout, stderr and exit status as its own.  The guest's root
# is this machine's / (9p, read-only) under a writable tmpfs overlay: the
# guest sees every file here, and what it writes is gone when it powers off,
# except in the directories given with --rw, shared read-write at the same
# path (say, a test folder that UPDATE=1 rewrites).  debugfs, tracefs, bpffs
# are mounted; /lib/modules/RELEASE holds the guest kernel's modules.
#
# The first call sets the lane up (tests/qemu/setup.sh: apt, the kernel
# package, the initramfs, in a per-user cache).  The boot is bounded by
# --timeout (default $STAP_QEMU_TIMEOUT, else 600 s): a guest that hangs is
# killed and the call fails with the end of its console.  Exit status:
# CMD's, or 125 when the lane cannot run at all (setup failed: the reason is
# on stderr), 124 when the guest timed out, 126 when it gave no result.
# STAP_QEMU_VERBOSE=1 reports the boot's time; STAP_QEMU_CONSOLE=FILE keeps
# the guest's console; STAP_QEMU_MEM (MB, 2048) and STAP_QEMU_SMP (nproc)
# size the guest.
set -uo pipefail
lane_name="run-in-kernel"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/qemu/lib.sh
source "$here/lib.sh"
lane_status=125

release=${STAP_QEMU_KERNEL:-}
limit=${STAP_QEMU_TIMEOUT:-600}
rw=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) release=${2:-}; shift 2 || lane_die "--kernel needs a release" ;;
	--kernel=*) release=${1#--kernel=}; shift ;;
	--timeout) limit=${2:-}; shift 2 || lane_die "--timeout needs seconds" ;;
	--timeout=*) limit=${1#--timeout=}; shift ;;
	--rw) rw+=("$(realpath -e "${2:-}")") || lane_die "--rw: no such directory: ${2:-}"; shift 2 ;;
	--) shift; break ;;
	*) lane_die "usage: run-in-kernel.sh [--kernel RELEASE] [--timeout S] [--rw DIR]... -- CMD..." ;;
	esac
done
[ $# -gt 0 ] || lane_die "usage: run-in-kernel.sh [--kernel RELEASE] [--timeout S] [--rw DIR]... -- CMD..."
[[ $limit =~ ^[0-9]+$ ]] || lane_die "--timeout: not a number of seconds: $limit"

args=()
[ -n "$release" ] && args=(--kernel "$release")
release=$(bash "$here/setup.sh" "${args[@]}") || exit 125
dir=$lane_cache/$release
lane_check_private "$lane_cache"
lane_check_private "$dir"
lane_check_private "$dir/k"
lane_check_private "$dir/initrd" -f
kernel=$dir/k/boot/vmlinuz-$release
if [ -f "$dir/vmlinux" ]; then
	kernel=$dir/vmlinux
	lane_check_private "$kernel" -f
fi

# The run directory, shared with the guest read-write: private to us.
run=$(mktemp -d "${TMPDIR:-/tmp}/stap-qemu.XXXXXX") || lane_die "cannot create a run directory"
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# cmd.sh: the caller's environment (less what names this shell or this
# machine's session), the caller's directory, the command, its results.
{
	echo '# written by run-in-kernel.sh'
	export -p | grep -vE '^declare -x (BASH_[A-Z_]*|SHLVL|PWD|OLDPWD|_|TERM|DISPLAY|SSH_[A-Z_]*|XDG_RUNTIME_DIR|DBUS_[A-Z_]*)='
	n=0
	for d in "${rw[@]}"; do
		n=$((n + 1))
		printf 'mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 rw%d %q || exit 125\n' "$n" "$d"
	done
	echo 'echo "lane: $(cut -d" " -f1 /proc/uptime) s: command" >/dev/console'
	printf 'cd %q || exit 125\n' "$PWD"
	printf 'export PWD=%q\n' "$PWD"
	printf '%q ' "$@"
	echo '</dev/null >/run/lane/out 2>/run/lane/err'
	echo 'echo $? >/run/lane/rc'
	echo 'echo "lane: $(cut -d" " -f1 /proc/uptime) s: done" >/dev/console'
} >"$run/cmd.sh"

shares=(
	-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$dir/k/lib/modules,mount_tag=kernel,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$run,mount_tag=lane,security_model=none,multidevs=remap"
)
n=0
for d in "${rw[@]}"; do
	n=$((n + 1))
	shares+=(-virtfs "local,path=$d,mount_tag=rw$n,security_model=none,multidevs=remap")
done

# no_timer_check: on a loaded host, TCG is too slow for the kernel's check of
# the IO-APIC timer, which then panics ("IO-APIC + timer doesn't work!",
# seen here at load 17); mitigations=off: nothing to protect, time to save.
start=$(date +%s.%N)
timeout -k 5 "$limit" qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
	-machine q35 -accel tcg -cpu max -m "${STAP_QEMU_MEM:-2048}" -smp "${STAP_QEMU_SMP:-$(nproc)}" \
	-kernel "$kernel" -initrd "$dir/initrd" \
	-append "console=ttyS0 quiet panic=-1 mitigations=off no_timer_check" \
	-serial "file:$run/console" "${shares[@]}" </dev/null >"$run/qemu.log" 2>&1 &
qemu_pid=$!
wait $qemu_pid
status=$?
qemu_pid=
end=$(date +%s.%N)
[ -n "${STAP_QEMU_CONSOLE:-}" ] && cp "$run/console" "$STAP_QEMU_CONSOLE"
if [ -n "${STAP_QEMU_VERBOSE:-}" ]; then
	awk -v s="$start" -v e="$end" -v r="$release" \
		'BEGIN { printf "run-in-kernel: %s: %.1f s from start to power-off\n", r, e - s }' >&2
fi

if [ $status -eq 124 ] || [ $status -eq 137 ]; then
	echo "run-in-kernel: the guest ($release) did not power off within ${limit}s; killed it. Its console ended with:" >&2
	tail -n 20 "$run/console" | tr -d '\r' | sed 's/^/    /' >&2
	exit 124
fi
if [ ! -f "$run/rc" ]; then
	echo "run-in-kernel: the guest ($release) gave no result (qemu exit status $status). Its console ended with:" >&2
	{ cat "$run/qemu.log"; tail -n 20 "$run/console"; } | tr -d '\r' | sed 's/^/    /' >&2
	exit 126
fi
cat "$run/out"
cat "$run/err" >&2
read -r rc <"$run/rc"
exit "${rc:-126}"
