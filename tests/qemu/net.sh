# SPDX-License-Identifier: BSD-2-Clause-Patent
# net.sh - network boot: kernels, initrds, UKIs and entries over HTTP and
# TFTP from QEMU's user network, whose guest reaches the host's 127.0.0.1
# as 10.0.2.2 (the test server binds 127.0.0.1 only) and whose built-in
# TFTP server serves a folder. Sourced by suite.sh.
#
# The NIC is virtio-net with romfile= empty, so the firmware's own
# VirtioNetDxe drives it (not iPXE's option ROM) on both arches; ipv6=off,
# because slirp answers no IPv6 router solicitation and each IPv6 attempt
# of the firmware waits about 64 s (../shared/facts/netboot.md).

# serve_start DIR NAME: tests/qemu/netserve.py over DIR on a free port of
# 127.0.0.1: NET_PORT, NET_PID; its request log in NAME.http.log.
serve_start() {
	local dir=$1 name=$2 pf
	pf=$WORK/netport-$name
	rm -f "$pf"
	python3 "$SUITE/netserve.py" "$dir" "$pf" 2>"$LOGDIR/$name.http.log" &
	NET_PID=$!
	for _ in $(seq 100); do
		[ -s "$pf" ] && break
		sleep 0.1
	done
	NET_PORT=$(cat "$pf")
	rm -f "$pf"
}
serve_stop() {
	kill "$NET_PID" 2>/dev/null || true
	wait "$NET_PID" 2>/dev/null || true
}

# net_args TFTPDIR [BOOTFILE]: QEMU's user network with a virtio NIC.
# With BOOTFILE (a netbooted machine, no disk) the NIC comes first in the
# boot order and the firmware's PXE over IPv6 is off (the fw_cfg switch of
# OVMF and AAVMF), which would wait a minute for an offer slirp never
# makes: PXE over IPv4 fails at once on the http:// boot file name, and
# HTTP boot follows.
net_args() {
	NET_ARGS=(-netdev "user,id=n0,ipv6=off,tftp=$1${2:+,bootfile=$2}")
	if [ -n "${2:-}" ]; then
		NET_ARGS+=(-device virtio-net-pci,netdev=n0,romfile=,bootindex=0
			-fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n)
	else
		NET_ARGS+=(-device virtio-net-pci,netdev=n0,romfile=)
	fi
}

# A port nothing listens on: a server's, once it stopped.
dead_port() {
	serve_start "$WORK" dead-port
	serve_stop
	echo "$NET_PORT"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# net_tree ARCH NAME: the ESP of the test build ($ESP, kexec_esp) and a
# server's folder $SRV with the 6.12 kernel, the initramfs with its modules,
# extra.img (the token) and net.efi, a UKI of them whose .cmdline is $UCL;
# $CL is a plain command line for the same console.
net_tree() {
	local arch=$1 name=$2
	kexec_esp "$arch" "$name" 6.12 "$arch-testhooks"
	SRV=$WORK/$name-srv
	rm -rf "$SRV" && mkdir -p "$SRV"
	cp "$WORK/initrd-6.12-$arch.img" "$ESP/initrd.img"
	mv "$ESP/vmlinuz" "$ESP/initrd.img" "$ESP/extra.img" "$SRV/"
	CL="console=$(console_of "$arch") panic=-1"
	UCL="console=$(console_of "$arch") efikexec.bli=1 panic=-1"
	printf '%s\n' "$UCL" >"$WORK/$name.cmdline"
	printf 'NAME="Debian GNU/Linux"\nPRETTY_NAME="efikexec net test"\nID=debian\n' >"$WORK/$name.osrel"
	# a .ucode (systemd 256): no .sdmagic, current rules (tests.sh uki_esp)
	mkimage uki "$(us_stub 254 "$arch")" "$(objcopy_of "$arch")" "$SRV/net.efi" -.sdmagic \
		.osrel="$WORK/$name.osrel" .cmdline="$WORK/$name.cmdline" .ucode="$SRV/extra.img" \
		.initrd="$SRV/initrd.img" .linux="$SRV/vmlinuz"
}

# net_fetch ARCH: from the shell, kernels, initrds and a UKI by URL, with a
# disk (first in the boot order) and a NIC.
#  - the bad inputs, each an error naming the URL and the cause, efikexec
#    back in the shell holding nothing (the test build's count of its
#    pages and pool blocks);
#  - pins refused where the file is whole at open (TFTP; an empty body):
#    nothing held, the PXE base code efikexec started stopped;
#  - a pinned UKI read with nothing kept of what its reads skip (the test
#    build's --test-net-keep-nothing), so it is fetched again: from a
#    server whose second answer has another byte in the middle, refused
#    before anything is entered; from an honest server, the pin matches.
#    (GET 1 reads the UKI's headers, GET 2 loads: its .linux is put in
#    place, the middle byte with it, before the .initrd behind it is
#    needed again; GET 3, the restart, is the file itself and passes the
#    pin, so only a check across the transfers can tell; t_net_refetch
#    boots the same from an honest server);
#  - a --dry-run over TFTP, kernel and two initrds each pinned (their
#    bytes checked), one initrd over HTTP after a 503 (asked again);
#  - the boot stage from the ESP, whose one entry is `uki-url` to the
#    server: the UKI over HTTP boots with its .cmdline, .ucode, .initrd.
net_fetch() {
	local arch=$1 name=net-fetch-$1 srv dead u good bad bi be bu held=() pxe=()
	net_tree "$arch" "$name"
	srv=$SRV
	local cl=$CL ucl=$UCL
	# the kernel fetched by itself: on arm64 the Image gzip'd (a quarter of
	# the bytes to move under TCG; efikexec unpacks it as it loads it)
	[ "$arch" = aarch64 ] && gzip -1 -c "$srv/vmlinuz" >"$srv/vmlinuz.gz" && mv "$srv/vmlinuz.gz" "$srv/vmlinuz"
	dead=$(dead_port)
	serve_start "$srv" "$name"
	u=http://10.0.2.2:$NET_PORT
	good=$(sha256_of "$srv/vmlinuz")
	bad=$(echo "$good" | tr '0-9a-f' '1-9a-f0')
	bi=$(sha256_of "$srv/initrd.img")
	be=$(sha256_of "$srv/extra.img")
	bu=$(sha256_of "$srv/net.efi")
	: >"$srv/empty"
	local e0=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	mkdir -p "$ESP/loader/entries"
	printf 'timeout 0\ndefault net-uki*\n' >"$ESP/loader/loader.conf"
	printf 'title UKI over HTTP\nuki-url %s/net.efi\n' "$u" >"$ESP/loader/entries/net-uki.conf"
	local t='\efikexec.efi --test-fail-call=100000'
	local tf=tftp://10.0.2.2
	startup_nsh "$ESP" \
		"$t $u/nothere.img $cl" 'echo "EFIKEXEC-STEP: 404 rc %lasterror%"' \
		"$t http://10.0.2.2:$dead/vmlinuz $cl" 'echo "EFIKEXEC-STEP: stopped rc %lasterror%"' \
		"$t --sha256=$u/short/initrd.img" 'echo "EFIKEXEC-STEP: short rc %lasterror%"' \
		"$t $u/vmlinuz initrd=$u/huge $cl" 'echo "EFIKEXEC-STEP: huge rc %lasterror%"' \
		"$t $tf/nothere.img $cl" 'echo "EFIKEXEC-STEP: tftp-missing rc %lasterror%"' \
		"$t http:///vmlinuz $cl" 'echo "EFIKEXEC-STEP: no-host rc %lasterror%"' \
		"$t $u/vmlinuz^#sha256=${good:0:63} $cl" 'echo "EFIKEXEC-STEP: pin-length rc %lasterror%"' \
		"$t $u/vmlinuz^#sha256=$bad initrd=$u/initrd.img $cl" 'echo "EFIKEXEC-STEP: pin-wrong rc %lasterror%"' \
		"$t $tf/vmlinuz^#sha256=$bad $cl" 'echo "EFIKEXEC-STEP: pin-tftp rc %lasterror%"' \
		"$t $u/vmlinuz initrd=$u/empty^#sha256=$good $cl" 'echo "EFIKEXEC-STEP: pin-empty rc %lasterror%"' \
		"$t --test-net-keep-nothing $u/twofaced/2/net.efi^#sha256=$bu" 'echo "EFIKEXEC-STEP: twofaced rc %lasterror%"' \
		"\\efikexec.efi --sha256=$u/r/301-302-303-307-308/initrd.img^#sha256=$bi" 'echo "EFIKEXEC-STEP: redirects rc %lasterror%"' \
		"$t --sha256=$u/r/302-302-302-302-302-302/initrd.img" 'echo "EFIKEXEC-STEP: redirects-6 rc %lasterror%"' \
		"$t --sha256=$u/r/303/initrd.img^#sha256=$bad" 'echo "EFIKEXEC-STEP: redirect-pin rc %lasterror%"' \
		"$t https://10.0.2.2:$dead/vmlinuz $cl" 'echo "EFIKEXEC-STEP: https-no-ca rc %lasterror%"' \
		"\\efikexec.efi --dry-run $tf/vmlinuz^#sha256=$good initrd=$tf/initrd.img^#sha256=$bi initrd=$tf/extra.img^#sha256=$be initrd=$u/flaky/initrd.img $cl" \
		'echo "EFIKEXEC-STEP: dry-run rc %lasterror%"' \
		'\efikexec.efi'
	net_args "$srv"
	QEMU_DISK_FIRST=1 qemu_boot "$arch" "$name" "$ESP" 1G 300 "${NET_ARGS[@]}" || {
		serve_stop
		echo "qemu exited with $?"
		tail_log "$name"
		return 1
	}
	serve_stop
	expect_grep "$name" \
		"net: $u/nothere.img: HTTP status 404 \(not found\)" \
		'^EFIKEXEC-STEP: 404 rc 0xE$' \
		"net: http://10.0.2.2:$dead/vmlinuz: connection to 10.0.2.2 port $dead refused" \
		"net: http://10.0.2.2:$dead/vmlinuz: trying again in 2 s \(try 3 of 3\)" \
		'^EFIKEXEC-STEP: stopped rc 0x69$' \
		"net: $u/short/initrd.img: the body ended at [0-9]+ bytes of the [0-9]+ announced" \
		'^EFIKEXEC-STEP: short rc 0x1F$' \
		"boot: $u/huge: no room for 1099511627776 bytes" \
		'^EFIKEXEC-STEP: huge rc 0x9$' \
		"net: $tf/nothere.img: no size: TFTP error [0-9]+: File not found" \
		'^EFIKEXEC-STEP: tftp-missing rc 0xE$' \
		'net: http:///vmlinuz: no host' \
		'^EFIKEXEC-STEP: no-host rc 0x2$' \
		"#sha256=${good:0:63}: 63 hex digits, expected 64" \
		'^EFIKEXEC-STEP: pin-length rc 0x2$' \
		"net: $u/vmlinuz: SHA-256 $good, but the URL pins $bad" \
		'^EFIKEXEC-STEP: pin-wrong rc 0x21$' \
		"net: $tf/vmlinuz: SHA-256 $good, but the URL pins $bad" \
		'^EFIKEXEC-STEP: pin-tftp rc 0x21$' \
		"net: $u/empty: SHA-256 $e0, but the URL pins $good" \
		'^EFIKEXEC-STEP: pin-empty rc 0x21$' \
		"net: $u/twofaced/2/net.efi: bytes at [0-9]+ are needed again: fetching it again" \
		"net: $u/twofaced/2/net.efi: fetched again, its first [0-9]+ bytes differ from the first transfer's" \
		'^EFIKEXEC-STEP: twofaced rc 0x21$' \
		"net: $u/r/301-302-303-307-308/initrd.img: HTTP status 301, redirected to $u/r/302-303-307-308/initrd.img \(1 of at most 5\)" \
		"net: $u/r/307-308/initrd.img: HTTP status 307, redirected to $u/r/308/initrd.img \(4 of at most 5\)" \
		"net: $u/r/308/initrd.img: HTTP status 308, redirected to $u/initrd.img \(5 of at most 5\)" \
		"net: $u/initrd.img: SHA-256 matches the pin" \
		"^sha256 $bi size [0-9]+ path $u/r/301-302-303-307-308/initrd.img" \
		'^EFIKEXEC-STEP: redirects rc 0x0$' \
		"net: $u/r/302/initrd.img: HTTP status 302: more than 5 redirects" \
		'^EFIKEXEC-STEP: redirects-6 rc 0x18$' \
		"net: $u/r/303/initrd.img: HTTP status 303, redirected to $u/initrd.img \(1 of at most 5\)" \
		"net: $u/initrd.img: SHA-256 $bi, but the URL pins $bad" \
		'^EFIKEXEC-STEP: redirect-pin rc 0x21$' \
		"net: https://10.0.2.2:$dead/vmlinuz: the firmware has no CA list for HTTPS \(no TlsCaCertificate variable\), so it trusts no server: give it one" \
		'^EFIKEXEC-STEP: https-no-ca rc 0x1A$' \
		"net: $tf/vmlinuz: SHA-256 matches the pin" \
		"net: $tf/initrd.img: SHA-256 matches the pin" \
		"net: $tf/extra.img: SHA-256 matches the pin" \
		"net: $u/flaky/initrd.img: HTTP status 503 \(server error\)" \
		"net: $u/flaky/initrd.img: trying again in 1 s \(try 2 of 3\)" \
		"plan: segment 0 kernel .* from $tf/vmlinuz( \(gzip\))?\+(0|0x[0-9a-f]+)$" \
		"plan: segment [0-9] initrd .* from $tf/initrd.img \+ $tf/extra.img \+ $u/flaky/initrd.img$" \
		'^EFIKEXEC-STEP: dry-run rc 0x0$' \
		"plan: image $u/net.efi: UKI "
	# each failed run: nothing of efikexec's left, no base code left started
	mapfile -t held < <(clean_log "$name" | grep '^test: efikexec holds ')
	if [ "${#held[@]}" != 14 ] || printf '%s\n' "${held[@]}" | grep -v 'holds 0 pages and 0 pool blocks'; then
		echo "after the failed runs efikexec should hold nothing, 14 times:"
		printf '%s\n' "${held[@]}"
		return 1
	fi
	mapfile -t pxe < <(clean_log "$name" | grep 'test: a PXE base code efikexec started: ')
	if [ "${#pxe[@]}" != 14 ] || printf '%s\n' "${pxe[@]}" | grep -v 'started: none (0 files open through it)$'; then
		echo "after the failed runs no PXE base code of efikexec's should be started, 14 times:"
		printf '%s\n' "${pxe[@]}"
		return 1
	fi
	kexec_booted_lite "$name" "$arch" "$ucl"
	expect_line "$name" "EFIKEXEC-BLI: LoaderEntrySelected=net-uki.conf"
	net_features "$name"
}
t_net_fetch_x86_64() { net_fetch x86_64; }

# A pinned UKI fetched again (nothing kept of what its reads skip, the test
# build's --test-net-keep-nothing) from an honest server: the transfers
# agree, the pin matches, the kernel boots with the UKI's command line.
t_net_refetch_x86_64() {
	local arch=x86_64 name=net-refetch-x86_64 srv u bu rc=0
	net_tree "$arch" "$name"
	srv=$SRV
	local ucl=$UCL
	bu=$(sha256_of "$srv/net.efi")
	serve_start "$srv" "$name"
	u=http://10.0.2.2:$NET_PORT
	startup_nsh "$ESP" "\\efikexec.efi --test-net-keep-nothing $u/net.efi^#sha256=$bu"
	net_args "$srv"
	QEMU_DISK_FIRST=1 qemu_boot "$arch" "$name" "$ESP" 1G 240 "${NET_ARGS[@]}" || rc=$?
	serve_stop
	[ "$rc" = 0 ] || { echo "qemu exited with $rc"; tail_log "$name"; return 1; }
	expect_grep "$name" "net: $u/net.efi: bytes at [0-9]+ are needed again: fetching it again" \
		"net: $u/net.efi: SHA-256 matches the pin"
	kexec_booted_lite "$name" "$arch" "$ucl"
}
t_net_fetch_aarch64() { net_fetch aarch64; }

# net_features NAME: LoaderFeatures has bits 15-17 (device URL, uki, uki-url).
net_features() {
	local f
	f=$(clean_log "$1" | sed -n 's/^EFIKEXEC-BLI: LoaderFeatures=//p' | tail -n1)
	if [ -z "$f" ] || [ $((16#$f & 0x38000)) != $((0x38000)) ]; then
		echo "LoaderFeatures '$f' lacks bits 15-17"
		return 1
	fi
}

# net_boot ARCH [pxe]: no disk at all. The firmware HTTP-boots efikexec (the
# DHCP answer's boot file; with pxe: PXE-boots it by TFTP), which fetches efikexec-MAC.conf beside itself
# (not efikexec.conf, also there), lists its two entries, shows the menu
# for its timeout and boots the default: the kernel and an initrd over
# HTTP (relative to the entry's URL, one with ..), a second initrd by TFTP.
# The OS sees LoaderDeviceURL.
net_boot() {
	local arch=$1 mode=${2:-http} name=net-boot-$1${2:+-$2} srv efi u origin
	case $arch in x86_64) efi=efikexecx64.efi ;; aarch64) efi=efikexecaa64.efi ;; esac
	srv=$WORK/$name-srv
	rm -rf "$srv" && mkdir -p "$srv/entries" "$srv/boot"
	cp "$BUILD/$arch/efikexec.efi" "$srv/$efi"
	cp "$(kernel_path "$arch" 6.12)" "$srv/boot/vmlinuz"
	cp "$WORK/initrd-6.12-$arch.img" "$srv/boot/initrd.img"
	TOKEN=$RANDOM$RANDOM
	extra_initrd "$srv/extra.img" token "$TOKEN"
	local cl="console=$(console_of "$arch") efikexec.bli=1 panic=-1"
	printf 'timeout 2\ndefault net-linux*\nlog-level info\nentry entries/net-linux.conf\nentry /entries/rescue.conf\n' \
		>"$srv/efikexec-52-54-00-12-34-56.conf"
	printf 'default none-such\n' >"$srv/efikexec.conf"
	printf 'title Network Linux\nlinux /boot/vmlinuz\ninitrd ../boot/initrd.img\ninitrd tftp://10.0.2.2/extra.img\noptions %s\n' \
		"$cl" >"$srv/entries/net-linux.conf"
	printf 'title Rescue UKI\nuki-url :rescue.efi\n' >"$srv/entries/rescue.conf"
	serve_start "$srv" "$name"
	u=http://10.0.2.2:$NET_PORT
	# HTTP boot: the DHCP answer's boot file is a URL; PXE: a name, which
	# the firmware fetches by TFTP, and then every relative path is TFTP's
	if [ "$mode" = pxe ]; then
		origin=tftp://10.0.2.2
		net_args "$srv" "$efi"
	else
		origin=$u
		net_args "$srv" "$u/$efi"
	fi
	QEMU_READY="boot stage" qemu_boot "$arch" "$name" none 1G 240 "${NET_ARGS[@]}" || {
		serve_stop
		echo "qemu exited with $?"
		tail_log "$name"
		return 1
	}
	serve_stop
	expect_grep "$name" "stage: loaded over the network from $origin/$efi" \
		"config: read $origin/efikexec-52-54-00-12-34-56.conf" \
		'boot stage, 2 entries over the network' \
		'Network Linux' 'Rescue UKI' \
		"plan: segment 0 kernel .* from $origin/boot/vmlinuz\+(0|0x[0-9a-f]+)$" \
		"plan: segment [0-9] initrd .* from $origin/boot/initrd.img \+ tftp://10.0.2.2/extra.img$"
	kexec_booted_lite "$name" "$arch" "$cl"
	expect_line "$name" "EFIKEXEC-BLI: LoaderDeviceURL=$origin/$efi" \
		"EFIKEXEC-BLI: LoaderEntrySelected=net-linux.conf"
	net_features "$name"
	if [ "$mode" = http ] && grep -q 'GET /efikexec.conf' "$LOGDIR/$name.http.log"; then
		echo "efikexec.conf was fetched, though the per-MAC file exists"
		return 1
	fi
}
t_net_boot_x86_64() { net_boot x86_64; }
t_net_boot_aarch64() { net_boot aarch64; }
# PXE-booted (TFTP all the way): efikexec's origin is tftp://SERVER/BOOTFILE
t_net_boot_x86_64_pxe() { net_boot x86_64 pxe; }

# kexec_booted_lite NAME ARCH CMDLINE: the kernel ran /init with exactly
# CMDLINE and both initrds arrived.
kexec_booted_lite() {
	expect_line "$1" "EFIKEXEC-CMDLINE: $3" "EFIKEXEC-EXTRA: token $TOKEN" "EFIKEXEC-INIT: done"
	expect_grep "$1" "^EFIKEXEC-KERNEL: $(kernel_version_re "$2" 6.12) "
}

# net_disk_entry ARCH: a Type #1 entry on the disk whose keys are URLs (a
# machine whose kernels live on a server): efikexec as the disk's
# removable-media loader, no shell. Boot 1: the entry's kernel and pinned
# initrd over HTTP boot. Boot 2 (x86_64: the stage's refusal is the same
# code on both arches): the same entry with a wrong pin on the initrd is
# refused with the pin's error, and nothing is entered (the stage waits at
# its menu).
net_disk_entry() {
	local arch=$1 name=net-disk-$1 srv esp u bi bad cl rc
	srv=$WORK/$name-srv
	rm -rf "$srv" && mkdir -p "$srv/boot"
	cp "$(kernel_path "$arch" 6.12)" "$srv/boot/vmlinuz"
	cp "$WORK/initrd-6.12-$arch.img" "$srv/boot/initrd.img"
	TOKEN=$RANDOM$RANDOM
	extra_initrd "$srv/boot/extra.img" token "$TOKEN"
	bi=$(sha256_of "$srv/boot/initrd.img")
	bad=$(echo "$bi" | tr '0-9a-f' '1-9a-f0')
	cl="console=$(console_of "$arch") efikexec.bli=1 panic=-1"
	serve_start "$srv" "$name"
	u=http://10.0.2.2:$NET_PORT
	net_args "$srv"
	local pins=("$bi")
	[ "$arch" = x86_64 ] && pins+=("$bad")
	for pin in "${pins[@]}"; do
		esp=$(new_esp "$name")
		mkdir -p "$esp/EFI/BOOT" "$esp/loader/entries"
		cp "$BUILD/$arch/efikexec.efi" "$esp/EFI/BOOT/$(boot_name "$arch")"
		printf 'timeout 0\n' >"$esp/loader/loader.conf"
		printf 'title Kernel from the server\nlinux %s/boot/vmlinuz\ninitrd %s/boot/initrd.img#sha256=%s\ninitrd tftp://10.0.2.2/boot/extra.img\noptions %s\n' \
			"$u" "$u" "$pin" "$cl" >"$esp/loader/entries/server.conf"
		if [ "$pin" = "$bi" ]; then
			rc=0
			QEMU_DISK_FIRST=1 QEMU_READY="boot stage" qemu_boot "$arch" "$name" "$esp" 1G 240 "${NET_ARGS[@]}" || rc=$?
			[ "$rc" = 0 ] || { serve_stop; echo "qemu exited with $rc"; tail_log "$name"; return 1; }
			expect_grep "$name" "net: $u/boot/initrd.img: SHA-256 matches the pin" \
				"plan: segment 0 kernel .* from $u/boot/vmlinuz\+(0|0x[0-9a-f]+)$" \
				"plan: segment [0-9] initrd .* from $u/boot/initrd.img \+ tftp://10.0.2.2/boot/extra.img$" || { serve_stop; return 1; }
			if clean_log "$name" | grep -q 'broken'; then
				serve_stop
				echo "the entry was called broken"
				return 1
			fi
			kexec_booted_lite "$name" "$arch" "$cl" || { serve_stop; return 1; }
			expect_line "$name" "EFIKEXEC-BLI: LoaderEntrySelected=server.conf" || { serve_stop; return 1; }
		else
			rc=0
			QEMU_DISK_FIRST=1 QEMU_READY="boot stage" QEMU_HALTED="the entry did not boot" \
				qemu_boot "$arch" "$name-bad" "$esp" 1G 240 "${NET_ARGS[@]}" || rc=$?
			[ "$rc" = 124 ] || { serve_stop; echo "qemu exited with $rc, not halted at the menu"; tail_log "$name-bad"; return 1; }
			expect_grep "$name-bad" "net: $u/boot/initrd.img: SHA-256 $bi, but the URL pins $bad" \
				"the entry did not boot" || { serve_stop; return 1; }
			if clean_log "$name-bad" | grep -q '^EFIKEXEC-INIT'; then
				serve_stop
				echo "a kernel ran though the pin was wrong"
				return 1
			fi
		fi
	done
	serve_stop
}
t_net_disk_entry_x86_64() { net_disk_entry x86_64; }
t_net_disk_entry_aarch64() { net_disk_entry aarch64; }

# tls_pki DIR: a test CA and a server certificate it signs (RSA 2048, the
# server's subjectAltName IP:10.0.2.2, the address the guest reaches the
# host by), a second CA with its own server certificate (one the first
# CA's list does not cover), and DIR/cacerts.esl: the first CA as the
# EFI_SIGNATURE_LIST OVMF and AAVMF read from fw_cfg etc/edk2/https/cacerts.
tls_pki() {
	local d=$1 who
	[ -s "$d/cacerts.esl" ] && return 0
	rm -rf "$d" && mkdir -p "$d"
	for who in ca rogue; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=efikexec test $who CA" \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
			-keyout "$d/$who.key" -out "$d/$who.pem" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj "/CN=10.0.2.2" -keyout "$d/$who-srv.key" \
			-out "$d/$who-srv.csr" 2>/dev/null
		printf 'subjectAltName=IP:10.0.2.2\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext"
		openssl x509 -req -in "$d/$who-srv.csr" -CA "$d/$who.pem" -CAkey "$d/$who.key" -CAcreateserial \
			-days 3650 -extfile "$d/ext" -out "$d/$who-srv.pem" 2>/dev/null
	done
	virt-fw-sigdb --add-cert 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0 "$d/ca.pem" -o "$d/cacerts.esl" >/dev/null
	[ -s "$d/cacerts.esl" ]
}

# net_https ARCH fw_cfg|tls-ca: HTTPS against a real TLS server (Python's
# ssl, TLS 1.2, RSA).
#  fw_cfg: the CA list given to the firmware through fw_cfg. From the
#   shell: a server whose certificate another CA signed is refused, saying
#   it was the certificate; a redirect from https to http is refused; an
#   initrd read whole over HTTPS with its pin; a kernel and two initrds
#   planned over HTTPS. Then efikexec.conf's `tls-ca rogue.pem` adds the
#   other CA to the firmware's list, and the stage's `uki-url` entry, a
#   pinned UKI, boots from the server that was refused before.
#  tls-ca: the firmware has no CA list: from the shell an HTTPS URL is
#   refused, saying so and how to give one; then the stage's `uki-url`
#   entry, a pinned UKI, boots with its own `efikexec-tls-ca /ca.pem`.
net_https() {
	local arch=$1 mode=$2 name=net-https-$1 srv pki S R U rport sport bi bu
	pki=$WORK/tls
	tls_pki "$pki" || { echo "could not make the test certificates"; return 1; }
	net_tree "$arch" "$name"
	srv=$SRV
	local cl=$CL ucl=$UCL
	bi=$(sha256_of "$srv/initrd.img")
	bu=$(sha256_of "$srv/net.efi")
	NETSERVE_TLS="$pki/rogue-srv.pem:$pki/rogue-srv.key" serve_start "$srv" "$name-rogue"
	local rogue_pid=$NET_PID
	rport=$NET_PORT
	NETSERVE_TLS="$pki/ca-srv.pem:$pki/ca-srv.key" serve_start "$srv" "$name"
	sport=$NET_PORT
	S=https://10.0.2.2:$sport
	R=https://10.0.2.2:$rport
	mkdir -p "$ESP/loader/entries"
	printf 'timeout 0\ndefault https-uki*\n' >"$ESP/loader/loader.conf"
	local t='\efikexec.efi --test-fail-call=100000' rc=0 nheld=2
	net_args "$srv"
	if [ "$mode" = tls-ca ]; then
		nheld=1
		U=$S
		cp "$pki/ca.pem" "$ESP/ca.pem"
		printf 'title UKI over HTTPS\nuki-url %s/net.efi#sha256=%s\nefikexec-tls-ca /ca.pem\n' "$S" "$bu" \
			>"$ESP/loader/entries/https-uki.conf"
		startup_nsh "$ESP" \
			"$t $S/vmlinuz $cl" 'echo "EFIKEXEC-STEP: no-ca rc %lasterror%"' \
			'\efikexec.efi'
		QEMU_DISK_FIRST=1 qemu_boot "$arch" "$name" "$ESP" 1G 360 "${NET_ARGS[@]}" || rc=$?
	else
		U=$R
		cp "$pki/rogue.pem" "$ESP/rogue.pem"
		printf 'tls-ca rogue.pem\n' >"$ESP/efikexec.conf"
		printf 'title UKI over HTTPS\nuki-url %s/net.efi#sha256=%s\n' "$R" "$bu" \
			>"$ESP/loader/entries/https-uki.conf"
		startup_nsh "$ESP" \
			"$t $R/vmlinuz $cl" 'echo "EFIKEXEC-STEP: rogue rc %lasterror%"' \
			"$t --sha256=$S/tohttp/initrd.img" 'echo "EFIKEXEC-STEP: tohttp rc %lasterror%"' \
			"\\efikexec.efi --sha256=$S/initrd.img^#sha256=$bi" 'echo "EFIKEXEC-STEP: https-pin rc %lasterror%"' \
			"\\efikexec.efi --dry-run $S/vmlinuz initrd=$S/initrd.img initrd=$S/extra.img $cl" \
			'echo "EFIKEXEC-STEP: https-plan rc %lasterror%"' \
			'\efikexec.efi'
		QEMU_DISK_FIRST=1 qemu_boot "$arch" "$name" "$ESP" 1G 360 "${NET_ARGS[@]}" \
			-fw_cfg "name=etc/edk2/https/cacerts,file=$pki/cacerts.esl" || rc=$?
	fi
	serve_stop
	kill "$rogue_pid" 2>/dev/null || :
	wait "$rogue_pid" 2>/dev/null || :
	[ "$rc" = 0 ] || { echo "qemu exited with $rc"; tail_log "$name"; return 1; }
	if [ "$mode" = tls-ca ]; then
		expect_grep "$name" \
			"net: $S/vmlinuz: the firmware has no CA list for HTTPS \(no TlsCaCertificate variable\), so it trusts no server: give it one" \
			'^EFIKEXEC-STEP: no-ca rc 0x1A$' \
			"net: .*ca.pem: 1 CA certificate given to the firmware's TLS \(TlsCaCertificate: [0-9]+ bytes now\)" \
			"net: $U/net.efi: SHA-256 matches the pin" \
			"plan: image $U/net.efi: UKI "
	else
	expect_grep "$name" \
		"net: $R/vmlinuz: the TLS connection to 10.0.2.2 port $rport failed: the server's certificate is not signed by a CA of the firmware's list \(TlsCaCertificate, [0-9]+ bytes\)" \
		'^EFIKEXEC-STEP: rogue rc 0x[1-9A-F][0-9A-F]*$' \
		"net: $S/tohttp/initrd.img: redirected from https to http://10.0.2.2:9/initrd.img: refused \(it would drop TLS\)" \
		'^EFIKEXEC-STEP: tohttp rc 0xF$' \
		"net: $S/initrd.img: SHA-256 matches the pin" \
		"^sha256 $bi size [0-9]+ path $S/initrd.img" \
		'^EFIKEXEC-STEP: https-pin rc 0x0$' \
		"plan: segment 0 kernel .* from $S/vmlinuz(\+| \(gzip\))" \
		"plan: segment [0-9] initrd .* from $S/initrd.img \+ $S/extra.img$" \
		'^EFIKEXEC-STEP: https-plan rc 0x0$' \
		"net: .*rogue.pem: 1 CA certificate given to the firmware's TLS \(TlsCaCertificate: 1[0-9]{3} bytes now\)" \
		"net: $U/net.efi: SHA-256 matches the pin" \
		"plan: image $U/net.efi: UKI "
	fi
	local held=()
	mapfile -t held < <(clean_log "$name" | grep '^test: efikexec holds ')
	if [ "${#held[@]}" != "$nheld" ] || printf '%s\n' "${held[@]}" | grep -v 'holds 0 pages and 0 pool blocks'; then
		echo "after the failed runs efikexec should hold nothing, $nheld times:"
		printf '%s\n' "${held[@]}"
		return 1
	fi
	kexec_booted_lite "$name" "$arch" "$ucl"
	expect_line "$name" "EFIKEXEC-BLI: LoaderEntrySelected=https-uki.conf"
}
t_net_https_x86_64() { net_https x86_64 fw_cfg; }
t_net_https_aarch64() { net_https aarch64 tls-ca; }

# U-Boot's UEFI (u-boot-qemu, qemu_arm64) has a NIC's Simple Network but
# neither HTTP nor a working PXE base code (../shared/facts/https-uboot.md).
# efikexec as the disk's BOOTAA64.EFI (U-Boot's distro boot starts it) with
# two entries whose kernels are URLs, one http://, one tftp://: each is
# listed as broken, its reason naming what the firmware lacks, and neither
# is booted (nothing else is there: the stage waits at its menu).
t_net_uboot_aarch64() {
	local arch=aarch64 name=net-uboot-aarch64 esp rc=0
	esp=$(new_esp "$name")
	mkdir -p "$esp/EFI/BOOT" "$esp/loader/entries"
	cp "$BUILD/$arch/efikexec.efi" "$esp/EFI/BOOT/BOOTAA64.EFI"
	printf 'timeout 0\n' >"$esp/loader/loader.conf"
	printf 'title Kernel over HTTP\nlinux http://10.0.2.2:9/vmlinuz\noptions console=ttyAMA0\n' \
		>"$esp/loader/entries/http.conf"
	printf 'title Kernel over TFTP\nlinux tftp://10.0.2.2/vmlinuz\noptions console=ttyAMA0\n' \
		>"$esp/loader/entries/tftp.conf"
	DISK_MB=64 gpt_disk "$WORK/disk-$name.img" "$esp"
	QEMU_UBOOT=/usr/lib/u-boot/qemu_arm64/u-boot.bin QEMU_READY="U-Boot" QEMU_HALTED="boot menu" \
		qemu_boot "$arch" "$name" "$WORK/disk-$name.img" 1G 180 \
		-netdev user,id=n0,ipv6=off -device virtio-net-device,netdev=n0 || rc=$?
	[ "$rc" = 124 ] || { echo "qemu exited with $rc, not halted at the menu"; tail_log "$name"; return 1; }
	expect_grep "$name" \
		"http.conf: broken: linux: http://10.0.2.2:9/vmlinuz: the firmware has no HTTP stack \(no EFI_HTTP_SERVICE_BINDING_PROTOCOL on any NIC\), which http:// needs" \
		"tftp.conf: broken: linux: tftp://10.0.2.2/vmlinuz: the firmware has no PXE base code on an IPv4 NIC, which tftp:// needs"
	if clean_log "$name" | grep -q 'plan: segment'; then
		echo "an entry was booted"
		return 1
	fi
}

# net_sb ARCH: Secure Boot over the network (Debian's snakeoil keys in db,
# efikexec signed with them, the disk first): from the stage's menu, an
# unsigned UKI by `uki-url` and an unsigned kernel by URL are each refused,
# as from disk; then a signed UKI by `uki-url`, pinned, boots locked down.
# (The capture kernel by URL under Secure Boot: t_trust_capture_x86_64.)
net_sb() {
	local arch=$1 name=net-sb-$1 e srv u bs rc=0 code vars con
	con=$(console_of "$arch")
	sb_esp "$arch" "$name" || return 1
	e=$SD/esp
	srv=$SD/srv
	mkdir -p "$srv"
	local uargs="console=$con efikexec.trust=1 efikexec.entry=net-sb panic=-1"
	printf '%s\n' "$uargs" >"$SD/uki.cmdline"
	printf 'PRETTY_NAME="Signed UKI"\nID=debian\n' >"$SD/uki.osrel"
	mkimage uki "$(stub_of "$arch")" "$(objcopy_of "$arch")" "$srv/unsigned.efi" \
		.osrel="$SD/uki.osrel" .cmdline="$SD/uki.cmdline" .initrd="$WORK/initrd-6.12-$arch.img" \
		.linux="$(deb_kernel "$arch" 6.12)"
	sign "$srv/unsigned.efi" "$srv/signed.efi" || return 1
	cp "$(deb_kernel "$arch" 6.12)" "$srv/vmlinuz-unsigned"
	sbattach --remove "$srv/vmlinuz-unsigned" >/dev/null 2>&1 || :
	bs=$(sha256_of "$srv/signed.efi")
	serve_start "$srv" "$name"
	u=http://10.0.2.2:$NET_PORT
	printf 'timeout 30\n' >"$e/loader/loader.conf"
	printf 'title Unsigned UKI\nsort-key k1\nuki-url %s/unsigned.efi\n' "$u" >"$e/loader/entries/e1.conf"
	printf 'title Unsigned kernel\nsort-key k2\nlinux %s/vmlinuz-unsigned\ninitrd /initrd.img\noptions console=%s panic=-1\n' \
		"$u" "$con" >"$e/loader/entries/e2.conf"
	printf 'title Signed UKI\nsort-key k3\nuki-url %s/signed.efi#sha256=%s\n' "$u" "$bs" >"$e/loader/entries/e3.conf"
	gpt_disk "$WORK/disk-$name.img" "$e"
	code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
	[ "$arch" = aarch64 ] && code=/usr/share/AAVMF/AAVMF_CODE.snakeoil.fd
	sb_vars "$WORK/$name.vars" "$arch" || { serve_stop; return 1; }
	net_args "$srv"
	FW_CODE=$code FW_VARS=$WORK/$name.vars QEMU_DISK_FIRST=1 \
		qemu_cmd "$arch" "$name" "$WORK/disk-$name.img" 1G -serial stdio "${NET_ARGS[@]}"
	echo "${QEMU_CMD[*]}" >"$LOGDIR/$name.cmd"
	local back=('wait:Press a key to return to the menu' 'send: ' 'wait:timeout \(menu-force\)')
	python3 "$HERE/serial.py" "$LOGDIR/$name.log" 400 'wait:Boot in [0-9]+ s' \
		'send:1' 'wait:unsigned.efi: not signed' "${back[@]}" \
		'send:2' 'wait:vmlinuz-unsigned: not signed' "${back[@]}" \
		'send:3' 'wait:EFIKEXEC-TRUST: done' \
		-- "${QEMU_CMD[@]}" || rc=$?
	serve_stop
	[ "$rc" = 0 ] || { echo "serial.py exited with $rc"; tail_log "$name"; return 1; }
	expect_line "$name" \
		"efikexec: error: secureboot: $u/unsigned.efi: not signed (the firmware says EFI_ACCESS_DENIED); refused: EFI_SECURITY_VIOLATION" \
		"efikexec: error: secureboot: $u/vmlinuz-unsigned: not signed (the firmware says EFI_ACCESS_DENIED); refused: EFI_SECURITY_VIOLATION" \
		"efikexec: info: secureboot: $u/signed.efi#sha256=$bs: verified by the firmware (db, dbx)" \
		"efikexec: info: net: $u/signed.efi: SHA-256 matches the pin" \
		"EFIKEXEC-CMDLINE: $uargs" "EFIKEXEC-SB: secureboot: Secure boot enabled" \
		"EFIKEXEC-LOCKDOWN: none [integrity] confidentiality"
	[ "$(clean_log "$name" | grep -c '^EFIKEXEC-CMDLINE: ')" = 1 ] ||
		{ echo "more than one kernel ran"; return 1; }
}
t_net_sb_x86_64() { net_sb x86_64; }
t_net_sb_aarch64() { net_sb aarch64; }
