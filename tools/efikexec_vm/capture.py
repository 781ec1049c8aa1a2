# SPDX-License-Identifier: BSD-2-Clause-Patent
"""Crash capture: a capture kernel armed, its initramfs, the dump.
"""
import gzip
import lzma
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from efikexec_vm.base import ARCHES, KINDS, Refused, check_file, parse_size, probe


# what the initramfs of efikexec-vm's own loads, in this order when no
# modules.dep orders them: the virtio PCI transport, the block driver the
# dump disk needs, and efi_pstore, whose panic record tells efikexec that
# the main kernel crashed (docs/DESIGN.md, "Crash capture")
CAPTURE_MODULES = ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci",
                   "virtio_mmio", "virtio_blk", "efi_pstore"]
WANTED_MODULES = ["virtio_pci", "virtio_blk", "efi_pstore"]
DUMP_SERIAL = "efikexec-vm-dump"
READY_LINE = "efikexec-vm: the main kernel is up"
SAVED_LINE = "efikexec-vm: capture kernel: saved /proc/vmcore"

CAPTURE_INIT = r"""#!/bin/busybox sh
# /init of efikexec-vm's capture initramfs. As the capture kernel's: saves
# /proc/vmcore to the disk whose serial is DUMP_SERIAL, then powers off. As
# the main kernel's (no --initrd given): loads efi_pstore, says it is up and
# gives the console a shell.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
v=$(uname -r)
for m in $(cat "/lib/modules/$v/load" 2>/dev/null); do insmod "/lib/modules/$v/$m" 2>/dev/null; done
if [ -e /proc/vmcore ]; then
	echo "efikexec-vm: capture kernel $v: /proc/vmcore has $(stat -c %s /proc/vmcore) bytes"
	d=
	for i in 1 2 3 4 5 6 7 8 9 10; do
		for b in /sys/block/*; do
			[ "$(cat "$b/serial" 2>/dev/null)" = DUMP_SERIAL ] && d=/dev/${b##*/}
		done
		[ -n "$d" ] && [ -b "$d" ] && break
		sleep 0.5
	done
	if [ -z "$d" ]; then
		echo "efikexec-vm: capture kernel: no dump disk (no virtio_blk in this kernel or its modules): nothing saved"
	elif dd if=/proc/vmcore of="$d" bs=1M 2>/dev/null && sync; then
		echo "SAVED_LINE to $d"
	else
		echo "efikexec-vm: capture kernel: writing /proc/vmcore to $d failed"
	fi
	poweroff -f
fi
p=no
[ -d /sys/module/efi_pstore ] && p=yes
echo "READY_LINE ($v; efi_pstore: $p)"
echo "efikexec-vm: a shell; 'echo c > /proc/sysrq-trigger' crashes the kernel, 'exit' powers off"
setsid cttyhack sh
poweroff -f
""".replace("DUMP_SERIAL", DUMP_SERIAL).replace("SAVED_LINE", SAVED_LINE).replace("READY_LINE", READY_LINE)


def kernel_bytes(path, kind):
    """The kernel proper: a gzip'd Image unpacked, a UKI's .linux, a zboot
    image's payload unpacked (gzip; zstd through the zstd program)."""
    with open(path, "rb") as f:
        data = f.read()
    if kind == "image-gz":
        return gzip.decompress(data)
    if kind in ("uki", "pe", "zboot"):
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        nsec, opt = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
        for i in range(nsec):
            s = pe + 24 + opt + 40 * i
            name = data[s:s + 8].rstrip(b"\0")
            size, off = struct.unpack_from("<I", data, s + 16)[0], struct.unpack_from("<I", data, s + 20)[0]
            if kind == "uki" and name == b".linux":
                inner = data[off:off + size]
                if inner[:2] == b"\x1f\x8b":
                    return gzip.decompress(inner)
                return inner
        if kind == "zboot":
            # the zboot header (drivers/firmware/efi/libstub/zboot-header.S):
            # payload offset and size at 8 and 12, the compression's name at 24
            off, size = struct.unpack_from("<II", data, 8)
            comp = data[24:32].rstrip(b"\0")
            payload = data[off:off + size]
            if comp == b"gzip":
                return gzip.decompress(payload)
            if comp == b"zstd" and shutil.which("zstd"):
                return subprocess.run(["zstd", "-dc"], input=payload, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL).stdout
            return b""
    return data


def kernel_version(path, kind):
    """The release a kernel names (`uname -r`), or None: a bzImage's header
    field kernel_version (Documentation/arch/x86/boot.rst: offset 0x20E,
    the string at it + 0x200), else the "Linux version " banner."""
    try:
        data = kernel_bytes(path, kind)
    except (OSError, EOFError, ValueError, struct.error, zlib.error):
        return None
    if data[0x202:0x206] == b"HdrS":
        off = struct.unpack_from("<H", data, 0x20E)[0] + 0x200
        m = re.match(rb"([\x21-\x7e]+)", data[off:off + 128])
        if m:
            return m.group(1).decode()
    m = re.search(rb"Linux version ([\x21-\x7e]+) \(", data)
    return m.group(1).decode() if m else None


def static_busybox(arch, given):
    """A static busybox for arch: --busybox FILE, else the host's own
    (Debian's busybox-static) when it is for arch."""
    cands = [given] if given else ["/bin/busybox", "/usr/bin/busybox"]
    for path in cands:
        if not path or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            head = f.read(4096)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            why = "not a 64-bit ELF program"
        elif struct.unpack_from("<H", head, 18)[0] != ARCHES[arch]["elf"]:
            why = f"not for {arch}"
        else:
            phoff, phentsize, phnum = struct.unpack_from("<Q", head, 32)[0], *struct.unpack_from("<HH", head, 54)
            interp = any(struct.unpack_from("<I", head, phoff + i * phentsize)[0] == 3 for i in range(phnum)
                         if phoff + (i + 1) * phentsize <= len(head))
            why = "linked dynamically (the initramfs has no libraries: Debian's busybox-static)" if interp else None
        if not why:
            return path
        if given:
            raise Refused(f"--busybox {given}: {why}")
    raise Refused(f"--capture builds its initramfs with a static busybox for {arch}: none found "
                  f"(/bin/busybox from Debian's busybox-static on an {arch} host; else --busybox FILE, "
                  f"or --capture-initrd FILE of your own)")


def read_module(path):
    """A module file's bytes, uncompressed (busybox's insmod takes plain
    .ko): .ko, .ko.gz, .ko.xz; .ko.zst through the zstd program."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".zst"):
        if not shutil.which("zstd"):
            raise Refused(f"{path}: a zstd-compressed module, and zstd is not installed (Debian: zstd)")
        return subprocess.run(["zstd", "-dc", path], stdout=subprocess.PIPE, check=True).stdout
    return data


def capture_modules(moddir):
    """[(name.ko, path)] of CAPTURE_MODULES found in moddir, in load order:
    a modules tree (/lib/modules/RELEASE: modules.dep gives each one's
    dependencies, loaded first) or a folder of .ko files (CAPTURE_MODULES'
    order)."""
    norm = lambda n: re.sub(r"\.ko(\.(gz|xz|zst))?$", "", os.path.basename(n)).replace("-", "_")
    dep = os.path.join(moddir, "modules.dep")
    out, seen = [], set()
    if os.path.isfile(dep):
        deps = {}
        with open(dep) as f:
            for line in f:
                if ":" in line:
                    mod, rest = line.split(":", 1)
                    deps[norm(mod)] = (mod, rest.split())

        def add(name):
            if name in seen or name not in deps:
                return
            seen.add(name)
            for d in deps[name][1]:
                add(norm(d))
            out.append((name + ".ko", os.path.join(moddir, deps[name][0])))
        for m in CAPTURE_MODULES:
            add(m)
        return out
    files = {norm(n): os.path.join(moddir, n) for n in os.listdir(moddir) if re.search(r"\.ko(\.(gz|xz|zst))?$", n)}
    return [(m + ".ko", files[m]) for m in CAPTURE_MODULES if m in files]


def cpio_newc(entries):
    """A cpio archive (the kernel's initramfs format, "newc"): entries are
    (name, mode, data)."""
    out = bytearray()

    def put(name, mode, data, ino):
        n = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0]
        out.extend(b"070701" + b"".join(b"%08X" % v for v in fields) + n)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))
    for ino, (name, mode, data) in enumerate(entries, 1):
        put(name, mode, data, ino)
    put("TRAILER!!!", 0, b"", 0)
    return bytes(out)


def capture_initramfs(out, arch, kernels, args):
    """efikexec-vm's initramfs for the capture kernel (and the main one when
    no --initrd is given): busybox, CAPTURE_INIT, and per kernel release the
    modules of CAPTURE_MODULES from --modules DIR or /lib/modules/RELEASE.
    Returns what it says about the modules."""
    busybox = static_busybox(arch, args.busybox)
    with open(busybox, "rb") as f:
        entries = [("bin", 0o40755, b""), ("bin/busybox", 0o100755, f.read()), ("dev", 0o40755, b""),
                   ("proc", 0o40755, b""), ("sys", 0o40755, b""), ("lib", 0o40755, b""),
                   ("lib/modules", 0o40755, b""), ("init", 0o100755, CAPTURE_INIT.encode())]
    notes = []
    for path, kind in kernels:
        release = kernel_version(path, kind)
        moddir = args.module_dir or (f"/lib/modules/{release}" if release else None)
        if not release:
            raise Refused(f"{path}: no kernel release found in it (a bzImage's header or the \"Linux version\" "
                          f"banner), so its modules cannot be matched: --capture-initrd FILE")
        if any(e[0] == f"lib/modules/{release}" for e in entries):
            continue
        mods = []
        if moddir and os.path.isdir(moddir):
            mods = capture_modules(moddir)
        elif args.module_dir:
            raise Refused(f"--modules {args.module_dir}: not a folder")
        have = {m[:-3] for m, _ in mods}
        missing = [m for m in WANTED_MODULES if m not in have]
        if missing:
            notes.append(f"{release}: {', '.join(missing)} not found as modules "
                         f"({moddir or 'no --modules'}); the kernel must have them built in")
        entries.append((f"lib/modules/{release}", 0o40755, b""))
        for name, p in mods:
            entries.append((f"lib/modules/{release}/{name}", 0o100644, read_module(p)))
        entries.append((f"lib/modules/{release}/load", 0o100644, "".join(f"{m}\n" for m, _ in mods).encode()))
        notes.append(f"initramfs for {release}: busybox {busybox}, modules {' '.join(m[:-3] for m, _ in mods) or 'none'}")
    with open(out, "wb") as f:
        f.write(cpio_newc(entries))
    return notes

def vmcore_end(path):
    """The size of the ELF core file at the start of path (the dump disk
    holds /proc/vmcore, then zeros), or None when it holds none."""
    with open(path, "rb") as f:
        head = f.read(64)
        if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or struct.unpack_from("<H", head, 16)[0] != 4:
            return None
        phoff, phentsize, phnum = struct.unpack_from("<Q", head, 32)[0], *struct.unpack_from("<HH", head, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    end = phoff + phentsize * phnum
    for i in range(phnum):
        _, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
        end = max(end, off + filesz)
    return end


def capture_setup(args, arch, kind, run):
    """--capture's inputs checked, its initramfs built when one is needed,
    the dump disk made. Returns what to say about them."""
    if args.capture_kernel:
        check_file(args.capture_kernel, "--capture-kernel")
        ckind, carch = probe(args.capture_kernel)
        if carch != arch:
            raise Refused(f"--capture-kernel {args.capture_kernel}: an {carch} {KINDS[ckind]}, not for {arch}")
    else:
        args.capture_kernel, ckind = args.kernel, kind
    for f in args.capture_initrd:
        check_file(f, "--capture-initrd")
    if args.vmlinux:
        check_file(args.vmlinux, "--vmlinux")
    notes = []
    if not args.capture_initrd or not args.initrd:
        own = os.path.join(run, "capture.img")
        kernels = [(args.capture_kernel, ckind)] if args.capture_initrd == [] else []
        if not args.initrd:
            kernels.append((args.kernel, kind))
        notes = capture_initramfs(own, arch, kernels, args)
        args.capture_initrd = args.capture_initrd or [own]
        args.initrd = args.initrd or [own]
    args.dump = os.path.abspath(args.dump or os.path.join(tempfile.gettempdir(), f"efikexec-vm-{os.getpid()}.vmcore"))
    try:
        with open(args.dump, "wb") as f:
            # room for /proc/vmcore: the guest's RAM and its headers
            f.truncate(parse_size(args.memory) + (64 << 20))
        args.dump_made = True
    except OSError as e:
        raise Refused(f"--dump {args.dump}: {e.strerror}")
    return notes


def drop_dump(args):
    """The dump disk made for a run that saved nothing."""
    if getattr(args, "dump_made", False):
        os.unlink(args.dump)
        args.dump_made = False


def capture_cmdline(cmdline, args):
    """The main kernel's command line with what --capture and --crash need
    of it: a reset after a panic (panic=1, unless it names its own), and
    the SysRq keys (Debian's default mask, 438, leaves out C's)."""
    words = (cmdline or "").split()
    extra = []
    if args.capture and not any(w.startswith("panic=") for w in words):
        extra.append("panic=1")
    if args.crash and "sysrq_always_enabled" not in words:
        extra.append("sysrq_always_enabled")
    return " ".join([cmdline] + extra if cmdline else extra) or None


def crash_report(dump, args):
    """After the capture: the dump cut to the vmcore's size, the crashed
    kernel's log by makedumpfile --dump-dmesg, and with --vmlinux a few
    questions to crash. Returns (ok, lines to say)."""
    end = vmcore_end(dump)
    if end is None:
        return False, [f"{dump}: no ELF core in it: the capture kernel saved nothing"]
    os.truncate(dump, end)
    lines = [f"the dump: {dump} ({end >> 20} MiB, an ELF core as /proc/vmcore gave it)"]
    with open(dump, "rb") as f:
        machine = struct.unpack_from("<H", f.read(20), 18)[0]
    host = os.uname().machine
    if ARCHES.get(host, {}).get("elf") != machine:
        # makedumpfile and crash read the dumps of the machine they were
        # built for (Debian builds them for each architecture alone)
        return True, lines + [f"the dump is of an ELF machine {machine}; makedumpfile and crash here read only "
                              f"{host}'s: read it on a machine of its own architecture"]
    if not shutil.which("makedumpfile"):
        return True, lines + ["makedumpfile is not installed (Debian: makedumpfile): no log read from the dump"]
    dmesg = dump + ".dmesg"
    if os.path.exists(dmesg):
        os.unlink(dmesg)
    r = subprocess.run(["makedumpfile", "--dump-dmesg", dump, dmesg], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode or not os.path.exists(dmesg):
        return False, lines + [f"makedumpfile --dump-dmesg {dump} failed: "
                               f"{(r.stdout.strip().splitlines() or ['no output'])[-1]}"]
    with open(dmesg, errors="replace") as f:
        log = f.read().splitlines()
    at = max([i for i, l in enumerate(log) if "Kernel panic - not syncing" in l] or [len(log) - 1])
    lines.append(f"the crashed kernel's log (makedumpfile --dump-dmesg: {dmesg}), its last lines:")
    lines += ["    " + l for l in log[max(0, at - 12):at + 1]]
    if args.vmlinux:
        if not shutil.which("crash"):
            return True, lines + ["--vmlinux: crash is not installed (Debian: crash)"]
        r = subprocess.run(["crash", "-s", "--no_scroll", args.vmlinux, dump], input="sys\nbt\nquit\n",
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        lines.append(f"crash {args.vmlinux} {dump}: sys, bt" + ("" if r.returncode == 0 else f" (status {r.returncode})"))
        lines += ["    " + l for l in r.stdout.splitlines()]
        if r.returncode:
            return False, lines
    return True, lines
