#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# test-tlsca.sh BUILD - the CA lists efikexec gives the firmware's TLS
# (lib/tlsca.c, through build/host/tlsca_pack) byte for byte against
# virt-fw-sigdb's (python3-virt-firmware), for one PEM certificate, three
# in one file among other PEM blocks and text, a DER file, and
# certificates of 1024 to 4096-bit keys; and the refusals, each naming
# the file: no certificate, broken base64, a PEM block with no end, a DER
# length that does not match.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
OWNER=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS tlsca $1"; }
bad() { fail=$((fail + 1)); echo "FAIL tlsca $1"; }
cert() { # cert NAME BITS
	openssl req -x509 -newkey "rsa:$2" -nodes -days 30 -subj "/CN=efikexec tlsca $1" \
		-keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null
}
same() { # same WHAT INPUT PEM...: tlsca_pack INPUT equals virt-fw-sigdb of the PEMs
	local what=$1 in=$2 args=() p
	shift 2
	for p in "$@"; do args+=(--add-cert "$OWNER" "$p"); done
	if ! "$BUILD/host/tlsca_pack" "$OWNER" "$T/a.esl" "$in" >/dev/null; then
		bad "$what: tlsca_pack refused it"
		return
	fi
	virt-fw-sigdb "${args[@]}" -o "$T/b.esl" >/dev/null 2>&1 || { bad "$what: virt-fw-sigdb failed"; return; }
	if cmp -s "$T/a.esl" "$T/b.esl"; then
		ok "$what ($(stat -c %s "$T/a.esl") bytes)"
	else
		bad "$what: the lists differ: $(cmp "$T/a.esl" "$T/b.esl" | head -n1)"
	fi
}
refused() { # refused WHAT FILE TEXT: tlsca_pack exits 2 saying TEXT, naming FILE
	local what=$1 f=$2 want=$3 out rc=0
	out=$("$BUILD/host/tlsca_pack" "$OWNER" "$T/x.esl" "$f" 2>&1) || rc=$?
	if [ "$rc" = 2 ] && [[ $out == *"$f: "*"$want"* ]]; then
		ok "$what: refused: ${out#"$T/"}"
	else
		bad "$what: exit $rc, '$out'"
	fi
}
for b in 1024 2048 3072 4096; do cert "k$b" "$b"; done
same "one PEM" "$T/k2048.pem" "$T/k2048.pem"
{ echo "a bundle: three CAs"; cat "$T/k1024.pem"; cat "$T/k2048.key"; echo; cat "$T/k3072.pem"; printf 'trailing text\r\n'; cat "$T/k4096.pem"; } >"$T/bundle.pem"
same "a bundle among other blocks" "$T/bundle.pem" "$T/k1024.pem" "$T/k3072.pem" "$T/k4096.pem"
openssl x509 -in "$T/k3072.pem" -outform DER -out "$T/k3072.der"
same "DER" "$T/k3072.der" "$T/k3072.pem"
printf 'no certificate here\n' >"$T/none.txt"
refused "no certificate" "$T/none.txt" "no certificate"
sed '2s/^./*/' "$T/k2048.pem" >"$T/b64.pem"
refused "bad base64" "$T/b64.pem" "is not base64"
head -n 5 "$T/k2048.pem" >"$T/open.pem"
refused "no end line" "$T/open.pem" "has no '-----END CERTIFICATE-----' line"
head -c 500 "$T/k3072.der" >"$T/short.der"
refused "a short DER file" "$T/short.der" "no certificate"
echo "tlsca: $pass passed, $fail failed"
[ "$fail" = 0 ]
