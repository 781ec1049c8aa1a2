#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# Installs what efikexec needs to build and test, from Debian packages only,
# and fetches the test assets (Debian kernels, busybox) into build/assets/.
# Idempotent: a second run installs nothing and downloads nothing.
#
#   scripts/deps.sh [--tools] [BUILD_DIR]
#
# --tools stops after what `make` needs (packages, the arm64 sysroot).
#
# Foreign-architecture packages (gnu-efi:arm64, libfdt-dev:arm64,
# busybox-static:arm64, arm64 kernels) collide with their amd64 twins, so they
# are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
# BUILD_DIR/sysroot-arm64 / BUILD_DIR/assets, never installed system-wide.
set -euo pipefail

TOOLS_ONLY=0
if [ "${1:-}" = --tools ]; then
	TOOLS_ONLY=1
	shift
fi
BUILD=${1:-build}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
ASSETS=$BUILD/assets
SYSROOT=$BUILD/sysroot-arm64
mkdir -p "$ASSETS" "$SYSROOT"

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

# build-essential: dpkg-buildpackage checks for it (make deb).
# libtss2-*: systemd-measure 252 signs a PCR policy through a TPM (swtpm's
# TCTI), the UKI tests' .pcrsig.
# libc6-dev-arm64-cross: Debian's arm64 libfdt_env.h includes <stdlib.h>
# and <string.h>, which the cross compiler finds only there
HOST_PKGS=(make gcc libc6-dev gnu-efi libfdt-dev nasm gcc-aarch64-linux-gnu
	libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-system-x86 qemu-system-arm ovmf
	qemu-efi-aarch64 busybox-static cpio mtools dosfstools file xz-utils
	zstd libclang-rt-14-dev clang makedumpfile zlib1g-dev libzstd-dev liblzma-dev liblz4-dev liblzo2-dev libbz2-dev systemd-boot-efi
	bzip2 lz4 lzop fdisk grub-efi-amd64-bin swtpm swtpm-tools sbsigntool openssl man-db
	mmdebstrap debhelper lintian pkgconf e2fsprogs dpkg-dev python3 git u-boot-qemu
	build-essential libtss2-esys-3.0.2-0 libtss2-mu0 libtss2-rc0 libtss2-tcti-swtpm0)

log() { printf 'deps: %s\n' "$*" >&2; }

# --- apt sources: arm64 as a foreign architecture, bookworm-backports ----------
changed=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "adding arm64 as a foreign architecture (for apt-get download only)"
	$SUDO dpkg --add-architecture arm64
	changed=1
fi
BPO=/etc/apt/sources.list.d/efikexec-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	log "adding bookworm-backports (6.12 kernels)"
	$SUDO tee "$BPO" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	changed=1
fi

missing=()
for p in "${HOST_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# One `apt-get update` when something is new, or when the lists are empty.
stamp=$BUILD/.apt-updated
need_update=$changed
if [ ! -e "$stamp" ] && { [ ${#missing[@]} -gt 0 ] ||
	! apt-cache show linux-image-arm64:arm64 >/dev/null 2>&1 ||
	! apt-cache show linux-image-amd64/bookworm-backports >/dev/null 2>&1; }; then
	need_update=1
fi
if [ "$need_update" = 1 ]; then
	log "apt-get update"
	$SUDO apt-get update -qq
	touch "$stamp"
fi
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# virt-fw-vars (the Secure Boot tests' variable stores) is in bookworm-backports only
if ! dpkg-query -W -f='${Status}' python3-virt-firmware 2>/dev/null | grep -q 'install ok installed'; then
	log "installing python3-virt-firmware from bookworm-backports"
	$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports python3-virt-firmware >/dev/null
fi

# --- foreign packages, unpacked into the build tree ----------------------------
# have_deb DIR PKG: DIR holds a .deb of PKG (its name without :arch or /release)
have_deb() {
	local base=${2%%:*}
	base=${base%%/*}
	ls "$1/${base}_"*.deb >/dev/null 2>&1
}
# download DIR PKG...: fetch into DIR the .deb of each PKG (name[:arch][/release])
# that is not there yet, all in one apt-get call (each call reads the
# package lists again: about 2 s, where the files take a fraction of that)
download() {
	local dir=$1 p missing=()
	shift
	mkdir -p "$dir"
	for p in "$@"; do
		have_deb "$dir" "$p" || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	log "downloading ${missing[*]}"
	apt_download "$dir" "${missing[@]}"
	# apt-get fetches nothing when one name is unknown: each on its own
	# then, so that the error names the one that is
	for p in "${missing[@]}"; do
		have_deb "$dir" "$p" || apt_download "$dir" "$p"
		have_deb "$dir" "$p" || { log "could not download $p"; exit 1; }
	done
}
# apt_download DIR PKG...: apt-get download into DIR, its sandbox warning dropped
apt_download() {
	local dir=$1
	shift
	(cd "$dir" && apt-get download -q "$@" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
}

# the static libraries the aarch64 application links (libfdt, zlib,
# libzstd, liblzma, liblz4, liblzo2), systemd's arm64 stub for the UKI tests, and the shared
# libraries the arm64 package's host programs link (make deb)
SYSROOT_PKGS="gnu-efi libfdt-dev zlib1g-dev libzstd-dev liblzma-dev liblz4-dev liblzo2-dev systemd-boot-efi libfdt1 zlib1g libzstd1 liblzma5 liblz4-1 liblzo2-2"
download "$ASSETS/debs" $(printf '%s:arm64 ' $SYSROOT_PKGS)
if [ "$(cat "$SYSROOT/.unpacked" 2>/dev/null)" != "$SYSROOT_PKGS" ]; then
	for p in $SYSROOT_PKGS; do
		dpkg-deb -x "$ASSETS"/debs/${p}_*_arm64.deb "$SYSROOT"
	done
	echo "$SYSROOT_PKGS" >"$SYSROOT/.unpacked"
fi

[ "$TOOLS_ONLY" = 1 ] && exit 0

# GRUB's arm64 EFI modules, for the chainload tests' grub-mkstandalone -d
if [ ! -e "$ASSETS/grub-arm64/.done" ]; then
	download "$ASSETS/debs" grub-efi-arm64-bin:arm64
	rm -rf "$ASSETS/grub-arm64"
	dpkg-deb -x "$ASSETS"/debs/grub-efi-arm64-bin_*_arm64.deb "$ASSETS/grub-arm64"
	touch "$ASSETS/grub-arm64/.done"
fi

# systemd 254 from bookworm-backports, unpacked, never installed: its
# stubs (the UKI tests build UKIs of both Debian releases, 252 and 254)
# and its systemd-measure (with libsystemd-shared, its library) in
# $ASSETS/systemd-254
if [ ! -e "$ASSETS/systemd-254/.done" ]; then
	download "$ASSETS/debs-bpo-amd64" systemd-boot-efi:amd64/bookworm-backports systemd:amd64/bookworm-backports \
		libsystemd-shared:amd64/bookworm-backports
	download "$ASSETS/debs-bpo-arm64" systemd-boot-efi:arm64/bookworm-backports
	rm -rf "$ASSETS/systemd-254"
	for d in "$ASSETS"/debs-bpo-*/*_254.*.deb; do
		dpkg-deb -x "$d" "$ASSETS/systemd-254"
	done
	[ -x "$ASSETS/systemd-254/lib/systemd/systemd-measure" ] || { log "no systemd-measure in systemd 254"; exit 1; }
	touch "$ASSETS/systemd-254/.done"
fi

# Debian's signed shim (the Secure Boot chain test), unpacked: installing
# it would make it this machine's boot loader
if [ ! -e "$ASSETS/shim/.done" ]; then
	download "$ASSETS/debs" shim-signed:amd64
	rm -rf "$ASSETS/shim"
	dpkg-deb -x "$ASSETS"/debs/shim-signed_*_amd64.deb "$ASSETS/shim"
	touch "$ASSETS/shim/.done"
fi

# Debian's Xen hypervisors (the Multiboot2 tests), unpacked, never installed:
# /boot/xen-4.17-amd64.gz and /boot/xen-4.17-arm64
if [ ! -e "$ASSETS/xen/.done" ]; then
	download "$ASSETS/debs" xen-hypervisor-4.17-amd64:amd64 xen-hypervisor-4.17-arm64:arm64
	rm -rf "$ASSETS/xen" "$ASSETS/xen.tmp"
	for d in "$ASSETS"/debs/xen-hypervisor-4.17-amd64_*_amd64.deb "$ASSETS"/debs/xen-hypervisor-4.17-arm64_*_arm64.deb; do
		dpkg-deb -x "$d" "$ASSETS/xen.tmp"
	done
	mkdir -p "$ASSETS/xen"
	cp "$ASSETS"/xen.tmp/boot/xen-4.17-amd64.gz "$ASSETS"/xen.tmp/boot/xen-4.17-arm64 "$ASSETS/xen/"
	rm -rf "$ASSETS/xen.tmp"
	touch "$ASSETS/xen/.done"
fi

# busybox-static for both guests.
for arch in amd64 arm64; do
	out=$ASSETS/busybox-$arch
	[ -x "$out" ] && continue
	download "$ASSETS/debs-$arch" "busybox-static:$arch"
	tmp=$(mktemp -d)
	dpkg-deb -x "$ASSETS"/debs-$arch/busybox-static_*.deb "$tmp"
	install -m 0755 "$tmp/bin/busybox" "$out"
	rm -rf "$tmp"
done

# Debian kernels: 6.1 (bookworm) and 6.12 (bookworm-backports), generic
# flavour, both architectures. Only /boot/vmlinuz-* is kept, as
# assets/vmlinuz-<series>-<arch>, and the exact version beside it; of 6.1 also
# the modules the crash-capture tests load (efi-pstore, which leaves the
# panic record; the virtio block stack, which takes the dump to a disk), in
# assets/modules-<series>-<arch>/.
# (and efivarfs, which the boot-stage tests read the loader's variables with)
CAPTURE_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk efi-pstore efivarfs"
# kernel SERIES ARCH RELEASE [modules] [FLAVOUR]: FLAVOUR (cloud) names the
# meta package linux-image-FLAVOUR-ARCH and the asset vmlinuz-SERIES-FLAVOUR-ARCH
kernel() {
	local series=$1 arch=$2 meta=linux-image-$2 release=$3 mods=${4:-} flavour=${5:-}
	local out=$ASSETS/vmlinuz-$series-$arch moddir=$ASSETS/modules-$series-$arch
	if [ -n "$flavour" ]; then
		meta=linux-image-$flavour-$arch
		out=$ASSETS/vmlinuz-$series-$flavour-$arch
	fi
	local stamp
	stamp=.done-$(echo "$CAPTURE_MODULES" | md5sum | cut -c1-8)
	[ -s "$out" ] && { [ -z "$mods" ] || [ -e "$moddir/$stamp" ]; } && return 0
	local q=$meta:$arch
	[ -n "$release" ] && q=$q/$release
	local pkg
	pkg=$(apt-cache depends "$q" | sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n1)
	[ -n "$pkg" ] || { log "no kernel package behind $q"; exit 1; }
	local dir=$ASSETS/debs-$arch
	download "$dir" "$pkg:$arch"
	local tmp
	tmp=$(mktemp -d)
	dpkg-deb -x "$dir/${pkg}_"*.deb "$tmp"
	if [ -n "$mods" ]; then
		rm -rf "$moddir"
		mkdir -p "$moddir"
		local m f
		for m in $CAPTURE_MODULES; do
			f=$(find "$tmp/lib/modules" -name "$m.ko*" | head -n1)
			[ -n "$f" ] || continue # built in
			case $f in
			*.xz) xz -dc "$f" >"$moddir/$m.ko" ;;
			*.zst) zstd -qdc "$f" >"$moddir/$m.ko" ;;
			*) cp "$f" "$moddir/$m.ko" ;;
			esac
		done
		[ -e "$moddir/efi-pstore.ko" ] || { log "no efi-pstore module in $pkg"; exit 1; }
		touch "$moddir/$stamp"
	fi
	cp "$tmp"/boot/vmlinuz-* "$out.tmp"
	echo "${pkg#linux-image-}" >"$out.version"
	rm -rf "$tmp"
	# The .deb is big and the rest of it unused: keep only what is above.
	rm -f "$dir/${pkg}_"*.deb
	mv "$out.tmp" "$out"
	log "kernel $series $arch: $(cat "$out.version")"
}
kernel 6.1 amd64 "" modules
kernel 6.12 amd64 bookworm-backports modules
kernel 6.1 arm64 "" modules
kernel 6.12 arm64 bookworm-backports modules
# the soak's kernel (tests/qemu/tpm-soak.sh): Debian's 6.12 cloud flavour,
# which issue reports of early crashes with a TPM were made with
kernel 6.12 amd64 bookworm-backports "" cloud
log "ok"
