#!/usr/bin/env bash
# Install what the bench needs on Debian 12, as root, only what is missing:
# first everything stap itself needs (scripts/deps.sh: clang, libbpf-dev,
# bpftool...), then bpftrace (the tracer we compare against) and hyperfine
# (for the startup figures; run.sh falls back to a shell loop without it).
# util-linux (taskset) and procps come with every Debian system.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bash "$here/../scripts/deps.sh"

packages=(bpftrace hyperfine)

is_installed() {
	dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${packages[@]}"; do
	is_installed "$pkg" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "bench deps: not root: install ${missing[*]} by hand" >&2
	exit 1
fi
echo "bench deps: installing ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bench deps: done"
