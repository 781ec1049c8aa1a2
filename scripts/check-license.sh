#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-license.sh - the project's license is stated where it must be:
#   every file the project wrote (source, script, build file, man page)
#   carries "SPDX-License-Identifier: BSD-2-Clause-Patent" in its first
#   lines; prose and packaging data (below) are the only files without it
#   LICENSE holds the license's text
#   debian/copyright is machine-readable and names the same license
# The files are those git tracks, and the new ones it does not ignore.
# Last line: "license: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ID='SPDX-License-Identifier: BSD-2-Clause-Patent'
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS license $1"; }
bad() { fail=$((fail + 1)); echo "FAIL license $1"; }

# prose, the license itself and Debian's packaging data: no comment syntax
# of their own, or a format that fixes their first lines
exempt() {
	case $1 in
	*.md | LICENSE | .gitignore) return 0 ;;
	debian/changelog | debian/control | debian/copyright | debian/source/format | debian/*.install) return 0 ;;
	esac
	return 1
}

if git rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files --cached --others --exclude-standard)
else
	mapfile -t files < <(find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||')
fi
missing=() n=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	exempt "$f" && continue
	n=$((n + 1))
	head -n 3 "$f" | grep -qF "$ID" || missing+=("$f")
done
if [ ${#missing[@]} = 0 ]; then
	ok "the SPDX line in each of $n files"
else
	bad "no '$ID' in the first 3 lines of: ${missing[*]}"
fi

if grep -q 'each copyright holder' LICENSE 2>/dev/null &&
	grep -q 'Redistribution and use in source and binary forms' LICENSE; then
	ok "LICENSE holds the BSD-2-Clause-Patent text"
else
	bad "LICENSE is missing or not the BSD-2-Clause-Patent text"
fi

if head -n 1 debian/copyright | grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' &&
	grep -qx 'License: BSD-2-Clause-Patent' debian/copyright &&
	! grep -q '^License: none' debian/copyright; then
	ok "debian/copyright: machine-readable, BSD-2-Clause-Patent"
else
	bad "debian/copyright does not name BSD-2-Clause-Patent in the copyright-format 1.0"
fi
echo "license: $pass passed, $fail failed"
[ "$fail" = 0 ]
