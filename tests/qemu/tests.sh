# tests.sh - the boot tests, one function t_NAME each; run-all.sh runs them.
# A test fails by returning non-zero (set -e is on) after saying why.

# expect GREP-FLAGS NAME PATTERN...: every PATTERN matches some line of the log.
expect() {
	local flags=$1 name=$2
	shift 2
	local want
	for want in "$@"; do
		if ! clean_log "$name" | grep -q"$flags" -- "$want"; then
			echo "no line matches ($flags): $want"
			tail_log "$name"
			return 1
		fi
	done
}
# expect_line NAME TEXT...: each TEXT is a whole line; expect_grep: a regex.
expect_line() { expect xF "$@"; }
expect_grep() { expect E "$@"; }

console_of() { case $1 in x86_64) echo ttyS0 ;; aarch64) echo ttyAMA0 ;; esac; }

# The harness proves itself: each Debian kernel boots straight through its
# own EFI stub, from the shell, with two initrds and an exact command line.
stub_boot() {
	local arch=$1 series=$2 name=stub-$1-$2 esp token
	esp=$(new_esp "$name")
	token=$RANDOM$RANDOM
	cp "$(kernel_path "$arch" "$series")" "$esp/vmlinuz"
	cp "$WORK/initrd-$arch.img" "$esp/initrd.img"
	extra_initrd "$esp/extra.img" token "$token"
	local args="initrd=\\initrd.img initrd=\\extra.img console=$(console_of "$arch") efikexec.test=\"a b\" panic=-1"
	startup_nsh "$esp" "\\vmlinuz $args"
	qemu_boot "$arch" "$name" "$esp" 1G 180 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	# The shell passes the program's own path first; the stub keeps it.
	expect_line "$name" "EFIKEXEC-CMDLINE: \\vmlinuz $args" "EFIKEXEC-EXTRA: token $token" \
		"EFIKEXEC-EFI: yes" "EFIKEXEC-INIT: done"
	expect_grep "$name" "^EFIKEXEC-KERNEL: $(sed 's/[.+]/\\&/g' "$ASSETS/vmlinuz-$series-$(deb_arch "$arch").version") "
}
t_stub_x86_64_6.1() { stub_boot x86_64 6.1; }
t_stub_x86_64_6.12() { stub_boot x86_64 6.12; }
t_stub_aarch64_6.1() { stub_boot aarch64 6.1; }
t_stub_aarch64_6.12() { stub_boot aarch64 6.12; }

# The application in the firmware's shell: --version, a file read checked
# against the host's sha256sum (absolute and relative paths, both slashes),
# and errors that return to the shell, which then runs the next line.
app_basics() {
	local arch=$1 name=app-$1 esp
	esp=$(new_esp "$name")
	mkdir -p "$esp/EFI/efikexec" "$esp/data"
	cp "$BUILD/$arch/efikexec.efi" "$esp/EFI/efikexec/efikexec.efi"
	# 3 MiB and a few odd bytes: more than one page, not a page multiple.
	head -c $((3 * 1024 * 1024 + 4093)) /dev/urandom >"$esp/data/blob.bin"
	printf 'beside the app\n' >"$esp/EFI/efikexec/near.txt"
	local blob near
	blob=$(sha256sum "$esp/data/blob.bin" | cut -d' ' -f1)
	near=$(sha256sum "$esp/EFI/efikexec/near.txt" | cut -d' ' -f1)
	startup_nsh "$esp" \
		'\EFI\efikexec\efikexec.efi --version' \
		'echo "EFIKEXEC-STEP: version rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --sha256=\data\blob.bin' \
		'echo "EFIKEXEC-STEP: sha256 rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --sha256=/data/./x/../blob.bin' \
		'\EFI\efikexec\efikexec.efi --sha256=near.txt' \
		'\EFI\efikexec\efikexec.efi --sha256=\data\missing.bin' \
		'echo "EFIKEXEC-STEP: missing rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --sha256=\data' \
		'echo "EFIKEXEC-STEP: directory rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --memmap' \
		'echo "EFIKEXEC-STEP: memmap rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --selftest' \
		'echo "EFIKEXEC-STEP: selftest rc %lasterror%"' \
		'\EFI\efikexec\efikexec.efi --no-such-option' \
		'echo "EFIKEXEC-STEP: badopt rc %lasterror%"' \
		'echo "EFIKEXEC-STEP: shell still runs"'
	qemu_boot "$arch" "$name" "$esp" 512M 120 || { echo "qemu exited with $?"; tail_log "$name"; return 1; }
	expect_line "$name" \
		"efikexec $(sed -n 's/^VERSION := //p' "$HERE/../../Makefile")" \
		"EFIKEXEC-STEP: version rc 0x0" \
		"sha256 $blob size $((3 * 1024 * 1024 + 4093)) path \\data\\blob.bin" \
		"EFIKEXEC-STEP: sha256 rc 0x0" \
		"sha256 $blob size $((3 * 1024 * 1024 + 4093)) path /data/./x/../blob.bin" \
		"sha256 $near size 15 path near.txt" \
		"efikexec: error: file: \\data\\missing.bin: cannot open: EFI_NOT_FOUND" \
		"EFIKEXEC-STEP: missing rc 0xE" \
		"efikexec: error: file: \\data: is a directory, not a file: EFI_INVALID_PARAMETER" \
		"EFIKEXEC-STEP: directory rc 0x2" \
		"efikexec: error: options: unknown option '--no-such-option' (try --help)" \
		"EFIKEXEC-STEP: memmap rc 0x0" \
		"selftest: ok" \
		"EFIKEXEC-STEP: selftest rc 0x0" \
		"EFIKEXEC-STEP: badopt rc 0x2" \
		"EFIKEXEC-STEP: shell still runs"
	# The memory map: RAM (free + busy) close to the 512 MiB QEMU was given.
	local free busy
	read -r free busy < <(clean_log "$name" | sed -n 's/^memmap: [0-9]* ranges, \([0-9]*\) MiB free now, \([0-9]*\) MiB busy.*/\1 \2/p')
	if [ -z "$free" ] || [ $((free + busy)) -lt 400 ] || [ $((free + busy)) -gt 512 ] || [ "$free" -lt 100 ]; then
		echo "memory map summary wrong: free=$free busy=$busy (QEMU has 512 MiB)"
		tail_log "$name"
		return 1
	fi
	expect_grep "$name" '^selftest: segment 0 \[0x[0-9a-f]+, \+2 MiB\) busy, segment 1 \[0x[0-9a-f]+, \+1 MiB\) free; 512 pages staged, 256 in place, 513 entries in 2 indirection pages' \
		'^memmap \[0x[0-9a-f]{12}, 0x[0-9a-f]{12}\) free +[0-9]+ KiB$' \
		'^memmap \[0x[0-9a-f]{12}, 0x[0-9a-f]{12}\) busy +[0-9]+ KiB$'
}
t_app_x86_64() { app_basics x86_64; }
t_app_aarch64() { app_basics aarch64; }
