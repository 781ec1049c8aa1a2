#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause-Patent
# test-install.sh BUILD - efikexec-install against a folder ESP and a folder
# of variables (efivarfs' format: four bytes of attributes, then the data),
# a GPT disk image naming the ESP's partition: install, update, remove,
# list, status, the set-* commands, the errors, and a full disk at every
# point of an install (tests/tools/enospc.c), which must leave what was
# there. Last line: "tools: N passed, N failed".
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
TOOL=$BUILD/host/efikexec-install
EFI=$BUILD/x86_64/efikexec.efi
SHIM=$BUILD/host/enospc.so
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS tools $1"; }
bad() { fail=$((fail + 1)); echo "FAIL tools $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2"; }
GLOBAL=8be4df61-93ca-11d2-aa0d-00e098032b8c
BLI=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
VERSION=$(strings "$EFI" | sed -n 's/^#### efikexec-version \(.*\) ####$/\1/p')

# a fresh machine: root/esp, root/etc, root/vars; the disk's partition 1 is the ESP
fresh() {
	rm -rf "$W/root"
	mkdir -p "$W/root/esp" "$W/root/etc" "$W/root/vars"
}
truncate -s 40M "$W/disk.img"
printf 'label: gpt\nfirst-lba: 2048\nsize=30M, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=1B2C3D4E-5F60-4172-8394-A5B6C7D8E9F0\n' |
	sfdisk -q "$W/disk.img"
run() {
	"$TOOL" --esp-path="$W/root/esp" --relax-esp-checks --efivarfs="$W/root/vars" --conf-root="$W/root/etc" \
		--esp-disk="$W/disk.img:1" --source="${SRC:-$EFI}" "$@"
}
# a variable's data as hex (attributes dropped)
var_hex() { tail -c +5 "$W/root/vars/$1" | od -An -tx1 -v | tr -d ' \n'; }
# the tree's state: every path and its content's digest
state() { (cd "$W/root" && find . -printf '%y %p\n' | sort && find . -type f -print0 | sort -z | xargs -0r sha256sum); }

# --- install on an empty ESP ---------------------------------------------------------------
fresh
# a firmware's own entries before: Boot0000 exists, BootOrder 0000,0003
printf '\x07\x00\x00\x00\x01\x00\x00\x00\x04\x00U\x00\x00\x00\x7f\xff\x04\x00' >"$W/root/vars/Boot0000-$GLOBAL"
printf '\x07\x00\x00\x00\x00\x00\x03\x00' >"$W/root/vars/BootOrder-$GLOBAL"
out=$(run install --install-conf --tries=3 2>&1)
if [ $? = 0 ] && cmp -s "$EFI" "$W/root/esp/EFI/efikexec/efikexecx64.efi" &&
	cmp -s "$EFI" "$W/root/esp/EFI/BOOT/BOOTX64.EFI" && [ -d "$W/root/esp/loader/entries" ] &&
	grep -qx 'timeout 3' "$W/root/esp/loader/loader.conf" && grep -qx type1 "$W/root/esp/loader/entries.srel" &&
	grep -qx layout=bls "$W/root/etc/install.conf" && grep -qx 3 "$W/root/etc/tries" &&
	! ls -a "$W/root/esp"/*/* | grep -q efikexec-new; then
	ok "install: the binary in \\EFI\\efikexec and \\EFI\\BOOT, loader.conf, entries/, install.conf, tries"
else
	bad "install" "$out"
fi
# Boot0001 (0000 was taken): EFI_LOAD_OPTION, built here from the UEFI spec's layout
want=$(python3 - <<'PY'
import struct, uuid
desc = 'efikexec\0'.encode('utf-16-le')
u = uuid.UUID('1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0').bytes_le
hd = struct.pack('<BBHIQQ16sBB', 4, 1, 42, 1, 2048, 30 * 2048, u, 2, 2)
path = '\\EFI\\efikexec\\efikexecx64.efi\0'.encode('utf-16-le')
fp = struct.pack('<BBH', 4, 4, 4 + len(path)) + path
dp = hd + fp + b'\x7f\xff\x04\x00'
print((struct.pack('<IH', 1, len(dp)) + desc + dp).hex())
PY
)
got=$(var_hex "Boot0001-$GLOBAL")
order=$(var_hex "BootOrder-$GLOBAL")
attrs=$(head -c 4 "$W/root/vars/Boot0001-$GLOBAL" | od -An -tx1 | tr -d ' \n')
if [ "$got" = "$want" ] && [ "$order" = 010000000300 ] && [ "$attrs" = 07000000 ]; then
	ok "install: Boot0001 is HD(1,GPT,uuid,2048,61440)/File(\\EFI\\efikexec\\efikexecx64.efi), first in BootOrder"
else
	bad "install: boot entry" "got  $got
want $want
BootOrder $order attrs $attrs"
fi
# again: the same entry, not a second one
run install -q >/dev/null 2>&1
if [ "$(ls "$W/root/vars" | grep -c '^Boot[0-9A-F]\{4\}-')" = 2 ] && [ "$(var_hex "BootOrder-$GLOBAL")" = 010000000300 ]; then
	ok "install twice: one boot entry, BootOrder unchanged"
else
	bad "install twice" "$(ls "$W/root/vars")"
fi

# --- update ------------------------------------------------------------------------------------
python3 - "$EFI" "$W/old.efi" "$W/new.efi" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
mark = b'#### efikexec-version '
i = data.index(mark) + len(mark)
j = data.index(b' ####', i)
def aged(v):
    v = v.encode()
    return data[:i] + v + data[j:]
open(sys.argv[2], 'wb').write(aged('0.0.1'))
open(sys.argv[3], 'wb').write(aged('99.0'))
PY
fresh
SRC=$W/old.efi run install --no-variables -q >/dev/null
before=$(state)
out=$(SRC=$W/old.efi run update 2>&1)
if [ $? = 0 ] && [ "$(state)" = "$before" ] && grep -q 'not older' <<<"$out"; then
	ok "update: the same version is left as it is"
else
	bad "update: same version" "$out"
fi
out=$(run update 2>&1)
if [ $? = 0 ] && cmp -s "$EFI" "$W/root/esp/EFI/efikexec/efikexecx64.efi" && cmp -s "$EFI" "$W/root/esp/EFI/BOOT/BOOTX64.EFI"; then
	ok "update: an older copy (0.0.1) is replaced by $VERSION, in \\EFI\\BOOT too"
else
	bad "update: older" "$out"
fi
SRC=$W/new.efi run update -q >/dev/null
out=$(run update 2>&1)
if [ $? = 0 ] && cmp -s "$W/new.efi" "$W/root/esp/EFI/efikexec/efikexecx64.efi" && grep -q '99.0, not older' <<<"$out"; then
	ok "update: a newer installed copy (99.0) is not downgraded"
else
	bad "update: newer" "$out"
fi
fresh
out=$(run update 2>&1)
rc=$?
out2=$(run update --graceful 2>&1)
if [ $rc = 1 ] && grep -q 'not installed' <<<"$out" && [ $? = 0 ] && [ -z "$(ls "$W/root/esp")" ]; then
	ok "update: not installed is an error (exit 1), with --graceful none; nothing written"
else
	bad "update: not installed" "$out / $out2"
fi

# --- another loader at \EFI\BOOT, --no-removable ---------------------------------------------------
fresh
mkdir -p "$W/root/esp/EFI/BOOT"
echo "another loader" >"$W/root/esp/EFI/BOOT/BOOTX64.EFI"
out=$(run install --no-variables 2>&1)
if [ $? = 0 ] && grep -qx "another loader" "$W/root/esp/EFI/BOOT/BOOTX64.EFI" && grep -q 'another boot loader' <<<"$out"; then
	ok "install: another loader's \\EFI\\BOOT\\BOOTX64.EFI is left alone"
else
	bad "install: another loader" "$out"
fi
fresh
run install --no-variables --no-removable -q
if [ ! -e "$W/root/esp/EFI/BOOT" ] && [ -e "$W/root/esp/EFI/efikexec/efikexecx64.efi" ] && [ -z "$(ls "$W/root/vars")" ]; then
	ok "install --no-removable --no-variables: no \\EFI\\BOOT, no variables"
else
	bad "install --no-removable"
fi

# --- a full disk at every point of an install: what was there stays -----------------------------------
fresh
SRC=$W/old.efi run install --no-variables -q >/dev/null
echo "timeout 7" >"$W/root/esp/loader/loader.conf"
rm "$W/root/esp/loader/entries.srel"
echo "layout=other" >"$W/root/etc/install.conf"
before=$(state)
size=$(stat -c %s "$EFI")
total=$((2 * size + 6 + 11 + 2))
kept=0 tried=0 msgs=
for after in 0 1 4096 $((size / 2)) $((size - 1)) $size $((size + 1)) $((size + size / 2)) $((2 * size - 1)) \
	$((2 * size)) $((2 * size + 3)) $((2 * size + 6)) $((2 * size + 6 + 5)); do
	tried=$((tried + 1))
	out=$(ENOSPC_DIR="$W/root" ENOSPC_AFTER=$after LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
		run install --install-conf --tries=2 --no-variables 2>&1)
	rc=$?
	if [ $rc = 1 ] && [ "$(state)" = "$before" ] && grep -q 'No space left' <<<"$out" && grep -q 'nothing installed' <<<"$out"; then
		kept=$((kept + 1))
	else
		msgs+="ENOSPC after $after bytes: exit $rc: $out"$'\n'
		fresh
		SRC=$W/old.efi run install --no-variables -q >/dev/null
		echo "timeout 7" >"$W/root/esp/loader/loader.conf"
		rm "$W/root/esp/loader/entries.srel"
		echo "layout=other" >"$W/root/etc/install.conf"
	fi
done
if [ $kept = $tried ]; then
	ok "install on a full disk: at each of $tried points (0 to $total bytes) it fails with ENOSPC and the old install stays"
else
	bad "install on a full disk ($kept of $tried kept)" "$msgs"
fi
# --- a rename that fails at every point of the commit: all old, or all new ------------------------------
before=$(state)
kept=0 tried=0 msgs=
for nth in 0 1 2 3 4 5 6 7 8 9; do
	tried=$((tried + 1))
	out=$(ENOSPC_DIR="$W/root" ENOSPC_RENAME=$nth LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
		run install --install-conf --tries=2 --no-variables 2>&1)
	rc=$?
	if [ $rc = 1 ] && [ "$(state)" = "$before" ] && grep -q 'Input/output error' <<<"$out" &&
		grep -q 'nothing installed' <<<"$out"; then
		kept=$((kept + 1))
	elif [ $rc = 0 ] && cmp -s "$EFI" "$W/root/esp/EFI/efikexec/efikexecx64.efi" &&
		cmp -s "$EFI" "$W/root/esp/EFI/BOOT/BOOTX64.EFI" && grep -qx layout=bls "$W/root/etc/install.conf" &&
		! find "$W/root" -name '*.efikexec-*' | grep -q .; then
		break # past the last rename: installed whole
	else
		msgs+="rename $nth fails: exit $rc: $out"$'\n'$(find "$W/root" -name '*.efikexec-*')$'\n'
		break
	fi
done
if [ -z "$msgs" ] && [ $kept -ge 4 ] && [ $kept -lt $tried ]; then
	ok "install when a rename fails: at each of $kept points the old install stays whole; past them the new one is whole"
else
	bad "install when a rename fails ($kept of $tried kept)" "$msgs"
fi
# the same machine again for what follows
fresh
SRC=$W/old.efi run install --no-variables -q >/dev/null
echo "timeout 7" >"$W/root/esp/loader/loader.conf"
rm "$W/root/esp/loader/entries.srel"
echo "layout=other" >"$W/root/etc/install.conf"

# --- links planted where the installer used to write: never followed -----------------------------------
echo outside >"$W/outside"
for d in EFI/efikexec EFI/BOOT; do
	for f in "$W/root/esp/$d"/*.[eE][fF][iI]; do
		ln -s "$W/outside" "$(dirname "$f")/.$(basename "$f").efikexec-new"
	done
done
out=$(run install --no-variables 2>&1)
if [ $? = 0 ] && [ "$(cat "$W/outside")" = outside ] && cmp -s "$EFI" "$W/root/esp/EFI/efikexec/efikexecx64.efi" &&
	[ -L "$W/root/esp/EFI/BOOT/.BOOTX64.EFI.efikexec-new" ]; then
	ok "install: a link planted at the old temporary name is neither followed nor written through"
else
	bad "install with links planted" "$out $(cat "$W/outside")"
fi
find "$W/root/esp" -type l -delete
# an install.conf that cannot be read is not taken for a missing one
rm "$W/root/etc/install.conf"
mkdir "$W/root/etc/install.conf"
before=$(state)
out=$(run install --install-conf --no-variables 2>&1)
if [ $? = 1 ] && grep -q 'install.conf: Is a directory; it is left as it is' <<<"$out" && [ "$(state)" = "$before" ]; then
	ok "install: an install.conf that cannot be read stops the install, named; nothing written"
else
	bad "install with an unreadable install.conf" "$out"
fi
rmdir "$W/root/etc/install.conf"
echo "layout=other" >"$W/root/etc/install.conf"

out=$(ENOSPC_DIR="$W/root" ENOSPC_AFTER=100000000 LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	run install --install-conf --tries=2 --no-variables 2>&1)
if [ $? = 0 ] && cmp -s "$EFI" "$W/root/esp/EFI/efikexec/efikexecx64.efi" && grep -qx 'timeout 7' "$W/root/esp/loader/loader.conf" &&
	[ "$(cat "$W/root/etc/install.conf")" = layout=bls ]; then
	ok "install with room: replaced, the user's loader.conf kept, install.conf's layout rewritten"
else
	bad "install with room" "$out"
fi

# --- list: the menu's order ----------------------------------------------------------------------------
fresh
run install --no-variables -q
E=$W/root/esp/loader/entries
mkdir -p "$W/root/esp/mid/6.1" "$W/root/esp/mid/6.12"
touch "$W/root/esp/mid/6.1/linux" "$W/root/esp/mid/6.12/linux" "$W/root/esp/mid/6.12/initrd.img"
printf 'title Debian\nversion 6.1.0-1\nsort-key debian\nlinux /mid/6.1/linux\n' >"$E/mid-6.1.0-1.conf"
printf 'title Debian\nversion 6.12.9-1\nsort-key debian\nlinux /mid/6.12/linux\ninitrd /mid/6.12/initrd.img\n' >"$E/mid-6.12.9-1+3.conf"
printf 'title Debian\nversion 6.12.10-1\nsort-key debian\nlinux /mid/6.12/linux\n' >"$E/mid-6.12.10-1+0-3.conf"
printf 'title Zeta\nlinux /gone\n' >"$E/zeta.conf"
printf 'title Alpha\nsort-key alpha\nlinux /mid/6.1/linux\n' >"$E/alpha.conf"
out=$(run list 2>&1)
ids=$(sed -n 's/^ *id: //p' <<<"$out" | paste -sd' ')
# sort-key first (alpha < debian), then version descending; no tries left and broken last
if [ "$ids" = "alpha.conf mid-6.12.9-1.conf mid-6.1.0-1.conf mid-6.12.10-1.conf zeta.conf" ] && grep -q 'title: Alpha (default)' <<<"$out" &&
	grep -q 'broken: linux /gone is not on the ESP' <<<"$out" && grep -q 'tries: 3 left, 0 done' <<<"$out"; then
	ok "list: the menu's order (sort-key, version, no tries left and broken last), the default marked"
else
	bad "list" "$out"
fi
run set-default mid-6.1.0-1.conf
out=$(run list 2>&1)
if grep -q 'title: Debian (6.1.0-1) (default)' <<<"$out"; then
	ok "list: LoaderEntryDefault picks the default"
else
	bad "list: LoaderEntryDefault" "$out"
fi
run set-oneshot mid-6.12.9-1.conf
out=$(run list 2>&1)
oneshot=$(var_hex "LoaderEntryOneShot-$BLI")
if grep -q 'title: Debian (6.12.9-1) (default)' <<<"$out" &&
	[ "$oneshot" = "$(printf 'mid-6.12.9-1.conf\0' | iconv -t UTF-16LE | od -An -tx1 -v | tr -d ' \n')" ]; then
	ok "set-oneshot: LoaderEntryOneShot in UTF-16 with its NUL, and list follows it"
else
	bad "set-oneshot" "$out $oneshot"
fi
# --- the default: the boot stage's choice (lib/bls.c bls_default), the
# same table as tests/unit/test_bls.c bls_default_choice -------------------------------------
fresh
run install --no-variables -q
E=$W/root/esp/loader/entries
mkdir -p "$W/root/esp/k"
touch "$W/root/esp/k/linux"
for f in alpha debian-6.1 debian-6.12 spent+0-3; do
	printf 'title %s\nlinux /k/linux\n' "${f%%+*}" >"$E/$f.conf"
done
printf 'title broken\n' >"$E/broken.conf"
# setvar NAME VALUE: a Boot Loader Interface variable (empty: none)
setvar() {
	rm -f "$W/root/vars/$1-$BLI"
	[ -n "$2" ] || return 0
	{ printf '\x06\x00\x00\x00'; printf '%s\0' "$2" | iconv -t UTF-16LE; } >"$W/root/vars/$1-$BLI"
}
# oneshot | default | last booted | loader.conf default | the entry's file | why
cases='-|-|-|-|debian-6.12.conf
-|-|-|alpha*|alpha.conf
-|DEBIAN-6.1.CONF|-|alpha*|debian-6.1.conf
-|debian-6.1*|-|-|debian-6.12.conf
spent.conf|alpha.conf|-|-|spent+0-3.conf
spent+0-3.conf|-|-|-|spent+0-3.conf
-|spent.conf|-|alpha*|alpha.conf
-|broken.conf|-|-|debian-6.12.conf
broken.conf|-|-|-|debian-6.12.conf
-|-|alpha.conf|@saved|alpha.conf
-|-|alpha.conf|-|debian-6.12.conf
-|-|-|@saved|debian-6.12.conf
nosuch.conf|alpha.conf|-|-|alpha.conf'
wrong=""
while IFS='|' read -r o d l c want; do
	[ "$o" = - ] && o=
	[ "$d" = - ] && d=
	[ "$l" = - ] && l=
	[ "$c" = - ] && c=
	setvar LoaderEntryOneShot "$o"
	setvar LoaderEntryDefault "$d"
	setvar LoaderEntryLastBooted "$l"
	printf 'timeout 3\n%s\n' "${c:+default $c}" >"$W/root/esp/loader/loader.conf"
	out=$(run list 2>&1)
	got=$(awk '/^ *title: .*\(default\)/ { d = 1 } d && /^ *source: / { sub(/.*\//, ""); print; exit }' <<<"$out")
	[ "$got" = "$want" ] || wrong="$wrong
oneshot '$o' default '$d' last '$l' loader.conf '$c': list marks '$got', the stage boots '$want'"
	[ -z "$o" ] || [ -e "$W/root/vars/LoaderEntryOneShot-$BLI" ] || wrong="$wrong
list took LoaderEntryOneShot away"
done <<<"$cases"
if [ -z "$wrong" ]; then
	ok "list: the default the stage chooses, for 13 sets of entries' tries, globs and variables"
else
	bad "list: the default" "$wrong"
fi
setvar LoaderEntryOneShot ''
setvar LoaderEntryDefault ''
setvar LoaderEntryLastBooted ''

run set-timeout menu-force && run set-timeout-oneshot 0 && run set-default ''
if [ "$(var_hex "LoaderConfigTimeout-$BLI")" = "$(printf 'menu-force\0' | iconv -t UTF-16LE | od -An -tx1 -v | tr -d ' \n')" ] &&
	[ -e "$W/root/vars/LoaderConfigTimeoutOneShot-$BLI" ] && [ ! -e "$W/root/vars/LoaderEntryDefault-$BLI" ]; then
	ok "set-timeout, set-timeout-oneshot, set-default '' (removes)"
else
	bad "set-timeout" "$(ls "$W/root/vars")"
fi
out=$(run set-timeout soon 2>&1)
if [ $? = 1 ] && grep -q "timeout 'soon'" <<<"$out"; then
	ok "set-timeout soon: refused, named"
else
	bad "set-timeout soon" "$out"
fi

# --- list: a multi-profile UKI as the stage lists it (one entry a profile, lib/bli.c) ----------------------
mkdir -p "$W/root/esp/EFI/Linux"
printf 'PRETTY_NAME="Test UKI"\nID=test\n' >"$W/uki.osrel"
printf 'ID=default\nTITLE=Default\n' >"$W/uki.p0"
printf 'ID=rescue\nTITLE=Rescue\n' >"$W/uki.p1"
printf 'quiet rescue\n' >"$W/uki.cmdline1"
head -c 4096 /dev/urandom >"$W/uki.linux"
python3 "$(dirname "$0")/../qemu/mkimage.py" uki /usr/lib/systemd/boot/efi/linuxx64.efi.stub objcopy \
	"$W/root/esp/EFI/Linux/multi.efi" .osrel="$W/uki.osrel" .linux="$W/uki.linux" .profile="$W/uki.p0" \
	.profile="$W/uki.p1" .cmdline="$W/uki.cmdline1"
out=$(run list 2>&1)
if grep -q '^ *id: multi.efi$' <<<"$out" && grep -q '^ *id: multi.efi@rescue$' <<<"$out" &&
	grep -q 'title: Test UKI (Rescue)' <<<"$out" && grep -q 'options: quiet rescue' <<<"$out"; then
	ok "list: a multi-profile UKI, one entry a profile, titled and named as the stage lists it"
else
	bad "list: a multi-profile UKI" "$out"
fi
rm -rf "$W/root/esp/EFI/Linux"

# --- status: every LoaderFeatures bit by the name lib/bls.c gives it -----------------------------------
printf '\x06\x00\x00\x00\xff\xff\x0f\x00\x00\x01\x00\x00' >"$W/root/vars/LoaderFeatures-$BLI"
out=$(run status 2>&1)
named=$(grep -cE '^ *(Features:)? +yes [A-Z@]' <<<"$out")
if [ "$named" = 20 ] && grep -q 'yes Multi-Profile UKIs are supported' <<<"$out" &&
	grep -q 'yes Support Type #1 uki field' <<<"$out" && grep -q 'yes Loader reports network boot URL' <<<"$out" &&
	grep -q 'yes bit 40 (unknown to efikexec)' <<<"$out"; then
	ok "status: bits 0-19 of LoaderFeatures each by its name, an unknown bit by its number"
else
	bad "status: LoaderFeatures names ($named named)" "$out"
fi

# --- status --------------------------------------------------------------------------------------------
printf '\x06\x00\x00\x00e\x00f\x00i\x00k\x00e\x00x\x00e\x00c\x00 \x000\x00\x00\x00' >"$W/root/vars/LoaderInfo-$BLI"
printf '\x06\x00\x00\x00\x13\x00\x00\x00\x00\x00\x00\x00' >"$W/root/vars/LoaderFeatures-$BLI"
printf '\x06\x00\x00\x00\x01' >"$W/root/vars/SecureBoot-$GLOBAL"
out=$(run status 2>&1)
if grep -q 'Product: efikexec 0' <<<"$out" && grep -q 'yes Boot counting' <<<"$out" && grep -q 'no  Support for XBOOTLDR' <<<"$out" &&
	grep -q 'Secure Boot: enabled' <<<"$out" && grep -q "/EFI/efikexec/efikexecx64.efi (efikexec $VERSION)" <<<"$out" &&
	grep -q 'by-partuuid/1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0' <<<"$out" && grep -q 'Entries: 5' <<<"$out"; then
	ok "status: LoaderInfo, LoaderFeatures, Secure Boot, the ESP's partition, the installed files, the entries"
else
	bad "status" "$out"
fi

# --- remove ----------------------------------------------------------------------------------------------
fresh
printf '\x07\x00\x00\x00\x00\x00' >"$W/root/vars/BootOrder-$GLOBAL"
printf '\x07\x00\x00\x00\x01\x00\x00\x00\x04\x00U\x00\x00\x00\x7f\xff\x04\x00' >"$W/root/vars/Boot0000-$GLOBAL"
run install -q
mkdir -p "$W/root/esp/EFI/BOOT"
out=$(run remove 2>&1)
if [ $? = 0 ] && [ ! -e "$W/root/esp/EFI/efikexec" ] && [ ! -e "$W/root/esp/EFI/BOOT/BOOTX64.EFI" ] &&
	[ ! -e "$W/root/esp/loader" ] && [ ! -e "$W/root/vars/Boot0001-$GLOBAL" ] && [ -e "$W/root/vars/Boot0000-$GLOBAL" ] &&
	[ "$(var_hex "BootOrder-$GLOBAL")" = 0000 ]; then
	ok "remove: the files, loader.conf as written, the empty folders, Boot0001 and its BootOrder place; Boot0000 stays"
else
	bad "remove" "$out"
fi

# --- errors ------------------------------------------------------------------------------------------------
fresh
out=$("$TOOL" --esp-path="$W/root/esp" --efivarfs="$W/root/vars" install 2>&1)
if [ $? = 1 ] && grep -q "$W/root/esp is not a mount point" <<<"$out"; then
	ok "a folder that is no partition is refused as the ESP, named"
else
	bad "ESP check" "$out"
fi
out=$(SRC=/nonexistent/efikexec.efi run install 2>&1)
if [ $? = 1 ] && grep -q 'cannot read /nonexistent/efikexec.efi' <<<"$out" && [ -z "$(ls "$W/root/esp")" ]; then
	ok "a missing source is named; nothing written"
else
	bad "missing source" "$out"
fi
echo "not efikexec" >"$W/other.efi"
out=$(SRC=$W/other.efi run install 2>&1)
if [ $? = 1 ] && grep -q "$W/other.efi is not an efikexec binary" <<<"$out"; then
	ok "a source that is not efikexec is refused, named"
else
	bad "not efikexec" "$out"
fi
out=$(run --esp-disk="$W/disk.img:7" install 2>&1)
if [ $? = 1 ] && grep -q 'disk.img: partition 7 is unused' <<<"$out" && [ -z "$(ls "$W/root/esp")" ]; then
	ok "an unused partition for the boot entry: refused, named, nothing written"
else
	bad "bad partition" "$out"
fi
# a GPT whose CRC32s do not hold: that copy not believed (lib/gpt.c, as
# the stage), the backup taken in the stage's order; with no copy to
# trust, refused, named, nothing written
cp "$W/disk.img" "$W/bad-header.img"
printf '\x01' | dd of="$W/bad-header.img" bs=1 seek=$((512 + 20)) conv=notrunc status=none
cp "$W/disk.img" "$W/bad-entries.img"
printf '\x01' | dd of="$W/bad-entries.img" bs=1 seek=$((1024 + 127 * 128)) conv=notrunc status=none
cp "$W/bad-header.img" "$W/bad-both.img"
printf '\x01' | dd of="$W/bad-both.img" bs=1 seek=$(($(stat -c %s "$W/disk.img") - 512 + 20)) conv=notrunc status=none
out=$(run --esp-disk="$W/bad-both.img:1" install 2>&1)
rc=$?
if [ $rc = 1 ] && grep -q 'bad-both.img: its GPT at LBA 1 is not to be trusted: header CRC32 0x[0-9a-f]*, its bytes give 0x' <<<"$out" &&
	grep -q 'bad-both.img: its GPT at LBA [0-9]* is not to be trusted: header CRC32 ' <<<"$out" &&
	grep -q 'bad-both.img: its GPT is not to be trusted: header CRC32 .*(nor any copy of it)' <<<"$out" &&
	[ -z "$(ls "$W/root/esp")" ]; then
	ok "a GPT whose copies all fail their CRC32s: refused, each copy named, nothing written"
else
	bad "a GPT with bad CRCs in both copies" "rc $rc: $out"
fi
out=$(run --esp-disk="$W/bad-header.img:1" install 2>&1)
rc=$?
fresh
out2=$(run --esp-disk="$W/bad-entries.img:1" install 2>&1)
rc2=$?
fresh
if [ $rc = 0 ] && grep -q 'bad-header.img: its GPT at LBA 1 is not to be trusted: header CRC32 ' <<<"$out" &&
	grep -q 'bad-header.img: the GPT.s copy at LBA [0-9]* is used' <<<"$out" &&
	[ $rc2 = 0 ] && grep -q 'bad-entries.img: its GPT at LBA 1 is not to be trusted: entry array CRC32 ' <<<"$out2" &&
	grep -q 'bad-entries.img: the GPT.s copy at LBA [0-9]* is used' <<<"$out2"; then
	ok "a primary GPT whose header or entry array fails its CRC32: said, the backup copy used"
else
	bad "a primary GPT with bad CRCs" "rc $rc: $out / rc $rc2: $out2"
fi
out=$(run frobnicate 2>&1)
rc=$?
out2=$(run --tries=x install 2>&1)
if [ $rc = 2 ] && grep -q "unknown command 'frobnicate'" <<<"$out" && [ $? = 0 ] && grep -q -- '--tries=x' <<<"$out2"; then
	ok "usage errors: exit 2, named"
else
	bad "usage errors" "$out $out2"
fi
out=$(run is-installed)
rc=$?
run install --no-variables -q
out2=$(run is-installed)
if [ $rc = 1 ] && [ "$out" = no ] && [ $? = 0 ] && [ "$out2" = yes ]; then
	ok "is-installed: no (exit 1), then yes (exit 0)"
else
	bad "is-installed" "$out $out2"
fi

echo "tools: $pass passed, $fail failed"
[ "$fail" = 0 ]
