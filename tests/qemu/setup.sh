#!/usr/bin/env bash
# tests/qemu/setup.sh [--kernel RELEASE] [--original]
#
# Sets up the qemu lane: installs what is missing of qemu-system-x86 and
# busybox-static (with --original also systemtap and linux-headers-RELEASE,
# for tests/qemu/original.sh), fetches Debian's kernel package with
# `apt-get download linux-image-RELEASE`, unpacks it with dpkg-deb into the
# per-user cache (tests/qemu/lib.sh), and builds there the small initramfs
# that mounts the host's root and runs one command (tests/qemu/README.md).
# Only apt is used, and only for what is missing; a set-up release is never
# touched again.  Prints the release on stdout; on failure, one line on
# stderr saying what is missing, exit status 1.
set -uo pipefail
lane_name="setup"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/qemu/lib.sh
source "$here/lib.sh"
lane_status=1

release=${STAP_QEMU_KERNEL:-}
original=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) release=${2:-}; shift 2 || lane_die "--kernel needs a release" ;;
	--kernel=*) release=${1#--kernel=}; shift ;;
	--original) original=1; shift ;;
	*) lane_die "usage: setup.sh [--kernel RELEASE] [--original]" ;;
	esac
done

is_installed() {
	dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

lane_private_dir "$lane_cache"
log=$lane_cache/apt.log
updated=0
apt_update() {
	[ $updated = 1 ] && return 0
	updated=1
	[ "$(id -u)" = 0 ] || return 1
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$log" 2>&1
}

# Packages first: the release may come from apt's lists.
[ -n "$release" ] || release=$(lane_pick_release)
if [ -z "$release" ]; then
	apt_update
	release=$(lane_pick_release)
fi
[ -n "$release" ] || lane_die "apt offers no linux-image-6.1.0-*-amd64 (see $log)"
[[ $release =~ ^[0-9][A-Za-z0-9.+~_-]*$ ]] || lane_die "not a kernel release: $release"

want=(qemu-system-x86 busybox-static)
[ $original = 1 ] && want+=(systemtap "linux-headers-$release")
missing=()
for pkg in "${want[@]}"; do
	is_installed "$pkg" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || lane_die "not root: install ${missing[*]} by hand"
	echo "setup: installing ${missing[*]}" >&2
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >>"$log" 2>&1; then
		apt_update
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"${missing[@]}" >>"$log" 2>&1 ||
			lane_die "apt-get install ${missing[*]} failed (see $log)"
	fi
fi
command -v qemu-system-x86_64 >/dev/null || lane_die "no qemu-system-x86_64"

dir=$lane_cache/$release
if [ -f "$dir/ready" ]; then
	lane_check_private "$dir"
	echo "$release"
	exit 0
fi
lane_private_dir "$dir"
# one set-up at a time (two lanes started together)
exec 9>"$dir/.lock" && flock 9 || lane_die "cannot lock $dir"
if [ -f "$dir/ready" ]; then
	echo "$release"
	exit 0
fi

# The kernel package, unpacked into $dir/k (boot/vmlinuz-R, lib/modules/R).
if [ ! -f "$dir/k/boot/vmlinuz-$release" ]; then
	echo "setup: fetching linux-image-$release" >&2
	rm -rf "$dir/deb" "$dir/k" "$dir/k.new"
	mkdir -m 0700 "$dir/deb" || lane_die "cannot create $dir/deb"
	if ! (cd "$dir/deb" && apt-get download "linux-image-$release" >>"$log" 2>&1); then
		apt_update
		(cd "$dir/deb" && apt-get download "linux-image-$release" >>"$log" 2>&1) || {
			rm -rf "$dir"
			lane_die "apt-get download linux-image-$release failed (see $log)"
		}
	fi
	dpkg-deb -x "$dir"/deb/linux-image-"$release"_*.deb "$dir/k.new" ||
		lane_die "dpkg-deb -x of linux-image-$release failed"
	# the package leaves modules.dep to the installer: busybox makes it, so
	# that `busybox modprobe ext4` works in the guest
	/bin/busybox depmod -b "$dir/k.new" "$release" ||
		lane_die "depmod of linux-image-$release failed"
	chmod 0700 "$dir/k.new" && mv "$dir/k.new" "$dir/k" && rm -rf "$dir/deb"
fi

# The kernel uncompressed (an ELF with a PVH entry, which qemu boots
# directly): the guest does not decompress 8 MB of xz under TCG, a few
# seconds of every boot.  Kept only when it is an ELF; else vmlinuz boots.
if [ ! -f "$dir/vmlinux" ]; then
	vmlinuz=$dir/k/boot/vmlinuz-$release
	for magic in '\xFD7zXZ\x00:xz -dc --single-stream' '\x28\xB5\x2F\xFD:zstd -dcq' \
		'\x1F\x8B\x08:gzip -dcq'; do
		off=$(LC_ALL=C grep -obUaP "${magic%%:*}" "$vmlinuz" | head -n 1 | cut -d: -f1)
		[ -n "$off" ] || continue
		# shellcheck disable=SC2086 # the decompressor's words
		tail -c +$((off + 1)) "$vmlinuz" | ${magic#*:} >"$dir/vmlinux.new" 2>/dev/null
		if [ "$(head -c 4 "$dir/vmlinux.new" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			chmod 0600 "$dir/vmlinux.new" && mv "$dir/vmlinux.new" "$dir/vmlinux"
			break
		fi
	done
	rm -f "$dir/vmlinux.new"
fi

# The initramfs: a static busybox, the modules that reach 9p and overlayfs,
# and /init.  The guest's root is the host's / (read-only 9p) under a tmpfs
# (its writes); its /lib/modules is the host's under the kernel package's
# (so that modprobe finds the guest's modules in /lib/modules/R).  The host's run directory
# (9p tag "lane", read-write) holds cmd.sh, which writes out, err and rc there.
ir=$dir/initramfs
rm -rf "$ir" && mkdir -p "$ir"/{bin,mods,proc,sys,dev,ro,kernel,lane,rw,newroot}
cp /bin/busybox "$ir/bin/busybox" || lane_die "no /bin/busybox"
for m in "${lane_modules[@]}"; do
	f=$(find "$dir/k/lib/modules/$release" -name "$m.ko*" | head -n 1)
	[ -n "$f" ] || lane_die "linux-image-$release has no module $m"
	cp "$f" "$ir/mods/" || lane_die "cannot copy $f"
done
cat >"$ir/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
t() { echo "lane: \$(cut -d' ' -f1 /proc/uptime) s: \$*"; }
t init
for m in ${lane_modules[*]}; do
	insmod /mods/\$m.ko* || echo "lane: insmod \$m failed"
done
t modules loaded
o=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o \$o,ro,cache=loose host /ro || echo "lane: no host root"
mount -t 9p -o \$o,ro,cache=loose kernel /kernel || echo "lane: no kernel tree"
mount -t 9p -o \$o lane /lane || echo "lane: no run directory"
mount -t tmpfs tmpfs /rw
mkdir /rw/up /rw/work
mount -t overlay overlay -o lowerdir=/ro,upperdir=/rw/up,workdir=/rw/work /newroot ||
	echo "lane: no overlay"
mount -t overlay modules -o lowerdir=/kernel:/ro/lib/modules /newroot/lib/modules ||
	echo "lane: no /lib/modules"
for d in proc sys dev; do mount --move /\$d /newroot/\$d; done
mount -t tmpfs tmpfs /newroot/run
mkdir -p /newroot/run/lane
mount --move /lane /newroot/run/lane
# the rest with busybox's mount, not the host's over 9p (each of those
# loads its libraries through 9p under TCG: seconds)
mount -t debugfs debugfs /newroot/sys/kernel/debug
mount -t tracefs tracefs /newroot/sys/kernel/tracing
mount -t bpf bpf /newroot/sys/fs/bpf
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
echo "lane: \$(cut -d' ' -f1 /newroot/proc/uptime) s: root mounted"
chroot /newroot bash /run/lane/cmd.sh
sync
poweroff -f
EOF
chmod 0755 "$ir/init"
# uncompressed: 3 MB that the guest need not inflate
(cd "$ir" && find . | /bin/busybox cpio -o -H newc 2>/dev/null >"$dir/initrd.new") ||
	lane_die "cannot pack the initramfs"
chmod 0600 "$dir/initrd.new" && mv "$dir/initrd.new" "$dir/initrd"
rm -rf "$ir"
touch "$dir/ready"
echo "$release"
