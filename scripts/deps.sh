#!/usr/bin/env bash
# Install the Debian packages stap needs to build, test and fuzz, only those
# that are missing (so a machine that has them all never touches apt), and
# run `apt-get update` only when something must be installed.  Works on a
# fresh Debian 12 as root; elsewhere it says what is missing and fails.
set -euo pipefail

# Build: a C11 compiler, make, pkg-config.  BPF side: clang and llvm for
# `clang -target bpf`, libbpf, libelf, zlib, libdw (DWARF).  Tests: clang's
# libFuzzer runtime (libclang_rt.fuzzer is in libclang-rt-14-dev on Debian
# 12), clang-format, sys/sdt.h (systemtap-sdt-dev) for the USDT marks of the
# user-space probes' test program; groff-base and man-db to render the man
# pages (tests/install.sh).
packages=(
	build-essential gcc make pkg-config
	clang llvm clang-format libclang-rt-14-dev
	libbpf-dev libelf-dev zlib1g-dev libdw-dev
	systemtap-sdt-dev groff-base man-db
)
# Only some releases package bpftool on its own; take it where they do.
optional=(bpftool)

is_installed() {
	dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${packages[@]}"; do
	is_installed "$pkg" || missing+=("$pkg")
done
missing_optional=()
for pkg in "${optional[@]}"; do
	is_installed "$pkg" || missing_optional+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ]; then
	exit 0
fi

echo "deps: installing ${missing[*]} ${missing_optional[*]}"
if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
	command -v sudo >/dev/null || {
		echo "deps: not root and no sudo: install ${missing[*]} by hand" >&2
		exit 1
	}
else
	sudo=
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
install=("${missing[@]}")
for pkg in "${missing_optional[@]}"; do
	if apt-cache show "$pkg" >/dev/null 2>&1; then
		install+=("$pkg")
	else
		echo "deps: $pkg is not packaged here, going on without it" >&2
	fi
done
[ ${#install[@]} -eq 0 ] && exit 0
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${install[@]}" >/dev/null
echo "deps: done"
