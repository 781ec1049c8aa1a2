#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""mkimage.py - images the format tests boot or refuse, made from Debian's
kernels the way their real producers lay them out.

  mkimage.py zboot COMP IMAGE OUT      EFI zboot (drivers/firmware/efi/libstub/
                                       zboot-header.S) around IMAGE padded to its
                                       image_size; COMP gzip, zstd22 (made with
                                       zstd -19: the same frame format as -22), lz4
                                       or lzo (as bzimage-payload makes them), or
                                       any other name for a header-only image
  mkimage.py vmlinux BZIMAGE OUT       the ELF vmlinux inside an x86 bzImage: its
                                       payload (setup header payload_offset and
                                       payload_length) decompressed
  mkimage.py bzimage-payload COMP BZIMAGE OUT
                                       BZIMAGE with its payload (the vmlinux and
                                       its relocation table) compressed again as the
                                       kernel's Makefile would for CONFIG_KERNEL_COMP:
                                       lz4 (lz4 -l), lzo (lzop -9), bzip2 (bzip2 -9),
                                       the size appended; payload_length and syssize
                                       follow. A test input for efikexec's own
                                       decompression (--direct-entry): the kernel's
                                       own decompressor still expects the old payload.
  mkimage.py arm64-vmlinux IMAGE OUT   an arm64 vmlinux around IMAGE, laid out as
                                       the kernel's link does: ET_DYN, _text at
                                       0xffff800008000000, p_paddr = p_vaddr, two
                                       PT_LOADs (text, then the rest from 8 MiB on)
  mkimage.py elf32 OUT                 an ELF32 i386 executable
  mkimage.py elf-overlap OUT           an ELF64 x86_64 executable whose two
                                       PT_LOADs overlap
  mkimage.py elf-mmio OUT              an ELF64 x86_64 executable loaded at
                                       0xfe000000 (no RAM there on a PC)
  mkimage.py uki STUB OBJCOPY OUT .name=FILE...
                                       a UKI: systemd's stub with the sections
                                       added by objcopy, as systemd 252 documents
                                       it, each section's address after the
                                       previous one (ukify's rule), 64 KiB aligned
"""
import gzip
import os
import struct
import subprocess
import sys


def zboot(comp, image, out):
    img = bytearray(open(image, 'rb').read())
    image_size = struct.unpack_from('<Q', img, 0x10)[0]
    img += bytes(image_size - len(img))  # Makefile.zboot: truncate -s image_size
    if comp == 'gzip':
        payload, tail = gzip.compress(bytes(img), 9), b''
    elif comp.startswith('zstd'):
        payload = subprocess.run(['zstd', '-19', '-T2', '-q', '-c'], input=bytes(img),
                                 capture_output=True, check=True).stdout
        tail = struct.pack('<I', len(img))
    elif comp in ('lz4', 'lzo'):
        payload = subprocess.run(RECOMPRESS[comp], input=bytes(img), capture_output=True, check=True).stdout
        tail = struct.pack('<I', len(img))
    else:
        payload, tail = b'\0' * 64, struct.pack('<I', len(img))
    hdr = bytearray(0x1000)
    hdr[0:2] = b'MZ'
    hdr[4:8] = b'zimg'
    struct.pack_into('<II', hdr, 8, len(hdr), len(payload))
    hdr[0x18:0x18 + len(comp)] = comp.encode()
    struct.pack_into('<II', hdr, 0x38, 0x818223cd, 0x40)
    open(out, 'wb').write(bytes(hdr) + payload + tail)


def payload_of(b):
    """The decompressed payload of bzImage bytes b (vmlinux, relocations)."""
    setup = ((b[0x1f1] or 4) + 1) * 512
    off, length = struct.unpack_from('<II', b, 0x248)
    p = b[setup + off:setup + off + length]
    # every compressor but gzip has the size appended (arch/x86/boot/compressed/Makefile)
    if p[:2] == b'\x1f\x8b':
        data = gzip.decompress(p)
    elif p[:6] == b'\xfd7zXZ\x00':
        data = subprocess.run(['xz', '-dc', '--single-stream'], input=p[:-4],
                              capture_output=True, check=True).stdout
    elif p[:4] == b'\x28\xb5\x2f\xfd':
        data = subprocess.run(['zstd', '-dc'], input=p[:-4], capture_output=True, check=True).stdout
    else:
        sys.exit('vmlinux: payload compression %s not handled here' % p[:6].hex())
    if data[:4] != b'\x7fELF':
        sys.exit('vmlinux: the payload is not an ELF')
    return data


def vmlinux(bz, out):
    open(out, 'wb').write(payload_of(open(bz, 'rb').read()))


# scripts/Makefile.lib: cmd_lz4, cmd_lzo, cmd_bzip2 (each then $(size_append))
RECOMPRESS = {'lz4': ['lz4', '-l', '-9', '-c'], 'lzo': ['lzop', '-9', '-c'], 'bzip2': ['bzip2', '-9', '-c']}


def bzimage_payload(comp, bz, out):
    b = bytearray(open(bz, 'rb').read())
    data = payload_of(bytes(b))
    setup = ((b[0x1f1] or 4) + 1) * 512
    off, length = struct.unpack_from('<II', b, 0x248)
    pay = subprocess.run(RECOMPRESS[comp], input=data, capture_output=True, check=True).stdout
    pay += struct.pack('<I', len(data))
    nb = b[:setup + off] + pay + b[setup + off + length:]
    nb += bytes(-(len(nb) - setup) % 16)  # syssize counts 16-byte paragraphs
    struct.pack_into('<I', nb, 0x24c, len(pay))
    struct.pack_into('<I', nb, 0x1f4, (len(nb) - setup) // 16)
    open(out, 'wb').write(bytes(nb))


def elf(cls, machine, loads, out):
    """loads: (paddr, filesz, memsz)"""
    if cls == 1:
        eh = struct.pack('<4sBBBBB7sHHIIIIIHHHHHH', b'\x7fELF', 1, 1, 1, 0, 0, b'', 2, machine, 1,
                         loads[0][0], 52, 0, 0, 52, 32, len(loads), 0, 0, 0)
        ph = b''.join(struct.pack('<IIIIIIII', 1, 0x1000, p, p, f, m, 7, 0x1000) for p, f, m in loads)
    else:
        eh = struct.pack('<4sBBBBB7sHHIQQQIHHHHHH', b'\x7fELF', 2, 1, 1, 0, 0, b'', 2, machine, 1,
                         loads[0][0], 64, 0, 0, 64, 56, len(loads), 0, 0, 0)
        ph = b''.join(struct.pack('<IIQQQQQQ', 1, 7, 0x1000, (0xffffffff80000000 + p) & (2**64 - 1), p, f, m, 0x1000)
                      for p, f, m in loads)
    body = (eh + ph).ljust(0x1000, b'\0') + b'\x90' * max(f for _, f, _ in loads)
    open(out, 'wb').write(body)


def arm64_vmlinux(image, out):
    img = open(image, 'rb').read()
    base, split, off = 0xffff800008000000, 0x800000, 0x10000
    loads = [(0, split), (split, len(img) - split)]
    eh = struct.pack('<4sBBBBB7sHHIQQQIHHHHHH', b'\x7fELF', 2, 1, 1, 0, 0, b'', 3, 183, 1,
                     base, 64, 0, 0, 64, 56, len(loads), 0, 0, 0)
    ph = b''.join(struct.pack('<IIQQQQQQ', 1, 7, off + o, base + o, base + o, n, n, 0x10000)
                  for o, n in loads)
    open(out, 'wb').write((eh + ph).ljust(off, b'\0') + img)


def uki(stub, objcopy, out, sections):
    """Each .name=FILE added in order, at its own VMA; a name may repeat
    (a multi-profile UKI: sections after each .profile), so each is added
    under a placeholder name and renamed in a second pass (objcopy's
    --change-section-vma moves every section of a name). -.name removes
    one of the stub's own sections (.sdmagic: a UKI that names no stub
    release, booted by current systemd's rules)."""
    # past the stub's own sections: its ImageBase plus SizeOfImage (the
    # systemd-stub(7) recipe reads both from "objdump -p"); PE32+ headers
    with open(stub, 'rb') as f:
        head = f.read(4096)
    pe = struct.unpack_from('<I', head, 0x3c)[0]
    image_base = struct.unpack_from('<Q', head, pe + 24 + 24)[0]
    size_of_image = struct.unpack_from('<I', head, pe + 24 + 56)[0]
    args, ren = [], []
    vma = (image_base + size_of_image + 0xffff) & ~0xffff
    for i, s in enumerate(sections):
        if s.startswith('-'):
            args += ['--remove-section', s[1:]]
            continue
        name, path = s.split('=', 1)
        tmp = '.s%02d' % i
        args += ['--add-section', '%s=%s' % (tmp, path), '--change-section-vma', '%s=%#x' % (tmp, vma)]
        ren += ['--rename-section', '%s=%s' % (tmp, name)]
        vma = (vma + os.path.getsize(path) + 0xffff) & ~0xffff
    subprocess.run([objcopy] + args + [stub, out + '.tmp'], check=True)
    subprocess.run([objcopy] + ren + [out + '.tmp', out], check=True)
    os.remove(out + '.tmp')


def main():
    a = sys.argv[1:]
    if a[0] == 'zboot':
        zboot(a[1], a[2], a[3])
    elif a[0] == 'vmlinux':
        vmlinux(a[1], a[2])
    elif a[0] == 'bzimage-payload':
        bzimage_payload(a[1], a[2], a[3])
    elif a[0] == 'arm64-vmlinux':
        arm64_vmlinux(a[1], a[2])
    elif a[0] == 'elf32':
        elf(1, 3, [(0x200000, 0x1000, 0x2000)], a[1])
    elif a[0] == 'elf-mmio':
        elf(2, 62, [(0xfe000000, 0x1000, 0x1000)], a[1])
    elif a[0] == 'elf-overlap':
        elf(2, 62, [(0x1000000, 0x3000, 0x3000), (0x1002000, 0x1000, 0x1000)], a[1])
    elif a[0] == 'uki':
        uki(a[1], a[2], a[3], a[4:])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
