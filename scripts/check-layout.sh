#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# check-layout.sh - the house's include rules, each a check:
#   app/ (efikexec.efi) is a client of the public header: it includes
#     ../include/efikexec.h, ../lib/ helpers, its own headers and the
#     firmware's (<...>), nothing from efi/, boot/, arch/ or purgatory/;
#   only efi/ (and the tests' fake firmware) include efi/ headers;
#   tools/ includes nothing of app/ or efi/ (the entry model is lib/bls.c);
#   boot/ and arch/ never include purgatory/: what it shares is in lib/;
#   no product file includes anything under tests/.
# Last line: "layout: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
pass=0 fail=0
# rule NAME: the offending "file:line: include" lines on stdin
rule() {
	local bad
	bad=$(cat)
	if [ -z "$bad" ]; then
		pass=$((pass + 1))
		echo "PASS layout $1"
	else
		fail=$((fail + 1))
		echo "FAIL layout $1:"
		echo "$bad" | sed 's/^/    /'
	fi
}
src() { find "$@" -name '*.[chS]' -o -name '*.asm' -o -name '*.inc' 2>/dev/null | sort; }
quoted() { grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$@" /dev/null; }

rule "app/ includes only include/efikexec.h, lib/ and its own headers" < <(quoted $(src app) |
	grep -Ev '"(\.\./include/efikexec\.h|\.\./lib/[a-z0-9_-]+\.h|[a-z0-9_-]+\.h)"')
rule "only efi/ includes efi/ headers" < <(quoted $(src app lib boot arch purgatory tools include) |
	grep -E '"(\.\./)+efi/')
rule "tools/ (host programs) include neither app/ nor efi/: what they share with the stage is in lib/" < <(quoted $(src tools) |
	grep -E '"(\.\./)+(app|efi)/')
rule "boot/ and arch/ never include purgatory/" < <(quoted $(src boot arch) | grep -E '"(\.\./)+purgatory/')
rule "no product file includes tests/" < <(quoted $(src app efi lib boot arch purgatory tools include bench examples) |
	grep -E '"(\.\./)+tests/')
echo "layout: $pass passed, $fail failed"
[ "$fail" = 0 ]
