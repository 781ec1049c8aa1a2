#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# net-fetch.sh BUILD [ROUNDS] [ARCH...] - the same 60 MiB file fetched over
# HTTP by efikexec (EFI_HTTP_PROTOCOL, straight into its pages) and by the
# firmware's own HTTP boot (LoadFile on the NIC's HTTP boot child, which is
# what a boot manager's network entry uses), in one boot of OVMF or AAVMF
# under QEMU's user network, timed in the guest by the CPU's counter
# (efikexec's test build, --test-bench-fetch). The firmware's time includes
# the DHCP exchange its HTTP boot makes for every new URI (its design), so
# its body alone (LoadFile's second call) is reported too; efikexec's NIC has
# its address before its timed fetch (a warm-up request just before).
# Then the same over HTTPS in the same boot (Python's ssl on 127.0.0.1 with
# a test CA given to the firmware through fw_cfg, tests/qemu/net.sh
# tls_pki), both sides through the firmware's TLS.
# Prints each round, each side's median and the ratio efikexec/firmware
# (below 1: efikexec is faster), for HTTP and for HTTPS, and HTTPS's time
# against HTTP's for efikexec. A benchmark, not a test: it never fails on
# a time.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
ROUNDS=${2:-3}
shift $(($# < 2 ? $# : 2))
ARCHES=("$@")
[ ${#ARCHES[@]} -gt 0 ] || ARCHES=(x86_64 aarch64)
export BUILD
SUITE=$(cd "$(dirname "$0")/../tests/qemu" && pwd)
. "$SUITE/lib.sh"
. "$SUITE/net.sh"

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

for arch in "${ARCHES[@]}"; do
	name=bench-net-$arch
	esp=$(new_esp "$name")
	srv=$WORK/$name-srv
	rm -rf "$srv" && mkdir -p "$srv"
	cp "$BUILD/$arch-testhooks/efikexec.efi" "$esp/efikexec.efi"
	head -c $((60 << 20)) /dev/urandom >"$srv/big.efi"
	head -c 4096 /dev/urandom >"$srv/warm.img"
	serve_start "$srv" "$name"
	http_pid=$NET_PID
	u=http://10.0.2.2:$NET_PORT
	tls_pki "$WORK/tls" || { echo "bench-net: could not make the test certificates"; exit 1; }
	NETSERVE_TLS="$WORK/tls/ca-srv.pem:$WORK/tls/ca-srv.key" serve_start "$srv" "$name-tls"
	s=https://10.0.2.2:$NET_PORT
	lines=("efikexec.efi --sha256=$u/warm.img")
	for _ in $(seq "$ROUNDS"); do lines+=("efikexec.efi --test-bench-fetch=$u/big.efi"); done
	lines+=("efikexec.efi --sha256=$s/warm.img")
	for _ in $(seq "$ROUNDS"); do lines+=("efikexec.efi --test-bench-fetch=$s/big.efi"); done
	startup_nsh "$esp" "${lines[@]}"
	net_args "$srv"
	rc=0
	QEMU_DISK_FIRST=1 qemu_boot "$arch" "$name" "$esp" 1G $((120 + 300 * ROUNDS)) "${NET_ARGS[@]}" \
		-fw_cfg "name=etc/edk2/https/cacerts,file=$WORK/tls/cacerts.esl" || rc=$?
	serve_stop
	kill "$http_pid" 2>/dev/null || :
	wait "$http_pid" 2>/dev/null || :
	mapfile -t got < <(clean_log "$name" | grep -ao 'bench-net: .*')
	if [ "${#got[@]}" != $((2 * ROUNDS)) ]; then
		echo "bench-net $arch: ${#got[@]} of $((2 * ROUNDS)) rounds ran (qemu $rc); see $LOGDIR/$name.log"
		continue
	fi
	eh=
	for proto in HTTP HTTPS; do
		if [ "$proto" = HTTP ]; then part=("${got[@]:0:ROUNDS}"); else part=("${got[@]:ROUNDS}"); fi
		printf '%s\n' "${part[@]}" | sed "s/^/$arch $proto: /"
		e=$(printf '%s\n' "${part[@]}" | awk '{print $6}' | median)
		f=$(printf '%s\n' "${part[@]}" | awk '{print $13}' | median)
		b=$(printf '%s\n' "${part[@]}" | awk '{print $13 - $15}' | median)
		awk -v a="$arch" -v p="$proto" -v e="$e" -v f="$f" -v b="$b" 'BEGIN {
			printf "bench-net %s: 60 MiB over %s, medians: efikexec %.2f s (%.1f MB/s); firmware LoadFile %.2f s, of which the body %.2f s (%.1f MB/s); ratio efikexec/firmware %.2f (%.2f against its body alone)\n",
				a, p, e / 1e6, 62914560 / e, f / 1e6, b / 1e6, 62914560 / b, e / f, e / b }'
		[ "$proto" = HTTP ] && eh=$e
	done
	awk -v a="$arch" -v h="$eh" -v s="$e" 'BEGIN {
		printf "bench-net %s: efikexec over HTTPS takes %.2f times its time over HTTP\n", a, s / h }'
done
