# SPDX-License-Identifier: BSD-2-Clause-Patent
"""What the input is, and what every part shares: the architectures, the
exit statuses, bad input (Refused), sizes, and a kernel file's kind and
architecture from its own headers.
"""
import gzip
import os
import re
import struct
import sys


PROG = "efikexec-vm"

# exit statuses: how the guest ended (efikexec-vm(1), EXIT STATUS)
EXIT_POWEROFF, EXIT_ERROR, EXIT_PANIC, EXIT_RESET, EXIT_NO_KERNEL, EXIT_QUIT = 0, 1, 2, 3, 4, 130
EXIT_TIMEOUT = 124
EXIT_HALTED, EXIT_NOT_READY = 5, 6

ARCHES = {
    "x86_64": {"qemu": "qemu-system-x86_64", "efi": "x64", "boot": "BOOTX64.EFI", "console": "ttyS0",
               "machine": "q35", "tpm": "tpm-tis", "pe": 0x8664, "elf": 62},
    "aarch64": {"qemu": "qemu-system-aarch64", "efi": "aa64", "boot": "BOOTAA64.EFI", "console": "ttyAMA0",
                "machine": "virt", "tpm": "tpm-tis-device", "pe": 0xAA64, "elf": 183},
}


KINDS = {"bzimage": "bzImage", "image": "arm64 Image", "image-gz": "gzip'd arm64 Image", "zboot": "EFI zboot image",
         "uki": "UKI", "pe": "PE image", "elf": "ELF kernel", "disk": "disk", "xen": "Xen"}


class Refused(Exception):
    """Bad input, said before QEMU starts."""


def say(msg):
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


def probe(path):
    """(kind, arch) of a kernel file from its own headers: bzimage, image
    (arm64 Image), image-gz (Debian's arm64 vmlinuz), zboot, uki, pe, elf."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError as e:
        raise Refused(f"{path}: {e.strerror}")
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as g:
                inner = g.read(4096)
        except (OSError, EOFError) as e:
            raise Refused(f"{path}: a gzip file that does not decompress: {e}")
        if len(inner) >= 0x40 and inner[0x38:0x3C] == b"ARM\x64":
            return "image-gz", "aarch64"
        raise Refused(f"{path}: a gzip file, but not of an arm64 Image (no ARM\\x64 magic at 0x38)")
    if len(head) >= 0x206 and head[0x202:0x206] == b"HdrS":
        return "bzimage", "x86_64"
    if len(head) >= 0x40 and head[0x38:0x3C] == b"ARM\x64":
        return "image", "aarch64"
    if head[:4] == b"\x7fELF" and len(head) >= 20:
        machine = struct.unpack_from("<H", head, 18)[0]
        for arch, a in ARCHES.items():
            if a["elf"] == machine:
                return "elf", arch
        raise Refused(f"{path}: an ELF file for machine {machine}, neither x86_64 (62) nor aarch64 (183)")
    if head[:2] == b"MZ" and len(head) >= 0x40:
        pe = struct.unpack_from("<I", head, 0x3C)[0]
        if pe + 24 <= len(head) and head[pe:pe + 4] == b"PE\0\0":
            machine, nsec = struct.unpack_from("<HH", head, pe + 4)
            arch = next((a for a, v in ARCHES.items() if v["pe"] == machine), None)
            if not arch:
                raise Refused(f"{path}: a PE image for machine {machine:#x}, neither x86_64 nor aarch64")
            if head[4:8] == b"zimg":
                return "zboot", arch
            opt = struct.unpack_from("<H", head, pe + 20)[0]
            sec = pe + 24 + opt
            names = [head[sec + 40 * i:sec + 40 * i + 8].rstrip(b"\0") for i in range(nsec)
                     if sec + 40 * i + 8 <= len(head)]
            return ("uki" if b".linux" in names else "pe"), arch
    raise Refused(f"{path}: not a kernel (no bzImage, arm64 Image, zboot, PE, ELF or gzip header)")


def probe_xen(path):
    """The architecture of a Xen hypervisor image: x86_64's xen.gz (gzip of
    an ELF32 with a Multiboot2 header) or xen.efi, arm64's Image."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as g:
                head = g.read(65536)
    except (OSError, EOFError) as e:
        raise Refused(f"--xen {path}: {getattr(e, 'strerror', None) or e}")
    mb2 = any(struct.unpack_from("<I", head, o)[0] == 0xE85250D6 for o in range(0, min(len(head), 32768) - 3, 8))
    if head[:4] == b"\x7fELF" and len(head) >= 20 and struct.unpack_from("<H", head, 18)[0] in (3, 62) and mb2:
        return "x86_64"
    if len(head) >= 0x40 and head[0x38:0x3C] == b"ARM\x64":
        return "aarch64"
    if head[:2] == b"MZ" and mb2:
        return "x86_64"
    raise Refused(f"--xen {path}: not a Xen image (no Multiboot2 ELF, no arm64 Image)")

def check_file(path, what):
    if not os.path.isfile(path):
        raise Refused(f"{what} {path}: no such file")
    if not os.access(path, os.R_OK):
        raise Refused(f"{what} {path}: not readable")

def probe_is_pe(path):
    with open(path, "rb") as f:
        return f.read(2) == b"MZ"

def parse_size(text):
    """A size as QEMU's -m and efikexec's --capture-size take it (a plain
    number: MiB for -m, bytes for efikexec; only suffixed sizes are asked
    of users here)."""
    m = re.fullmatch(r"(\d+)([KMGT])", text)
    if not m:
        return None
    return int(m.group(1)) << {"K": 10, "M": 20, "G": 30, "T": 40}[m.group(2)]
