#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# make-lib.sh ARCH_PREFIX OUT.a INPUTS... - builds libefikexec.a:
#  1. one relocatable object of every input (the prebuilt libraries'
#     members it uses pulled in: ld -r resolves what it can inside);
#  2. weak references left open (libzstd's optional tracing hooks) renamed
#     efikexec_weak_*, so a program defining a hook of that name is not
#     called by the library's copy;
#  3. every global symbol but the public efikexec_* made local;
#  4. archived, and checked by scripts/check-lib.sh.
# ARCH_PREFIX is the toolchain's ("" or "aarch64-linux-gnu-").
set -euo pipefail
pfx=$1 out=$2
shift 2
all=${out%.a}.all.o obj=${out%.a}.o
"${pfx}ld" -r "$@" -o "$all"
redef=()
for s in $("${pfx}nm" -u "$all" | awk '$1 == "w" { print $2 }'); do
	redef+=(--redefine-sym "$s=efikexec_weak_$s")
done
"${pfx}objcopy" "${redef[@]}" --wildcard --keep-global-symbol='efikexec_*' \
	--keep-global-symbol='EFIKEXEC_*' "$all" "$obj"
rm -f "$out" "$all"
"${pfx}ar" rcs "$out" "$obj"
exec "$(dirname "$0")/check-lib.sh" "$out" "${pfx}nm"
