#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-header.sh - include/efikexec.h compiles alone, freestanding, as C11
# and C++ with -Wall -Wextra -Werror (and -pedantic), for both arches, with
# both compilers, and with EDK II's default calling convention on x86_64;
# tests/header/use.c uses it as a caller would. Last line:
# "header: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
pass=0 fail=0
W="-Wall -Wextra -Werror -pedantic -ffreestanding -fsyntax-only -Iinclude"
try() {
	local what=$1
	shift
	if out=$("$@" 2>&1); then
		pass=$((pass + 1))
		echo "PASS header $what"
	else
		fail=$((fail + 1))
		echo "FAIL header $what: $*"
		echo "$out" | sed 's/^/    /'
	fi
}
for cc in gcc clang; do
	try "$cc C11 alone" $cc -std=c11 $W -x c include/efikexec.h
	try "$cc C11 use" $cc -std=c11 $W tests/header/use.c
	try "$cc C11 use, ms_abi default" $cc -std=c11 $W -mabi=ms tests/header/use.c
done
for cxx in g++ clang++; do
	try "$cxx C++11 alone" $cxx -std=c++11 $W -x c++ include/efikexec.h
	try "$cxx C++11 use" $cxx -std=c++11 $W -x c++ tests/header/use.c
	try "$cxx C++17 use" $cxx -std=c++17 $W -x c++ tests/header/use.c
done
try "aarch64 gcc C11 use" aarch64-linux-gnu-gcc -std=c11 $W tests/header/use.c
try "clang aarch64 C++11 use" clang++ --target=aarch64-linux-gnu -std=c++11 $W -x c++ tests/header/use.c
echo "header: $pass passed, $fail failed"
[ "$fail" = 0 ]
