#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# test-cpio.sh BUILD - efikexec's /.extra archives (lib/cpio.c, through
# build/host/cpio_pack) byte for byte against an independent writer
# (tests/qemu/ukistub.py newc), on file sets that reach every rule: the
# sort order, sizes that need 0-3 bytes of padding, an empty file, nested
# folders, 64 files; and `cpio -t` (GNU cpio) reading them back.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() {
	local what=$1 dir=$2 dm=$3 fm=$4
	shift 4
	"$BUILD/host/cpio_pack" "$dir" "$dm" "$fm" "$T/a" "$@" &&
		python3 "$HERE/../qemu/ukistub.py" newc "$dir" "$dm" "$fm" "$T/b" "$@" || { echo "FAIL $what: a writer failed"; fail=$((fail + 1)); return; }
	if ! cmp -s "$T/a" "$T/b"; then
		echo "FAIL $what: the archives differ: $(cmp "$T/a" "$T/b" | head -n1)"
		fail=$((fail + 1))
		return
	fi
	# GNU cpio lists what the kernel would unpack: the folders, the files
	local want got
	want=$(for f in "$@"; do echo "$dir/$(basename "$f")"; done | sort)
	got=$(cpio -it --quiet <"$T/a" 2>/dev/null | grep -F "$dir/" | sort)
	if [ "$want" != "$got" ]; then
		echo "FAIL $what: cpio -t lists: $(echo $got)"
		fail=$((fail + 1))
		return
	fi
	echo "PASS $what ($(stat -c %s "$T/a") bytes)"
	pass=$((pass + 1))
}
mkdir -p "$T/in"
printf 'x' >"$T/in/b.cred"
printf 'hello' >"$T/in/a.cred"
printf 'four' >"$T/in/B.cred"
: >"$T/in/empty.cred"
head -c 4099 /dev/urandom >"$T/in/z.raw"
check credentials .extra/credentials 0500 0400 "$T/in/b.cred" "$T/in/a.cred" "$T/in/B.cred" "$T/in/empty.cred"
check sysext .extra/sysext 0555 0444 "$T/in/z.raw"
check meta .extra 0555 0444 "$T/in/a.cred"
check nested a/b/c/d 0700 0600 "$T/in/z.raw" "$T/in/a.cred"
mkdir -p "$T/many"
for i in $(seq 1 64); do head -c $((i * 7)) /dev/urandom >"$T/many/f$i.cred"; done
check 64-files .extra/global_credentials 0500 0400 "$T/many"/*
echo "cpio: $pass passed, $fail failed"
[ "$fail" = 0 ]
