# shellcheck shell=bash
# Shared by the qemu lane's scripts (sourced, not run): where the lane's
# cache lives, which kernel release it boots, and the checks that keep a
# root-run qemu from using files another user could have written.
#
# The cache is per user: $STAP_QEMU_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/stap-qemu.
# As src/build/build.c does for the module cache, every directory of it is
# made 0700, and one that is a symbolic link, not ours, or writable by group
# or others is refused: we boot the kernel and run the initramfs found there
# as root.

# The caller sets lane_name (its name in messages) and lane_status.
lane_die() {
	echo "${lane_name:-lane}: $*" >&2
	exit "${lane_status:-2}"
}

# Refuse PATH (a directory, or a file with -f) unless it is ours, not a
# symbolic link, and not writable by group or others.
lane_check_private() {
	local path=$1 kind=d owner mode
	[ "${2:-}" = -f ] && kind=f
	if [ -L "$path" ]; then
		lane_die "cache $path is a symbolic link; refusing to use it, as another user could plant code there"
	fi
	if [ "$kind" = d ] && [ ! -d "$path" ] || [ "$kind" = f ] && [ ! -f "$path" ]; then
		lane_die "cache $path is not a $([ $kind = d ] && echo directory || echo regular file)"
	fi
	read -r owner mode < <(stat -c '%u %a' "$path")
	if [ "$owner" != "$(id -u)" ]; then
		lane_die "cache $path is not owned by the invoking user (owner $owner, mode $mode); refusing to use it, as another user could plant code there"
	fi
	if (((8#$mode & 8#022) != 0)); then
		lane_die "cache $path is writable by group or others (owner $owner, mode $mode); refusing to use it, as another user could plant code there"
	fi
}

# Make directory $1 (0700) when missing, then check it.
lane_private_dir() {
	[ -d "$1" ] || { mkdir -p "$(dirname "$1")" && mkdir -m 0700 "$1"; } ||
		lane_die "cannot create $1"
	lane_check_private "$1"
}

lane_cache=${STAP_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stap-qemu}

# The kernel release: --kernel or $STAP_QEMU_KERNEL; else the newest one
# already set up in the cache; else the newest whose linux-headers are
# installed (the original's runner needs them); else the one Debian's
# linux-image-amd64 depends on now.  Prints nothing when apt knows none.
lane_pick_release() {
	local rel
	if [ -n "${STAP_QEMU_KERNEL:-}" ]; then
		echo "$STAP_QEMU_KERNEL"
		return
	fi
	rel=$(find "$lane_cache" -mindepth 2 -maxdepth 2 -name ready 2>/dev/null |
		sed 's#.*/\([^/]*\)/ready$#\1#' |
		grep -E '^6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n 1)
	if [ -z "$rel" ]; then
		rel=$(dpkg-query -W -f '${Package} ${Status}\n' 'linux-headers-6.1.0-*-amd64' 2>/dev/null |
			sed -n 's/^linux-headers-\(6\.1\.0-[0-9]*-amd64\) install ok installed$/\1/p' |
			sort -V | tail -n 1)
	fi
	if [ -z "$rel" ]; then
		rel=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\(6\.1\.0-[0-9]*-amd64\)\( .*\)\{0,1\}$/\1/p' | head -n 1)
	fi
	echo "$rel"
}

# The modules the initramfs loads, in order, to reach 9p and overlayfs
# (all of them are modules in Debian's kernel).
# shellcheck disable=SC2034 # used by setup.sh
lane_modules=(virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	netfs fscache 9pnet 9pnet_virtio 9p overlay)
