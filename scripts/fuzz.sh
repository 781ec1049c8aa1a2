#!/usr/bin/env bash
# fuzz.sh BUILD SECONDS TARGET... - runs each libFuzzer target for SECONDS
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
seed_bzimage
seed_dtb
for t in "$@"; do
	log=$BUILD/fuzz/$t.log
	if "$BUILD/fuzz/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$BUILD/fuzz/$t-" \
		"$BUILD/fuzz/corpus-$t" >"$log" 2>&1; then
		echo "PASS fuzz_$t: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs in ${secs}s"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz_$t (log: $log)"
		tail -n 30 "$log" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
