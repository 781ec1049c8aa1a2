#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# make-deb.sh BUILD - `make deb`: the Debian packages efikexec and
# libefikexec-dev for amd64 and arm64, in BUILD/deb/.
#
# dpkg-buildpackage builds in a copy of the tree (BUILD/deb/efikexec-VERSION,
# the files git knows, new ones included), so its `debian/rules clean` never
# touches the working tree's build; amd64 natively, arm64 cross-built with
# -aarm64. -d on the arm64 build: its build dependencies of arm64 (gnu-efi,
# libfdt, zlib, libzstd) are the project's unpacked sysroot
# (BUILD/sysroot-arm64, scripts/deps.sh), not installed packages; its host
# programs link the cross toolchain's C library and the sysroot's arm64
# zlib, libzstd and libfdt, and depend on what dpkg-shlibdeps found for the
# same programs of the amd64 build (debian/rules).
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")/.."
VERSION=$(dpkg-parsechangelog -S Version)
HEADER=$(sed -n 's/^#define EFIKEXEC_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/efikexec.h | paste -sd.)
if [ "$VERSION" != "$HEADER" ]; then
	echo "make-deb: debian/changelog says $VERSION, include/efikexec.h $HEADER" >&2
	exit 1
fi
OUT=$BUILD/deb
SRC=$OUT/efikexec-$VERSION
rm -rf "$OUT"
mkdir -p "$SRC"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		xargs -0 cp --parents -t "$SRC"
else
	tar -c --exclude='./build*' . | tar -x -C "$SRC"
fi
export EFIKEXEC_SYSROOT_ARM64=$BUILD/sysroot-arm64
log=$OUT/build.log
for a in amd64 arm64; do
	echo "make-deb: $a (log in $log)"
	# every core: debhelper's make runs that many jobs (parallel=N)
	args=(-b -us -uc -J"$(nproc)")
	env=()
	if [ "$a" = arm64 ]; then
		# the shared libraries' packages the native build's programs need
		shlibs=$(dpkg-deb -f "$OUT/efikexec_${VERSION}_amd64.deb" Depends)
		args+=(-aarm64 -d -Pcross,nocheck)
		env=(CC=aarch64-linux-gnu-gcc EFIKEXEC_SHLIBS="$shlibs" DEB_BUILD_OPTIONS=nocheck)
	fi
	if ! (cd "$SRC" && env "${env[@]}" dpkg-buildpackage "${args[@]}") >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		echo "make-deb: dpkg-buildpackage for $a failed (all of it in $log)" >&2
		exit 1
	fi
done
ls -1 "$OUT"/*.deb
