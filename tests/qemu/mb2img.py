#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""mb2img.py - Multiboot2 images for the bad-input boot tests
(tests/qemu/multiboot.sh). Header layout: Multiboot2 specification 3.1.

  mb2img.py badsum IN OUT        IN with its header's checksum off by one
  mb2img.py late OUT             a valid header at 0x9000, past 32 KiB
  mb2img.py unknown OUT          a required header tag 42
  mb2img.py noinfo OUT           requires the BIOS boot device (tag 5)
  mb2img.py at ADDR OUT          loads at ADDR (the address tag)
  mb2img.py check LOG RAM MODULE...
      checks what the test payload (mb2-payload.c) printed in LOG against
      the modules' files and the machine's RAM (bytes): each module's
      bytes, page alignment and end; the memory map sorted, without
      overlaps, its types 1-5, its usable RAM within RAM and at least 90%
      of it; the modules and the payload in usable RAM; the EBDA page
      reserved and the BDA's base memory equal to mem_lower; the map
      equal to the firmware's final EFI map (tag 17) as e820 types. Exit 1 with
      the reason on the first mismatch.
"""
import re
import struct
import sys

MAGIC = 0xE85250D6
SEARCH = 32768


def tag(kind, flags, payload=b""):
    size = 8 + len(payload)
    return struct.pack("<HHI", kind, flags, size) + payload + b"\0" * (-size & 7)


def header(tags):
    body = b"".join(tags) + tag(0, 0)
    length = 16 + len(body)
    return struct.pack("<IIII", MAGIC, 0, length, -(MAGIC + length) & 0xFFFFFFFF) + body


def aout(load, at, extra=(), size=8192):
    """An image whose address tag loads the whole file at `load`, its
    header at file offset `at`, entered 0x100 bytes in (never reached)."""
    tags = [tag(2, 0, struct.pack("<IIII", load + at, load, 0, 0)),
            tag(3, 0, struct.pack("<I", load + 0x100))] + list(extra)
    img = bytearray(max(size, at + 4096))
    h = header(tags)
    img[at:at + len(h)] = h
    return bytes(img)


def check(log, ram, modules, efi=False):
    """efi: entered through the EFI amd64 entry, boot services running: the
    map is the firmware's as it was then, and there is no EBDA"""
    text = open(log, "rb").read().decode("latin-1").replace("\r", "")
    lines = text.split("\n")

    def fail(why):
        sys.exit("mb2 check: " + why)

    mods = [m for m in (re.match(r"MB2-MODULE: start=(0x[0-9a-f]+) end=(0x[0-9a-f]+) aligned=(\d) sum=(0x[0-9a-f]+) string=(.*)$", l)
                        for l in lines) if m]
    if len(mods) != len(modules):
        fail("%d modules reported, %d given" % (len(mods), len(modules)))
    spans = []
    for m, path in zip(mods, modules):
        data = open(path, "rb").read()
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        if end - start != len(data):
            fail("%s: [%#x, %#x) is not its %d bytes" % (path, start, end, len(data)))
        if m.group(3) != "1":
            fail("%s at %#x is not page-aligned" % (path, start))
        if int(m.group(4), 16) != sum(data) & 0xFFFFFFFF:
            fail("%s: the payload read sum %s, the file's is %#x" % (path, m.group(4), sum(data) & 0xFFFFFFFF))
        spans.append((start, end, path))
    img = re.search(r"^MB2-PAYLOAD: .* image=(0x[0-9a-f]+)$", text, re.M)
    base = re.search(r"^MB2-LOADBASE: (0x[0-9a-f]+)$", text, re.M)
    if not img or not base or img.group(1) != base.group(1):
        fail("the load base tag (%s) is not where the payload runs (%s)" % (base and base.group(1), img and img.group(1)))
    spans.append((int(img.group(1), 16), int(img.group(1), 16) + 0x1000, "the payload"))
    mmap = [(int(a, 16), int(b, 16), int(t)) for a, b, t in re.findall(r"^MB2-MMAP: (0x[0-9a-f]+) (0x[0-9a-f]+) (\d+)$", text, re.M)]
    if not mmap:
        fail("no memory map")
    last = 0
    for a, n, t in mmap:
        if a < last or n == 0 or t not in range(1, 6):
            fail("memory map entry %#x+%#x type %d: unsorted, overlapping, empty or of an unknown type" % (a, n, t))
        last = a + n
    usable = sum(n for a, n, t in mmap if t == 1)
    if not (ram * 9 // 10 <= usable <= ram):
        fail("%d bytes of usable RAM in the map, for a machine of %d" % (usable, ram))
    for s, e, what in spans:
        if not any(a <= s and e <= a + n and t == 1 for a, n, t in mmap):
            fail("%s at [%#x, %#x) is not in usable RAM" % (what, s, e))
    if efi:
        return
    bda = re.search(r"^MB2-BDA: ebda=(0x[0-9a-f]+) basemem=(\d+)$", text, re.M)
    mi = re.search(r"^MB2-MEMINFO: lower=(\d+) upper=(\d+)$", text, re.M)
    if not bda or not mi or int(bda.group(1), 16) == 0:
        fail("no EBDA or no basic meminfo")
    ebda = int(bda.group(1), 16)
    if (ebda, 0x1000, 2) not in mmap:
        fail("the EBDA page %#x is not reserved in the map" % ebda)
    # the memory map against the firmware's own final one (tag 17): each
    # EFI type as an e820 type (RAM once boot services are gone, ACPI,
    # NVS, persistent, else reserved), touching ranges of a type merged,
    # the EBDA page reserved
    efi = [(int(t), int(a, 16), int(n, 16)) for t, a, n in
           re.findall(r"^MB2-EFI-DESC: (\d+) (0x[0-9a-f]+) (0x[0-9a-f]+)$", text, re.M)]
    if efi:
        e820 = {7: 1, 1: 1, 2: 1, 3: 1, 4: 1, 9: 3, 10: 4, 14: 7}
        pages = []
        for t, a, n in sorted(efi, key=lambda d: d[1]):
            if n == 0:
                continue
            kind = e820.get(t, 2)
            if a <= ebda < a + n * 4096:
                for s, e, k in ((a, ebda, kind), (ebda, ebda + 0x1000, 2), (ebda + 0x1000, a + n * 4096, kind)):
                    if e > s:
                        pages.append([s, e, k])
            else:
                pages.append([a, a + n * 4096, kind])
        want = []
        for s, e, k in pages:
            if want and want[-1][1] == s and want[-1][2] == k:
                want[-1][1] = e
            else:
                want.append([s, e, k])
        want = [(s, e - s, k) for s, e, k in want]
        if want != mmap:
            fail("the memory map is not the firmware's final one:\n  given  %s\n  wanted %s" %
                 ([(hex(a), hex(n), t) for a, n, t in mmap], [(hex(a), hex(n), t) for a, n, t in want]))
    if int(bda.group(2)) != int(mi.group(1)) or int(mi.group(1)) * 1024 != ebda:
        fail("base memory %s KiB, mem_lower %s KiB, EBDA at %#x disagree" % (bda.group(2), mi.group(1), ebda))


def main():
    kind = sys.argv[1]
    if kind == "check":
        efi = len(sys.argv) > 4 and sys.argv[4] == "--efi"
        check(sys.argv[2], int(sys.argv[3], 0), sys.argv[5:] if efi else sys.argv[4:], efi)
        return
    if kind == "badsum":
        img = bytearray(open(sys.argv[2], "rb").read())
        for off in range(0, SEARCH, 8):
            if struct.unpack_from("<I", img, off)[0] == MAGIC:
                struct.pack_into("<I", img, off + 12, (struct.unpack_from("<I", img, off + 12)[0] + 1) & 0xFFFFFFFF)
                break
        else:
            sys.exit("no Multiboot2 header in " + sys.argv[2])
        out = bytes(img)
    elif kind == "late":
        out = aout(0x2000000, 0x9000)
    elif kind == "unknown":
        out = aout(0x2000000, 0, [tag(42, 0, b"\0" * 8)])
    elif kind == "noinfo":
        out = aout(0x2000000, 0, [tag(1, 0, struct.pack("<II", 6, 5))])
    elif kind == "at":
        out = aout(int(sys.argv[2], 0), 0)
    else:
        sys.exit(__doc__)
    open(sys.argv[-1], "wb").write(out)


if __name__ == "__main__":
    main()
