#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# test-deb.sh BUILD - the packages `make deb` made (BUILD/deb): both
# architectures there, each package holding what it must (dpkg -c), the
# host programs built for their architecture, lintian without errors (its
# warnings printed), the kernel hook a valid shell script, and
# libefikexec-dev's pkg-config file building examples/ for its
# architecture. Last line: "deb: N passed, N failed".
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")/../.."
DEB=$BUILD/deb
VERSION=$(dpkg-parsechangelog -S Version)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS deb $1"; }
bad() { fail=$((fail + 1)); echo "FAIL deb $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2"; }

# lacks DEB FILE...: the FILEs (" ./path" each) that DEB does not hold
lacks() {
	local list f
	list=$(dpkg -c "$1" | awk '{print $6}')
	shift
	for f in "$@"; do
		grep -qxF "$f" <<<"$list" || printf ' %s' "$f"
	done
}

for a in amd64 arm64; do
	case $a in
	amd64) efi=x64 triplet=x86_64-linux-gnu machine=x86-64 arch=x86_64 ;;
	arm64) efi=aa64 triplet=aarch64-linux-gnu machine=aarch64 arch=aarch64 ;;
	esac
	main=$DEB/efikexec_${VERSION}_$a.deb dev=$DEB/libefikexec-dev_${VERSION}_$a.deb
	if [ ! -s "$main" ] || [ ! -s "$dev" ]; then
		bad "$a: efikexec and libefikexec-dev $VERSION built" "$(ls "$DEB" 2>&1)"
		continue
	fi
	missing=$(lacks "$main" ./usr/lib/efikexec/efikexec$efi.efi ./usr/lib/efikexec/efikexecx64.efi \
		./usr/lib/efikexec/efikexecaa64.efi ./usr/sbin/efikexec-install ./usr/bin/efikexec-plan \
		./usr/bin/efikexec-vm ./usr/lib/efikexec/efikexec_vm/machine.py ./usr/share/man/man1/efikexec-vm.1.gz \
		./usr/share/man/man1/efikexec.1.gz ./usr/share/man/man1/efikexec-plan.1.gz \
		./usr/share/man/man5/efikexec.conf.5.gz ./usr/share/man/man8/efikexec-install.8.gz \
		./etc/kernel/postinst.d/zz-efikexec ./etc/kernel/postrm.d/zz-efikexec \
		./etc/initramfs/post-update.d/zz-efikexec ./usr/share/doc/efikexec/copyright)
	if [ -z "$missing" ]; then
		ok "$a: efikexec holds efikexec$efi.efi (and the other architecture's, for efikexec-vm), efikexec-install, efikexec-plan, efikexec-vm, the man pages, the kernel hooks"
	else
		bad "$a: efikexec lacks$missing" "$(dpkg -c "$main")"
	fi
	missing=$(lacks "$dev" ./usr/include/efikexec.h ./usr/lib/$triplet/libefikexec.a \
		./usr/lib/$triplet/pkgconfig/efikexec.pc ./usr/share/man/man3/libefikexec.3.gz)
	if [ -z "$missing" ]; then
		ok "$a: libefikexec-dev holds efikexec.h, libefikexec.a, efikexec.pc, libefikexec(3)"
	else
		bad "$a: libefikexec-dev lacks$missing" "$(dpkg -c "$dev")"
	fi
	rm -rf "$W/$a"
	dpkg-deb -x "$main" "$W/$a"
	dpkg-deb -x "$dev" "$W/$a"
	types=$(file -b "$W/$a/usr/sbin/efikexec-install" "$W/$a/usr/bin/efikexec-plan")
	pe=$(file -b "$W/$a/usr/lib/efikexec/efikexec$efi.efi")
	if [ "$(grep -c "ELF 64-bit LSB .*$machine" <<<"$types")" = 2 ] && grep -q 'PE32+ executable (EFI application)' <<<"$pe" &&
		strings "$W/$a/usr/lib/efikexec/efikexec$efi.efi" | grep -x "#### efikexec-version $VERSION ####" >/dev/null; then
		ok "$a: the host programs are $machine ELF, the application an EFI application of version $VERSION"
	else
		bad "$a: binaries" "$types
$pe"
	fi
	# efikexec-vm as installed: its modules from ../lib/efikexec, the
	# package's efikexec.efi of the kernel's architecture
	out=$(/usr/bin/python3 "$W/$a/usr/bin/efikexec-vm" --dry-run --tcg "$BUILD/assets/vmlinuz-6.12-$a" 2>&1)
	if grep -q "the shell runs: \\\\efikexec.efi \\\\vmlinuz$" <<<"$out" && [ ! -e "$W/$a/usr/lib/efikexec/efikexec_vm/__pycache__" ]; then
		ok "$a: efikexec-vm runs as installed (its modules, the package's efikexec.efi)"
	else
		bad "$a: efikexec-vm as installed" "$out"
	fi
	# what the programs link, shared (lintian: embedded-library otherwise)
	needed=$(readelf -d "$W/$a/usr/bin/efikexec-plan" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | sort | paste -sd' ')
	if [ "$needed" = "$(echo libc.so.6 libfdt.so.1 liblz4.so.1 liblzma.so.5 liblzo2.so.2 libz.so.1 libzstd.so.1 $([ $a = arm64 ] && echo ld-linux-aarch64.so.1) | tr ' ' '\n' | sort | paste -sd' ')" ]; then
		ok "$a: efikexec-plan links libc, libfdt, liblz4, liblzma, liblzo2, zlib and libzstd as shared libraries"
	else
		bad "$a: efikexec-plan links: $needed"
	fi
	deps=$(dpkg-deb -f "$main" Depends)
	if grep -q 'libc6 (>= ' <<<"$deps" && grep -q 'zlib1g' <<<"$deps" && grep -q 'libzstd1' <<<"$deps" && grep -q 'liblzma5' <<<"$deps" && grep -q 'libfdt1' <<<"$deps" &&
		grep -q 'liblz4-1' <<<"$deps" && grep -q 'liblzo2-2' <<<"$deps"; then
		ok "$a: efikexec depends on the libraries its programs link ($deps)"
	else
		bad "$a: efikexec's Depends: $deps"
	fi
	hook=$W/$a/etc/kernel/postinst.d/zz-efikexec
	if sh -n "$hook" && [ -x "$hook" ] && cmp -s "$hook" "$W/$a/etc/kernel/postrm.d/zz-efikexec"; then
		ok "$a: the kernel hook is an executable shell script, one under three names"
	else
		bad "$a: the kernel hook"
	fi
	# libefikexec-dev as a client uses it: pkg-config's flags, examples/
	export PKG_CONFIG_SYSROOT_DIR=$W/$a PKG_CONFIG_LIBDIR=$W/$a/usr/lib/$triplet/pkgconfig
	gnuefi=/usr
	[ $a = arm64 ] && gnuefi=$BUILD/sysroot-arm64/usr
	flags=$(pkg-config --cflags --libs efikexec 2>&1)
	if out=$(make --no-print-directory -C examples EFIKEXEC=pkg-config ARCH=$arch GNUEFI="$gnuefi" OUT="$W/ex-$a" 2>&1) &&
		file -b "$W/ex-$a/boot-buffer.efi" | grep -q 'EFI application'; then
		ok "$a: pkg-config --cflags --libs efikexec ($flags) builds examples/"
	else
		bad "$a: examples with pkg-config" "$flags
$out"
	fi
	unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
	if [ $a = amd64 ] && [ "$("$W/$a/usr/sbin/efikexec-install" --version)" = "efikexec-install $VERSION" ]; then
		ok "amd64: the packaged efikexec-install runs"
	elif [ $a = amd64 ]; then
		bad "amd64: the packaged efikexec-install runs"
	fi
done

# lintian: no errors; warnings shown (and counted in the closing note)
out=$(lintian --tag-display-limit 0 "$DEB"/*.deb 2>&1)
errors=$(grep -c '^E:' <<<"$out")
warnings=$(grep '^W:' <<<"$out")
if [ "$errors" = 0 ]; then
	ok "lintian: no errors ($(grep -c '^W:' <<<"$out") warnings)"
	[ -z "$warnings" ] || sed 's/^/    /' <<<"$warnings"
else
	bad "lintian: $errors errors" "$out"
fi
echo "deb: $pass passed, $fail failed"
[ "$fail" = 0 ]
