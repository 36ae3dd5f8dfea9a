#!/usr/bin/env bash
# Build the Debian package of stap on eBPF with dpkg-deb:
#
#   bash scripts/build-deb.sh [OUTDIR]      (default build/deb/)
#
# prints the path of stap-ebpf_VERSION_ARCH.deb.  The package installs
# beside the original SystemTap (Debian's systemtap, systemtap-runtime,
# systemtap-doc) and shares no file with it:
#
#   /usr/lib/stap-ebpf/bin/stap, staprun      the programs (make install
#   /usr/lib/stap-ebpf/share/stap-ebpf/       PREFIX=/usr/lib/stap-ebpf), the
#   /usr/lib/stap-ebpf/share/man/             tapset, runtime headers, and
#                                             every man page
#   /usr/bin/stap-ebpf, /usr/bin/staprun-ebpf links to the programs
#   /usr/share/man/man1/stap-ebpf.1.gz, man8/staprun-ebpf.8.gz   links to their pages
#   /usr/share/bash-completion/completions/stap-ebpf, staprun-ebpf
#
# so `stap-ebpf` runs this implementation and `stap` stays the original's;
# with /usr/lib/stap-ebpf/bin first in PATH, `stap` is this one, and man
# (which looks in ../share/man beside each PATH entry) opens its pages:
# `man stap`, `man function::execname`.
#
# Depends: the shared libraries the programs link (dpkg-shlibdeps), and what
# pass 4 runs and includes: clang (BPF), a C compiler and libc6-dev (host
# modules), libbpf-dev and linux-libc-dev (bpf_helpers.h, linux/bpf.h).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"

version=$(sed -n 's/^#define STAP_EBPF_VERSION *"\(.*\)"/\1/p' src/main.c)
arch=$(dpkg --print-architecture)
lib=/usr/lib/stap-ebpf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg

# Built as the last build was: WERROR=1 changes no code, only whether a
# warning stops the build, but a different flag set would recompile it all.
werror=()
if [ -z "${WERROR:-}" ] && grep -q -- -Werror build/obj/.flags 2>/dev/null; then
	werror=(WERROR=1)
fi
make --no-print-directory -s install "${werror[@]}" DESTDIR="$pkg" PREFIX=$lib >/dev/null

# Debian policy: man pages gzip-compressed (-n: no name or time, so the
# package is the same bytes every build), binaries stripped of debug info.
find "$pkg$lib/share/man" -type f -exec gzip -9n {} +
strip --strip-debug "$pkg$lib/bin/stap" "$pkg$lib/bin/staprun"
# the completion link made by make install points at stap, now in the package
mkdir -p "$pkg/usr/bin" "$pkg/usr/share/man/man1" "$pkg/usr/share/man/man8" \
	"$pkg/usr/share/bash-completion/completions" "$pkg/usr/share/doc/stap-ebpf"
ln -s ../lib/stap-ebpf/bin/stap "$pkg/usr/bin/stap-ebpf"
ln -s ../lib/stap-ebpf/bin/staprun "$pkg/usr/bin/staprun-ebpf"
ln -s ../../../lib/stap-ebpf/share/man/man1/stap.1.gz "$pkg/usr/share/man/man1/stap-ebpf.1.gz"
ln -s ../../../lib/stap-ebpf/share/man/man8/staprun.8.gz \
	"$pkg/usr/share/man/man8/staprun-ebpf.8.gz"
ln -s ../../../lib/stap-ebpf/share/bash-completion/completions/stap \
	"$pkg/usr/share/bash-completion/completions/stap-ebpf"
ln -s ../../../lib/stap-ebpf/share/bash-completion/completions/stap \
	"$pkg/usr/share/bash-completion/completions/staprun-ebpf"
cat > "$pkg/usr/share/doc/stap-ebpf/copyright" <<'COPYRIGHT'
stap on eBPF: a SystemTap implementation whose kernel side is eBPF.
The script language, tapset names and command line are SystemTap's; the
code and documentation of this package were written for this project.
COPYRIGHT

# The shared libraries' packages, as dpkg-shlibdeps finds them (it wants a
# debian/control to read; an empty source stanza does).
mkdir -p "$work/src/debian"
printf 'Source: stap-ebpf\n\nPackage: stap-ebpf\nArchitecture: any\n' > "$work/src/debian/control"
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O "$pkg$lib/bin/stap" "$pkg$lib/bin/staprun" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || shlibs="libbpf1, libc6, libdw1, libelf1, zlib1g"

size=$(du -sk "$pkg" | cut -f1)
mkdir -p "$pkg/DEBIAN"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: stap-ebpf
Version: $version
Architecture: $arch
Maintainer: stap on eBPF developers <stap-ebpf@localhost>
Installed-Size: $size
Depends: $shlibs, clang, gcc | c-compiler, libc6-dev, libbpf-dev, linux-libc-dev
Suggests: bash-completion
Section: devel
Priority: optional
Description: SystemTap scripts run on eBPF, without kernel modules
 stap-ebpf runs SystemTap scripts (same language, command line, probe
 points and tapset library) with a kernel side made of eBPF programs:
 compiled by clang, typed from the kernel's BTF (CO-RE, no kernel headers
 or debuginfo) and loaded with libbpf, so no kernel module is built,
 signed or inserted.
 .
 Installs beside the systemtap package: run it as stap-ebpf, or put
 /usr/lib/stap-ebpf/bin first in PATH to have it as stap.
CONTROL
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
	xargs md5sum) > "$pkg/DEBIAN/md5sums"

deb=$out/stap-ebpf_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
