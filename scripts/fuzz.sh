#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# fuzz.sh BUILD SECONDS TARGET... - runs each libFuzzer target for SECONDS,
# two at a time (FUZZ_JOBS)
# (its corpus kept under BUILD/fuzz/corpus-TARGET, so later runs start where
# earlier ones stopped) and ends with "fuzz: N passed, N failed".
set -uo pipefail
BUILD=$1 secs=$2
shift 2
pass=0 fail=0
# Seeds from real inputs, so the parsers' accepting paths are reached at
# once: the setup header of each Debian kernel, behind its 8-byte file size.
le64() {
	local v=$1 i
	for i in 0 1 2 3 4 5 6 7; do
		printf "\\$(printf %03o $(((v >> (8 * i)) & 255)))"
	done
}
seed_bzimage() {
	local k out
	for k in "$BUILD"/assets/vmlinuz-*-amd64; do
		[ -f "$k" ] || continue
		out=$BUILD/fuzz/corpus-bzimage/seed-$(basename "$k")
		[ -s "$out" ] && continue
		mkdir -p "$(dirname "$out")"
		le64 "$(stat -c %s "$k")" >"$out"
		head -c 1024 "$k" >>"$out"
	done
}
# ... and device trees QEMU builds for its arm64 virt machine
seed_dtb() {
	local out=$BUILD/fuzz/corpus-dtb/seed-virt.dtb
	[ -s "$out" ] && return 0
	mkdir -p "$(dirname "$out")"
	qemu-system-aarch64 -machine virt,dumpdtb="$out.dump" -cpu max -m 256M -nodefaults \
		-display none >/dev/null 2>&1 || true
	# packed: QEMU pads its dump to 1 MiB
	gcc -O1 "$(dirname "$0")/../tests/fuzz/pack_dtb.c" -lfdt -o "$BUILD/fuzz/pack_dtb" &&
		"$BUILD/fuzz/pack_dtb" "$out.dump" "$out" || rm -f "$out"
	rm -f "$out.dump"
}
# ... and one image of each format the loader table knows: the first 64 KiB
# of each kernel, gzip'd and as EFI zboot (gzip, zstd) around an arm64
# Image's head, a UKI of systemd's stub, an ELF (purgatory's)
seed_loader() {
	local d=$BUILD/fuzz/corpus-loader k
	[ -e "$d/.seeded" ] && return 0
	mkdir -p "$d"
	for k in "$BUILD"/assets/vmlinuz-*-amd64 "$BUILD"/assets/vmlinuz-*-arm64; do
		[ -f "$k" ] && head -c 65536 "$k" >"$d/seed-$(basename "$k")"
	done
	k=$(ls "$BUILD"/assets/vmlinuz-*-arm64 2>/dev/null | head -n1)
	if [ -n "$k" ]; then
		head -c 65536 "$k" | gzip -9 >"$d/seed-image.gz"
		for c in gzip zstd22; do
			python3 - "$d/seed-zboot-$c" "$c" "$k" <<'PY'
import gzip, struct, subprocess, sys
out, comp, k = sys.argv[1:]
img = open(k, 'rb').read(65536)
if comp == 'gzip':
    pay = gzip.compress(img); tail = b''
else:
    pay = subprocess.run(['zstd', '-19', '-c'], input=img, capture_output=True).stdout
    tail = struct.pack('<I', len(img))
hdr = bytearray(0x1000)
hdr[0:2] = b'MZ'; hdr[4:8] = b'zimg'
struct.pack_into('<II', hdr, 8, len(hdr), len(pay))
hdr[0x18:0x18 + len(comp)] = comp.encode()
struct.pack_into('<II', hdr, 0x38, 0x818223cd, 0x40)
open(out, 'wb').write(bytes(hdr) + pay + tail)
PY
		done
	fi
	k=$(ls "$BUILD"/assets/vmlinuz-*-amd64 2>/dev/null | head -n1)
	if [ -n "$k" ] && [ -f /usr/lib/systemd/boot/efi/linuxx64.efi.stub ]; then
		head -c 65536 "$k" >"$d/.linux"
		objcopy --add-section .cmdline=<(echo console=ttyS0) --change-section-vma .cmdline=0x30000 \
			--add-section .linux="$d/.linux" --change-section-vma .linux=0x2000000 \
			/usr/lib/systemd/boot/efi/linuxx64.efi.stub "$d/seed-uki.efi" 2>/dev/null || true
		rm -f "$d/.linux"
	fi
	[ -f "$BUILD/x86_64/purgatory.elf" ] && cp "$BUILD/x86_64/purgatory.elf" "$d/seed-elf"
	# a bzImage whose payload is a zstd'd vmlinux with a relocation table,
	# its last byte odd: the target takes the direct entry (--direct-entry)
	python3 - "$d/seed-bzimage-direct" <<'PY'
import struct, subprocess, sys
elf = bytearray(0x3000)
elf[0:4] = b'\x7fELF'; elf[4:7] = bytes([2, 1, 1])
struct.pack_into('<HHIQQQIHHHHHH', elf, 16, 2, 62, 1, 0x1000010, 64, 0, 0, 64, 56, 1, 64, 0, 0)
struct.pack_into('<IIQQQQQQ', elf, 64, 1, 7, 0x1000, 0xffffffff81000000, 0x1000000, 0x2000, 0x3000, 0x1000)
rel = struct.pack('<6I', 0, 0x81000100, 0, 0x81000200, 0, 0x81000300)
vm = bytes(elf) + rel
pay = subprocess.run(['zstd', '-19', '-c'], input=vm, capture_output=True).stdout + struct.pack('<I', len(vm))
setup = 4 * 512
b = bytearray(setup + 0x400 + len(pay) + 1)
b[0x1f1] = 3; struct.pack_into('<I', b, 0x1f4, (len(b) - setup) // 16)
struct.pack_into('<H', b, 0x1fe, 0xaa55); b[0x200:0x202] = b'\xeb\x6a'; b[0x202:0x206] = b'HdrS'
struct.pack_into('<H', b, 0x206, 0x20f); b[0x211] = 1; struct.pack_into('<II', b, 0x22c, 0x7fffffff, 0x200000)
b[0x234] = 1; struct.pack_into('<HI', b, 0x236, 3, 2047)
struct.pack_into('<II', b, 0x248, 0x400, len(pay)); struct.pack_into('<QI', b, 0x258, 0x1000000, 0x800000)
b[setup + 0x400:setup + 0x400 + len(pay)] = pay; b[-1] = 1
open(sys.argv[1], 'wb').write(bytes(b))
PY
	touch "$d/.seeded"
}
# ... and bzip2 streams: text, a run past the run-length stage's 4 + 255,
# every byte value, at block sizes 1 and 9
seed_bunzip2() {
	local d=$BUILD/fuzz/corpus-bunzip2
	[ -e "$d/.seeded" ] && return 0
	mkdir -p "$d"
	printf 'the kernel payload, decompressed by efikexec\n%.0s' 1 2 3 | bzip2 -9c >"$d/seed-text"
	head -c 300 /dev/zero | bzip2 -1c >"$d/seed-run"
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 3)' | bzip2 -9c >"$d/seed-bytes"
	touch "$d/.seeded"
}
# ... and the memory maps efikexec.efi --memmap printed in the boot tests
seed_mapfile() {
	local d=$BUILD/fuzz/corpus-mapfile f
	mkdir -p "$d"
	for f in "$BUILD"/qemu/plan-host-*.map; do
		[ -f "$f" ] && cp "$f" "$d/seed-$(basename "$f")"
	done
	[ -n "$(ls "$d")" ] || printf 'memmap [0x000000100000, 0x000040000000) free 1047552 KiB\nmemmap: machine x86_64\nmemmap: descriptors 100 of 48 bytes\nmemmap: keep clear [0x000000200000, 0x000000300000)\n' >"$d/seed-min"
}
# ... and for the trust parsers (selector byte 0: PE): a signed kernel's
# headers, and the whole of efikexec's own small image
seed_trust() {
	local k out
	for k in "$BUILD"/assets/vmlinuz-6.1-amd64 "$BUILD"/x86_64/efikexec.efi; do
		[ -f "$k" ] || continue
		out=$BUILD/fuzz/corpus-trust/seed-$(basename "$k")
		[ -s "$out" ] && continue
		mkdir -p "$(dirname "$out")"
		{ printf '\000'; head -c 65536 "$k"; } >"$out"
	done
}
# ... and for the Multiboot2 target: the test payload's and Xen's heads
# (behind their length, big-endian), then bytes for the map and modules
seed_multiboot2() {
	local d=$BUILD/fuzz/corpus-multiboot2 img src
	mkdir -p "$d"
	for src in "$BUILD/tests/mb2-payload.elf" "$BUILD/assets/xen/xen-4.17-amd64.gz"; do
		[ -f "$src" ] || continue
		img=$d/seed-$(basename "$src" .gz)
		[ -s "$img" ] && continue
		python3 - "$src" "$img" <<'PY'
import gzip, os, sys
src, out = sys.argv[1:]
data = open(src, 'rb').read()
if src.endswith('.gz'):
    data = gzip.decompress(data)
head = data[:16384]
tail = bytes((i * 37 + 11) & 255 for i in range(400))
open(out, 'wb').write(len(head).to_bytes(2, 'big') + head + tail)
PY
		# the loader table's corpus too: the whole head as an image
		mkdir -p "$BUILD/fuzz/corpus-loader"
		if [ "${src%.gz}" = "$src" ]; then head -c 65536 "$src"; else gunzip -c "$src" | head -c 65536; fi \
			>"$BUILD/fuzz/corpus-loader/seed-mb2-$(basename "$src" .gz)"
	done
}
# ... and the installer's inputs: a GPT disk's first 34 blocks (sfdisk),
# a boot entry naming efikexec (the UEFI spec's EFI_LOAD_OPTION)
seed_install() {
	local d=$BUILD/fuzz/corpus-install
	[ -s "$d/seed-gpt" ] && [ -s "$d/seed-option" ] && return 0
	mkdir -p "$d"
	truncate -s 2M "$d/disk.tmp"
	printf 'label: gpt\nsize=1M, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n' | sfdisk -q "$d/disk.tmp" >/dev/null
	head -c $((34 * 512)) "$d/disk.tmp" >"$d/seed-gpt"
	rm -f "$d/disk.tmp"
	python3 - "$d/seed-option" <<'PY'
import struct, sys
desc = 'efikexec\0'.encode('utf-16-le')
hd = struct.pack('<BBHIQQ16sBB', 4, 1, 42, 1, 2048, 2048, bytes(range(16)), 2, 2)
path = '\\EFI\\efikexec\\efikexecx64.efi\0'.encode('utf-16-le')
dp = hd + struct.pack('<BBH', 4, 4, 4 + len(path)) + path + b'\x7f\xff\x04\x00'
open(sys.argv[1], 'wb').write(struct.pack('<IH', 1, len(dp)) + desc + dp)
PY
}
# ... and UKIs: the loader's seed UKI, and one with two profiles (objcopy)
seed_uki() {
	local d=$BUILD/fuzz/corpus-uki s=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
	[ -s "$d/seed-profiles.efi" ] && return 0
	mkdir -p "$d"
	[ -f "$s" ] || return 0
	objcopy --add-section .linux=<(printf 'MZ-kernel') --change-section-vma .linux=0x2000000 \
		--add-section .profile=<(printf 'ID=a\n') --change-section-vma .profile=0x2100000 \
		"$s" "$d/seed-one.tmp" 2>/dev/null &&
		objcopy --add-section .profile=<(printf 'ID=b\nTITLE=B\n') --change-section-vma .profile=0x2200000 \
			--add-section .cmdline=<(printf 'quiet') --change-section-vma .cmdline=0x2300000 \
			"$d/seed-one.tmp" "$d/seed-profiles.efi" 2>/dev/null
	rm -f "$d/seed-one.tmp"
	[ -s "$d/seed-profiles.efi" ] && head -c 65536 "$d/seed-profiles.efi" >"$d/seed-head" || true
}
seed_bzimage
seed_bunzip2
seed_dtb
seed_uki
seed_install
seed_multiboot2
seed_trust
seed_loader
seed_mapfile
# one target; its verdict in BUILD/fuzz/TARGET.rc, its lines in .out
fuzz_one() {
	local t=$1 log=$BUILD/fuzz/$1.log
	if "$BUILD/fuzz/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$BUILD/fuzz/$t-" \
		"$BUILD/fuzz/corpus-$t" >"$log" 2>&1; then
		echo "PASS fuzz_$t: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs in ${secs}s"
		echo 0 >"$BUILD/fuzz/$t.rc"
	else
		echo "FAIL fuzz_$t (log: $log)"
		tail -n 30 "$log" | sed 's/^/    /'
		echo 1 >"$BUILD/fuzz/$t.rc"
	fi >"$BUILD/fuzz/$t.out"
}
# two targets at a time (the machine has two cores; each fuzzer is one
# process), each reported whole when it ends
JOBS=${FUZZ_JOBS:-2}
for t in "$@"; do
	rm -f "$BUILD/fuzz/$t.rc" "$BUILD/fuzz/$t.out"
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
	fuzz_one "$t" &
done
wait
for t in "$@"; do
	cat "$BUILD/fuzz/$t.out" 2>/dev/null
	if [ "$(cat "$BUILD/fuzz/$t.rc" 2>/dev/null)" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
