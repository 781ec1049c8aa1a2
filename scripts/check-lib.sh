#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-lib.sh ARCHIVE NM - libefikexec.a may only export what
# include/efikexec.h declares: every global symbol it defines starts with
# efikexec_ or EFIKEXEC_ (the runtime's memcpy, printf, SHA-256 and the
# libfdt/zlib/zstd copies inside are local), and it needs nothing from the
# program that links it (no undefined symbol but _GLOBAL_OFFSET_TABLE_,
# which the linker makes, and the efikexec_weak_* hooks make-lib.sh renamed,
# which stay unset), so it links beside any
# program's own runtime without a clash.
set -euo pipefail
lib=$1 nm=$2
bad=$("$nm" -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | grep -v -E '^(efikexec_|EFIKEXEC_)' || true)
if [ -n "$bad" ]; then
	echo "check-lib: $lib exports symbols without the efikexec_ prefix:" >&2
	echo "$bad" | head -20 >&2
	exit 1
fi
undef=$("$nm" -u "$lib" | awk 'NF == 2 && $2 != "_GLOBAL_OFFSET_TABLE_" && $2 !~ /^efikexec_weak_/ { print $2 }' || true)
if [ -n "$undef" ]; then
	echo "check-lib: $lib needs symbols its caller would have to define:" >&2
	echo "$undef" | head -20 >&2
	exit 1
fi
n=$("$nm" -g --defined-only "$lib" | awk 'NF == 3' | wc -l)
if [ "$n" -lt 10 ]; then
	echo "check-lib: $lib exports only $n symbols; the API is missing" >&2
	exit 1
fi
