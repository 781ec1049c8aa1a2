#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-docs.sh - the man pages in docs/: each renders with man(1) without
# a warning, and each says what the code accepts:
#   efikexec(1)      every option app/options.c matches
#   efikexec-plan(1) every option tools/efikexec-plan.c takes
#   efikexec-vm(1)   every option tools/efikexec-vm takes
#   efikexec-install(8) every option and command tools/install/main.c takes
#   efikexec.conf(5) every key lib/bls.c reads (entries, loader.conf, efikexec.conf)
#   libefikexec(3)   every function include/efikexec.h declares
# Last line: "docs: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS docs $1"; }
bad() { fail=$((fail + 1)); echo "FAIL docs $1"; }

for page in docs/*.[1-9]; do
	warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -z "$warn" ] && [ -n "$(MANWIDTH=80 man -l "$page" 2>/dev/null)" ]; then
		ok "$page renders"
	else
		bad "$page renders: $warn"
	fi
done

# covered PAGE WHAT WORD...: each WORD is in PAGE's rendered text
covered() {
	local page=$1 what=$2 text missing=() w
	shift 2
	text=$(MANWIDTH=200 man -l "$page" 2>/dev/null | sed 's/‐/-/g')
	for w in "$@"; do
		grep -qF -- "$w" <<<"$text" || missing+=("$w")
	done
	if [ ${#missing[@]} = 0 ] && [ $# -gt 0 ]; then
		ok "$page names every $what ($#)"
	else
		bad "$page lacks $what: ${missing[*]:-(none found in the code)}"
	fi
}
covered docs/efikexec.1 "option of app/options.c" \
	$(grep -o 'match(a, "--[a-z0-9-]*"' app/options.c | sed 's/.*"\(--[a-z0-9-]*\)"/\1/' | sort -u)
covered docs/efikexec-plan.1 "option of tools/efikexec-plan.c" \
	$(grep -oE '"--[a-z0-9-]+=?"' tools/efikexec-plan.c | tr -d '"=' | sort -u)
covered docs/efikexec-install.8 "option of tools/install/main.c" \
	$(sed -n 's/^\t\t{ "\([a-z-]*\)", [a-z_]*argument.*/--\1/p' tools/install/main.c | sort -u)
covered docs/efikexec-install.8 "command of tools/install/main.c" \
	$(sed -n 's/^\t{ "\([a-z-]*\)", [01], run_.*/\1/p' tools/install/main.c | sort -u)
covered docs/efikexec-vm.1 "option of tools/efikexec-vm" \
	$(grep -oE 'add_argument\("--[a-z0-9-]+"' tools/efikexec-vm | sed 's/.*"\(--[a-z0-9-]*\)"/\1/' | sort -u)
covered docs/efikexec.conf.5 "key of lib/bls.c" \
	$(grep -o 'strcmp)(k, "[a-z@-]*")' lib/bls.c | sed 's/.*"\(.*\)")/\1/' | sort -u)
covered docs/libefikexec.3 "function of include/efikexec.h" \
	$(grep -oE 'EFIKEXEC_API \*?efikexec_[a-z0-9_]+\(' include/efikexec.h | sed 's/.*\(efikexec_[a-z0-9_]*\)(/\1/' | sort -u)
echo "docs: $pass passed, $fail failed"
[ "$fail" = 0 ]
